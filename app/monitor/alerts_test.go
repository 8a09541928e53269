package monitor

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/providers"
)

// world is what the fake sources report; tests change it between ticks.
type world struct {
	mu       sync.Mutex
	provs    []ProviderStatus
	sync     SyncStatus
	freeDisk int64
}

func (w *world) sources() Sources {
	return Sources{
		Providers: func() []ProviderStatus {
			w.mu.Lock()
			defer w.mu.Unlock()
			return append([]ProviderStatus(nil), w.provs...)
		},
		Sync: func(context.Context) (SyncStatus, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return w.sync, nil
		},
	}
}

func (w *world) disk(string) (int64, int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.freeDisk, 100 << 30, nil
}

func (w *world) set(fn func(p *ProviderStatus, s *SyncStatus)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(&w.provs[0], &w.sync)
}

func healthyGroq() ProviderStatus {
	return ProviderStatus{Name: "groq", Label: "Groq", State: "healthy", Breaker: "closed", LatencyP50: 120, LatencyP95: 300,
		SuccessRate: 1, QuotaLimit: 1000}
}

func newWorld(tb testing.TB) (*fixture, *world) {
	tb.Helper()
	dir := tb.TempDir()
	clk := newClock(t0)
	st := openStore(tb, dir, clk.Now)
	rec := &recorder{}
	w := &world{provs: []ProviderStatus{healthyGroq()}, sync: SyncStatus{State: "online"}, freeDisk: 50 << 30}
	m, err := New(context.Background(), Options{Store: st, Now: clk.Now, Emit: rec.emit, DiskSpace: w.disk})
	if err != nil {
		tb.Fatal(err)
	}
	m.setSources(w.sources())
	return &fixture{m: m, clk: clk, rec: rec, st: st, dir: dir}, w
}

