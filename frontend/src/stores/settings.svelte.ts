// The provider settings (Settings → Providers): the providers in their
// order with their live state, the routing limits, where keys are kept,
// and any error in the hand-edited settings file or the templates. Refreshed
// on "settings" events and replaced by the answer to each change.
import { call, onEvent, type ProviderInput, type ProvidersView, type RouterSettings } from '../lib/api';
import { errorText } from '../lib/errors';

class Settings {
  view = $state<ProvidersView | null>(null);
  error = $state('');
  #started = false;
  #latest = 0;

  /** Loads the settings and follows events. Calling it again does nothing. */
  start() {
    if (this.#started) return;
    this.#started = true;
    this.refresh();
    onEvent('settings', () => this.refresh());
  }

  /** Asks again; an answer older than a later change or refresh is dropped. */
  async refresh() {
    const mine = ++this.#latest;
    try {
      const v = await call('ListProviders');
      if (mine !== this.#latest) return;
      this.view = v;
      this.error = '';
    } catch (e) {
      if (mine === this.#latest) this.error = errorText(e);
    }
  }

  async #change(fn: () => Promise<ProvidersView>): Promise<ProvidersView> {
    const mine = ++this.#latest;
    const v = await fn();
    if (mine === this.#latest) {
      this.view = v;
      this.error = '';
    }
    return v;
  }

  save = (p: ProviderInput) => this.#change(() => call('SaveProvider', p));
  setEnabled = (name: string, on: boolean) => this.#change(() => call('SetProviderEnabled', name, on));
  reorder = (names: string[]) => this.#change(() => call('ReorderProviders', names));
  setKey = (name: string, key: string) => this.#change(() => call('SetProviderKey', name, key));
  clearKey = (name: string) => this.#change(() => call('ClearProviderKey', name));
  saveRouter = (r: RouterSettings) => this.#change(() => call('SaveRouterSettings', r));
}

export const settings = new Settings();
