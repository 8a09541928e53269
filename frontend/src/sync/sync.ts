// Calls for Settings → Sync, typed by the generated bindings through
// lib/api. Components use these, never call() directly.
import { call, type SyncView } from '../lib/api';
import { syncWords } from '../lib/health';

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
 *  error) means, in the words the header badge uses, with the pill colour
 *  to show it in. */
export function stateLabel(v: Pick<SyncView, 'state' | 'pending' | 'dead_letters' | 'configured'>): { text: string; cls: string } {
  const w = syncWords({ state: v.state, pending: v.pending, refused: v.dead_letters, configured: v.configured });
  return { text: w.text, cls: w.tone };
}

/** The editable fields of a refused row: everything but what the app sets. */
export function editableFields(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!['id', 'hlc', 'deleted', 'created_at', 'updated_at'].includes(k)) out[k] = v;
  }
  return out;
}
