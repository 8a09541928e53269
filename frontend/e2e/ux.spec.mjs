import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, openPage, shot, callApi, settled } from './harness.mjs';
import { CHANNELS, deadURL, generatePackage, seedChannels, until, useGroq } from './fixture.mjs';

// What a creator meets in their first hour: unsaved edits are not lost,
// each page remembers its channel, a name is not taken twice, forms say
// what they need, the palette does things, and no engineer's error text
// reaches the screen. Against a real serve; texts from the local
// templates, voice-overs from espeak-ng.

let app, browser, page, errors, chans, pkgs;

before(async () => {
  app = await startServe();
  // Groq is switched on at an address where nothing listens: every text
  // comes from the templates, and its errors are real connection errors.
  await useGroq(app, await deadURL());
  chans = await seedChannels(app);
  pkgs = [
    await generatePackage(app, chans[0].id, '6 erros de finanças pessoais que todo iniciante comete', false),
    await generatePackage(app, chans[0].id, 'como montar uma reserva de emergência', false),
  ];
  ({ browser, page, errors } = await openPage(app.url + '/#/dashboard'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const box = (l) => l.boundingBox();
const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('leaving unsaved edits asks first: stay keeps them, discard drops them, save keeps them saved', async (t) => {
  t.after(async () => { if (process.env.E2E_DEBUG) await shot(page, 'debug-guard'); });
  await page.goto(`${app.url}/#/studio?channel=${chans[0].id}&package=${pkgs[0].id}`);
  const title = page.getByRole('region', { name: 'Title options' }).getByLabel('Title', { exact: true });
  await title.waitFor();
  const original = await title.inputValue();

  // Scroll the Title field to the bottom of the page, then edit it: the
  // save bar appears and must not cover its label or the input.
  await title.evaluate((el) => {
    const main = el.closest('main');
    main.scrollTop += el.getBoundingClientRect().bottom - main.getBoundingClientRect().bottom + 4;
  });
  await title.fill(original + ' (edited)');
  const bar = page.getByTestId('savebar');
  await bar.waitFor();
  // the field moves up out from under the bar
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid="savebar"]').getBoundingClientRect();
    return document.querySelector('label[for="pkg-title"]').getBoundingClientRect().bottom <= b.top;
  }, null, { timeout: 5000 }).catch(() => {});
  const label = page.locator('label[for="pkg-title"]');
  assert.ok(!overlap(await box(bar), await box(label)), 'the save bar covers the Title label');
  assert.ok(!overlap(await box(bar), await box(title)), 'the save bar covers the Title input');
  await shot(page, 'guard-savebar');

  // Stay.
  await page.getByTestId('nav-dashboard').click();
  const dialog = page.getByTestId('leave-dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /unsaved edits to “.*\(edited\)”/);
  await shot(page, 'guard-dialog');
  await page.getByTestId('leave-stay').click();
  await dialog.waitFor({ state: 'hidden' });
  assert.match(page.url(), /#\/studio/);
  assert.equal(await title.inputValue(), original + ' (edited)');

  // Another package asks too.
  await page.getByTestId('package-item').filter({ hasText: /reserva/ }).click();
  await dialog.waitFor();
  await page.getByTestId('leave-stay').click();
  assert.equal(await title.inputValue(), original + ' (edited)');

  // Discard.
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('leave-discard').click();
  await page.getByTestId('health-line').waitFor();
  assert.match(page.url(), /#\/dashboard/);
  await page.goto(`${app.url}/#/studio?channel=${chans[0].id}&package=${pkgs[0].id}`);
  await title.waitFor();
  assert.equal(await title.inputValue(), original);
  assert.equal((await callApi(app.url, 'GetPackage', pkgs[0].id)).title, original);

  // Save and continue.
  await title.fill('6 erros de finanças que custam caro');
  await page.getByTestId('nav-channels').click();
  await page.getByTestId('leave-save').click();
  await page.getByTestId('channel-table').waitFor();
  assert.equal((await callApi(app.url, 'GetPackage', pkgs[0].id)).title, '6 erros de finanças que custam caro');

  // Nothing unsaved: no question. (Studio reopens the package last open.)
  await page.getByTestId('nav-studio').click();
  await title.waitFor();
  assert.equal(await title.inputValue(), '6 erros de finanças que custam caro');
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('health-line').waitFor();
  assert.equal(await page.getByTestId('leave-dialog').isVisible(), false);
  assert.deepEqual(errors, []);
});

test('Studio and Insights each remember their channel, across visits and reloads; Quick titles follows Studio', async () => {
  await page.goto(app.url + '/#/studio');
  await page.getByTestId('studio-channel').waitFor();
  await page.getByTestId('studio-channel').selectOption(chans[2].id);
  await page.getByTestId('nav-insights').click();
  await page.getByTestId('insights-channel').waitFor();
  await page.getByTestId('insights-channel').selectOption(chans[1].id);

  for (const again of ['visit', 'reload']) {
    if (again === 'reload') await page.reload();
    await page.getByTestId('nav-studio').click();
    await page.getByTestId('studio-channel').waitFor();
    await until(async () => (await page.getByTestId('studio-channel').inputValue()) === chans[2].id, 5000);
    assert.equal(await page.locator('#qt-channel').inputValue(), chans[2].id, `Quick titles after a ${again}`);
    await page.getByTestId('nav-insights').click();
    await until(async () => (await page.getByTestId('insights-channel').inputValue()) === chans[1].id, 5000);
  }
  // A link naming a channel wins, and Quick titles follows a channel change.
  await page.goto(`${app.url}/#/studio?channel=${chans[0].id}`);
  await until(async () => (await page.getByTestId('studio-channel').inputValue()) === chans[0].id, 5000);
  assert.equal(await page.locator('#qt-channel').inputValue(), chans[0].id);
  await page.getByTestId('studio-channel').selectOption(chans[1].id);
  await until(async () => (await page.locator('#qt-channel').inputValue()) === chans[1].id, 5000);
  assert.deepEqual(errors, []);
});

test('Quick titles come best first', async () => {
  await page.goto(`${app.url}/#/studio?channel=${chans[2].id}`);
  await page.getByTestId('quick-titles').getByLabel('Topic').fill('sourdough starter');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/call/GenerateTitles')),
    page.getByTestId('generate-titles').click(),
  ]);
  await page.getByTestId('title-option').first().waitFor({ timeout: 30000 });
  const scores = await page.getByTestId('title-option').locator('.pill').allTextContents();
  assert.ok(scores.length >= 5);
  const n = scores.map(Number);
  assert.deepEqual(n, [...n].sort((a, b) => b - a), `scores in order shown: ${n}`);
  // The titles as the provider gave them (in its order), sorted by score:
  // what the page shows, title by title.
  const given = (await res.json()).options;
  const shown = (await page.getByTestId('title-option').locator('span:not(.pill)').allTextContents()).map((t) => t.trim());
  assert.deepEqual(shown, [...given].sort((a, b) => b.score - a.score).map((o) => o.title));
});

test('a name another channel has is refused next to the field, ignoring case and spacing', async () => {
  await page.goto(app.url + '/#/channels');
  await page.getByTestId('new-channel').click();
  await page.getByLabel('Name').fill('  crumb   CLUB ');
  await page.getByLabel('Niche').fill('bread');
  await page.getByTestId('save-channel').click();
  const err = page.getByTestId('error-name');
  await err.waitFor();
  assert.match(await err.textContent(), /already used by another channel \(“Crumb Club”\)/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ch-name', 'focus is on the name');
  await shot(page, 'channels-duplicate');
  await page.getByLabel('Name').fill('Crumb Club Sundays');
  await page.getByTestId('save-channel').click();
  await page.getByTestId('channel-row').filter({ hasText: 'Crumb Club Sundays' }).waitFor();
  const names = (await callApi(app.url, 'ListChannels')).map((c) => c.name);
  assert.equal(names.filter((n) => n.toLowerCase().replace(/\s+/g, ' ').trim() === 'crumb club').length, 1);
});

test('forms: limits as the Go rules, required marked, focus to the first error, language from a searchable list', async () => {
  await page.goto(app.url + '/#/channels');
  await page.getByTestId('new-channel').click();
  const form = page.getByTestId('channel-form');
  // Limits.
  for (const [label, max] of [['Name', 100], ['Niche', 100], ['Audience', 300]]) {
    const input = form.getByLabel(label);
    assert.equal(await input.getAttribute('maxlength'), String(max), label);
    await input.fill('x'.repeat(max + 20));
    assert.equal((await input.inputValue()).length, max, `${label} takes at most ${max} characters`);
    await input.fill('');
  }
  // Required marked.
  for (const id of ['ch-name', 'ch-niche', 'ch-format', 'ch-cadence', 'ch-language']) {
    assert.match(await form.locator(`label[for="${id}"]`).textContent(), /\*/, `${id} is marked required`);
  }
  assert.equal(await form.locator('#ch-name').getAttribute('aria-required'), 'true');
  assert.doesNotMatch(await form.locator('label[for="ch-audience"]').textContent(), /\*/);
  // Focus goes to the first field in error, in the order of the form.
  await page.getByTestId('save-channel').click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ch-name');
  await form.getByLabel('Name').fill('Cantinho da Vovó');
  await page.getByTestId('save-channel').click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ch-niche');
  await form.getByLabel('Niche').fill('receitas de família');
  // Language: type to search in English or the language's own name.
  const lang = form.locator('#ch-language');
  await lang.click();
  await lang.fill('portu');
  const list = page.getByTestId('language-list');
  await list.waitFor();
  const codes = await list.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.ok(codes.includes('pt-BR') && codes.includes('pt-PT'), `matches: ${codes}`);
  await shot(page, 'channels-language');
  await lang.fill('brasil');
  await list.locator('[data-code="pt-BR"]').click();
  assert.match(await lang.inputValue(), /Portuguese \(Brazil\)/);
  await lang.fill('xyzzy');
  assert.match(await list.textContent(), /No language matches/);
  await lang.press('Escape');
  assert.equal(await form.isVisible(), true, 'Esc in the list closes the list, not the panel');
  await lang.fill('日本');
  await lang.press('Enter');
  assert.match(await lang.inputValue(), /Japanese/);
  await page.getByTestId('save-channel').click();
  await page.getByTestId('channel-row').filter({ hasText: 'Cantinho da Vovó' }).waitFor();
  const saved = (await callApi(app.url, 'ListChannels')).find((c) => c.name === 'Cantinho da Vovó');
  assert.equal(saved.language, 'ja');
  // The list is the Go side's.
  const served = (await callApi(app.url, 'Languages')).map((l) => l.code);
  assert.ok(served.includes('ja') && served.includes('pt-BR'));
  assert.deepEqual(errors, []);
});

test('the palette does things: new channel, a Settings section, autopilot, a package, sync now', async () => {
  await page.goto(app.url + '/#/dashboard');
  await page.getByTestId('health-line').waitFor();
  const palette = page.getByTestId('palette');
  const run = async (text, pick) => {
    await page.keyboard.press('Control+k');
    await palette.waitFor();
    await page.getByTestId('palette-input').fill(text);
    const item = pick ? page.getByTestId('palette-item').filter({ hasText: pick }) : page.getByTestId('palette-item').first();
    await item.first().waitFor();
    await item.first().click();
    await palette.waitFor({ state: 'hidden' });
  };

  // Rows are centred: each label's middle is the row's middle, and every
  // label starts at the same x.
  await page.keyboard.press('Control+k');
  await palette.waitFor();
  const rows = await page.getByTestId('palette-item').evaluateAll((els) =>
    els.map((b) => {
      const r = b.getBoundingClientRect();
      const l = b.querySelector('.label').getBoundingClientRect();
      return { mid: r.top + r.height / 2, label: l.top + l.height / 2, left: l.left };
    }),
  );
  assert.ok(rows.length > 8);
  for (const r of rows) assert.ok(Math.abs(r.mid - r.label) <= 1.5, `label off centre: ${JSON.stringify(r)}`);
  assert.equal(new Set(rows.map((r) => Math.round(r.left))).size, 1, 'labels start at different x');
  await page.getByTestId('palette-input').fill('finan');
  await shot(page, 'palette');
  await page.keyboard.press('Escape');

  await run('new channel');
  await page.getByTestId('channel-form').waitFor();
  assert.match(page.url(), /#\/channels$/);
  await page.keyboard.press('Escape');

  await run('settings sync', 'Settings → Sync');
  await page.getByTestId('sync-settings').waitFor();
  assert.match(page.url(), /section=sync/);

  await run('autopilot crumb club', 'Switch autopilot on for Crumb Club');
  await until(async () => (await callApi(app.url, 'ListChannels')).find((c) => c.name === 'Crumb Club').autopilot, 10000);
  await run('autopilot crumb club', 'Switch autopilot off for Crumb Club');
  await until(async () => !(await callApi(app.url, 'ListChannels')).find((c) => c.name === 'Crumb Club').autopilot, 10000);

  const before = (await callApi(app.url, 'ListPackages', chans[1].id)).length;
  await run('generate night bus', 'Generate a package for Night Bus');
  await page.getByTestId('steps').waitFor();
  assert.match(page.url(), new RegExp(`channel=${chans[1].id}&package=`));
  await until(async () => (await callApi(app.url, 'ListPackages', chans[1].id)).length === before + 1, 10000);

  await run('sync now');
  await page.getByTestId('toast').filter({ hasText: /Sync is not set up yet/ }).waitFor();
  await page.getByTestId('sync-settings').waitFor();
  assert.deepEqual(errors, []);
});

test('the dashboard adds a channel in one click', async () => {
  const fresh = await startServe();
  const { browser: b, page: p, errors: errs } = await openPage(fresh.url + '/#/dashboard');
  try {
    await p.getByTestId('dash-add-channel').click();
    await p.getByTestId('channel-form').waitFor();
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'ch-name');
    await p.reload(); // the address no longer asks for the form
    await p.getByRole('heading', { name: 'No channels yet' }).waitFor();
    assert.equal(await p.getByTestId('channel-form').count(), 0);
    assert.deepEqual(errs, []);
  } finally {
    await b.close();
    await fresh.stop();
  }
});

test('connection errors show as sentences; the technical text goes to the log', async () => {
  await page.goto(app.url + '/#/settings?section=providers');
  await page.getByTestId('test-groq').click();
  const result = page.getByTestId('test-result-groq');
  await result.waitFor();
  const text = await result.textContent();
  assert.match(text, /Could not reach Groq|could not be reached/);
  await page.goto(app.url + '/#/infrastructure');
  await page.getByTestId('summary').waitFor();
  for (const url of ['/#/settings?section=providers', '/#/infrastructure', '/#/studio', '/#/dashboard']) {
    await page.goto(app.url + url);
    await settled(page);
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /dial tcp|connection refused|(?<!\/\/)127\.0\.0\.1:\d+|connect: |dbus|exec: /, `raw error text on ${url}`);
  }
  // Where the system has no keyring (as on a bare Debian), the key store's
  // warning carries the shell's error text: the page shows the sentence
  // around it, the log has it.
  const warning = (await callApi(app.url, 'ListProviders')).key_warning;
  if (/dbus|exec: /.test(warning)) {
    await page.goto(app.url + '/#/settings?section=providers');
    const shown = await page.getByTestId('key-warning').textContent();
    assert.doesNotMatch(shown, /dbus|exec:|\$PATH/);
    assert.match(shown, /No system keyring is available/);
    await until(() => app.log().includes('dashboard error') && /dbus-launch/.test(app.log()), 10000);
  }
  assert.deepEqual(errors, []);
});

test("the browser's download keeps the title's accented letters and whole words", async () => {
  // The title as the tests before left it, named again.
  const was = await callApi(app.url, 'GetPackage', pkgs[0].id);
  const title = 'Ça coûte combien ? 6 erros de finanças pessoais que todo iniciante comete';
  const p = await callApi(app.url, 'SavePackage', { id: was.id, channel_id: was.channel_id, status: was.status, topic: was.topic, title, content: was.content });
  assert.equal(p.title, title);
  await page.goto(`${app.url}/#/studio?channel=${chans[0].id}&package=${p.id}`);
  for (const [id, ext] of [['export-markdown', 'md'], ['export-json', 'json']]) {
    const link = page.getByTestId(id);
    await link.waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(dl.suggestedFilename(), `ça-coûte-combien-6-erros-de-finanças-pessoais-que-todo-iniciante-comete.${ext}`);
  }
  assert.deepEqual(errors, []);
});
