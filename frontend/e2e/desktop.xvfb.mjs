import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bin, callApi, resultsDir, startServe } from './harness.mjs';
import { CHANNELS, generatePackage, seedChannels, until } from './fixture.mjs';

// The desktop window itself: the real binary in WebKitGTK under Xvfb,
// driven with the mouse (xdotool) and read from the screen (ffmpeg's
// x11grab and tesseract), as a user would. It proves what only the
// window can show:
//   - the voice-over player reaches canplay (GStreamer plays the WAV the
//     player fetched; the page says "Ready to play" only on canplay);
//   - Export → Markdown and JSON go through the save dialog (answered by
//     TUBEAGENCY_TEST_SAVE_DIR, the hook for this test) and the toast
//     names the file;
//   - the file's name keeps the title's accented letters.
// Run by scripts/desktop-smoke.sh (make test-desktop): it needs Xvfb,
// xdotool, ffmpeg, tesseract and the GStreamer plugins of install-deps.

const run = promisify(execFile);
const W = 1280;
const H = 3600; // most of the Studio page at once: few scrolls
const TITLE = '6 erros de finanças pessoais que todo iniciante comete';
const BASE = '6-erros-de-finanças-pessoais-que-todo-iniciante-comete';

let tmp, display, xvfb, desk, saveDir, deskLog = '';

