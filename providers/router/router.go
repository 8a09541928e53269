// Package router sends each generation to the best provider that can
// answer, and falls back to the local templates when none can.
//
// For one request the router: answers from the cache unless the request
// says NoCache; applies the global and per-channel rate limits; walks the
// enabled providers in order of health score, then configured order,
// skipping those whose breaker is open, whose key was rejected, whose rate
// limit or daily quota is spent, or that need the internet while the
// network is down; tries each at most MaxAttempts times with exponential
// backoff and jitter (cenkalti/backoff/v5), waiting at least what a
// Retry-After header asks; falls through to the next provider on retryable
// errors; and, when the request-wide deadline is near or every provider
// failed, asks the fallback (the templates), which always answers.
package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"tubeagency/providers"
	"tubeagency/providers/cache"
)

// Defaults for Config's zero values.
const (
	DefaultDeadline         = 20 * time.Second
	DefaultMaxAttempts      = 3
	DefaultBackoffInitial   = 250 * time.Millisecond
	DefaultBackoffMax       = 4 * time.Second
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
	DefaultHealthInterval   = 30 * time.Second
	DefaultChannelRPM       = 100
	DefaultGlobalRPM        = 10_000
	DefaultFlushInterval    = 5 * time.Second
)

// Provider states in snapshots.
const (
	StateHealthy       = "healthy"
	StateDegraded      = "degraded"
	StateBreakerOpen   = "breaker_open"
	StateMisconfigured = "misconfigured"
	StateDisabled      = "disabled"
)

// Rate-limit scopes reported to the Observer.
const (
	ScopeGlobal   = "global"
	ScopeChannel  = "channel"
	ScopeProvider = "provider"
	ScopeQuota    = "daily_quota"
)

// ErrNoFallback is returned by New when Config.Fallback is nil.
var ErrNoFallback = errors.New("router: a fallback provider is required")

// Entry is one provider in the router.
type Entry struct {
	Provider providers.Provider
	// Label is the name shown to users ("Groq"). Empty means Provider.Name().
	Label string
	// RPM limits requests per minute. Zero means unlimited.
	RPM int
	// DailyQuota limits requests per UTC day. Zero means unlimited.
	DailyQuota int
	// Offline marks a provider that answers without the internet (a local
	// model server).
	Offline bool
	// Disabled keeps the provider out of routing; it still has a snapshot.
	Disabled bool
}

// Observer hears what the router does, for metrics. Every method must be
// cheap and must not block; the router calls them on the request path. A
// nil Observer is allowed.
type Observer interface {
	// Attempt reports one call to a provider and how it ended.
	Attempt(provider string, err error, latency time.Duration)
	// CacheLookup reports a cache lookup: cache.Miss, cache.L1 or cache.L2.
	CacheLookup(tier cache.Tier)
	// RateLimited reports a request held back by a limit (Scope*).
	RateLimited(provider, scope string)
	// BreakerChange reports a provider's breaker changing state.
	BreakerChange(provider string, from, to gobreaker.State)
}

