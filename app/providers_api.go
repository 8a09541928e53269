package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"tubeagency/app/secrets"
	"tubeagency/app/settings"
	"tubeagency/internal/store"
	"tubeagency/providers"
	"tubeagency/providers/cache"
	"tubeagency/providers/localmodel"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

// ProviderView is one provider in Settings → Providers: its settings,
// whether a key is stored (shown masked), and its live state.
type ProviderView struct {
	settings.Provider
	HasKey   bool            `json:"has_key"`
	KeyHint  string          `json:"key_hint"` // "••••1a2b", empty when no key
	NeedsKey bool            `json:"needs_key"`
	Snapshot router.Snapshot `json:"snapshot"`
}

// ProvidersView is the whole Settings → Providers section.
type ProvidersView struct {
	Providers      []ProviderView        `json:"providers"` // in routing order
	KeyBackend     string                `json:"key_backend"`
	KeyWarning     string                `json:"key_warning"`
	KeyError       string                `json:"key_error"`
	Online         bool                  `json:"online"`
	SettingsFile   string                `json:"settings_file"`
	SettingsError  string                `json:"settings_error"`
	TemplatesDir   string                `json:"templates_dir"`
	TemplateErrors []templates.FileError `json:"template_errors"`
	Cache          cache.Stats           `json:"cache"`
	Router         settings.Router       `json:"router"`
	// LocalModel is the model server found on this machine, its models
	// (the recommended one first), and how to install one when none was.
	LocalModel localmodel.Status `json:"local_model"`
}

// ProviderInput is what Settings → Providers saves for one provider.
type ProviderInput struct {
	Name       string `json:"name"`
	Enabled    bool   `json:"enabled"`
	Model      string `json:"model"`
	BaseURL    string `json:"base_url"`
	RPM        int    `json:"rpm"`
	DailyQuota int    `json:"daily_quota"`
}

// ProviderTest is the result of "Test connection".
type ProviderTest struct {
	OK        bool    `json:"ok"`
	Message   string  `json:"message"`
	LatencyMs float64 `json:"latency_ms"`
}

// TitleOption is one generated title with its score.
type TitleOption struct {
	Title    string   `json:"title"`
	Score    float64  `json:"score"` // 0–100
	Features []string `json:"features"`
}

// TitlesResult is what "Quick titles" shows.
type TitlesResult struct {
	Options       []TitleOption `json:"options"`
	Provider      string        `json:"provider"`
	ProviderLabel string        `json:"provider_label"`
	Model         string        `json:"model"`
	Attempts      int           `json:"attempts"`
	Cached        bool          `json:"cached"`
	Fallback      bool          `json:"fallback"`
	Templates     bool          `json:"templates"` // the local templates answered
	Notes         []string      `json:"notes"`
	LatencyMs     float64       `json:"latency_ms"`
}

// ListProviders returns Settings → Providers.
func (a *App) ListProviders() (ProvidersView, error) {
	return a.rt.providersView(), nil
}

func (rt *Runtime) providersView() ProvidersView {
	p := rt.providers
	st := p.settings.Get()
	v := ProvidersView{Online: p.router.Online(), SettingsFile: p.settings.Path(), SettingsError: p.settingsError(),
		TemplatesDir: p.templates.Dir(), TemplateErrors: p.templateErrors(), Cache: p.cache.Stats(), Router: st.Router, LocalModel: p.local.Last()}
	if v.TemplateErrors == nil {
		v.TemplateErrors = []templates.FileError{}
	}
	ks, err := rt.Keys()
	if err != nil {
		v.KeyError = "The key store could not be opened: " + err.Error()
	} else {
		v.KeyBackend, v.KeyWarning = ks.Backend(), ks.Warning()
	}
	snaps := map[string]router.Snapshot{}
	for _, s := range p.router.Snapshots() {
		snaps[s.Name] = s
	}
	for _, ps := range st.Providers {
		pv := ProviderView{Provider: ps, NeedsKey: !ps.Local, Snapshot: snaps[ps.Name]}
		if ks != nil {
			if key, err := ks.Get(secretProvider(ps.Name)); err == nil {
				pv.HasKey, pv.KeyHint = true, maskKey(key)
			}
		}
		v.Providers = append(v.Providers, pv)
	}
	return v
}

