// Insights v2 in a real Chromium: YouTube Analytics linked against the fake
// Google (OAuth with PKCE to the loopback listener, Analytics and Reporting
// APIs, run as a process from app/internal/fakegoogle/cmd/fakeanalytics), and
// the 200-video Studio export with every column: CTR and retention in the
// audit, revenue learned from the export's own earnings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServe, openPage, shot, callApi, root } from './harness.mjs';

let fake, google, app;

const fakeBin = join(tmpdir(), 'tubeagency-fakeanalytics');

async function startFake(args = []) {
  const child = spawn(fakeBin, ['-videos', '30', '-every', '9', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('fakegoogle did not start')), 20000);
    child.stdout.on('data', (b) => {
      out += b.toString();
      const m = out.match(/fakegoogle (\S+) (\S+) (\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m);
      }
    });
  });
  return { child, url: line[1], clientId: line[2], clientSecret: line[3] };
}

/** A serve pointed at the fake Google g. */
function serveFor(g) {
  return startServe({
    env: {
      TUBEAGENCY_YOUTUBE_ENDPOINT: g.url + '/',
      TUBEAGENCY_ANALYTICS_ENDPOINT: g.url + '/',
      TUBEAGENCY_GOOGLE_OAUTH_ENDPOINT: g.url,
    },
  });
}

/** Saves the OAuth client of g and signs in through its consent page. */
async function connect(p, context, g) {
  await p.getByRole('tab', { name: 'YouTube Analytics' }).click();
  await p.locator('#an-id').fill(g.clientId);
  await p.locator('#an-secret').fill(g.clientSecret);
  await p.getByRole('button', { name: 'Save client' }).click();
  const popup = context.waitForEvent('page');
  await p.getByRole('button', { name: 'Connect YouTube Analytics' }).click();
  const tab = await popup;
  await tab.waitForLoadState();
  await tab.close();
}

before(async () => {
  execFileSync('go', ['build', '-o', fakeBin, './app/internal/fakegoogle/cmd/fakeanalytics'], { cwd: root, stdio: 'inherit' });
  fake = await startFake();
  google = fake;
  app = await startServe({
    env: {
      TUBEAGENCY_YOUTUBE_ENDPOINT: google.url + '/',
      TUBEAGENCY_ANALYTICS_ENDPOINT: google.url + '/',
      TUBEAGENCY_GOOGLE_OAUTH_ENDPOINT: google.url,
    },
  });
});

after(async () => {
  await app?.stop();
  fake?.child.kill('SIGTERM');
});

test('linking YouTube Analytics syncs the channel and shows retention and revenue from its earnings', async () => {
  await callApi(app.url, 'CreateChannel', {
    name: 'Retro Corner', niche: 'retro gaming', language: 'en', audience: '', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
  });
  const { browser, context, page: p, errors } = await openPage(app.url + '/#/insights');
  try {
    await p.getByRole('tab', { name: 'YouTube Analytics' }).click();
    await p.locator('#an-id').fill('not a client');
    await p.getByRole('button', { name: 'Save client' }).click();
    await p.getByText(/The client id must be an OAuth client id/).waitFor();
    await p.locator('#an-id').fill(google.clientId);
    await p.locator('#an-secret').fill(google.clientSecret);
    await p.getByRole('button', { name: 'Save client' }).click();
    // The sign-in page opens in a new tab; the fake consents and sends it
    // back to the app's loopback listener.
    const popup = context.waitForEvent('page');
    await p.getByRole('button', { name: 'Connect YouTube Analytics' }).click();
    const tab = await popup;
    await tab.waitForLoadState();
    await tab.close();
    const updated = p.getByTestId('analytics-updated');
    await updated.waitFor({ timeout: 60000 });
    await p.getByText(/Last updated/).waitFor({ timeout: 60000 });
    assert.match(await updated.textContent(), /daily numbers through \d{4}-\d\d-\d\d · revenue included/);
    assert.match(await p.getByTestId('analytics-reach').textContent(), /first ones should arrive about/);
    await p.getByTestId('audit-cards').waitFor();
    await p.getByTestId('rates-retention').getByText(/^30 videos · median \d/).waitFor();
    // The fake pays $4 per 1,000 long-form views and $0.05 per 1,000 Shorts views.
    const rpm = await p.getByTestId('rpm-line').textContent();
    assert.match(rpm, /RPM long-form \$(3\.9\d|4\.0\d) · Shorts \$0\.0[456]/, rpm);
    const head = await p.getByTestId('revenue-headline').textContent();
    assert.match(head, /fitted from your YouTube Analytics revenue, month by month/);
    assert.match(head, /80% band \$[\d,]+\.\d\d – \$[\d,]+\.\d\d/);
    assert.doesNotMatch(await p.content(), /\$\d[\d,]*\.\d{3}/, 'money with more than cents');
    await shot(p, 'insights-analytics');
    await p.getByTestId('revenue-headline').scrollIntoViewIfNeeded();
    await shot(p, 'insights-analytics-revenue');
    assert.ok(!(await p.content()).includes(google.clientSecret + '"'), 'the client secret is in the page');
    assert.deepEqual(errors, []);
  } catch (e) {
    console.log('PANEL:', await p.getByTestId('analytics-link').textContent().catch(() => ''));
    console.log('LOG:', app.log().slice(-3000));
    await shot(p, 'insights-analytics-failed');
    throw e;
  } finally {
    await browser.close();
  }
});

