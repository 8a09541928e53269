import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServe, openPage, shot, callApi } from './harness.mjs';

let app, browser, page, errors;

// A YouTube Studio "Table data.csv" of n videos, one every three days up to
// today. With signal, titles with a number get about ten times the views
// per day; without, views are independent of the title. Deterministic.
function studioCSV(n, signal, seed) {
  let s = seed >>> 0; // mulberry32: successive draws are independent enough for a null signal
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = ['pasta', 'soup', 'bread', 'salad', 'curry', 'stew', 'pie', 'rice', 'tacos', 'noodles'];
  const lines = ['\ufeffContent,Video title,Video publish time,Duration,Views,Watch time (hours)', 'Total,,,,0,0'];
  const fmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
  for (let i = 0; i < n; i++) {
    let title = `${words[Math.floor(rnd() * 10)]} ${words[Math.floor(rnd() * 10)]} for busy evenings`;
    const age = 3 * i + 2;
    const num = rnd() < 0.5;
    if (num) title = `${3 + Math.floor(rnd() * 9)} ${title}`;
    const high = signal ? num : rnd() < 0.5;
    const vpd = high ? 200 + Math.floor(rnd() * 50) : 20 + Math.floor(rnd() * 10);
    const pub = fmt.format(new Date(Date.now() - age * 86400000));
    lines.push(`vid${String(i).padStart(4, '0')},"${title}","${pub}",${i % 4 === 0 ? 50 : 600},${vpd * age},1.5`);
  }
  return lines.join('\n') + '\n';
}

