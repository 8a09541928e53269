package router

import (
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
)

// breaker is one provider's circuit breaker: a sony/gobreaker/v2
// two-step breaker. Closed: consecutive failures up to threshold trip it
// open. Open: every call is refused until the cooldown has passed.
// Half-open: one probe goes through; its success closes the breaker, its
// failure opens it again. gobreaker reads time.Now, so tests drive its
// cooldown with testing/synctest's virtual clock.
type breaker struct {
	cb *gobreaker.TwoStepCircuitBreaker[struct{}]
}

var (
	errFailed   = errors.New("provider call failed")
	errExcluded = errors.New("provider call not counted")
)

func newBreaker(name string, threshold uint32, cooldown time.Duration, onChange func(from, to gobreaker.State)) *breaker {
	return &breaker{cb: gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if onChange != nil {
				onChange(from, to)
			}
		},
		IsExcluded: func(err error) bool { return errors.Is(err, errExcluded) },
	})}
}

// State is the breaker's state now.
func (b *breaker) State() gobreaker.State { return b.cb.State() }

// Counts are the current generation's counts.
func (b *breaker) Counts() gobreaker.Counts { return b.cb.Counts() }

// Allow asks to make one call. When allowed, the caller reports the
// outcome with done(success, counted); counted false means the call says
// nothing about the provider's health (the caller gave up, the key was
// rejected, a limit refused it) and only releases a half-open slot.
func (b *breaker) Allow() (done func(success, counted bool), err error) {
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
