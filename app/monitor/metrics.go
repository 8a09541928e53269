package monitor

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/sony/gobreaker/v2"

	"tubeagency/providers"
	"tubeagency/providers/cache"
)

// Request outcomes, the "outcome" label of tubeagency_provider_requests_total.
const (
	OutcomeOK            = "ok"
	OutcomeRateLimited   = "rate_limited"
	OutcomeMisconfigured = "misconfigured"
	OutcomeNetwork       = "network"
	OutcomeTimeout       = "timeout"
	OutcomeUnavailable   = "unavailable"
	OutcomeError         = "error"
)

var outcomes = []string{OutcomeOK, OutcomeRateLimited, OutcomeMisconfigured, OutcomeNetwork, OutcomeTimeout, OutcomeUnavailable, OutcomeError}

// Outcome names how a provider call ended.
func Outcome(err error) string {
	if err == nil {
		return OutcomeOK
	}
	var pe *providers.Error
	isPE := errors.As(err, &pe)
	switch {
	case errors.Is(err, providers.ErrRateLimited):
		return OutcomeRateLimited
	case errors.Is(err, providers.ErrMisconfigured):
		return OutcomeMisconfigured
	case isPE && pe.Network:
		return OutcomeNetwork
	case errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	case errors.Is(err, providers.ErrUnavailable):
		return OutcomeUnavailable
	default:
		return OutcomeError
	}
}

// metrics are the Prometheus collectors of one Monitor, registered in its
// own registry (never the global one).
type metrics struct {
	reg *prometheus.Registry

	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	cacheLookups   *prometheus.CounterVec
	rateLimited    *prometheus.CounterVec
	breakerChanges *prometheus.CounterVec
	breakerState   *prometheus.GaugeVec
	healthChecks   *prometheus.CounterVec
	hedges         *prometheus.CounterVec
	cooldown       *prometheus.GaugeVec
	syncPushed     prometheus.Counter
	syncPulled     prometheus.Counter
	syncFailures   prometheus.Counter
	syncPending    prometheus.Gauge
	syncLag        prometheus.Gauge
	outboxDepth    prometheus.Gauge
	deadLetters    prometheus.Gauge
	poolSize       prometheus.Gauge
	poolBusy       prometheus.Gauge
	poolWaiting    prometheus.Gauge
	jobWait        prometheus.Histogram
	storeBytes     *prometheus.GaugeVec
	diskFree       prometheus.Gauge
	alertsActive   prometheus.Gauge

	// per-provider children, resolved once so the request path does no
	// label hashing
	mu      sync.RWMutex
	perProv map[string]*provMetrics
	tiers   [3]prometheus.Counter
}

// provMetrics are one provider's pre-resolved children and its error window.
type provMetrics struct {
	byOutcome map[string]prometheus.Counter
	latency   prometheus.Observer
	window    window
}

// LatencyBuckets are the provider latency histogram's upper bounds, in
// seconds: fine around the 500 ms target, coarse up to a minute.
var LatencyBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60}

func newMetrics(start time.Time, now func() time.Time) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), perProv: map[string]*provMetrics{}}
	f := promFactory{m.reg}
	m.requests = f.counterVec("tubeagency_provider_requests_total", "Calls to AI providers, by provider and outcome.", "provider", "outcome")
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tubeagency_provider_latency_seconds",
		Help: "Latency of calls to AI providers.", Buckets: LatencyBuckets}, []string{"provider"})
	m.reg.MustRegister(m.latency)
	m.cacheLookups = f.counterVec("tubeagency_cache_lookups_total", "Answer cache lookups by the tier that answered (l1, l2) or miss.", "tier")
	m.rateLimited = f.counterVec("tubeagency_rate_limit_rejections_total", "Requests held back by a rate limit or daily quota.", "provider", "scope")
	m.breakerChanges = f.counterVec("tubeagency_breaker_state_changes_total", "Circuit breaker transitions, by provider and new state.", "provider", "to")
	m.breakerState = f.gaugeVec("tubeagency_breaker_state", "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.", "provider")
	m.hedges = f.counterVec("tubeagency_provider_hedges_total", "Providers started alongside a slow one (hedged requests), by provider and result (won, lost).", "provider", "result")
	m.cooldown = f.gaugeVec("tubeagency_provider_cooldown_seconds", "Seconds left of the pause a provider asked for (429 or 503 with a time); 0 when none.", "provider")
	m.healthChecks = f.counterVec("tubeagency_provider_health_checks_total", "Provider health checks, by provider and result (ok, failed).", "provider", "result")
	m.syncPushed = f.counter("tubeagency_sync_pushed_total", "Changes pushed to the sync server.")
	m.syncPulled = f.counter("tubeagency_sync_pulled_total", "Remote changes pulled and applied.")
	m.syncFailures = f.counter("tubeagency_sync_failures_total", "Sync cycles that ended in an error.")
	m.syncPending = f.gauge("tubeagency_sync_pending", "Changes waiting to be pushed.")
	m.syncLag = f.gauge("tubeagency_sync_lag_seconds", "Age of the oldest change waiting to be pushed.")
	m.outboxDepth = f.gauge("tubeagency_outbox_depth", "Entries in the local outbox.")
	m.deadLetters = f.gauge("tubeagency_sync_dead_letters", "Changes the sync server refused for good.")
	m.poolSize = f.gauge("tubeagency_worker_pool_size", "Running workers in the job pool.")
	m.poolBusy = f.gauge("tubeagency_worker_pool_busy", "Workers running a job.")
	m.poolWaiting = f.gauge("tubeagency_worker_pool_waiting", "Jobs queued and not yet started.")
	m.jobWait = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tubeagency_job_queue_wait_seconds",
		Help: "Time jobs waited in the queue before a worker took them.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)})
	m.reg.MustRegister(m.jobWait)
	m.storeBytes = f.gaugeVec("tubeagency_store_bytes", "Local database file sizes.", "file")
	m.diskFree = f.gauge("tubeagency_data_disk_free_bytes", "Free bytes on the disk holding the data folder.")
	m.alertsActive = f.gauge("tubeagency_alerts_active", "Alerts raised and not yet resolved.")
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tubeagency_uptime_seconds", Help: "Seconds since the app started."},
		func() float64 { return now().Sub(start).Seconds() }))
	m.reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(collectors.NewGoCollector())
	for i, t := range []cache.Tier{cache.Miss, cache.L1, cache.L2} {
		m.tiers[i] = m.cacheLookups.WithLabelValues(t.String())
	}
	return m
}

type promFactory struct{ reg *prometheus.Registry }

func (f promFactory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f promFactory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f promFactory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f promFactory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

// provider returns the pre-resolved children of name, creating them once.
func (m *metrics) provider(name string) *provMetrics {
	m.mu.RLock()
	p := m.perProv[name]
	m.mu.RUnlock()
	if p != nil {
		return p
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p = m.perProv[name]; p != nil {
		return p
	}
	p = &provMetrics{byOutcome: make(map[string]prometheus.Counter, len(outcomes)), latency: m.latency.WithLabelValues(name)}
	for _, o := range outcomes {
		p.byOutcome[o] = m.requests.WithLabelValues(name, o)
	}
	m.perProv[name] = p
	return p
}

// breakerValue is the gauge value of a breaker state.
func breakerValue(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}
