// The one place times and durations become words. A time from the Go side
// is unix milliseconds or an RFC 3339 string; 0, null, undefined, '' and
// Go's zero time ("0001-01-01T00:00:00Z") all mean "never", shown as —, so
// a zero time never reaches the page as 1970 or year 1.

/** A time as the Go side sends it. */
export type When = number | string | null | undefined;

/** What a time that never happened shows as, unless a caller says otherwise. */
export const NEVER = '—';

/** Unix milliseconds of t, or 0 when t means never (or is not a time). */
export function toMillis(t: When): number {
  if (t == null || t === '') return 0;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** "5 Dec 2026, 19:55" in the user's locale. */
export function dateTime(t: When, never = NEVER): string {
  const ms = toMillis(t);
  return ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : never;
}

/** The date alone, in the user's locale (options as Intl takes them). */
export function date(t: When, opts?: Intl.DateTimeFormatOptions, never = NEVER): string {
  const ms = toMillis(t);
  return ms ? new Date(ms).toLocaleDateString(undefined, opts) : never;
}

/** The time of day alone, in the user's locale. */
export function timeOfDay(t: When, never = NEVER): string {
  const ms = toMillis(t);
  return ms ? new Date(ms).toLocaleTimeString() : never;
}

function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Hours and minutes alone ("14:32", or "2:32 PM" where the locale says
 *  so): for a time later today or soon. */
export function hourMinute(t: When, never = NEVER): string {
  const ms = toMillis(t);
  return ms ? new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : never;
}

/** A time in the coming day or so, as people say it: "09:00" when it is
 *  today, "tomorrow at 09:00" when it is tomorrow, else date and time. */
export function todayOrTomorrow(t: When, now = Date.now(), never = NEVER): string {
  const ms = toMillis(t);
  if (!ms) return never;
  const at = new Date(ms);
  const day = new Date(now);
  if (at.toDateString() === day.toDateString()) return hourMinute(ms);
  day.setDate(day.getDate() + 1);
  if (at.toDateString() === day.toDateString()) return `tomorrow at ${hourMinute(ms)}`;
  return dateTime(ms);
}

/** A wait from now until t, short: "30 s", "4 min", "2 h". */
export function waitFor(t: When, now = Date.now()): string {
  const s = Math.max(0, Math.round((toMillis(t) - now) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** How far t is from now in words: "just now", "3 minutes ago", "in 2
 *  hours", "in 4 days". */
export function relative(t: When, now = Date.now(), never = NEVER): string {
  const ms = toMillis(t);
  if (!ms) return never;
  const future = ms > now;
  const s = Math.round(Math.abs(ms - now) / 1000);
  if (s < 10) return future ? 'in a moment' : 'just now';
  let words: string;
  if (s < 60) words = count(s, 'second');
  else if (s < 3600) words = Math.round(s / 60) === 1 ? 'a minute' : count(Math.round(s / 60), 'minute');
  else if (s < 48 * 3600) words = Math.round(s / 3600) === 1 ? 'an hour' : count(Math.round(s / 3600), 'hour');
  else words = count(Math.round(s / 86400), 'day');
  return future ? `in ${words}` : `${words} ago`;
}

/** A length of audio or video: m:ss, or h:mm:ss from an hour on. */
export function clock(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A long span such as an uptime: "2 d 3 h", "3 h 5 min", "4 min 7 s". */
export function duration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}
