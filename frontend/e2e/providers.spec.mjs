import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServe, openPage, shot, callApi } from './harness.mjs';

// A loopback address where nothing listens: every request to it is refused.
async function deadURL() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return `http://127.0.0.1:${port}/v1`;
}

// until polls check (an API read) until it returns something truthy.
async function until(check, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met within ' + ms + ' ms');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let app, browser, page, errors;

before(async () => {
  app = await startServe();
  await callApi(app.url, 'CreateChannel', {
    name: 'Crumb Club', niche: 'home baking', language: 'en', audience: 'busy parents',
    format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
  });
  ({ browser, page, errors } = await openPage(app.url + '/#/settings?section=providers'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a bad base URL is refused next to its field', async () => {
  const groq = page.getByTestId('provider-groq');
  await groq.waitFor();
  await groq.locator('summary').click();
  await page.getByLabel('Base URL').first().fill('api.groq.com');
  await page.getByTestId('save-groq').click();
  assert.match(await page.getByTestId('error-base_url-groq').textContent(), /full address/);
});

test('a key is stored masked, and the provider is pointed at an unreachable server', async () => {
  const url = await deadURL();
  await page.getByLabel('Base URL').first().fill(url);
  await page.getByTestId('save-groq').click();
  await page.getByLabel('API key').first().fill('gsk_e2e_test_key_0000abcd');
  await page.getByTestId('save-key-groq').click();
  await page.getByTestId('key-hint-groq').filter({ hasText: '••••abcd' }).waitFor();
  await page.getByLabel('Use Groq').check();
  await page.getByTestId('state-groq').filter({ hasNotText: 'Off' }).waitFor();
  const view = await callApi(app.url, 'ListProviders');
  const groq = view.providers.find((p) => p.name === 'groq');
  assert.equal(groq.enabled, true);
  assert.equal(groq.base_url, url);
  assert.equal(groq.has_key, true);
  assert.ok(!JSON.stringify(view).includes('gsk_e2e_test_key_0000abcd'), 'the key came back in the view');

  // saving other fields after the switch keeps the provider on
  await page.getByLabel('Requests per minute').first().fill('12');
  await page.getByTestId('save-groq').click();
  const saved = await until(async () => {
    const g = (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq');
    return g.rpm === 12 && g;
  });
  assert.equal(saved.enabled, true);

  await page.getByTestId('test-groq').click();
  assert.match(await page.getByTestId('test-result-groq').textContent(), /Could not reach Groq/);
  await shot(page, 'providers-settings');
});

test('with every provider unreachable the templates answer, and the UI says so', async () => {
  await page.goto(app.url + '/#/studio');
  const card = page.getByTestId('quick-titles');
  await card.waitFor();
  await page.getByTestId('generate-titles').click();
  assert.match(await page.getByTestId('error-topic').textContent(), /topic/i);

  await card.getByLabel('Topic').fill('sourdough starter');
  await page.getByTestId('generate-titles').click();
  const answered = page.getByTestId('answered-by');
  await answered.waitFor({ timeout: 30000 });
  assert.match(await answered.textContent(), /Local templates answered/);
  assert.ok((await page.getByTestId('title-option').count()) >= 5);
  await shot(page, 'quick-titles-templates');
  assert.deepEqual(errors, []);
});

test('a broken template override is reported and the last good version keeps answering', async () => {
  const dir = join(app.dataDir, 'templates');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'titles.tmpl'), '{{ .Topic ');
  await page.goto(app.url + '/#/settings?section=providers');
  const banner = page.getByTestId('template-errors');
  await banner.waitFor({ timeout: 15000 });
  assert.match(await banner.textContent(), /titles\.tmpl/);
  const status = await callApi(app.url, 'Status');
  assert.equal(status.template_errors.length, 1);
  await shot(page, 'providers-template-error');

  const res = await callApi(app.url, 'GenerateTitles', (await callApi(app.url, 'ListChannels'))[0].id, 'rye bread', true);
  assert.equal(res.templates, true);
  assert.ok(res.options.length >= 5, 'the built-in titles template still answers');

  rmSync(join(dir, 'titles.tmpl'));
  await banner.waitFor({ state: 'detached', timeout: 15000 });
  assert.deepEqual(errors, []);
});

test('routing limits are checked next to their field and saved', async () => {
  await page.goto(app.url + '/#/settings?section=providers');
  const routing = page.getByTestId('routing');
  await routing.locator('summary').click();
  await page.getByLabel('Health check every (seconds)').fill('2');
  await page.getByTestId('save-routing').click();
  assert.match(await page.getByTestId('error-routing-health_interval_seconds').textContent(), /between 5 and 3600/);
  assert.equal((await callApi(app.url, 'ListProviders')).router.health_interval_seconds, 0);

  await page.getByLabel('Health check every (seconds)').fill('60');
  await page.getByLabel('Answer within (seconds)').fill('12');
  await page.getByTestId('save-routing').click();
  await routing.getByText('Saved.').waitFor();
  const router = (await callApi(app.url, 'ListProviders')).router; // the note shows after the save returned
  assert.equal(router.health_interval_seconds, 60);
  assert.equal(router.deadline_seconds, 12);
  await routing.scrollIntoViewIfNeeded();
  await shot(page, 'providers-routing');
  assert.deepEqual(errors, []);
});
