// Typed calls for the parts of Settings → Sync about many devices: how this
// device pulls, clocks far ahead, and Repair clocks.
import { call } from '../lib/api';

export interface ClockAlert {
  device: string;
  table: string;
  row_id: string;
  hlc: string;
  ahead_ms: number;
  message: string;
  at: number;
}

/** What Status adds for these parts (the sync view carries them). */
export interface SyncExtras {
  pull_mode: '' | 'one_request' | 'per_table';
  pull_note: string;
  pull_every_ms: number;
  clock_alert?: ClockAlert;
}

export interface RepairReport {
  pending: number;
  dead_letters: number;
  rows: number;
  clock: string;
}

export const toolsApi = {
  repairClocks: () => call<RepairReport>('RepairClocks'),
};

/** One line saying how changes arrive. */
export function pullLine(v: SyncExtras): string {
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
