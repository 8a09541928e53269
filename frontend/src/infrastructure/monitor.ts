// Typed calls and DTOs of the monitor (app/monitor_api.go, app/monitor).
import { call } from '../lib/api';

export type Health = 'green' | 'amber' | 'red' | 'grey';

export interface ProviderView {
  name: string;
  label: string;
  state: string; // healthy, degraded, breaker_open, misconfigured, disabled
  message?: string;
  breaker: string; // closed, half-open, open
  latency_p50_ms: number;
  latency_p95_ms: number;
  success_rate: number;
  requests: number;
  failures: number;
  quota_used: number;
  quota_limit: number; // 0 = unlimited
  last_error?: string;
  last_check?: string;
  check_failed: boolean;
  error_rate_5m: number;
  calls_5m: number;
  failed_checks: number;
  availability: number; // 30-day ratio, -1 = never checked
  health: Health;
}

export interface LimiterStatus {
  name: string;
  tokens_left: number;
  burst: number;
  per_minute: number;
}

export interface CacheTier {
  tier: string;
  hits: number;
  lookups: number;
  hit_rate: number;
  bytes: number;
  max_bytes: number;
}

export interface Availability {
  provider: string;
  checks: number;
  passed: number;
  ratio: number;
  daily: number[]; // oldest first, -1 = no checks that day
}

export interface Alert {
  key: string;
  rule: string;
  subject: string;
  severity: 'warn' | 'bad';
  message: string;
  value: number;
  threshold: number;
  raised_at: string;
  resolved_at?: string;
  resolved_message: string;
  active: boolean;
}

export interface AlertEvent {
  type: 'raised' | 'resolved';
  alert: Alert;
}

export interface Rule {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  threshold: number;
  default: number;
  unit: string;
  min: number;
  max: number;
  severity: string;
}

export interface Snapshot {
  at: string;
  uptime_secs: number;
  summary: { green: boolean; level: 'green' | 'amber' | 'red'; text: string; problems: string[] };
  providers: ProviderView[];
  cache: { available: boolean; tiers: CacheTier[]; misses: number; entries: number; evictions: number };
  limiters: LimiterStatus[];
  pool: {
    available: boolean;
    size: number;
    busy: number;
    waiting: number;
    min: number;
    max: number;
    utilisation: number;
    completed: number;
    job_wait_p95_ms: number;
    jobs_timed: number;
  };
  sync: {
    available: boolean;
    state: string;
    last_sync: number;
    pending: number;
    dead_letters: number;
    lag_ms: number;
    last_error: string;
    pushed: number;
    pulled: number;
    failures: number;
    failing_secs: number;
  };
  store: { db_bytes: number; wal_bytes: number; outbox: number };
  disk: { free_bytes: number; total_bytes: number };
  process: { memory_bytes: number; cpu_percent: number; cpus: number; goroutines: number };
  availability: Availability[];
  alerts: Alert[];
}

export interface AlertList {
  active: Alert[];
  resolved: Alert[];
}

export const monitorApi = {
  snapshot: () => call<Snapshot>('Infrastructure'),
  alerts: () => call<AlertList>('ListAlerts'),
  rules: () => call<Rule[]>('ListAlertRules'),
  updateRule: (id: string, enabled: boolean, threshold: number) =>
    call<Rule>('UpdateAlertRule', id, { enabled, threshold }),
  availability: (days: number) => call<Availability[]>('ProviderAvailability', days),
};
