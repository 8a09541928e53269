// Calls of the monitor (app/monitor_api.go, app/monitor), typed by the
// generated bindings through lib/api.
import { call } from '../lib/api';

export const monitorApi = {
  snapshot: () => call('Infrastructure'),
  alerts: () => call('ListAlerts'),
  rules: () => call('ListAlertRules'),
  updateRule: (id: string, enabled: boolean, threshold: number) =>
    call('UpdateAlertRule', id, { enabled, threshold }),
  availability: (days: number) => call('ProviderAvailability', days),
};
