import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServe, openPage, shot, callApi } from './harness.mjs';

// An OpenAI-compatible provider server that can be told to fail the way a
// real one does: 503 with OpenAI's error body and a Retry-After header.
function fakeProvider() {
  const state = { failing: false, checks: 0, calls: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (state.failing) {
        res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
        res.end(JSON.stringify({ error: { message: 'The server is overloaded or not ready yet.', type: 'server_error', code: null } }));
        return;
      }
      if (req.method === 'GET' && req.url === '/v1/models') {
        state.checks++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'llama-e2e', object: 'model', owned_by: 'e2e' }] }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        state.calls++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({
          id: 'chatcmpl-e2e', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: 'llama-e2e',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Title one\nTitle two\nTitle three' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
        }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Unknown path ' + req.url, type: 'invalid_request_error' } }));
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, state, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

const KEY = 'gsk_e2e_secret_7c1f9a2b3d4e5f60';
let app, browser, page, errors, fake;

before(async () => {
  fake = await fakeProvider();
  app = await startServe();
  await callApi(app.url, 'SaveProvider', { name: 'groq', enabled: true, model: 'llama-e2e', base_url: fake.url, rpm: 30, daily_quota: 14400 });
  await callApi(app.url, 'SetProviderKey', 'groq', KEY);
  // health checks every 5 s instead of 30 s (settings.json edits apply live)
  const file = join(app.dataDir, 'settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8'));
  settings.router = { ...(settings.router || {}), health_interval_seconds: 5 };
  writeFileSync(file, JSON.stringify(settings, null, 2));
  ({ browser, page, errors } = await openPage(app.url + '/#/infrastructure'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
  fake?.server.close();
});

const groqRow = () => page.locator('[data-testid="provider-row"][data-provider="groq"]');
const alertToast = () => page.getByTestId('toast').filter({ hasText: 'Groq does not answer its health check' });

test('a healthy provider is green; the summary says what works and that sync is not set up', async () => {
  await page.locator('[data-testid="provider-row"][data-provider="groq"][data-health="green"]').waitFor({ timeout: 30000 });
  const summary = await page.getByTestId('summary').textContent();
  // Not "All systems green" while sync is off: the header badge says "Sync off".
  assert.match(summary, /Working on this computer: Groq ready; sync not set up/);
  assert.match(await page.getByTestId('status-badge').textContent(), /^Sync off/);
  assert.equal(await groqRow().getByTestId('provider-state').textContent(), 'Ready');
  assert.ok(fake.state.checks > 0, 'the router checked the fake server');
  await page.getByTestId('sparkline').first().waitFor();
  await shot(page, 'infrastructure-green');
});

test('a routed request fills latency, success and the cache figures', async () => {
  const ch = await callApi(app.url, 'CreateChannel', { name: 'Night Bus Stories', niche: 'urban legends', language: 'en',
    audience: 'night owls', format: 'shorts', cadence: 3, youtube_id: '', autopilot: false });
  const res = await callApi(app.url, 'GenerateTitles', ch.id, 'abandoned stations', false);
  assert.equal(res.provider, 'groq');
  assert.equal(fake.state.calls, 1);
  await groqRow().getByText(/answers in about/).waitFor(); // in plain words first
  await page.getByTestId('providers-details').click(); // the figures behind Details
  await groqRow().getByText('100.0 %').first().waitFor();
  assert.doesNotMatch(await groqRow().textContent(), /— \/ —/); // p50 / p95 now measured
  await page.getByTestId('cache-plain').filter({ hasText: '0 of 1 request was answered from saved answers' }).waitFor(); // one lookup, a miss
  for (const d of await page.locator('details > summary', { hasText: 'Details' }).all()) await d.click();
  await page.getByText('0 hits of 1').first().waitFor();
  await page.getByText('Channel Night Bus Stories').waitFor(); // its rate limiter, by name
  await shot(page, 'infrastructure-traffic');
});

test('a failing provider turns red and raises an alert toast', async () => {
  fake.state.failing = true;
  await page.locator('[data-testid="provider-row"][data-provider="groq"][data-health="red"]').waitFor({ timeout: 30000 });
  await alertToast().waitFor({ timeout: 10000 });
  assert.match(await groqRow().textContent(), /Not answering/);
  const summary = await page.getByTestId('summary').textContent();
  assert.doesNotMatch(summary, /All systems green/);
  assert.match(summary, /problem/);
  assert.equal(await page.getByTestId('summary').getAttribute('data-level'), 'red');
  await page.getByTestId('alert-active').filter({ hasText: 'Groq' }).waitFor();
  await shot(page, 'infrastructure-red');
});

test('restoring the provider clears the red state and the toast by itself', async () => {
  fake.state.failing = false;
  await alertToast().waitFor({ state: 'detached', timeout: 30000 });
  await page.getByTestId('toast').filter({ hasText: 'Groq answers its health checks again.' }).waitFor();
  await page.locator('[data-testid="provider-row"][data-provider="groq"]:not([data-health="red"])').waitFor({ timeout: 30000 });
  await page.getByTestId('alert-resolved').filter({ hasText: 'Groq' }).waitFor();
  assert.equal(await page.getByTestId('alert-active').count(), 0);
  // answering again; its recent failures may keep it amber for a few checks, never red
  await page.locator('[data-testid="summary"]:not([data-level="red"])').waitFor();
  await shot(page, 'infrastructure-recovered');
});

test('an invalid alert threshold is explained next to the field and saves nothing', async () => {
  await page.getByText('Alert rules').click();
  const input = page.getByLabel('Error rate threshold in %');
  await input.fill('250');
  await input.press('Enter');
  await input.blur();
  await page.getByRole('alert').filter({ hasText: 'between 0.1 and 100' }).waitFor();
  const rules = await callApi(app.url, 'ListAlertRules');
  assert.equal(rules.find((r) => r.id === 'error_rate').threshold, 5);
  await input.fill('10');
  await input.blur();
  await page.getByText('Saved').first().waitFor();
  const after = await callApi(app.url, 'ListAlertRules');
  assert.equal(after.find((r) => r.id === 'error_rate').threshold, 10);
  await shot(page, 'infrastructure-rules');
});

test('/metrics and /healthz answer, and the API key appears nowhere', async () => {
  const metrics = await (await fetch(app.url + '/metrics')).text();
  assert.match(metrics, /tubeagency_provider_health_checks_total\{provider="groq",result="failed"\} [1-9]/);
  assert.match(metrics, /tubeagency_uptime_seconds/);
  const health = await (await fetch(app.url + '/healthz')).json();
  assert.equal(health.store, 'ok');
  const snap = JSON.stringify(await callApi(app.url, 'Infrastructure'));
  for (const [what, text] of [['/metrics', metrics], ['the snapshot', snap], ['the page', await page.content()]]) {
    assert.ok(!text.includes(KEY), `the API key leaked into ${what}`);
  }
  assert.deepEqual(errors, []);
});
