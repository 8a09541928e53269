package router

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// breaker is one provider's circuit breaker. sony/gobreaker/v2's two-step
// breaker counts the calls, trips after threshold consecutive failures,
// lets exactly one trial call through when half-open, and closes on its
// success or opens again on its failure. How long the breaker stays open
// is kept here instead of in gobreaker's fixed Timeout, because a passing
// health check must end it at once (Probe): gobreaker runs with a
// one-nanosecond Timeout, so its own open state is over as soon as it
// began, and this gate refuses calls until the cooldown has passed or a
// health check passed. The transitions reported to onChange are the ones
// a caller sees: closed→open, open→half-open (when the gate lifts),
// half-open→closed and half-open→open.
//
// gobreaker and the gate read time.Now, so tests drive the cooldown with
// testing/synctest's virtual clock.
type breaker struct {
	cb        *gobreaker.TwoStepCircuitBreaker[struct{}]
	cooldown  time.Duration
	onChange  func(from, to gobreaker.State)
	openUntil atomic.Int64 // Unix nanoseconds; 0 when the gate is up
}

var (
	errFailed   = errors.New("provider call failed")
	errExcluded = errors.New("provider call not counted")
)

func newBreaker(name string, threshold uint32, cooldown time.Duration, onChange func(from, to gobreaker.State)) *breaker {
	b := &breaker{cooldown: cooldown, onChange: onChange}
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     time.Nanosecond, // the gate below keeps the breaker open
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			switch to {
			case gobreaker.StateOpen:
				b.openUntil.Store(time.Now().Add(b.cooldown).UnixNano())
				b.report(from, to)
			case gobreaker.StateHalfOpen: // reported when the gate lifts
			default:
				b.report(from, to)
			}
		},
		IsExcluded: func(err error) bool { return errors.Is(err, errExcluded) },
	})
	return b
}

func (b *breaker) report(from, to gobreaker.State) {
	if b.onChange != nil {
		b.onChange(from, to)
	}
}

// lift ends the gate if it is still down since until, reporting open→half-open.
func (b *breaker) lift(until int64) bool {
	if !b.openUntil.CompareAndSwap(until, 0) {
		return false
	}
	b.report(gobreaker.StateOpen, gobreaker.StateHalfOpen)
	return true
}

// State is the breaker's state now.
func (b *breaker) State() gobreaker.State {
	if until := b.openUntil.Load(); until != 0 {
		if time.Now().UnixNano() < until {
			return gobreaker.StateOpen
		}
		b.lift(until)
	}
	return b.cb.State()
}

// OpenUntil is when an open breaker half-opens by itself; zero when it is
// not open.
func (b *breaker) OpenUntil() time.Time {
	if until := b.openUntil.Load(); until != 0 && time.Now().UnixNano() < until {
		return time.Unix(0, until)
	}
	return time.Time{}
}

// Probe half-opens an open breaker at once, so that the next call is its
// trial. It reports whether the breaker was open.
func (b *breaker) Probe() bool {
	until := b.openUntil.Load()
	return until != 0 && b.lift(until)
}

// Counts are the current generation's counts.
func (b *breaker) Counts() gobreaker.Counts { return b.cb.Counts() }

// Allow asks to make one call. When allowed, the caller reports the
// outcome with done(success, counted); counted false means the call says
// nothing about the provider's health (the caller gave up, the key was
// rejected, a limit refused it, a hedge won) and only releases a half-open
// slot.
func (b *breaker) Allow() (done func(success, counted bool), err error) {
	if b.State() == gobreaker.StateOpen {
		return nil, gobreaker.ErrOpenState
	}
	report, err := b.cb.Allow()
	if err != nil {
		return nil, err
	}
	return func(success, counted bool) {
		switch {
		case !counted:
			report(errExcluded)
		case success:
			report(nil)
		default:
			report(errFailed)
		}
	}, nil
}
