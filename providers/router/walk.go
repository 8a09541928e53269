package router

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/sony/gobreaker/v2"

	"tubeagency/providers"
)

// run is one request on its way through the providers.
type run struct {
	r      *Router
	req    providers.Request
	tm     *timing
	now    time.Time // the router's clock when the request came
	k      kind
	stream *stream // nil when the caller does not stream

	calls int
	notes []string
	whys  []why
}

func (g *run) why(w why) { g.whys = append(g.whys, w) }

// over reports whether the request has no time left for a provider.
func (g *run) over(ctx context.Context) bool {
	return ctx.Err() != nil || g.r.remaining(ctx) <= g.tm.reserve
}

// walk tries the providers in cands, in order, as the package comment
// says; ok is false when none answered.
func (g *run) walk(ctx context.Context, cands []*member) (resp providers.Response, ok bool) {
	var used uint64 // candidates a hedge already tried (the first 64)
	var retry []*member
	first := true
	for i, m := range cands {
		if i < 64 && used&(1<<i) != 0 {
			continue
		}
		if g.over(ctx) {
			return resp, false
		}
		if !g.eligible(m, true) {
			first = false
			continue
		}
		j := g.nextEligible(cands, i+1, used)
		var rc *race
		if g.r.cfg.Hedge && !g.req.Background && j >= 0 {
			rc = newRace()
		}
		a := g.begin(ctx, m, rc, j < 0)
		if a == nil {
			first = false
			continue
		}
		atts := []*attempt{a}
		if rc != nil {
			atts = g.hedge(ctx, a, cands[j], g.nextEligible(cands, j+1, used|1<<i) < 0)
			if len(atts) > 1 && j < 64 {
				used |= 1 << j
			}
		} else {
			a.exec(g.req)
		}
		var answer *attempt
		for _, x := range atts {
			answered, again := g.finish(ctx, x)
			switch {
			case answered:
				answer = x
			case again && !g.req.Background:
				retry = append(retry, x.m)
			case again: // background: retry in place first
				if resp, ok := g.retryInPlace(ctx, x.m); ok {
					return resp, true
				}
			}
		}
		if answer != nil {
			resp = answer.resp
			resp.Provider = answer.m.name
			resp.Fallback = !first || answer != a
			return resp, true
		}
		first = false
	}
	if resp, ok := g.retryLast(ctx, retry); ok {
		return resp, true
	}
	if g.req.Background {
		return g.waitCooldown(ctx, cands)
	}
	return resp, false
}

// nextEligible is the index of the first candidate from i on that could
// answer now, or -1.
func (g *run) nextEligible(cands []*member, i int, used uint64) int {
	for ; i < len(cands); i++ {
		if i < 64 && used&(1<<i) != 0 {
			continue
		}
		if g.eligible(cands[i], false) {
			return i
		}
	}
	return -1
}

// eligible reports whether m could take the request now. When it cannot
// and record is set, the reason goes to the notes and the observer.
func (g *run) eligible(m *member, record bool) bool {
	w := why{label: m.entry.Label}
	m.mu.Lock()
	misconfig := m.misconfig
	m.mu.Unlock()
	now := g.r.cfg.Now()
	switch {
	case misconfig != "":
		w.kind, w.text = whyMisconfig, misconfig
	case m.breaker.State() == gobreaker.StateOpen:
		w.kind = whyBreaker
	default:
		if cd, ok := g.r.cooldowns.Get(m.name, now); ok {
			w.kind, w.d, w.status = whyCooldown, cd.Until.Sub(now), cd.Status
			break
		}
		if q := g.r.cfg.Quotas; q != nil && m.entry.DailyQuota > 0 && q.Used(m.name) >= m.entry.DailyQuota {
			w.kind = whyQuota
			if record {
				g.r.observeLimited(m.name, ScopeQuota)
			}
			break
		}
		if m.limiter != nil && !g.req.Background && m.limiter.TokensAt(now) < 1 {
			w.kind = whyLimited
			if record {
				g.r.observeLimited(m.name, ScopeProvider)
			}
			break
		}
		return true
	}
	if record {
		g.why(w)
	}
	return false
}