// Config configures New. Zero values take the defaults named.
type Config struct {
	// Providers in preference order.
	Providers []Entry
	// Fallback answers when no provider can. Required.
	Fallback providers.Provider
	// Deadline bounds a whole request. Zero means DefaultDeadline.
	Deadline time.Duration
	// AttemptTimeout bounds one call to a provider, so one that hangs
	// leaves time for the next. Zero means half the Deadline.
	AttemptTimeout time.Duration
	// FallbackReserve is kept from the deadline for the fallback. Zero
	// means a tenth of the Deadline, at most 500 ms.
	FallbackReserve time.Duration
	// MaxAttempts per provider. Zero means DefaultMaxAttempts.
	MaxAttempts int
	// BackoffInitial and BackoffMax shape the exponential backoff between
	// attempts (jitter ±50%). Zero means the Default values.
	BackoffInitial, BackoffMax time.Duration
	// BreakerThreshold consecutive failures open a breaker; it half-opens
	// after BreakerCooldown. Zero means the Default values.
	BreakerThreshold uint32
	BreakerCooldown  time.Duration
	// HealthInterval is how often Start's loop checks providers. Zero
	// means DefaultHealthInterval.
	HealthInterval time.Duration
	// ChannelRPM and GlobalRPM are request-per-minute limits for one
	// channel and for everything. Zero means the Default values.
	ChannelRPM, GlobalRPM int
	// Cache, when set, answers repeated requests. Nil disables caching.
	Cache *cache.Cache
	// Quotas, when set, counts daily quotas persistently. Nil counts
	// nothing and applies no daily quota.
	Quotas *Quotas
	// Observer hears outcomes. Nil means nobody listens.
	Observer Observer
	// Logger receives diagnostics (never secrets). Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for limits and quotas. Nil means time.Now. The breakers
	// (sony/gobreaker/v2) keep real time.
	Now func() time.Time
	// Sleep waits d or until ctx ends. Nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// member is one provider's routing state.
type member struct {
	entry   Entry
	name    string
	order   int
	breaker *breaker
	limiter *rate.Limiter

	mu          sync.Mutex
	misconfig   string // the user-facing sentence, empty when fine
	lastErr     string
	lastErrAt   time.Time
	lastCheck   time.Time
	checkFailed bool
	netDown     bool
	lat         [256]time.Duration
	latN        int
	ok, failed  uint64
	recent      [8]bool // the last outcomes of calls and checks, for the health score
	recentN     int
}

// Router is safe for concurrent use.
type Router struct {
	cfg        Config
	log        *slog.Logger
	members    atomic.Pointer[[]*member]
	global     *rate.Limiter
	chMu       sync.Mutex
	channels   map[string]*rate.Limiter
	offline    atomic.Bool
	timings    atomic.Pointer[timing]
	channelRPM atomic.Int64
	retune     chan time.Duration       // a new health interval for the running loop
	obs        atomic.Pointer[Observer] // nil: nobody listens

	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}
}

