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
    expect(stateLabel('healthy')).toEqual({ cls: 'ok', text: 'Ready' });
    expect(stateLabel('misconfigured').text).toBe('Needs attention');
    expect(stateLabel('disabled').text).toBe('Off');
    expect(stateLabel(undefined).text).toBe('Off');
  });
  it('says until when a provider rests after a rate limit, never "Off"', () => {
    const until = new Date(2026, 4, 3, 14, 32).toISOString();
    const l = stateLabel('cooldown', { cooldownUntil: until, cooldownReason: 'rate limit' });
    expect(l.cls).toBe('warn');
    expect(l.text).toBe(`Resting until ${new Date(until).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })} after a rate limit`);
    expect(l.text).toMatch(/(14|02|2):32/);
    expect(stateLabel('cooldown', { cooldownUntil: until, cooldownReason: 'overloaded' }).text).toMatch(/after being overloaded$/);
    expect(stateLabel('cooldown').text).toBe('Resting after a rate limit');
  });
  it('says when a paused provider is tried again', () => {
    const now = Date.parse('2026-05-03T12:00:00Z');
    expect(stateLabel('breaker_open', { breakerUntil: now + 30_000 }, now).text).toBe('Resting after errors, back in 30 s');
    expect(stateLabel('breaker_open', { breakerUntil: '0001-01-01T00:00:00Z' }, now).text).toBe('Resting after errors, back shortly');
  });
});