func TestRulesFireOnceAndResolveByThemselves(t *testing.T) {
	netErr := &providers.Error{Provider: "groq", Status: 503, Retryable: true, Err: providers.ErrUnavailable}
	scenarios := []struct {
		name    string
		key     string
		breach  func(f *fixture, w *world) // makes the condition true
		recover func(f *fixture, w *world) // makes it false again
	}{
		{"error rate above 5% over 5 minutes", "error_rate:groq",
			func(f *fixture, w *world) {
				for i := range 20 {
					var err error
					if i < 2 { // 10%
						err = netErr
					}
					f.m.Attempt("groq", err, 100*time.Millisecond)
				}
			},
			func(f *fixture, w *world) { f.clk.Add(5*time.Minute + 20*time.Second) }},
		{"p95 latency above 500 ms", "latency_p95:groq",
			func(f *fixture, w *world) { w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LatencyP95 = 650 }) },
			func(f *fixture, w *world) { w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LatencyP95 = 420 }) }},
		{"quota more than 80% used", "quota:groq",
			func(f *fixture, w *world) { w.set(func(p *ProviderStatus, _ *SyncStatus) { p.QuotaUsed = 810 }) },
			func(f *fixture, w *world) { w.set(func(p *ProviderStatus, _ *SyncStatus) { p.QuotaUsed = 3 }) }},
		{"breaker open", "breaker_open:groq",
			func(f *fixture, w *world) {
				w.set(func(p *ProviderStatus, _ *SyncStatus) { p.Breaker, p.State = "open", "breaker_open" })
			},
			func(f *fixture, w *world) {
				w.set(func(p *ProviderStatus, _ *SyncStatus) { p.Breaker, p.State = "closed", "healthy" })
			}},
		{"health check failing", "provider_down:groq",
			func(f *fixture, w *world) {
				w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LastCheck, p.CheckFailed = f.clk.Now(), true })
			},
			func(f *fixture, w *world) {
				now := f.clk.Add(30 * time.Second)
				w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LastCheck, p.CheckFailed = now, false })
			}},
		{"sync failing for more than 10 minutes", "sync_failing:sync",
			func(f *fixture, w *world) {
				w.set(func(_ *ProviderStatus, s *SyncStatus) { s.State, s.LastError = "error", "the server answered 500" })
				if err := f.m.Tick(context.Background(), f.clk.Now()); err != nil {
					t.Fatal(err)
				}
				f.clk.Add(9 * time.Minute)
				if err := f.m.Tick(context.Background(), f.clk.Now()); err != nil {
					t.Fatal(err)
				}
				if evs := f.rec.take(); len(evs) != 0 {
					t.Fatalf("sync alert after 9 minutes: %+v", evs)
				}
				f.clk.Add(90 * time.Second)
			},
			func(f *fixture, w *world) {
				w.set(func(_ *ProviderStatus, s *SyncStatus) { s.State, s.LastError = "online", "" })
			}},
		{"low disk space", "disk_low:disk",
			func(f *fixture, w *world) { w.mu.Lock(); w.freeDisk = 300 << 20; w.mu.Unlock() },
			func(f *fixture, w *world) { w.mu.Lock(); w.freeDisk = 5 << 30; w.mu.Unlock() }},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f, w := newWorld(t)
			f.tick(t)
			if evs := f.rec.take(); len(evs) != 0 {
				t.Fatalf("alerts while healthy: %+v", evs)
			}
			if s := f.m.Snapshot(); !s.Summary.Green || !strings.HasPrefix(s.Summary.Text, "All systems green") {
				t.Fatalf("summary while healthy = %+v", s.Summary)
			}

			sc.breach(f, w)
			for range 3 { // the condition holds on every tick: one alert
				f.tick(t)
				f.clk.Add(time.Second)
			}
			evs := f.rec.take()
			if len(evs) != 1 || evs[0].Type != AlertRaised || evs[0].Alert.Key != sc.key {
				t.Fatalf("events = %+v, want one raised %s", evs, sc.key)
			}
			s := f.m.Snapshot()
			if len(s.Alerts) != 1 || !s.Alerts[0].Active || s.Alerts[0].Message == "" {
				t.Fatalf("active alerts = %+v", s.Alerts)
			}
			if s.Summary.Green || !strings.Contains(s.Summary.Text, s.Alerts[0].Message) {
				t.Fatalf("summary with an alert = %+v", s.Summary)
			}

			sc.recover(f, w)
			f.tick(t)
			f.clk.Add(DefaultResolveAfter - time.Second)
			f.tick(t)
			if evs := f.rec.take(); len(evs) != 0 {
				t.Fatalf("resolved before the condition stayed clear for %s: %+v", DefaultResolveAfter, evs)
			}
			f.clk.Add(time.Second)
			f.tick(t)
			f.tick(t)
			evs = f.rec.take()
			if len(evs) != 1 || evs[0].Type != AlertResolved || evs[0].Alert.Key != sc.key || evs[0].Alert.ResolvedAt.IsZero() ||
				evs[0].Alert.ResolvedMessage == "" || evs[0].Alert.ResolvedMessage == "Resolved." {
				t.Fatalf("events after recovery = %+v, want one resolved %s", evs, sc.key)
			}
			active, resolved := f.m.Alerts()
			if len(active) != 0 || len(resolved) != 1 || resolved[0].Key != sc.key {
				t.Fatalf("alerts after recovery: active %+v resolved %+v", active, resolved)
			}
			if s := f.m.Snapshot(); !s.Summary.Green {
				t.Fatalf("summary after recovery = %+v", s.Summary)
			}
		})
	}
}

func TestErrorRateNeedsEnoughCalls(t *testing.T) {
	f, _ := newWorld(t)
	f.m.Attempt("groq", errors.New("boom"), time.Millisecond) // 1 of 1 failed
	f.tick(t)
	if evs := f.rec.take(); len(evs) != 0 {
		t.Fatalf("one failed call raised %+v", evs)
	}
	if p := f.m.Snapshot().Providers[0]; p.ErrorRate5m != 1 || p.Calls5m != 1 {
		t.Fatalf("window = %v over %d calls", p.ErrorRate5m, p.Calls5m)
	}
}

func TestEditedThresholdAppliesAtNextTickAndPersists(t *testing.T) {
	f, w := newWorld(t)
	ctx := context.Background()
	w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LatencyP95 = 650 })
	f.tick(t)
	if evs := f.rec.take(); len(evs) != 1 || evs[0].Alert.Rule != RuleLatency {
		t.Fatalf("events = %+v", evs)
	}
	if _, err := f.m.SetRule(ctx, RuleLatency, true, 800); err != nil {
		t.Fatal(err)
	}
	f.tick(t)
	f.clk.Add(DefaultResolveAfter)
	f.tick(t)
	if evs := f.rec.take(); len(evs) != 1 || evs[0].Type != AlertResolved {
		t.Fatalf("events after raising the threshold = %+v", evs)
	}
	if _, err := f.m.SetRule(ctx, RuleQuota, false, 80); err != nil {
		t.Fatal(err)
	}

	// a second monitor over the same database reads the thresholds back
	m2, err := New(ctx, Options{Store: f.st, Now: f.clk.Now, DiskSpace: plentyOfDisk})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Rule{}
	for _, r := range m2.Rules() {
		got[r.ID] = r
	}
	if r := got[RuleLatency]; r.Threshold != 800 || !r.Enabled || r.Default != 500 {
		t.Fatalf("latency rule = %+v", r)
	}
	if r := got[RuleQuota]; r.Enabled {
		t.Fatalf("quota rule still enabled: %+v", r)
	}
	// a disabled rule raises nothing
	w.set(func(p *ProviderStatus, _ *SyncStatus) { p.QuotaUsed = 999 })
	f.tick(t)
	if evs := f.rec.take(); len(evs) != 0 {
		t.Fatalf("disabled rule raised %+v", evs)
	}
}

