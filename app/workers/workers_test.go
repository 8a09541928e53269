package workers

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is advanced by the test; the pool never reads the wall clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time                    { return c.t }
func (c *fakeClock) advance(d time.Duration) time.Time { c.t = c.t.Add(d); return c.t }

// waitFor polls cond (without sleeping on a timer the pool depends on) until
// it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPoolScalesToMaxUnderLoadAndBackToMinWhenIdle(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_764_000_000, 0)}
	var scaled []int
	var mu sync.Mutex
	p := New(Config{Min: 2, Max: 8, Window: 5 * time.Second, Now: clk.now, OnScale: func(s Stats) {
		mu.Lock()
		scaled = append(scaled, s.Size)
		mu.Unlock()
	}})
	p.Start(false)
	defer p.Stop()

	release := make(chan struct{})
	var started atomic.Int32
	for i := range 40 {
		key := "a"
		if i%2 == 1 {
			key = "b"
		}
		if err := p.Submit(key, func(ctx context.Context) {
			started.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the first two workers to pick up jobs", func() bool { return p.Stats().Busy == 2 })
	if st := p.Stats(); st.Size != 2 || st.Waiting != 38 {
		t.Fatalf("before any tick: %+v, want size 2 with 38 waiting", st)
	}
	// Jobs wait: every tick grows the pool until it reaches Max, never past it.
	for range 10 {
		st := p.Tick(clk.advance(time.Second))
		if st.Size > 8 {
			t.Fatalf("pool grew past max: %+v", st)
		}
		waitFor(t, "new workers to take jobs", func() bool { s := p.Stats(); return s.Busy == s.Size })
	}
	if st := p.Stats(); st.Size != 8 || st.Busy != 8 || st.Peak != 8 {
		t.Fatalf("under load: %+v, want 8 workers all busy", st)
	}

	// Idle: release everything, let the queue drain, then ticks shrink it.
	close(release)
	waitFor(t, "the queue to drain", func() bool { s := p.Stats(); return s.Completed == 40 })
	if got := started.Load(); got != 40 {
		t.Fatalf("started %d jobs, want 40", got)
	}
	for range 30 {
		p.Tick(clk.advance(time.Second))
	}
	waitFor(t, "retired workers to exit", func() bool { return p.Stats().Size == 2 })
	st := p.Stats()
	if st.Size != 2 || st.Busy != 0 || st.Waiting != 0 || st.Utilisation != 0 {
		t.Fatalf("idle: %+v, want back at min 2, nothing busy", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(scaled) == 0 || scaled[len(scaled)-1] != 2 {
		t.Fatalf("OnScale saw sizes %v, want the last to be 2", scaled)
	}
}

func TestPoolScaleDecisions(t *testing.T) {
	scenarios := []struct {
		name     string
		busy     int // jobs held running
		waiting  int // extra jobs queued behind them
		ticks    int
		wantSize int
	}{
		{name: "idle pool stays at min", busy: 0, ticks: 5, wantSize: 2},
		{name: "all busy over the window grows", busy: 2, ticks: 1, wantSize: 3},
		{name: "no tick means no resize", busy: 2, ticks: 0, wantSize: 2},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1_764_000_000, 0)}
			p := New(Config{Min: 2, Max: 6, Window: 3 * time.Second, Now: clk.now})
			p.Start(false)
			defer p.Stop()
			release := make(chan struct{})
			defer close(release)
			for range sc.busy {
				_ = p.Submit("k", func(ctx context.Context) { <-release })
			}
			waitFor(t, "jobs to start", func() bool { return p.Stats().Busy == sc.busy })
			for range sc.ticks {
				p.Tick(clk.advance(time.Second))
			}
			if st := p.Stats(); st.Size != sc.wantSize {
				t.Fatalf("size %d after %d ticks with %d busy, want %d (%+v)", st.Size, sc.ticks, sc.busy, sc.wantSize, st)
			}
		})
	}
}

