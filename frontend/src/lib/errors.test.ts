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