// begin takes what one call needs (the breaker's permission, a rate-limit
// token, a unit of daily quota) and prepares the attempt, or records why
// it cannot be made and returns nil. last gives the attempt the longest
// budget: no provider is left to take over.
func (g *run) begin(ctx context.Context, m *member, rc *race, last bool) *attempt {
	r := g.r
	done, err := m.breaker.Allow()
	if err != nil {
		g.why(why{label: m.entry.Label, kind: whyBreaker})
		return nil
	}
	if m.limiter != nil && !r.take(ctx, m.limiter, g.req.Background, r.cfg.Now()) {
		done(false, false)
		r.observeLimited(m.name, ScopeProvider)
		g.why(why{label: m.entry.Label, kind: whyLimited})
		return nil
	}
	if r.cfg.Quotas != nil && !r.cfg.Quotas.Take(m.name, m.entry.DailyQuota) {
		done(false, false)
		r.observeLimited(m.name, ScopeQuota)
		g.why(why{label: m.entry.Label, kind: whyQuota})
		return nil
	}
	budget := r.budgets.max
	if !last {
		budget = r.budget(m, g.k)
	}
	actx, cancel := context.WithCancelCause(ctx)
	a := &attempt{g: g, m: m, name: m.name, label: m.entry.Label, budget: budget, limit: min(g.tm.attempt, r.remaining(ctx)-g.tm.reserve),
		done: done, ctx: actx, cancel: cancel, started: time.Now(), race: rc}
	if g.stream != nil && rc == nil {
		g.stream.handover(a)
	}
	return a
}

// finish records how attempt a ended. answered: it answered and the answer
// is taken; again: it failed in a way worth another attempt later.
func (g *run) finish(ctx context.Context, a *attempt) (answered, again bool) {
	r, m := g.r, a.m
	cause := context.Cause(a.ctx)
	a.cancel(nil)
	g.calls++
	if a.race != nil && a.race.lost(a) && (a.err == nil || errors.Is(cause, errHedgeLost)) {
		// a hedge that lost says nothing about the provider's health, but
		// one that had not started answering was slower than the other by
		// half its budget at least: the other goes first for now
		a.done(false, false)
		if a.firstAt.Load() == 0 {
			m.demoted.Store(true)
		}
		return false, false
	}
	now := r.cfg.Now()
	if a.err == nil {
		if g.stream != nil {
			g.stream.answered(a)
		}
		r.observeAttempt(m.name, nil, a.lat)
		a.done(true, true)
		m.succeeded(g.k, a.lat, a.ttfb())
		r.markNetwork(m, false)
		return true, false
	}
	err := a.err
	switch cause {
	case errNoFirstByte, errStalled, errAttemptTime:
		err = &providers.Error{Provider: m.name, Retryable: true, Err: cause, Message: cause.Error()}
	}
	r.observeAttempt(m.name, err, a.lat)
	w := why{label: m.entry.Label, d: a.budget}
	var pe *providers.Error
	isPE := errors.As(err, &pe)
	again = false
	switch {
	case isPE && errors.Is(pe.Err, providers.ErrMisconfigured):
		a.done(false, false)
		w.kind, w.text = whyMisconfig, misconfiguredMessage(m.entry.Label, pe)
		m.mu.Lock()
		m.misconfig = w.text
		m.mu.Unlock()
		m.failed(err.Error(), now, false)
		r.log.Warn("provider misconfigured", "provider", m.name, "status", pe.Status)
	case ctx.Err() != nil: // the request's own deadline, or the caller gave up
		a.done(false, false)
		w.kind = whyTimeout
	case cause == errNoFirstByte:
		a.done(false, true)
		w.kind = whySlow
		m.failed("did not start answering within "+seconds(a.budget), now, true)
		m.slowFirst(g.k, a.budget)
	case cause == errStalled:
		a.done(false, true)
		w.kind = whyStalled
		m.failed("went quiet for more than "+seconds(a.budget)+" partway through its answer", now, true)
	case cause == errAttemptTime:
		a.done(false, true)
		w.kind = whyTimeout
		m.failed("did not finish its answer in time", now, true)
	case isPE && pe.Network:
		a.done(false, true)
		w.kind = whyUnreachable
		m.failed(err.Error(), now, true)
		r.markNetwork(m, true)
	case isPE && pe.Status == 429:
		// a rate limit says nothing about the provider's health: it rests
		// until the time it named, and keeps its rank for afterwards
		a.done(false, false)
		m.failed(err.Error(), now, false)
		w.kind, w.status, w.d = whyCooldown, 429, pe.RetryAfter
		if w.d <= 0 {
			w.d = r.cfg.RateLimitCooldown
		}
		r.cooldowns.Set(Cooldown{Provider: m.name, Until: now.Add(w.d), Status: 429, Reason: "rate limit"})
	case isPE && pe.RetryAfter > 0: // 503 or 529 naming a time
		a.done(false, true)
		m.failed(err.Error(), now, true)
		w.kind, w.status, w.d = whyCooldown, pe.Status, pe.RetryAfter
		r.cooldowns.Set(Cooldown{Provider: m.name, Until: now.Add(w.d), Status: pe.Status, Reason: "overloaded"})
	default:
		a.done(false, true)
		m.failed(err.Error(), now, true)
		again = isPE && pe.Retryable
		switch {
		case isPE && pe.Status != 0:
			w.kind, w.status = whyError, pe.Status
		case a.streamed.Load(): // the user saw part of it
			w.kind = whyInterrupted
		case isPE && errors.Is(pe.Err, providers.ErrBadResponse):
			w.kind = whyBadAnswer
		default:
			w.kind = whyDropped
		}
	}
	g.why(w)
	if g.stream != nil {
		g.stream.failed(a, restartReason(w))
	}
	return false, again
}

