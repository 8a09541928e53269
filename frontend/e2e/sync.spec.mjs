import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, openPage, shot, callApi } from './harness.mjs';
import { startSupabase } from './supabase.mjs';

let supa, app, browser, page, errors;

before(async () => {
  supa = await startSupabase();
  app = await startServe();
  for (const name of ['Crumb Club', 'Night Sky Notes']) {
    await callApi(app.url, 'CreateChannel', {
      name, niche: 'home baking', language: 'en', audience: 'busy parents', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
    });
  }
  ({ browser, page, errors } = await openPage(app.url + '/#/settings?section=sync'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await supa?.stop();
});

test('signed out, the section explains what to do and changes wait', async () => {
  const section = page.getByTestId('sync-settings');
  await section.waitFor();
  assert.match(await page.getByTestId('sync-state').textContent(), /Sync off · \d+ waiting/);
  // The header badge says the same.
  assert.equal(await page.getByTestId('status-badge').textContent(), await page.getByTestId('sync-state').textContent());
  assert.match(await page.getByTestId('sync-needs-project').textContent(), /Save the project URL/);
  assert.match(await page.getByTestId('dead-letters-empty').textContent(), /None\./);
});

test('a plain-http remote URL is refused next to its field', async () => {
  await page.getByLabel('Project URL').fill('http://abcd.supabase.co');
  await page.getByLabel('Anon (public) key').fill(supa.anon_key);
  await page.getByTestId('sync-save').click();
  assert.match(await page.getByTestId('error-url').textContent(), /https/);
  const v = await callApi(app.url, 'SyncStatus');
  assert.equal(v.configured, false, 'a refused URL was saved');
});

test('save the project, create an account, and the queue drains', async () => {
  await page.getByLabel('Project URL').fill(supa.url);
  await page.getByLabel('Anon (public) key').fill(supa.anon_key);
  await page.getByTestId('sync-save').click();
  await page.getByLabel('Email').waitFor();
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('Email').fill('maker@example.com');
  await page.getByTestId('sync-sign-up').click();
  assert.match(await page.getByTestId('error-password').textContent(), /at least 6/);
  await page.getByLabel('Password').fill('a good password');
  await page.getByTestId('sync-sign-up').click();
  await page.getByTestId('sync-account').filter({ hasText: 'maker@example.com' }).waitFor();
  await page.getByTestId('sync-state').filter({ hasText: 'Synced' }).waitFor({ timeout: 20000 });
  const st = await callApi(app.url, 'Status');
  assert.equal(st.outbox, 0);
  assert.equal(st.online, true);
  assert.ok(Date.parse(st.last_sync) > Date.now() - 3600_000, `last sync ${st.last_sync}`);
  await page.getByTestId('status-badge').filter({ hasText: 'synced' }).waitFor({ timeout: 10000 });
  await shot(page, 'sync-settings');
  // The dashboard's health line agrees with the badge: synced, and not all
  // green while no AI provider is set up.
  const dash = await page.context().newPage();
  await dash.goto(app.url + '/#/dashboard');
  const line = dash.getByTestId('health-line').filter({ hasText: 'synced' });
  await line.waitFor({ timeout: 15000 });
  assert.match((await line.textContent()).trim(), /^Working: no AI provider set up, so the local templates write everything; synced/);
  await dash.close();
});

test('a change the server refuses waits as a refused change, is edited and then syncs', async () => {
  assert.equal(await supa.sql('ALTER TABLE public.channels ADD CONSTRAINT short_name CHECK (length(name) <= 20)'), 'ok');
  await callApi(app.url, 'CreateChannel', {
    name: 'A name far longer than twenty', niche: 'home baking', language: 'en', audience: '', format: 'long-form', cadence: 1, youtube_id: '', autopilot: false,
  });
  const item = page.getByTestId('dead-letter');
  await item.waitFor({ timeout: 20000 });
  assert.match(await item.textContent(), /A name far longer than twenty/);
  assert.match(await item.textContent(), /23514/);
  await page.getByTestId('sync-dead-count').filter({ hasText: '1 refused' }).waitFor();
  await item.scrollIntoViewIfNeeded();
  await shot(page, 'sync-dead-letter');

  await page.getByTestId('dead-letter-edit').click();
  const box = page.getByLabel('Fields to save (JSON)');
  await box.fill('{ "name": ');
  await page.getByTestId('dead-letter-save').click();
  assert.match(await page.getByTestId('dead-letter-error').textContent(), /not valid JSON/);
  const fields = { name: 'Shorter name' };
  await box.fill(JSON.stringify(fields));
  await page.getByTestId('dead-letter-save').click();
  await page.getByTestId('dead-letters-empty').waitFor({ timeout: 20000 });
  await page.getByTestId('sync-state').filter({ hasText: 'Synced' }).waitFor({ timeout: 20000 });
  const names = (await callApi(app.url, 'ListChannels')).map((c) => c.name);
  assert.ok(names.includes('Shorter name'), 'the edit did not reach the channel');
});

test('retry sends a refused change again and discard forgets it', async () => {
  await callApi(app.url, 'CreateChannel', {
    name: 'Another name longer than twenty', niche: 'home baking', language: 'en', audience: '', format: 'long-form', cadence: 1, youtube_id: '', autopilot: false,
  });
  const item = page.getByTestId('dead-letter');
  await item.waitFor({ timeout: 20000 });
  const [before] = await callApi(app.url, 'ListDeadLetters');
  await page.getByTestId('dead-letter-retry').click();
  // The change is queued and sent again; the server refuses it again, so it
  // comes back as a new refused change.
  let again = [];
  for (const stop = Date.now() + 20000; Date.now() < stop; await new Promise((r) => setTimeout(r, 100))) {
    again = await callApi(app.url, 'ListDeadLetters');
    if (again.length === 1 && again[0].id !== before.id) break;
  }
  assert.equal(again.length, 1);
  assert.notEqual(again[0].id, before.id, 'the retried change was not sent again');
  assert.equal(again[0].row_id, before.row_id);
  await item.waitFor({ timeout: 20000 });
  await page.getByTestId('dead-letter-discard').click();
  await page.getByTestId('dead-letters-empty').waitFor();
  assert.deepEqual(await callApi(app.url, 'ListDeadLetters'), []);
});

test('signing out keeps working and queues', async () => {
  await page.getByTestId('sync-sign-out').click();
  await page.getByTestId('sync-state').filter({ hasText: 'Signed out' }).waitFor();
  await page.getByTestId('status-badge').filter({ hasText: 'Signed out' }).waitFor();
  await callApi(app.url, 'CreateChannel', {
    name: 'Offline Idea', niche: 'home baking', language: 'en', audience: '', format: 'long-form', cadence: 1, youtube_id: '', autopilot: false,
  });
  const st = await callApi(app.url, 'Status');
  assert.ok(st.outbox > 0, 'the change was not queued');
  assert.deepEqual(errors, []);
});
