package autopilot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"tubeagency/app/events"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
)

// Autopilot schedules package jobs. Create it with New.
type Autopilot struct {
	cfg  Config
	st   *store.Store
	pool *workers.Pool

	mu       sync.Mutex
	settings Settings
	inflight map[string]string                  // job id → channel id, for jobs handed to the pool
	stops    map[string]context.CancelCauseFunc // job id → stops the running job (handed over)
	wake     chan struct{}                      // plan and dispatch
	kick     chan struct{}                      // dispatch only: a job finished
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	started  bool
}

// Event is the payload of an autopilot job event.
type Event struct {
	Source    string        `json:"source"` // "autopilot"
	JobID     string        `json:"job_id,omitempty"`
	ChannelID string        `json:"channel_id,omitempty"`
	PackageID string        `json:"package_id,omitempty"`
	Status    string        `json:"status"`
	Error     string        `json:"error,omitempty"`
	Pool      workers.Stats `json:"pool"`
}

// New applies the autopilot's migrations, loads its settings and makes its
// worker pool (not started).
func New(ctx context.Context, cfg Config) (*Autopilot, error) {
	if cfg.Store == nil || cfg.Studio == nil || cfg.Templates == nil {
		return nil, errors.New("autopilot: Store, Studio and Templates are required")
	}
	if cfg.Hosts != nil && cfg.DeviceID == "" {
		return nil, errors.New("autopilot: a host lookup needs this device's id")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Emit == nil {
		cfg.Emit = func(string, any) {}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.PerChannel <= 0 {
		cfg.PerChannel = 2
	}
	if err := cfg.Store.Migrate(ctx, Component, Migrations()); err != nil {
		return nil, err
	}
	a := &Autopilot{cfg: cfg, st: cfg.Store, inflight: map[string]string{}, stops: map[string]context.CancelCauseFunc{},
		wake: make(chan struct{}, 1), kick: make(chan struct{}, 1)}
	s, err := a.loadSettings(ctx)
	if err != nil {
		return nil, err
	}
	a.settings = s
	a.pool = workers.New(workers.Config{Min: s.MinWorkers, Max: s.MaxWorkers, Interval: cfg.PoolInterval, Now: cfg.Now,
		OnScale: func(st workers.Stats) {
			cfg.Emit(events.Job, Event{Source: "autopilot", Status: "scaled", Pool: st})
			if cfg.PoolOnScale != nil {
				cfg.PoolOnScale(st)
			}
		}})
	return a, nil
}

// Pool is the autopilot's worker pool.
func (a *Autopilot) Pool() *workers.Pool { return a.pool }

// Start requeues jobs a previous process left running, starts the pool and
// the planning loop. Stop ends both.
func (a *Autopilot) Start(ctx context.Context) error {
	if _, err := a.Recover(ctx); err != nil {
		return err
	}
	a.mu.Lock()
	if a.started {
		a.mu.Unlock()
		return nil
	}
	a.started = true
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.mu.Unlock()
	a.pool.Start(true)
	a.wg.Add(1)
	go a.loop(loopCtx)
	return nil
}

// Stop ends the loop, stops the pool (cancelling running jobs, which stay
// persisted and resume at the next Start) and waits.
func (a *Autopilot) Stop() {
	a.mu.Lock()
	cancel := a.cancel
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	a.wg.Wait()
	a.pool.Stop()
}

// Wake asks the loop to plan now (after a channel or setting changed).
func (a *Autopilot) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *Autopilot) loop(ctx context.Context) {
	defer a.wg.Done()
	if a.cfg.Hold != nil {
		select {
		case <-a.cfg.Hold:
		case <-ctx.Done():
			return
		}
	}
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	// While the store misbehaves the loop backs off exponentially (capped,
	// with jitter); the error shows as an event, not a log line per tick.
	bo := &backoff.ExponentialBackOff{InitialInterval: time.Second, RandomizationFactor: 0.2, Multiplier: 2, MaxInterval: 5 * time.Minute}
	plan := true
	for {
		var err error
		if plan {
			err = a.Tick(ctx)
		} else {
			_, err = a.Dispatch(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		wait := a.cfg.Interval
		if err != nil {
			wait = bo.NextBackOff()
			a.emitError(err)
		} else {
			bo.Reset()
		}
		timer := time.NewTimer(wait)
		plan = true
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-t.C:
		case <-a.wake:
		case <-a.kick:
			plan = false
		case <-timer.C:
		}
		timer.Stop()
	}
}

// emitError tells the frontend about a failure no job owns (the store
// refused a read or a write); the next tick tries again.
func (a *Autopilot) emitError(err error) {
	a.cfg.Emit(events.Job, Event{Source: "autopilot", Status: "error", Error: err.Error(), Pool: a.pool.Stats()})
}

// Tick plans (tops channels up) and hands due jobs to the pool.
func (a *Autopilot) Tick(ctx context.Context) error {
	if err := a.Plan(ctx); err != nil {
		return err
	}
	_, err := a.Dispatch(ctx)
	return err
}
