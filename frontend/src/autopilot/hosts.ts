// Calls and helpers for Settings → Autopilot: which device runs autopilot
// for each channel. Typed by the generated bindings through lib/api;
// components use these, never call() directly.
import { call, type AutopilotHostChannel, type DeviceInfo } from '../lib/api';

export const hostsApi = {
  list: () => call('AutopilotHosts'),
  setHost: (channelId: string, deviceId: string) => call('SetAutopilotHost', channelId, deviceId),
  rename: (name: string) => call('RenameDevice', name),
};

/** How a device is offered in the host picker: "This computer — laptop",
 *  "home server (server)", with a note when it has gone quiet. */
export function deviceLabel(d: Pick<DeviceInfo, 'id' | 'name' | 'kind' | 'this' | 'quiet'>): string {
  const kind = d.kind === 'serve' ? ' (server)' : '';
  const base = d.this ? `This computer — ${d.name || 'unnamed'}` : `${d.name || d.id}${kind}`;
  return d.quiet ? `${base} · not seen lately` : base;
}

/** The host shown for a channel: its device's label, or why there is none. */
export function hostLabel(c: Pick<AutopilotHostChannel, 'host' | 'host_name' | 'autopilot'>, devices: Pick<DeviceInfo, 'id' | 'name' | 'kind' | 'this' | 'quiet'>[]): string {
  if (!c.host) return c.autopilot ? 'Not chosen yet (the first device running autopilot takes it)' : 'Not chosen';
  const d = devices.find((x) => x.id === c.host);
  return d ? deviceLabel(d) : `${c.host_name || 'a device'} not seen on this computer yet`;
}
