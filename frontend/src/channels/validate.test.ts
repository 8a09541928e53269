import { describe, expect, it } from 'vitest';
import { emptyChannel, validateChannel } from './validate';

describe('validateChannel', () => {
  it('accepts a complete channel', () => {
    expect(validateChannel({ ...emptyChannel(), name: 'Cozy Cooking', niche: 'cooking' })).toEqual({});
  });
  it.each([
    ['name', { name: '  ' }, 'Name is required'],
    ['name', { name: 'x'.repeat(101) }, 'Name must be at most 100 characters'],
    ['niche', { niche: '' }, 'Niche is required'],
    ['language', { language: 'english!' }, 'Pick a language from the list'],
    ['language', { language: '' }, 'Pick a language from the list'],
    ['niche', { niche: 'n'.repeat(101) }, 'Niche must be at most 100 characters'],
    ['audience', { audience: 'a'.repeat(301) }, 'Audience must be at most 300 characters'],
    ['cadence', { cadence: 0 }, 'Cadence must be between 0.1 and 50 videos a week'],
    ['cadence', { cadence: Number.NaN }, 'Cadence must be between 0.1 and 50 videos a week'],
    ['youtube_id', { youtube_id: 'UCshort' }, 'A YouTube channel id is UC followed by 22 letters, digits, - or _'],
  ])('rejects a bad %s', (field, patch, message) => {
    const c = { ...emptyChannel(), name: 'A', niche: 'B', ...patch };
    expect(validateChannel(c)[field]).toBe(message);
  });
  it('takes the language from the list the Go side sends, in any case', () => {
    const c = { ...emptyChannel(), name: 'A', niche: 'B' };
    expect(validateChannel({ ...c, language: 'pt-br' }, ['en', 'pt-BR'])).toEqual({});
    expect(validateChannel({ ...c, language: 'xx-YY' }, ['en', 'pt-BR']).language).toBe('Pick a language from the list');
  });
  it('counts characters, not bytes', () => {
    expect(validateChannel({ ...emptyChannel(), name: 'é'.repeat(100), niche: 'x' })).toEqual({});
  });
});
