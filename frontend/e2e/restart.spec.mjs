import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServe, openPage, shot, callApi } from './harness.mjs';
import { until } from './fixture.mjs';

// A Studio step whose first provider stalls mid-stream: Groq streams the
// start of its ideas and then sends nothing more; OpenAI, next in line,
// streams its own. The step shows who took over and why, and only
// OpenAI's text; the saved ideas are OpenAI's. Every other request fails
// with a 500, so the other steps come from the local templates.

const PARTIAL = 'Groq half-written idea that must vanish';
const IDEAS = [
  'Why a spoon rings like a bell',
  'The straw trick that lifts water',
  'How ice floats and why it matters',
  'A paper bridge that holds a book',
  'The coin that falls as fast as a feather',
  'Why a spinning egg tells you it is cooked',
  'The balloon that sticks to the wall',
  'How a mirror flips left but not up',
];

/** An OpenAI-compatible server; ideas(res) answers the ideas request. */
function provider(ideas) {
  const state = { ideas: 0, other: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'model-e2e', object: 'model', owned_by: 'e2e' }] }));
        return;
      }
      const prompt = JSON.parse(body || '{}').messages?.at(-1)?.content ?? '';
      if (req.method === 'POST' && req.url === '/v1/chat/completions' && prompt.includes('video ideas')) {
        state.ideas++;
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        ideas(res);
        return;
      }
      state.other++;
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } }));
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, state, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

const chunk = (text) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`;

let app, browser, page, errors, groq, openai;

before(async () => {
  // Groq: the start of an answer after a second of thought (within its
  // first-token budget, and once the page shows the new package), then
  // nothing until the app leaves.
  groq = await provider((res) => setTimeout(() => res.destroyed || res.write(chunk(PARTIAL + '\n')), 1000));
  // OpenAI: one idea every 400 ms, so the page is seen while it writes.
  openai = await provider((res) => {
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i === IDEAS.length) {
        res.end('data: [DONE]\n\n');
        return;
      }
      res.write(chunk(IDEAS[i] + (i < IDEAS.length - 1 ? '\n' : '')));
      i++;
      setTimeout(next, 400);
    };
    next();
  });
  app = await startServe();
  // The key first, so no health check finds a provider without one.
  for (const [name, fake, key] of [['groq', groq, 'gsk_e2e_restart_0000wxyz'], ['openai', openai, 'sk-e2e-restart-0000wxyz']]) {
    const p = (await callApi(app.url, 'ListProviders')).providers.find((x) => x.name === name);
    await callApi(app.url, 'SetProviderKey', name, key);
    await callApi(app.url, 'SaveProvider', { name, enabled: true, model: p.model, base_url: fake.url, rpm: 0, daily_quota: 0 });
  }
  // Groq answers first: both checked and healthy, in the configured order.
  await until(async () => {
    const list = (await callApi(app.url, 'ListProviders')).providers.filter((p) => p.name === 'groq' || p.name === 'openai');
    return list.length === 2 && list[0].name === 'groq' && list.every((p) => p.snapshot.last_check && !p.snapshot.check_failed && !p.snapshot.last_error);
  }, 30000);
  await callApi(app.url, 'CreateChannel', {
    name: 'Pocket Physics', niche: 'everyday physics', language: 'en', audience: 'curious teens',
    format: 'shorts', cadence: 3, youtube_id: '', autopilot: false,
  });
  ({ browser, page, errors } = await openPage(app.url + '/#/studio'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
  groq?.server.close();
  openai?.server.close();
});

test('a provider that stalls mid-stream: the step says who took over and shows only the final text', async () => {
  await page.getByTestId('studio-topic').fill('kitchen physics experiments');
  await page.getByTestId('studio-generate').click();

  const note = page.getByTestId('step-ideas-switch');
  // Groq's partial text is shown while it streams...
  await page.locator('[data-testid="step-ideas-tail"]', { hasText: PARTIAL }).waitFor({ timeout: 20000 }).catch((e) => {
    throw new Error(`${e.message}\nrequests: Groq ${JSON.stringify(groq.state)}, OpenAI ${JSON.stringify(openai.state)}`);
  });
  // ...until the stall: the note replaces it, and the text starts over.
  await note.waitFor({ timeout: 20000 });
  assert.match(await note.textContent(), /^Switched to OpenAI: Groq stopped sending its answer for more than \d+(\.\d+)? s\.$/);

  // While OpenAI writes, the step shows its text alone.
  const seen = [];
  const ideas = page.locator('[data-testid="step-ideas"]');
  for (;;) {
    // One read of the page, so the step cannot finish between two reads.
    const now = await page.evaluate(() => ({
      status: document.querySelector('[data-testid="step-ideas"]')?.getAttribute('data-status'),
      tail: document.querySelector('[data-testid="step-ideas-tail"]')?.textContent ?? null,
    }));
    if (now.status !== 'running') break;
    if (now.tail !== null) seen.push(now.tail);
    await page.waitForTimeout(100);
  }
  assert.ok(seen.some((t) => IDEAS.some((idea) => t.includes(idea))), `OpenAI's text was shown: ${JSON.stringify(seen)}`);
  for (const t of seen) assert.ok(!t.includes('half-written'), `Groq's text is gone after the switch: ${t}`);
  await shot(page, 'studio-restart');

  // Once done, the step still says who wrote it and why.
  await page.locator('[data-testid="step-ideas"][data-status="done"]').waitFor({ timeout: 20000 });
  assert.match(await ideas.textContent(), /openai · Switched to OpenAI: Groq stopped sending its answer/);

  // The saved result is OpenAI's answer only.
  const pkgs = await callApi(app.url, 'ListPackages', (await callApi(app.url, 'ListChannels'))[0].id);
  const pkg = await callApi(app.url, 'GetPackage', pkgs[0].id);
  assert.deepEqual(pkg.content.ideas, IDEAS);
  assert.equal(pkg.content.steps.ideas.provider, 'openai');
  assert.match(pkg.content.steps.ideas.note, /^Switched to OpenAI: Groq stopped sending its answer/);
  assert.equal(groq.state.ideas, 1, 'Groq was asked for ideas once');
  assert.equal(openai.state.ideas, 1, 'OpenAI was asked for ideas once');

  // Let the run finish before the app stops.
  await page.getByTestId('studio-cancel').waitFor({ state: 'detached', timeout: 120000 });
  assert.deepEqual(errors, []);
});
