package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/secrets"
	"tubeagency/app/settings"
	"tubeagency/internal/fswatch"
	"tubeagency/providers"
	"tubeagency/providers/anthropic"
	"tubeagency/providers/cache"
	"tubeagency/providers/localmodel"
	"tubeagency/providers/openai"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

// providerParts are the AI providers: settings, keys, the local templates,
// the response cache, daily quotas and the router over them.
type providerParts struct {
	settings  *settings.Store
	templates *templates.Provider
	cache     *cache.Cache
	quotas    *router.Quotas
	cooldowns *router.Cooldowns
	router    *router.Router

	settingsWatch  *fswatch.Watcher // nil when the folder could not be watched
	templatesWatch *fswatch.Watcher // likewise

	mu      sync.Mutex
	tplErrs []templates.FileError

	// local finds a model server on this machine (start and health checks).
	local *localmodel.Detector
}

// secretProvider is the key store name of a provider's API key.
func secretProvider(name string) string { return "provider/" + name }

// buildProviders opens the settings, the templates, the cache and the
// quota counts and builds the router, with the monitor as its observer.
// Nothing runs yet: startProviders starts the health checks and watchers.
func (rt *Runtime) buildProviders(ctx context.Context) error {
	p := &providerParts{}
	rt.providers = p
	var err error
	p.settings, err = settings.Open(rt.opts.DataDir, settings.Options{
		OnChange: func(st settings.Settings) {
			rt.applyProviderSettings()
			rt.applyRenderSettings(st)
			rt.emit(events.Settings, map[string]any{"area": "providers"})
		},
		OnError: func(error) {
			rt.emit(events.Settings, map[string]any{"area": "providers", "error": p.settingsError()})
		},
	})
	if err != nil {
		return fmt.Errorf("start providers: %w", err)
	}
	p.templates, err = templates.New(templates.Options{
		Dir: filepath.Join(rt.opts.DataDir, "templates"),
		Now: rt.opts.Now,
		OnReload: func(errs []templates.FileError) {
			p.mu.Lock()
			p.tplErrs = errs
			p.mu.Unlock()
			rt.emit(events.Settings, map[string]any{"area": "templates", "errors": errs})
		},
	})
	if err != nil {
		return fmt.Errorf("start providers: %w", err)
	}
	if err := p.templates.WriteExamples(); err != nil {
		rt.log.Warn("template examples not written", "err", err) // overrides still work without them
	}
	st := p.settings.Get()
	p.local = localmodel.NewDetector(localmodel.Options{Candidates: localCandidates(st), Now: rt.opts.Now,
		OnChange: func(localmodel.Status) {
			rt.applyProviderSettings() // on, first, with the model found; or back as configured
			rt.emit(events.Settings, map[string]any{"area": "providers"})
		}})
	p.cache, err = cache.Open(ctx, rt.store, cache.Options{Now: rt.opts.Now, MaxBytes: int64(st.Router.CacheMB) << 20})
	if err != nil {
		return fmt.Errorf("start providers: %w", err)
	}
	p.quotas, err = router.OpenQuotas(ctx, rt.store, rt.opts.Now)
	if err != nil {
		return fmt.Errorf("start providers: %w", err)
	}
	p.cooldowns, err = router.OpenCooldowns(ctx, rt.store, rt.opts.Now)
	if err != nil {
		return fmt.Errorf("start providers: %w", err)
	}
	tun := tuning(st.Router)
	p.router, err = router.New(router.Config{
		Providers:      rt.providerEntries(st),
		Fallback:       p.templates,
		Deadline:       tun.Deadline,
		HealthInterval: tun.HealthInterval,
		ChannelRPM:     tun.ChannelRPM,
		GlobalRPM:      tun.GlobalRPM,
		Cache:          p.cache,
		Quotas:         p.quotas,
		Cooldowns:      p.cooldowns,
		Observer:       rt.monitor,
		Logger:         rt.log,
		Now:            rt.opts.Now,
	})
	if err != nil {
		return fmt.Errorf("start providers: %w", err)
	}
	return nil
}