test("impressions and click-through rate come in from YouTube's daily reach reports", async () => {
  // The channel already has a reach reporting job four days old (made
  // before, by its owner or another app): its daily reports are there.
  const g = await startFake(['-reach-job-age', '96h']);
  const a = await serveFor(g);
  const { browser, context, page: p, errors } = await openPage(a.url + '/#/insights');
  try {
    await callApi(a.url, 'CreateChannel', {
      name: 'Retro Reach', niche: 'retro gaming', language: 'en', audience: '', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
    });
    await p.reload();
    await connect(p, context, g);
    const reach = p.getByTestId('analytics-reach');
    await reach.getByText(/Impressions and click-through rate: \d+ daily reports, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d/).waitFor({ timeout: 60000 });
    const ctr = p.getByTestId('rates-ctr');
    await ctr.getByText(/videos · median \d/).waitFor({ timeout: 30000 });
    const rows = ctr.locator('tbody tr');
    assert.ok((await rows.count()) > 0, 'no video ranked by CTR');
    assert.match(await rows.first().textContent(), /\d+(\.\d+)? ?%/, 'a CTR without a percentage');
    await ctr.scrollIntoViewIfNeeded();
    await shot(p, 'insights-analytics-ctr');
    assert.deepEqual(errors, []);
  } catch (e) {
    console.log('LOG:', a.log().slice(-3000));
    await shot(p, 'insights-analytics-ctr-failed');
    throw e;
  } finally {
    await browser.close();
    await a.stop();
    g.child.kill('SIGTERM');
  }
});

test('the 200-video export: CTR and retention findings, and the RPM it earned', async () => {
  const ch = await callApi(app.url, 'CreateChannel', {
    name: 'Studio Two Hundred', niche: 'retro gaming', language: 'en', audience: '', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
  });
  const csv = readFileSync(join(root, 'app', 'insights', 'testdata', 'insights', 'studio200', 'Table data.csv'));
  const res = await fetch(`${app.url}/api/insights/import/${ch.id}`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: csv });
  assert.equal(res.status, 200, await res.clone().text());
  const { browser, page: p, errors } = await openPage(app.url + `/#/insights?channel=${ch.id}`);
  try {
    await p.getByTestId('audit-cards').waitFor();
    const ctr = p.getByTestId('rates-ctr');
    const ret = p.getByTestId('rates-retention');
    await ctr.getByText(/200 videos · median/).waitFor();
    assert.ok((await ctr.locator('.findings li').count()) > 0, 'no CTR findings');
    assert.ok((await ret.locator('.findings li').count()) > 0, 'no retention findings');
    // The export's true RPMs are $4.20 long-form and $0.06 Shorts.
    assert.match(await p.getByTestId('rpm-line').textContent(), /RPM long-form \$4\.(19|20|21) · Shorts \$0\.0[56]/);
    assert.match(await p.getByTestId('revenue-headline').textContent(), /fitted from your videos’ revenue/);
    assert.doesNotMatch(await p.content(), /\$\d[\d,]*\.\d{3}/, 'money with more than cents');
    await shot(p, 'insights-studio200');
    await ctr.scrollIntoViewIfNeeded();
    await shot(p, 'insights-studio200-rates');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