/** Starts Xvfb on a free display; resolves with ":N". */
function startXvfb() {
  return new Promise((ok, fail) => {
    const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${W}x${H + 100}x24`, '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    x.stderr.on('data', (b) => (err += b));
    x.stdio[3].on('data', (b) => {
      out += b;
      if (out.includes('\n')) ok({ proc: x, display: ':' + out.trim() });
    });
    x.on('exit', (code) => fail(new Error(`Xvfb exited with ${code}: ${err}`)));
  });
}

const env = () => ({ ...process.env, DISPLAY: display });
const xdo = (...args) => run('xdotool', args, { env: env(), timeout: 60000 });

/** Grabs the screen region w×h at x,y into a PNG. */
async function grab(path, { x = 0, y = 0, w = W, h = H } = {}) {
  await run('ffmpeg', ['-loglevel', 'error', '-f', 'x11grab', '-video_size', `${w}x${h}`, '-i', `${display}.0+${x},${y}`, '-frames:v', '1', '-y', path], { timeout: 60000 });
  return path;
}

/** The words tesseract reads in a PNG, with their boxes, grouped in lines. */
async function words(path) {
  const { stdout } = await run('tesseract', [path, '-', 'tsv'], { timeout: 120000, maxBuffer: 16 << 20 });
  const lines = new Map();
  for (const row of stdout.split('\n').slice(1)) {
    const f = row.split('\t');
    if (f.length < 12 || !f[11].trim()) continue;
    const key = f.slice(1, 5).join('.');
    if (!lines.has(key)) lines.set(key, []);
    lines.get(key).push({ x: +f[6], y: +f[7], w: +f[8], h: +f[9], text: f[11].trim() });
  }
  return [...lines.values()];
}

/** The box of the first (or, with last, the lowest) line holding phrase
 *  (its words in a row), or null. */
function find(lines, phrase, { minX = 0, maxX = Infinity, last = false } = {}) {
  const want = phrase.split(' ');
  for (const line of last ? [...lines].sort((a, b) => b[0].y - a[0].y) : lines) {
    for (let i = 0; i + want.length <= line.length; i++) {
      if (want.every((w, j) => line[i + j].text === w) && line[i].x >= minX && line[i].x < maxX) {
        const first = line[i];
        const last = line[i + want.length - 1];
        return { x: first.x, y: first.y, w: last.x + last.w - first.x, h: Math.max(first.h, last.h), cx: Math.round((first.x + last.x + last.w) / 2), cy: Math.round(first.y + first.h / 2) };
      }
    }
  }
  return null;
}

/** The text in a region of a PNG, read enlarged (small grey text). */
async function readRegion(path, { x, y, w, h }) {
  const crop = path.replace(/\.png$/, '-region.png');
  await run('convert', [path, '-crop', `${w}x${h}+${x}+${y}`, '+repage', '-colorspace', 'Gray', '-resize', '200%', crop], { timeout: 60000 });
  const { stdout } = await run('tesseract', [crop, '-', '--psm', '6'], { timeout: 120000 });
  return stdout.replace(/\s+/g, ' ').trim();
}

async function click(x, y) {
  await xdo('mousemove', String(x), String(y), 'click', '1');
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tubeagency-desktop-'));
  saveDir = join(tmp, 'saved');
  mkdirSync(saveDir);
  // A channel and a package with a voice-over, written by the local
  // templates and espeak-ng, through serve mode on the same data folder.
  const data = join(tmp, 'data');
  const app = await startServe({ dataDir: data });
  try {
    const [ch] = await seedChannels(app, [CHANNELS[0]]);
    let pkg = await generatePackage(app, ch.id, TITLE, true);
    // The pipeline picks the best-scored title option; the export name
    // under test is the accented topic, so the package takes it as a user
    // typing it would.
    pkg = await callApi(app.url, 'SavePackage', { id: pkg.id, channel_id: pkg.channel_id, status: pkg.status, topic: pkg.topic, title: TITLE, content: pkg.content });
    assert.equal(pkg.title, TITLE);
    assert.ok(pkg.content.voice?.bytes > 0, 'the package has no voice-over');
  } finally {
    await app.stop();
  }

  mkdirSync(join(tmp, 'home', '.cache'), { recursive: true });
  ({ proc: xvfb, display } = await startXvfb());
  // A HOME of its own: WebKit's storage starts empty (no remembered package).
  desk = spawn(bin, ['--data-dir', data], {
    env: { ...env(), HOME: join(tmp, 'home'), XDG_CONFIG_HOME: join(tmp, 'home', '.config'), XDG_DATA_HOME: join(tmp, 'home', '.local', 'share'), XDG_CACHE_HOME: join(tmp, 'home', '.cache'), TUBEAGENCY_TEST_SAVE_DIR: saveDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  desk.stdout.on('data', (b) => (deskLog += b));
  desk.stderr.on('data', (b) => (deskLog += b));
  // xdotool's search walks the window tree, and fails (BadWindow) when a
  // window it is reading goes away meanwhile, as WebKit's helper windows
  // do while the app starts: ask again until the app's window is there.
  let win = '';
  await until(async () => {
    try {
      const { stdout } = await xdo('search', '--onlyvisible', '--name', '^Tube Agency$');
      win = stdout.trim().split('\n')[0];
    } catch {
      win = ''; // not there yet (exit 1), or the tree changed under it
    }
    return win !== '';
  }, 60000, 250);
  // No window manager: the window is placed and sized by hand.
  await xdo('windowsize', '--sync', win, String(W), String(H));
  await xdo('windowmove', '--sync', win, '0', '0');
});

after(async () => {
  if (desk && desk.exitCode === null) {
    desk.kill('SIGTERM');
    await new Promise((r) => desk.once('exit', r));
  }
  xvfb?.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('in the desktop window the voice-over can play and Export saves through the dialog under the accented name', { timeout: 600000 }, async () => {
  mkdirSync(resultsDir, { recursive: true });
  const shot = join(tmp, 'screen.png');
  // Studio, then the package: clicks on what the screen shows, until the
  // package is open with its voice-over and export.
  let lines, voice = '', opened = false;
  await until(async () => {
    lines = await words(await grab(shot));
    copyFileSync(shot, join(resultsDir, 'desktop-studio.png'));
    // The card's heading, below the step of the same name.
    const heading = find(lines, 'Voice-over', { minX: 520, last: true });
    if (heading && find(lines, 'Markdown', { minX: 520 })) {
      // The player's state line under the heading, small grey text: read
      // enlarged. "Loading" until the player's canplay or error event.
      voice = await readRegion(shot, { x: 520, y: heading.y + heading.h + 8, w: W - 540, h: 90 });
      return !/Loading/.test(voice);
    }
    // The package is open but its Voice-over card is further down (a
    // long-form script is longer than the screen): scroll the page.
    if (opened || find(lines, 'Title options', { minX: 520 })) {
      opened = true;
      await xdo('mousemove', String(W - 300), String(Math.round(H / 2)), 'click', '--repeat', '20', '--delay', '20', '5');
      return false;
    }
    const item = find(lines, '6 erros de', { minX: 220, maxX: 520 });
    const studio = find(lines, 'Studio', { maxX: 220 });
    if (item && find(lines, 'Packages')) await click(item.cx, item.cy);
    else if (studio) await click(studio.cx, studio.cy);
    return false;
  }, 300000, 500);
  assert.doesNotMatch(voice, /cannot play here/, 'the player reports an error instead of canplay:\n' + deskLog.slice(-2000));
  assert.match(voice, /Ready to play/, 'the player never reached canplay');
  assert.match(voice, /espeak-ng/);

  // Export → Markdown: a frame recorder watches the toast corner while
  // the file is saved (a toast lasts 4 s; reading the screen takes longer).
  const frames = join(tmp, 'frames');
  mkdirSync(frames);
  for (const [label, ext] of [['Markdown', 'md'], ['JSON', 'json']]) {
    const btn = find(lines, label, { minX: 520 });
    assert.ok(btn, `no ${label} button on screen`);
    const rec = spawn('ffmpeg', ['-loglevel', 'error', '-f', 'x11grab', '-framerate', '2', '-video_size', '480x240', '-i', `${display}.0+${W - 480},${H - 240}`, '-t', '120', '-y', join(frames, `${ext}-%03d.png`)], { stdio: ['pipe', 'ignore', 'ignore'] });
    const recorded = new Promise((r) => rec.once('exit', r));
    const count = () => readdirSync(frames).filter((f) => f.startsWith(ext + '-')).length;
    await until(() => count() > 0, 30000, 100); // recording
    await click(btn.cx, btn.cy);
    const name = `${BASE}.${ext}`;
    await until(() => readdirSync(saveDir).includes(name), 60000, 100);
    // The toast shows once the call returns, for 4 s: record 6 s more.
    const at = count();
    await until(() => count() >= at + 12, 60000, 100);
    rec.stdin.end('q');
    assert.deepEqual(readdirSync(saveDir).filter((f) => f.endsWith('.' + ext)), [name], 'the export is not saved under the accented title');
    const text = readFileSync(join(saveDir, name), 'utf8');
    if (ext === 'md') assert.ok(text.startsWith(`# ${TITLE}`), text.slice(0, 200));
    else assert.equal(JSON.parse(text).title, TITLE);
    await recorded;
    let seen = '';
    const read = [];
    for (const f of readdirSync(frames).filter((f) => f.startsWith(ext + '-')).sort()) {
      const said = await readRegion(join(frames, f), { x: 0, y: 0, w: 480, h: 240 });
      read.push(said);
      if (/Saved 6-erros-de-finan/.test(said) && said.includes(`comete.${ext}`)) {
        seen = said;
        copyFileSync(join(frames, f), join(resultsDir, `desktop-export-${ext}-toast.png`));
        break;
      }
    }
    if (!seen) {
      // Kept for the reader of a failed run: the frames and what was read.
      const kept = join(resultsDir, `desktop-export-${ext}-frames`);
      mkdirSync(kept, { recursive: true });
      for (const f of readdirSync(frames).filter((f) => f.startsWith(ext + '-'))) copyFileSync(join(frames, f), join(kept, f));
    }
    assert.ok(seen, `no "Saved …" toast after Export → ${label}; read:\n${read.filter(Boolean).join('\n')}`);
  }
});
