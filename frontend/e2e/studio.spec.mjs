import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { startServe, openPage, shot, callApi } from './harness.mjs';

// Studio, Autopilot and the dashboard cards against a real serve whose AI
// provider is switched on, keyed and unreachable: every text comes from the
// local templates and the voice-over from espeak-ng.
const STEPS = ['ideas', 'titles', 'script', 'description', 'tags', 'thumbnail', 'voice'];

let app, browser, page, errors, channel;

// A loopback address where nothing listens: every request to it is refused.
async function deadURL() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return `http://127.0.0.1:${port}/v1`;
}

before(async () => {
  app = await startServe();
  const groq = (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq');
  await callApi(app.url, 'SaveProvider', { name: 'groq', enabled: true, model: groq.model, base_url: await deadURL(), rpm: 0, daily_quota: 0 });
  await callApi(app.url, 'SetProviderKey', 'groq', 'gsk_e2e_studio_key_0000wxyz');
  channel = await callApi(app.url, 'CreateChannel', {
    name: 'Pocket Physics', niche: 'everyday physics', language: 'en', audience: 'curious teens',
    format: 'shorts', cadence: 3, youtube_id: '', autopilot: false,
  });
  ({ browser, page, errors } = await openPage(app.url + '/#/studio'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a bad topic is refused next to the field', async () => {
  const topic = page.getByTestId('studio-topic');
  assert.equal(await topic.getAttribute('maxlength'), '200'); // the Go rule
  await topic.fill('x'.repeat(201));
  assert.equal((await topic.inputValue()).length, 200);
  // Past the form's own limit, the server's refusal shows at the field.
  await topic.evaluate((el) => el.removeAttribute('maxlength'));
  await topic.fill('x'.repeat(201));
  await page.getByTestId('studio-generate').click();
  assert.match(await page.getByTestId('error-topic').textContent(), /at most 200 characters/);
  assert.equal(await page.getByTestId('package-item').count(), 0);
});

test('a package is generated offline: every step completes', async () => {
  await page.getByTestId('studio-topic').fill('kitchen physics experiments');
  await page.getByTestId('studio-generate').click();
  for (const s of STEPS) {
    await page.locator(`[data-testid="step-${s}"][data-status="done"]`).waitFor({ timeout: 60000 });
  }
  assert.equal(await page.getByTestId('steps-count').textContent(), '7 of 7 steps');
  // Once the run is over the page no longer offers to cancel it.
  await page.getByTestId('studio-cancel').waitFor({ state: 'detached' });
  const ideas = await page.getByTestId('step-ideas').textContent();
  // The templates wrote it, and the step says why (Groq is unreachable).
  assert.match(ideas, /templates · \S/);
  assert.match(await page.getByTestId('step-voice').textContent(), /espeak-ng/);
  assert.ok((await page.getByTestId('title-options').locator('li').count()) >= 5);

  // The voice-over plays from the audio route.
  const src = await page.getByTestId('voice-player').getAttribute('src');
  const res = await page.request.get(app.url + src);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'audio/wav');
  assert.ok((await res.body()).length > 1000);
  await shot(page, 'studio');

  // An idea becomes the topic of the next package in one click.
  const ideaList = page.getByTestId('ideas');
  const idea = (await ideaList.locator('li > span').first().textContent()).trim();
  await ideaList.getByRole('button').first().click();
  assert.equal(await page.getByTestId('studio-topic').inputValue(), idea);
  await page.getByTestId('studio-topic').fill('');
});

test('the export downloads as Markdown and JSON', async () => {
  const [md] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-markdown').click()]);
  assert.match(md.suggestedFilename(), /\.md$/);
  const text = readFileSync(await md.path(), 'utf8');
  assert.match(text, /^# /);
  assert.match(text, /## Title options/);
  assert.match(text, /0:00/);
  assert.ok(!text.includes('gsk_e2e_studio_key'), 'the API key reached the export');

  const [js] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const data = JSON.parse(readFileSync(await js.path(), 'utf8'));
  assert.equal(data.channel, 'Pocket Physics');
  assert.ok(data.titles.length >= 5);
  assert.ok(data.voice.seconds > 0);
});

test('an edit to the script is saved and survives a reload', async () => {
  await page.getByRole('textbox', { name: /^Hook/ }).fill('Ice floats, and that saves every fish in the lake.');
  await page.getByTestId('save-package').click();
  await page.getByText('Saved. The change will sync').waitFor();
  // The recorded voice-over no longer matches: its step waits again.
  await page.locator('[data-testid="step-voice"][data-status="pending"]').waitFor();
  assert.match(await page.getByTestId('step-voice').textContent(), /script changed/);
  await page.reload();
  await page.getByTestId('package-item').first().click();
  await page.getByRole('textbox', { name: /^Hook/ }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: /^Hook/ }).inputValue(), 'Ice floats, and that saves every fish in the lake.');
  // Resume records the voice-over of the edited script.
  await page.getByTestId('studio-resume').click();
  await page.locator('[data-testid="step-voice"][data-status="done"]').waitFor({ timeout: 60000 });
  assert.equal(await page.getByTestId('steps-count').textContent(), '7 of 7 steps');
});

test('autopilot fills the channel and shows its workers', async () => {
  await page.goto(app.url + '/#/autopilot');
  await page.getByTestId('ap-switch').first().check();
  await page.getByTestId('pool-size').waitFor();
  // The channel keeps 3 upcoming packages: the Studio one plus two made by autopilot.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="ap-channel"] td')].some((td) => /^3 of 3 upcoming/.test(td.textContent.trim())), null, { timeout: 60000 });
  assert.match(await page.getByTestId('pool').textContent(), /of 1–4/);
  await shot(page, 'autopilot');
});

test('the dashboard shows packages ready and what happened', async () => {
  await page.goto(app.url + '/#/dashboard');
  const tile = page.getByTestId('ready-tile').first();
  await tile.waitFor();
  assert.match(await tile.textContent(), /3\s*Pocket Physics/);
  // Of the 3 ready, how many have their video rendered (autopilot renders
  // its own as they come) and how many are still to render: 3 in all.
  const rendered = await tile.getByTestId('ready-rendered').textContent();
  const m = rendered.match(/^(?:all (3) rendered|(\d) rendered · (\d) to render|(3) to render)$/);
  assert.ok(m, `rendered words: ${rendered}`);
  assert.equal(m[1] ? 3 : m[4] ? 3 : Number(m[2]) + Number(m[3]), 3);
  const away = page.getByTestId('activity-summary');
  await away.getByTestId('away-channel').first().waitFor();
  assert.match(await away.textContent(), /templates/);
  await shot(page, 'dashboard-studio-cards');
  assert.deepEqual(errors, []);
});

test('deleting a package asks first, then removes it', async () => {
  await page.goto(app.url + '/#/studio');
  const items = page.getByTestId('package-item');
  await items.first().waitFor();
  const before = await items.count();
  await items.first().click();
  await page.getByTestId('studio-delete').click();
  await page.getByTestId('confirm-button').click();
  await page.getByRole('heading', { name: 'Pick a package or generate one' }).waitFor();
  assert.equal(await items.count(), before - 1);
  assert.deepEqual(errors, []);
});

test('Settings → Voice-over checks the ElevenLabs key and never shows it back', async () => {
  await page.goto(app.url + '/#/settings?section=voice');
  const card = page.getByTestId('voice-settings');
  await card.waitFor();
  assert.match(await page.getByTestId('voice-engine-espeak-ng').textContent(), /ready/);
  await page.getByLabel('ElevenLabs API key').fill('abc');
  await page.getByLabel('ElevenLabs API key').press('Enter'); // alert toasts may cover the button
  assert.match(await page.getByTestId('error-voice-key').textContent(), /at least 8 characters/);
  await page.getByLabel('ElevenLabs API key').fill('el_e2e_voice_key_0000qrst');
  await page.getByLabel('ElevenLabs API key').press('Enter'); // alert toasts may cover the button
  await page.getByTestId('voice-engine-elevenlabs').filter({ hasText: '••••qrst' }).waitFor();
  assert.match(await page.getByTestId('voice-engine-elevenlabs').textContent(), /ready/);
  assert.ok(!(await card.textContent()).includes('el_e2e_voice_key'), 'the key is shown back');
  await shot(page, 'settings-voice');
  await card.getByRole('button', { name: 'Remove' }).press('Enter');
  await page.getByTestId('voice-engine-elevenlabs').filter({ hasText: 'not set up' }).waitFor();
  assert.deepEqual(errors, []);
});
