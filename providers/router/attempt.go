package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"tubeagency/providers"
)

// Causes that end an attempt early. The first three wrap
// context.DeadlineExceeded, so metrics count them as timeouts.
var (
	errNoFirstByte = fmt.Errorf("no first byte within the budget: %w", context.DeadlineExceeded)
	errStalled     = fmt.Errorf("the answer went quiet for longer than the budget: %w", context.DeadlineExceeded)
	errAttemptTime = fmt.Errorf("the answer took longer than an attempt may: %w", context.DeadlineExceeded)
	errHedgeLost   = errors.New("another provider started answering first")
)

// attempt is one call to one provider. Its watchdog cancels it when no
// byte of the answer arrives within budget, when the answer then goes
// quiet for longer than budget, or when the whole call passes limit.
type attempt struct {
	g       *run
	m       *member // nil for the templates
	name    string  // the provider's name
	label   string
	budget  time.Duration
	limit   time.Duration
	done    func(success, counted bool) // the breaker's report
	ctx     context.Context
	cancel  context.CancelCauseFunc
	started time.Time
	race    *race // set when a hedge may run alongside

	firstAt  atomic.Int64 // time since started of the first sign of life, +1; 0 none yet
	lastAt   atomic.Int64 // … of the latest
	stopped  atomic.Bool
	streamed atomic.Bool // text went to the caller
	timer    atomic.Pointer[time.Timer]

	resp     providers.Response
	err      error
	lat      time.Duration
	finished chan struct{} // closed when exec returns, for a hedge
}

// life notes a sign of life: bytes of the answer, or streamed text.
func (a *attempt) life() {
	d := int64(time.Since(a.started)) + 1
	a.lastAt.Store(d)
	if a.firstAt.Load() == 0 && a.firstAt.CompareAndSwap(0, d) && a.race != nil {
		a.race.claim(a)
	}
}

// ttfb is the time to the first sign of life, or the whole call's when
// the provider reports none.
func (a *attempt) ttfb() time.Duration {
	if f := a.firstAt.Load(); f != 0 {
		return time.Duration(f - 1)
	}
	return a.lat
}

func (a *attempt) arm(d time.Duration) {
	t := time.AfterFunc(d, a.check)
	a.timer.Store(t)
	if a.stopped.Load() {
		t.Stop()
	}
}

// check is the watchdog: it cancels the attempt or sets itself again.
func (a *attempt) check() {
	if a.stopped.Load() {
		return
	}
	now := time.Since(a.started)
	if now >= a.limit {
		a.cancel(errAttemptTime)
		return
	}
	var next time.Duration
	if a.firstAt.Load() == 0 {
		if now >= a.budget {
			a.cancel(errNoFirstByte)
			return
		}
		next = a.budget - now
	} else {
		idle := now - time.Duration(a.lastAt.Load()-1)
		if idle >= a.budget {
			a.cancel(errStalled)
			return
		}
		next = a.budget - idle
	}
	a.arm(min(next, a.limit-now))
}

func (a *attempt) stop() {
	a.stopped.Store(true)
	if t := a.timer.Load(); t != nil {
		t.Stop()
	}
}

// exec makes the call.
func (a *attempt) exec(req providers.Request) {
	req.OnRestart = nil // the router's business; providers never see it
	if s := a.g.stream; s != nil {
		req.OnDelta = func(text string) {
			a.life()
			s.delta(a, text)
		}
	}
	ctx := providers.WithProgress(a.ctx, a.life)
	if s := a.g.stream; s != nil {
		ctx = providers.WithRestart(ctx, func(reason string) { s.redo(a, reason) })
	}
	a.arm(min(a.budget, a.limit))
	a.resp, a.err = a.m.entry.Provider.Generate(ctx, req)
	a.lat = time.Since(a.started)
	a.stop()
}

// stream passes streamed text to the caller from one attempt at a time,
// its owner, and tells the caller to start over (OnRestart) just before
// another attempt's text follows text that went out.
type stream struct {
	onDelta   func(string)
	onRestart func(providers.Restart)

	mu     sync.Mutex
	owner  *attempt
	by     *attempt // whose text the caller shows; nil when nothing
	reason string   // why by's answer stopped
}

