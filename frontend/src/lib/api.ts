// The one module that talks to the Go side. In the desktop window it calls
// the methods Wails binds (window.go.app.App) and listens to Wails events;
// in a browser against `tubeagency serve` it does the same over HTTP
// (POST /api/call/{Method}) and server-sent events (/api/events).
// Components and stores import call/onEvent from here and nothing else.

type Listener = (data: any) => void;

interface WailsWindow {
  go?: { app?: { App?: Record<string, (...args: unknown[]) => Promise<unknown>> } };
  runtime?: { EventsOn: (name: string, cb: Listener) => () => void; EventsEmit?: (name: string, data?: unknown) => void };
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

/** An error from the Go side. */
export class ApiError extends Error {
  code: string;
  status?: number;
  /** Per-field sentences, shown next to the inputs they belong to. */
  fields: Record<string, string>;
  constructor(message: string, code = 'internal', fields: Record<string, string> = {}, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields;
    this.status = status;
  }
  /** The first field named, if any. */
  get field(): string | undefined {
    return Object.keys(this.fields)[0];
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

/** Calls a bound Go method with positional arguments. */
export async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const bound = w.go?.app?.App;
  if (bound) {
    const fn = bound[method];
    if (!fn) throw new ApiError(`unknown method ${method}`, 'unknown_method');
    try {
      return (await fn(...args)) as T;
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
  } catch (e) {
    throw new ApiError('Tube Agency is not reachable: is `tubeagency serve` still running?', 'network');
  }
  let body: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { code: 'internal', message: text };
    }
  }
  if (!res.ok) throw toApiError(body ?? { code: 'internal', message: res.statusText }, res.status);
  return body as T;
}

/** Serve mode only: streams a file to an upload route under /api/ (the
 *  desktop window passes file contents through call instead). */
export async function upload<T>(path: string, body: Blob, contentType: string): Promise<T> {
  let res: Response;
  try {
    res = await fetchImpl(path, { method: 'POST', headers: { 'Content-Type': contentType }, credentials: 'same-origin', body });
  } catch {
    throw new ApiError('Tube Agency is not reachable: is `tubeagency serve` still running?', 'network');
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { code: 'internal', message: text };
  }
  if (!res.ok) throw toApiError(parsed ?? { code: 'internal', message: res.statusText }, res.status);
  return parsed as T;
}

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
let connectionListeners = new Set<(up: boolean) => void>();

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
export function onEvent(name: string, fn: Listener): () => void {
  if (w.runtime?.EventsOn && isDesktop()) {
    return w.runtime.EventsOn(name, fn);
  }
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(fn);
  ensureSource();
  return () => set!.delete(fn);
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

// ---- Typed DTOs of the core API (mirrors app/store and app). ----

export interface Meta {
  id: string;
  hlc: string;
  deleted: boolean;
  created_at: number;
  updated_at: number;
}

export type Format = 'long-form' | 'shorts';

export interface ChannelInput {
  name: string;
  niche: string;
  language: string;
  audience: string;
  format: Format;
  cadence: number;
  youtube_id: string;
  autopilot: boolean;
}

export type Channel = Meta & ChannelInput;

export interface Status {
  version: string;
  mode: string;
  data_dir: string;
  database: string;
  device_id: string;
  channels: number;
  packages: number;
  outbox: number;
  online: boolean;
  /** signed_out | offline | connecting | online | syncing | error */
  sync_state: string;
  last_sync: number; // unix ms, 0 = never
  dead_letters: number;
  sync_error: string;
  uptime_secs: number;
  db_bytes: number;
  wal_bytes: number;
  [extra: string]: unknown;
}

export interface Activity extends Meta {
  channel_id: string;
  kind: string;
  message: string;
  data: unknown;
}

export const api = {
  status: () => call<Status>('Status'),
  listChannels: () => call<Channel[]>('ListChannels'),
  createChannel: (c: ChannelInput) => call<Channel>('CreateChannel', c),
  updateChannel: (id: string, c: ChannelInput) => call<Channel>('UpdateChannel', id, c),
  deleteChannel: (id: string) => call<void>('DeleteChannel', id),
  listActivity: (limit: number) => call<Activity[]>('ListActivity', limit),
};
