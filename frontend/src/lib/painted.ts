// Cold-start measurement and priority. The dashboard calls reportPainted
// once its first data has rendered. Two animation frames later that frame is
// on screen, and the Go side hears "painted" and logs painted_ms since the
// process started (scripts/desktop-smoke.sh reads it). Only the first call
// counts.
//
// What is not the dashboard's main content (the update badge, alerts raised
// earlier, the money counter, ready packages, "while you were away") asks
// for its data after that frame (afterFirstPaint): its answers would
// otherwise be rendered into the same first frames and hold them up.
import { emitToGo } from './api';

let reported = false;
let release: () => void = () => {};
let painted = new Promise<void>((r) => (release = r));

export function reportPainted(detail: Record<string, unknown> = {}): void {
  if (reported) return;
  reported = true;
  if (typeof requestAnimationFrame === 'undefined') {
    release();
    return;
  }
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      emitToGo('painted', { page: 'dashboard', webview_ms: Math.round(performance.now()), ...detail });
      release();
    }),
  );
}

/** Resolves once the dashboard's first frame with data is on screen, or
 *  once there will be none (skipFirstPaint). */
export function afterFirstPaint(): Promise<void> {
  return painted;
}

/** Lets work waiting in afterFirstPaint start when no first frame will be
 *  reported: the window opened on another page, the dashboard's data could
 *  not load, or the dashboard was left before it arrived. */
export function skipFirstPaint(): void {
  release();
}

/** For tests. */
export function resetPainted(): void {
  reported = false;
  painted = new Promise<void>((r) => (release = r));
}