func TestSetRuleRejectsBadInputAndKeepsTheOldValue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	scenarios := []struct {
		id        string
		threshold float64
		want      error
	}{
		{"nope", 5, ErrUnknownRule},
		{RuleErrorRate, 0, ErrThreshold},
		{RuleErrorRate, 101, ErrThreshold},
		{RuleLatency, -1, ErrThreshold},
		{RuleSyncFailing, nan(), ErrThreshold},
	}
	for _, sc := range scenarios {
		if _, err := f.m.SetRule(ctx, sc.id, true, sc.threshold); !errors.Is(err, sc.want) {
			t.Errorf("SetRule(%s, %v) = %v, want %v", sc.id, sc.threshold, err, sc.want)
		}
	}
	var n int
	if err := f.st.ReadDB().QueryRow(`SELECT COUNT(*) FROM monitor_rules`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows written: %d, %v", n, err)
	}
	for _, r := range f.m.Rules() {
		if r.Threshold != r.Default || !r.Enabled {
			t.Errorf("rule %s changed: %+v", r.ID, r)
		}
	}
}

func nan() float64 { var z float64; return z / z }

func TestProviderHealthColours(t *testing.T) {
	scenarios := []struct {
		name   string
		p      ProviderStatus
		alerts []Alert
		want   string
	}{
		{"healthy", healthyGroq(), nil, HealthGreen},
		{"disabled", ProviderStatus{Name: "groq", State: "disabled"}, nil, HealthGrey},
		{"degraded", ProviderStatus{Name: "groq", State: "degraded"}, nil, HealthAmber},
		{"breaker open", ProviderStatus{Name: "groq", State: "breaker_open"}, nil, HealthRed},
		{"rejected key", ProviderStatus{Name: "groq", State: "misconfigured"}, nil, HealthRed},
		{"failed check", ProviderStatus{Name: "groq", State: "degraded", CheckFailed: true}, nil, HealthRed},
		{"warned", healthyGroq(), []Alert{{Subject: "groq", Severity: SeverityWarn}}, HealthAmber},
		{"bad alert", healthyGroq(), []Alert{{Subject: "groq", Severity: SeverityBad}}, HealthRed},
		{"alert about another", healthyGroq(), []Alert{{Subject: "openai", Severity: SeverityBad}}, HealthGreen},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			v := ProviderView{ProviderStatus: sc.p}
			if got := providerHealth(&v, sc.alerts); got != sc.want {
				t.Fatalf("health = %s, want %s", got, sc.want)
			}
		})
	}
}

func TestSummaryIsComputed(t *testing.T) {
	green := ProviderView{ProviderStatus: healthyGroq(), Health: HealthGreen}
	amber := ProviderView{ProviderStatus: ProviderStatus{Name: "groq", Label: "Groq", State: "degraded"}, Health: HealthAmber}
	red := ProviderView{ProviderStatus: ProviderStatus{Name: "groq", Label: "Groq", State: "breaker_open", Message: "Groq is paused."}, Health: HealthRed}
	off := ProviderView{ProviderStatus: ProviderStatus{Name: "openai", Label: "OpenAI", State: "disabled"}, Health: HealthGrey}
	online := SyncView{Available: true, SyncStatus: SyncStatus{State: "online"}}
	scenarios := []struct {
		name  string
		s     Snapshot
		level string
		text  string
	}{
		{"nothing set up", Snapshot{Providers: []ProviderView{off}}, LevelGreen, "All systems green: no AI providers set up, local templates answer, sync not set up."},
		{"all healthy", Snapshot{Providers: []ProviderView{green, off}, Sync: online, Pool: PoolView{Available: true, Waiting: 3}}, LevelGreen,
			"All systems green: 1 of 1 providers healthy, sync online, 3 jobs queued."},
		{"degraded provider", Snapshot{Providers: []ProviderView{amber}, Sync: online}, LevelAmber,
			"1 problem needs attention: Groq is degraded: some of its recent calls or checks failed."},
		{"paused provider", Snapshot{Providers: []ProviderView{red}, Sync: online}, LevelRed, "1 problem needs attention: Groq is paused."},
		{"dead letters", Snapshot{Providers: []ProviderView{green}, Sync: SyncView{Available: true, SyncStatus: SyncStatus{State: "online", DeadLetters: 2}}}, LevelAmber,
			"1 problem needs attention: 2 changes were refused by the sync server and wait in dead letters."},
		{"sync error and a warning", Snapshot{Providers: []ProviderView{green}, Sync: SyncView{Available: true, SyncStatus: SyncStatus{State: "error", LastError: "the server answered 500"}},
			Alerts: []Alert{{Subject: "disk", Severity: SeverityWarn, Message: "Only 300 MB free."}}}, LevelRed,
			"2 problems need attention: Only 300 MB free."},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := summarize(&sc.s)
			if got.Level != sc.level || got.Text != sc.text || got.Green != (sc.level == LevelGreen) {
				t.Fatalf("summary = %+v, want %s %q", got, sc.level, sc.text)
			}
		})
	}
}

