// Typed calls and helpers for Settings → Autopilot: which device runs
// autopilot for each channel. Components use these, never call() directly.
import { call } from '../lib/api';

export interface DeviceInfo {
  id: string;
  name: string;
  kind: 'desktop' | 'serve' | '';
  last_seen: number; // unix ms of its latest heartbeat
  version: string;
  this: boolean; // this computer
  quiet: boolean; // no heartbeat for longer than the takeover time
}

export interface HostChannel {
  id: string;
  name: string;
  autopilot: boolean;
  host: string; // device id; '' when none is chosen yet
  host_name: string;
}

export interface HostsView {
  this_device: string;
  devices: DeviceInfo[];
  channels: HostChannel[];
  takeover_hours: number;
  shared: boolean;
  note: string;
}

export const hostsApi = {
  list: () => call<HostsView>('AutopilotHosts'),
  setHost: (channelId: string, deviceId: string) => call<HostsView>('SetAutopilotHost', channelId, deviceId),
  rename: (name: string) => call<HostsView>('RenameDevice', name),
};

/** How a device is offered in the host picker: "This computer (laptop)",
 *  "home server (serve)", with a note when it has gone quiet. */
export function deviceLabel(d: DeviceInfo): string {
  const kind = d.kind === 'serve' ? ' (server)' : '';
  const base = d.this ? `This computer — ${d.name || 'unnamed'}` : `${d.name || d.id}${kind}`;
  return d.quiet ? `${base} · not seen lately` : base;
}

/** The host shown for a channel: its device's label, or why there is none. */
export function hostLabel(c: HostChannel, devices: DeviceInfo[]): string {
  if (!c.host) return c.autopilot ? 'Not chosen yet (the first device running autopilot takes it)' : 'Not chosen';
  const d = devices.find((x) => x.id === c.host);
  return d ? deviceLabel(d) : `${c.host_name || 'a device'} not seen on this computer yet`;
}
