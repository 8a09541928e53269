import { beforeAll, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { setFetch } from '../lib/api';
import { channels } from './channels.svelte';
import { status } from './status.svelte';
import { settings } from './settings.svelte';

// A stand-in for the browser's EventSource that the test drives by hand.
class FakeEventSource {
  static last: FakeEventSource | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  constructor() {
    FakeEventSource.last = this;
  }
  close() {}
  send(name: string, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ name, data }) });
  }
}

// A fake serve mode: answers each method from a table the test changes,
// and counts the calls.
const answers: Record<string, () => { status: number; body: unknown }> = {};
const calls: string[] = [];
const settle = () => new Promise((r) => setTimeout(r, 0));

const channel = (id: string, name: string) => ({
  id, hlc: '', deleted: false, created_at: 1, updated_at: 1, name, niche: 'n', language: 'en', audience: '', format: 'shorts',
  cadence: 1, youtube_id: '', autopilot: false,
});

beforeAll(() => {
  (globalThis as any).EventSource = FakeEventSource;
  setFetch(async (url) => {
    const method = String(url).replace('/api/call/', '');
    calls.push(method);
    const a = answers[method]?.() ?? { status: 500, body: { code: 'internal', message: `no answer for ${method}` } };
    return new Response(JSON.stringify(a.body), { status: a.status });
  });
});

describe('the channels store', () => {
  it('loads once however many pages start it', async () => {
    answers.ListChannels = () => ({ status: 200, body: [channel('a', 'Alpha')] });
    expect(channels.loaded).toBe(false);
    channels.start();
    channels.start();
    channels.start();
    await settle();
    expect(calls.filter((m) => m === 'ListChannels')).toHaveLength(1);
    expect(channels.loaded).toBe(true);
    expect(channels.list.map((c) => c.name)).toEqual(['Alpha']);
    expect(channels.byId('a')?.name).toBe('Alpha');
    expect(channels.byId('')).toBeUndefined();
  });

  it('follows the channels event', async () => {
    answers.ListChannels = () => ({ status: 200, body: [channel('a', 'Alpha'), channel('b', 'Beta')] });
    FakeEventSource.last!.send('channels', { id: 'b' });
    await settle();
    expect(channels.list.map((c) => c.name)).toEqual(['Alpha', 'Beta']);
  });

  it('keeps the list and says why when a refresh fails', async () => {
    answers.ListChannels = () => ({ status: 500, body: { code: 'internal', message: 'database is locked' } });
    await channels.refresh();
    // the technical text goes to the log; the page shows a sentence
    expect(channels.error).toBe("The app's database is busy: try again in a moment.");
    expect(channels.list).toHaveLength(2);
  });

  it('keeps only the answer to the latest request', async () => {
    let n = 0;
    const slow = [channel('old', 'Old')];
    answers.ListChannels = () => ({ status: 200, body: n++ === 0 ? slow : [channel('new', 'New')] });
    const first = channels.refresh();
    const second = channels.refresh();
    await Promise.all([first, second]);
    expect(channels.list.map((c) => c.name)).toEqual(['New']);
    expect(channels.error).toBe('');
  });

  it('refreshes after a change made through it', async () => {
    answers.CreateChannel = () => ({ status: 200, body: channel('c', 'Gamma') });
    answers.ListChannels = () => ({ status: 200, body: [channel('c', 'Gamma')] });
    const before = calls.length;
    const c = await channels.create({ name: 'Gamma', niche: 'n', language: 'en', audience: '', format: 'shorts', cadence: 1, youtube_id: '', autopilot: false });
    expect(c.id).toBe('c');
    expect(calls.slice(before)).toEqual(['CreateChannel', 'ListChannels']);
    expect(channels.list.map((c) => c.name)).toEqual(['Gamma']);
  });
});

describe('the status store', () => {
  it('loads, then merges the fields a status event carries', async () => {
    answers.Status = () => ({ status: 200, body: { version: 'v', outbox: 1, sync_state: 'offline', dead_letters: 0 } });
    status.start();
    await settle();
    expect(status.current?.outbox).toBe(1);
    const asked = calls.filter((m) => m === 'Status').length;
    FakeEventSource.last!.send('status', { outbox: 4 });
    flushSync();
    expect(status.current?.outbox).toBe(4);
    expect(status.current?.sync_state).toBe('offline');
    expect(calls.filter((m) => m === 'Status')).toHaveLength(asked); // merged, not asked again
  });

  it('asks again on a sync event and says when the server is gone', async () => {
    answers.Status = () => ({ status: 200, body: { version: 'v', outbox: 0, sync_state: 'online', dead_letters: 0 } });
    FakeEventSource.last!.send('sync', { state: 'online' });
    await settle();
    expect(status.current?.sync_state).toBe('online');
    setFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await status.refresh();
    expect(status.serverUp).toBe(false);
    expect(status.error).toMatch(/not reachable/);
  });
});

describe('the settings store', () => {
  it('follows the settings event and takes the answer to a change', async () => {
    const view = (model: string) => ({ providers: [{ name: 'groq', model }], router: { cache_mb: 10 }, template_errors: [] });
    let model = 'a';
    setFetch(async (url) => {
      const method = String(url).replace('/api/call/', '');
      calls.push(method);
      if (method === 'ListProviders') return new Response(JSON.stringify(view(model)), { status: 200 });
      if (method === 'SaveProvider') return new Response(JSON.stringify(view('saved')), { status: 200 });
      return new Response(JSON.stringify({ code: 'invalid', message: 'model: is required', fields: { model: 'is required' } }), { status: 422 });
    });
    settings.start();
    await settle();
    expect(settings.view?.providers[0].model).toBe('a');
    model = 'b';
    FakeEventSource.last!.send('settings', { area: 'providers' });
    await settle();
    expect(settings.view?.providers[0].model).toBe('b');
    const saved = await settings.save({ name: 'groq', enabled: true, model: 'saved', base_url: '', rpm: 0, daily_quota: 0 });
    expect(saved.providers[0].model).toBe('saved');
    expect(settings.view?.providers[0].model).toBe('saved');
    await expect(settings.saveRouter({ deadline_seconds: 0, health_interval_seconds: 0, channel_rpm: 0, global_rpm: 0, cache_mb: 0 })).rejects.toMatchObject({
      fields: { model: 'is required' },
    });
    expect(settings.view?.providers[0].model).toBe('saved');
  });
});
