package monitor

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tubeagency/app/events"
	"tubeagency/internal/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// recorder keeps the events a monitor emits.
type recorder struct {
	mu     sync.Mutex
	alerts []AlertEvent
	snaps  []Snapshot
}

func (r *recorder) emit(name string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch name {
	case events.Alert:
		r.alerts = append(r.alerts, data.(AlertEvent))
	case events.Metrics:
		r.snaps = append(r.snaps, data.(Snapshot))
	}
}

// take returns the alert events since the last take.
func (r *recorder) take() []AlertEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.alerts
	r.alerts = nil
	return out
}

var t0 = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

func openStore(tb testing.TB, dir string, now func() time.Time) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "tubeagency.db"), store.Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// plentyOfDisk is a disk with 50 GB free of 100 GB.
func plentyOfDisk(string) (int64, int64, error) { return 50 << 30, 100 << 30, nil }

type fixture struct {
	m   *Monitor
	clk *clock
	rec *recorder
	st  *store.Store
	dir string
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	dir := tb.TempDir()
	clk := newClock(t0)
	st := openStore(tb, dir, clk.Now)
	rec := &recorder{}
	m, err := New(context.Background(), Options{Store: st, Now: clk.Now, Emit: rec.emit, DiskSpace: plentyOfDisk})
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{m: m, clk: clk, rec: rec, st: st, dir: dir}
}

// tick runs one Tick at the fixture's clock and fails the test on error.
func (f *fixture) tick(tb testing.TB) Snapshot {
	tb.Helper()
	if err := f.m.Tick(context.Background(), f.clk.Now()); err != nil {
		tb.Fatal(err)
	}
	return f.m.Snapshot()
}
