import { describe, expect, it } from 'vitest';
import { explain, newer, slotHourText } from './publish';
import { hourMinute } from '../lib/time';
import type { PublishProgress } from '../lib/api';

const view = (job_id: string, state: string, at: string | undefined, sent = 0): PublishProgress =>
  ({ job_id, package_id: 'p', channel_id: 'c', state, sent, total: 100, bytes_per_sec: 0, at }) as PublishProgress;

describe('newer', () => {
  it('keeps a later event over a call answer that arrived after it', () => {
    const event = view('j', 'deferred', '2026-12-06T01:36:23.233Z');
    const answer = view('j', 'queued', '2026-12-06T01:36:23.228Z');
    expect(newer(event, answer)).toBe(event);
  });
  it('takes a record changed after the last event', () => {
    const event = view('j', 'deferred', '2026-12-06T01:36:23.233Z');
    const record = view('j', 'cancelled', '2026-12-06T01:36:30.000Z');
    expect(newer(event, record)).toBe(record);
  });
  it('keeps the live byte count on a tie', () => {
    const event = view('j', 'uploading', '2026-12-06T01:36:23.233Z', 40);
    expect(newer(event, view('j', 'uploading', '2026-12-06T01:36:23.233Z', 0))).toBe(event);
  });
  it('takes another job, and either side when one is missing', () => {
    const a = view('a', 'done', '2026-12-06T01:36:23.233Z');
    const b = view('b', 'queued', '2026-12-06T01:00:00.000Z');
    expect(newer(a, b)).toBe(b);
    expect(newer(null, b)).toBe(b);
    expect(newer(a, null)).toBe(a);
  });
  it('treats a missing time as older than any time', () => {
    const timed = view('j', 'deferred', '2026-12-06T01:36:23.233Z');
    expect(newer(timed, view('j', 'queued', undefined))).toBe(timed);
    expect(newer(view('j', 'queued', undefined), timed)).toBe(timed);
  });
});

describe('slotHourText', () => {
  it('says the best hour comes from analytics, else the channel time', () => {
    expect(slotHourText({ hour: 20, minute: 0, hour_source: 'analytics' })).toBe(
      'Free slots at 20:00, the best hour from your analytics (your past uploads did best then).',
    );
    expect(slotHourText({ hour: 9, minute: 30, hour_source: 'preferred' })).toMatch(/^Free slots at 09:30, this channel's publishing time\./);
    expect(slotHourText({ hour: 17, minute: 0, hour_source: 'default' })).toMatch(/^Free slots at 17:00\. Set a publishing time/);
  });
});

describe('explain', () => {
  // A quota wait names when the upload resumes: the clock time when that is
  // today, "tomorrow at" when it is tomorrow (YouTube's day ends at midnight
  // Pacific time, which is morning or afternoon elsewhere).
  const deferred = (run_after: string) =>
    ({ ...view('j', 'deferred', '2026-12-06T08:40:00Z'), run_after, note: 'quotaExceeded' }) as PublishProgress;
  it('says when a spent quota resets, today or tomorrow', () => {
    const now = new Date(2026, 11, 6, 8, 40).getTime();
    const today = new Date(2026, 11, 6, 17, 0);
    const tomorrow = new Date(2026, 11, 7, 8, 0);
    expect(explain(deferred(today.toISOString()), now)).toBe(
      `YouTube's daily upload limit is used; this upload waits until ${hourMinute(today.getTime())}.`,
    );
    expect(explain(deferred(tomorrow.toISOString()), now)).toBe(
      `YouTube's daily upload limit is used; this upload waits until tomorrow at ${hourMinute(tomorrow.getTime())}.`,
    );
  });
});