// New builds a router.
func New(cfg Config) (*Router, error) {
	if cfg.Fallback == nil {
		return nil, ErrNoFallback
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BackoffInitial <= 0 {
		cfg.BackoffInitial = DefaultBackoffInitial
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = DefaultBackoffMax
	}
	if cfg.BreakerThreshold == 0 {
		cfg.BreakerThreshold = DefaultBreakerThreshold
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = DefaultBreakerCooldown
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	r := &Router{cfg: cfg, log: cfg.Logger, channels: map[string]*rate.Limiter{}, wake: make(chan struct{}, 1),
		retune: make(chan time.Duration, 1)}
	r.Tune(Tuning{Deadline: cfg.Deadline, AttemptTimeout: cfg.AttemptTimeout, FallbackReserve: cfg.FallbackReserve,
		HealthInterval: cfg.HealthInterval, ChannelRPM: cfg.ChannelRPM, GlobalRPM: cfg.GlobalRPM})
	if cfg.Observer != nil {
		r.SetObserver(cfg.Observer)
	}
	r.SetProviders(cfg.Providers)
	return r, nil
}

// Tuning are the settings that may change while the router runs. Zero
// values take the defaults Config documents.
type Tuning struct {
	Deadline, AttemptTimeout, FallbackReserve, HealthInterval time.Duration
	ChannelRPM, GlobalRPM                                     int
}

type timing struct {
	deadline, attempt, reserve, health time.Duration
}

func (r *Router) timing() *timing { return r.timings.Load() }

// Tune applies new timings and limits at once: later requests use the new
// deadline, the running health loop its new interval, and the global and
// channel limiters their new rates (tokens already in a bucket stay).
func (r *Router) Tune(t Tuning) {
	if t.Deadline <= 0 {
		t.Deadline = DefaultDeadline
	}
	if t.AttemptTimeout <= 0 {
		t.AttemptTimeout = t.Deadline / 2
	}
	if t.FallbackReserve <= 0 {
		t.FallbackReserve = min(t.Deadline/10, 500*time.Millisecond)
	}
	if t.HealthInterval <= 0 {
		t.HealthInterval = DefaultHealthInterval
	}
	if t.ChannelRPM <= 0 {
		t.ChannelRPM = DefaultChannelRPM
	}
	if t.GlobalRPM <= 0 {
		t.GlobalRPM = DefaultGlobalRPM
	}
	old := r.timings.Swap(&timing{deadline: t.Deadline, attempt: t.AttemptTimeout, reserve: t.FallbackReserve, health: t.HealthInterval})
	now := r.cfg.Now()
	if r.global == nil {
		r.global = rate.NewLimiter(perMinute(t.GlobalRPM), t.GlobalRPM) // starts full
	} else {
		r.global.SetLimitAt(now, perMinute(t.GlobalRPM))
		r.global.SetBurstAt(now, t.GlobalRPM)
	}
	r.channelRPM.Store(int64(t.ChannelRPM))
	r.chMu.Lock()
	for _, l := range r.channels {
		l.SetLimitAt(now, perMinute(t.ChannelRPM))
		l.SetBurstAt(now, t.ChannelRPM)
	}
	r.chMu.Unlock()
	if old != nil && old.health != t.HealthInterval {
		select {
		case r.retune <- t.HealthInterval:
		default: // a change is already waiting; the loop reads the newest timing
		}
	}
}

// SetObserver plugs in (or, with nil, removes) the Observer after New, so
// a metrics component started later can listen.
func (r *Router) SetObserver(o Observer) {
	if o == nil {
		r.obs.Store(nil)
		return
	}
	r.obs.Store(&o)
}

func (r *Router) observer() Observer {
	if p := r.obs.Load(); p != nil {
		return *p
	}
	return nil
}

func perMinute(n int) rate.Limit { return rate.Limit(float64(n) / 60) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SetProviders replaces the provider list (settings changed). Providers
// that keep their name keep their breaker, statistics and health; a
// rejected key is forgotten, since the key or settings may have changed.
func (r *Router) SetProviders(entries []Entry) {
	old := map[string]*member{}
	if cur := r.members.Load(); cur != nil {
		for _, m := range *cur {
			old[m.name] = m
		}
	}
	next := make([]*member, 0, len(entries))
	for i, e := range entries {
		name := e.Provider.Name()
		if e.Label == "" {
			e.Label = name
		}
		m := old[name]
		if m == nil {
			m = &member{name: name}
			m.breaker = newBreaker(name, r.cfg.BreakerThreshold, r.cfg.BreakerCooldown, func(from, to gobreaker.State) {
				if o := r.observer(); o != nil {
					o.BreakerChange(name, from, to)
				}
			})
		} else {
			// a fresh member, so requests in flight never see a half-updated
			// entry; it keeps the breaker, limiter, statistics and health
			m.mu.Lock()
			cp := &member{name: name, breaker: m.breaker, lat: m.lat, latN: m.latN, ok: m.ok, failed: m.failed,
				recent: m.recent, recentN: m.recentN, lastErr: m.lastErr, lastErrAt: m.lastErrAt, lastCheck: m.lastCheck,
				checkFailed: m.checkFailed, netDown: m.netDown, limiter: m.limiter}
			m.mu.Unlock()
			m = cp
		}
		m.entry, m.order = e, i
		if e.RPM > 0 {
			if m.limiter == nil || m.limiter.Burst() != e.RPM {
				m.limiter = rate.NewLimiter(perMinute(e.RPM), e.RPM)
			}
		} else {
			m.limiter = nil
		}
		next = append(next, m)
	}
	r.members.Store(&next)
	r.updateOnline()
}

// Online reports whether the router believes the internet is reachable.
func (r *Router) Online() bool { return !r.offline.Load() }

// Generate answers req. It always answers unless the fallback itself
// fails; err is then the fallback's error.
func (r *Router) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.timing().deadline)
	defer cancel()

	var key string
	if r.cfg.Cache != nil {
		key = CacheKey(req)
		if !req.NoCache {
			if resp, tier, ok := r.cached(ctx, key); ok {
				r.observeCache(tier)
				resp.Latency = time.Since(start)
				if req.OnDelta != nil {
					req.OnDelta(resp.Text)
				}
				return resp, nil
			}
			r.observeCache(cache.Miss)
		}
	}

	var notes []string
	attempts := 0
	first := true
	var streamed atomic.Bool // text went out through OnDelta since the last restart
	if req.OnDelta != nil {
		onDelta := req.OnDelta
		req.OnDelta = func(text string) { streamed.Store(true); onDelta(text) }
	}
	restart := func() {
		if streamed.Swap(false) && req.OnRestart != nil {
			req.OnRestart()
		}
	}
	now := r.cfg.Now()
	limited := r.admit(ctx, req, now)
	if limited != "" {
		notes = append(notes, limited)
	}
	if limited == "" {
		if r.offline.Load() && r.skipsRemote() {
			notes = append(notes, "The internet looks unreachable, so only providers that work offline were tried.")
		}
		for _, m := range r.order() {
			if ctx.Err() != nil || r.remaining(ctx) <= r.timing().reserve {
				break
			}
			resp, n, note, ok := r.try(ctx, m, req, restart)
			attempts += n
			if note != "" {
				notes = append(notes, note)
			}
			if ok {
				resp.Attempts = attempts
				resp.Fallback = !first
				resp.Notes = notes
				resp.Latency = time.Since(start)
				if r.cfg.Cache != nil {
					r.store(ctx, key, req.Task, resp)
				}
				return resp, nil
			}
			first = false // skipped or failed: whoever answers is not the first choice
		}
	}

	restart()
	// the fallback answers even when the request's deadline has passed
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), max(r.timing().reserve, time.Second))
	defer fcancel()
	t0 := time.Now()
	resp, err := r.cfg.Fallback.Generate(fctx, req)
	r.observeAttempt(r.cfg.Fallback.Name(), err, time.Since(t0))
	attempts++
	if err != nil {
		return providers.Response{}, fmt.Errorf("generate %s: %w", req.Task, err)
	}
	resp.Attempts = attempts
	resp.Fallback = true
	resp.Notes = notes
	resp.Latency = time.Since(start)
	return resp, nil
}

