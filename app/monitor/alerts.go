package monitor

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Rule ids.
const (
	RuleErrorRate    = "error_rate"
	RuleLatency      = "latency_p95"
	RuleQuota        = "quota"
	RuleBreakerOpen  = "breaker_open"
	RuleProviderDown = "provider_down"
	RuleSyncFailing  = "sync_failing"
	RuleSyncClock    = "sync_clock"
	RuleDiskLow      = "disk_low"
)

// Alert severities.
const (
	SeverityWarn = "warn"
	SeverityBad  = "bad"
)

// ErrUnknownRule is returned when a rule id does not exist.
var ErrUnknownRule = errors.New("unknown alert rule")

// Rule is one alert rule with the threshold the user can edit.
type Rule struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Enabled     bool    `json:"enabled"`
	Threshold   float64 `json:"threshold"`
	Default     float64 `json:"default"`
	Unit        string  `json:"unit"` // shown after the threshold: "%", "ms", "min", "MB", "failed checks"
	Min         float64 `json:"min"`  // the smallest threshold allowed
	Max         float64 `json:"max"`  // the largest threshold allowed
	Severity    string  `json:"severity"`
}

// DefaultRules are the rules with their default thresholds, in the order
// the Alerts list shows them.
func DefaultRules() []Rule {
	return []Rule{
		{ID: RuleErrorRate, Name: "Error rate", Description: "A provider's failed calls over the last 5 minutes are above the threshold (at least 5 calls).",
			Enabled: true, Threshold: 5, Default: 5, Unit: "%", Min: 0.1, Max: 100, Severity: SeverityBad},
		{ID: RuleLatency, Name: "Slow answers", Description: "A provider's 95th-percentile latency is above the target.",
			Enabled: true, Threshold: 500, Default: 500, Unit: "ms", Min: 10, Max: 120000, Severity: SeverityWarn},
		{ID: RuleQuota, Name: "Quota nearly used", Description: "A provider's daily quota is used beyond the threshold.",
			Enabled: true, Threshold: 80, Default: 80, Unit: "%", Min: 1, Max: 100, Severity: SeverityWarn},
		{ID: RuleBreakerOpen, Name: "Breaker open", Description: "A provider failed repeatedly and is paused.",
			Enabled: true, Threshold: 1, Default: 1, Unit: "open breakers", Min: 1, Max: 1, Severity: SeverityBad},
		{ID: RuleProviderDown, Name: "Provider unreachable", Description: "A provider failed this many health checks in a row.",
			Enabled: true, Threshold: 1, Default: 1, Unit: "failed checks", Min: 1, Max: 100, Severity: SeverityBad},
		{ID: RuleSyncFailing, Name: "Sync failing", Description: "Sync has been failing for longer than the threshold.",
			Enabled: true, Threshold: 10, Default: 10, Unit: "min", Min: 1, Max: 1440, Severity: SeverityBad},
		{ID: RuleSyncClock, Name: "Clock far ahead", Description: "A synced change carries a clock further ahead of this computer's than the threshold: a device's date and time are wrong.",
			Enabled: true, Threshold: 5, Default: 5, Unit: "min", Min: 1, Max: 1440, Severity: SeverityWarn},
		{ID: RuleDiskLow, Name: "Low disk space", Description: "The disk holding the data folder has less free space than the threshold.",
			Enabled: true, Threshold: 1024, Default: 1024, Unit: "MB", Min: 1, Max: 1 << 20, Severity: SeverityWarn},
	}
}

