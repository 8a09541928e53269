// Calls for Settings → Sync, typed by the generated bindings through
// lib/api. Components use these, never call() directly.
import { call, type SyncView } from '../lib/api';

export const syncApi = {
  status: () => call('SyncStatus'),
  saveSettings: (url: string, anon_key: string) => call('SaveSyncSettings', { url, anon_key }),
  signUp: (email: string, password: string) => call('SyncSignUp', { email, password }),
  signIn: (email: string, password: string) => call('SyncSignIn', { email, password }),
  signOut: () => call('SyncSignOut'),
  syncNow: () => call('SyncNow'),
  deadLetters: () => call('ListDeadLetters'),
  retry: (id: number) => call('RetryDeadLetter', id),
  discard: (id: number) => call('DiscardDeadLetter', id),
  edit: (id: number, fields: Record<string, unknown>) => call('EditDeadLetter', id, fields),
};

/** What the state (signed_out, offline, connecting, online, syncing or
 *  error) means, in words, with the pill colour to show it in. */
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

/** The editable fields of a refused row: everything but what the app sets. */
export function editableFields(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!['id', 'hlc', 'deleted', 'created_at', 'updated_at'].includes(k)) out[k] = v;
  }
  return out;
}
