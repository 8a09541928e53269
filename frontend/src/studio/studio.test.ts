import { describe, it, expect } from 'vitest';
import type { Package, ScriptSection } from '../lib/api';
import { EarlyEvents, draftOf, exportURL, inputOf, retime, words } from './studio';

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

describe('drafts', () => {
  const pkg: Package = {
    id: 'p1', hlc: 'h', deleted: false, created_at: '2026-12-05T19:55:00Z', updated_at: '2026-12-05T19:56:00Z', channel_id: 'c1', status: 'ready', topic: 'ice', title: 'Old',
    content: {
      hook: 'one two three',
      script: [{ heading: 'A', text: 'w '.repeat(150), start: 0, seconds: 0 }],
      tags: ['a', 'b'],
      description: 'd',
      thumbnail: 't',
      voice: { file: 'v.wav', engine: 'espeak-ng', seconds: 3, bytes: 10, mime_type: 'audio/wav' },
      steps: { voice: { status: 'done', at: '2026-12-05T19:55:00Z' } },
    },
  };
  it('copies the text of a package, and nothing for none', () => {
    const d = draftOf(pkg);
    expect(d).toEqual({ title: 'Old', hook: 'one two three', script: pkg.content.script, description: 'd', tags: 'a, b', thumbnail: 't' });
    d.script[0].text = 'changed';
    expect(pkg.content.script![0].text).not.toBe('changed'); // a copy, not the package's own sections
    expect(draftOf(null)).toEqual({ title: '', hook: '', script: [], description: '', tags: '', thumbnail: '' });
  });
  it('saves the edited text, re-timed, and leaves the rest to the server', () => {
    const d = { ...draftOf(pkg), title: 'New', tags: ' x, ,y ,' };
    const in_ = inputOf(pkg, d, 150);
    expect(in_.title).toBe('New');
    expect(in_.status).toBe('ready');
    expect(in_.content.tags).toEqual(['x', 'y']);
    expect(in_.content.script!.map((s) => [s.start, s.seconds])).toEqual([[1.2, 60]]);
    expect(in_.content.voice).toEqual(pkg.content.voice);
  });
});

describe('EarlyEvents', () => {
  type E = { package_id?: string; step?: string };
  it('holds events only while a create is pending, and replays one package in order', () => {
    const early = new EarlyEvents<E>();
    expect(early.hold({ package_id: 'p1', step: 'ideas' })).toBe(false);
    early.begin();
    expect(early.hold({ package_id: 'p1', step: 'ideas' })).toBe(true);
    expect(early.hold({ package_id: 'p2', step: 'ideas' })).toBe(true);
    expect(early.hold({ package_id: 'p1', step: 'titles' })).toBe(true);
    expect(early.hold({ step: 'ideas' })).toBe(false);
    expect(early.take('p1').map((e) => e.step)).toEqual(['ideas', 'titles']);
    expect(early.take('p1')).toEqual([]);
    early.end();
    expect(early.take('p2')).toEqual([]); // nothing pending: dropped
  });
  it('keeps the newest events of a package past the cap', () => {
    const early = new EarlyEvents<E>();
    early.begin();
    for (let i = 0; i < EarlyEvents.max + 10; i++) early.hold({ package_id: 'p', step: String(i) });
    const got = early.take('p');
    expect(got.length).toBe(EarlyEvents.max);
    expect(got[0].step).toBe('10');
  });
  it('waits for every pending create before dropping', () => {
    const early = new EarlyEvents<E>();
    early.begin();
    early.begin();
    early.hold({ package_id: 'p' });
    early.end();
    expect(early.take('p').length).toBe(1);
  });
});
