// The one module that talks to the Go side. In the desktop window it calls
// the methods Wails binds (window.go.app.App) and listens to Wails events;
// in a browser against `tubeagency serve` it does the same over HTTP
// (POST /api/call/{Method}) and server-sent events (/api/events).
//
// Method names, arguments and results are typed by the declarations Wails
// generates from the Go API into frontend/wailsjs (`make bindings`; `make
// lint` fails when they drift). This module is their only importer: stores
// and feature modules import call, onEvent and the model types from here.
import type * as Bindings from '../../wailsjs/go/app/App';
import type {
  analysis,
  app,
  autopilot,
  insights,
  monitor,
  predictor,
  publish,
  revenue,
  router,
  service,
  session,
  settings,
  store,
  studio,
  sync,
  trends,
  update,
  workers,
} from '../../wailsjs/go/models';

// ---- Generated models as they arrive ----

type IsAny<T> = 0 extends 1 & T ? true : false;

/** A generated model as it arrives. The generator has no spelling for Go's
 *  time.Time and writes `any`; encoding/json sends it as an RFC 3339 string,
 *  so Wire reads every `any` in a model as that string. Every time crossing
 *  the edge is such a string, left out when zero (`omitzero`; the Go side's
 *  edge test holds both), so lib/time reads a missing one as never; none
 *  crosses as unix milliseconds. (The generator also writes `any` for a Go
 *  interface{} field; the bound API has none.) */
export type Wire<T> =
  IsAny<T> extends true ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

// Core
export type Channel = Wire<app.Channel>;
export type ChannelInput = Wire<app.ChannelInput>;
export type Language = Wire<app.Language>;
export type Status = Wire<app.Status>;
export type Activity = Wire<app.Activity>;
export type About = Wire<app.About>;
export type UpdateStatus = Wire<update.Status>;

// Studio and autopilot
export type Package = Wire<app.Package>;
export type PackageContent = Wire<app.PackageContent>;
export type PackageInput = Wire<app.PackageInput>;
export type ScriptSection = Wire<store.ScriptSection>;
export type StepState = Wire<app.StepState>;
export type Checklist = Wire<store.Checklist>;
export type CheckItem = Wire<store.CheckItem>;
export type Override = Wire<app.Override>;
export type TitleOption = Wire<store.TitleOption>;
export type Voice = Wire<store.Voice>;
export type StudioInfo = Wire<app.StudioInfo>;
export type Progress = Wire<studio.Progress>;
export type VoiceEngine = Wire<app.VoiceEngine>;
export type AutopilotOverview = Wire<app.AutopilotOverview>;
export type AutopilotChannel = Wire<app.AutopilotChannel>;
export type AutopilotSettings = Wire<autopilot.Settings>;
export type AutopilotEvent = Wire<autopilot.Event>;
export type Job = Wire<app.AutopilotJob>;
export type PoolStats = Wire<workers.Stats>;
export type ActivitySummary = Wire<app.ActivitySummary>;

// Rendering videos
export type RenderTask = Wire<app.RenderTask>;
export type RenderedFiles = Wire<app.RenderedFiles>;
export type RenderedFile = Wire<app.RenderedFile>;
export type RenderStorage = Wire<app.RenderStorage>;
export type RenderSettings = Wire<app.RenderSettings>;

// Insights
export type AuditResult = Wire<service.AuditResult>;
export type Report = Wire<analysis.Report>;
export type SeriesPoint = Wire<analysis.Point>;
export type BestTime = Wire<analysis.BestTime>;
export type HistoryPoint = Wire<insights.Point>;
export type Video = Wire<insights.Video>;
export type VideoInput = Wire<app.VideoInput>;
export type ImportResult = Wire<service.ImportResult>;
export type Competitor = Wire<insights.Competitor>;
export type Earning = Wire<insights.Earning>;
export type EarningInput = Wire<app.EarningInput>;
export type Month = Wire<revenue.Month>;
export type Projection = Wire<revenue.Projection>;
export type MoneyCounter = Wire<service.MoneyCounter>;
export type YouTubeStatus = Wire<service.YouTubeStatus>;
export type TrendsResult = Wire<service.TrendsResult>;
export type AnalyticsStatus = Wire<service.AnalyticsStatus>;
export type AnalyticsClient = Wire<app.AnalyticsClient>;
export type LinkStart = Wire<service.LinkStart>;
export type SyncResult = Wire<service.SyncResult>;
/** An insights event (Go: service.Event; no bound method returns it, so
 *  the generator does not write it). State is signing_in, linked,
 *  link_failed, syncing, synced, sync_failed or unlinked. */
