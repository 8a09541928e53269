// The one vocabulary for the app's state. The header badge, the
// dashboard's health line, Infrastructure and Settings → Sync all word sync
// and health through here, so no two places on screen contradict each
// other: "All systems green" only when AI providers answer and sync is on
// and up to date, never beside "Sync off".
import type { MonitorProvider, Snapshot } from './api';
import { plain } from './errors';

/** A pill's colour: ok green, info blue, warn amber, bad red, '' grey. */
export type Tone = 'ok' | 'info' | 'warn' | 'bad' | '';

/** "1 change", "12 changes". */
export function changes(n: number): string {
  return `${n} change${n === 1 ? '' : 's'}`;
}

/** Sync as the app knows it: the Status call and the monitor's snapshot
 *  both give these. */
export interface SyncFacts {
  /** local, signed_out, offline, connecting, online, syncing or error. */
  state: string;
  /** Changes waiting to upload. */
  pending: number;
  /** Changes the server refused (they wait in Settings → Sync). */
  refused?: number;
  /** A Supabase project is saved. */
  configured?: boolean;
}

export interface SyncWords {
  tone: Tone;
  /** For a badge or a pill: "Sync off · 12 waiting". */
  text: string;
  /** For the health line, in lower case: "sync not set up: 12 changes are saved on this computer only". */
  line: string;
  /** What it means and what to do, for a tooltip or a hint. */
  hint: string;
  /** Everything is uploaded and sync is running. */
  upToDate: boolean;
}

const kept = 'Everything is saved on this computer first and uploads when sync is on and the internet is there.';

export function syncWords(s: SyncFacts): SyncWords {
  const p = Math.max(0, s.pending || 0);
  const refused = Math.max(0, s.refused || 0);
  const waiting = p ? ` · ${p} waiting` : '';
  const waitLine = p ? `: ${changes(p)} ${p === 1 ? 'waits' : 'wait'} to upload` : '';
  let w: SyncWords;
  switch (s.state) {
    case 'local':
    case 'signed_out':
      w =
        s.state === 'signed_out' && s.configured
          ? {
              tone: 'warn',
              text: `Signed out${waiting}`,
              line: `signed out of sync${waitLine}`,
              hint: 'Sign in under Settings → Sync. Until then changes wait on this computer; nothing is lost.',
              upToDate: false,
            }
          : {
              tone: '',
              text: `Sync off${waiting}`,
              line: p ? `sync not set up: ${changes(p)} ${p === 1 ? 'is' : 'are'} kept on this computer only` : 'sync not set up',
              hint: 'Everything is saved on this computer. Set up sync under Settings → Sync to use your channels on other devices too.',
              upToDate: false,
            };
      break;
    case 'offline':
      w = { tone: 'warn', text: `Offline${waiting}`, line: `offline${waitLine}`, hint: kept, upToDate: false };
      break;
    case 'connecting':
      w = { tone: 'info', text: `Connecting${waiting}`, line: `connecting to sync${waitLine}`, hint: kept, upToDate: false };
      break;
    case 'syncing':
      w = { tone: 'info', text: `Syncing${waiting}`, line: `syncing${waitLine}`, hint: kept, upToDate: p === 0 };
      break;
    case 'error':
      w = {
        tone: 'bad',
        text: `Sync failing${waiting}`,
        line: `sync is failing${waitLine}`,
        hint: 'Sync keeps retrying by itself; Settings → Sync says why. Nothing is lost meanwhile.',
        upToDate: false,
      };
      break;
    default: // online
      w = p
        ? { tone: 'info', text: `Online${waiting}`, line: `online${waitLine}`, hint: kept, upToDate: false }
        : { tone: 'ok', text: 'Synced', line: 'synced', hint: 'Every change is uploaded.', upToDate: true };
  }
  if (refused) {
    w.text += ` · ${refused} refused`;
    w.line += `; ${changes(refused)} refused (see Settings → Sync)`;
    if (w.tone === 'ok' || w.tone === 'info' || w.tone === '') w.tone = 'warn';
    w.upToDate = false;
  }
  return w;
}

/** The health line's level: green all well, info working with something
 *  not set up, amber a warning, red a problem. */
export type Level = 'green' | 'info' | 'amber' | 'red';

export interface Verdict {
  level: Level;
  /** One sentence. */
  text: string;
  /** The problems after the first, as sentences. */
  more: string[];
}

/** The AI providers switched on and how many of them answer. */
function providerPart(providers: MonitorProvider[]): { text: string; allReady: boolean; any: boolean } {
  const on = providers.filter((p) => p.health !== 'grey');
  const ready = on.filter((p) => p.health === 'green');
  if (on.length === 0) return { text: 'no AI provider set up, so the local templates write everything', allReady: false, any: false };
  if (on.length === 1) return { text: `${on[0].label} ${ready.length ? 'ready' : 'not ready'}`, allReady: ready.length === 1, any: true };
  return { text: `${ready.length} of ${on.length} AI providers ready`, allReady: ready.length === on.length, any: true };
}

/** The verdict of the dashboard's health line and Infrastructure's summary:
 *  the monitor's problems first (alerts, providers that cannot answer,
 *  failing sync), else what works and what is not set up. sync is the
 *  same facts the header badge shows. */
export function verdict(snap: Pick<Snapshot, 'summary' | 'providers' | 'pool'>, sync: SyncFacts): Verdict {
  const problems = (snap.summary.problems ?? []).map((p) => plain(p, 'health summary'));
  if (snap.summary.level !== 'green' && problems.length) {
    const n = problems.length;
    const lead = n === 1 ? '1 problem needs attention' : `${n} problems need attention`;
    return { level: snap.summary.level === 'red' ? 'red' : 'amber', text: `${lead}: ${problems[0]}`, more: problems.slice(1) };
  }
  const ai = providerPart(snap.providers ?? []);
  const sw = syncWords(sync);
  const queued = snap.pool?.available ? (snap.pool.waiting ? `${snap.pool.waiting} jobs waiting` : 'nothing queued') : '';
  const tail = queued ? `, ${queued}` : '';
  if (ai.allReady && sw.upToDate) return { level: 'green', text: `All systems green: ${ai.text}, ${sw.line}${tail}.`, more: [] };
  const level: Level = sw.tone === 'bad' ? 'red' : sw.tone === 'warn' || (ai.any && !ai.allReady) ? 'amber' : 'info';
  return { level, text: `${sw.upToDate ? 'Working' : 'Working on this computer'}: ${ai.text}; ${sw.line}${tail}.`, more: [] };
}
