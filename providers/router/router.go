// Package router sends each generation to the best provider that can
// answer, and falls back to the local templates when none can.
//
// For one request the router: answers from the cache unless the request
// says NoCache; applies the global and per-channel rate limits; walks the
// enabled providers, those that failed last (a call or a health check)
// after the others, then in configured order, skipping those whose breaker
// is open, whose key was rejected, that are in a cooldown they asked for
// (429 or 503 with Retry-After or rate-limit reset headers), whose rate
// limit or daily quota is spent, or that need the internet while the
// network is down; and, when the request-wide deadline is near or every
// provider failed, asks the fallback (the templates), which always answers
// and whose notes then say why in plain words.
//
// Each attempt has a first-byte budget derived from the provider's own
// first-byte times for that kind of task (three times their p95, within
// 1–8 s; 3 s before there are any) and must not go quiet for longer than
// that once it started: one that does is abandoned and demoted, and the
// next provider starts at once. For interactive requests a retryable
// failure moves on to the next provider at once and a failing provider is
// retried with backoff (cenkalti/backoff/v5) only when no other is left;
// background requests retry in place first, as the autopilot prefers an
// answer from its first provider. No request sleeps on a Retry-After while
// another provider can answer. Optionally (Config.Hedge) an interactive
// request starts the next provider when the first has used half its
// budget, and takes whichever starts answering first.
package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

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
	DefaultCheckTimeout     = 5 * time.Second
	// DefaultRateLimitCooldown is how long a provider rests after a 429
	// that named no time.
	DefaultRateLimitCooldown = 5 * time.Second
)

