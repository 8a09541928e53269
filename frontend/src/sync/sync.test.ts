import { describe, expect, it } from 'vitest';
import { editableFields, stateLabel } from './sync';

describe('stateLabel', () => {
  const v = (state: string, pending: number, configured = true, dead_letters = 0) => ({ state, pending, configured, dead_letters });
  it('names each state with the changes waiting, in the header badge\'s words', () => {
    expect(stateLabel(v('online', 0))).toEqual({ text: 'Synced', cls: 'ok' });
    expect(stateLabel(v('online', 2)).text).toBe('Online · 2 waiting');
    expect(stateLabel(v('offline', 5))).toEqual({ text: 'Offline · 5 waiting', cls: 'warn' });
    expect(stateLabel(v('syncing', 1)).cls).toBe('info');
    expect(stateLabel(v('error', 0)).cls).toBe('bad');
    expect(stateLabel(v('signed_out', 3))).toEqual({ text: 'Signed out · 3 waiting', cls: 'warn' });
    expect(stateLabel(v('signed_out', 3, false))).toEqual({ text: 'Sync off · 3 waiting', cls: '' });
    expect(stateLabel(v('online', 0, true, 2))).toEqual({ text: 'Synced · 2 refused', cls: 'warn' });
  });
});

describe('editableFields', () => {
  it('leaves out what the app sets', () => {
    expect(editableFields({ id: 'x', hlc: 'h', deleted: false, created_at: 1, updated_at: 2, name: 'n', cadence: 2 }))
      .toEqual({ name: 'n', cadence: 2 });
  });
});
