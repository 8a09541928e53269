// The Studio, Autopilot and dashboard cards talk to the Go side through this
// module, which uses src/lib/api.ts and nothing else.
import { call, type AutopilotSettings, type Package, type PackageInput, type ScriptSection, type Voice } from '../lib/api';

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

export const voiceApi = {
  engines: () => call('VoiceEngines'),
  setKey: (engine: string, key: string) => call('SetVoiceKey', engine, key),
  clearKey: (engine: string) => call('ClearVoiceKey', engine),
};

export const studioApi = {
  info: () => call('StudioInfo'),
  create: (channelID: string, topic: string, withVoice: boolean) => call('StudioCreate', channelID, topic, withVoice),
  run: (id: string, withVoice: boolean) => call('StudioRun', id, withVoice),
  regenerate: (id: string, step: string) => call('StudioRegenerate', id, step),
  cancel: (id: string) => call('StudioCancel', id),
  running: () => call('StudioRunning'),
  exportFile: (id: string, format: 'markdown' | 'json') => call('StudioExport', id, format),
  /** The desktop window: saves through the system's save dialog; an empty
   *  name means the user cancelled. */
  exportSave: (id: string, format: 'markdown' | 'json') => call('StudioExportSave', id, format),
  listPackages: (channelID: string) => call('ListPackages', channelID),
  getPackage: (id: string) => call('GetPackage', id),
  savePackage: (p: PackageInput) => call('SavePackage', p),
  remove: (id: string) => call('StudioDelete', id),
};

export const autopilotApi = {
  overview: () => call('AutopilotOverview'),
  setChannel: (id: string, on: boolean, cadence: number) => call('AutopilotSetChannel', id, on, cadence),
  saveSettings: (s: AutopilotSettings) => call('AutopilotSaveSettings', s),
  enqueue: (id: string, count: number) => call('AutopilotEnqueue', id, count),
  retry: (jobID: string) => call('AutopilotRetry', jobID),
  cancel: (jobID: string) => call('AutopilotCancel', jobID),
  summary: () => call('ActivitySummary'),
  markSeen: () => call('ActivityMarkSeen'),
  /** The latest entries of the activity log, newest first. */
  activity: (limit: number) => call('ListActivity', limit),
};

/** Where the audio of a voice-over is read from: the same route in the
 *  desktop window (whose asset server passes it to the app's handlers) as
 *  in a browser against serve mode. */
export function audioURL(v: Voice, version: number): string {
  return `/api/audio/${encodeURIComponent(v.file)}?v=${version}`;
}

/** Where a browser downloads an export from (serve mode). */
export function exportURL(id: string, format: 'markdown' | 'json'): string {
  return `/api/export/${encodeURIComponent(id)}/${format}`;
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

/** Editable copies of a package's text. */
export interface Draft {
  title: string;
  hook: string;
  script: ScriptSection[];
  description: string;
  /** Comma-separated. */
  tags: string;
  thumbnail: string;
}

export function draftOf(p: Package | null): Draft {
  return {
    title: p?.title ?? '',
    hook: p?.content.hook ?? '',
    script: (p?.content.script ?? []).map((s) => ({ ...s })),
    description: p?.content.description ?? '',
    tags: (p?.content.tags ?? []).join(', '),
    thumbnail: p?.content.thumbnail ?? '',
  };
}

/** What saving a draft of pkg sends: its text, the script re-timed at wpm. */
export function inputOf(pkg: Package, d: Draft, wpm: number): PackageInput {
  return {
    id: pkg.id,
    channel_id: pkg.channel_id,
    status: pkg.status,
    topic: pkg.topic,
    title: d.title,
    content: {
      ...pkg.content,
      hook: d.hook,
      script: retime(d.hook, d.script, wpm),
      description: d.description,
      tags: d.tags.split(',').map((t) => t.trim()).filter(Boolean),
      thumbnail: d.thumbnail,
    },
  };
}

/** Job events of a package the page does not show yet. A new package's
 *  first steps start before the call that creates it has answered, so
 *  while a create is pending the page holds the events of packages it
 *  does not show, and replays a package's once it opens it. */
export class EarlyEvents<E extends { package_id?: string }> {
  #pending = 0;
  #held = new Map<string, E[]>();
  /** The most held per package; older ones are dropped first. */
  static readonly max = 500;

  /** A create call started. */
  begin(): void {
    this.#pending++;
  }
  /** A create call answered; with none pending, what is held goes. */
  end(): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (this.#pending === 0) this.#held.clear();
  }
  /** Keeps d while a create is pending; reports whether it did. */
  hold(d: E): boolean {
    if (this.#pending === 0 || !d.package_id) return false;
    const list = this.#held.get(d.package_id) ?? [];
    list.push(d);
    if (list.length > EarlyEvents.max) list.shift();
    this.#held.set(d.package_id, list);
    return true;
  }
  /** The events held for id, oldest first, and forgets them. */
  take(id: string): E[] {
    const list = this.#held.get(id) ?? [];
    this.#held.delete(id);
    return list;
  }
}
