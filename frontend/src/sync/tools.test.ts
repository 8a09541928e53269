import { describe, expect, it } from 'vitest';
import { pullLine, repairLine } from './tools';
import { deviceLabel, hostLabel } from '../autopilot/hosts';
import type { DeviceInfo } from '../lib/api';

describe('pullLine', () => {
  it('says how often and how changes are fetched', () => {
    expect(pullLine({ pull_mode: 'one_request', pull_every_ms: 5000 })).toBe('Checking for changes every 5 s, one request each time.');
    expect(pullLine({ pull_mode: 'per_table', pull_every_ms: 30000 })).toBe('Checking for changes every 30 s, one request per table.');
    expect(pullLine({ pull_mode: '', pull_every_ms: 5000 })).toBe('');
  });
});

describe('repairLine', () => {
  it('names what was stamped again', () => {
    expect(repairLine({ pending: 0, dead_letters: 0, rows: 0, clock: 'c' })).toMatch(/Nothing needed/);
    expect(repairLine({ pending: 1, dead_letters: 2, rows: 1, clock: 'c' })).toBe(
      "Stamped again from this computer's clock: 1 pending change, 2 refused changes, 1 row stamped far ahead. They sync now.");
  });
});

describe('host labels', () => {
  const base = { hlc: '', deleted: false, created_at: '2026-12-05T19:55:00Z', updated_at: '2026-12-05T19:55:00Z', last_seen: '2026-12-05T19:55:00Z', version: '1' };
  const me: DeviceInfo = { ...base, id: 'a', name: 'laptop', kind: 'desktop', this: true, quiet: false };
  const server: DeviceInfo = { ...base, id: 'b', name: 'home server', kind: 'serve', this: false, quiet: true };
  it('names this computer and quiet devices', () => {
    expect(deviceLabel(me)).toBe('This computer — laptop');
    expect(deviceLabel(server)).toBe('home server (server) · not seen lately');
  });
  it('says when no host is chosen or the host is unknown here', () => {
    expect(hostLabel({ autopilot: true, host: '', host_name: '' }, [me])).toMatch(/Not chosen yet/);
    expect(hostLabel({ autopilot: true, host: 'b', host_name: '' }, [me, server])).toBe(deviceLabel(server));
    expect(hostLabel({ autopilot: true, host: 'z', host_name: '' }, [me])).toMatch(/not seen on this computer yet/);
  });
});
