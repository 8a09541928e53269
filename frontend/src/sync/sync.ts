// Typed calls for Settings → Sync. Components use these, never call() directly.
import { call } from '../lib/api';

export type SyncState = 'signed_out' | 'offline' | 'connecting' | 'online' | 'syncing' | 'error';

export interface SyncView {
  state: SyncState;
  last_sync: number; // unix ms, 0 = never
  pending: number;
  dead_letters: number;
  lag_ms: number;
  last_error: string;
  user: string;
  email: string;
  url: string;
  anon_key_tail: string;
  configured: boolean;
}

export interface DeadLetter {
  id: number;
  entity: string;
  row_id: string;
  op: string;
  payload: Record<string, unknown>;
  hlc: string;
  status: number;
  code: string;
  error: string;
  created_at: number;
}

export const syncApi = {
  status: () => call<SyncView>('SyncStatus'),
  saveSettings: (url: string, anon_key: string) => call<SyncView>('SaveSyncSettings', { url, anon_key }),
  signUp: (email: string, password: string) => call<SyncView>('SyncSignUp', { email, password }),
  signIn: (email: string, password: string) => call<SyncView>('SyncSignIn', { email, password }),
  signOut: () => call<SyncView>('SyncSignOut'),
  syncNow: () => call<SyncView>('SyncNow'),
  deadLetters: () => call<DeadLetter[]>('ListDeadLetters'),
  retry: (id: number) => call<DeadLetter[]>('RetryDeadLetter', id),
  discard: (id: number) => call<DeadLetter[]>('DiscardDeadLetter', id),
  edit: (id: number, fields: Record<string, unknown>) => call<DeadLetter[]>('EditDeadLetter', id, fields),
};

/** What the state means, in words, with the pill colour to show it in. */
export function stateLabel(v: Pick<SyncView, 'state' | 'pending'>): { text: string; cls: string } {
  const p = v.pending;
  switch (v.state) {
    case 'signed_out':
      return { text: p ? `Not signed in · ${p} waiting` : 'Not signed in', cls: 'warn' };
    case 'offline':
      return { text: `Offline · ${p} pending`, cls: 'warn' };
    case 'connecting':
      return { text: 'Connecting…', cls: 'info' };
    case 'syncing':
      return { text: `Syncing · ${p} pending`, cls: 'info' };
    case 'error':
      return { text: `Sync error · ${p} pending`, cls: 'bad' };
    default:
      return { text: p ? `Online · ${p} pending` : 'Synced', cls: 'ok' };
  }
}

/** "3 minutes ago" for a unix-ms time; "never" for 0. */
export function ago(ms: number, now = Date.now()): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} seconds ago`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'a minute ago' : `${m} minutes ago`;
  const h = Math.round(m / 60);
  if (h < 24) return h === 1 ? 'an hour ago' : `${h} hours ago`;
  return new Date(ms).toLocaleString();
}

/** The editable fields of a refused row: everything but what the app sets. */
export function editableFields(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!['id', 'hlc', 'deleted', 'created_at', 'updated_at'].includes(k)) out[k] = v;
  }
  return out;
}
