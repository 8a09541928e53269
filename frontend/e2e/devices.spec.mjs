import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, openPage, shot, callApi } from './harness.mjs';
import { startSupabase } from './supabase.mjs';

// Two devices on one account (a laptop and a home server, both real
// `tubeagency serve` processes) against the Supabase stand-in: Settings →
// Autopilot lists both, names this computer, and a host picked on one
// device reaches the other; Settings → Sync says how changes are fetched
// and repairs clocks.

let supa, laptop, server, browser, page, errors;

async function until(what, check, ms = 40000) {
  let last;
  for (const stop = Date.now() + ms; Date.now() < stop; await new Promise((r) => setTimeout(r, 250))) {
    last = await check();
    if (last) return last;
  }
  assert.fail(`${what}: not within ${ms / 1000} s`);
}

before(async () => {
  supa = await startSupabase();
  laptop = await startServe();
  server = await startServe();
  for (const name of ['Crumb Club', 'Night Sky Notes']) {
    await callApi(laptop.url, 'CreateChannel', {
      name, niche: 'home baking', language: 'en', audience: 'busy parents', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
    });
  }
  for (const app of [laptop, server]) await callApi(app.url, 'SaveSyncSettings', { url: supa.url, anon_key: supa.anon_key });
  await callApi(laptop.url, 'SyncSignUp', { email: 'two@example.com', password: 'a good password' });
  await callApi(server.url, 'SyncSignIn', { email: 'two@example.com', password: 'a good password' });
  await callApi(server.url, 'RenameDevice', 'Home server');
  ({ browser, page, errors } = await openPage(laptop.url + '/#/settings?section=autopilot', { width: 1280, height: 1000 }));
});
after(async () => {
  await browser?.close();
  await laptop?.stop();
  await server?.stop();
  await supa?.stop();
});

test('Settings → Autopilot names this computer and lists the other device', async () => {
  const hosts = page.getByTestId('autopilot-hosts');
  await hosts.waitFor();
  await page.getByLabel("This computer's name").fill('');
  await page.getByTestId('device-rename').click();
  assert.match(await page.getByTestId('error-name').textContent(), /^This computer's name is required/);
  await page.getByLabel("This computer's name").fill('Laptop');
  await page.getByTestId('device-rename').click();
  await page.getByTestId('device-list').filter({ hasText: 'This computer — Laptop' }).waitFor();
  // The server's heartbeat arrives through sync; the list follows the sync event.
  await until('the home server in the laptop\'s list', async () => {
    await callApi(laptop.url, 'SyncNow');
    return (await callApi(laptop.url, 'AutopilotHosts')).devices.some((d) => d.name === 'Home server');
  });
  await page.getByTestId('device-list').filter({ hasText: 'Home server (server)' }).waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId('hosts-note').count(), 0, 'hosts are shared once both devices are signed in');
  assert.equal(await page.getByTestId('host-row').count(), 2);
});

test('a host picked on the laptop reaches the home server', async () => {
  const serverID = (await callApi(server.url, 'AutopilotHosts')).this_device;
  const pick = page.getByLabel('Device that runs autopilot for Crumb Club');
  await pick.selectOption(serverID);
  const v = await until('the laptop saved the host', async () => {
    const v = await callApi(laptop.url, 'AutopilotHosts');
    return v.channels.find((c) => c.name === 'Crumb Club' && c.host === serverID) && v;
  }, 10000);
  assert.ok(v);
  await until('the home server sees itself as the host', async () => {
    const s = await callApi(server.url, 'AutopilotHosts');
    return s.channels.find((c) => c.name === 'Crumb Club')?.host === serverID;
  });
  await page.getByTestId('autopilot-hosts').scrollIntoViewIfNeeded();
  await shot(page, 'devices-autopilot-hosts');
  assert.equal(await pick.inputValue(), serverID);
});

test('Settings → Sync says how changes arrive, and Repair clocks answers', async () => {
  await page.goto(laptop.url + '/#/settings?section=sync');
  await page.getByTestId('sync-state').filter({ hasText: 'Synced' }).waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('sync-pull').textContent(), /^Checking for changes every 5 s, one request each time\.$/);
  await page.getByTestId('sync-repair').click();
  assert.match(await page.getByTestId('sync-repair-result').textContent(), /Nothing needed repairing/);
  await page.getByTestId('sync-tools').scrollIntoViewIfNeeded();
  await shot(page, 'devices-sync-tools');
  assert.deepEqual(errors, []);
});
