package monitor

import "tubeagency/providers/router"

// RouterProviders reads r's provider snapshots as the monitor's Providers source.
func RouterProviders(r *router.Router) func() []ProviderStatus {
	return func() []ProviderStatus {
		snaps := r.Snapshots()
		out := make([]ProviderStatus, len(snaps))
		for i, s := range snaps {
			out[i] = ProviderStatus{Name: s.Name, Label: s.Label, State: s.State, Message: s.Message,
				Breaker: s.Breaker, LatencyP50: s.LatencyP50, LatencyP95: s.LatencyP95,
				SuccessRate: s.SuccessRate, Requests: s.Requests, Failures: s.Failures, QuotaUsed: s.QuotaUsed,
				QuotaLimit: s.QuotaLimit, LastError: s.LastError, LastCheck: s.LastCheck, CheckFailed: s.CheckFailed,
				Demoted: s.Demoted, BreakerOpenUntil: s.BreakerOpenUntil, Hedges: s.Hedges, HedgesWon: s.HedgesWon,
				FirstByteBudgets: make(map[string]float64, len(s.Budgets))}
			if cd := s.Cooldown; cd != nil {
				out[i].CooldownUntil, out[i].CooldownReason, out[i].CooldownStatus = cd.Until, cd.Reason, cd.Status
			}
			for _, b := range s.Budgets {
				out[i].FirstByteBudgets[b.Kind] = b.BudgetMs
			}
		}
		return out
	}
}

// RouterLimiters reads r's rate limiters as the monitor's Limiters source.
func RouterLimiters(r *router.Router) func() []LimiterStatus {
	return func() []LimiterStatus {
		ls := r.Limiters()
		out := make([]LimiterStatus, len(ls))
		for i, l := range ls {
			out[i] = LimiterStatus{Name: l.Name, TokensLeft: l.TokensLeft, Burst: l.Burst, PerMinute: l.PerMinute}
		}
		return out
	}
}

var (
	_ router.Observer      = (*Monitor)(nil)
	_ router.HedgeObserver = (*Monitor)(nil)
)