// TestFlickeringConditionRaisesOneAlert toggles a condition on every tick:
// one alert is raised and stays active until the condition has been clear
// for the resolve delay.
func TestFlickeringConditionRaisesOneAlert(t *testing.T) {
	f, w := newWorld(t)
	for i := range 12 {
		p95 := 650.0
		if i%2 == 1 {
			p95 = 450
		}
		w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LatencyP95 = p95 })
		f.tick(t)
		f.clk.Add(1500 * time.Millisecond)
	}
	evs := f.rec.take()
	if len(evs) != 1 || evs[0].Type != AlertRaised {
		t.Fatalf("events while flickering = %+v", evs)
	}
	w.set(func(p *ProviderStatus, _ *SyncStatus) { p.LatencyP95 = 450 })
	for range 8 { // 12 s clear
		f.tick(t)
		f.clk.Add(1500 * time.Millisecond)
	}
	if evs := f.rec.take(); len(evs) != 1 || evs[0].Type != AlertResolved {
		t.Fatalf("events after it settled = %+v", evs)
	}
}

func TestRejectedKeyAlertSaysSo(t *testing.T) {
	f, w := newWorld(t)
	w.set(func(p *ProviderStatus, _ *SyncStatus) {
		p.State, p.Message = "misconfigured", "Groq rejected the API key: check Settings → Providers."
		p.LastCheck, p.CheckFailed = f.clk.Now(), true
	})
	s := f.tick(t)
	evs := f.rec.take()
	if len(evs) != 1 || evs[0].Alert.Message != "Groq rejected the API key: check Settings → Providers." {
		t.Fatalf("events = %+v", evs)
	}
	if s.Providers[0].Health != HealthRed || s.Summary.Level != LevelRed {
		t.Fatalf("provider %s, summary %+v", s.Providers[0].Health, s.Summary)
	}
}

// A synced change stamped far ahead (the syncer's clock alert) raises one
// warning naming the device and row, above the rule's threshold only, and
// resolves once the syncer stops reporting it.
func TestClockFarAheadAlerts(t *testing.T) {
	rules := map[string]Rule{}
	for _, r := range DefaultRules() {
		rules[r.ID] = r
	}
	msg := "Device 00000000000000ee wrote channel c1 with a clock 2562047h0m0s ahead of this computer's."
	scenarios := []struct {
		name  string
		sync  SyncStatus
		fires bool
	}{
		{"none", SyncStatus{State: "online"}, false},
		{"far ahead", SyncStatus{State: "online", ClockAlert: msg, ClockAheadMS: 9e12}, true},
		{"just past the drift, under the threshold", SyncStatus{State: "online", ClockAlert: msg, ClockAheadMS: 4 * 60_000}, false},
	}
	for _, sc := range scenarios {
		s := &Snapshot{Sync: SyncView{Available: true, SyncStatus: sc.sync}}
		var got []finding
		for _, f := range evaluate(s, rules, 0) {
			if f.rule == RuleSyncClock {
				got = append(got, f)
			}
		}
		if sc.fires != (len(got) == 1) || (sc.fires && got[0].message != msg) {
			t.Errorf("%s: findings %+v", sc.name, got)
		}
	}
	if rules[RuleSyncClock].Severity != SeverityWarn || resolvedText(RuleSyncClock, "Sync", 5) == "Resolved." {
		t.Fatal("the clock rule has no severity or resolution sentence")
	}
}
