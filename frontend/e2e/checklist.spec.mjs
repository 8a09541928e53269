import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServe, openPage, shot, callApi } from './harness.mjs';

// The pre-publish checklist in the Studio, against a real serve with no AI
// provider (the local templates write every step), and a studio run that
// survives kill -9.

let app, browser, page, errors, channel;

before(async () => {
  app = await startServe();
  channel = await callApi(app.url, 'CreateChannel', {
    name: 'Crumb Lab', niche: 'home baking', language: 'en', audience: 'beginner bakers',
    format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
  });
  ({ browser, page, errors } = await openPage(app.url + '/#/studio?channel=' + channel.id));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const sections = () => page.getByRole('textbox', { name: /^Text of section/ });
const checklist = () => page.getByTestId('checklist');

async function save() {
  await page.getByTestId('save-package').click();
  await page.getByText('Saved. The change will sync').waitFor();
}

let emptyStateHelp;

test('the empty Studio, with no AI provider on, says how to get a local model', async () => {
  const help = page.getByTestId('studio-local-model-help');
  await help.waitFor();
  emptyStateHelp = await help.locator('p').allTextContents();
  assert.equal(emptyStateHelp.length, 2);
  assert.match(emptyStateHelp[0], /"ollama pull [\w.:]+"/);
});

test('a failing package shows its checklist and "outline"; fixing the script makes it "ready"', async () => {
  await page.getByTestId('studio-voice').uncheck();
  await page.getByTestId('studio-topic').fill('sourdough starter');
  await page.getByTestId('studio-generate').click();
  await page.locator('[data-testid="step-thumbnail"][data-status="done"]').waitFor({ timeout: 60000 });
  await page.locator('[data-testid="step-voice"][data-status="skipped"]').waitFor();
  // Written offline, it passes every rule.
  await page.locator('[data-testid="checklist"][data-status="ready"]').waitFor();
  assert.match(await page.getByTestId('checklist-status').textContent(), /^ready · (\d+)\/\1$/);
  assert.equal(await page.getByTestId('checklist-headline').textContent(), 'Ready to publish.');

  // The user cuts the script down to a line a section: an outline that
  // says why, in the list too.
  const n = await sections().count();
  assert.ok(n >= 3, `${n} sections`);
  const original = [];
  for (let i = 0; i < n; i++) {
    original.push(await sections().nth(i).inputValue());
    await sections().nth(i).fill(`Section ${i + 1} is only a line for now.`);
  }
  await save();
  await page.locator('[data-testid="checklist"][data-status="outline"]').waitFor();
  assert.match(await page.getByTestId('checklist-status').textContent(), /^outline · /);
  assert.match(await page.getByTestId('checklist-headline').textContent(), /^An outline: \d+ things? to fix before it is ready\.$/);
  const rule = checklist().getByTestId('check-script.length');
  assert.equal(await rule.getAttribute('data-state'), 'fail');
  assert.match(await rule.getByTestId('check-message').textContent(), /script runs \d+:\d\d/i);
  assert.match(await page.getByTestId('package-item').first().textContent(), /Outline/);
  await checklist().scrollIntoViewIfNeeded();
  await shot(page, 'studio-checklist-outline');

  // Writing it out again makes it ready.
  for (let i = 0; i < n; i++) await sections().nth(i).fill(original[i]);
  await save();
  await page.locator('[data-testid="checklist"][data-status="ready"]').waitFor();
  assert.equal(await checklist().locator('[data-state="fail"]').count(), 0);
  assert.match(await page.getByTestId('package-item').first().textContent(), /Ready/);
  const stored = await callApi(app.url, 'GetPackage', (await callApi(app.url, 'ListPackages', channel.id))[0].id);
  assert.equal(stored.status, 'ready');
  assert.equal(stored.content.checklist.passed, true);
  assert.deepEqual(errors, []);
});

test('a rule the user overrides, with a reason, counts; undoing it does not', async () => {
  for (let i = 0; i < (await sections().count()); i++) await sections().nth(i).fill(`Part ${i + 1}, to be filmed as it happens.`);
  await save();
  await page.locator('[data-testid="checklist"][data-status="outline"]').waitFor();
  // Every failing rule is overridden, the script's with a reason.
  const failing = checklist().locator('li[data-state="fail"]');
  const rules = await failing.evaluateAll((els) => els.map((e) => e.dataset.testid.replace(/^check-/, '')));
  assert.ok(rules.includes('script.length'), rules.join(', '));
  for (const r of rules) {
    await page.getByTestId(`override-${r}`).click();
    if (r === 'script.length') await page.getByTestId('override-reason').fill('filmed unscripted, the lines are cues');
    await page.getByTestId('override-confirm').click();
    await checklist().locator(`[data-testid="check-${r}"][data-state="overridden"]`).waitFor();
  }
  await page.locator('[data-testid="checklist"][data-status="ready"]').waitFor();
  assert.match(await page.getByTestId('checklist-headline').textContent(), /^Ready to publish, with \d+ rules? overridden\.$/);
  assert.match(await checklist().getByTestId('check-script.length').textContent(), /Overridden: filmed unscripted, the lines are cues/);
  await checklist().scrollIntoViewIfNeeded();
  await shot(page, 'studio-checklist-overridden');

  await page.getByTestId('undo-script.length').click();
  await page.locator('[data-testid="checklist"][data-status="outline"]').waitFor();
  const p = (await callApi(app.url, 'ListPackages', channel.id))[0];
  assert.equal(p.status, 'outline');
  assert.ok(!p.content.overrides.some((o) => o.rule === 'script.length'));
  assert.deepEqual(errors, []);
});

test('Settings says in two lines how to get a local model', async () => {
  await page.goto(app.url + '/#/settings?section=providers');
  const help = page.getByTestId('local-model-help');
  await help.waitFor();
  const lines = await help.locator('p').allTextContents();
  assert.equal(lines.length, 2);
  assert.match(lines[0], /install Ollama from ollama\.com and run "ollama pull [\w.:]+"/);
  assert.match(lines[1], /finds it on its own and puts it first/);
  await shot(page, 'settings-local-model');
  assert.deepEqual(lines, emptyStateHelp, 'Settings and the empty Studio say the same');
  assert.deepEqual(errors, []);
});

test('a studio run killed with -9 finishes once after a restart', async () => {
  const dataDir = app.dataDir;
  const pkg = await callApi(app.url, 'StudioCreate', channel.id, 'rye bread at home', true);
  // Wait until the run has written its script and is recording the voice-over.
  let before;
  for (let i = 0; ; i++) {
    before = await callApi(app.url, 'GetPackage', pkg.id);
    if (before.content.steps?.script?.status === 'done') break;
    assert.ok(i < 600, 'the script step did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
  await app.kill('SIGKILL');
  assert.notEqual(before.content.steps?.voice?.status, 'done', 'the run ended before the kill: nothing was interrupted');

  await browser.close();
  app = await startServe({ dataDir });
  try {
    let after;
    for (let i = 0; ; i++) {
      after = await callApi(app.url, 'GetPackage', pkg.id);
      if (after.content.steps?.voice?.status === 'done') break;
      assert.ok(i < 1200, `the run did not resume: ${JSON.stringify(after.content.steps)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // One package, the steps done before the kill not run again.
    const list = await callApi(app.url, 'ListPackages', channel.id);
    assert.equal(list.filter((p) => p.topic === 'rye bread at home').length, 1);
    assert.deepEqual(after.content.ideas, before.content.ideas);
    assert.deepEqual(after.content.titles, before.content.titles);
    assert.equal(after.content.steps.ideas.at, before.content.steps.ideas.at);
    assert.equal(after.content.steps.script.at, before.content.steps.script.at);
    const failing = after.content.checklist.items.filter((i) => i.state === 'fail').map((i) => `${i.rule}: ${i.message}`);
    assert.equal(after.status, 'ready', failing.join('\n'));
    const resumed = (await callApi(app.url, 'ListActivity', 50)).filter((a) => a.kind === 'studio.resumed');
    assert.equal(resumed.length, 1);
    assert.match(resumed[0].message, /resumed 1 package interrupted/);
    // The Studio shows it finished and ready.
    ({ browser, page, errors } = await openPage(`${app.url}/#/studio?channel=${channel.id}&package=${pkg.id}`));
    await page.locator('[data-testid="checklist"][data-status="ready"]').waitFor();
    assert.equal(await page.getByTestId('steps-count').textContent(), '7 of 7 steps');
  } finally {
    await app.stop();
    app = null;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
