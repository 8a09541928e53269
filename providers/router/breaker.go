package router

import (
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
)

// breaker is one provider's circuit breaker. It follows sony/gobreaker/v2's
// state machine and speaks its vocabulary (gobreaker.State, Counts,
// ErrOpenState, ErrTooManyRequests), but reads time from the router's
// injected clock: gobreaker v2.4.0 calls time.Now directly, which would
// make the cooldown untestable without sleeping. Closed: consecutive
// failures up to threshold trip it open. Open: every call is refused until
// cooldown has passed. Half-open: up to probes calls go through; all of
// them succeeding closes it, any failure opens it again.
type breaker struct {
	threshold uint32
	cooldown  time.Duration
	probes    uint32
	now       func() time.Time
	onChange  func(from, to gobreaker.State)

	mu       sync.Mutex
	state    gobreaker.State
	counts   gobreaker.Counts
	openedAt time.Time
	inFlight uint32 // half-open calls allowed and not yet done
}

func newBreaker(threshold uint32, cooldown time.Duration, now func() time.Time, onChange func(from, to gobreaker.State)) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, probes: 1, now: now, onChange: onChange, state: gobreaker.StateClosed}
}

// current moves an open breaker to half-open once its cooldown has passed.
// The caller holds mu.
func (b *breaker) current(now time.Time) gobreaker.State {
	if b.state == gobreaker.StateOpen && !now.Before(b.openedAt.Add(b.cooldown)) {
		b.set(gobreaker.StateHalfOpen, now)
	}
	return b.state
}

// State is the breaker's state now.
func (b *breaker) State() gobreaker.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.current(b.now())
}

// Counts are the current generation's counts.
func (b *breaker) Counts() gobreaker.Counts {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.counts
}

// Allow asks to make one call. When allowed, the caller must report the
// outcome with done(success) — or done(nil-outcome) via skip for calls
// that should not count.
func (b *breaker) Allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.current(b.now()) {
	case gobreaker.StateOpen:
		return gobreaker.ErrOpenState
	case gobreaker.StateHalfOpen:
		if b.inFlight+b.counts.ConsecutiveSuccesses >= b.probes {
			return gobreaker.ErrTooManyRequests
		}
		b.inFlight++
	}
	b.counts.Requests++
	return nil
}

// Done reports the outcome of an allowed call. counted false means the
// call says nothing about the provider's health (the caller gave up, or
// the key was rejected) and only releases a half-open slot.
func (b *breaker) Done(success, counted bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	state := b.current(now)
	if state == gobreaker.StateHalfOpen && b.inFlight > 0 {
		b.inFlight--
	}
	if !counted {
		b.counts.Requests--
		return
	}
	if success {
		b.counts.TotalSuccesses++
		b.counts.ConsecutiveSuccesses++
		b.counts.ConsecutiveFailures = 0
		if state == gobreaker.StateHalfOpen && b.counts.ConsecutiveSuccesses >= b.probes {
			b.set(gobreaker.StateClosed, now)
		}
		return
	}
	b.counts.TotalFailures++
	b.counts.ConsecutiveFailures++
	b.counts.ConsecutiveSuccesses = 0
	switch state {
	case gobreaker.StateClosed:
		if b.counts.ConsecutiveFailures >= b.threshold {
			b.set(gobreaker.StateOpen, now)
		}
	case gobreaker.StateHalfOpen:
		b.set(gobreaker.StateOpen, now)
	}
}

// set changes state and starts a new generation of counts. The caller holds mu.
func (b *breaker) set(to gobreaker.State, now time.Time) {
	from := b.state
	if from == to {
		return
	}
	b.state = to
	b.counts = gobreaker.Counts{}
	b.inFlight = 0
	if to == gobreaker.StateOpen {
		b.openedAt = now
	}
	if b.onChange != nil {
		b.onChange(from, to)
	}
}