// skipsRemote reports whether an enabled provider needs the internet.
func (r *Router) skipsRemote() bool {
	for _, m := range *r.members.Load() {
		if !m.entry.Disabled && !m.entry.Offline {
			return true
		}
	}
	return false
}

// admit applies the global and channel limits. It returns a note when the
// request must go to the fallback.
func (r *Router) admit(ctx context.Context, req providers.Request, now time.Time) string {
	if !r.take(ctx, r.global, req.Background, now) {
		r.observeLimited("", ScopeGlobal)
		return "Too many requests right now, so local templates answered."
	}
	if req.Channel.ID != "" {
		r.chMu.Lock()
		lim := r.channels[req.Channel.ID]
		if lim == nil {
			rpm := int(r.channelRPM.Load())
			lim = rate.NewLimiter(perMinute(rpm), rpm)
			r.channels[req.Channel.ID] = lim
		}
		r.chMu.Unlock()
		if !r.take(ctx, lim, req.Background, now) {
			r.observeLimited("", ScopeChannel)
			return "This channel made too many requests this minute, so local templates answered."
		}
	}
	return ""
}

// take gets a token: at once for interactive requests, waiting within
// the deadline for background ones.
func (r *Router) take(ctx context.Context, lim *rate.Limiter, background bool, now time.Time) bool {
	if lim.AllowN(now, 1) {
		return true
	}
	if !background {
		return false
	}
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return false
	}
	delay := res.DelayFrom(now)
	if delay >= r.remaining(ctx)-r.timing().reserve {
		res.CancelAt(now)
		return false
	}
	if err := r.cfg.Sleep(ctx, delay); err != nil {
		res.CancelAt(now)
		return false
	}
	return true
}

func (r *Router) remaining(ctx context.Context) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return r.timing().deadline
	}
	return time.Until(dl)
}

