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
	// Demoted is set when the last call or health check failed: the
	// provider is tried after the others until one succeeds.
	Demoted bool `json:"demoted"`
	// BreakerOpenUntil is when an open breaker half-opens by itself (a
	// passing health check half-opens it sooner); zero when not open.
	BreakerOpenUntil time.Time `json:"breaker_open_until,omitzero"`
	// Cooldown is the pause the provider asked for, nil when none: until
	// it ends, interactive requests send it nothing.
	Cooldown *Cooldown `json:"cooldown,omitempty"`
	// Budgets are the first-byte budgets per kind of task answered so
	// far; kinds without answers get Config.BudgetInitial.
	Budgets []Budget `json:"budgets"`
	// Hedges counts requests in which this provider was started alongside
	// a slow one; HedgesWon those it answered.
	Hedges    uint64 `json:"hedges"`
	HedgesWon uint64 `json:"hedges_won"`
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
		RPM: m.entry.RPM, QuotaLimit: m.entry.DailyQuota, QuotaLeft: -1, Demoted: m.demoted.Load(),
		BreakerOpenUntil: m.breaker.OpenUntil(), Budgets: r.budgetsOf(m), Hedges: m.hedges.Load(), HedgesWon: m.hedgesWon.Load()}
	if cd, ok := r.cooldowns.Get(m.name, r.cfg.Now()); ok {
		s.Cooldown = &cd
	}
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
	s.Requests = m.ok + m.failedN
	s.Failures = m.failedN
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
	case s.Cooldown != nil:
		s.State = StateCooldown
		if s.Cooldown.Status == 429 {
			s.Message = m.entry.Label + " asked for a pause (rate limit); other providers answer until it ends."
		} else {
			s.Message = m.entry.Label + " is overloaded and asked for a pause; other providers answer until it ends."
		}
	case bstate == gobreaker.StateHalfOpen || checkFailed || s.Demoted || s.QuotaLeft == 0:
		s.State = StateDegraded
	default:
		s.State = StateHealthy
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