export interface InsightsEvent {
  channel_id: string;
  state: string;
  message: string;
}
export type NicheCategory = Wire<service.Category>;
export type NicheSetting = Wire<service.NicheSetting>;
export type Trend = Wire<trends.Trend>;
export type Score = Wire<predictor.Score>;

// Providers and settings
export type ProvidersView = Wire<app.ProvidersView>;
export type ProviderView = Wire<app.ProviderView>;
export type ProviderSnapshot = Wire<router.Snapshot>;
export type ProviderInput = Wire<app.ProviderInput>;
export type ProviderTest = Wire<app.ProviderTest>;
export type RouterSettings = Wire<settings.Router>;
export type TitlesResult = Wire<app.TitlesResult>;

// Sync
export type SyncView = Wire<session.View>;
export type SyncStatus = Wire<sync.Status>;
export type DeadLetter = Wire<app.DeadLetter>;
export type ClockAlert = Wire<sync.ClockAlert>;
export type RepairReport = Wire<sync.RepairReport>;
export type DeviceInfo = Wire<app.Device>;
export type AutopilotHostsView = Wire<app.AutopilotHostsView>;
export type AutopilotHostChannel = Wire<app.AutopilotHostChannel>;

// Publishing to YouTube
export type YouTubeSetup = Wire<app.YouTubeSetup>;
export type YouTubeAccount = Wire<app.YouTubeAccount>;
export type YouTubeSignIn = Wire<app.YouTubeSignIn>;
export type YouTubeEvent = Wire<app.YouTubeEvent>;
export type YouTubeChannel = Wire<publish.Channel>;
export type PublishLink = Wire<publish.ChannelSettings>;
export type PublishSettingsInput = Wire<app.PublishSettingsInput>;
export type PublishInput = Wire<app.PublishInput>;
export type PublishView = Wire<app.PublishView>;
export type PublishJob = Wire<publish.Job>;
export type PublishProgress = Wire<publish.Progress>;
export type PublishCalendar = Wire<app.PublishCalendar>;
export type CalendarEntry = Wire<publish.Entry>;
export type QuotaUsage = Wire<publish.QuotaUsage>;
export type SavedFile = Wire<app.SavedFile>;

// Monitor
export type Snapshot = Wire<monitor.Snapshot>;
export type MonitorProvider = Wire<monitor.ProviderView>;
export type QuotaBucket = Wire<monitor.QuotaBucket>;
export type Alert = Wire<monitor.Alert>;
export type AlertEvent = Wire<monitor.AlertEvent>;
export type AlertList = Wire<app.AlertList>;
export type Rule = Wire<monitor.Rule>;
export type Availability = Wire<monitor.Availability>;

// ---- Calls ----

type Bound = typeof Bindings;
/** The name of a bound Go method. */
export type Method = keyof Bound;
/** The arguments of a bound method, as the generated declaration says. */
export type Args<K extends Method> = Parameters<Bound[K]>;
/** What a bound method resolves to. */
export type Result<K extends Method> = Wire<Awaited<ReturnType<Bound[K]>>>;

type Listener = (data: any) => void;

interface WailsWindow {
  go?: { app?: { App?: Record<string, (...args: unknown[]) => Promise<unknown>> } };
  runtime?: {
    EventsOn: (name: string, cb: Listener) => () => void;
    EventsEmit?: (name: string, data?: unknown) => void;
    BrowserOpenURL?: (url: string) => void;
  };
}

const w = (typeof window !== 'undefined' ? window : {}) as WailsWindow;

/** True inside the desktop window. */
export function isDesktop(): boolean {
  return !!w.go?.app?.App;
}

/** The one error body the Go side sends, from the desktop window and from
 *  serve mode alike: a code to branch on, a sentence to show, and for input
 *  that failed validation a sentence per field (keyed by its JSON path). */
export interface ErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string>;
}

/** An error from the Go side. Forms show it with lib/errors. */
export class ApiError extends Error {
  code: string;
  status?: number;
  /** Per-field sentences, keyed by JSON path, shown next to their inputs. */
  fields: Record<string, string>;
  constructor(message: string, code = 'internal', fields: Record<string, string> = {}, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields;
    this.status = status;
  }
}

function isErrorBody(e: unknown): e is ErrorBody {
  return !!e && typeof e === 'object' && typeof (e as ErrorBody).code === 'string' && typeof (e as ErrorBody).message === 'string';
}

