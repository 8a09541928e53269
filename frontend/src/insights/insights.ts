// Typed calls of the insights API (app/insights_api.go). Components of the
// Insights page and the dashboard's money counter use these, never the
// bindings.
import { call, upload } from '../lib/api';

export interface Video {
  channel_id: string;
  id: string;
  kind: string;
  title: string;
  published_at: string;
  duration_sec: number;
  views: number;
  likes: number;
  comments: number;
  source: string;
  updated_at: string;
}

export interface Window {
  days: number;
  uploads: number;
  per_week: number;
  median_gap_days: number;
  median_views: number;
  median_views_per_day: number;
  total_views: number;
  outliers: number;
  prev_median_views_per_day: number;
  trend_pct: number | null;
}

export interface Outlier { id: string; title: string; published_at: string; views: number; factor: number }
export interface Cell { videos: number; median_views_per_day: number }
export interface BestTime {
  weekday: number;
  hour: number;
  hour_known: boolean;
  weekdays: Cell[];
  hours: Cell[];
  heatmap: Cell[][];
}
export interface Keyword { word: string; videos: number; median_views_per_day: number; lift: number }
export interface Pattern {
  name: string;
  with: number;
  with_median_views_per_day: number;
  without: number;
  without_median_views_per_day: number;
  lift: number;
}
export interface Format { videos: number; median_views: number; median_views_per_day: number; total_views: number; view_share: number }
export interface SeriesPoint {
  id: string;
  title: string;
  published_at: string;
  views: number;
  views_per_day: number;
  short: boolean;
  outlier: boolean;
}
export interface Report {
  now: string;
  videos: number;
  median_views: number;
  median_views_per_day: number;
  windows: Window[];
  outliers: Outlier[];
  best_time: BestTime;
  keywords: Keyword[];
  patterns: Pattern[];
  formats: { shorts: Format; long: Format };
  series: SeriesPoint[];
  recommendations: string[];
}
export interface ChannelStats { channel_id: string; taken_at: string; subscribers: number; views: number; videos: number }
export interface AuditResult {
  channel_id: string;
  time_zone: string;
  report: Report;
  history: { at: string; value: number }[];
  stats: ChannelStats | null;
}
export interface ImportResult { rows: number; skipped: number }

export interface VideoInput {
  id: string;
  title: string;
  published_at: string;
  duration_sec: number;
  views: number;
  likes: number;
  comments: number;
}

export interface YouTubeStatus { key_set: boolean; quota_used: number; quota_limit: number; quota_day: string; warning: string }
export interface FetchResult { videos: number; subscribers: number; title: string; quota_used: number; quota_limit: number }
export interface Competitor { id: string; channel_id: string; youtube_id: string; title: string; added_at: string }

export interface Trend {
  term: string;
  videos: number;
  first_seen: string;
  age_days: number;
  heat: number[];
  velocity: number;
  acceleration: number;
  label: 'urgent' | 'durable' | 'mature';
  relevance: Record<string, number>;
}
export interface TrendsResult { trends: Trend[]; online: boolean; chart_fetched_at: string; message: string; corpus_videos: number }

export interface Feature { name: string; label: string; value: number; effect: number }
export interface Score {
  value: number;
  features: Feature[];
  calibrated: boolean;
  accuracy: number;
  accuracy_se: number;
  metric: string;
  videos: number;
  note: string;
}

export interface Earning { channel_id: string; month: string; amount: number; views: number; entered_at: string }
export interface Month { month: string; views: number; expected: number; low: number; high: number }
export interface Projection {
  niche: string;
  long_rpm: number;
  shorts_rpm: number;
  calibrated: boolean;
  calibration: { months: number; rpm: number; factor: number; spread: number } | null;
  monthly_long_views: number;
  monthly_shorts_views: number;
  measured: boolean;
  months: Month[];
  per_second: number;
  sources: string[];
}
export interface ChannelMoney {
  channel_id: string;
  name: string;
  per_second: number;
  month: Month;
  months: Month[];
  calibrated: boolean;
  niche: string;
}
export interface MoneyCounter {
  channels: ChannelMoney[];
  per_second: number;
  month_start: number;
  as_of: number;
  accrued_at_as_of: number;
  months: Month[] | null;
  sources: string[];
}

export const insights = {
  audit: (channelId: string) => call<AuditResult>('AuditChannel', channelId, localZone()),
  importCSV: (channelId: string, text: string) => call<ImportResult>('ImportStudioCSV', channelId, text),
  /** Serve mode: streams a picked file to the upload route. */
  importFile: (channelId: string, file: Blob) =>
    upload<ImportResult>(`/api/insights/import/${encodeURIComponent(channelId)}`, file, 'text/csv'),
  /** The desktop window: the system's dialog picks the file; zero rows and
   *  zero skipped means the user cancelled. */
  importPick: (channelId: string) => call<ImportResult>('ImportStudioCSVPick', channelId),
  addVideo: (channelId: string, v: VideoInput) => call<Video>('AddVideo', channelId, v),
  videos: (channelId: string) => call<Video[]>('ListInsightVideos', channelId),
  deleteVideo: (channelId: string, id: string) => call<void>('DeleteInsightVideo', channelId, id),
  youtubeStatus: () => call<YouTubeStatus>('YouTubeAPIStatus'),
  setKey: (key: string) => call<YouTubeStatus>('SetYouTubeAPIKey', key),
  deleteKey: () => call<YouTubeStatus>('DeleteYouTubeAPIKey'),
  fetch: (channelId: string) => call<FetchResult>('FetchFromYouTube', channelId),
  competitors: (channelId: string) => call<Competitor[]>('ListCompetitors', channelId),
  addCompetitor: (channelId: string, youtubeId: string) => call<Competitor>('AddCompetitor', channelId, youtubeId),
  removeCompetitor: (id: string) => call<void>('RemoveCompetitor', id),
  trends: (region: string, category: string) => call<TrendsResult>('Trends', region, category),
  score: (channelId: string, title: string, thumb: string) => call<Score>('ScoreTitle', channelId, title, thumb),
  earnings: (channelId: string) => call<Earning[]>('ListEarnings', channelId),
  putEarnings: (channelId: string, e: { month: string; amount: number; views: number }) =>
    call<Earning[]>('PutEarnings', channelId, e),
  deleteEarnings: (channelId: string, month: string) => call<Earning[]>('DeleteEarnings', channelId, month),
  projection: (channelId: string) => call<Projection>('RevenueProjection', channelId),
  money: () => call<MoneyCounter>('MoneyCounter'),
};

/** The browser's IANA time zone ("" when unknown, which the app reads as UTC). */
export function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
  } catch {
    return '';
  }
}

export const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** 12345 → "12.3K". */
export function compact(n: number): string {
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** Money in US dollars with cents. */
export function money(n: number, digits = 2): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** How an AUC (with its standard error) reads to a person. Within two
 *  standard errors of 0.5 it cannot be told apart from a coin flip. */
export function accuracyWords(auc: number, se = 0): string {
  if (auc < 0.55 || auc - 2 * se <= 0.5) return 'no better than a coin flip';
  if (auc < 0.65) return 'weak';
  if (auc < 0.75) return 'fair';
  if (auc < 0.85) return 'good';
  return 'strong';
}
