package monitor

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestAvailabilityArithmetic(t *testing.T) {
	const today = 20000
	daily := func(vals map[int]float64) []float64 { // index from the oldest of 5 days
		out := []float64{-1, -1, -1, -1, -1}
		for i, v := range vals {
			out[i] = v
		}
		return out
	}
	scenarios := []struct {
		name   string
		counts []dayCount
		want   []Availability
	}{
		{"no checks", nil, []Availability{}},
		{"all passed today", []dayCount{{"groq", today, 48, 48}},
			[]Availability{{Provider: "groq", Checks: 48, Passed: 48, Ratio: 1, Daily: daily(map[int]float64{4: 1})}}},
		{"ratio is over checks, not the mean of days", []dayCount{{"groq", today - 4, 10, 0}, {"groq", today, 30, 30}},
			[]Availability{{Provider: "groq", Checks: 40, Passed: 30, Ratio: 0.75, Daily: daily(map[int]float64{0: 0, 4: 1})}}},
		{"days outside the period are ignored", []dayCount{{"groq", today - 5, 100, 0}, {"groq", today + 1, 100, 0}, {"groq", today - 1, 4, 3}},
			[]Availability{{Provider: "groq", Checks: 4, Passed: 3, Ratio: 0.75, Daily: daily(map[int]float64{3: 0.75})}}},
		{"rows of one day add up", []dayCount{{"groq", today, 2, 2}, {"groq", today, 2, 0}},
			[]Availability{{Provider: "groq", Checks: 4, Passed: 2, Ratio: 0.5, Daily: daily(map[int]float64{4: 0.5})}}},
		{"more passed than checked is clamped", []dayCount{{"groq", today, 2, 5}},
			[]Availability{{Provider: "groq", Checks: 2, Passed: 2, Ratio: 1, Daily: daily(map[int]float64{4: 1})}}},
		{"providers sorted by name", []dayCount{{"openai", today, 1, 0}, {"anthropic", today, 4, 1}},
			[]Availability{
				{Provider: "anthropic", Checks: 4, Passed: 1, Ratio: 0.25, Daily: daily(map[int]float64{4: 0.25})},
				{Provider: "openai", Checks: 1, Passed: 0, Ratio: 0, Daily: daily(map[int]float64{4: 0})},
			}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := availability(sc.counts, today, 5)
			if !reflect.DeepEqual(got, sc.want) {
				t.Fatalf("availability =\n%+v\nwant\n%+v", got, sc.want)
			}
		})
	}
}

func TestAvailabilityFromPersistedChecks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day := 24 * time.Hour
	// 31 days ago: outside the period; 2 days ago: 3 of 4 passed; today: 1 of 2
	record := func(at time.Time, ok bool) {
		t.Helper()
		if err := f.m.RecordCheck(ctx, "groq", at, ok); err != nil {
			t.Fatal(err)
		}
	}
	record(t0.Add(-31*day), false)
	for i, ok := range []bool{true, true, false, true} {
		record(t0.Add(-2*day+time.Duration(i)*time.Minute), ok)
	}
	record(t0.Add(-time.Hour), true)
	record(t0, false)
	// the same check recorded twice counts once
	record(t0, false)

	av, err := f.m.Availability(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(av) != 1 {
		t.Fatalf("availability = %+v", av)
	}
	a := av[0]
	if a.Checks != 6 || a.Passed != 4 || math.Abs(a.Ratio-4.0/6) > 1e-9 || len(a.Daily) != 30 {
		t.Fatalf("groq = %+v", a)
	}
	if a.Daily[29] != 0.5 || a.Daily[27] != 0.75 || a.Daily[28] != -1 || a.Daily[0] != -1 {
		t.Fatalf("daily = %v", a.Daily)
	}

	// pruning drops what is older than the period and keeps the rest
	n, err := f.m.pruneChecks(ctx)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if av2, _ := f.m.Availability(ctx, 30); !reflect.DeepEqual(av, av2) {
		t.Fatalf("pruning changed the availability: %+v", av2)
	}
}

func TestTickRecordsEachHealthCheckOnce(t *testing.T) {
	f, w := newWorld(t)
	checks := []bool{true, false, false, true}
	for i, ok := range checks {
		at := f.clk.Add(30 * time.Second)
		w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LastCheck, p.CheckFailed = at, !ok })
		s := f.tick(t)
		f.tick(t) // the same check seen again is not recorded again
		wantRun := map[int]int{0: 0, 1: 1, 2: 2, 3: 0}[i]
		if s.Providers[0].FailedChecks != wantRun {
			t.Fatalf("check %d: failed in a row = %d, want %d", i, s.Providers[0].FailedChecks, wantRun)
		}
	}
	s := f.m.Snapshot()
	if len(s.Availability) != 1 || s.Availability[0].Checks != 4 || s.Availability[0].Passed != 2 {
		t.Fatalf("availability = %+v", s.Availability)
	}
	if s.Providers[0].Availability != 0.5 {
		t.Fatalf("provider availability = %v", s.Providers[0].Availability)
	}
}

func TestWindowRate(t *testing.T) {
	var w window
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	for i := range 10 {
		w.add(at(time.Duration(i)*time.Second), i%2 == 0) // 5 of 10 fail in the first bucket
	}
	w.add(at(2*time.Minute), false)
	w.add(at(4*time.Minute), true)
	scenarios := []struct {
		name  string
		now   time.Duration
		rate  float64
		calls int
	}{
		{"all within 5 minutes", 4 * time.Minute, 6.0 / 12, 12},
		{"the first bucket ages out", 5*time.Minute + 10*time.Second, 1.0 / 2, 2},
		{"everything aged out", 10 * time.Minute, 0, 0},
		{"a full lap later the ring is not reused as if fresh", 10*time.Minute + 0*time.Second + 60*BucketWidth, 0, 0},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			rate, calls := w.rate(at(sc.now), 5*time.Minute)
			if rate != sc.rate || calls != sc.calls {
				t.Fatalf("rate = %v over %d calls, want %v over %d", rate, calls, sc.rate, sc.calls)
			}
		})
	}
	// a bucket reused after a lap starts from zero
	w.add(at(60*BucketWidth), true)
	if rate, calls := w.rate(at(60*BucketWidth), 5*time.Minute); rate != 1 || calls != 1 {
		t.Fatalf("after a lap: %v over %d", rate, calls)
	}
}
