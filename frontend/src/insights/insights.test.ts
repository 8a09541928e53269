import { describe, expect, it } from 'vitest';
import { accuracyWords, money, percent, rpmSourceWords, viewsSourceWords } from './insights';
import { alpha, viewsData, projectionData } from './charts';

describe('accuracyWords', () => {
  it.each([
    [0.5, 'no better than a coin flip'],
    [0.54, 'no better than a coin flip'],
    [0.6, 'weak'],
    [0.7, 'fair'],
    [0.8, 'good'],
    [0.93, 'strong'],
  ])('reads AUC %f as %s', (auc, words) => {
    expect(accuracyWords(auc)).toBe(words);
  });
  it('calls an AUC within two standard errors of 0.5 a coin flip', () => {
    expect(accuracyWords(0.58, 0.04)).toBe('no better than a coin flip');
    expect(accuracyWords(0.58, 0.02)).toBe('weak');
  });
});

describe('charts', () => {
  it('turns theme colours into canvas fills', () => {
    expect(alpha('#138a4a', 0.18)).toBe('rgba(19,138,74,0.18)');
    expect(alpha('not a colour', 0.5)).toBe('rgba(128,128,128,0.5)');
  });
  it('splits outliers into their own series', () => {
    const d = viewsData([
      { id: 'a', title: 'A', published_at: '2025-01-01T00:00:00Z', views: 10, views_per_day: 1, short: false, outlier: false },
      { id: 'b', title: 'B', published_at: '2025-01-02T00:00:00Z', views: 99, views_per_day: 9, short: true, outlier: true },
    ]);
    expect(d[0]).toEqual([1735689600, 1735776000]);
    expect(d[1]).toEqual([10, null]);
    expect(d[2]).toEqual([null, 99]);
  });
  it('orders the band as high, expected, low', () => {
    const d = projectionData([{ month: '2025-03', views: 1, expected: 10, low: 6, high: 15 }]);
    expect(d).toEqual([[1740787200], [15], [10], [6]]);
  });
});

describe('money and sources', () => {
  it('shows cents at most', () => {
    expect(money(5.60344)).toMatch(/5\.60$/);
    expect(money(1234.5, 0)).not.toMatch(/\./);
  });
  it('says where an RPM and the views came from', () => {
    expect(rpmSourceWords('revenue')).toContain('revenue');
    expect(rpmSourceWords('revenue', 'month')).toContain('YouTube Analytics');
    expect(rpmSourceWords('prior')).toContain('niche estimate');
    expect(viewsSourceWords('analytics')).toContain('28 days');
    expect(viewsSourceWords('catalogue')).toContain('lifetime');
    expect(percent(4.234)).toBe('4.2%');
  });
});
