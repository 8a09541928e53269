import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, openPage, shot } from './harness.mjs';

let app, browser, page, errors;

before(async () => {
  app = await startServe();
  ({ browser, page, errors } = await openPage(app.url + '/#/channels'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('an empty store explains the first step', async () => {
  await page.getByRole('heading', { name: 'No channels yet' }).waitFor();
  await shot(page, 'channels-empty');
});

test('invalid input shows its message next to the field and saves nothing', async () => {
  await page.getByTestId('new-channel').click();
  await page.getByLabel('Name').fill('');
  await page.getByLabel('Videos per week').fill('0');
  await page.getByTestId('save-channel').click();
  assert.equal(await page.getByTestId('error-name').textContent(), 'Name is required');
  assert.equal(await page.getByTestId('error-niche').textContent(), 'Niche is required');
  assert.match(await page.getByTestId('error-cadence').textContent(), /between 0.1 and 50/);
  await shot(page, 'channels-invalid');
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('channel-row').count(), 0);
});

test('a created channel is still there after a reload', async () => {
  await page.getByTestId('new-channel').click();
  await page.getByLabel('Name').fill('Night Bus Stories');
  await page.getByLabel('Niche').fill('urban legends');
  await page.getByLabel('Audience').fill('night owls who like a scare');
  await page.getByLabel('Format').selectOption('shorts');
  await page.getByLabel('Videos per week').fill('5');
  await page.getByTestId('save-channel').click();
  await page.getByTestId('channel-row').first().waitFor();

  await page.reload();
  const row = page.getByTestId('channel-row').filter({ hasText: 'Night Bus Stories' });
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /urban legends/);
  assert.match(text, /Shorts/);
  assert.match(text, /5 \/ week/);
  // The header counts the writes waiting to upload.
  assert.match(await page.getByTestId('status-badge').textContent(), /Sync off · \d+ waiting/);
  await shot(page, 'channels-list');
});

test('editing and deleting with confirmation', async () => {
  await page.getByRole('button', { name: 'Edit Night Bus Stories' }).click();
  await page.getByLabel('Niche').fill('urban legends and folklore');
  await page.getByTestId('save-channel').click();
  await page.getByText('urban legends and folklore').waitFor();

  await page.getByRole('button', { name: 'Delete Night Bus Stories' }).click();
  await page.getByTestId('confirm-button').click();
  await page.getByRole('heading', { name: 'No channels yet' }).waitFor();
  assert.deepEqual(errors, []);
});
