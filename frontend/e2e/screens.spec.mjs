import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, openPage, shot, callApi, settled, frames } from './harness.mjs';
import { fakeProvider, generatePackage, seedChannels, studioCSV, until, useGroq } from './fixture.mjs';

// Every page at 1024×700 and 1440×900, in light and dark: screenshots into
// test-results/screens-*.png, and at both sizes the layout's boxes are
// measured: nothing sticks out of its card, nothing scrolls sideways, no
// badge sits on text, buttons stay on one line.

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
];
const SECTIONS = ['providers', 'youtube', 'sync', 'voice', 'autopilot', 'storage', 'appearance', 'about'];

let app, fake, chans, pkg;

before(async () => {
  fake = await fakeProvider({ mode: 'ratelimit' });
  app = await startServe();
  await useGroq(app, fake.url);
  chans = await seedChannels(app);
  await callApi(app.url, 'ImportStudioCSV', chans[0].id, studioCSV(40));
  pkg = await generatePackage(app, chans[0].id, '6 erros de finanças pessoais que todo iniciante comete', true);
  await generatePackage(app, chans[1].id, 'the ghost passenger of the N29', false);
  // Groq rate-limits the next request and rests for an hour.
  await callApi(app.url, 'GenerateTitles', chans[2].id, 'sourdough starter', true);
  await until(async () => (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq').snapshot.state === 'cooldown');
  // Autopilot on for one channel: the dashboard's and Autopilot's lists have both kinds.
  await callApi(app.url, 'AutopilotSaveSettings', { ...(await callApi(app.url, 'AutopilotOverview')).settings, ahead: 1, voice: false });
  await callApi(app.url, 'AutopilotSetChannel', chans[2].id, true, 3);
});
after(async () => {
  await app?.stop();
  fake?.server.close();
});

const pages = () => [
  { name: 'dashboard', url: '/#/dashboard', ready: 'health-line' },
  { name: 'channels', url: '/#/channels', ready: 'channel-table' },
  { name: 'studio', url: `/#/studio?channel=${chans[0].id}&package=${pkg.id}`, ready: 'steps' },
  { name: 'insights', url: `/#/insights?channel=${chans[0].id}`, ready: 'views-chart' },
  { name: 'autopilot', url: '/#/autopilot', ready: 'pool' },
  { name: 'infrastructure', url: '/#/infrastructure', ready: 'summary' },
  ...SECTIONS.map((s) => ({ name: `settings-${s}`, url: `/#/settings?section=${s}`, ready: 'settings-section' })),
];

/** Every element that sticks out of the card it is in, or a page that
 *  scrolls sideways, described. */
function overflowing() {
  const out = [];
  const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}.${[...el.classList].join('.')} “${(el.textContent || '').trim().slice(0, 40)}”`;
  for (const card of document.querySelectorAll('main .card')) {
    const c = card.getBoundingClientRect();
    if (!c.width) continue;
    for (const el of card.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      if (r.right > c.right + 1 || r.left < c.left - 1) {
        out.push(`${describe(el)} spans ${Math.round(r.left)}–${Math.round(r.right)}, its card ${Math.round(c.left)}–${Math.round(c.right)} (${describe(card)})`);
      }
    }
  }
  const main = document.querySelector('main');
  if (main.scrollWidth > main.clientWidth + 1) out.push(`the page scrolls sideways: ${main.scrollWidth} > ${main.clientWidth}`);
  for (const el of document.querySelectorAll('main .card *')) {
    const style = getComputedStyle(el);
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${describe(el)} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  return out;
}

for (const size of SIZES) {
  for (const scheme of ['light', 'dark']) {
    test(`every page at ${size.width}×${size.height}, ${scheme}${scheme === 'light' ? ': layout boxes hold' : ''}`, async () => {
      const { browser, page, errors } = await openPage(app.url + '/#/dashboard', { ...size, colorScheme: scheme });
      try {
        for (const p of pages()) {
          await page.goto(app.url + p.url);
          await page.getByTestId(p.ready).first().waitFor({ timeout: 30000 });
          await settled(page); // charts measure their box, cards load
          await shot(page, `screens-${p.name}-${size.width}-${scheme}`);
          // and the rest of a long page, scrolled to its end
          if (await page.evaluate(() => { const m = document.querySelector('main'); m.scrollTop = m.scrollHeight; return m.scrollHeight > m.clientHeight + 40; })) {
            await frames(page);
            await shot(page, `screens-${p.name}-${size.width}-${scheme}-end`);
            await page.evaluate(() => (document.querySelector('main').scrollTop = 0));
          }
          if (scheme !== 'light') continue;
          assert.deepEqual(await page.evaluate(overflowing), [], `${p.name} at ${size.width}`);
        }
        if (scheme === 'light') await specifics(page, size);
        assert.deepEqual(errors, []);
      } finally {
        await browser.close();
      }
    });
  }
}

async function specifics(page, size) {
  // Dashboard: each channel's autopilot badge beside its text, not on it.
  await page.goto(app.url + '/#/dashboard');
  const rows = page.getByTestId('dash-channel');
  await rows.first().waitFor();
  for (const r of await rows.all()) {
    const pill = await r.locator('.pill').boundingBox();
    const who = await r.locator('.who').boundingBox();
    assert.ok(pill.x >= who.x + who.width, `the autopilot badge overlaps the channel's text at ${size.width}`);
    for (const t of await r.locator('.who > *').all()) {
      assert.ok(await t.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 || getComputedStyle(el).textOverflow === 'ellipsis'));
    }
  }
  // "While you were away": its table inside its card.
  const away = page.getByTestId('activity-summary');
  if (await away.locator('table').count()) {
    const t = await away.locator('table').boundingBox();
    const c = await away.boundingBox();
    assert.ok(t.x + t.width <= c.x + c.width, `the away table runs ${Math.round(t.x + t.width - c.x - c.width)} px past its card`);
  }
  // Channels: every row's Delete button on screen, the table no wider than its card.
  await page.goto(app.url + '/#/channels');
  await page.getByTestId('channel-table').waitFor();
  const table = await page.getByTestId('channel-table').boundingBox();
  const card = await page.getByTestId('channel-table').locator('xpath=..').boundingBox();
  assert.ok(table.x + table.width <= card.x + card.width + 1, `the channel table is ${Math.round(table.width)} px in a ${Math.round(card.width)} px card`);
  // Columns sized by whole words: the niche keeps a readable width
  // instead of one word a line, cut mid-word.
  for (const cell of await page.getByTestId('channel-row').locator('td.niche').all()) {
    const w = (await cell.boundingBox()).width;
    assert.ok(w >= 120, `a niche column ${Math.round(w)} px wide at ${size.width}`);
  }
  for (const del of await page.getByRole('button', { name: /^Delete / }).all()) {
    const b = await del.boundingBox();
    assert.ok(b.x + b.width <= size.width, `Delete is off screen at ${size.width}: ${b.x + b.width}`);
  }
  // Plain words first: the engineer's words only behind a Details toggle.
  const JARGON = /\b(breakers?|P50|P95|L1|L2|outbox|dead[- ]letters?|write-ahead|WAL|fallbacks?|SQLite|HLC)\b/i;
  for (const url of ['/#/dashboard', '/#/infrastructure', '/#/settings?section=providers', '/#/settings?section=sync', '/#/settings?section=storage']) {
    await page.goto(app.url + url);
    await settled(page);
    const said = await page.locator('main').innerText(); // closed <details> are not rendered
    assert.doesNotMatch(said, JARGON, `engineer's words on ${url}: ${JARGON.exec(said)?.[0]}`);
  }
  await page.goto(app.url + '/#/infrastructure');
  await settled(page);
  for (const d of await page.locator('main details').all()) await d.evaluate((el) => (el.open = true));
  assert.match(await page.locator('main').innerText(), JARGON, 'the technical detail is gone from behind Details');
  // Money in dollars and cents at most; chart legends name a value before
  // any pointer is over the chart.
  await page.goto(app.url + '/#/dashboard');
  await page.getByTestId('money-total').waitFor();
  for (const m of (await page.getByTestId('money-counter').innerText()).match(/\$[\d,]+(\.\d+)?/g) ?? []) {
    assert.match(m, /^\$[\d,]+(\.\d{2})?$/, `money shown as ${m}`);
  }
  await page.goto(`${app.url}/#/insights?channel=${chans[0].id}`);
  await page.getByTestId('views-chart').waitFor();
  await settled(page);
  const legends = await page.locator('main .u-legend .u-value').allInnerTexts();
  assert.ok(legends.length > 0, 'no chart legend on Insights');
  for (const v of legends) assert.ok(v.trim() && v.trim() !== '--', `a legend shows ${JSON.stringify(v)} before a hover`);
  // Insights: the channel picker leaves the summary beside it room to read.
  await page.goto(`${app.url}/#/insights?channel=${chans[0].id}`);
  const summary = page.getByTestId('insights-summary');
  await summary.filter({ hasText: 'videos with statistics' }).waitFor();
  const sw = (await summary.boundingBox()).width;
  assert.ok(sw >= 240, `the Insights summary is ${Math.round(sw)} px wide at ${size.width}`);
  // Autopilot: "One now" on one line.
  await page.goto(app.url + '/#/autopilot');
  const one = page.getByTestId('ap-one-now').first();
  await one.waitFor();
  const lineHeight = await one.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
  assert.ok((await one.boundingBox()).height < lineHeight * 2, '"One now" wraps');
  // Studio: package titles whole, not cut.
  await page.goto(`${app.url}/#/studio?channel=${chans[0].id}&package=${pkg.id}`);
  await page.getByTestId('package-item').first().waitFor();
  for (const t of await page.getByTestId('package-item').locator('.ptitle').all()) {
    assert.ok(await t.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1), `a package title is cut at ${size.width}`);
  }
}
