// The YouTube quota in a creator's words: "YouTube uploads today: 3 of 100
// · resets at 09:00". The buckets come with the monitor's snapshot.
import type { QuotaBucket } from '../lib/api';
import { todayOrTomorrow, toMillis } from '../lib/time';

/** When the quota resets, from now: "at 09:00", "tomorrow at 09:00", or
 *  "in a moment" when the reset has passed (the next snapshot shows the new day). */
export function resetWords(reset: QuotaBucket['reset'], now = Date.now()): string {
  const ms = toMillis(reset);
  if (!ms) return '';
  if (ms <= now) return 'in a moment';
  const words = todayOrTomorrow(ms, now);
  return words.startsWith('tomorrow') ? words : 'at ' + words;
}

/** One bucket as a sentence: "YouTube uploads today: 3 of 100 · resets at 09:00". */
export function quotaLine(b: QuotaBucket, now = Date.now()): string {
  const r = resetWords(b.reset, now);
  return `${b.label}: ${b.used.toLocaleString()} of ${b.limit.toLocaleString()}${r ? ' · resets ' + r : ''}`;
}

/** What a full bucket means for the creator, or '' while there is room. */
export function quotaAdvice(b: QuotaBucket, now = Date.now()): string {
  if (b.used < b.limit) return '';
  const r = resetWords(b.reset, now);
  return b.bucket === 'videos.insert'
    ? `No upload can start until the quota resets${r ? ' ' + r : ''}; waiting uploads go then, nothing is lost.`
    : `Thumbnails and captions wait until the quota resets${r ? ' ' + r : ''}.`;
}
