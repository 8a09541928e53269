import { describe, expect, it } from 'vitest';
import type { MonitorProvider, Snapshot } from './api';
import { changes, syncWords, verdict, type SyncFacts } from './health';

const provider = (name: string, health: string): MonitorProvider => ({ name, label: name[0].toUpperCase() + name.slice(1), health }) as MonitorProvider;
const snap = (level: string, problems: string[], providers: MonitorProvider[], waiting = 0) =>
  ({
    summary: { green: level === 'green', level, text: 'ignored', problems },
    providers,
    pool: { available: true, waiting },
  }) as unknown as Pick<Snapshot, 'summary' | 'providers' | 'pool'>;

const STATES = ['local', 'signed_out', 'offline', 'connecting', 'online', 'syncing', 'error'];

describe('changes', () => {
  it('counts', () => {
    expect(changes(1)).toBe('1 change');
    expect(changes(0)).toBe('0 changes');
    expect(changes(99)).toBe('99 changes');
  });
});

describe('syncWords', () => {
  it('says "Sync off" for a project never set up, "Signed out" once it is', () => {
    expect(syncWords({ state: 'signed_out', pending: 99 })).toMatchObject({ tone: '', text: 'Sync off · 99 waiting' });
    expect(syncWords({ state: 'signed_out', pending: 99, configured: true })).toMatchObject({ tone: 'warn', text: 'Signed out · 99 waiting' });
  });
  it('is up to date only when online or syncing with nothing waiting or refused', () => {
    for (const state of STATES) {
      for (const pending of [0, 3]) {
        for (const refused of [0, 1]) {
          const w = syncWords({ state, pending, refused, configured: true });
          expect(w.upToDate).toBe((state === 'online' || state === 'syncing') && pending === 0 && refused === 0);
          // the badge and the line name the same count
          if (pending) expect(w.text).toContain(`${pending} waiting`), expect(w.line).toContain(changes(pending));
          if (refused) expect(w.text).toContain(`${refused} refused`), expect(w.tone).not.toBe('ok');
        }
      }
    }
  });
});

describe('verdict', () => {
  const all: SyncFacts[] = STATES.flatMap((state) => [0, 99].map((pending) => ({ state, pending, configured: state !== 'local' })));

  it('never says all systems green unless providers are ready and sync is up to date', () => {
    for (const sync of all) {
      for (const providers of [[], [provider('groq', 'green')], [provider('groq', 'green'), provider('openai', 'grey')]]) {
        const v = verdict(snap('green', [], providers), sync);
        const w = syncWords(sync);
        const green = providers.some((p) => p.health === 'green') && w.upToDate;
        expect(v.text.startsWith('All systems green')).toBe(green);
        expect(v.level === 'green').toBe(green);
        // the line carries the badge's count of changes waiting
        if (sync.pending) expect(v.text).toContain('99 changes');
        // a badge in amber or red is never beside a calm line
        if (w.tone === 'warn') expect(v.level).toBe('amber');
        if (w.tone === 'bad') expect(v.level).toBe('red');
      }
    }
  });

  it('on a first launch says the templates write and sync is not set up', () => {
    const v = verdict(snap('green', [], [provider('groq', 'grey')]), { state: 'signed_out', pending: 0 });
    expect(v).toEqual({
      level: 'info',
      text: 'Working on this computer: no AI provider set up, so the local templates write everything; sync not set up, nothing queued.',
      more: [],
    });
  });

  it('leads with the monitor\'s problems, in plain words', () => {
    const v = verdict(snap('red', ['Sync is failing: dial tcp 127.0.0.1:1: connect: connection refused', 'Groq does not answer its health check.'], [provider('groq', 'red')]), {
      state: 'error',
      pending: 4,
    });
    expect(v.level).toBe('red');
    expect(v.text).toBe('2 problems need attention: Sync is failing. It could not be reached: check the address and the internet connection.');
    expect(v.more).toEqual(['Groq does not answer its health check.']);
  });

  it('is green with everything ready and synced', () => {
    expect(verdict(snap('green', [], [provider('groq', 'green')], 2), { state: 'online', pending: 0, configured: true }).text).toBe(
      'All systems green: Groq ready, synced, 2 jobs waiting.',
    );
  });
});
