import { describe, expect, it } from 'vitest';
import { NEVER, clock, date, dateTime, duration, hourMinute, relative, timeOfDay, toMillis, todayOrTomorrow } from './time';

const now = Date.UTC(2026, 2, 14, 12, 0, 0);

describe('toMillis', () => {
  it('reads unix milliseconds and RFC 3339 strings', () => {
    expect(toMillis(now)).toBe(now);
    expect(toMillis('2026-03-14T12:00:00Z')).toBe(now);
    expect(toMillis('2026-03-14T13:00:00+01:00')).toBe(now);
  });
  it.each([
    ['0', 0],
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ["Go's zero time", '0001-01-01T00:00:00Z'],
    ['a negative time', -5],
    ['a word', 'soon'],
    ['NaN', Number.NaN],
  ])('reads %s as never', (_, t) => expect(toMillis(t as never)).toBe(0));
});

describe('never reaches the page as a date', () => {
  const zeros = [0, null, undefined, '', '0001-01-01T00:00:00Z'];
  it.each(zeros)('%j shows as —', (t) => {
    expect(dateTime(t)).toBe(NEVER);
    expect(date(t)).toBe(NEVER);
    expect(timeOfDay(t)).toBe(NEVER);
    expect(relative(t, now)).toBe(NEVER);
  });
  it('says what a caller asks for instead', () => {
    expect(relative(0, now, 'never')).toBe('never');
    expect(dateTime(null, 'not yet')).toBe('not yet');
    expect(date('', undefined, 'no date')).toBe('no date');
  });
});

describe('dates', () => {
  it('formats a time in the locale, from either encoding', () => {
    const want = new Date(now).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    expect(dateTime(now)).toBe(want);
    expect(dateTime('2026-03-14T12:00:00Z')).toBe(want);
    expect(date(now)).toBe(new Date(now).toLocaleDateString());
    expect(date(now, { month: 'long', year: 'numeric', timeZone: 'UTC' })).toBe(
      new Date(now).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }),
    );
    expect(timeOfDay(now)).toBe(new Date(now).toLocaleTimeString());
  });
});

describe('relative', () => {
  it.each([
    [-3_000, 'just now'],
    [-45_000, '45 seconds ago'],
    [-61_000, 'a minute ago'],
    [-5 * 60_000, '5 minutes ago'],
    [-3_600_000, 'an hour ago'],
    [-2 * 3_600_000, '2 hours ago'],
    [-47 * 3_600_000, '47 hours ago'],
    [-3 * 86_400_000, '3 days ago'],
    [5_000, 'in a moment'],
    [30_000, 'in 30 seconds'],
    [10 * 60_000, 'in 10 minutes'],
    [5 * 3_600_000, 'in 5 hours'],
    [4 * 86_400_000, 'in 4 days'],
  ])('%d ms from now reads %s', (d, want) => expect(relative(now + d, now)).toBe(want));
  it('takes RFC 3339 strings too', () => expect(relative('2026-03-14T11:00:00Z', now)).toBe('an hour ago'));
});

describe('clock', () => {
  it.each([
    [0, '0:00'],
    [65, '1:05'],
    [599.9, '9:59'],
    [3725, '1:02:05'],
    [-4, '0:00'],
    [Number.NaN, '0:00'],
  ])('%d s → %s', (s, want) => expect(clock(s)).toBe(want));
});

describe('duration', () => {
  it.each([
    [0, '0 min 0 s'],
    [247, '4 min 7 s'],
    [3 * 3600 + 5 * 60, '3 h 5 min'],
    [2 * 86400 + 3 * 3600 + 59, '2 d 3 h'],
  ])('%d s → %s', (s, want) => expect(duration(s)).toBe(want));
});

describe('todayOrTomorrow', () => {
  // Late in the evening: a time the next morning is less than 20 hours away, and
  // one the morning after that is the day after tomorrow.
  const now = new Date(2026, 11, 6, 23, 30).getTime();
  it('says the clock time alone today', () => {
    const t = new Date(2026, 11, 6, 23, 45).getTime();
    expect(todayOrTomorrow(t, now)).toBe(hourMinute(t));
  });
  it('says "tomorrow at" for the next calendar day, however close or far', () => {
    const soon = new Date(2026, 11, 7, 0, 15).getTime();
    const late = new Date(2026, 11, 7, 23, 0).getTime();
    expect(todayOrTomorrow(soon, now)).toBe(`tomorrow at ${hourMinute(soon)}`);
    expect(todayOrTomorrow(late, now)).toBe(`tomorrow at ${hourMinute(late)}`);
  });
  it('gives the date after that, and never for no time', () => {
    const t = new Date(2026, 11, 8, 8, 0).getTime();
    expect(todayOrTomorrow(t, now)).toBe(dateTime(t));
    expect(todayOrTomorrow(0, now)).toBe(NEVER);
    expect(todayOrTomorrow('', now, 'later')).toBe('later');
  });
});
