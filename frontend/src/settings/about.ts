// Settings → About: version, log file and updates (app/update_api.go).
import { call, onEvent } from '../lib/api';

export interface UpdateStatus {
  enabled: boolean;
  current: string;
  latest: string;
  available: boolean;
  notes: string;
  /** binary: the app replaces itself; deb: it downloads the .deb for apt. */
  kind: 'binary' | 'deb';
  platform: string;
  feed_url: string;
  last_check: number; // unix ms, 0 = never
  installing: boolean;
  installed: boolean;
  deb_path: string;
  deb_command: string;
  message: string;
}

export interface About {
  version: string;
  mode: string;
  os: string;
  arch: string;
  log_file: string;
  log_dir: string;
  can_open_folder: boolean;
  /** null when this run has no release feed (--update-feed off). */
  updates: UpdateStatus | null;
}

export const aboutApi = {
  about: () => call<About>('About'),
  openLogFolder: () => call<void>('OpenLogFolder'),
  setUpdateChecks: (on: boolean) => call<UpdateStatus>('SetUpdateChecks', on),
  checkForUpdates: () => call<UpdateStatus>('CheckForUpdates'),
  installUpdate: () => call<UpdateStatus>('InstallUpdate'),
};

/** Calls fn with each update status the app announces. */
export function onUpdate(fn: (s: UpdateStatus) => void): () => void {
  return onEvent('update', (d) => fn(d as UpdateStatus));
}