// order is the routing order: enabled providers, online-capable ones only
// when online, best health score first, then configured order.
func (r *Router) order() []*member {
	all := *r.members.Load()
	out := make([]*member, 0, len(all))
	offline := r.offline.Load()
	for _, m := range all {
		if m.entry.Disabled || (offline && !m.entry.Offline) {
			continue
		}
		out = append(out, m)
	}
	if len(out) > 1 {
		scores := make(map[*member]int, len(out))
		for _, m := range out {
			scores[m] = m.scoreBucket()
		}
		sort.SliceStable(out, func(i, j int) bool { return scores[out[i]] > scores[out[j]] })
	}
	return out
}

// scoreBucket is the health score in three tiers, so small fluctuations
// never reorder providers: 2 when at least 6 of the last 8 calls and
// checks succeeded and the last check passed, 1 when at least 2 did, else
// 0. Within a tier the configured order decides. A provider that recovers
// climbs back as its checks (every HealthInterval) and calls succeed.
func (m *member) scoreBucket() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := min(m.recentN, len(m.recent))
	score := 1.0
	if n > 0 {
		good := 0
		for i := 0; i < n; i++ {
			if m.recent[i] {
				good++
			}
		}
		score = float64(good) / float64(n)
	}
	switch {
	case score >= 0.75 && !m.checkFailed:
		return 2
	case score >= 0.25:
		return 1
	default:
		return 0
	}
}

// try sends req to m, with retries. It returns the number of calls made,
// a note for the user, and whether it answered.
func (r *Router) try(ctx context.Context, m *member, req providers.Request, restart func()) (providers.Response, int, string, bool) {
	m.mu.Lock()
	misconfig := m.misconfig
	m.mu.Unlock()
	if misconfig != "" {
		return providers.Response{}, 0, misconfig, false // skipped, but the user hears why
	}
	if m.breaker.State() == gobreaker.StateOpen {
		return providers.Response{}, 0, "", false
	}
	bo := &backoff.ExponentialBackOff{InitialInterval: r.cfg.BackoffInitial, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: r.cfg.BackoffMax}
	bo.Reset()
	calls := 0
	for attempt := 1; attempt <= r.cfg.MaxAttempts; attempt++ {
		// each attempt is one request to the provider: the breaker must let
		// it through, and it needs a rate-limit token and counts against the
		// daily quota
		done, err := m.breaker.Allow()
		if err != nil {
			return providers.Response{}, calls, "", false
		}
		if m.limiter != nil && !r.take(ctx, m.limiter, req.Background, r.cfg.Now()) {
			done(false, false)
			r.observeLimited(m.name, ScopeProvider)
			return providers.Response{}, calls, "", false
		}
		if r.cfg.Quotas != nil && !r.cfg.Quotas.Take(m.name, m.entry.DailyQuota) {
			done(false, false)
			r.observeLimited(m.name, ScopeQuota)
			return providers.Response{}, calls, m.entry.Label + " used its daily quota, so another provider answered.", false
		}
		restart() // a failed attempt may have streamed part of its answer
		actx, cancel := context.WithTimeout(ctx, min(r.timing().attempt, r.remaining(ctx)-r.timing().reserve))
		t0 := time.Now()
		resp, err := m.entry.Provider.Generate(actx, req)
		lat := time.Since(t0)
		attemptTimedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		calls++
		r.observeAttempt(m.name, err, lat)
		if err == nil {
			done(true, true)
			m.record(true, lat, "", r.cfg.Now())
			r.markNetwork(m, false)
			resp.Provider = m.name
			return resp, calls, "", true
		}
		var pe *providers.Error
		isPE := errors.As(err, &pe)
		switch {
		case isPE && errors.Is(pe.Err, providers.ErrMisconfigured):
			done(false, false)
			msg := misconfiguredMessage(m.entry.Label, pe)
			m.mu.Lock()
			m.misconfig = msg
			m.mu.Unlock()
			m.record(false, lat, err.Error(), r.cfg.Now())
			r.log.Warn("provider misconfigured", "provider", m.name, "status", pe.Status)
			return providers.Response{}, calls, msg, false
		case ctx.Err() != nil: // the request's own deadline or the caller gave up
			done(false, false)
			return providers.Response{}, calls, "", false
		}
		done(false, true)
		m.record(false, lat, errText(err, attemptTimedOut), r.cfg.Now())
		if isPE && pe.Network {
			r.markNetwork(m, true)
		}
		// a hang tends to repeat, and an unreachable server (refused, no
		// route, no DNS) will not answer a retry either: let the next try
		if attemptTimedOut || (isPE && (!pe.Retryable || pe.Network)) {
			return providers.Response{}, calls, "", false
		}
		if attempt == r.cfg.MaxAttempts {
			break
		}
		wait := bo.NextBackOff()
		if isPE && pe.RetryAfter > wait {
			wait = pe.RetryAfter
		}
		if wait >= r.remaining(ctx)-r.timing().reserve {
			return providers.Response{}, calls, "", false
		}
		if r.cfg.Sleep(ctx, wait) != nil {
			return providers.Response{}, calls, "", false
		}
	}
	return providers.Response{}, calls, "", false
}