/** Turns whatever a call rejected with into an ApiError. */
export function toApiError(e: unknown, status?: number): ApiError {
  if (e instanceof ApiError) return e;
  if (isErrorBody(e)) return new ApiError(e.message, e.code, e.fields ?? {}, status);
  if (typeof e === 'string') {
    try {
      return toApiError(JSON.parse(e), status);
    } catch {
      return new ApiError(e, 'internal', {}, status);
    }
  }
  if (e instanceof Error) return new ApiError(e.message, 'network', {}, status);
  return new ApiError(String(e), 'internal', {}, status);
}

let fetchImpl: typeof fetch = (...a) => fetch(...a);
/** For tests: replace fetch. */
export function setFetch(f: typeof fetch) {
  fetchImpl = f;
}

const unreachable = 'Tube Agency is not reachable: is `tubeagency serve` still running?';

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { code: 'internal', message: text };
    }
  }
  if (!res.ok) throw toApiError(body ?? { code: 'internal', message: res.statusText }, res.status);
  return body;
}

/** Calls a bound Go method with positional arguments. */
export async function call<K extends Method>(method: K, ...args: Args<K>): Promise<Result<K>> {
  const bound = w.go?.app?.App;
  if (bound) {
    const fn = bound[method];
    if (!fn) throw new ApiError(`unknown method ${method}`, 'unknown_method');
    try {
      return (await fn(...args)) as Result<K>;
    } catch (e) {
      throw toApiError(e);
    }
  }
  let res: Response;
  try {
    res = await fetchImpl(`/api/call/${encodeURIComponent(method)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(args),
    });
  } catch {
    throw new ApiError(unreachable, 'network');
  }
  return (await readBody(res)) as Result<K>;
}

/** Serve mode only: streams a file to an upload route under /api/ that
 *  stands in for the bound method `like` (the desktop window calls that
 *  method with the file's contents instead) and answers what it answers. */
export async function upload<K extends Method>(like: K, path: string, body: Blob, contentType: string): Promise<Result<K>> {
  let res: Response;
  try {
    res = await fetchImpl(path, { method: 'POST', headers: { 'Content-Type': contentType }, credentials: 'same-origin', body });
  } catch {
    throw new ApiError(unreachable, 'network');
  }
  return (await readBody(res)) as Result<K>;
}

// ---- Events ----

/** Each event's payload (the models of those with a Go type are generated
 *  through bindings.go's EventPayloads). Those the dashboard only reacts to,
 *  by reloading what changed, are unknown. */
export interface Events {
  job: Progress | AutopilotEvent;
  metrics: Snapshot;
  alert: AlertEvent;
  /** Only the fields that changed. */
  status: Partial<Status>;
  activity: Activity;
  sync: SyncStatus;
  channels: unknown;
  packages: unknown;
  settings: unknown;
  insights: InsightsEvent;
  /** An upload's progress or state. */
  publish: PublishProgress;
  /** A YouTube sign-in's outcome, or a changed link or client. */
  youtube: YouTubeEvent;
  update: UpdateStatus;
  render: RenderTask;
}

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
const connectionListeners = new Set<(up: boolean) => void>();

function ensureSource() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events', { withCredentials: true });
  source.onopen = () => connectionListeners.forEach((f) => f(true));
  source.onerror = () => connectionListeners.forEach((f) => f(false));
  source.onmessage = (m) => {
    let ev: { name: string; data: unknown };
    try {
      ev = JSON.parse(m.data);
    } catch {
      return;
    }
    listeners.get(ev.name)?.forEach((f) => f(ev.data));
  };
}

/** Subscribes to an app event; returns the unsubscribe function. */
export function onEvent<K extends keyof Events>(name: K, fn: (data: Events[K]) => void): () => void {
  if (w.runtime?.EventsOn && isDesktop()) {
    return w.runtime.EventsOn(name, fn);
  }
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(fn);
  ensureSource();
  return () => set!.delete(fn);
}

/** Opens an address in the system's browser (the desktop window) or a new
 *  tab (serve mode). */
export function openExternal(url: string) {
  if (isDesktop() && w.runtime?.BrowserOpenURL) {
    w.runtime.BrowserOpenURL(url);
    return;
  }
  if (typeof window !== 'undefined') window.open(url, '_blank', 'noopener');
}

/** Sends an event to the Go side (desktop window only; a no-op in a browser). */
export function emitToGo(name: string, data?: unknown): void {
  if (isDesktop()) w.runtime?.EventsEmit?.(name, data);
}

/** Reports whether the event stream to the server is up (serve mode only). */
export function onConnection(fn: (up: boolean) => void): () => void {
  connectionListeners.add(fn);
  return () => connectionListeners.delete(fn);
}
