import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startServe, openPage, shot, callApi, resultsDir } from './harness.mjs';
import { generatePackage } from './fixture.mjs';

// Studio's video panel against a real serve: a short Shorts package is
// rendered with the machine's ffmpeg and espeak-ng, its progress shown,
// then played, its thumbnail shown and its files downloaded.
let app, browser, page, errors, pkg;

before(async () => {
  app = await startServe();
  const channel = await callApi(app.url, 'CreateChannel', {
    name: 'Pocket Physics', niche: 'everyday physics', language: 'en', audience: 'curious teens',
    format: 'shorts', cadence: 3, youtube_id: '', autopilot: false,
  });
  // A package the Studio made offline, cut down to a clip of a few
  // seconds so the render is quick. A clip this short is an outline by the
  // checklist; the creator signs it off rule by rule (recorded overrides),
  // so it counts as ready, as the dashboard shows.
  const made = await generatePackage(app, channel.id, 'why ice floats', false);
  const clip = {
    id: made.id, channel_id: channel.id, topic: made.topic, title: 'Why ice floats',
    content: {
      ...made.content,
      hook: 'Ice floats.',
      thumbnail: 'ICE FLOATS',
      script: [{ heading: 'The reason', text: '[Show a glass of water]\nWater expands when it freezes.\nSo ice is lighter.', start: 0, seconds: 0 }],
    },
  };
  pkg = await callApi(app.url, 'SavePackage', clip);
  const failing = pkg.content.checklist.items.filter((i) => i.state === 'fail').map((i) => i.rule);
  clip.content.overrides = failing.map((rule) => ({ rule, reason: 'a test clip' }));
  pkg = await callApi(app.url, 'SavePackage', clip);
  assert.equal(pkg.status, 'ready', JSON.stringify(pkg.content.checklist));
  ({ browser, page, errors } = await openPage(`${app.url}/#/studio?channel=${channel.id}&package=${pkg.id}`, { width: 1280, height: 1000 }));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a Short renders from Studio, plays, and downloads', { timeout: 8 * 60_000 }, async () => {
  const ov = await callApi(app.url, 'AutopilotOverview');
  const before = ov.channels.find((c) => c.name === 'Pocket Physics');
  assert.deepEqual([before.ready, before.rendered, before.to_render], [1, 0, 1], JSON.stringify(before));
  const panel = page.getByTestId('render-panel');
  await panel.getByTestId('render-empty').waitFor();
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(resultsDir, 'render-before.png') });

  await page.getByTestId('render-start').click();
  // Progress: a stage in words and a percent, then the finished video.
  const stage = panel.getByTestId('render-stage');
  try {
    await stage.waitFor({ timeout: 120_000 });
  } catch (e) {
    await panel.screenshot({ path: join(resultsDir, 'render-stuck.png') });
    throw new Error(`no progress shown; the panel says: ${await panel.textContent()}\n${app.log()}`, { cause: e });
  }
  assert.match(await panel.getByTestId('render-stage').textContent(), /Speaking|Timing|Drawing|thumbnail|Starting/);
  assert.match(await panel.getByTestId('render-percent').textContent(), /^\d+ %$/);
  await panel.screenshot({ path: join(resultsDir, 'render-progress.png') });
  const player = panel.getByTestId('render-player');
  await player.waitFor({ timeout: 6 * 60_000 });
  assert.equal(await panel.getAttribute('data-state'), 'done');

  // The browser decodes it: a vertical 1080×1920 video of a few seconds that plays.
  await page.waitForFunction(() => document.querySelector('[data-testid="render-player"]').readyState >= 2, null, { timeout: 30_000 });
  const info = await player.evaluate(async (v) => {
    v.muted = true;
    await v.play();
    await new Promise((ok) => {
      const t = setInterval(() => v.currentTime > 0.3 && (clearInterval(t), ok()), 50);
    });
    v.pause();
    return { w: v.videoWidth, h: v.videoHeight, d: v.duration, t: v.currentTime, src: v.currentSrc };
  });
  assert.equal(info.w, 1080);
  assert.equal(info.h, 1920);
  assert.ok(info.d > 2 && info.d < 15, `duration ${info.d}`);
  assert.ok(info.t > 0.3, `played to ${info.t}`);
  assert.match(info.src, new RegExp(`/api/render/${pkg.id}/video`));

  const thumb = panel.getByTestId('render-thumbnail');
  await page.waitForFunction(() => document.querySelector('[data-testid="render-thumbnail"]').naturalWidth > 0);
  assert.deepEqual(await thumb.evaluate((i) => [i.naturalWidth, i.naturalHeight]), [1280, 720]);
  assert.match(await panel.getByTestId('render-size-video').textContent(), /\d+ (KB|MB)/);

  // The video and the captions download under the package's title.
  const [video] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('render-download-video').click()]);
  assert.equal(video.suggestedFilename(), 'Why ice floats.mp4');
  const files = await callApi(app.url, 'RenderedFiles', pkg.id);
  assert.equal(statSync(await video.path()).size, files.video.bytes);
  const [srt] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('render-download-captions').click()]);
  assert.equal(srt.suggestedFilename(), 'Why ice floats.srt');

  // A range request, as a player seeking sends it.
  const res = await page.request.get(app.url + files.video.url, { headers: { Range: 'bytes=0-1023' } });
  assert.equal(res.status(), 206);
  assert.equal(res.headers()['content-type'], 'video/mp4');
  assert.equal((await res.body()).length, 1024);

  await player.evaluate((v) => (v.currentTime = 1));
  await page.waitForTimeout(300);
  await panel.screenshot({ path: join(resultsDir, 'render-after.png') });
  await shot(page, 'studio-render');
  assert.deepEqual(errors, []);
});

