import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServe, openPage, shot, callApi, root } from './harness.mjs';

// Publishing to YouTube against the fake Google (app/internal/fakegoogle,
// run by its test command): a real serve is pointed at it with
// TUBEAGENCY_GOOGLE_ENDPOINT, and TUBEAGENCY_TEST_RENDERS stands in for the
// render with a real MP4 made by ffmpeg. The page saves the OAuth client,
// signs in through Google's (fake) consent page and the app's loopback
// redirect, links the channel, publishes, watches the progress and sees the
// link; then a spent quota is explained in plain words.

let fake, app, browser, page, errors, channel, work;
const packages = [];

/** Starts the fake Google; FAKEGOOGLE_BIN names a built one, else it is built. */
async function startFake() {
  let bin = process.env.FAKEGOOGLE_BIN;
  if (!bin) {
    bin = join(work, 'fakegoogle');
    execFileSync('go', ['build', '-o', bin, './app/internal/fakegoogle/cmd/fakegoogle'], { cwd: root, stdio: 'inherit' });
  }
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  const next = () => new Promise((ok) => waiting.push(ok));
  const hello = await next();
  return {
    ...hello,
    async send(cmd) {
      const answer = next();
      child.stdin.write(JSON.stringify(cmd) + '\n');
      return answer;
    },
    stop() {
      child.stdin.end();
      child.kill('SIGTERM');
    },
  };
}

/** A rendered package: its files where TUBEAGENCY_TEST_RENDERS finds them. */
async function renderedPackage(title, video) {
  const pkg = await callApi(app.url, 'SavePackage', {
    id: '', channel_id: channel.id, status: 'ready', topic: title, title,
    content: { description: `All about ${title}.`, tags: ['physics', 'shorts'] },
  });
  const dir = join(work, 'renders', pkg.id);
  mkdirSync(dir, { recursive: true });
  copyFileSync(video, join(dir, 'video.mp4'));
  packages.push(pkg);
  return pkg;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'tubeagency-e2e-publish-'));
  fake = await startFake();
  // About 20 MB of noise: a real MP4 that does not compress, so the upload
  // takes several 8 MiB requests and the bar has somewhere to be.
  const video = join(work, 'video.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'nullsrc=s=640x360:r=25,geq=random(1)*255:128:128', '-t', '3',
    '-c:v', 'mpeg4', '-q:v', '2', '-pix_fmt', 'yuv420p', '-y', video]);
  app = await startServe({ env: { TUBEAGENCY_GOOGLE_ENDPOINT: fake.url, TUBEAGENCY_TEST_RENDERS: join(work, 'renders') } });
  channel = await callApi(app.url, 'CreateChannel', {
    name: 'Pocket Physics', niche: 'everyday physics', language: 'en', audience: 'curious teens',
    format: 'shorts', cadence: 3, youtube_id: '', autopilot: false,
  });
  await renderedPackage('Why ice floats', video);
  await renderedPackage('Why the sky is blue', video);
  ({ browser, page, errors } = await openPage(app.url + '/#/settings?section=youtube'));
});

after(async () => {
  await browser?.close();
  await app?.stop();
  fake?.stop();
  if (work && existsSync(work)) rmSync(work, { recursive: true, force: true });
});

test('Settings → YouTube: save the OAuth client, sign in with Google, link the channel', async () => {
  const form = page.getByTestId('youtube-publishing');
  await form.waitFor();
  assert.match(await form.textContent(), /Desktop app/);
  assert.match(await form.textContent(), /youtube\.upload/);
  assert.match(await form.textContent(), /7 days/);
  // A client id that is not Google's is refused next to its field.
  await page.getByTestId('oauth-client-id').fill('not-a-client-id');
  await page.getByTestId('oauth-client-secret').fill(fake.client_secret);
  await page.getByTestId('oauth-client-save').click();
  await form.getByText(/ending in \.apps\.googleusercontent\.com/).waitFor();
  await page.getByTestId('oauth-client-id').fill(fake.client_id);
  await page.getByTestId('oauth-client-save').click();
  await page.getByTestId('oauth-client-saved').waitFor();
  // The secret is never sent back to the page.
  const setup = await callApi(app.url, 'YouTubeSetup');
  assert.ok(!JSON.stringify(setup).includes(fake.client_secret));

  await page.getByTestId('youtube-signin').click();
  const link = page.getByTestId('youtube-signin-link');
  await link.waitFor();
  // Google's page (the fake consents at once) sends the browser back to the
  // app's loopback address, which finishes the sign-in.
  const [consent] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await consent.waitForLoadState();
  assert.match(await consent.textContent('body'), /Signed in/);
  await consent.close();
  await page.getByTestId('youtube-account').waitFor();
  assert.match(await page.getByTestId('youtube-account').textContent(), /Fake Channel/);

  const row = page.getByTestId('publish-link').first();
  await row.getByTestId('publish-link-select').selectOption({ label: 'Fake Channel' });
  await row.getByTestId('publish-link-save').click();
  await row.getByTestId('publish-linked').waitFor();
  assert.match(await row.getByTestId('publish-linked').textContent(), /Fake Channel/);
  await shot(page, 'settings-youtube-publishing');
});

