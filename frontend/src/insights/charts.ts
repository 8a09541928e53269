// uPlot option builders for the Insights charts.
import type uPlot from 'uplot';
import type { HistoryPoint, Month, SeriesPoint } from '../lib/api';
import { toMillis } from '../lib/time';
import { compact, money } from './insights';

type Css = (name: string) => string;

/** #rrggbb + alpha → rgba(), for canvas fills. */
export function alpha(hex: string, a: number): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return `rgba(128,128,128,${a})`;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${a})`;
}

function axes(css: Css, yFmt: (v: number) => string, size = 64): uPlot.Axis[] {
  const stroke = css('--muted');
  const grid = { stroke: css('--border'), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, size, values: (_u, vals) => vals.map((v) => (v == null ? '' : yFmt(v))) },
  ];
}

/** Views of each video by publish date; outliers in the accent colour. */
export function viewsData(series: SeriesPoint[]): uPlot.AlignedData {
  const xs = series.map((p) => toMillis(p.published_at) / 1000);
  const normal = series.map((p) => (p.outlier ? null : p.views));
  const out = series.map((p) => (p.outlier ? p.views : null));
  return [xs, normal, out];
}

export function viewsOptions(median: number) {
  return (_w: number, css: Css): Omit<uPlot.Options, 'width' | 'height'> => ({
    scales: { x: { time: true }, y: { distr: 3 } },
    axes: axes(css, compact),
    legend: { show: true },
    series: [
      {},
      { label: 'Views', stroke: css('--info'), paths: () => null, points: { show: true, size: 6, fill: css('--info') } },
      { label: `Outliers (≥ 2× median ${compact(median)})`, stroke: css('--accent'), paths: () => null, points: { show: true, size: 9, fill: css('--accent') } },
    ],
  });
}

/** Monthly projection with its 80% band. */
export function projectionData(months: Month[]): uPlot.AlignedData {
  const xs = months.map((m) => Date.parse(m.month + '-01T00:00:00Z') / 1000);
  return [xs, months.map((m) => m.high), months.map((m) => m.expected), months.map((m) => m.low)];
}

export function projectionOptions() {
  return (_w: number, css: Css): Omit<uPlot.Options, 'width' | 'height'> => ({
    scales: { x: { time: true } },
    axes: axes(css, (v) => money(v, 0), 78),
    legend: { show: false },
    series: [
      {},
      { label: 'High (80%)', stroke: css('--border'), width: 1, points: { show: false }, value: (_u, v) => (v == null ? '' : money(v, 0)) },
      { label: 'Expected', stroke: css('--ok'), width: 2, value: (_u, v) => (v == null ? '' : money(v, 0)) },
      { label: 'Low (80%)', stroke: css('--border'), width: 1, points: { show: false }, value: (_u, v) => (v == null ? '' : money(v, 0)) },
    ],
    bands: [{ series: [1, 3], fill: alpha(css('--ok'), 0.18) }],
  });
}

/** Total views over time from stored snapshots. */
export function historyData(h: HistoryPoint[]): uPlot.AlignedData {
  return [h.map((p) => toMillis(p.at) / 1000), h.map((p) => p.value)];
}

export function historyOptions() {
  return (_w: number, css: Css): Omit<uPlot.Options, 'width' | 'height'> => ({
    scales: { x: { time: true } },
    axes: axes(css, compact),
    series: [{}, { label: 'Total views', stroke: css('--info'), width: 2, points: { show: true } }],
  });
}