// startProviders starts the router's health checks and the watchers of
// settings.json and the templates folder.
func (rt *Runtime) startProviders() error {
	p := rt.providers
	p.router.Start(rt.ctx)
	// Now, then at every health interval: a model server started later
	// is found without a restart.
	p.local.Start(rt.ctx, tuning(p.settings.Get().Router).HealthInterval)
	var err error
	// The watch is in place before Start returns, so no hand edit made
	// after that is missed. Without it the app still works; edits then
	// apply at the next start.
	p.settingsWatch, err = p.settings.Watch(rt.ctx, 200*time.Millisecond, func(err error) {
		rt.log.Warn("settings watch", "err", err)
	})
	if err != nil {
		rt.log.Warn("settings are not watched for hand edits", "err", err)
	}
	// Its first reload runs here too, so its event goes out before Start
	// returns rather than at some moment after.
	p.templatesWatch, err = p.templates.Watch(rt.ctx, 200*time.Millisecond, func(err error) {
		rt.log.Warn("templates watch", "err", err)
	})
	if err != nil {
		rt.log.Warn("templates are not watched for edits", "err", err)
	}
	return nil
}

// stopProviders stops health checks and saves the quota counts.
func (rt *Runtime) stopProviders() {
	for _, w := range []*fswatch.Watcher{rt.providers.settingsWatch, rt.providers.templatesWatch} {
		if w != nil {
			w.Stop()
		}
	}
	rt.providers.router.Stop()
	rt.providers.local.Stop()
}

// Keys is the key store for API keys and tokens, opened on first use
// (probing the OS keyring can take a moment). Names are namespaced:
// "provider/<name>" for AI providers.
func (rt *Runtime) Keys() (*secrets.Store, error) {
	k := &rt.keys
	k.once.Do(func() {
		k.store, k.err = secrets.Open(rt.opts.DataDir, secrets.Options{Mode: k.mode})
	})
	return k.store, k.err
}

// keyStore opens the key store on first use. Its zero value is ready.
type keyStore struct {
	once  sync.Once
	store *secrets.Store
	err   error
	mode  string // "" probes the OS keyring; tests use "file"
}

// providerKey reads a provider's API key when a request needs it.
func (rt *Runtime) providerKey(name string, local bool) func() (string, error) {
	return func() (string, error) {
		ks, err := rt.Keys()
		if err != nil {
			return "", err
		}
		key, err := ks.Get(secretProvider(name))
		if local && errors.Is(err, secrets.ErrNotFound) {
			return "", nil // local servers need none
		}
		return key, err
	}
}

// providerClient builds the client of one provider's settings. A local
// server the app manages writes through whatever the detector found.
func (rt *Runtime) providerClient(ps settings.Provider) providers.Provider {
	key := rt.providerKey(ps.Name, ps.Local)
	if ps.Local && !ps.Manual && ps.Kind == settings.KindOpenAI && rt.providers.local != nil {
		return localmodel.NewProvider(localmodel.ProviderConfig{Name: ps.Name, BaseURL: ps.BaseURL, Model: ps.Model, Key: key, Now: rt.opts.Now},
			rt.providers.local)
	}
	if ps.Kind == settings.KindAnthropic {
		return anthropic.New(anthropic.Config{Name: ps.Name, BaseURL: ps.BaseURL, Model: ps.Model, Key: key, Now: rt.opts.Now})
	}
	return openai.New(openai.Config{Name: ps.Name, BaseURL: ps.BaseURL, Model: ps.Model, Key: key, Now: rt.opts.Now})
}

// providerEntries turns settings into the router's provider list. When the
// detector found a local model server, the local providers the app manages
// are switched on and go first.
func (rt *Runtime) providerEntries(st settings.Settings) []router.Entry {
	found := rt.providers.local != nil && rt.providers.local.Usable()
	out := make([]router.Entry, 0, len(st.Providers))
	var first []router.Entry
	for _, ps := range st.Providers {
		e := router.Entry{Provider: rt.providerClient(ps), Label: ps.Label, RPM: ps.RPM,
			DailyQuota: ps.DailyQuota, Offline: ps.Local, Disabled: !ps.Enabled}
		if found && ps.Local && !ps.Manual {
			e.Disabled = false
			first = append(first, e)
			continue
		}
		out = append(out, e)
	}
	return append(first, out...)
}