test('Studio: publish a rendered package, watch the upload, see the link', async () => {
  const pkg = packages[0];
  await page.goto(`${app.url}/#/studio?channel=${channel.id}&package=${pkg.id}`);
  const panel = page.getByTestId('publish-panel');
  await panel.waitFor();
  await panel.getByTestId('publish-submit').waitFor();
  await panel.scrollIntoViewIfNeeded();
  assert.ok(await panel.getByTestId('publish-synthetic').isChecked(), 'the synthetic-media disclosure starts on');
  await panel.getByTestId('publish-privacy').selectOption('public');
  // Pick the first free slot of the calendar.
  const slot = (await panel.getByTestId('publish-when').locator('option').nth(1).getAttribute('value'));
  await panel.getByTestId('publish-when').selectOption(slot);
  await shot(page, 'studio-publish-form');

  await fake.send({ slow: 1500 }); // each upload request pauses halfway: the bar shows it
  await panel.getByTestId('publish-submit').click();
  await panel.locator('[data-testid="publish-job"][data-state="uploading"]').waitFor({ timeout: 30000 });
  await panel.getByTestId('publish-progress').waitFor();
  // Partway: bytes have gone, the video is not finished.
  await page.waitForFunction(() => /^[1-9]\d? %/.test(document.querySelector('[data-testid="publish-progress"]')?.textContent ?? ''), null, { timeout: 30000 });
  await shot(page, 'studio-publish-uploading');
  await fake.send({ slow: 0 });
  const videoLink = panel.getByTestId('publish-video-link');
  await videoLink.waitFor({ timeout: 60000 });
  assert.match(await videoLink.getAttribute('href'), /^https:\/\/www\.youtube\.com\/watch\?v=[\w-]{11}$/);
  assert.match(await panel.getByTestId('publish-published').textContent(), /Scheduled on YouTube/);
  await shot(page, 'studio-publish-done');

  const { videos } = await fake.send({ videos: true });
  assert.equal(videos.length, 1);
  assert.equal(videos[0].metadata.status.containsSyntheticMedia, true);
  assert.equal(videos[0].metadata.status.privacyStatus, 'private');
  assert.equal(Date.parse(videos[0].metadata.status.publishAt), Date.parse(slot));
  assert.ok(videos[0].bytes > 8 << 20, 'more than one chunk');
});

test('a spent quota is said in plain words with the time the upload resumes', async () => {
  const pkg = packages[1];
  await fake.send({ inject: { op: 'videos.insert', kind: 'quota' } });
  await page.goto(`${app.url}/#/studio?channel=${channel.id}&package=${pkg.id}`);
  const panel = page.getByTestId('publish-panel');
  await panel.getByTestId('publish-submit').waitFor();
  await panel.scrollIntoViewIfNeeded();
  await panel.getByTestId('publish-submit').click();
  const explain = panel.getByTestId('publish-explain');
  await page.locator('[data-testid="publish-job"][data-state="deferred"]').waitFor({ timeout: 30000 });
  // YouTube's day ends at midnight Pacific time: today or tomorrow here.
  assert.match(await explain.textContent(), /YouTube's daily upload limit is used; this upload waits until (tomorrow at )?\d{1,2}:\d{2}/);
  await shot(page, 'studio-publish-quota');
  // Cancelled, it frees its slot; nothing reached YouTube.
  await panel.getByTestId('publish-cancel').click();
  await page.locator('[data-testid="publish-job"][data-state="cancelled"]').waitFor();
  const { videos } = await fake.send({ videos: true });
  assert.equal(videos.length, 1);
});

test('Infrastructure shows the YouTube quota in plain words, next to the providers', async () => {
  await page.goto(`${app.url}/#/infrastructure`);
  const card = page.getByTestId('youtube-quota');
  await card.waitFor();
  // YouTube said quotaExceeded: the day's 100 uploads count as used.
  const uploads = card.locator('[data-testid="youtube-bucket"][data-bucket="videos.insert"]');
  await page.waitForFunction(() => /100 of 100/.test(document.querySelector('[data-bucket="videos.insert"]')?.textContent ?? ''), null, { timeout: 15000 });
  assert.match(await uploads.getByTestId('youtube-bucket-text').textContent(), /^YouTube uploads today: 100 of 100 · resets (tomorrow )?at \d{1,2}:\d{2}/);
  assert.match(await uploads.textContent(), /No upload can start until the quota resets.*nothing is lost/);
  // Listing the account's channels to link one cost units of the other bucket.
  const units = await card.locator('[data-bucket="units"]').getByTestId('youtube-bucket-text').textContent();
  const used = Number(units.match(/: ([\d,.\s]+) of/)[1].replace(/\D/g, ''));
  assert.ok(used >= 1, `units used: ${units}`);
  // It sits right under the AI providers.
  const order = await page.locator('section.card h2').allTextContents();
  assert.equal(order[order.indexOf('AI providers') + 1], 'YouTube quota');
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'infrastructure-youtube-quota');
});

