import { describe, it, expect } from 'vitest';
import { quotaAdvice, quotaLine, resetWords } from './youtube';
import { hourMinute } from '../lib/time';

// A reset later the same local day and one on the next day, from a fixed "now".
const now = new Date(2026, 11, 6, 2, 30).getTime();
const laterToday = new Date(2026, 11, 6, 9, 0);
const tomorrow = new Date(2026, 11, 7, 9, 0);
const bucket = (used: number, reset: Date | string, b = 'videos.insert', label = 'YouTube uploads today') => ({
  bucket: b,
  label,
  used,
  limit: b === 'videos.insert' ? 100 : 10000,
  reset: typeof reset === 'string' ? reset : reset.toISOString(),
});

describe('YouTube quota words', () => {
  it('says how many uploads are used and when they reset', () => {
    expect(quotaLine(bucket(3, laterToday), now)).toBe(`YouTube uploads today: 3 of 100 · resets at ${hourMinute(laterToday.getTime())}`);
  });
  it('says tomorrow when the reset is after local midnight', () => {
    expect(resetWords(tomorrow.toISOString(), now)).toBe(`tomorrow at ${hourMinute(tomorrow.getTime())}`);
  });
  it('never shows a zero time or a past reset as a clock time', () => {
    expect(quotaLine(bucket(0, '0001-01-01T00:00:00Z'), now)).toBe('YouTube uploads today: 0 of 100');
    expect(resetWords(new Date(now - 60_000).toISOString(), now)).toBe('in a moment');
  });
  it('groups large numbers and explains a spent bucket', () => {
    const units = bucket(10000, laterToday, 'units', 'YouTube API units today');
    expect(quotaLine(units, now)).toContain((10000).toLocaleString() + ' of ' + (10000).toLocaleString());
    expect(quotaAdvice(units, now)).toMatch(/^Thumbnails and captions wait until the quota resets at /);
    expect(quotaAdvice(bucket(100, laterToday), now)).toMatch(/^No upload can start until the quota resets at .*nothing is lost\.$/);
    expect(quotaAdvice(bucket(99, laterToday), now)).toBe('');
  });
});
