// End-to-end harness: a real `tubeagency serve` on a fresh data folder and a
// real headless Chromium (Debian's) driven by playwright-core.
//
//   const app = await startServe();          // { url, dataDir, stop() }
//   const { browser, page } = await openPage(app.url);
//   ...
//   await shot(page, 'channels');            // test-results/channels.png
//
// TUBEAGENCY_BIN names the binary (default ../build/bin/tubeagency);
// CHROMIUM names the browser (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const bin = process.env.TUBEAGENCY_BIN || join(root, 'build', 'bin', 'tubeagency');
export const resultsDir = join(root, 'test-results');

/** Starts serve mode on a free loopback port; resolves once it listens. */
export async function startServe({ dataDir, args = [], env = {} } = {}) {
  const dir = dataDir || mkdtempSync(join(tmpdir(), 'tubeagency-e2e-'));
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data-dir', dir, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('serve did not start in 20 s:\n' + log)), 20000);
    const onData = (b) => {
      log += b.toString();
      const m = log.match(/serving (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b) => (log += b.toString()));
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${log}`)));
  });
  return {
    url,
    dataDir: dir,
    log: () => log,
    /** Ends the process with signal (SIGKILL: a crash, nothing flushed)
     *  and resolves once it has exited. */
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await gone;
      }
    },
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      if (!keepData && !dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium and opens url at 1280×800. */
export async function openPage(url, { width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { browser, context, page, errors };
}

/** Saves a screenshot under test-results/. */
export async function shot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Calls a bound method over HTTP, as the dashboard does. */
export async function callApi(url, method, ...args) {
  const res = await fetch(`${url}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.message), { status: res.status, body });
  return body;
}

/** Waits until the page has settled: nothing says it is loading or
 *  checking, no element is aria-busy, and the main column's size and
 *  number of elements are the same over three checks in a row (charts
 *  have measured their box, cards have filled). */
export async function settled(page, timeout = 15000) {
  try {
    await waitSettled(page, timeout);
  } catch (e) {
    // Say what kept it busy, so a failure names its cause.
    const what = await page
      .evaluate(() => {
        const main = document.querySelector('main');
        const busy = document.querySelector('[aria-busy="true"]');
        const line = main?.innerText.split('\n').find((l) => /\b(Loading|Checking)\b/.test(l));
        return `at ${location.hash}: ${busy ? 'aria-busy ' + busy.outerHTML.slice(0, 200) : line ? `"${line}"` : 'still changing size (' + /** @type {any} */ (window).__settledSig + ')'}`;
      })
      .catch((err) => String(err));
    await shot(page, 'settled-timeout').catch(() => {});
    throw new Error(`the page did not settle in ${timeout} ms ${what}`, { cause: e });
  }
}

async function waitSettled(page, timeout) {
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    if (!main) return false;
    const busy = document.querySelector('[aria-busy="true"]') || /\b(Loading|Checking)\b/.test(main.innerText);
    const sig = `${main.scrollHeight}:${main.scrollWidth}:${main.getElementsByTagName('*').length}`;
    const w = /** @type {any} */ (window);
    w.__settled = busy || w.__settledSig !== sig ? 0 : (w.__settled || 0) + 1;
    w.__settledSig = sig;
    return w.__settled >= 2;
  }, null, { polling: 150, timeout });
}

/** Waits for the next two painted frames (after a scroll, say). */
export const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
