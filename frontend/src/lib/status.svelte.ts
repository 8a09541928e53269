import { api, onConnection, onEvent, isDesktop, type Status } from './api';

// The header's view of the app: pending outbox entries, sync state and,
// in serve mode, whether the server is reachable.
export const status = $state<{ current: Status | null; error: string; serverUp: boolean }>({
  current: null,
  error: '',
  serverUp: true,
});

export async function refreshStatus() {
  try {
    status.current = await api.status();
    status.error = '';
    status.serverUp = true;
  } catch (e) {
    status.error = (e as Error).message;
    if (!isDesktop()) status.serverUp = false;
  }
}

let started = false;
export function startStatus() {
  if (started) return;
  started = true;
  refreshStatus();
  onEvent('status', (d: Partial<Status>) => {
    if (status.current && d) Object.assign(status.current, d);
    else refreshStatus();
  });
  onEvent('sync', () => refreshStatus());
  onConnection((up) => {
    status.serverUp = up;
    if (up) refreshStatus();
  });
  setInterval(refreshStatus, 10000);
}
