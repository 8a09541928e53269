// Calls for the parts of Settings → Sync about many devices: how this
// device pulls, clocks far ahead, and Repair clocks. Typed by the generated
// bindings through lib/api.
import { call, type RepairReport, type SyncView } from '../lib/api';

/** What the sync view carries for these parts. */
export type SyncExtras = Pick<SyncView, 'pull_mode' | 'pull_note' | 'pull_every_ms' | 'clock_alert'>;

export const toolsApi = {
  repairClocks: () => call('RepairClocks'),
};

/** One line saying how changes arrive. */
export function pullLine(v: Pick<SyncExtras, 'pull_mode' | 'pull_every_ms'>): string {
  const every = Math.round(v.pull_every_ms / 1000);
  switch (v.pull_mode) {
    case 'one_request':
      return `Checking for changes every ${every} s, one request each time.`;
    case 'per_table':
      return `Checking for changes every ${every} s, one request per table.`;
    default:
      return '';
  }
}

/** What a repair did, in words. */
export function repairLine(r: RepairReport): string {
  const n = r.pending + r.dead_letters + r.rows;
  if (n === 0) return 'Nothing needed repairing: every clock value here is sane.';
  const parts: string[] = [];
  if (r.pending) parts.push(`${r.pending} pending change${r.pending === 1 ? '' : 's'}`);
  if (r.dead_letters) parts.push(`${r.dead_letters} refused change${r.dead_letters === 1 ? '' : 's'}`);
  if (r.rows) parts.push(`${r.rows} row${r.rows === 1 ? '' : 's'} stamped far ahead`);
  return `Stamped again from this computer's clock: ${parts.join(', ')}. They sync now.`;
}
