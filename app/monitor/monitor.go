// Package monitor watches Tube Agency's own health: it keeps Prometheus
// metrics of the provider router, the answer cache, sync, the worker pool,
// the store and the process; persists provider health checks for 30-day
// availability; raises and resolves alerts under rules whose thresholds the
// user edits; and every Interval emits a "metrics" snapshot for the
// Infrastructure page.
//
// The parts it watches are plugged in as Sources (plain functions), so each
// can be missing or arrive later; RouterProviders and RouterLimiters adapt
// the provider router. The router reports each call through the Observer
// methods. Time is injected:
// tests call Tick(ctx, now) and never sleep.
package monitor

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"path/filepath"
	"runtime"
	runmetrics "runtime/metrics"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sony/gobreaker/v2"

	"tubeagency/app/events"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
	"tubeagency/providers/cache"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Defaults for Options' zero values.
const (
	DefaultInterval          = 1500 * time.Millisecond
	DefaultAvailabilityEvery = time.Minute
	DefaultPruneEvery        = time.Hour
	DefaultResolveAfter      = 10 * time.Second
)

// Options configure New. Store is required.
type Options struct {
	// Store holds the health history and the alert thresholds.
	Store *store.Store
	// DataDir is the folder whose disk space is watched. Empty means the
	// folder of the store's database.
	DataDir string
	// Emit receives "metrics" and "alert" events. Nil means no events.
	Emit func(name string, data any)
	// Now is the clock of windows, alerts and history. Nil means time.Now.
	Now func() time.Time
	// Start is when the app started, for the uptime. Zero means Now() at New.
	Start time.Time
	// Interval is how often Start's loop takes a snapshot. Zero means
	// DefaultInterval.
	Interval time.Duration
	// Logger receives the loop's failures. Nil means slog.Default().
	Logger *slog.Logger
	// ResolveAfter is how long an alert's condition must stay clear before
	// the alert resolves. Zero means DefaultResolveAfter.
	ResolveAfter time.Duration
	// DiskSpace reports the free and total bytes of the disk holding dir.
	// Nil means asking the operating system.
	DiskSpace func(dir string) (free, total int64, err error)
}

