// The channel list every page shares: loaded once, refreshed on each
// "channels" event and after each change made through it.
import { call, onEvent, type Channel, type ChannelInput } from '../lib/api';
import { errorText } from '../lib/errors';

class Channels {
  /** The channels, in the order the Go side lists them. */
  list = $state<Channel[]>([]);
  /** False until the first answer (or error) arrives. */
  loaded = $state(false);
  /** Why the last refresh failed; '' after one succeeds. The list keeps what it had. */
  error = $state('');
  #started = false;
  #latest = 0;

  /** Loads the list and follows events. Calling it again does nothing. */
  start() {
    if (this.#started) return;
    this.#started = true;
    this.refresh();
    onEvent('channels', () => this.refresh());
  }

  /** Asks again; only the answer to the latest request is kept. */
  async refresh() {
    const mine = ++this.#latest;
    try {
      const list = await call('ListChannels');
      if (mine !== this.#latest) return;
      this.list = list;
      this.error = '';
    } catch (e) {
      if (mine === this.#latest) this.error = errorText(e);
    } finally {
      if (mine === this.#latest) this.loaded = true;
    }
  }

  byId(id: string | null | undefined): Channel | undefined {
    return id ? this.list.find((c) => c.id === id) : undefined;
  }

  async create(input: ChannelInput): Promise<Channel> {
    const c = await call('CreateChannel', input);
    await this.refresh();
    return c;
  }

  async update(id: string, input: ChannelInput): Promise<Channel> {
    const c = await call('UpdateChannel', id, input);
    await this.refresh();
    return c;
  }

  async remove(id: string): Promise<void> {
    await call('DeleteChannel', id);
    await this.refresh();
  }
}

export const channels = new Channels();
