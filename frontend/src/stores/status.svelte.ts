// The app's status every page shares (the header badge, Settings, the
// dashboard): pending outbox entries, sync state and, in serve mode,
// whether the server is reachable. Refreshed on "status" and "sync" events.
import { call, isDesktop, onConnection, onEvent, type Status as StatusView } from '../lib/api';
import { errorText } from '../lib/errors';

class Status {
  current = $state<StatusView | null>(null);
  error = $state('');
  /** Serve mode: whether the event stream to the server is up. */
  serverUp = $state(true);
  #started = false;

  /** Loads the status and follows events. Calling it again does nothing. */
  start() {
    if (this.#started) return;
    this.#started = true;
    this.refresh();
    onEvent('status', (d) => {
      if (this.current && d) Object.assign(this.current, d);
      else this.refresh();
    });
    onEvent('sync', () => this.refresh());
    onConnection((up) => {
      this.serverUp = up;
      if (up) this.refresh();
    });
    setInterval(() => this.refresh(), 10000);
  }

  async refresh() {
    try {
      this.current = await call('Status');
      this.error = '';
      this.serverUp = true;
    } catch (e) {
      this.error = errorText(e);
      if (!isDesktop()) this.serverUp = false;
    }
  }
}

export const status = new Status();
