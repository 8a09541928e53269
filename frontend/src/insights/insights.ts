// Calls of the insights API (app/insights_api.go), typed by the generated
// bindings through lib/api. Components of the Insights page and the
// dashboard's money counter use these, never the bindings.
import { call, upload, type EarningInput, type VideoInput } from '../lib/api';

export const insights = {
  audit: (channelId: string) => call('AuditChannel', channelId, localZone()),
  importCSV: (channelId: string, text: string) => call('ImportStudioCSV', channelId, text),
  /** Serve mode: streams a picked file to the upload route. */
  importFile: (channelId: string, file: Blob) =>
    upload('ImportStudioCSV', `/api/insights/import/${encodeURIComponent(channelId)}`, file, 'text/csv'),
  /** The desktop window: the system's dialog picks the file; zero rows and
   *  zero skipped means the user cancelled. */
  importPick: (channelId: string) => call('ImportStudioCSVPick', channelId),
  addVideo: (channelId: string, v: VideoInput) => call('AddVideo', channelId, v),
  videos: (channelId: string) => call('ListInsightVideos', channelId),
  deleteVideo: (channelId: string, id: string) => call('DeleteInsightVideo', channelId, id),
  youtubeStatus: () => call('YouTubeAPIStatus'),
  setKey: (key: string) => call('SetYouTubeAPIKey', key),
  deleteKey: () => call('DeleteYouTubeAPIKey'),
  fetch: (channelId: string) => call('FetchFromYouTube', channelId),
  competitors: (channelId: string) => call('ListCompetitors', channelId),
  addCompetitor: (channelId: string, youtubeId: string) => call('AddCompetitor', channelId, youtubeId),
  removeCompetitor: (id: string) => call('RemoveCompetitor', id),
  trends: (region: string, category: string) => call('Trends', region, category),
  score: (channelId: string, title: string, thumb: string) => call('ScoreTitle', channelId, title, thumb),
  earnings: (channelId: string) => call('ListEarnings', channelId),
  putEarnings: (channelId: string, e: EarningInput) =>
    call('PutEarnings', channelId, e),
  deleteEarnings: (channelId: string, month: string) => call('DeleteEarnings', channelId, month),
  projection: (channelId: string) => call('RevenueProjection', channelId),
  money: () => call('MoneyCounter'),
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

/** Money in US dollars: with cents (digits 2, the most there is) or in
 *  whole dollars (digits 0). */
export function money(n: number, digits: 0 | 1 | 2 = 2): string {
  const d = Math.min(2, Math.max(0, digits));
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: d, maximumFractionDigits: d }).format(n);
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