// maskKey shows only the last four characters of a long key.
func maskKey(key string) string {
	if len(key) < 16 {
		return "••••"
	}
	return "••••" + key[len(key)-4:]
}

func (rt *Runtime) knownProvider(c *checker, name string) settings.Provider {
	ps, ok := rt.providers.settings.Get().Provider(name)
	if c.err == nil && !ok {
		c.fail("name", "is not a configured provider")
	}
	return ps
}

// SaveProvider saves one provider's model, address, limits and on/off.
func (a *App) SaveProvider(in ProviderInput) (ProvidersView, error) {
	in.Model = strings.TrimSpace(in.Model)
	in.BaseURL = strings.TrimSpace(in.BaseURL)
	var c checker
	a.rt.knownProvider(&c, in.Name)
	c.text("model", in.Model, 1, 200)
	c.number("rpm", float64(in.RPM), 0, 1_000_000)
	c.number("daily_quota", float64(in.DailyQuota), 0, 100_000_000)
	if err := c.check(); err != nil {
		return ProvidersView{}, err
	}
	if _, err := a.rt.providers.settings.Update(func(st *settings.Settings) error {
		for i := range st.Providers {
			if p := &st.Providers[i]; p.Name == in.Name {
				p.Enabled, p.Model, p.BaseURL, p.RPM, p.DailyQuota = in.Enabled, in.Model, in.BaseURL, in.RPM, in.DailyQuota
			}
		}
		return nil
	}); err != nil {
		return ProvidersView{}, fieldFromSettings(err)
	}
	return a.rt.providersView(), nil
}

// fieldFromSettings names the input field a settings error belongs to.
func fieldFromSettings(err error) error {
	var fe *settings.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	field := fe.Field
	if i := strings.LastIndex(field, "."); i >= 0 && (strings.HasPrefix(field, "providers[") || strings.HasPrefix(field, "router.")) {
		field = field[i+1:]
	}
	return &FieldError{Field: field, Message: fe.Message}
}

// SaveRouterSettings saves how the router behaves: the request deadline,
// the health-check interval, the per-channel and global limits (zero means
// the default) and the cache size, which applies at the next start.
func (a *App) SaveRouterSettings(in settings.Router) (ProvidersView, error) {
	var c checker
	c.number("deadline_seconds", float64(in.DeadlineSeconds), 0, 300)
	if c.err == nil && in.HealthIntervalSeconds != 0 && (in.HealthIntervalSeconds < 5 || in.HealthIntervalSeconds > 3600) {
		c.fail("health_interval_seconds", "must be 0 (every 30 seconds) or between 5 and 3600")
	}
	c.number("channel_rpm", float64(in.ChannelRPM), 0, 1_000_000)
	c.number("global_rpm", float64(in.GlobalRPM), 0, 10_000_000)
	c.number("cache_mb", float64(in.CacheMB), 0, 4096)
	if err := c.check(); err != nil {
		return ProvidersView{}, err
	}
	if _, err := a.rt.providers.settings.Update(func(st *settings.Settings) error {
		st.Router = in
		return nil
	}); err != nil {
		return ProvidersView{}, fieldFromSettings(err)
	}
	return a.rt.providersView(), nil
}

// SetProviderEnabled turns a provider on or off.
func (a *App) SetProviderEnabled(name string, enabled bool) (ProvidersView, error) {
	var c checker
	a.rt.knownProvider(&c, name)
	if err := c.check(); err != nil {
		return ProvidersView{}, err
	}
	if _, err := a.rt.providers.settings.Update(func(st *settings.Settings) error {
		for i := range st.Providers {
			if st.Providers[i].Name == name {
				st.Providers[i].Enabled = enabled
				st.Providers[i].Manual = st.Providers[i].Local // the user's choice now rules over detection
			}
		}
		return nil
	}); err != nil {
		return ProvidersView{}, fieldFromSettings(err)
	}
	return a.rt.providersView(), nil
}