func errText(err error, timedOut bool) string {
	if timedOut {
		return "did not answer in time"
	}
	return err.Error()
}

func misconfiguredMessage(label string, pe *providers.Error) string {
	switch pe.Status {
	case 401, 403:
		return label + " rejected the API key: check Settings → Providers."
	case 404:
		return label + " does not know this model or address: check Settings → Providers."
	default:
		return label + " is not set up (" + pe.Message + "): check Settings → Providers."
	}
}

func (m *member) record(ok bool, lat time.Duration, errMsg string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recent[m.recentN%len(m.recent)] = ok
	m.recentN++
	if ok {
		m.ok++
		m.lat[m.latN%len(m.lat)] = lat
		m.latN++
		return
	}
	m.failed++
	m.lastErr, m.lastErrAt = errMsg, now
}

// markNetwork records whether m failed to reach its server; when every
// enabled provider that needs the internet did, the router goes offline.
func (r *Router) markNetwork(m *member, down bool) {
	m.mu.Lock()
	changed := m.netDown != down
	m.netDown = down
	m.mu.Unlock()
	if changed {
		r.updateOnline()
	}
}

func (r *Router) updateOnline() {
	remote, down := 0, 0
	for _, m := range *r.members.Load() {
		if m.entry.Disabled || m.entry.Offline {
			continue
		}
		remote++
		m.mu.Lock()
		if m.netDown {
			down++
		}
		m.mu.Unlock()
	}
	offline := remote > 0 && down == remote
	if r.offline.Swap(offline) != offline {
		r.log.Info("network state changed", "online", !offline)
	}
}

// CheckNow runs one health check of every enabled provider that can check
// itself, and returns each one's error (nil when it answered).
func (r *Router) CheckNow(ctx context.Context) map[string]error {
	out := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, m := range *r.members.Load() {
		hc, ok := m.entry.Provider.(providers.HealthChecker)
		if !ok || m.entry.Disabled {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := r.check(ctx, m, hc)
			mu.Lock()
			out[m.name] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.updateOnline()
	return out
}

// Check runs the health check of one provider by name.
func (r *Router) Check(ctx context.Context, name string) error {
	for _, m := range *r.members.Load() {
		if m.name != name {
			continue
		}
		hc, ok := m.entry.Provider.(providers.HealthChecker)
		if !ok {
			return nil
		}
		err := r.check(ctx, m, hc)
		r.updateOnline()
		return err
	}
	return fmt.Errorf("check %s: unknown provider", name)
}

func (r *Router) check(ctx context.Context, m *member, hc providers.HealthChecker) error {
	cctx, cancel := context.WithTimeout(ctx, min(5*time.Second, r.timing().deadline))
	defer cancel()
	err := hc.Check(cctx)
	now := r.cfg.Now()
	var pe *providers.Error
	isPE := errors.As(err, &pe)
	m.mu.Lock()
	m.lastCheck = now
	m.checkFailed = err != nil
	m.recent[m.recentN%len(m.recent)] = err == nil // checks count toward the health score
	m.recentN++
	m.netDown = isPE && pe.Network
	switch {
	case err == nil:
		m.misconfig = ""
	case isPE && errors.Is(pe.Err, providers.ErrMisconfigured):
		m.misconfig = misconfiguredMessage(m.entry.Label, pe)
		m.lastErr, m.lastErrAt = err.Error(), now
	default:
		m.lastErr, m.lastErrAt = err.Error(), now
	}
	m.mu.Unlock()
	return err
}

// Start runs health checks every HealthInterval and flushes quotas, until
// Stop. Wake asks for a check at once.
func (r *Router) Start(ctx context.Context) {
	ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		health := time.NewTicker(r.timing().health)
		defer health.Stop()
		flush := time.NewTicker(DefaultFlushInterval)
		defer flush.Stop()
		r.CheckNow(ctx)
		for {
			select {
			case <-ctx.Done():
				return
			case <-health.C:
				r.CheckNow(ctx)
				if r.cfg.Cache != nil {
					if _, err := r.cfg.Cache.Prune(ctx); err != nil && ctx.Err() == nil {
						r.log.Warn("cache prune", "err", err)
					}
				}
			case <-r.wake:
				r.CheckNow(ctx)
			case <-r.retune:
				health.Reset(r.timing().health)
			case <-flush.C:
				r.flush(ctx)
			}
		}
	}()
}

// Wake asks the background loop for a health check now.
func (r *Router) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stop ends the background loop and flushes quotas.
func (r *Router) Stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.flush(ctx)
}

