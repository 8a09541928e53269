package router

import (
	"sort"

	"golang.org/x/time/rate"
)

// LimiterState is one rate limiter's tokens, for the Infrastructure panel.
type LimiterState struct {
	Name       string  `json:"name"` // "global", "channel:<id>" or "provider:<name>"
	TokensLeft float64 `json:"tokens_left"`
	Burst      int     `json:"burst"`
	PerMinute  float64 `json:"per_minute"`
}

// Limiters reports the tokens left in the global limit, each provider's
// limit and each channel's limit, at the router's clock.
func (r *Router) Limiters() []LimiterState {
	now := r.cfg.Now()
	state := func(name string, l *rate.Limiter) LimiterState {
		return LimiterState{Name: name, TokensLeft: max(0, l.TokensAt(now)), Burst: l.Burst(), PerMinute: float64(l.Limit()) * 60}
	}
	out := []LimiterState{state("global", r.global)}
	for _, m := range *r.members.Load() {
		if m.limiter != nil {
			out = append(out, state("provider:"+m.name, m.limiter))
		}
	}
	r.chMu.Lock()
	chans := make([]LimiterState, 0, len(r.channels))
	for id, l := range r.channels {
		chans = append(chans, state("channel:"+id, l))
	}
	r.chMu.Unlock()
	sort.Slice(chans, func(i, j int) bool { return chans[i].Name < chans[j].Name })
	return append(out, chans...)
}
