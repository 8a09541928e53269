// Settings → Providers and Quick titles talk to the Go side through this
// module (which uses src/lib/api.ts and nothing else).
import { call } from '../lib/api';

export type ProviderState = 'healthy' | 'degraded' | 'breaker_open' | 'misconfigured' | 'disabled';

export interface Snapshot {
  name: string;
  label: string;
  order: number;
  state: ProviderState;
  message?: string;
  offline: boolean;
  breaker: string;
  latency_p50_ms: number;
  latency_p95_ms: number;
  success_rate: number;
  requests: number;
  failures: number;
  rpm: number;
  quota_used: number;
  quota_limit: number;
  quota_left: number;
  last_error?: string;
  last_error_at?: string;
  last_check?: string;
}

export interface ProviderView {
  name: string;
  label: string;
  kind: 'openai' | 'anthropic';
  enabled: boolean;
  model: string;
  base_url: string;
  rpm: number;
  daily_quota: number;
  local: boolean;
  has_key: boolean;
  key_hint: string;
  needs_key: boolean;
  snapshot: Snapshot;
}

export interface TemplateError {
  file: string;
  message: string;
  at: string;
}

export interface ProvidersView {
  providers: ProviderView[];
  key_backend: string;
  key_warning: string;
  key_error: string;
  online: boolean;
  settings_file: string;
  settings_error: string;
  templates_dir: string;
  template_errors: TemplateError[];
  cache: { l1_hits: number; l2_hits: number; misses: number; l2_bytes: number; l2_entries: number; max_bytes: number };
  router: RouterSettings;
}

/** How the router behaves; zero means the default shown in the form. */
export interface RouterSettings {
  deadline_seconds: number;
  health_interval_seconds: number;
  channel_rpm: number;
  global_rpm: number;
  cache_mb: number;
}

export interface ProviderInput {
  name: string;
  enabled: boolean;
  model: string;
  base_url: string;
  rpm: number;
  daily_quota: number;
}

export interface ProviderTest {
  ok: boolean;
  message: string;
  latency_ms: number;
}

export interface TitleOption {
  title: string;
  score: number;
  features: string[];
}

export interface TitlesResult {
  options: TitleOption[];
  provider: string;
  provider_label: string;
  model: string;
  attempts: number;
  cached: boolean;
  fallback: boolean;
  templates: boolean;
  notes: string[];
  latency_ms: number;
}

export const providersApi = {
  list: () => call<ProvidersView>('ListProviders'),
  save: (p: ProviderInput) => call<ProvidersView>('SaveProvider', p),
  setEnabled: (name: string, enabled: boolean) => call<ProvidersView>('SetProviderEnabled', name, enabled),
  reorder: (names: string[]) => call<ProvidersView>('ReorderProviders', names),
  setKey: (name: string, key: string) => call<ProvidersView>('SetProviderKey', name, key),
  clearKey: (name: string) => call<ProvidersView>('ClearProviderKey', name),
  test: (name: string) => call<ProviderTest>('TestProvider', name),
  saveRouter: (r: RouterSettings) => call<ProvidersView>('SaveRouterSettings', r),
  titles: (channelID: string, topic: string, regenerate: boolean) =>
    call<TitlesResult>('GenerateTitles', channelID, topic, regenerate),
};

/** A pill class and a word for a provider's state. */
export function stateLabel(s: ProviderState | undefined): { cls: string; text: string } {
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