// localCandidates are where the detector looks: every local provider's
// address first (the user's own server wins), then the default addresses of
// Ollama and llama.cpp's server.
func localCandidates(st settings.Settings) []localmodel.Candidate {
	var c []localmodel.Candidate
	for _, ps := range st.Providers {
		if ps.Local && !ps.Manual {
			c = localmodel.WithCandidate(c, localmodel.CandidateFor(ps.BaseURL))
		}
	}
	for _, d := range localmodel.DefaultCandidates {
		c = localmodel.WithCandidate(c, d)
	}
	return c
}

// tuning turns the router settings into the router's tunables; zero
// values keep the router's defaults.
func tuning(rs settings.Router) router.Tuning {
	return router.Tuning{
		Deadline:       time.Duration(rs.DeadlineSeconds) * time.Second,
		HealthInterval: time.Duration(rs.HealthIntervalSeconds) * time.Second,
		ChannelRPM:     rs.ChannelRPM,
		GlobalRPM:      rs.GlobalRPM,
	}
}

// applyProviderSettings rebuilds the router's provider list and applies its
// timings and limits after the settings or a key changed. The cache's size
// cap (router.cache_mb) applies at the next start.
func (rt *Runtime) applyProviderSettings() {
	p := rt.providers
	st := p.settings.Get()
	p.local.SetCandidates(localCandidates(st))
	p.router.SetProviders(rt.providerEntries(st))
	p.router.Tune(tuning(st.Router))
	p.router.Wake()
}

// settingsError says why settings.json on disk is not in force, empty
// when it is.
func (p *providerParts) settingsError() string {
	if err := p.settings.LastError(); err != nil {
		return err.Error()
	}
	return ""
}

func (p *providerParts) templateErrors() []templates.FileError {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]templates.FileError(nil), p.tplErrs...)
}

// Generate is how every part of the app asks for text:
//
//	func (rt *Runtime) Generate(ctx context.Context, req providers.Request) (providers.Response, error)
//
// It goes through the provider router: cache, rate limits, the enabled
// providers in health and user order with retries and breakers, and the
// local templates when none can answer, within the router's deadline
// (20 s by default). Set req.Channel and req.Topic so the templates can
// answer offline, req.Background for work nobody waits for (it may wait
// for a rate-limit token), req.NoCache to regenerate, and req.OnDelta to
// receive streamed text. The response says which provider answered, after
// how many attempts, whether it came from the cache, and carries notes for
// the user (a rejected key, a spent quota). *Runtime therefore implements
// studio.Generator.
func (rt *Runtime) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	return rt.providers.router.Generate(ctx, req)
}

// ProviderSnapshots describe each configured provider for the
// Infrastructure panel: state, latency, success rate, quota, last error.
// They hold no secret.
func (rt *Runtime) ProviderSnapshots() []router.Snapshot {
	return rt.providers.router.Snapshots()
}

// QuotaExhausted reports whether no enabled remote provider has daily
// quota left, and when the quotas reset (the next midnight UTC). Providers
// without a daily quota never run out. The autopilot reads it through
// autopilot.QuotaFunc.
func (rt *Runtime) QuotaExhausted(ctx context.Context) (bool, time.Time, error) {
	now := rt.opts.Now().UTC()
	reset := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	remote := 0
	for _, s := range rt.providers.router.Snapshots() {
		if s.State == router.StateDisabled || s.State == router.StateMisconfigured || s.Offline {
			continue
		}
		remote++
		if s.QuotaLeft != 0 {
			return false, reset, nil
		}
	}
	return remote > 0, reset, nil
}

// providerProblems lists the broken template files and the settings file
// error, for Status.
func (rt *Runtime) providerProblems() ([]string, string) {
	out := []string{}
	if rt.providers == nil {
		return out, ""
	}
	for _, e := range rt.providers.templateErrors() {
		out = append(out, e.File+": "+e.Message)
	}
	return out, rt.providers.settingsError()
}
