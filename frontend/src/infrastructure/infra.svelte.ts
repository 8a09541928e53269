// The Infrastructure page's live state: the last "metrics" snapshot and the
// Alerts list, kept current by events.
import { onEvent, type AlertList, type Rule, type Snapshot } from '../lib/api';
import { errorText } from '../lib/errors';
import { monitorApi } from './monitor';

export const infra = $state<{
  snap: Snapshot | null;
  error: string;
  alerts: AlertList;
  rules: Rule[];
  rulesError: string;
}>({ snap: null, error: '', alerts: { active: [], resolved: [] }, rules: [], rulesError: '' });

async function refreshAlerts() {
  try {
    infra.alerts = await monitorApi.alerts();
  } catch {
    // the next alert event or snapshot tries again
  }
}

/** Loads the page's data and follows events; returns the stop function. */
export function watchInfrastructure(): () => void {
  monitorApi
    .snapshot()
    .then((s) => {
      infra.snap = s;
      infra.error = '';
    })
    .catch((e) => (infra.error = 'The monitor did not answer: ' + errorText(e)));
  refreshAlerts();
  monitorApi
    .rules()
    .then((r) => (infra.rules = r))
    .catch((e) => (infra.rulesError = 'The alert rules could not be loaded: ' + errorText(e)));
  const offMetrics = onEvent('metrics', (s) => {
    infra.snap = s;
    infra.error = '';
  });
  const offAlert = onEvent('alert', () => refreshAlerts());
  return () => {
    offMetrics();
    offAlert();
  };
}

/** Saves one rule; a refusal rejects with the server's error. */
export async function saveRule(id: string, enabled: boolean, threshold: number): Promise<void> {
  const r = await monitorApi.updateRule(id, enabled, threshold);
  const i = infra.rules.findIndex((x) => x.id === id);
  if (i >= 0) infra.rules[i] = r;
}
