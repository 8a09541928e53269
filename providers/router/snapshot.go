package router

import (
	"sort"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Snapshot is one provider's state for the Infrastructure panel and
// Settings. It holds no secret.
type Snapshot struct {
	Name        string    `json:"name"`
	Label       string    `json:"label"`
	Order       int       `json:"order"`
	State       string    `json:"state"` // State* constants
	Message     string    `json:"message,omitempty"`
	Offline     bool      `json:"offline"` // answers without the internet
	Breaker     string    `json:"breaker"` // closed, half-open or open
	LatencyP50  float64   `json:"latency_p50_ms"`
	LatencyP95  float64   `json:"latency_p95_ms"`
	SuccessRate float64   `json:"success_rate"` // 0..1 over all calls; 1 when none yet
	Requests    uint64    `json:"requests"`
	Failures    uint64    `json:"failures"`
	RPM         int       `json:"rpm"`
	QuotaUsed   int       `json:"quota_used"`
	QuotaLimit  int       `json:"quota_limit"` // 0 means unlimited
	QuotaLeft   int       `json:"quota_left"`  // -1 means unlimited
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	LastCheck   time.Time `json:"last_check,omitzero"`
	CheckFailed bool      `json:"check_failed"` // the last health check failed
}

// Snapshots describe every configured provider, in configured order.
func (r *Router) Snapshots() []Snapshot {
	members := *r.members.Load()
	out := make([]Snapshot, 0, len(members))
	for _, m := range members {
		out = append(out, r.snapshot(m))
	}
	return out
}

func (r *Router) snapshot(m *member) Snapshot {
	bstate := m.breaker.State()
	s := Snapshot{Name: m.name, Label: m.entry.Label, Order: m.order, Offline: m.entry.Offline, Breaker: bstate.String(),
		RPM: m.entry.RPM, QuotaLimit: m.entry.DailyQuota, QuotaLeft: -1}
	if r.cfg.Quotas != nil {
		s.QuotaUsed = r.cfg.Quotas.Used(m.name)
	}
	if s.QuotaLimit > 0 {
		s.QuotaLeft = max(0, s.QuotaLimit-s.QuotaUsed)
	}
	m.mu.Lock()
	n := min(m.latN, len(m.lat))
	lats := make([]time.Duration, n)
	copy(lats, m.lat[:n])
	s.Requests = m.ok + m.failed
	s.Failures = m.failed
	s.LastError, s.LastErrorAt, s.LastCheck = m.lastErr, m.lastErrAt, m.lastCheck
	misconfig, checkFailed := m.misconfig, m.checkFailed
	m.mu.Unlock()
	s.CheckFailed = checkFailed
	s.SuccessRate = 1
	if s.Requests > 0 {
		s.SuccessRate = float64(s.Requests-s.Failures) / float64(s.Requests)
	}
	if n > 0 {
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		s.LatencyP50 = ms(lats[(n-1)*50/100])
		s.LatencyP95 = ms(lats[(n-1)*95/100])
	}
	switch {
	case m.entry.Disabled:
		s.State = StateDisabled
	case misconfig != "":
		s.State, s.Message = StateMisconfigured, misconfig
	case bstate == gobreaker.StateOpen:
		s.State = StateBreakerOpen
		s.Message = m.entry.Label + " failed repeatedly and is paused; it is tried again shortly."
	case bstate == gobreaker.StateHalfOpen || checkFailed || m.scoreBucket() < 2 || s.QuotaLeft == 0:
		s.State = StateDegraded
	default:
		s.State = StateHealthy
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