// Provider states in snapshots.
const (
	StateHealthy       = "healthy"
	StateDegraded      = "degraded"
	StateBreakerOpen   = "breaker_open"
	StateCooldown      = "cooldown"
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

// HedgeObserver is an Observer that also hears hedges. The router calls
// Hedge when a request's answer is in and a hedge ran: provider is the one
// started alongside a slow one, won whether its answer was taken.
type HedgeObserver interface {
	Hedge(provider string, won bool)
}

// Config configures New. Zero values take the defaults named.
type Config struct {
	// Providers in preference order.
	Providers []Entry
	// Fallback answers when no provider can. Required.
	Fallback providers.Provider
	// Deadline bounds a whole request. Zero means DefaultDeadline.
	Deadline time.Duration
	// AttemptTimeout bounds one call to a provider, its whole answer, so
	// one that hangs leaves time for the next. Zero means half the Deadline.
	AttemptTimeout time.Duration
	// FallbackReserve is kept from the deadline for the fallback. Zero
	// means a tenth of the Deadline, at most 500 ms.
	FallbackReserve time.Duration
	// MaxAttempts per provider and request. Zero means DefaultMaxAttempts.
	// An interactive request makes the second and later attempts only when
	// no other provider is left.
	MaxAttempts int
	// BackoffInitial and BackoffMax shape the exponential backoff between
	// attempts on one provider (jitter ±50%). Zero means the Default values.
	BackoffInitial, BackoffMax time.Duration
	// BudgetMin and BudgetMax clamp an attempt's first-byte budget, and
	// BudgetFactor times the provider's p95 first-byte time for the kind
	// of task is the budget within them; BudgetInitial is the budget
	// before a provider has answered that kind of task (one blown then
	// counts as its first time, so the next budget is longer). The last
	// provider before the templates gets BudgetMax, since a late answer
	// beats a template. Zero means DefaultBudgetMin (1 s), DefaultBudgetMax (8 s),
	// DefaultBudgetFactor (3) and DefaultBudgetInitial (3 s).
	BudgetMin, BudgetMax, BudgetInitial time.Duration
	BudgetFactor                        float64
	// Hedge, for interactive requests, starts the next provider when an
	// attempt has used half its first-byte budget without a byte, takes
	// whichever starts answering first and cancels the other. It costs a
	// second provider's request (and quota) whenever the first is slow.
	// False means no hedging.
	Hedge bool
	// RateLimitCooldown is how long a provider gets no interactive request
	// after a 429 that named no time. Zero means DefaultRateLimitCooldown.
	RateLimitCooldown time.Duration
	// Cooldowns, when set, persists cooldowns so a restart keeps them. Nil
	// keeps them in memory only.
	Cooldowns *Cooldowns
	// CheckTimeout bounds one health check, the model list read whole
	// included. Zero means DefaultCheckTimeout, at most the Deadline.
	CheckTimeout time.Duration
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
	// Now is the clock for limits, quotas and cooldowns. Nil means
	// time.Now. Budgets and breakers (sony/gobreaker/v2) keep real,
	// monotonic time (virtual inside a testing/synctest bubble).
	Now func() time.Time
	// Sleep waits d or until ctx ends. Nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// member is one provider in the current list: its entry and limiter, and
// its health, which outlives list changes.
type member struct {
	*health
	entry   Entry
	name    string
	order   int
	limiter *rate.Limiter
}

// health is what the router learned about one provider. SetProviders
// hands it on to the provider's next member, so requests in flight and
// later ones share it.
type health struct {
	breaker   *breaker
	demoted   atomic.Bool // the last call or check failed: tried after the others
	hedges    atomic.Uint64
	hedgesWon atomic.Uint64

	mu          sync.Mutex
	misconfig   string // the user-facing sentence, empty when fine
	lastErr     string
	lastErrAt   time.Time
	lastCheck   time.Time
	checkFailed bool
	netDown     bool
	lat         [256]time.Duration
	latN        int
	ok, failedN uint64
	ttfb        map[kind]*samples
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
	budgets    budgeter
	cooldowns  *Cooldowns

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
	if cfg.BudgetMin <= 0 {
		cfg.BudgetMin = DefaultBudgetMin
	}
	if cfg.BudgetMax <= 0 {
		cfg.BudgetMax = max(DefaultBudgetMax, cfg.BudgetMin)
	}
	if cfg.BudgetInitial <= 0 {
		cfg.BudgetInitial = min(max(DefaultBudgetInitial, cfg.BudgetMin), cfg.BudgetMax)
	}
	if cfg.BudgetFactor <= 0 {
		cfg.BudgetFactor = DefaultBudgetFactor
	}
	if cfg.RateLimitCooldown <= 0 {
		cfg.RateLimitCooldown = DefaultRateLimitCooldown
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = DefaultCheckTimeout
	}
	r := &Router{cfg: cfg, log: cfg.Logger, channels: map[string]*rate.Limiter{}, wake: make(chan struct{}, 1),
		retune: make(chan time.Duration, 1), cooldowns: cfg.Cooldowns,
		budgets: budgeter{min: cfg.BudgetMin, max: cfg.BudgetMax, initial: cfg.BudgetInitial, factor: cfg.BudgetFactor}}
	if r.cooldowns == nil {
		r.cooldowns = newCooldowns(cfg.Now)
	}
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
// that keep their name keep their breaker, statistics, budgets and health;
// a rejected key is forgotten, since the key or settings may have changed.
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
		// a fresh member, so requests in flight never see a half-updated
		// entry; it shares the health of the one it replaces
		m := &member{name: name, entry: e, order: i}
		if prev := old[name]; prev != nil {
			m.health, m.limiter = prev.health, prev.limiter
			m.mu.Lock()
			m.misconfig = ""
			m.mu.Unlock()
		} else {
			m.health = &health{ttfb: map[kind]*samples{}}
			m.breaker = newBreaker(name, r.cfg.BreakerThreshold, r.cfg.BreakerCooldown, func(from, to gobreaker.State) {
				if o := r.observer(); o != nil {
					o.BreakerChange(name, from, to)
				}
			})
		}
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
	tm := r.timing()
	ctx, cancel := context.WithTimeout(ctx, tm.deadline)
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

	g := &run{r: r, req: req, tm: tm, now: r.cfg.Now(), k: kind{task: req.Task, stream: req.OnDelta != nil}}
	if req.OnDelta != nil {
		g.stream = &stream{onDelta: req.OnDelta, onRestart: req.OnRestart}
	}
	if limited := r.admit(ctx, req, g.now); limited != "" {
		g.notes = append(g.notes, limited)
	} else {
		if r.offline.Load() && r.skipsRemote() {
			g.notes = append(g.notes, "The internet looks unreachable, so only providers that work offline were tried.")
		}
		if resp, ok := g.walk(ctx, r.order()); ok {
			resp.Attempts = g.calls
			resp.Notes = answeredNotes(g.notes, g.whys)
			resp.Latency = time.Since(start)
			if r.cfg.Cache != nil {
				r.store(ctx, key, req.Task, resp)
			}
			return resp, nil
		}
	}

	// the fallback answers even when the request's deadline has passed
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), max(tm.reserve, time.Second))
	defer fcancel()
	freq := req
	freq.OnRestart = nil
	var tpl *attempt
	if s := g.stream; s != nil {
		tpl = &attempt{name: r.cfg.Fallback.Name(), label: templatesLabel}
		s.handover(tpl)
		freq.OnDelta = func(text string) { s.delta(tpl, text) }
	}
	t0 := time.Now()
	resp, err := r.cfg.Fallback.Generate(fctx, freq)
	r.observeAttempt(r.cfg.Fallback.Name(), err, time.Since(t0))
	g.calls++
	if err != nil {
		return providers.Response{}, fmt.Errorf("generate %s: %w", req.Task, err)
	}
	if tpl != nil {
		g.stream.answered(tpl)
	}
	resp.Attempts = g.calls
	resp.Fallback = true
	resp.Notes = fallbackNotes(g.notes, g.whys)
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
// when online; those whose last call or health check failed after the
// others; then configured order.
func (r *Router) order() []*member {
	all := *r.members.Load()
	out := make([]*member, 0, len(all))
	offline := r.offline.Load()
	demoted := 0
	for _, m := range all {
		if m.entry.Disabled || (offline && !m.entry.Offline) {
			continue
		}
		if m.demoted.Load() {
			demoted++
			continue
		}
		out = append(out, m)
	}
	if demoted > 0 {
		for _, m := range all {
			if !m.entry.Disabled && (!offline || m.entry.Offline) && m.demoted.Load() {
				out = append(out, m)
			}
		}
	}
	return out
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

// succeeded records an answer: its latency and first-byte time, and the
// provider's rank back.
func (m *member) succeeded(k kind, lat, ttfb time.Duration) {
	m.mu.Lock()
	m.ok++
	m.lat[m.latN%len(m.lat)] = lat
	m.latN++
	s := m.ttfb[k]
	if s == nil {
		s = &samples{}
		m.ttfb[k] = s
	}
	s.add(ttfb)
	m.mu.Unlock()
	m.demoted.Store(false)
}

// slowFirst records that m did not start answering k within budget. Before
// m has answered k at all, that budget counts as its first time, so m
// gets a longer budget next time (up to BudgetMax): a model slower than
// the initial budget is not shut out for good. Once m has times of its
// own, a budget blown is a failure only.
func (m *member) slowFirst(k kind, budget time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ttfb[k] != nil {
		return
	}
	s := &samples{}
	s.add(budget)
	m.ttfb[k] = s
}

// failed records a failure; demote puts the provider after the others
// until a call or a health check succeeds.
func (m *member) failed(errMsg string, now time.Time, demote bool) {
	m.mu.Lock()
	m.failedN++
	m.lastErr, m.lastErrAt = errMsg, now
	m.mu.Unlock()
	if demote {
		m.demoted.Store(true)
	}
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

// check runs m's health check. A pass after failures restores m's rank at
// once and, when its breaker is open, half-opens it so the next request is
// its trial; a failure puts m after the others.
func (r *Router) check(ctx context.Context, m *member, hc providers.HealthChecker) error {
	cctx, cancel := context.WithTimeout(ctx, min(r.cfg.CheckTimeout, r.timing().deadline))
	defer cancel()
	err := hc.Check(cctx)
	if ctx.Err() != nil { // the router is stopping: the check says nothing
		return err
	}
	now := r.cfg.Now()
	var pe *providers.Error
	isPE := errors.As(err, &pe)
	m.mu.Lock()
	m.lastCheck = now
	m.checkFailed = err != nil
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
	m.demoted.Store(err != nil)
	if err == nil && m.breaker.Probe() {
		r.log.Info("provider passed its health check: its breaker half-opens for a trial", "provider", m.name)
	}
	return err
}

// Start runs health checks every HealthInterval and flushes quotas and
// cooldowns, until Stop. Wake asks for a check at once.
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

// Stop ends the background loop and flushes quotas and cooldowns.
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
	if err := r.cooldowns.Flush(ctx); err != nil && ctx.Err() == nil {
		r.log.Warn("cooldown flush", "err", err)
	}
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

func (r *Router) observeHedge(p string, won bool) {
	if h, ok := r.observer().(HedgeObserver); ok {
		h.Hedge(p, won)
	}
}

func (r *Router) observeLimited(p, scope string) {
	if o := r.observer(); o != nil {
		o.RateLimited(p, scope)
	}
}
