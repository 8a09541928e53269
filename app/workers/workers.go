// Package workers is a pool of goroutines that sizes itself to its load.
//
// A Pool runs between Min and Max workers. On every control tick it samples
// how many workers are busy; when more than ScaleUpAt of them were busy on
// average over Window, or jobs are waiting, it adds workers, and when fewer
// than ScaleDownAt were busy and nothing waits, it retires one. Jobs carry a
// key (a channel id): the queue serves keys round-robin, so one key with a
// thousand waiting jobs does not starve another.
//
// Time is injected: Start ticks on a real ticker, tests call Tick(now)
// directly with a fake clock and never sleep.
package workers

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrStopped is returned by Submit after Stop.
var ErrStopped = errors.New("worker pool stopped")

// Job is one unit of work. It receives the pool's context, cancelled by Stop.
type Job func(ctx context.Context)

// Config sizes a Pool. The zero value is usable: every field has a default.
type Config struct {
	// Min is the smallest number of workers. Zero means 1.
	Min int
	// Max is the largest number of workers. Zero means 4×Min, at least 4.
	Max int
	// Window is how far back utilisation is averaged. Zero means 10 s.
	Window time.Duration
	// Interval is how often Start's loop ticks. Zero means 1 s.
	Interval time.Duration
	// ScaleUpAt is the busy fraction above which the pool grows. Zero means 0.8.
	ScaleUpAt float64
	// ScaleDownAt is the busy fraction below which the pool shrinks. Zero means 0.3.
	ScaleDownAt float64
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// OnScale, when set, is told every size change (outside the pool's lock).
	OnScale func(Stats)
}

func (c *Config) fill() {
	if c.Min <= 0 {
		c.Min = 1
	}
	if c.Max <= 0 {
		c.Max = max(4*c.Min, 4)
	}
	if c.Max < c.Min {
		c.Max = c.Min
	}
	if c.Window <= 0 {
		c.Window = 10 * time.Second
	}
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.ScaleUpAt <= 0 {
		c.ScaleUpAt = 0.8
	}
	if c.ScaleDownAt <= 0 {
		c.ScaleDownAt = 0.3
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Stats is the pool at one moment.
type Stats struct {
	Size        int     `json:"size"`        // running workers
	Busy        int     `json:"busy"`        // workers running a job
	Waiting     int     `json:"waiting"`     // jobs queued, not started
	Utilisation float64 `json:"utilisation"` // busy fraction averaged over the window, 0–1
	Peak        int     `json:"peak"`        // largest size since New
	Completed   int64   `json:"completed"`   // jobs finished since New
	Panics      int64   `json:"panics"`      // jobs that panicked (counted in Completed too)
	Min         int     `json:"min"`
	Max         int     `json:"max"`
}

type sample struct {
	at   time.Time
	busy float64 // fraction of workers busy
}

// Pool is an auto-scaling worker pool. Create it with New.
type Pool struct {
	cfg Config

	mu        sync.Mutex
	cond      *sync.Cond
	queues    map[string][]Job
	order     []string // keys with waiting jobs, in round-robin order
	waiting   int
	size      int
	busy      int
	retire    int
	peak      int
	completed int64
	panics    int64
	samples   []sample
	stopped   bool
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	loopWG    sync.WaitGroup
	wake      chan struct{}
}

// New makes a pool with cfg.Min workers, not yet running jobs until Start.
func New(cfg Config) *Pool {
	cfg.fill()
	p := &Pool{cfg: cfg, queues: map[string][]Job{}, wake: make(chan struct{}, 1)}
	p.cond = sync.NewCond(&p.mu)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// Start launches Min workers and, when tick is true, a control loop that
// calls Tick every Interval and whenever a job waits. Tests pass tick=false
// and call Tick themselves.
func (p *Pool) Start(tick bool) {
	p.mu.Lock()
	for p.size < p.cfg.Min {
		p.spawnLocked()
	}
	p.mu.Unlock()
	if !tick {
		return
	}
	p.loopWG.Add(1)
	go func() {
		defer p.loopWG.Done()
		t := time.NewTicker(p.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-p.ctx.Done():
				return
			case <-t.C:
			case <-p.wake:
			}
			p.Tick(p.cfg.Now())
		}
	}()
}

// Stop cancels running jobs' context, lets workers finish and waits for them.
// Jobs still queued are dropped: their owners persist what must survive.
func (p *Pool) Stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	p.queues, p.order, p.waiting = map[string][]Job{}, nil, 0
	p.cond.Broadcast()
	p.mu.Unlock()
	p.cancel()
	p.loopWG.Wait()
	p.wg.Wait()
}

// Submit queues job under key. Jobs of one key run in order of submission;
// keys take turns.
func (p *Pool) Submit(key string, job Job) error {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return ErrStopped
	}
	if len(p.queues[key]) == 0 {
		p.order = append(p.order, key)
	}
	p.queues[key] = append(p.queues[key], job)
	p.waiting++
	p.cond.Signal()
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

// SetLimits changes Min and Max (Max is raised to Min when below it). The
// next Tick moves the size inside the new bounds.
func (p *Pool) SetLimits(minW, maxW int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if minW < 1 {
		minW = 1
	}
	if maxW < minW {
		maxW = minW
	}
	p.cfg.Min, p.cfg.Max = minW, maxW
	if !p.stopped {
		for p.size-p.retire < p.cfg.Min {
			if p.retire > 0 {
				p.retire--
			} else {
				p.spawnLocked()
			}
		}
		for p.size-p.retire > p.cfg.Max {
			p.retire++
			p.cond.Broadcast()
		}
	}
}

// Waiting is the number of queued jobs of key.
func (p *Pool) Waiting(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queues[key])
}

