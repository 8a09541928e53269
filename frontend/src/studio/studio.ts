// The Studio, Autopilot and dashboard cards talk to the Go side through this
// module, which uses src/lib/api.ts and nothing else.
import { call, isDesktop, type Meta } from '../lib/api';

export const STEPS = ['ideas', 'titles', 'script', 'description', 'tags', 'thumbnail', 'voice'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Record<Step, string> = {
  ideas: 'Ideas',
  titles: 'Titles',
  script: 'Hook & script',
  description: 'Description',
  tags: 'Tags',
  thumbnail: 'Thumbnail text',
  voice: 'Voice-over',
};

export interface TitleOption {
  text: string;
  score: number;
  features?: string[];
  /** true when the channel's own trained model made the score */
  calibrated?: boolean;
}
export interface ScriptSection {
  heading: string;
  /** what the narrator says, as one block */
  text: string;
  /** the same in lines, kept in step with text by the Go side */
  spoken?: string[];
  /** directions and on-screen notes for the person filming: never spoken */
  notes?: string[];
  start: number;
  seconds: number;
}
export type CheckState = 'pass' | 'fail' | 'overridden' | 'n/a';
export interface CheckItem {
  rule: string;
  label: string;
  state: CheckState;
  message: string;
}
export interface Checklist {
  version: number;
  passed: boolean;
  items: CheckItem[];
}
export interface Override {
  rule: string;
  reason?: string;
  at: number;
}
export interface Voice {
  file: string;
  engine: string;
  seconds: number;
  bytes: number;
  mime_type: string;
}
export interface StepState {
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';
  provider?: string;
  attempts?: number;
  cached?: boolean;
  error?: string;
  at?: number;
}
export interface PackageContent {
  ideas?: string[];
  titles?: TitleOption[];
  hook?: string;
  script?: ScriptSection[];
  words_per_minute?: number;
  description?: string;
  tags?: string[];
  thumbnail?: string;
  voice?: Voice | null;
  steps?: Record<string, StepState>;
  checklist?: Checklist | null;
  overrides?: Override[];
}
export interface Package extends Meta {
  channel_id: string;
  status: 'idea' | 'scripted' | 'voiced' | 'outline' | 'ready' | 'published';
  topic: string;
  title: string;
  content: PackageContent;
}
export interface Progress {
  package_id: string;
  channel_id: string;
  step: string;
  status: string;
  chars?: number;
  delta?: string;
  provider?: string;
  error?: string;
  done: number;
  total: number;
  source?: string;
}
export interface Target {
  words_per_minute: number;
  min_seconds: number;
  max_seconds: number;
  words: number;
}
export interface StudioInfo {
  steps: string[];
  targets: Record<string, Target>;
  voices: string[];
  voice_help?: string;
}
export interface ExportFile {
  name: string;
  mime_type: string;
  content: string;
}

export interface PoolStats {
  size: number;
  busy: number;
  waiting: number;
  utilisation: number;
  peak: number;
  completed: number;
  panics: number;
  min: number;
  max: number;
}
export interface AutopilotSettings {
  ahead: number;
  on_quota: 'templates' | 'defer';
  voice: boolean;
  min_workers: number;
  max_workers: number;
  max_attempts: number;
}
export interface Job {
  id: string;
  channel_id: string;
  package_id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'deferred' | 'cancelled';
  attempts: number;
  error: string;
  not_before: number;
  created_at: number;
  updated_at: number;
  finished_at: number;
}
export interface AutopilotChannel {
  id: string;
  name: string;
  format: string;
  autopilot: boolean;
  cadence: number;
  upcoming: number;
  ready: number;
  queued: number;
  running: number;
  deferred: number;
  failed: number;
  next_run: number;
}
export interface AutopilotOverview {
  settings: AutopilotSettings;
  pool: PoolStats;
  channels: AutopilotChannel[];
  jobs: Job[];
}
export interface ChannelActivity {
  channel_id: string;
  name: string;
  generated: number;
  queued: number;
  deferred: number;
  errors: number;
}
export interface ActivityEntry extends Meta {
  channel_id: string;
  kind: string;
  message: string;
  data: unknown;
}
export interface ActivitySummary {
  since: number;
  entries: number;
  channels: ChannelActivity[];
  providers: Record<string, number>;
  fallbacks: number;
  cache_hits: number;
  sync: Record<string, number>;
  kinds: Record<string, number>;
  errors: ActivityEntry[];
}

export interface PackageInput {
  id: string;
  channel_id: string;
  status: string;
  topic: string;
  title: string;
  content: PackageContent;
}

export interface VoiceEngine {
  name: string;
  label: string;
  available: boolean;
  message?: string;
  needs_key: boolean;
  has_key: boolean;
  key_hint?: string;
  key_from?: string;
}

export const voiceApi = {
  engines: () => call<VoiceEngine[]>('VoiceEngines'),
  setKey: (engine: string, key: string) => call<VoiceEngine[]>('SetVoiceKey', engine, key),
  clearKey: (engine: string) => call<VoiceEngine[]>('ClearVoiceKey', engine),
};

export const studioApi = {
  info: () => call<StudioInfo>('StudioInfo'),
  create: (channelID: string, topic: string, withVoice: boolean) => call<Package>('StudioCreate', channelID, topic, withVoice),
  run: (id: string, withVoice: boolean) => call<void>('StudioRun', id, withVoice),
  regenerate: (id: string, step: string) => call<void>('StudioRegenerate', id, step),
  cancel: (id: string) => call<boolean>('StudioCancel', id),
  running: () => call<string[]>('StudioRunning'),
  exportFile: (id: string, format: 'markdown' | 'json') => call<ExportFile>('StudioExport', id, format),
  listPackages: (channelID: string) => call<Package[]>('ListPackages', channelID),
  getPackage: (id: string) => call<Package>('GetPackage', id),
  savePackage: (p: PackageInput) => call<Package>('SavePackage', p),
  remove: (id: string) => call<void>('StudioDelete', id),
};

export const autopilotApi = {
  overview: () => call<AutopilotOverview>('AutopilotOverview'),
  setChannel: (id: string, on: boolean, cadence: number) => call<unknown>('AutopilotSetChannel', id, on, cadence),
  saveSettings: (s: AutopilotSettings) => call<AutopilotSettings>('AutopilotSaveSettings', s),
  enqueue: (id: string, count: number) => call<Job[]>('AutopilotEnqueue', id, count),
  retry: (jobID: string) => call<void>('AutopilotRetry', jobID),
  cancel: (jobID: string) => call<void>('AutopilotCancel', jobID),
  summary: () => call<ActivitySummary>('ActivitySummary'),
  markSeen: () => call<void>('ActivityMarkSeen'),
};

/** Where the audio of a voice-over plays from: the serve route in a
 * browser, the desktop asset server in the window. */
export function audioURL(v: Voice, version: number): string {
  const base = isDesktop() ? '/audio/' : '/api/audio/';
  return `${base}${encodeURIComponent(v.file)}?v=${version}`;
}

/** Where a browser downloads an export from (serve mode). */
export function exportURL(id: string, format: 'markdown' | 'json'): string {
  return `/api/export/${encodeURIComponent(id)}/${format}`;
}

/** Saves text as a file through a Blob link (the desktop window). */
export function saveBlob(f: ExportFile) {
  const url = URL.createObjectURL(new Blob([f.content], { type: f.mime_type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = f.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function words(s: string): number {
  return s.trim() ? s.trim().split(/\s+/).length : 0;
}

/** Re-times sections after an edit, as the Go side does: hook first. */
export function retime(hook: string, sections: ScriptSection[], wpm: number): ScriptSection[] {
  const rate = wpm > 0 ? wpm : 150;
  let at = (words(hook) * 60) / rate;
  return sections.map((s) => {
    const secs = (words(s.text) * 60) / rate;
    const out = { ...s, start: Math.round(at * 10) / 10, seconds: Math.round(secs * 10) / 10 };
    at += secs;
    return out;
  });
}

export function when(ms: number): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
