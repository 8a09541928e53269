// Quick titles and the providers' connection test talk to the Go side
// through this module (the provider settings are a store: stores/settings).
import { call, type TitlesResult } from '../lib/api';
import { hourMinute, toMillis, waitFor, type When } from '../lib/time';

export const providersApi = {
  test: (name: string) => call('TestProvider', name),
  titles: (channelID: string, topic: string, regenerate: boolean) =>
    call('GenerateTitles', channelID, topic, regenerate),
};

/** When a resting provider answers again: the end of the pause it asked
 *  for (with why), or when its breaker lets a request through. */
export interface Rest {
  cooldownUntil?: When;
  /** "rate limit" or "overloaded". */
  cooldownReason?: string;
  breakerUntil?: When;
}

/** A pill class and words for a provider's state (healthy, degraded,
 *  cooldown, breaker_open, misconfigured or disabled), for creators:
 *  "Resting until 14:32 after a rate limit". */
export function stateLabel(s: string | undefined, rest: Rest = {}, now = Date.now()): { cls: string; text: string } {
  switch (s) {
    case 'healthy':
      return { cls: 'ok', text: 'Ready' };
    case 'degraded':
      return { cls: 'warn', text: 'Slow or failing at times' };
    case 'cooldown': {
      const why = rest.cooldownReason === 'overloaded' ? 'after being overloaded' : 'after a rate limit';
      return { cls: 'warn', text: toMillis(rest.cooldownUntil) ? `Resting until ${hourMinute(rest.cooldownUntil)} ${why}` : `Resting ${why}` };
    }
    case 'breaker_open':
      return {
        cls: 'bad',
        text: toMillis(rest.breakerUntil) > now ? `Resting after errors, back in ${waitFor(rest.breakerUntil, now)}` : 'Resting after errors, back shortly',
      };
    case 'misconfigured':
      return { cls: 'bad', text: 'Needs attention' };
    default:
      return { cls: '', text: 'Off' };
  }
}

/** The sentence under Quick titles that says who answered. */
export function answeredBy(r: TitlesResult): string {
  const attempts = r.attempts === 1 ? '1 attempt' : `${r.attempts} attempts`;
  if (r.cached) return `From the cache (first answered by ${r.provider_label}).`;
  if (r.templates) return `Local templates answered after ${attempts}: no AI provider could answer.`;
  return `Answered by ${r.provider_label} after ${attempts}${r.fallback ? ', after the first choice failed' : ''}.`;
}