// retryInPlace retries m for a background request, up to MaxAttempts
// calls in all, with backoff between them.
func (g *run) retryInPlace(ctx context.Context, m *member) (providers.Response, bool) {
	bo := g.r.newBackoff()
	for n := 1; n < g.r.cfg.MaxAttempts; n++ {
		a, ok := g.again(ctx, m, bo, true)
		if !ok {
			break
		}
		a.exec(g.req)
		answered, again := g.finish(ctx, a)
		if answered {
			return g.answer(a), true
		}
		if !again {
			break
		}
	}
	return providers.Response{}, false
}

// retryLast retries the providers that failed in a way worth retrying,
// once every provider was tried: round after round, in order, with backoff,
// up to MaxAttempts calls each.
func (g *run) retryLast(ctx context.Context, retry []*member) (providers.Response, bool) {
	if len(retry) == 0 {
		return providers.Response{}, false
	}
	bos := make([]*backoff.ExponentialBackOff, len(retry))
	for i := range retry {
		bos[i] = g.r.newBackoff()
	}
	for n := 1; n < g.r.cfg.MaxAttempts && len(retry) > 0; n++ {
		var next []*member
		var nextBo []*backoff.ExponentialBackOff
		for i, m := range retry {
			a, ok := g.again(ctx, m, bos[i], i == len(retry)-1)
			if !ok {
				if g.over(ctx) {
					return providers.Response{}, false
				}
				continue
			}
			a.exec(g.req)
			answered, again := g.finish(ctx, a)
			if answered {
				return g.answer(a), true
			}
			if again {
				next, nextBo = append(next, m), append(nextBo, bos[i])
			}
		}
		retry, bos = next, nextBo
	}
	return providers.Response{}, false
}

// again waits out the backoff and begins another attempt on m, unless the
// wait would not leave time for it or m can no longer take the request.
func (g *run) again(ctx context.Context, m *member, bo *backoff.ExponentialBackOff, last bool) (*attempt, bool) {
	wait := bo.NextBackOff()
	if g.over(ctx) || wait >= g.r.remaining(ctx)-g.tm.reserve {
		return nil, false
	}
	if g.r.cfg.Sleep(ctx, wait) != nil || g.over(ctx) || !g.eligible(m, false) {
		return nil, false
	}
	a := g.begin(ctx, m, nil, last)
	return a, a != nil
}

// waitCooldown, for background work when no provider answered, waits for
// the cooldown that ends first, if it ends within the deadline, and asks
// that provider.
func (g *run) waitCooldown(ctx context.Context, cands []*member) (providers.Response, bool) {
	now := g.r.cfg.Now()
	var best *member
	var until time.Time
	for _, m := range cands {
		cd, ok := g.r.cooldowns.Get(m.name, now)
		if ok && (best == nil || cd.Until.Before(until)) {
			best, until = m, cd.Until
		}
	}
	if best == nil {
		return providers.Response{}, false
	}
	d := until.Sub(now)
	if d >= g.r.remaining(ctx)-g.tm.reserve || g.r.cfg.Sleep(ctx, d) != nil || g.over(ctx) || !g.eligible(best, false) {
		return providers.Response{}, false
	}
	a := g.begin(ctx, best, nil, true)
	if a == nil {
		return providers.Response{}, false
	}
	a.exec(g.req)
	if answered, _ := g.finish(ctx, a); answered {
		return g.answer(a), true
	}
	return providers.Response{}, false
}

// answer is a's response as the router returns it (not the first choice).
func (g *run) answer(a *attempt) providers.Response {
	resp := a.resp
	resp.Provider = a.m.name
	resp.Fallback = true
	return resp
}

func (r *Router) newBackoff() *backoff.ExponentialBackOff {
	bo := &backoff.ExponentialBackOff{InitialInterval: r.cfg.BackoffInitial, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: r.cfg.BackoffMax}
	bo.Reset()
	return bo
}