// Alert is a raised (and maybe resolved) alert. Key identifies it: one rule
// about one subject (a provider, "sync", "disk") is one alert, however
// often the condition is seen.
type Alert struct {
	Key        string    `json:"key"`
	Rule       string    `json:"rule"`
	Subject    string    `json:"subject"`
	Severity   string    `json:"severity"`
	Message    string    `json:"message"`
	Value      float64   `json:"value"`
	Threshold  float64   `json:"threshold"`
	RaisedAt   time.Time `json:"raised_at,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// ResolvedMessage is the sentence for when the alert resolves.
	ResolvedMessage string `json:"resolved_message"`
	Active          bool   `json:"active"`
}

// AlertEvent is the payload of an "alert" event.
type AlertEvent struct {
	Type  string `json:"type"` // raised or resolved
	Alert Alert  `json:"alert"`
}

// Alert event types.
const (
	AlertRaised   = "raised"
	AlertResolved = "resolved"
)

// finding is a condition a rule found true in one evaluation.
type finding struct {
	rule, subject, label, message string
	value, threshold              float64
}

// resolvedText is the sentence shown when an alert of rule about label resolves.
func resolvedText(rule, label string, threshold float64) string {
	switch rule {
	case RuleErrorRate:
		return fmt.Sprintf("%s's error rate is back under %g%%.", label, threshold)
	case RuleLatency:
		return fmt.Sprintf("%s answers within %g ms again.", label, threshold)
	case RuleQuota:
		return fmt.Sprintf("%s's quota use is back under %g%%.", label, threshold)
	case RuleBreakerOpen:
		return label + " answers again: its breaker closed."
	case RuleProviderDown:
		return label + " answers its health checks again."
	case RuleSyncFailing:
		return "Sync works again."
	case RuleSyncClock:
		return "No synced change with a clock far ahead was seen lately."
	case RuleDiskLow:
		return "The disk holding the data folder has enough free space again."
	default:
		return "Resolved."
	}
}

// engine keeps the active alerts and the recently resolved ones. It
// deduplicates by key: a finding whose key is active changes nothing but
// its message and value; an active key not found again for resolveAfter
// is resolved, so a condition that flickers raises one alert, not one per
// flicker.
type engine struct {
	resolveAfter time.Duration // zero resolves at the first evaluation without the finding

	mu         sync.Mutex
	active     map[string]*Alert
	clearSince map[string]time.Time // active keys not found since then
	resolved   []Alert              // newest first, at most keepResolved
}

const keepResolved = 50

// apply compares one evaluation's findings with the active alerts and
// returns the events to emit, raised ones first.
func (e *engine) apply(now time.Time, rules map[string]Rule, found []finding) []AlertEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active == nil {
		e.active, e.clearSince = map[string]*Alert{}, map[string]time.Time{}
	}
	var out []AlertEvent
	seen := make(map[string]bool, len(found))
	for _, f := range found {
		key := f.rule + ":" + f.subject
		if seen[key] {
			continue
		}
		seen[key] = true
		delete(e.clearSince, key)
		if a, ok := e.active[key]; ok {
			a.Message, a.Value, a.Threshold = f.message, f.value, f.threshold
			a.ResolvedMessage = resolvedText(f.rule, f.label, f.threshold)
			continue
		}
		a := &Alert{Key: key, Rule: f.rule, Subject: f.subject, Severity: rules[f.rule].Severity, Message: f.message,
			Value: f.value, Threshold: f.threshold, RaisedAt: now, Active: true, ResolvedMessage: resolvedText(f.rule, f.label, f.threshold)}
		e.active[key] = a
		out = append(out, AlertEvent{Type: AlertRaised, Alert: *a})
	}
	keys := make([]string, 0, len(e.active))
	for k := range e.active {
		if seen[k] {
			continue
		}
		since, ok := e.clearSince[k]
		if !ok {
			e.clearSince[k], since = now, now
		}
		if now.Sub(since) >= e.resolveAfter {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		a := e.active[k]
		delete(e.active, k)
		delete(e.clearSince, k)
		a.Active, a.ResolvedAt = false, now
		e.resolved = append([]Alert{*a}, e.resolved...)
		if len(e.resolved) > keepResolved {
			e.resolved = e.resolved[:keepResolved]
		}
		out = append(out, AlertEvent{Type: AlertResolved, Alert: *a})
	}
	return out
}

// list returns the active alerts (newest first) then the resolved ones.
func (e *engine) list() (active, resolved []Alert) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.active {
		active = append(active, *a)
	}
	sort.Slice(active, func(i, j int) bool {
		if !active[i].RaisedAt.Equal(active[j].RaisedAt) {
			return active[i].RaisedAt.After(active[j].RaisedAt)
		}
		return active[i].Key < active[j].Key
	})
	return active, append([]Alert(nil), e.resolved...)
}

// evaluate turns an Infrastructure snapshot into findings under rules.
// failingFor is how long sync has been failing (0 when it is not).
func evaluate(s *Snapshot, rules map[string]Rule, failingFor time.Duration) []finding {
	var out []finding
	on := func(id string) (Rule, bool) { r, ok := rules[id]; return r, ok && r.Enabled }
	for _, p := range s.Providers {
		if p.State == "disabled" {
			continue
		}
		if r, ok := on(RuleBreakerOpen); ok && p.Breaker == "open" {
			out = append(out, finding{RuleBreakerOpen, p.Name, p.Label, fmt.Sprintf("%s failed repeatedly and is paused; other providers answer meanwhile.", p.Label), 1, r.Threshold})
		}
		if r, ok := on(RuleProviderDown); ok && p.FailedChecks >= int(r.Threshold) {
			msg := fmt.Sprintf("%s does not answer its health check (%d in a row).", p.Label, p.FailedChecks)
			if p.State == "misconfigured" && p.Message != "" {
				msg = p.Message // the router's sentence: a rejected key, an unknown model…
			}
			out = append(out, finding{RuleProviderDown, p.Name, p.Label, msg, float64(p.FailedChecks), r.Threshold})
		}
		if r, ok := on(RuleErrorRate); ok && p.Calls5m >= minCallsForRate && p.ErrorRate5m*100 > r.Threshold {
			out = append(out, finding{RuleErrorRate, p.Name, p.Label, fmt.Sprintf("%s failed %.0f%% of %d calls in the last 5 minutes (limit %g%%).", p.Label, p.ErrorRate5m*100, p.Calls5m, r.Threshold), p.ErrorRate5m * 100, r.Threshold})
		}
		if r, ok := on(RuleLatency); ok && p.LatencyP95 > r.Threshold {
			out = append(out, finding{RuleLatency, p.Name, p.Label, fmt.Sprintf("%s answers slowly: 95%% of calls within %.0f ms (target %g ms).", p.Label, p.LatencyP95, r.Threshold), p.LatencyP95, r.Threshold})
		}
		if r, ok := on(RuleQuota); ok && p.QuotaLimit > 0 {
			used := float64(p.QuotaUsed) / float64(p.QuotaLimit) * 100
			if used > r.Threshold {
				out = append(out, finding{RuleQuota, p.Name, p.Label, fmt.Sprintf("%s used %.0f%% of its daily quota (%d of %d).", p.Label, used, p.QuotaUsed, p.QuotaLimit), used, r.Threshold})
			}
		}
	}
	if r, ok := on(RuleSyncFailing); ok && failingFor > time.Duration(r.Threshold*float64(time.Minute)) {
		msg := fmt.Sprintf("Sync has been failing for %d minutes.", int(failingFor/time.Minute))
		if s.Sync.LastError != "" {
			msg += " Last error: " + s.Sync.LastError
		}
		out = append(out, finding{RuleSyncFailing, "sync", "Sync", msg, failingFor.Minutes(), r.Threshold})
	}
	if r, ok := on(RuleSyncClock); ok && s.Sync.ClockAlert != "" && float64(s.Sync.ClockAheadMS) > r.Threshold*float64(time.Minute/time.Millisecond) {
		out = append(out, finding{RuleSyncClock, "sync-clock", "Sync", s.Sync.ClockAlert, float64(s.Sync.ClockAheadMS) / float64(time.Minute/time.Millisecond), r.Threshold})
	}
	if r, ok := on(RuleDiskLow); ok && s.Disk.TotalBytes > 0 {
		freeMB := float64(s.Disk.FreeBytes) / (1 << 20)
		if freeMB < r.Threshold {
			out = append(out, finding{RuleDiskLow, "disk", "Disk", fmt.Sprintf("Only %.0f MB free on the disk holding the data folder (alert below %g MB).", freeMB, r.Threshold), freeMB, r.Threshold})
		}
	}
	return out
}

// minCallsForRate is the fewest calls in the window an error rate is
// judged on, so one failed call out of one does not alert.
const minCallsForRate = 5
