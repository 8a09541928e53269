import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from './api';
import { errorText, sentence, showError } from './errors';

const invalid = (fields: Record<string, string>) =>
  new ApiError(Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; '), 'invalid', fields, 422);

describe('showError', () => {
  it('puts each named field next to its input, with the words that start its sentence', () => {
    const s = showError(invalid({ cadence: 'must be between 0.1 and 50' }), { cadence: 'Videos per week' });
    expect(s).toEqual({ fields: { cadence: 'Videos per week must be between 0.1 and 50' }, form: '' });
  });
  it("shows the server's sentence alone, capitalised, for an input without a subject", () => {
    const s = showError(invalid({ published_at: 'must be a date such as 2025-03-14' }), { published_at: '' });
    expect(s.fields.published_at).toBe('Must be a date such as 2025-03-14');
  });
  it('keys fields by their JSON path', () => {
    const s = showError(invalid({ 'content.tags': 'has 31 tags: keep it to 30' }), { 'content.tags': 'The tags' });
    expect(s.fields).toEqual({ 'content.tags': 'The tags has 31 tags: keep it to 30' });
  });
  it('shows the message for the form when the form has no input for a field', () => {
    const s = showError(invalid({ name: 'names no provider' }), { model: 'The model' });
    expect(s.fields).toEqual({});
    expect(s.form).toBe('Name: names no provider');
  });
  it('shows the message for the form when no field is named', () => {
    expect(showError(new ApiError('the operation took too long and was stopped: try again', 'timeout'))).toEqual({
      fields: {},
      form: 'The operation took too long and was stopped: try again',
    });
  });
  it('asks a function which inputs a path has', () => {
    const where = (p: string) => (p.startsWith('payload.') ? `“${p.slice(8)}”` : undefined);
    const s = showError(invalid({ 'payload.name': 'must be at most 100 characters' }), where);
    expect(s.fields).toEqual({ 'payload.name': '“name” must be at most 100 characters' });
  });
  it('never treats inherited names as inputs', () => {
    expect(showError(invalid({ toString: 'is odd' })).form).toBe('ToString: is odd');
  });
  it('reads the desktop rejection, a JSON string, the same way', () => {
    const s = showError('{"code":"invalid","message":"topic: is required","fields":{"topic":"is required"}}', { topic: 'The topic' });
    expect(s.fields.topic).toBe('The topic is required');
  });
  it('reads errors that are not from the Go side', () => {
    expect(showError(new TypeError('Failed to fetch')).form).toBe('Failed to fetch');
    expect(toApiError(new TypeError('x')).code).toBe('network');
  });
});

describe('errorText', () => {
  it('is the field sentence when the form has one place for errors', () => {
    expect(errorText(invalid({ key: 'must be at least 8 characters' }), { key: 'The key' })).toBe('The key must be at least 8 characters');
  });
  it('is the message otherwise', () => {
    expect(errorText(new ApiError('package not found', 'not_found'))).toBe('Package not found');
  });
});

describe('sentence', () => {
  it('starts a predicate with the subject and leaves other sentences whole', () => {
    expect(sentence('The file', 'is empty: export the table')).toBe('The file is empty: export the table');
    expect(sentence('The file', 'line 3, column "Views": not a number')).toBe('Line 3, column "Views": not a number');
    expect(sentence('', 'is required')).toBe('Is required');
  });
});

describe('plain', () => {
  it('keeps sentences as they are', async () => {
    const { plain } = await import('./errors');
    for (const s of [
      'The name is required',
      'Could not reach Groq in 5 s.',
      'Videos per week must be between 0.1 and 50',
      'Saved. The change will sync with your other devices.',
      'Groq asked for a pause (rate limit); other providers answer until it ends.',
    ]) {
      expect(plain(s)).toBe(s);
    }
  });
  it('puts a sentence in place of technical text, keeping the plain lead', async () => {
    const { plain } = await import('./errors');
    expect(plain('Could not reach Groq: dial tcp 127.0.0.1:5: connect: connection refused')).toBe(
      'Could not reach Groq. It could not be reached: check the address and the internet connection.',
    );
    expect(plain('push: Post "https://x.supabase.co/rest/v1/channels": dial tcp: lookup x.supabase.co on 127.0.0.53:53: no such host')).toBe(
      'The address could not be found: check it, and the internet connection.',
    );
    expect(plain('open keyring: exec: "dbus-launch": executable file not found in $PATH')).toBe('The system keyring is not available on this computer.');
    expect(plain('sql: database is locked')).toBe("The app's database is busy: try again in a moment.");
    expect(plain('sql: no rows in result set')).toBe('Something went wrong; the details are in the log.');
    expect(plain('Sync is failing: context deadline exceeded')).toBe('Sync is failing. It took too long to answer.');
  });
  it('drops a technical part in brackets and keeps the sentence', async () => {
    const { plain } = await import('./errors');
    expect(
      plain('No system keyring is available (exec: "dbus-launch": executable file not found in $PATH), so API keys are stored in /home/a/.config/TubeAgency/secrets.json, readable only by your user account.'),
    ).toBe('No system keyring is available, so API keys are stored in /home/a/.config/TubeAgency/secrets.json, readable only by your user account.');
  });
  it('leaves a web address the user typed alone', async () => {
    const { plain } = await import('./errors');
    const s = 'Could not reach Groq at http://127.0.0.1:9/v1: the server refused the connection or could not be reached.';
    expect(plain(s)).toBe(s);
  });
  it('sends the technical text to the app log once', async () => {
    const { plain } = await import('./errors');
    const { setFetch } = await import('./api');
    const sent: unknown[] = [];
    setFetch(async (url, init) => {
      sent.push([String(url), JSON.parse(String(init?.body))]);
      return new Response('null', { status: 200 });
    });
    const raw = 'push: Post "https://p.supabase.co/rest/v1/channels": dial tcp 10.1.2.3:443: i/o timeout';
    plain(raw, 'Settings → Sync');
    plain(raw, 'Settings → Sync');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([['/api/call/ReportUIError', ['Settings → Sync', raw]]]);
  });
  it('never lets an address, a port or an error chain through', async () => {
    const { plain } = await import('./errors');
    for (const raw of [
      'dial tcp [::1]:5432: connect: connection refused',
      'read tcp 10.0.0.2:51234->104.18.1.1:443: read: connection reset by peer',
      'Post "http://127.0.0.1:9/v1/chat/completions": EOF',
      'json: cannot unmarshal string into Go value of type int',
    ]) {
      const out = plain(raw);
      expect(out).not.toMatch(/\d+\.\d+\.\d+\.\d+|:\d{2,5}\b|tcp|json:|EOF/);
    }
  });
});