// ReorderProviders sets the routing order; names must list every
// configured provider once.
func (a *App) ReorderProviders(names []string) (ProvidersView, error) {
	st := a.rt.providers.settings.Get()
	var c checker
	if len(names) != len(st.Providers) {
		c.fail("order", "must list each of the %d providers once", len(st.Providers))
	}
	byName := map[string]settings.Provider{}
	for _, p := range st.Providers {
		byName[p.Name] = p
	}
	seen := map[string]bool{}
	for _, n := range names {
		if _, ok := byName[n]; !ok || seen[n] {
			c.fail("order", "must list each of the %d providers once", len(st.Providers))
			break
		}
		seen[n] = true
	}
	if err := c.check(); err != nil {
		return ProvidersView{}, err
	}
	if _, err := a.rt.providers.settings.Update(func(st *settings.Settings) error {
		next := make([]settings.Provider, 0, len(names))
		for _, n := range names {
			next = append(next, byName[n])
		}
		st.Providers = next
		return nil
	}); err != nil {
		return ProvidersView{}, fieldFromSettings(err)
	}
	return a.rt.providersView(), nil
}

// SetProviderKey stores a provider's API key in the key store (never in
// the settings file or the database).
func (a *App) SetProviderKey(name, key string) (ProvidersView, error) {
	key = strings.TrimSpace(key)
	var c checker
	a.rt.knownProvider(&c, name)
	if c.err == nil {
		switch {
		case key == "":
			c.fail("key", "is required")
		case len(key) > secrets.MaxValueBytes:
			c.fail("key", "is too long to be an API key")
		case strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			c.fail("key", "must not contain spaces or line breaks")
		}
	}
	if err := c.check(); err != nil {
		return ProvidersView{}, err
	}
	ks, err := a.rt.Keys()
	if err != nil {
		return ProvidersView{}, fmt.Errorf("open the key store: %w", err)
	}
	if err := ks.Set(secretProvider(name), key); err != nil {
		return ProvidersView{}, fmt.Errorf("save the key: %w", err)
	}
	a.rt.applyProviderSettings() // forgets a rejected key
	return a.rt.providersView(), nil
}

// ClearProviderKey deletes a provider's API key.
func (a *App) ClearProviderKey(name string) (ProvidersView, error) {
	var c checker
	a.rt.knownProvider(&c, name)
	if err := c.check(); err != nil {
		return ProvidersView{}, err
	}
	ks, err := a.rt.Keys()
	if err != nil {
		return ProvidersView{}, fmt.Errorf("open the key store: %w", err)
	}
	if err := ks.Delete(secretProvider(name)); err != nil {
		return ProvidersView{}, fmt.Errorf("delete the key: %w", err)
	}
	a.rt.applyProviderSettings()
	return a.rt.providersView(), nil
}

