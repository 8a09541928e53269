// Calls of the publishing API (app/publish_api.go), typed by the generated
// bindings through lib/api, and the words the publishing views share.
import { ApiError, call, type PublishInput, type PublishJob, type PublishProgress, type PublishSettingsInput } from '../lib/api';
import { hourMinute, todayOrTomorrow, toMillis } from '../lib/time';

export const publishApi = {
  setup: () => call('YouTubeSetup'),
  setClient: (id: string, secret: string) => call('SetYouTubeOAuthClient', id, secret),
  deleteClient: () => call('DeleteYouTubeOAuthClient'),
  signIn: () => call('SignInYouTube'),
  allowCaptions: (account: string) => call('AllowYouTubeCaptions', account),
  finishSignIn: (pasted: string) => call('FinishYouTubeSignIn', pasted),
  cancelSignIn: () => call('CancelYouTubeSignIn'),
  signOut: (account: string) => call('SignOutYouTube', account),
  channels: (account: string) => call('YouTubeChannels', account),
  link: (channelId: string, account: string, youtubeId: string) => call('LinkYouTubeChannel', channelId, account, youtubeId),
  unlink: (channelId: string) => call('UnlinkYouTubeChannel', channelId),
  saveSettings: (channelId: string, s: PublishSettingsInput) => call('SavePublishSettings', channelId, s),
  view: (packageId: string) => call('PublishView', packageId),
  publish: (packageId: string, input: PublishInput) => call('PublishPackage', packageId, input),
  jobs: (channelId: string) => call('PublishJobs', channelId),
  retry: (id: string) => call('RetryPublishJob', id),
  cancel: (id: string) => call('CancelPublishJob', id),
  confirm: (id: string) => call('ConfirmPublishJob', id),
  reschedule: (id: string, at: string) => call('ReschedulePublishJob', id, at),
  quota: () => call('PublishQuota'),
  calendar: (channelId: string, days: number) => call('PublishCalendar', channelId, days),
  byHandText: (packageId: string, input: PublishInput) => call('PublishByHandText', packageId, input),
  byHandSave: (packageId: string, input: PublishInput) => call('PublishByHandSave', packageId, input),
  markPublished: (packageId: string, url: string) => call('MarkPackagePublished', packageId, url),
  /** Serve mode: the by-hand zip as a download (the desktop window uses byHandSave). */
  async byHandDownload(packageId: string, input: PublishInput): Promise<{ name: string; blob: Blob }> {
    let res: Response;
    try {
      res = await fetch(`/api/publish/export/${encodeURIComponent(packageId)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(input),
      });
    } catch {
      throw new ApiError('Tube Agency is not reachable: is `tubeagency serve` still running?', 'network');
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({ code: 'internal', message: res.statusText }));
      throw new ApiError(body.message, body.code, body.fields ?? {}, res.status);
    }
    const cd = res.headers.get('Content-Disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(cd)?.[1] ?? 'video.zip';
    return { name, blob: await res.blob() };
  },
};

/** The job as progress, for one view of both. */
export function asProgress(j: PublishJob): PublishProgress {
  return {
    job_id: j.id, package_id: j.package_id, channel_id: j.channel_id, state: j.state,
    sent: j.video_id ? j.video_size : j.offset, total: j.video_size, bytes_per_sec: 0, note: j.note,
    video_id: j.video_id, url: j.video_id ? `https://www.youtube.com/watch?v=${j.video_id}` : '', run_after: j.run_after,
    at: j.updated_at,
  };
}

/** The later of two views of a job: b unless a is about the same job and
 *  not older (a call's answer can arrive after events the job sent since;
 *  on a tie a, the live event, keeps its byte count). */
export function newer(a: PublishProgress | null, b: PublishProgress | null): PublishProgress | null {
  if (!a || !b) return a ?? b;
  if (a.job_id !== b.job_id) return b;
  return toMillis(b.at) > toMillis(a.at) ? b : a;
}

/** A short label per state. */
export const stateLabel: Record<string, string> = {
  confirm: 'Waiting for your go-ahead',
  queued: 'Queued',
  uploading: 'Uploading',
  finishing: 'Setting thumbnail and captions',
  deferred: 'Waiting',
  done: 'On YouTube',
  failed: 'Failed',
  signin: 'Sign in again',
  cancelled: 'Cancelled',
  unlinked: 'Needs a linked channel',
};

/** The pill colour of a state. */
export function stateTone(state: string): 'ok' | 'warn' | 'bad' | 'info' | '' {
  switch (state) {
    case 'done':
      return 'ok';
    case 'failed':
    case 'signin':
      return 'bad';
    case 'deferred':
    case 'confirm':
    case 'unlinked':
      return 'warn';
    case 'uploading':
    case 'finishing':
    case 'queued':
      return 'info';
    default:
      return '';
  }
}

/** What the user reads about a job, in plain words. A quota wait names the
 *  time it resumes in the user's own clock. */
export function explain(p: PublishProgress, now = Date.now()): string {
  switch (p.state) {
    case 'deferred': {
      const when = todayOrTomorrow(p.run_after, now, 'later');
      if (/upload limit for this channel/i.test(p.note ?? '')) {
        return `YouTube's daily upload limit for this channel is reached; this upload waits until ${when}.`;
      }
      if (/quota/i.test(p.note ?? '')) {
        return `YouTube's daily upload limit is used; this upload waits until ${when}.`;
      }
      return `Waiting until ${when}. ${p.note ?? ''}`.trim();
    }
    case 'queued':
      return toMillis(p.run_after) > now
        ? `YouTube could not be reached; it tries again at ${hourMinute(p.run_after)} and resumes where it stopped.`
        : 'Waiting for its turn (or the network): it starts by itself.';
    case 'signin':
      return 'Google no longer accepts the sign-in for this channel: sign in again under Settings → YouTube, then retry.';
    case 'unlinked':
      return 'This channel is not linked to a YouTube channel any more: link it again under Settings → YouTube and this upload goes by itself.';
    case 'confirm':
      return 'Autopilot queued this channel\'s first upload: confirm it to let it go.';
    case 'failed':
      return p.note || 'The upload failed.';
    case 'cancelled':
      return 'Cancelled: nothing was published.';
    default:
      return p.note ?? '';
  }
}

/** "3.2 of 48.0 MB". */
export function sizeText(sent: number, total: number): string {
  const mb = (n: number) => (n / 1_000_000).toFixed(1);
  return `${mb(sent)} of ${mb(total)} MB`;
}

/** Percent sent, 0–100. */
export function percent(p: PublishProgress): number {
  if (p.state === 'done' || p.state === 'finishing') return 100;
  return p.total > 0 ? Math.min(100, Math.floor((p.sent / p.total) * 100)) : 0;
}

/** Whether a job can still be moved or cancelled. */
export function movable(j: PublishJob): boolean {
  return !j.video_id && !j.by_hand && j.state !== 'cancelled' && !(j.state === 'uploading' && j.offset > 0);
}

/** A local date and time input value ("2026-03-03T17:00") as RFC 3339. */
export function localInputToRFC3339(v: string): string {
  if (!v) return '';
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

/** Where a calendar's free slots fall, and why: "Free slots at 20:00, the
 *  best hour from your analytics." */
export function slotHourText(c: { hour: number; minute: number; hour_source: string }): string {
  const at = `${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}`;
  switch (c.hour_source) {
    case 'analytics':
      return `Free slots at ${at}, the best hour from your analytics (your past uploads did best then).`;
    case 'preferred':
      return `Free slots at ${at}, this channel's publishing time. Import or connect your YouTube analytics and they move to your best hour.`;
    default:
      return `Free slots at ${at}. Set a publishing time under Settings → YouTube, or import your analytics to use your best hour.`;
  }
}
