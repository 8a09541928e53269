import { describe, expect, it } from 'vitest';
import type { TitlesResult } from '../lib/api';
import { answeredBy, stateLabel } from './providers';

const base: TitlesResult = {
  options: [], provider: 'groq', provider_label: 'Groq', model: 'm', attempts: 1,
  cached: false, fallback: false, templates: false, notes: [], latency_ms: 1,
};

describe('answeredBy', () => {
  it('names the provider and attempts', () => {
    expect(answeredBy(base)).toBe('Answered by Groq after 1 attempt.');
    expect(answeredBy({ ...base, attempts: 3, fallback: true })).toBe('Answered by Groq after 3 attempts, after the first choice failed.');
  });
  it('says when the templates answered', () => {
    expect(answeredBy({ ...base, provider: 'templates', provider_label: 'Local templates', templates: true, attempts: 4 }))
      .toBe('Local templates answered after 4 attempts: no AI provider could answer.');
  });
  it('says when the cache answered', () => {
    expect(answeredBy({ ...base, cached: true, attempts: 0 })).toBe('From the cache (first answered by Groq).');
  });
});

describe('stateLabel', () => {
  it('maps every state', () => {
    expect(stateLabel('healthy').cls).toBe('ok');
    expect(stateLabel('misconfigured').text).toBe('Needs attention');
    expect(stateLabel('disabled').text).toBe('Off');
  });
});
