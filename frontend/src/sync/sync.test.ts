import { describe, expect, it } from 'vitest';
import { ago, editableFields, stateLabel } from './sync';

describe('stateLabel', () => {
  it('names each state with its pending count', () => {
    expect(stateLabel({ state: 'online', pending: 0 })).toEqual({ text: 'Synced', cls: 'ok' });
    expect(stateLabel({ state: 'online', pending: 2 }).text).toBe('Online · 2 pending');
    expect(stateLabel({ state: 'offline', pending: 5 })).toEqual({ text: 'Offline · 5 pending', cls: 'warn' });
    expect(stateLabel({ state: 'syncing', pending: 1 }).cls).toBe('info');
    expect(stateLabel({ state: 'error', pending: 0 }).cls).toBe('bad');
    expect(stateLabel({ state: 'signed_out', pending: 3 }).text).toBe('Not signed in · 3 waiting');
  });
});

describe('ago', () => {
  it('reads a unix-ms time in words', () => {
    const now = 1_800_000_000_000;
    expect(ago(0, now)).toBe('never');
    expect(ago(now - 3_000, now)).toBe('just now');
    expect(ago(now - 45_000, now)).toBe('45 seconds ago');
    expect(ago(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(ago(now - 2 * 3_600_000, now)).toBe('2 hours ago');
  });
});

describe('editableFields', () => {
  it('leaves out what the app sets', () => {
    expect(editableFields({ id: 'x', hlc: 'h', deleted: false, created_at: 1, updated_at: 2, name: 'n', cadence: 2 }))
      .toEqual({ name: 'n', cadence: 2 });
  });
});
