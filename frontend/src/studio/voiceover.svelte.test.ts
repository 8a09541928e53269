import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import VoiceOver from './VoiceOver.svelte';
import type { Package } from '../lib/api';

// The voice-over card in a browser (serve mode): the player streams the
// file from its address, and says "Ready to play" once it can.
describe('voice-over card', () => {
  beforeAll(() => {
    // jsdom has no media player: this one plays WAV.
    HTMLMediaElement.prototype.canPlayType = (t: string) => (t === 'audio/wav' ? 'probably' : '');
  });
  let cmp: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (cmp) unmount(cmp);
    cmp = null;
    document.body.innerHTML = '';
  });

  const voice = { file: 'v1.wav', mime_type: 'audio/wav', seconds: 47, engine: 'espeak-ng', bytes: 2040 * 1024 };
  const read = (updated: string) => ({ id: 'p1', updated_at: updated, content: { voice } }) as unknown as Package;

  function show(pkg: Package) {
    const props = $state({ page: { info: null } as any, pkg });
    cmp = mount(VoiceOver, { target: document.body, props });
    flushSync();
    return props;
  }
  const state = () => document.querySelector('[data-testid="voice-state"]')!.textContent!.trim();
  const player = () => document.querySelector('audio')!;

  it('stays ready when the package is read again with the same file', () => {
    const props = show(read('2026-12-06T10:00:00Z'));
    expect(state()).toMatch(/^Loading/);
    player().dispatchEvent(new Event('canplay'));
    flushSync();
    expect(state()).toMatch(/^Ready to play/);
    const src = player().getAttribute('src');

    // Another event reads the package again: a new object, the same file.
    props.pkg = read('2026-12-06T10:00:00Z');
    flushSync();
    expect(player().getAttribute('src')).toBe(src);
    expect(state()).toMatch(/^Ready to play/);
  });

  it('loads again when the file changes', () => {
    const props = show(read('2026-12-06T10:00:00Z'));
    player().dispatchEvent(new Event('canplay'));
    flushSync();
    const src = player().getAttribute('src');

    props.pkg = read('2026-12-06T10:05:00Z');
    flushSync();
    expect(player().getAttribute('src')).not.toBe(src);
    expect(state()).toMatch(/^Loading/);
    player().dispatchEvent(new Event('canplay'));
    flushSync();
    expect(state()).toMatch(/^Ready to play/);
  });
});