// TestProvider checks one provider's address and key ("Test connection"),
// enabled or not, without generating.
func (a *App) TestProvider(name string) (ProviderTest, error) {
	var c checker
	ps := a.rt.knownProvider(&c, name)
	if err := c.check(); err != nil {
		return ProviderTest{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
	defer ccancel()
	client := a.rt.providerClient(ps)
	hc, ok := client.(providers.HealthChecker)
	if !ok {
		return ProviderTest{OK: true, Message: ps.Label + " has no connection to test."}, nil
	}
	start := time.Now()
	err := hc.Check(cctx)
	lat := float64(time.Since(start).Microseconds()) / 1000
	if err == nil {
		a.rt.providers.router.Wake()
		return ProviderTest{OK: true, Message: fmt.Sprintf("Connected to %s in %.0f ms.", ps.Label, lat), LatencyMs: lat}, nil
	}
	return ProviderTest{OK: false, Message: testMessage(ps, err), LatencyMs: lat}, nil
}

// testMessage is a sentence about a failed connection test.
func testMessage(ps settings.Provider, err error) string {
	var pe *providers.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s did not answer at %s within 10 seconds.", ps.Label, ps.BaseURL)
	case errors.As(err, &pe) && (pe.Status == 401 || pe.Status == 403):
		return ps.Label + " rejected the API key: paste a valid key and test again."
	case errors.As(err, &pe) && pe.Message == "no API key is set":
		return ps.Label + " needs an API key: paste it above and test again."
	case errors.As(err, &pe) && pe.Status == 404:
		return fmt.Sprintf("%s has no API at %s: check the base URL.", ps.Label, ps.BaseURL)
	case errors.As(err, &pe) && pe.Status != 0:
		return fmt.Sprintf("%s answered with an error (%d: %s). Try again later.", ps.Label, pe.Status, pe.Message)
	case errors.As(err, &pe):
		return fmt.Sprintf("Could not reach %s at %s: %s.", ps.Label, ps.BaseURL, pe.Message)
	default:
		return fmt.Sprintf("Could not reach %s: %v.", ps.Label, err)
	}
}

// GenerateTitles writes title options for a channel about a topic, scores
// them, and says which provider answered, after how many attempts, and
// whether the answer came from the cache. regenerate skips the cache.
func (a *App) GenerateTitles(channelID, topic string, regenerate bool) (TitlesResult, error) {
	topic = strings.TrimSpace(topic)
	var c checker
	c.text("channel_id", channelID, 1, 100)
	c.text("topic", topic, 1, 200)
	if err := c.check(); err != nil {
		return TitlesResult{}, err
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, a.rt.routerDeadline()+5*time.Second)
	defer cancel()
	ch, err := store.Get[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, channelID)
	if err != nil {
		return TitlesResult{}, notFound(err, "channel")
	}
	req := titlesRequest(ch, topic)
	req.NoCache = regenerate
	resp, err := a.rt.Generate(ctx, req)
	if err != nil {
		return TitlesResult{}, err
	}
	out := TitlesResult{Provider: resp.Provider, ProviderLabel: a.rt.providerLabel(resp.Provider), Model: resp.Model,
		Attempts: resp.Attempts, Cached: resp.Cached, Fallback: resp.Fallback, Templates: resp.Provider == templates.Name,
		Notes: resp.Notes, LatencyMs: float64(resp.Latency.Microseconds()) / 1000, Options: []TitleOption{}}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, t := range providers.Lines(resp.Text) {
		if len(out.Options) == 10 {
			break
		}
		opt := TitleOption{Title: t, Features: []string{}}
		if sc, err := a.rt.ScoreTitle(ctx, ch.ID, t, ""); err == nil {
			opt.Score = sc.Value
			for _, f := range sc.Features {
				opt.Features = append(opt.Features, f.Label)
			}
		}
		out.Options = append(out.Options, opt)
	}
	return out, nil
}

// titlesRequest asks for ten titles in the channel's language and format.
func titlesRequest(ch store.Channel, topic string) providers.Request {
	format := "long-form videos"
	if ch.Format == store.FormatShorts {
		format = "YouTube Shorts (vertical, under 60 seconds)"
	}
	audience := ch.Audience
	if audience == "" {
		audience = "a general audience"
	}
	return providers.Request{
		Task:   providers.TaskTitles,
		System: "You write YouTube video titles. Answer with one title per line and nothing else: no numbering, no quotes, no commentary.",
		User: fmt.Sprintf("Write 10 distinct titles for %s on the channel %q (niche: %s; audience: %s), about: %s. Write them in the language with code %q. Keep each under 70 characters.",
			format, ch.Name, ch.Niche, audience, topic, ch.Language),
		MaxTokens:   400,
		Temperature: 0.9,
		Channel: providers.Channel{ID: ch.ID, Name: ch.Name, Niche: ch.Niche, Audience: ch.Audience,
			Language: ch.Language, Format: ch.Format},
		Topic: topic,
	}
}

func (rt *Runtime) providerLabel(name string) string {
	if name == templates.Name {
		return "Local templates"
	}
	if ps, ok := rt.providers.settings.Get().Provider(name); ok {
		return ps.Label
	}
	return name
}

func (rt *Runtime) routerDeadline() time.Duration {
	if s := rt.providers.settings.Get().Router.DeadlineSeconds; s > 0 {
		return time.Duration(s) * time.Second
	}
	return router.DefaultDeadline
}