func TestPoolShrinksOnlyBelowScaleDown(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_764_000_000, 0)}
	p := New(Config{Min: 1, Max: 4, Window: 2 * time.Second, Now: clk.now})
	p.Start(false)
	defer p.Stop()
	release := make(chan struct{})
	for range 4 {
		_ = p.Submit("k", func(ctx context.Context) { <-release })
	}
	for range 4 {
		p.Tick(clk.advance(time.Second))
		waitFor(t, "workers to take jobs", func() bool { s := p.Stats(); return s.Busy == s.Size })
	}
	if st := p.Stats(); st.Size != 4 {
		t.Fatalf("size %d, want 4", st.Size)
	}
	close(release)
	waitFor(t, "jobs to finish", func() bool { return p.Stats().Busy == 0 })
	// The window still remembers 100% busy samples: no shrink on the first tick.
	if st := p.Tick(clk.advance(time.Second)); st.Size != 4 {
		t.Fatalf("shrank while the window average was high: %+v", st)
	}
	// Once the busy samples age out, it retires one worker per tick.
	p.Tick(clk.advance(time.Second))
	p.Tick(clk.advance(time.Second))
	if st := p.Stats(); st.Size >= 4 {
		t.Fatalf("did not shrink once idle: %+v", st)
	}
}

func TestPoolKeysTakeTurns(t *testing.T) {
	p := New(Config{Min: 1, Max: 1})
	gate := make(chan struct{})
	var order []string
	var mu sync.Mutex
	record := func(k string) Job {
		return func(ctx context.Context) {
			<-gate
			mu.Lock()
			order = append(order, k)
			mu.Unlock()
		}
	}
	for range 1000 {
		_ = p.Submit("big", record("big"))
	}
	for range 3 {
		_ = p.Submit("small", record("small"))
	}
	p.Start(false)
	defer p.Stop()
	close(gate)
	waitFor(t, "the small key's jobs", func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, k := range order {
			if k == "small" {
				n++
			}
		}
		return n == 3
	})
	mu.Lock()
	defer mu.Unlock()
	last := 0
	for i, k := range order {
		if k == "small" {
			last = i
		}
	}
	if last > 6 {
		t.Fatalf("the small key's last job ran at position %d behind 1000 big ones, want within the first 7", last)
	}
}

func TestSubmitAfterStop(t *testing.T) {
	p := New(Config{})
	p.Start(false)
	p.Stop()
	if err := p.Submit("k", func(context.Context) {}); err != ErrStopped {
		t.Fatalf("Submit after Stop: %v, want ErrStopped", err)
	}
}

func TestZeroConfigDefaults(t *testing.T) {
	p := New(Config{})
	st := p.Stats()
	if st.Min != 1 || st.Max != 4 {
		t.Fatalf("zero config: min %d max %d, want 1 and 4", st.Min, st.Max)
	}
}

func BenchmarkPoolThroughput(b *testing.B) {
	p := New(Config{Min: 2, Max: 8})
	p.Start(true)
	defer p.Stop()
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		_ = p.Submit("k", func(context.Context) { wg.Done() })
	}
	wg.Wait()
}

func TestSetLimitsMovesTheSizeInsideTheNewBounds(t *testing.T) {
	p := New(Config{Min: 1, Max: 4})
	p.Start(false)
	defer p.Stop()
	p.SetLimits(3, 5)
	if st := p.Stats(); st.Size != 3 || st.Min != 3 || st.Max != 5 {
		t.Fatalf("after raising min: %+v", st)
	}
	p.SetLimits(1, 2)
	waitFor(t, "extra workers to retire", func() bool { return p.Stats().Size == 2 })
}

func TestAPanickingJobIsCountedAndTheWorkerLives(t *testing.T) {
	p := New(Config{Min: 1, Max: 1})
	p.Start(false)
	defer p.Stop()
	_ = p.Submit("k", func(context.Context) { panic("boom") })
	done := make(chan struct{})
	_ = p.Submit("k", func(context.Context) { close(done) })
	<-done
	waitFor(t, "both jobs to count", func() bool { return p.Stats().Completed == 2 })
	if st := p.Stats(); st.Panics != 1 || st.Size != 1 || st.Busy != 0 {
		t.Fatalf("after a panic: %+v", st)
	}
}