test('the calendar shows the scheduled upload and the free slots', async () => {
  await page.goto(`${app.url}/#/autopilot`);
  const cal = page.getByTestId('publish-calendar');
  await cal.waitFor();
  await cal.getByTestId('calendar-job').first().waitFor();
  assert.equal(await cal.locator('[data-testid="calendar-job"][data-state="done"]').count(), 1);
  assert.ok((await cal.getByTestId('calendar-free').count()) >= 3);
  // No analytics and no publishing time set for this channel: the slots are at 17:00, and the page says how to change that.
  assert.equal(await cal.getByTestId('calendar-hour').getAttribute('data-source'), 'default');
  assert.match(await cal.getByTestId('calendar-hour').textContent(), /^\s*Free slots at 17:00\. Set a publishing time under Settings → YouTube, or import your analytics to use your best hour\.\s*$/);
  await cal.scrollIntoViewIfNeeded();
  await shot(page, 'autopilot-publish-calendar');
  assert.deepEqual(errors, []);
});

test('Settings → YouTube: unlink a channel; its waiting upload keeps its slot and goes when linked again', async () => {
  const pkg = packages[1];
  // Today's uploads are spent (the quota test above): this upload waits.
  const job = await callApi(app.url, 'PublishPackage', pkg.id, {
    title: 'Why the sky is blue', description: 'Light scatters.', tags: ['physics'], category_id: '', language: 'en',
    privacy: 'private', publish_at: '', made_for_kids: false, synthetic_media: true, upload_captions: false,
  });
  await page.goto(`${app.url}/#/settings?section=youtube`);
  const row = page.getByTestId('publish-link').first();
  await row.getByTestId('publish-linked').waitFor();
  // An unknown channel is refused, naming the field.
  await assert.rejects(callApi(app.url, 'UnlinkYouTubeChannel', 'no-such-channel'),
    (e) => e.status >= 400 && e.status < 500 && /channel_id/.test(JSON.stringify(e.body)) && /not a known channel/.test(e.message));

  await row.getByTestId('publish-unlink').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Uploads not sent yet keep their place in the calendar/);
  await shot(page, 'settings-youtube-unlink-confirm');
  await page.getByTestId('confirm-button').click();
  const note = row.getByTestId('publish-unlinked');
  await note.waitFor();
  assert.match(await note.textContent(), /1 upload waits for a linked channel/);
  assert.equal(await row.getByTestId('publish-linked').count(), 0);
  await row.scrollIntoViewIfNeeded();
  await shot(page, 'settings-youtube-unlinked');

  // The calendar keeps the upload, saying what it needs.
  await page.goto(`${app.url}/#/autopilot`);
  const cal = page.getByTestId('publish-calendar');
  const waiting = cal.locator(`[data-testid="calendar-job"][data-state="unlinked"]`);
  await waiting.waitFor();
  assert.match(await waiting.textContent(), /Needs a linked channel/);
  assert.match(await waiting.getByTestId('calendar-unlinked').textContent(), /Settings → YouTube/);
  await waiting.scrollIntoViewIfNeeded();
  await shot(page, 'autopilot-calendar-unlinked');

  // Linked again, it leaves the unlinked state by itself (to wait for the quota).
  await page.goto(`${app.url}/#/settings?section=youtube`);
  await row.getByTestId('publish-link-select').selectOption({ label: 'Fake Channel' });
  await row.getByTestId('publish-link-save').click();
  await row.getByTestId('publish-linked').waitFor();
  const jobs = await callApi(app.url, 'PublishJobs', channel.id);
  const again = jobs.find((j) => j.id === job.id);
  assert.ok(again && ['queued', 'deferred', 'uploading'].includes(again.state), `state after linking again: ${again?.state}`);
  assert.deepEqual(errors, []);
});
