import { describe, it, expect, beforeAll } from 'vitest';
import { setFetch } from '../lib/api';
import { toasts } from '../lib/toasts.svelte';
import { startAlerts } from './alerts.svelte';
import { skipFirstPaint } from '../lib/painted';
import type { Alert } from '../lib/api';

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

const already: Alert = {
  key: 'disk_low:disk', rule: 'disk_low', subject: 'disk', severity: 'warn', message: 'Only 300 MB free.',
  value: 300, threshold: 1024, raised_at: '2026-03-14T12:00:00Z', resolved_at: '', active: true, resolved_message: 'Enough space again.',
};
const down: Alert = {
  key: 'provider_down:groq', rule: 'provider_down', subject: 'groq', severity: 'bad',
  message: 'Groq does not answer its health check (1 in a row).', value: 1, threshold: 1,
  raised_at: '2026-03-14T12:01:00Z', resolved_at: '', active: true, resolved_message: 'Groq answers its health checks again.',
};

describe('alert toasts', () => {
  let asked = 0;
  let askedBeforePaint = -1;
  beforeAll(async () => {
    (globalThis as any).EventSource = FakeEventSource;
    setFetch(async (url) => {
      expect(String(url)).toBe('/api/call/ListAlerts');
      asked++;
      return new Response(JSON.stringify({ active: [already], resolved: [] }), { status: 200 });
    });
    startAlerts();
    await new Promise((r) => setTimeout(r, 0));
    askedBeforePaint = asked;
    skipFirstPaint(); // the window has no dashboard frame to wait for
    await new Promise((r) => setTimeout(r, 0));
  });

  it('asks for the alerts raised earlier only after the first frame', () => {
    expect(askedBeforePaint).toBe(0);
    expect(asked).toBe(1);
  });

  it('shows the alerts already active when the window opens', () => {
    expect(toasts.map((t) => [t.message, t.kind])).toContainEqual(['Only 300 MB free.', 'warn']);
  });

  it('keeps a raised alert as a toast until it resolves, then says what recovered', () => {
    const es = FakeEventSource.last!;
    es.send('alert', { type: 'raised', alert: down });
    es.send('alert', { type: 'raised', alert: down }); // the same key replaces, never duplicates
    expect(toasts.filter((t) => t.message === down.message && t.kind === 'bad')).toHaveLength(1);

    es.send('alert', { type: 'resolved', alert: { ...down, active: false } });
    expect(toasts.some((t) => t.message === down.message)).toBe(false);
    expect(toasts.map((t) => [t.message, t.kind])).toContainEqual(['Groq answers its health checks again.', 'ok']);
    expect(toasts.some((t) => t.message === already.message)).toBe(true);
  });
});
