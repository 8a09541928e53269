import { describe, it, expect, beforeEach, vi } from 'vitest';
import { afterFirstPaint, reportPainted, resetPainted, skipFirstPaint } from './painted';

// The order things happen in: the frames are driven by hand.
describe('first paint', () => {
  let frames: FrameRequestCallback[] = [];
  beforeEach(() => {
    resetPainted();
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  });
  const nextFrame = () => {
    const run = frames;
    frames = [];
    run.forEach((cb) => cb(performance.now()));
  };
  const settled = async (p: Promise<void>) => {
    let done = false;
    p.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 0));
    return done;
  };

  it('lets deferred work start two frames after the data rendered, not before', async () => {
    const waiting = afterFirstPaint();
    reportPainted({ channels: 2 });
    expect(await settled(waiting)).toBe(false);
    nextFrame();
    expect(await settled(waiting)).toBe(false);
    nextFrame();
    expect(await settled(waiting)).toBe(true);
  });

  it('counts only the first report', async () => {
    reportPainted();
    reportPainted();
    expect(frames).toHaveLength(1);
  });

  it('lets deferred work start at once when no dashboard frame will come', async () => {
    const waiting = afterFirstPaint();
    expect(await settled(waiting)).toBe(false);
    skipFirstPaint();
    expect(await settled(waiting)).toBe(true);
    expect(frames).toHaveLength(0);
  });
});