func (s *stream) delta(a *attempt, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner != a {
		return // a hedge that lost, or an abandoned attempt
	}
	s.restart(a)
	a.streamed.Store(true)
	s.by = a
	s.onDelta(text)
}

// restart tells the caller to clear what it shows when that came from
// another attempt than a. The caller holds mu.
func (s *stream) restart(a *attempt) {
	if s.by == nil || s.by == a {
		return
	}
	from, reason := s.by.label, s.reason
	s.by, s.reason = nil, ""
	if s.onRestart != nil {
		s.onRestart(providers.Restart{Provider: a.name, Label: a.label, From: from, Reason: reason})
	}
}

// redo tells the caller to clear the text a streamed so far: a asks its
// model again (a repaired structured answer), and the text that follows
// from a is the whole answer.
func (s *stream) redo(a *attempt, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner != a || s.by != a {
		return
	}
	s.by, s.reason = nil, ""
	if s.onRestart != nil {
		s.onRestart(providers.Restart{Provider: a.name, Label: a.label, From: a.label, Reason: a.label + " " + reason})
	}
}

// handover makes a the owner: only its text reaches the caller from now.
func (s *stream) handover(a *attempt) {
	s.mu.Lock()
	s.owner = a
	s.mu.Unlock()
}

// answered is called with the attempt whose answer is returned: if the
// caller still shows another's text (the answer did not stream), it is
// told to clear it.
func (s *stream) answered(a *attempt) {
	s.mu.Lock()
	s.restart(a)
	s.mu.Unlock()
}

// failed records why a's answer stopped, for the restart that follows.
func (s *stream) failed(a *attempt, reason string) {
	s.mu.Lock()
	if s.by == a {
		s.reason = reason
	}
	s.mu.Unlock()
}

// race decides which of a hedged pair answers: the first to show a sign
// of life (or to finish well without one).
type race struct {
	mu      sync.Mutex
	winner  *attempt
	decided chan struct{}
}

func newRace() *race { return &race{decided: make(chan struct{})} }

// claim makes a the winner if there is none yet, and reports whether a is.
func (rc *race) claim(a *attempt) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.winner != nil {
		return rc.winner == a
	}
	rc.winner = a
	close(rc.decided)
	if s := a.g.stream; s != nil {
		s.handover(a)
	}
	return true
}

func (rc *race) won(a *attempt) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.winner == a
}

// lost reports whether another attempt won the race.
func (rc *race) lost(a *attempt) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.winner != nil && rc.winner != a
}

// hedge runs a, and when a has shown no sign of life after half its
// budget, starts next alongside; the first to start answering wins and the
// other is cancelled. It returns the attempts made, a first.
func (g *run) hedge(ctx context.Context, a *attempt, next *member, nextLast bool) []*attempt {
	rc := a.race
	a.finished = make(chan struct{})
	go func() {
		defer close(a.finished)
		a.exec(g.req)
	}()
	t := time.NewTimer(a.budget / 2)
	defer t.Stop()
	select {
	case <-a.finished:
		return []*attempt{a}
	case <-rc.decided:
		<-a.finished
		return []*attempt{a}
	case <-t.C:
	}
	if g.over(ctx) || !g.eligible(next, false) {
		<-a.finished
		return []*attempt{a}
	}
	b := g.begin(ctx, next, rc, nextLast)
	if b == nil {
		<-a.finished
		return []*attempt{a}
	}
	b.finished = make(chan struct{})
	go func() {
		defer close(b.finished)
		b.exec(g.req)
	}()
	aDone, bDone, decided := a.finished, b.finished, rc.decided
	for aDone != nil || bDone != nil {
		select {
		case <-decided:
			decided = nil
			if rc.won(a) {
				b.cancel(errHedgeLost)
			} else {
				a.cancel(errHedgeLost)
			}
		case <-aDone:
			aDone = nil
			if a.err == nil && rc.claim(a) { // answered whole without reporting progress
				b.cancel(errHedgeLost)
			}
		case <-bDone:
			bDone = nil
			if b.err == nil && rc.claim(b) {
				a.cancel(errHedgeLost)
			}
		}
	}
	won := rc.won(b)
	next.hedges.Add(1)
	if won {
		next.hedgesWon.Add(1)
	}
	g.r.observeHedge(next.name, won)
	return []*attempt{a, b}
}