test('the dashboard and Autopilot count the rendered video', async () => {
  // Before the render this channel's ready package was "1 to render".
  await page.goto(`${app.url}/#/dashboard`);
  const tile = page.getByTestId('ready-tile').filter({ hasText: 'Pocket Physics' });
  await tile.getByTestId('ready-rendered').waitFor();
  assert.equal((await tile.getByTestId('ready-rendered').textContent()).trim(), 'video rendered');
  await tile.screenshot({ path: join(resultsDir, 'render-dashboard-tile.png') });
  await page.goto(`${app.url}/#/autopilot`);
  const row = page.getByTestId('ap-channel').filter({ hasText: 'Pocket Physics' });
  await row.waitFor();
  assert.match(await row.textContent(), /1 of 1 upcoming\s*video rendered/);
  assert.deepEqual(errors, []);
});

test('Settings → Videos shows the space renders take and keeps the last N', async () => {
  await page.goto(`${app.url}/#/settings?section=videos`);
  const section = page.getByTestId('video-settings');
  await section.waitFor();
  await page.waitForFunction(() => /for 1 package/.test(document.querySelector('[data-testid="video-usage"]')?.textContent ?? ''));
  assert.match(await section.getByTestId('video-ffmpeg').textContent(), /Version \d/);
  // In a browser the ffmpeg program is shown, not chosen: settings.json or the desktop app sets it.
  assert.match(await section.getByTestId('video-ffmpeg-path').textContent(), /\/ffmpeg \(found on PATH\)/);
  assert.equal(await section.getByTestId('video-ffmpeg-pick').count(), 0);
  assert.match(await section.getByTestId('video-ffmpeg-howto').textContent(), /settings\.json/);
  await assert.rejects(callApi(app.url, 'PickFFmpeg'), (e) => e.status >= 400 && /desktop window/.test(e.message));
  assert.equal(await section.getByTestId('video-channel').count(), 1);
  await section.getByTestId('video-keep-last').fill('3');
  await section.getByTestId('video-save').click();
  await section.getByText('Saved.').waitFor();
  assert.equal((await callApi(app.url, 'RenderStorage')).settings.keep_last, 3);
  await section.screenshot({ path: join(resultsDir, 'render-settings.png') });
  assert.deepEqual(errors, []);
});
