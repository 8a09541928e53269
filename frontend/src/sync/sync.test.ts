import { describe, expect, it } from 'vitest';
import { editableFields, stateLabel } from './sync';

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

describe('editableFields', () => {
  it('leaves out what the app sets', () => {
    expect(editableFields({ id: 'x', hlc: 'h', deleted: false, created_at: 1, updated_at: 2, name: 'n', cadence: 2 }))
      .toEqual({ name: 'n', cadence: 2 });
  });
});