before(async () => {
  app = await startServe();
  await callApi(app.url, 'CreateChannel', {
    name: 'Weeknight Kitchen', niche: 'quick cooking recipes', language: 'en', audience: 'busy parents',
    format: 'long-form', cadence: 3, youtube_id: '', autopilot: false,
  });
  await callApi(app.url, 'CreateChannel', {
    name: 'Noise Lab', niche: 'random clips', language: 'en', audience: '', format: 'long-form', cadence: 1,
    youtube_id: '', autopilot: false,
  });
  ({ browser, page, errors } = await openPage(app.url + '/#/insights'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('an empty channel explains how to get data in', async () => {
  await page.getByRole('heading', { name: 'No videos for Noise Lab yet' }).or(page.getByRole('heading', { name: 'No videos for Weeknight Kitchen yet' })).waitFor();
  await page.getByTestId('insights-channel').selectOption({ label: 'Weeknight Kitchen' });
  await page.getByRole('heading', { name: 'No videos for Weeknight Kitchen yet' }).waitFor();
  // Before any data the scorer is not shown as calibrated.
  await shot(page, 'insights-empty');
});

test('a bad CSV names the line and column and imports nothing', async () => {
  await page.getByTestId('csv-file').setInputFiles({
    name: 'Table data.csv', mimeType: 'text/csv',
    buffer: Buffer.from('Content,Video title,Video publish time,Views\nabc,Fine,2025-01-01,10\ndef,Broken,2025-01-02,12x\n'),
  });
  await page.getByTestId('csv-import').click();
  const err = page.getByTestId('csv-error');
  await err.waitFor();
  assert.match(await err.textContent(), /Line 3, column "Views"/);
  await page.getByRole('heading', { name: 'No videos for Weeknight Kitchen yet' }).waitFor();
});

test('importing a Studio export shows the audit and charts', async () => {
  await page.getByTestId('csv-file').setInputFiles({
    name: 'Table data.csv', mimeType: 'text/csv', buffer: Buffer.from(studioCSV(60, true, 7)),
  });
  await page.getByTestId('csv-import').click();
  await page.getByTestId('audit-cards').waitFor();
  const cards = await page.getByTestId('audit-cards').textContent();
  assert.match(cards, /Last 30 days/);
  assert.match(cards, /Uploads\s*10/);
  assert.match(cards, /Shorts vs long-form/);
  await page.locator('[data-testid="views-chart"] canvas').waitFor();
  await page.locator('[data-testid="projection-chart"] canvas').waitFor();
  await page.getByTestId('heatmap').waitFor();
  assert.ok((await page.getByTestId('recommendations').locator('li').count()) > 0);
  assert.ok((await page.getByTestId('outliers').locator('tbody tr').count()) > 0);
  await shot(page, 'insights-audit');
});

test('typing a title changes its score, shown with its accuracy', async () => {
  const box = page.getByTestId('predictor-title');
  await box.scrollIntoViewIfNeeded();
  await box.fill('pasta soup for busy evenings');
  const score = page.getByTestId('predictor-score');
  // The score element names the title it was computed for.
  const scoreOf = async (title) => {
    await page.locator(`[data-testid="predictor-score"][data-for="${title}"]`).waitFor();
    return Number(await score.textContent());
  };
  const before = await scoreOf('pasta soup for busy evenings');
  await box.fill('7 pasta soup for busy evenings');
  const after = await scoreOf('7 pasta soup for busy evenings');
  assert.ok(after > before + 20, `score went from ${before} to ${after}`);
  const acc = await page.getByTestId('predictor-accuracy').textContent();
  assert.match(acc, /Accuracy 0\.\d\d ± 0\.\d\d AUC/);
  assert.match(acc, /cross-validated AUC on 60/);
  assert.ok(Number(acc.match(/Accuracy (0\.\d\d)/)[1]) > 0.8, acc);
  await page.getByTestId('predictor-accuracy').scrollIntoViewIfNeeded();
  await shot(page, 'insights-predictor');
});

test('a video added by hand is validated next to its field, stored and removable', async () => {
  await page.getByTestId('data-toggle').click();
  await page.getByRole('tab', { name: 'Add by hand' }).click();
  await page.locator('#m-title').fill('Sunday roast in one pan');
  await page.locator('#m-views').fill('1200');
  await page.getByTestId('manual-add').click();
  await page.getByText('Must be a date such as 2025-03-14').waitFor();
  await page.locator('#m-date').fill('2025-03-14T18:00');
  await page.getByTestId('manual-add').click();
  const row = page.getByRole('row', { name: /Sunday roast in one pan/ });
  await row.waitFor();
  assert.match(await row.textContent(), /manual/);
  await shot(page, 'insights-manual');
  await page.getByRole('button', { name: 'Remove Sunday roast in one pan' }).click();
  await row.waitFor({ state: 'detached' });
});

test('on a channel whose titles carry no signal the scorer says so', async () => {
  await page.getByTestId('insights-channel').selectOption({ label: 'Noise Lab' });
  await page.getByRole('heading', { name: 'No videos for Noise Lab yet' }).waitFor();
  await page.getByRole('tab', { name: 'Import CSV' }).click();
  await page.getByTestId('csv-file').setInputFiles({
    name: 'Table data.csv', mimeType: 'text/csv', buffer: Buffer.from(studioCSV(200, false, 11)),
  });
  await page.getByTestId('csv-import').click();
  await page.getByTestId('audit-cards').waitFor();
  await page.getByTestId('predictor-title').fill('7 pasta soup for busy evenings');
  const acc = page.getByTestId('predictor-accuracy');
  await page.waitForFunction(() => /cross-validated AUC on 200/.test(document.querySelector('[data-testid="predictor-accuracy"]')?.textContent ?? ''));
  const text = await acc.textContent();
  const auc = Number(text.match(/Accuracy (0\.\d\d)/)[1]);
  assert.ok(auc > 0.4 && auc < 0.6, text);
  assert.match(text, /no better than a coin flip/);
  assert.match(text, /treat the score as noise/);
  await page.getByTestId('predictor-accuracy').scrollIntoViewIfNeeded();
  await shot(page, 'insights-noise');
});

test('the dashboard money counter accrues, labelled as a projection', async () => {
  await page.goto(app.url + '/#/dashboard');
  const total = page.getByTestId('money-total');
  await total.waitFor();
  const a = await total.textContent();
  await page.waitForFunction((v) => document.querySelector('[data-testid="money-total"]')?.textContent !== v, a);
  const counter = await page.getByTestId('money-counter').textContent();
  assert.match(counter, /Projection/);
  assert.match(counter, /Not a payout/);
  assert.match(counter, /Weeknight Kitchen/);
  await shot(page, 'dashboard-money');
  assert.deepEqual(errors, []);
});

// A local server speaking the YouTube Data API v3 wire format: one channel
// with three uploads, or the API's quotaExceeded error when quota.on is set.
function fakeYouTube(key, quota) {
  const send = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  return createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.searchParams.get('key') !== key) {
      return send(res, 400, { error: { code: 400, message: 'API key not valid. Please pass a valid API key.',
        errors: [{ message: 'API key not valid. Please pass a valid API key.', domain: 'global', reason: 'badRequest' }], status: 'INVALID_ARGUMENT' } });
    }
    if (quota.on) {
      const msg = 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.';
      return send(res, 403, { error: { code: 403, message: msg, errors: [{ message: msg, domain: 'youtube.quota', reason: 'quotaExceeded' }] } });
    }
    const id = url.searchParams.get('id');
    switch (url.pathname) {
      case '/youtube/v3/channels':
        return send(res, 200, { kind: 'youtube#channelListResponse', pageInfo: { totalResults: 1, resultsPerPage: 5 }, items: [{
          kind: 'youtube#channel', id, snippet: { title: 'Bakery Lab' },
          contentDetails: { relatedPlaylists: { uploads: 'UU' + id.slice(2) } },
          statistics: { viewCount: '90000', subscriberCount: '1200', hiddenSubscriberCount: false, videoCount: '3' } }] });
      case '/youtube/v3/playlistItems':
        return send(res, 200, { kind: 'youtube#playlistItemListResponse', pageInfo: { totalResults: 3, resultsPerPage: 50 },
          items: ['a1', 'a2', 'a3'].map((v) => ({ kind: 'youtube#playlistItem', contentDetails: { videoId: v } })) });
      case '/youtube/v3/videos':
        return send(res, 200, { kind: 'youtube#videoListResponse', pageInfo: { totalResults: 3, resultsPerPage: 3 },
          items: ['a1', 'a2', 'a3'].map((v, i) => ({ kind: 'youtube#video', id: v,
            snippet: { publishedAt: new Date(Date.now() - (i + 2) * 86400000).toISOString(), title: `Sourdough loaf ${i + 1}`, channelId: 'UC' },
            contentDetails: { duration: 'PT9M30S' },
            statistics: { viewCount: String(1000 * (i + 1)), likeCount: '10', favoriteCount: '0', commentCount: '2' } })) });
      default:
        return send(res, 404, { error: { code: 404, message: 'Not Found', errors: [{ message: 'Not Found', domain: 'global', reason: 'notFound' }] } });
    }
  });
}

test('a YouTube fetch fills the audit, the key is never shown back, and quotaExceeded reads plainly', async () => {
  const key = 'AIzaSyE2E-insights-0123456789abcdefgh';
  const quota = { on: false };
  const yt = fakeYouTube(key, quota);
  await new Promise((ok) => yt.listen(0, '127.0.0.1', ok));
  const yapp = await startServe({ env: { TUBEAGENCY_YOUTUBE_ENDPOINT: `http://127.0.0.1:${yt.address().port}/` } });
  const chan = (name, youtube_id) => ({ name, niche: 'baking bread', language: 'en', audience: '', format: 'long-form', cadence: 2, youtube_id, autopilot: false });
  let b;
  try {
    await callApi(yapp.url, 'CreateChannel', chan('Bakery Lab', 'UCbakery0000000000000000'));
    const opened = await openPage(yapp.url + '/#/insights');
    b = opened.browser;
    const p = opened.page;
    await p.getByRole('tab', { name: 'YouTube API' }).click();
    await p.locator('#yt-key').fill(key);
    await p.getByRole('button', { name: 'Save key' }).click();
    await p.getByText(/A key is saved/).waitFor();
    assert.equal(await p.locator('#yt-key').inputValue(), '');
    await p.getByRole('button', { name: 'Fetch channel stats' }).click();
    await p.getByTestId('audit-cards').waitFor();
    assert.match(await p.getByText(/subscribers on/).textContent(), /1\.2K subscribers/);

    quota.on = true;
    await callApi(yapp.url, 'CreateChannel', chan('Second Oven', 'UCsecond0000000000000000'));
    await p.reload();
    await p.getByTestId('insights-channel').selectOption({ label: 'Second Oven' });
    await p.getByRole('heading', { name: 'No videos for Second Oven yet' }).waitFor();
    await p.getByRole('tab', { name: 'YouTube API' }).click();
    await p.getByRole('button', { name: 'Fetch channel stats' }).click();
    const err = p.getByTestId('fetch-error');
    await err.waitFor();
    assert.match(await err.textContent(), /The YouTube API daily quota is used up.*it resets at midnight Pacific time/);
    await p.getByText(/Quota today: 10,000 of 10,000 units/).waitFor();
    await shot(p, 'insights-quota');
    assert.ok(!(await p.content()).includes(key), 'the key is in the page');
    assert.ok(!yapp.log().includes(key), 'the key is in the server log');
  } finally {
    await b?.close();
    await yapp.stop();
    yt.close();
  }
});