// Stats reports the pool now.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.statsLocked()
}

func (p *Pool) statsLocked() Stats {
	return Stats{Size: p.size - p.retire, Busy: p.busy, Waiting: p.waiting, Utilisation: p.utilisationLocked(),
		Peak: p.peak, Completed: p.completed, Panics: p.panics, Min: p.cfg.Min, Max: p.cfg.Max}
}

func (p *Pool) utilisationLocked() float64 {
	if len(p.samples) == 0 {
		if p.size == 0 {
			return 0
		}
		return float64(p.busy) / float64(p.size)
	}
	var sum float64
	for _, s := range p.samples {
		sum += s.busy
	}
	return sum / float64(len(p.samples))
}

// Tick samples utilisation at now and resizes the pool: it grows (to at
// most Max) while jobs wait or the window's average is above ScaleUpAt, and
// retires one worker per tick while the average is below ScaleDownAt and
// nothing waits (never below Min).
func (p *Pool) Tick(now time.Time) Stats {
	p.mu.Lock()
	if p.stopped {
		st := p.statsLocked()
		p.mu.Unlock()
		return st
	}
	live := p.size - p.retire
	frac := 0.0
	if live > 0 {
		frac = float64(p.busy) / float64(live)
	}
	p.samples = append(p.samples, sample{at: now, busy: frac})
	cut := 0
	for cut < len(p.samples) && now.Sub(p.samples[cut].at) > p.cfg.Window {
		cut++
	}
	p.samples = p.samples[cut:]
	avg := p.utilisationLocked()
	changed := false
	switch {
	case (p.waiting > 0 || avg > p.cfg.ScaleUpAt) && live < p.cfg.Max:
		add := 1
		if p.waiting > 1 {
			// Grow towards the backlog quickly, but by at most half the pool
			// (and at least one) per tick so a burst does not overshoot.
			add = min(p.waiting, max(1, live/2), p.cfg.Max-live)
		}
		for range add {
			if p.retire > 0 {
				p.retire--
			} else {
				p.spawnLocked()
			}
		}
		changed = true
	case p.waiting == 0 && avg < p.cfg.ScaleDownAt && live > p.cfg.Min:
		p.retire++
		p.cond.Broadcast()
		changed = true
	}
	st := p.statsLocked()
	p.mu.Unlock()
	if changed && p.cfg.OnScale != nil {
		p.cfg.OnScale(st)
	}
	return st
}

func (p *Pool) spawnLocked() {
	p.size++
	if p.size > p.peak {
		p.peak = p.size
	}
	p.wg.Add(1)
	go p.worker()
}

// next blocks until a job is available, the worker is retired or the pool
// stops. It returns nil when the worker should exit.
func (p *Pool) next() Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.stopped {
			p.size--
			return nil
		}
		if p.retire > 0 {
			p.retire--
			p.size--
			return nil
		}
		if p.waiting > 0 {
			key := p.order[0]
			q := p.queues[key]
			job := q[0]
			q[0] = nil
			q = q[1:]
			p.order = p.order[1:]
			if len(q) == 0 {
				delete(p.queues, key)
			} else {
				p.queues[key] = q
				p.order = append(p.order, key) // back of the line: keys take turns
			}
			p.waiting--
			p.busy++
			return job
		}
		p.cond.Wait()
	}
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for {
		job := p.next()
		if job == nil {
			return
		}
		p.run(job)
		p.mu.Lock()
		p.busy--
		p.completed++
		p.mu.Unlock()
	}
}

func (p *Pool) run(job Job) {
	defer func() {
		// A panicking job must not take the worker (and its busy count)
		// down. Jobs report their own failures; a panic is counted in Stats.
		if recover() != nil {
			p.mu.Lock()
			p.panics++
			p.mu.Unlock()
		}
	}()
	job(p.ctx)
}
