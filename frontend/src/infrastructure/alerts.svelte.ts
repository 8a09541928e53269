// App-wide alert toasts: every raised alert shows as a toast that stays
// until the alert resolves; a resolved alert replaces it with a short
// "resolved" note. Started once from App.svelte.
import { onEvent, type Alert } from '../lib/api';
import { toast, dismissKey } from '../lib/toasts.svelte';
import { monitorApi } from './monitor';
import { afterFirstPaint } from '../lib/painted';

let started = false;

function raise(a: Alert) {
  toast(a.message, a.severity === 'bad' ? 'bad' : 'warn', { key: 'alert:' + a.key, ms: 0 });
}

export function startAlerts() {
  if (started) return;
  started = true;
  onEvent('alert', (ev) => {
    if (!ev?.alert) return;
    if (ev.type === 'raised') {
      raise(ev.alert);
    } else {
      dismissKey('alert:' + ev.alert.key);
      toast(ev.alert.resolved_message || 'Resolved: ' + ev.alert.message, 'ok', { key: 'resolved:' + ev.alert.key });
    }
  });
  // alerts raised before this window opened
  afterFirstPaint()
    .then(() => monitorApi.alerts())
    .then((l) => l.active.forEach(raise))
    .catch(() => {});
}
