import { describe, it, expect } from 'vitest';
import type { ScriptSection } from '../lib/api';
import { words, retime, exportURL } from './studio';

describe('retime', () => {
  it('times sections after the hook at the words per minute, like the Go side', () => {
    const secs: ScriptSection[] = [
      { heading: 'A', text: 'w '.repeat(150), start: 0, seconds: 0 },
      { heading: 'B', text: 'w '.repeat(300), start: 0, seconds: 0 },
    ];
    const out = retime('one two three', secs, 150);
    expect(out.map((s) => [s.start, s.seconds])).toEqual([
      [1.2, 60],
      [61.2, 120],
    ]);
    expect(secs[0].start).toBe(0); // the input is left alone
  });
  it('falls back to 150 wpm when none is stated', () => {
    expect(retime('', [{ heading: 'A', text: 'w '.repeat(150), start: 0, seconds: 0 }], 0)[0].seconds).toBe(60);
  });
});

describe('words and exportURL', () => {
  it('counts words across whitespace', () => expect(words('  a\tb\n c ')).toBe(3));
  it('counts nothing in blank text', () => expect(words('   ')).toBe(0));
  it('escapes the package id in the download link', () =>
    expect(exportURL('a/b', 'json')).toBe('/api/export/a%2Fb/json'));
});
