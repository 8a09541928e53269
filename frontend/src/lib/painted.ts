// Cold-start measurement: the dashboard calls reportPainted once its first
// data has rendered. Two animation frames later that frame is on screen,
// and the Go side hears "painted" and logs painted_ms since the process
// started (scripts/desktop-smoke.sh reads it). Only the first call counts.
import { emitToGo } from './api';

let reported = false;

export function reportPainted(detail: Record<string, unknown> = {}): void {
  if (reported || typeof requestAnimationFrame === 'undefined') return;
  reported = true;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      emitToGo('painted', { page: 'dashboard', webview_ms: Math.round(performance.now()), ...detail });
    }),
  );
}

/** For tests. */
export function resetPainted(): void {
  reported = false;
}
