// The Infrastructure page's live state: the last "metrics" snapshot and the
// Alerts list, kept current by events.
import { onEvent } from '../lib/api';
import { monitorApi, type AlertList, type Rule, type Snapshot } from './monitor';

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
    .catch((e) => (infra.error = 'The monitor did not answer: ' + (e as Error).message));
  refreshAlerts();
  monitorApi
    .rules()
    .then((r) => (infra.rules = r))
    .catch((e) => (infra.rulesError = 'The alert rules could not be loaded: ' + (e as Error).message));
  const offMetrics = onEvent('metrics', (s: Snapshot) => {
    infra.snap = s;
    infra.error = '';
  });
  const offAlert = onEvent('alert', () => refreshAlerts());
  return () => {
    offMetrics();
    offAlert();
  };
}

/** Saves one rule; returns an error sentence or ''. */
export async function saveRule(id: string, enabled: boolean, threshold: number): Promise<string> {
  try {
    const r = await monitorApi.updateRule(id, enabled, threshold);
    const i = infra.rules.findIndex((x) => x.id === id);
    if (i >= 0) infra.rules[i] = r;
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
