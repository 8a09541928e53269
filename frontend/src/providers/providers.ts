// Quick titles and the providers' connection test talk to the Go side
// through this module (the provider settings are a store: stores/settings).
import { call, type TitlesResult } from '../lib/api';

export const providersApi = {
  test: (name: string) => call('TestProvider', name),
  titles: (channelID: string, topic: string, regenerate: boolean) =>
    call('GenerateTitles', channelID, topic, regenerate),
};

/** A pill class and a word for a provider's state (healthy, degraded,
 *  breaker_open, misconfigured or disabled). */
export function stateLabel(s: string | undefined): { cls: string; text: string } {
  switch (s) {
    case 'healthy':
      return { cls: 'ok', text: 'Healthy' };
    case 'degraded':
      return { cls: 'warn', text: 'Degraded' };
    case 'breaker_open':
      return { cls: 'bad', text: 'Paused after failures' };
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
