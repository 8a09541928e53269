import { describe, it, expect } from 'vitest';
import { summarize, headline, withOverride, withoutOverride, overrideReason } from './checklist';
import type { Checklist, Package } from '../lib/api';

const checklist: Checklist = {
  version: 1,
  passed: false,
  items: [
    { rule: 'script.length', label: 'Script length fits the format', state: 'fail', message: 'The script runs 0:32 (85 words).' },
    { rule: 'tags.count', label: '10–15 tags', state: 'overridden', message: '4 tags.' },
    { rule: 'chapters.valid', label: 'Chapters work on YouTube', state: 'n/a', message: '' },
    { rule: 'title.length', label: 'Title of at most 100 characters', state: 'pass', message: '' },
  ],
};

function pkg(status: Package['status'], c: Checklist | null): Package {
  return { id: 'p', hlc: '', deleted: false, created_at: '', updated_at: '', channel_id: 'c', status, topic: '', title: 't', content: { checklist: c } } as Package;
}

describe('summarize', () => {
  it('counts what is missing, overridden and passing', () => {
    const s = summarize(checklist);
    expect(s.ready).toBe(false);
    expect(s.missing.map((i) => i.rule)).toEqual(['script.length']);
    expect(s.overridden.map((i) => i.rule)).toEqual(['tags.count']);
    expect([s.passing, s.applicable]).toEqual([1, 3]);
  });
  it('is not ready without a checklist', () => expect(summarize(null).ready).toBe(false));
});

describe('headline', () => {
  it('says an outline and how many things to fix', () => expect(headline(pkg('outline', checklist))).toBe('An outline: 1 thing to fix before it is ready.'));
  it('says ready, and how many rules were overridden', () => {
    const ok = { ...checklist, passed: true, items: checklist.items.filter((i) => i.state !== 'fail') };
    expect(headline(pkg('ready', ok))).toBe('Ready to publish, with 1 rule overridden.');
  });
  it('asks for a run when a package was never checked', () => expect(headline(pkg('idea', null))).toMatch(/^Not checked yet/));
});

describe('overrides', () => {
  it('adds one per rule, replacing an earlier reason, and removes it', () => {
    let c = withOverride({ overrides: [{ rule: 'tags.count', reason: 'old', at: '1970-01-01T00:00:00.001Z' }] }, 'tags.count', '  four is enough  ', Date.UTC(2026, 11, 5, 19, 55));
    c = withOverride(c, 'script.length', 'a teaser', Date.UTC(2026, 11, 5, 19, 56));
    expect(c.overrides).toEqual([
      { rule: 'tags.count', reason: 'four is enough', at: '2026-12-05T19:55:00.000Z' },
      { rule: 'script.length', reason: 'a teaser', at: '2026-12-05T19:56:00.000Z' },
    ]);
    expect(overrideReason(c, 'script.length')).toBe('a teaser');
    expect(withoutOverride(c, 'tags.count').overrides?.map((o) => o.rule)).toEqual(['script.length']);
  });
});
