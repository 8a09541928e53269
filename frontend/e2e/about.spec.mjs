import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startServe, openPage, shot, callApi } from './harness.mjs';

// Settings → About against a real serve: the log file's path (and no Open
// log folder outside the window), the daily check switched off and on, and
// a release feed on this machine that offers 99.0.0. Its file is signed by
// a throwaway minisign key, not the release key compiled into the app, so
// Install must refuse it with the reason and leave the running binary as
// it was.

// The release file and its signature (made once with aead.dev/minisign and
// a key generated for it, then thrown away): the signature parses and
// matches the file, its trusted comment names 99.0.0 for linux-amd64, and
// only its key is wrong.
const asset = 'not a Tube Agency release: signed by a throwaway key\n';
const signature = `untrusted comment: signature from a throwaway key
RUS0XXKVuuU+oISyaBiZeC6Sj+iiVlTlH3NDIEyjhzcMbeY2uyByEkTEC7qq9FVz/taJtejpmTGq9/tz43TfxZQJLnZsK7MTGgA=
trusted comment: tubeagency v99.0.0 linux-amd64
UrTprRg4Uc5kOfQGmrFZgWFduGsvwiaYcM9Fi0DRlX2ltsTKqwTNiJsYebKmU+wnJjH5eQ3a4hhWZGz0zS7OCg==
`;

let app, browser, page, errors, feed, feedURL;
const served = { feed: 0, asset: 0 };
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

before(async () => {
  feed = createServer((req, res) => {
    if (req.url === '/feed.json') {
      served.feed++;
      const body = {
        version: '99.0.0',
        notes: 'Faster renders.\nA calmer dashboard.',
        assets: {
          'linux-amd64': { url: `${feedURL}/tubeagency`, size: Buffer.byteLength(asset), sha256: sha256(asset), signature },
        },
      };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    } else if (req.url === '/tubeagency') {
      served.asset++;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(asset);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => feed.listen(0, '127.0.0.1', ok));
  feedURL = `http://127.0.0.1:${feed.address().port}`;
  app = await startServe({ args: ['--update-feed', `${feedURL}/feed.json`] });
  ({ browser, page, errors } = await openPage(app.url + '/#/settings?section=about'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
  feed?.close();
});

test('About names the log file; the folder button is the window’s alone', async () => {
  const log = page.getByTestId('log-file');
  await log.waitFor();
  assert.equal(await log.textContent(), join(app.dataDir, 'logs', 'tubeagency.log'));
  assert.equal(await page.getByTestId('open-log-folder').count(), 0);
  assert.match(await page.getByTestId('about-version').textContent(), /linux\/amd64/);
});

test('the daily check switches off and on from About', async () => {
  const box = page.getByTestId('update-checks');
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  await box.uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-testid=update-checks]').disabled);
  assert.equal((await callApi(app.url, 'About')).updates.enabled, false);
  await box.check();
  await page.waitForFunction(() => !document.querySelector('[data-testid=update-checks]').disabled);
  assert.equal((await callApi(app.url, 'About')).updates.enabled, true);
});

test('a newer release is offered quietly; one signed by another key is refused and the binary is untouched', async () => {
  const bin = readFileSync(process.env.TUBEAGENCY_BIN);
  const before = sha256(bin);
  await page.getByTestId('check-updates').click();
  const offer = page.getByTestId('update-available');
  await offer.waitFor({ timeout: 15000 });
  assert.match(await offer.textContent(), /Update available: 99\.0\.0/);
  assert.match(await offer.textContent(), /Faster renders\./);
  assert.ok(served.feed >= 1, 'the feed was not fetched');
  // The header's quiet badge leads to this section.
  const badge = page.getByTestId('update-badge');
  await badge.waitFor();
  assert.equal(await badge.getAttribute('href'), '#/settings?section=about');

  await page.getByTestId('install-update').click();
  const msg = page.getByTestId('update-message').filter({ hasText: 'refused' });
  await msg.waitFor({ timeout: 30000 });
  assert.match(await msg.textContent(), /The update was refused and nothing was changed: download is not signed by the Tube Agency release key: signed by key [0-9A-F]+, not [0-9A-F]+/);
  assert.equal(served.asset, 1, 'the release file was not downloaded once');
  assert.equal(sha256(readFileSync(process.env.TUBEAGENCY_BIN)), before, 'the running binary changed');
  const st = (await callApi(app.url, 'About')).updates;
  assert.equal(st.installed, false);
  assert.equal(st.available, true);
  await shot(page, 'about-update-refused');
  assert.deepEqual(errors, []);
});
