// The Insights page's state for the channel it shows: its audit,
// competitors, earnings and projection, loaded together, plus the YouTube
// API key's status. One instance per page, handed to its sections.
import type { AuditResult, Competitor, Earning, Projection, YouTubeStatus } from '../lib/api';
import { errorText } from '../lib/errors';
import { insights } from './insights';

/** What the CSV tab holds while the user is at another. */
export interface CsvDraft {
  text: string;
  name: string;
  file: File | null;
  error: string;
}

/** What the hand-entry tab holds while the user is at another. */
export interface ManualDraft {
  video: { id: string; title: string; published_at: string; duration_sec: number; views: number; likes: number; comments: number };
  /** Sentences by input, and 'form' for the rest. */
  errors: Record<string, string>;
}

export function emptyVideo(): ManualDraft['video'] {
  return { id: '', title: '', published_at: '', duration_sec: 600, views: 0, likes: 0, comments: 0 };
}

/** What the YouTube API tab holds while the user is at another. */
export interface ApiDraft {
  key: string;
  keyError: string;
  fetchError: string;
}

export class InsightsPage {
  /** The channel shown; '' before the channel list arrives. */
  channelId = $state('');
  audit = $state<AuditResult | null>(null);
  competitors = $state<Competitor[]>([]);
  earnings = $state<Earning[]>([]);
  projection = $state<Projection | null>(null);
  /** Counts successful loads: sections that follow the channel's data
   *  (the title scorer, the list of stored videos) refresh on it. */
  version = $state(0);
  /** Why the last load failed; '' after one succeeds. */
  error = $state('');
  youtube = $state<YouTubeStatus | null>(null);
  youtubeError = $state('');

  /** Loads everything about the channel shown; an answer for a channel
   *  no longer shown is dropped. */
  async load() {
    const id = this.channelId;
    if (!id) return;
    try {
      const [a, c, e, p] = await Promise.all([insights.audit(id), insights.competitors(id), insights.earnings(id), insights.projection(id)]);
      if (id !== this.channelId) return;
      this.audit = a;
      this.competitors = c;
      this.earnings = e;
      this.projection = p;
      this.version++;
      this.error = '';
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async loadYouTube() {
    try {
      this.youtube = await insights.youtubeStatus();
      this.youtubeError = '';
    } catch (e) {
      this.youtubeError = errorText(e);
    }
  }
}
