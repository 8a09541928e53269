// Settings → About: version, log file and updates (app/update_api.go).
import { call, onEvent, type UpdateStatus } from '../lib/api';

export type { About, UpdateStatus } from '../lib/api';

export const aboutApi = {
  about: () => call('About'),
  openLogFolder: () => call('OpenLogFolder'),
  setUpdateChecks: (on: boolean) => call('SetUpdateChecks', on),
  checkForUpdates: () => call('CheckForUpdates'),
  installUpdate: () => call('InstallUpdate'),
};

/** Calls fn with each update status the app announces. */
export function onUpdate(fn: (s: UpdateStatus) => void): () => void {
  return onEvent('update', fn);
}