// Monitor is safe for concurrent use. Its Observer methods (Attempt,
// CacheLookup, RateLimited, BreakerChange, Hedge) are cheap and never
// block, so the provider router can call them on the request path.
type Monitor struct {
	opts  Options
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
	met   *metrics
	alert engine

	srcMu sync.RWMutex
	src   Sources

	rulesMu sync.RWMutex
	rules   map[string]Rule

	pushed, pulled, syncFails atomic.Int64
	waits                     waitRing

	tickMu      sync.Mutex // one Tick at a time; guards the fields below
	lastCheck   map[string]time.Time
	failedRun   map[string]int
	syncFailing time.Time // when sync started failing; zero when it is not
	lastCPU     time.Duration
	lastCPUAt   time.Time
	avail       []Availability
	availAt     time.Time
	prunedAt    time.Time

	snapMu sync.RWMutex
	snap   Snapshot

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New migrates the monitor's device-local tables, loads the alert
// thresholds and returns a monitor with no sources.
func New(ctx context.Context, opts Options) (*Monitor, error) {
	if opts.Store == nil {
		return nil, errors.New("new monitor: no store")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Start.IsZero() {
		opts.Start = opts.Now()
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ResolveAfter <= 0 {
		opts.ResolveAfter = DefaultResolveAfter
	}
	if opts.DiskSpace == nil {
		opts.DiskSpace = diskSpace
	}
	if opts.DataDir == "" {
		opts.DataDir = filepath.Dir(opts.Store.Path())
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := opts.Store.Migrate(ctx, "monitor", sub); err != nil {
		return nil, err
	}
	m := &Monitor{opts: opts, store: opts.Store, now: opts.Now, log: opts.Logger,
		lastCheck: map[string]time.Time{}, failedRun: map[string]int{}}
	m.alert.resolveAfter = opts.ResolveAfter
	m.met = newMetrics(opts.Start, opts.Now)
	if err := m.loadRules(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// Registry is the monitor's Prometheus registry.
func (m *Monitor) Registry() *prometheus.Registry { return m.met.reg }

// Handler serves the metrics in the Prometheus text format.
func (m *Monitor) Handler() http.Handler {
	return promhttp.HandlerFor(m.met.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ---- Observer (the provider router's hook) ----

// Attempt counts one provider call, its outcome and latency.
func (m *Monitor) Attempt(provider string, err error, latency time.Duration) {
	p := m.met.provider(provider)
	p.byOutcome[Outcome(err)].Inc()
	p.latency.Observe(latency.Seconds())
	p.window.add(m.now(), err != nil)
}

// CacheLookup counts one answer-cache lookup by the tier that answered.
func (m *Monitor) CacheLookup(tier cache.Tier) {
	if tier >= 0 && int(tier) < len(m.met.tiers) {
		m.met.tiers[tier].Inc()
	}
}

// RateLimited counts a request a limit held back. provider is empty for
// the global and per-channel limits.
func (m *Monitor) RateLimited(provider, scope string) {
	m.met.rateLimited.WithLabelValues(provider, scope).Inc()
}

// Hedge counts a hedged request: provider was started alongside a slow
// one, and won says whether its answer was taken.
func (m *Monitor) Hedge(provider string, won bool) {
	result := "lost"
	if won {
		result = "won"
	}
	m.met.hedges.WithLabelValues(provider, result).Inc()
}

// BreakerChange counts a breaker transition and sets the state gauge.
func (m *Monitor) BreakerChange(provider string, from, to gobreaker.State) {
	m.met.breakerChanges.WithLabelValues(provider, to.String()).Inc()
	m.met.breakerState.WithLabelValues(provider).Set(breakerValue(to))
}

// ---- Sync and pool hooks ----

// SyncCounted records what one sync cycle pushed and pulled (the syncer's
// Counted option).
func (m *Monitor) SyncCounted(pushed, pulled int) {
	m.SyncPushed(pushed)
	m.SyncPulled(pulled)
}

// SyncPushed counts n changes the sync server accepted.
func (m *Monitor) SyncPushed(n int) {
	if n > 0 {
		m.pushed.Add(int64(n))
		m.met.syncPushed.Add(float64(n))
	}
}

// SyncPulled counts n remote changes applied.
func (m *Monitor) SyncPulled(n int) {
	if n > 0 {
		m.pulled.Add(int64(n))
		m.met.syncPulled.Add(float64(n))
	}
}

// SyncFailed counts a sync failure; Tick calls it when the syncer enters
// its error state.
func (m *Monitor) SyncFailed() {
	m.syncFails.Add(1)
	m.met.syncFailures.Inc()
}

// JobWait records how long a job waited in the queue.
func (m *Monitor) JobWait(d time.Duration) {
	m.met.jobWait.Observe(d.Seconds())
	m.waits.add(d)
}

// TimeJob wraps job so the time from now until a worker starts it is
// recorded as its queue wait.
func (m *Monitor) TimeJob(job workers.Job) workers.Job {
	queued := m.now()
	return func(ctx context.Context) {
		m.JobWait(m.now().Sub(queued))
		job(ctx)
	}
}

// waitRing keeps the last job waits for a p95.
type waitRing struct {
	mu sync.Mutex
	d  [128]time.Duration
	n  int
}

func (w *waitRing) add(d time.Duration) {
	w.mu.Lock()
	w.d[w.n%len(w.d)] = d
	w.n++
	w.mu.Unlock()
}

func (w *waitRing) p95() (time.Duration, int) {
	w.mu.Lock()
	n := min(w.n, len(w.d))
	s := append([]time.Duration(nil), w.d[:n]...)
	w.mu.Unlock()
	if n == 0 {
		return 0, 0
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(n*95+99)/100-1], n // nearest rank
}

// ---- Rules ----

// Rules are the alert rules with the user's thresholds.
func (m *Monitor) Rules() []Rule {
	m.rulesMu.RLock()
	defer m.rulesMu.RUnlock()
	out := DefaultRules()
	for i := range out {
		out[i] = m.rules[out[i].ID]
	}
	return out
}

func (m *Monitor) rulesMap() map[string]Rule {
	m.rulesMu.RLock()
	defer m.rulesMu.RUnlock()
	cp := make(map[string]Rule, len(m.rules))
	for k, v := range m.rules {
		cp[k] = v
	}
	return cp
}

func (m *Monitor) loadRules(ctx context.Context) error {
	rules := map[string]Rule{}
	for _, r := range DefaultRules() {
		rules[r.ID] = r
	}
	rows, err := m.store.ReadDB().QueryContext(ctx, `SELECT id, enabled, threshold FROM monitor_rules`)
	if err != nil {
		return fmt.Errorf("read alert rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var enabled bool
		var th float64
		if err := rows.Scan(&id, &enabled, &th); err != nil {
			return fmt.Errorf("read alert rules: %w", err)
		}
		if r, ok := rules[id]; ok && th >= r.Min && th <= r.Max {
			r.Enabled, r.Threshold = enabled, th
			rules[id] = r
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read alert rules: %w", err)
	}
	m.rulesMu.Lock()
	m.rules = rules
	m.rulesMu.Unlock()
	return nil
}

// ErrThreshold is returned by SetRule for a threshold outside the rule's range.
var ErrThreshold = errors.New("threshold out of range")

// SetRule switches a rule on or off and sets its threshold, persistently.
// The next Tick judges by it.
func (m *Monitor) SetRule(ctx context.Context, id string, enabled bool, threshold float64) (Rule, error) {
	m.rulesMu.RLock()
	r, ok := m.rules[id]
	m.rulesMu.RUnlock()
	if !ok {
		return Rule{}, fmt.Errorf("set rule %q: %w", id, ErrUnknownRule)
	}
	if math.IsNaN(threshold) || threshold < r.Min || threshold > r.Max {
		return r, fmt.Errorf("set rule %s: %w: must be between %g and %g %s", id, ErrThreshold, r.Min, r.Max, r.Unit)
	}
	err := m.store.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO monitor_rules(id, enabled, threshold, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, threshold = excluded.threshold, updated_at = excluded.updated_at`,
			id, enabled, threshold, m.now().UnixMilli())
		return err
	})
	if err != nil {
		return r, fmt.Errorf("save rule %s: %w", id, err)
	}
	r.Enabled, r.Threshold = enabled, threshold
	m.rulesMu.Lock()
	m.rules[id] = r
	m.rulesMu.Unlock()
	return r, nil
}

// Alerts are the active alerts, newest first, then up to 50 resolved ones.
func (m *Monitor) Alerts() (active, resolved []Alert) { return m.alert.list() }

// ---- Sources ----

// setSources plugs in the parts the monitor watches (Start does).
func (m *Monitor) setSources(s Sources) {
	m.srcMu.Lock()
	m.src = s
	m.srcMu.Unlock()
}

func (m *Monitor) sources() Sources {
	m.srcMu.RLock()
	defer m.srcMu.RUnlock()
	return m.src
}

// Snapshot is the last snapshot Tick took.
func (m *Monitor) Snapshot() Snapshot {
	m.snapMu.RLock()
	defer m.snapMu.RUnlock()
	return m.snap
}

// ---- Loop ----

// Start watches src and ticks every Interval until Stop. The monitor is
// built before the parts it watches (it observes them as they run), so
// they are handed over here, once all exist.
func (m *Monitor) Start(ctx context.Context, src Sources) {
	m.setSources(src)
	ctx, m.cancel = context.WithCancel(ctx)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(m.opts.Interval)
		defer t.Stop()
		for {
			if err := m.Tick(ctx, m.now()); err != nil && ctx.Err() == nil {
				m.log.Warn("monitor tick", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the loop and waits for it.
func (m *Monitor) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
}

// Tick takes one snapshot at now: it reads every source, updates the
// gauges, records new health checks, evaluates the alert rules, emits the
// alert events and the "metrics" snapshot, and returns the first failure
// (the snapshot is emitted regardless, with what could be read).
func (m *Monitor) Tick(ctx context.Context, now time.Time) error {
	m.tickMu.Lock()
	defer m.tickMu.Unlock()
	src := m.sources()
	var errs []error
	s := Snapshot{At: now, UptimeSecs: int64(now.Sub(m.opts.Start) / time.Second), Providers: []ProviderView{},
		Limiters: []LimiterStatus{}, Cache: CacheView{Tiers: []CacheTier{}}}

	newChecks := false
	if src.Providers != nil {
		for _, p := range src.Providers() {
			v := ProviderView{ProviderStatus: p, Availability: -1}
			cooldown := 0.0
			if p.CooldownUntil.After(now) {
				cooldown = p.CooldownUntil.Sub(now).Seconds()
			}
			m.met.cooldown.WithLabelValues(p.Name).Set(cooldown)
			v.ErrorRate5m, v.Calls5m = m.met.provider(p.Name).window.rate(now, 5*time.Minute)
			if !p.LastCheck.IsZero() && p.LastCheck.After(m.lastCheck[p.Name]) {
				m.lastCheck[p.Name] = p.LastCheck
				if p.CheckFailed {
					m.failedRun[p.Name]++
				} else {
					m.failedRun[p.Name] = 0
				}
				if err := m.RecordCheck(ctx, p.Name, p.LastCheck, !p.CheckFailed); err != nil {
					errs = append(errs, err)
				}
				newChecks = true
			}
			v.FailedChecks = m.failedRun[p.Name]
			s.Providers = append(s.Providers, v)
		}
	}
	if newChecks || m.availAt.IsZero() || now.Sub(m.availAt) >= DefaultAvailabilityEvery {
		if av, err := m.Availability(ctx, AvailabilityDays); err != nil {
			errs = append(errs, err)
		} else {
			m.avail, m.availAt = av, now
		}
	}
	s.Availability = m.avail
	if s.Availability == nil {
		s.Availability = []Availability{}
	}
	for i := range s.Providers {
		for _, a := range m.avail {
			if a.Provider == s.Providers[i].Name {
				s.Providers[i].Availability = a.Ratio
			}
		}
	}
	if src.Cache != nil {
		s.Cache = cacheView(src.Cache())
	}
	if src.Limiters != nil {
		if ls := src.Limiters(); ls != nil {
			s.Limiters = ls
		}
	}
	if src.Pool != nil {
		st := src.Pool()
		s.Pool = PoolView{Available: true, Size: st.Size, Busy: st.Busy, Waiting: st.Waiting, Min: st.Min, Max: st.Max,
			Utilisation: st.Utilisation, Completed: st.Completed}
		m.met.poolSize.Set(float64(st.Size))
		m.met.poolBusy.Set(float64(st.Busy))
		m.met.poolWaiting.Set(float64(st.Waiting))
	}
	wait, nWait := m.waits.p95()
	s.Pool.JobWaitP95 = float64(wait.Microseconds()) / 1000
	s.Pool.JobsTimed = nWait
	s.Sync = SyncView{SyncStatus: SyncStatus{State: "local"}, Pushed: m.pushed.Load(), Pulled: m.pulled.Load(), Failures: m.syncFails.Load()}
	if src.Sync != nil {
		st, err := src.Sync(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("read sync status: %w", err))
		} else {
			s.Sync.Available = true
			s.Sync.SyncStatus = st
			m.met.syncPending.Set(float64(st.Pending))
			m.met.syncLag.Set(float64(st.LagMS) / 1000)
			m.met.deadLetters.Set(float64(st.DeadLetters))
		}
	}
	s.YouTube = YouTubeView{Buckets: []QuotaBucket{}}
	if src.YouTube != nil {
		if bs, err := src.YouTube(ctx); err != nil {
			s.YouTube.Error = err.Error()
			errs = append(errs, fmt.Errorf("read youtube quota: %w", err))
		} else {
			s.YouTube.Available = true
			if bs != nil {
				s.YouTube.Buckets = bs
			}
		}
	}
	if s.Sync.State == "error" {
		if m.syncFailing.IsZero() {
			m.syncFailing = now
			m.SyncFailed()
			s.Sync.Failures = m.syncFails.Load()
		}
		s.Sync.FailingSecs = int64(now.Sub(m.syncFailing) / time.Second)
	} else {
		m.syncFailing = time.Time{}
	}
	s.Store.DBBytes, s.Store.WALBytes = m.store.Sizes()
	m.met.storeBytes.WithLabelValues("db").Set(float64(s.Store.DBBytes))
	m.met.storeBytes.WithLabelValues("wal").Set(float64(s.Store.WALBytes))
	if n, err := m.store.OutboxDepth(ctx); err != nil {
		errs = append(errs, fmt.Errorf("read outbox depth: %w", err))
	} else {
		s.Store.Outbox = n
		m.met.outboxDepth.Set(float64(n))
	}
	if free, total, err := m.opts.DiskSpace(m.opts.DataDir); err != nil {
		errs = append(errs, fmt.Errorf("read free disk space: %w", err))
	} else {
		s.Disk = DiskView{FreeBytes: free, TotalBytes: total}
		m.met.diskFree.Set(float64(free))
	}
	s.Process = m.process(now)

	var failingFor time.Duration
	if !m.syncFailing.IsZero() {
		failingFor = now.Sub(m.syncFailing)
	}
	rules := m.rulesMap()
	evs := m.alert.apply(now, rules, evaluate(&s, rules, failingFor))
	s.Alerts, _ = m.alert.list()
	if s.Alerts == nil {
		s.Alerts = []Alert{}
	}
	m.met.alertsActive.Set(float64(len(s.Alerts)))
	for i := range s.Providers {
		s.Providers[i].Health = providerHealth(&s.Providers[i], s.Alerts)
	}
	s.Summary = summarize(&s)

	if m.prunedAt.IsZero() || now.Sub(m.prunedAt) >= DefaultPruneEvery {
		if _, err := m.pruneChecks(ctx); err != nil {
			errs = append(errs, err)
		} else {
			m.prunedAt = now
		}
	}

	m.snapMu.Lock()
	m.snap = s
	m.snapMu.Unlock()
	if m.opts.Emit != nil {
		for _, e := range evs {
			m.opts.Emit(events.Alert, e)
		}
		m.opts.Emit(events.Metrics, s)
	}
	return errors.Join(errs...)
}

// process reads the process's memory and CPU use.
func (m *Monitor) process(now time.Time) ProcessView {
	samples := []runmetrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	runmetrics.Read(samples)
	var mem uint64
	if samples[0].Value.Kind() == runmetrics.KindUint64 && samples[1].Value.Kind() == runmetrics.KindUint64 {
		mem = samples[0].Value.Uint64() - samples[1].Value.Uint64()
	}
	p := ProcessView{MemoryBytes: int64(mem), Goroutines: runtime.NumGoroutine(), CPUs: runtime.NumCPU()}
	if cpu, err := cpuTime(); err == nil {
		if !m.lastCPUAt.IsZero() && now.After(m.lastCPUAt) {
			p.CPUPercent = math.Max(0, float64(cpu-m.lastCPU)/float64(now.Sub(m.lastCPUAt))*100)
		}
		m.lastCPU, m.lastCPUAt = cpu, now
	}
	return p
}
