package app

import (
	"tubeagency/app/monitor"
)

// Infrastructure is the latest snapshot of the Infrastructure page, the
// same as the last "metrics" event. The page calls it once on opening and
// then follows the events.
func (a *App) Infrastructure() (monitor.Snapshot, error) {
	ctx, cancel := a.call()
	defer cancel()
	m := a.rt.monitor
	s := m.Snapshot()
	if s.At.IsZero() { // no tick yet: take one now
		if err := m.Tick(ctx, a.rt.opts.Now()); err != nil {
			a.rt.log.Warn("monitor tick", "err", err)
		}
		s = m.Snapshot()
	}
	return s, nil
}

// AlertList is the Alerts list: active alerts newest first, then the
// recently resolved ones.
type AlertList struct {
	Active   []monitor.Alert `json:"active"`
	Resolved []monitor.Alert `json:"resolved"`
}

// ListAlerts returns the active and recently resolved alerts.
func (a *App) ListAlerts() (AlertList, error) {
	m := a.rt.monitor
	act, res := m.Alerts()
	if act == nil {
		act = []monitor.Alert{}
	}
	if res == nil {
		res = []monitor.Alert{}
	}
	return AlertList{Active: act, Resolved: res}, nil
}

// ListAlertRules returns the alert rules with their thresholds.
func (a *App) ListAlertRules() ([]monitor.Rule, error) {
	m := a.rt.monitor
	return m.Rules(), nil
}

// AlertRuleInput edits one rule.
type AlertRuleInput struct {
	Enabled   bool    `json:"enabled"`
	Threshold float64 `json:"threshold"`
}

// UpdateAlertRule switches a rule on or off and sets its threshold. The
// next snapshot (within 2 s) judges by it.
func (a *App) UpdateAlertRule(id string, in AlertRuleInput) (monitor.Rule, error) {
	ctx, cancel := a.call()
	defer cancel()
	m := a.rt.monitor
	var rule *monitor.Rule
	rules := m.Rules()
	for i := range rules {
		if rules[i].ID == id {
			rule = &rules[i]
		}
	}
	var c checker
	if rule == nil {
		c.fail("id", "is not a known alert rule")
	} else {
		c.number("threshold", in.Threshold, rule.Min, rule.Max)
	}
	if c.err != nil {
		return monitor.Rule{}, c.err
	}
	return m.SetRule(ctx, id, in.Enabled, in.Threshold)
}

// ProviderAvailability is each provider's share of passed health checks
// over the last days days (1–30), with one figure per day for the chart.
func (a *App) ProviderAvailability(days int) ([]monitor.Availability, error) {
	ctx, cancel := a.call()
	defer cancel()
	var c checker
	c.number("days", float64(days), 1, monitor.AvailabilityDays)
	if c.err != nil {
		return nil, c.err
	}
	m := a.rt.monitor
	return m.Availability(ctx, days)
}