func (r *Router) flush(ctx context.Context) {
	if r.cfg.Quotas == nil {
		return
	}
	if err := r.cfg.Quotas.Flush(ctx); err != nil && ctx.Err() == nil {
		r.log.Warn("quota flush", "err", err)
	}
}

// cachedAnswer is what the cache holds for a response.
type cachedAnswer struct {
	Text     string          `json:"text"`
	Provider string          `json:"provider"`
	Model    string          `json:"model"`
	Usage    providers.Usage `json:"usage"`
}

// CacheKey is the hash of the provider-independent parts of req.
func CacheKey(req providers.Request) string {
	ch := req.Channel
	return cache.Key(string(req.Task), req.System, req.User, strconv.Itoa(req.MaxTokens),
		strconv.FormatFloat(req.Temperature, 'g', -1, 64), ch.ID, ch.Niche, ch.Audience, ch.Language, ch.Format,
		req.Topic, strconv.FormatInt(req.Seed, 10))
}

// ClassOf is the cache TTL class of a task.
func ClassOf(task providers.Task) cache.Class {
	switch task {
	case providers.TaskTrends:
		return cache.ClassTrends
	case providers.TaskAnalytics:
		return cache.ClassAnalytics
	case providers.TaskChannelMeta:
		return cache.ClassChannelMeta
	default:
		return cache.ClassScripts
	}
}

func (r *Router) cached(ctx context.Context, key string) (providers.Response, cache.Tier, bool) {
	raw, tier, ok := r.cfg.Cache.Get(ctx, key)
	if !ok {
		return providers.Response{}, tier, false
	}
	var a cachedAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return providers.Response{}, cache.Miss, false
	}
	return providers.Response{Text: a.Text, Provider: a.Provider, Model: a.Model, Usage: a.Usage, Cached: true}, tier, true
}

func (r *Router) store(ctx context.Context, key string, task providers.Task, resp providers.Response) {
	raw, err := json.Marshal(cachedAnswer{Text: resp.Text, Provider: resp.Provider, Model: resp.Model, Usage: resp.Usage})
	if err != nil {
		return
	}
	if err := r.cfg.Cache.Set(context.WithoutCancel(ctx), key, ClassOf(task), raw); err != nil {
		r.log.Warn("cache store", "err", err)
	}
}

func (r *Router) observeAttempt(p string, err error, lat time.Duration) {
	if o := r.observer(); o != nil {
		o.Attempt(p, err, lat)
	}
}

func (r *Router) observeCache(t cache.Tier) {
	if o := r.observer(); o != nil {
		o.CacheLookup(t)
	}
}

func (r *Router) observeLimited(p, scope string) {
	if o := r.observer(); o != nil {
		o.RateLimited(p, scope)
	}
}
