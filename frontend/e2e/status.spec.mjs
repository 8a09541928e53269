import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServe, openPage, shot, callApi } from './harness.mjs';
import { fakeProvider, seedChannels, until, useGroq } from './fixture.mjs';

// The header badge, the dashboard's health line, Infrastructure, Settings
// → Sync and the autopilot hints tell one story in each state the app can
// be in: a first launch, changes waiting with sync never set up, autopilot
// on for three channels, signed out of a saved project, and a provider
// resting after a rate limit.

let app, browser, page, errors, fake;

before(async () => {
  fake = await fakeProvider({ mode: 'ratelimit', retryAfter: 3600 });
  app = await startServe();
  ({ browser, page, errors } = await openPage(app.url + '/#/dashboard'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
  fake?.server.close();
});

const text = async (id) => (await page.getByTestId(id).first().textContent()).trim();
const waiting = (s) => Number(/(\d+) waiting/.exec(s)?.[1] ?? /(\d+) changes?/.exec(s)?.[1] ?? NaN);

async function healthLine() {
  await page.goto(app.url + '/#/dashboard');
  await page.getByTestId('health-line').filter({ hasNotText: 'Checking health' }).waitFor();
  return { line: await text('health-line'), level: await page.getByTestId('health-line').getAttribute('data-level'), badge: await text('status-badge') };
}

test('first launch: working on this computer, nothing set up, and nowhere "All systems green"', async () => {
  const { line, level, badge } = await healthLine();
  assert.equal(badge, 'Sync off');
  assert.equal(level, 'info');
  assert.equal(line, 'Working on this computer: no AI provider set up, so the local templates write everything; sync not set up, nothing queued.');
  await shot(page, 'status-first-launch');
  await page.goto(app.url + '/#/infrastructure');
  assert.equal(await text('summary-text'), line);
  assert.equal(await text('sync-state'), badge);
  assert.doesNotMatch(await page.locator('body').innerText(), /All systems green/);
});

test('changes waiting with sync never set up: the badge and the line give one count', async () => {
  await seedChannels(app);
  await until(async () => (await callApi(app.url, 'Status')).outbox > 0);
  // The badge refreshes on events; the line reads the same store.
  await page.goto(app.url + '/#/dashboard');
  await until(async () => /waiting/.test(await text('status-badge')) && /kept on this computer/.test(await text('health-line')), 15000);
  const badge = await text('status-badge');
  const line = await text('health-line');
  assert.match(badge, /^Sync off · \d+ waiting$/);
  assert.equal(waiting(line), waiting(badge), `${badge} / ${line}`);
  assert.match(line, /sync not set up: \d+ changes are kept on this computer only/);
  assert.doesNotMatch(line, /All systems green/);
  assert.doesNotMatch(await page.getByTestId('status-badge').getAttribute('class'), /warn|bad|ok/, 'sync never set up is not a warning');
  await page.goto(app.url + '/#/settings?section=sync');
  assert.equal(await text('sync-state'), await text('status-badge'));
});

test('autopilot on for three channels: no hint to switch it on', async () => {
  const ov = await callApi(app.url, 'AutopilotOverview');
  await callApi(app.url, 'AutopilotSaveSettings', { ...ov.settings, ahead: 1, voice: false });
  for (const c of ov.channels) await callApi(app.url, 'AutopilotSetChannel', c.id, true, c.cadence);
  await until(async () => (await callApi(app.url, 'AutopilotOverview')).channels.every((c) => c.ready >= 1 && !c.running && !c.queued), 180000, 500);
  await page.goto(app.url + '/#/autopilot');
  const empty = page.getByTestId('queue-empty');
  await empty.waitFor();
  assert.match(await empty.textContent(), /autopilot is on for 3 channels/);
  await page.goto(app.url + '/#/dashboard');
  await page.getByTestId('ready-tile').first().waitFor();
  await page.getByTestId('activity-summary').filter({ hasNotText: 'Loading' }).waitFor();
  const body = await page.locator('main').innerText();
  assert.doesNotMatch(body, /Switch autopilot on/);
  assert.match(await page.getByTestId('ready-cards').textContent(), /autopilot keeps 1/);
  // A reload reads a new summary: nothing new since this visit, and it
  // still knows autopilot is on.
  await page.reload();
  await page.getByTestId('activity-summary').filter({ hasNotText: 'Loading' }).waitFor();
  assert.doesNotMatch(await page.getByTestId('activity-summary').textContent(), /Switch autopilot on/);
  await shot(page, 'status-autopilot-on');
});

test('signed out of a saved project: amber everywhere, with the same count', async () => {
  await callApi(app.url, 'SaveSyncSettings', { url: 'http://127.0.0.1:1', anon_key: 'anon.key-for.tests' });
  await page.goto(app.url + '/#/dashboard');
  await until(async () => /^Signed out/.test(await text('status-badge')), 15000);
  await until(async () => /signed out of sync/.test(await text('health-line')), 15000);
  const badge = await text('status-badge');
  const line = await text('health-line');
  assert.match(badge, /^Signed out · \d+ waiting$/);
  assert.match(await page.getByTestId('status-badge').getAttribute('class'), /warn/);
  assert.equal(await page.getByTestId('health-line').getAttribute('data-level'), 'amber');
  assert.equal(waiting(line), waiting(badge));
  await shot(page, 'status-signed-out');
  await page.goto(app.url + '/#/infrastructure');
  await page.getByTestId('summary').waitFor();
  assert.equal(await text('sync-state'), badge);
  await page.goto(app.url + '/#/settings?section=sync');
  await page.getByTestId('sync-settings').waitFor();
  assert.equal(await text('sync-state'), badge);
});

test('a provider resting after a rate limit says until when, in Infrastructure and Settings', async () => {
  await useGroq(app, fake.url);
  const ch = (await callApi(app.url, 'ListChannels'))[0];
  const res = await callApi(app.url, 'GenerateTitles', ch.id, 'sourdough starter', true);
  assert.equal(res.templates, true, 'the templates answered while Groq rate-limited');
  const groq = await until(async () => {
    const g = (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq');
    return g.snapshot.state === 'cooldown' && g;
  });
  const until_ = groq.snapshot.cooldown.until;
  const hm = await page.evaluate((u) => new Date(u).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }), until_);
  const want = `Resting until ${hm} after a rate limit`;
  await page.goto(app.url + '/#/infrastructure');
  const state = page.locator('[data-testid="provider-row"][data-provider="groq"]').getByTestId('provider-state');
  await state.filter({ hasText: want }).waitFor({ timeout: 15000 });
  assert.equal((await state.textContent()).trim(), want);
  await shot(page, 'status-cooldown-infrastructure');
  await page.goto(app.url + '/#/settings?section=providers');
  const pill = page.getByTestId('state-groq');
  await pill.filter({ hasText: want }).waitFor({ timeout: 15000 });
  assert.notEqual((await pill.textContent()).trim(), 'Off');
  await shot(page, 'status-cooldown-settings');
  assert.deepEqual(errors, []);
});

test('a rest survives a restart: the router keeps its cooldowns, and Infrastructure says the same time', async () => {
  const before = (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq');
  assert.equal(before.snapshot.state, 'cooldown', 'the test before left Groq resting');
  const hm = await page.evaluate((u) => new Date(u).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }), before.snapshot.cooldown.until);
  const dataDir = app.dataDir;
  await app.stop({ keepData: true });
  app = await startServe({ dataDir });
  try {
    const groq = (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq');
    assert.equal(groq.snapshot.state, 'cooldown');
    // kept to the millisecond
    assert.equal(new Date(groq.snapshot.cooldown.until).getTime(), new Date(before.snapshot.cooldown.until).getTime());
    const calls = fake.state.calls;
    await page.goto(app.url + '/#/infrastructure');
    const state = page.locator('[data-testid="provider-row"][data-provider="groq"]').getByTestId('provider-state');
    await state.filter({ hasText: `Resting until ${hm} after a rate limit` }).waitFor({ timeout: 15000 });
    // Resting means resting: a title request after the restart does not
    // reach Groq, the templates answer.
    const ch = (await callApi(app.url, 'ListChannels'))[0];
    assert.equal((await callApi(app.url, 'GenerateTitles', ch.id, 'rye bread', true)).templates, true);
    assert.equal(fake.state.calls, calls, 'Groq was asked while resting');
    assert.deepEqual(errors, []);
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
