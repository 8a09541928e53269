package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/app/settings"
	"tubeagency/providers/fake"
)

const testGroqKey = "gsk_live_SECRET_app_test_0001"
const testClaudeKey = "sk-ant-api03-SECRET-app-test-0002"

// providersTest starts a runtime whose keys go to the file store and
// whose log is captured, with one channel.
func providersTest(t *testing.T) (*Runtime, *App, string, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	rt, err := Start(context.Background(), Options{DataDir: t.TempDir(), Mode: "test",
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	rt.keys.mode = "file"
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	return rt, a, ch.ID, &logs
}

func TestProviderSettingsValidateAndPersist(t *testing.T) {
	rt, a, _, _ := providersTest(t)
	v, err := a.ListProviders()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Providers) != 6 || v.Providers[0].Name != "groq" || v.Providers[0].Enabled || v.Providers[0].HasKey || v.KeyBackend != "file" {
		t.Fatalf("initial view = %+v", v)
	}
	settingsBefore, _ := os.ReadFile(rt.providers.settings.Path())
	bad := []struct {
		name  string
		call  func() error
		field string
	}{
		{"unknown provider", func() error {
			_, err := a.SaveProvider(ProviderInput{Name: "gemini", Model: "m", BaseURL: "https://x.example"})
			return err
		}, "name"},
		{"empty model", func() error {
			_, err := a.SaveProvider(ProviderInput{Name: "groq", Model: " ", BaseURL: "https://api.groq.com/openai/v1"})
			return err
		}, "model"},
		{"bad url", func() error {
			_, err := a.SaveProvider(ProviderInput{Name: "groq", Model: "m", BaseURL: "api.groq.com"})
			return err
		}, "base_url"},
		{"negative rpm", func() error {
			_, err := a.SaveProvider(ProviderInput{Name: "groq", Model: "m", BaseURL: "https://x.example", RPM: -1})
			return err
		}, "rpm"},
		{"quota", func() error {
			_, err := a.SaveProvider(ProviderInput{Name: "groq", Model: "m", BaseURL: "https://x.example", DailyQuota: -2})
			return err
		}, "daily_quota"},
		{"reorder short", func() error { _, err := a.ReorderProviders([]string{"groq"}); return err }, "order"},
		{"reorder twice", func() error {
			_, err := a.ReorderProviders([]string{"groq", "groq", "openai", "together", "anthropic", "local"})
			return err
		}, "order"},
		{"empty key", func() error { _, err := a.SetProviderKey("groq", "  "); return err }, "key"},
		{"key with space", func() error { _, err := a.SetProviderKey("groq", "gsk abc"); return err }, "key"},
		{"key for unknown", func() error { _, err := a.SetProviderKey("nope", "k"); return err }, "name"},
		{"enable unknown", func() error { _, err := a.SetProviderEnabled("nope", true); return err }, "name"},
		{"test unknown", func() error { _, err := a.TestProvider("nope"); return err }, "name"},
	}
	for _, sc := range bad {
		t.Run(sc.name, func(t *testing.T) {
			if f := fieldOf(sc.call()); f != sc.field {
				t.Fatalf("field = %q, want %q", f, sc.field)
			}
		})
	}
	settingsAfter, _ := os.ReadFile(rt.providers.settings.Path())
	if !bytes.Equal(settingsBefore, settingsAfter) {
		t.Fatal("rejected input changed settings.json")
	}
	if _, err := os.Stat(filepath.Join(rt.opts.DataDir, "secrets.json")); !os.IsNotExist(err) {
		t.Fatal("rejected key written")
	}

	if _, err := a.SaveProvider(ProviderInput{Name: "local", Enabled: true, Model: "qwen2.5", BaseURL: "http://127.0.0.1:8080/v1"}); err != nil {
		t.Fatal(err)
	}
	v, err = a.ReorderProviders([]string{"local", "anthropic", "groq", "github", "openai", "together"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Providers[0].Name != "local" || !v.Providers[0].Enabled || v.Providers[0].Model != "qwen2.5" || v.Providers[0].NeedsKey {
		t.Fatalf("after save and reorder: %+v", v.Providers[0])
	}
	if s := rt.ProviderSnapshots(); s[0].Name != "local" || s[0].State == "disabled" || s[1].State != "disabled" {
		t.Fatalf("router not updated: %+v", s[:2])
	}
	raw, _ := os.ReadFile(rt.providers.settings.Path())
	if !strings.Contains(string(raw), `"qwen2.5"`) || strings.Index(string(raw), `"local"`) > strings.Index(string(raw), `"groq"`) {
		t.Fatalf("settings.json not saved in order:\n%s", raw)
	}
	if v, err = a.SetProviderEnabled("local", false); err != nil || v.Providers[0].Enabled {
		t.Fatalf("disable: %v %+v", err, v.Providers[0])
	}
}

func TestProviderKeysStayOutOfSettingsDatabaseAndLogs(t *testing.T) {
	rt, a, chID, logs := providersTest(t)
	srv := fake.New(fake.OpenAI, "Title")
	defer srv.Close()
	srv.Fail(fake.Status401)
	srv.EchoKey()
	if _, err := a.SaveProvider(ProviderInput{Name: "groq", Enabled: true, Model: "llama", BaseURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	v, err := a.SetProviderKey("groq", testGroqKey)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Providers[0].HasKey || v.Providers[0].KeyHint != "••••0001" {
		t.Fatalf("key view = %+v", v.Providers[0])
	}
	res, err := a.GenerateTitles(chID, "sourdough", false)
	if err != nil {
		t.Fatal(err)
	}
	test, err := a.TestProvider("groq")
	if err != nil {
		t.Fatal(err)
	}
	if test.OK || !strings.Contains(test.Message, "rejected the API key") {
		t.Fatalf("test = %+v", test)
	}
	if srv.LastKey() != testGroqKey {
		t.Fatal("the stored key was not sent")
	}
	status, _ := a.Status()
	rt.providers.router.Stop() // flush quota counts to the database
	var texts []string
	for _, x := range []any{v, res, test, status, rt.ProviderSnapshots()} {
		b, _ := json.Marshal(x)
		texts = append(texts, string(b))
	}
	texts = append(texts, logs.String())
	for _, f := range []string{rt.providers.settings.Path(), rt.store.Path(), rt.store.Path() + "-wal"} {
		b, _ := os.ReadFile(f)
		texts = append(texts, string(b))
	}
	if !strings.Contains(texts[1], "rejected the API key") {
		t.Fatalf("nothing told the user: %s", texts[1])
	}
	for i, s := range texts {
		if strings.Contains(s, testGroqKey) || strings.Contains(s, "SECRET") {
			t.Fatalf("text %d leaks the key", i)
		}
	}
	if _, err := a.ClearProviderKey("groq"); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.ListProviders(); v.Providers[0].HasKey {
		t.Fatal("key still listed after clearing")
	}
}

func TestGenerateTitlesFallbackCacheAndRegenerate(t *testing.T) {
	rt, a, chID, _ := providersTest(t)
	if f := fieldOf(func() error { _, err := a.GenerateTitles(chID, " ", false); return err }()); f != "topic" {
		t.Fatalf("empty topic field = %q", f)
	}
	if _, err := a.GenerateTitles("no-such-channel", "bread", false); FormatError(err).Code != CodeNotFound {
		t.Fatalf("unknown channel: %v", err)
	}
	claude := fake.New(fake.Anthropic, "x")
	defer claude.Close()
	claude.Fail(fake.Status503)
	for _, in := range []ProviderInput{
		{Name: "groq", Enabled: true, Model: "llama", BaseURL: fake.RefusedURL()},
		{Name: "anthropic", Enabled: true, Model: "haiku", BaseURL: claude.URL},
	} {
		if _, err := a.SaveProvider(in); err != nil {
			t.Fatal(err)
		}
	}
	for name, key := range map[string]string{"groq": testGroqKey, "anthropic": testClaudeKey} {
		if _, err := a.SetProviderKey(name, key); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	res, err := a.GenerateTitles(chID, "sourdough starter", false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Templates || res.Provider != "templates" || res.ProviderLabel != "Local templates" || res.Cached || len(res.Options) < 5 {
		t.Fatalf("unreachable providers: %+v", res)
	}
	if res.Attempts < 3 || time.Since(start) > 25*time.Second {
		t.Fatalf("attempts %d after %v", res.Attempts, time.Since(start))
	}
	for _, o := range res.Options {
		if o.Title == "" || o.Score < 0 || o.Score > 100 {
			t.Fatalf("option %+v", o)
		}
	}

	good := fake.New(fake.OpenAI, "1. Sourdough Starter in 5 Days\n2. \"Why My Starter Died\"\n3. Starter Myths, Tested")
	defer good.Close()
	if _, err := a.SaveProvider(ProviderInput{Name: "groq", Enabled: true, Model: "llama", BaseURL: good.URL}); err != nil {
		t.Fatal(err)
	}
	res, err = a.GenerateTitles(chID, "sourdough starter", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Provider != "groq" || res.ProviderLabel != "Groq" || res.Cached || res.Attempts != 1 || len(res.Options) != 3 || res.Options[1].Title != "Why My Starter Died" {
		t.Fatalf("healthy groq: %+v", res)
	}
	res, _ = a.GenerateTitles(chID, "sourdough starter", false)
	if !res.Cached || res.Provider != "groq" || res.Attempts != 0 || good.Calls() != 1 {
		t.Fatalf("second call not cached: %+v, calls %d", res, good.Calls())
	}
	res, _ = a.GenerateTitles(chID, "sourdough starter", true)
	if res.Cached || good.Calls() != 2 {
		t.Fatalf("regenerate served from cache: %+v", res)
	}
	if rt.providers.cache.Stats().L1Hits != 1 {
		t.Fatalf("cache stats = %+v", rt.providers.cache.Stats())
	}
}

func TestTestProviderMessages(t *testing.T) {
	_, a, _, _ := providersTest(t)
	srv := fake.New(fake.OpenAI, "x")
	defer srv.Close()
	if _, err := a.SaveProvider(ProviderInput{Name: "local", Model: "m", BaseURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	res, err := a.TestProvider("local")
	if err != nil || !res.OK || !strings.HasPrefix(res.Message, "Connected to Local model server") {
		t.Fatalf("healthy: %+v %v", res, err)
	}
	if _, err := a.SaveProvider(ProviderInput{Name: "openai", Model: "m", BaseURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if res, _ := a.TestProvider("openai"); res.OK || !strings.Contains(res.Message, "needs an API key") {
		t.Fatalf("no key: %+v", res)
	}
	if _, err := a.SaveProvider(ProviderInput{Name: "local", Model: "m", BaseURL: fake.RefusedURL()}); err != nil {
		t.Fatal(err)
	}
	if res, _ := a.TestProvider("local"); res.OK || !strings.Contains(res.Message, "Could not reach Local model server") {
		t.Fatalf("refused: %+v", res)
	}
}

func TestStatusReportsBrokenTemplates(t *testing.T) {
	rt, a, _, _ := providersTest(t)
	dir := filepath.Join(rt.opts.DataDir, "templates")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "titles.tmpl"), []byte("{{ .Nope "), 0o600); err != nil {
		t.Fatal(err)
	}
	rt.providers.templates.Reload()
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.TemplateErrors) != 1 || !strings.HasPrefix(st.TemplateErrors[0], "titles.tmpl: ") {
		t.Fatalf("status template errors = %q", st.TemplateErrors)
	}
	v, _ := a.ListProviders()
	if len(v.TemplateErrors) != 1 {
		t.Fatalf("providers view template errors = %+v", v.TemplateErrors)
	}
}

func TestHandEditedSettingsReachTheRouter(t *testing.T) {
	rt, a, _, _ := providersTest(t)
	evs, stop := rt.Hub().Subscribe(16)
	defer stop()
	raw, err := os.ReadFile(rt.providers.settings.Path())
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	local := st["providers"].([]any)[5].(map[string]any)
	local["enabled"] = true
	local["model"] = "hand-edited"
	st["router"].(map[string]any)["channel_rpm"] = 7
	out, _ := json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(rt.providers.settings.Path(), out, 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-evs:
			if ev.Name != "settings" {
				continue
			}
			v, _ := a.ListProviders()
			if v.Providers[5].Model != "hand-edited" || !v.Providers[5].Enabled || v.Providers[5].Snapshot.State == "disabled" {
				t.Fatalf("after reload: %+v", v.Providers[5])
			}
			if err := os.WriteFile(rt.providers.settings.Path(), []byte(`{"version": 1, "providers": [`), 0o600); err != nil {
				t.Fatal(err)
			}
			for {
				select {
				case ev := <-evs:
					if ev.Name != "settings" {
						continue
					}
					st, _ := a.Status()
					v, _ := a.ListProviders()
					if st.SettingsError == "" || v.SettingsError == "" || v.Providers[5].Model != "hand-edited" {
						t.Fatalf("broken edit: status %q, view %q, model %q", st.SettingsError, v.SettingsError, v.Providers[5].Model)
					}
					// saving from the app writes the settings in force over the broken file
					v, err := a.SetProviderEnabled("groq", false)
					if err != nil || v.SettingsError != "" {
						t.Fatalf("after saving: %v, error %q", err, v.SettingsError)
					}
					raw, _ := os.ReadFile(rt.providers.settings.Path())
					if !strings.Contains(string(raw), "hand-edited") {
						t.Fatal("the saved file lost the last good settings")
					}
					return
				case <-deadline:
					t.Fatal("broken edit not reported")
				}
			}
		case <-deadline:
			t.Fatal("hand edit not applied within 10 s")
		}
	}
}

func TestQuotaExhaustedForAutopilot(t *testing.T) {
	rt, a, chID, _ := providersTest(t)
	ctx := context.Background()
	if done, _, err := rt.QuotaExhausted(ctx); err != nil || done {
		t.Fatalf("no remote provider enabled: exhausted=%v err=%v", done, err)
	}
	srv := fake.New(fake.OpenAI, "Title one\nTitle two")
	defer srv.Close()
	if _, err := a.SaveProvider(ProviderInput{Name: "groq", Enabled: true, Model: "llama", BaseURL: srv.URL, DailyQuota: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetProviderKey("groq", testGroqKey); err != nil {
		t.Fatal(err)
	}
	if done, _, _ := rt.QuotaExhausted(ctx); done {
		t.Fatal("exhausted before any request")
	}
	if res, err := a.GenerateTitles(chID, "rye", false); err != nil || res.Provider != "groq" {
		t.Fatalf("%+v %v", res, err)
	}
	done, reset, err := autopilot.QuotaFunc(rt.QuotaExhausted).Exhausted(ctx) // as the autopilot sees it
	now := time.Now().UTC()
	if err != nil || !done || !reset.After(now) || reset.Sub(now) > 24*time.Hour || reset.Hour() != 0 {
		t.Fatalf("after the one allowed request: exhausted=%v reset=%v err=%v", done, reset, err)
	}
	// a second provider without a daily cap keeps the autopilot going
	if _, err := a.SaveProvider(ProviderInput{Name: "openai", Enabled: true, Model: "m", BaseURL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetProviderKey("openai", "sk-test-0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if done, _, _ := rt.QuotaExhausted(ctx); done {
		t.Fatal("an uncapped provider is enabled, yet the quota reads as exhausted")
	}
}

func TestRouterSettingsValidateAndApply(t *testing.T) {
	rt, a, _, _ := providersTest(t)
	bad := []struct {
		in    settings.Router
		field string
	}{
		{settings.Router{DeadlineSeconds: -1}, "deadline_seconds"},
		{settings.Router{DeadlineSeconds: 301}, "deadline_seconds"},
		{settings.Router{HealthIntervalSeconds: 2}, "health_interval_seconds"},
		{settings.Router{ChannelRPM: -5}, "channel_rpm"},
		{settings.Router{GlobalRPM: -1}, "global_rpm"},
		{settings.Router{CacheMB: 5000}, "cache_mb"},
	}
	before, _ := os.ReadFile(rt.providers.settings.Path())
	for _, sc := range bad {
		if f := fieldOf(func() error { _, err := a.SaveRouterSettings(sc.in); return err }()); f != sc.field {
			t.Fatalf("%+v: field %q, want %q", sc.in, f, sc.field)
		}
	}
	if after, _ := os.ReadFile(rt.providers.settings.Path()); !bytes.Equal(before, after) {
		t.Fatal("rejected router settings were written")
	}
	v, err := a.SaveRouterSettings(settings.Router{DeadlineSeconds: 8, HealthIntervalSeconds: 60, ChannelRPM: 12})
	if err != nil || v.Router.DeadlineSeconds != 8 || v.Router.ChannelRPM != 12 {
		t.Fatalf("save: %v %+v", err, v.Router)
	}
	if got := rt.routerDeadline(); got != 8*time.Second {
		t.Fatalf("deadline in force = %v", got)
	}
	if _, err := a.GenerateTitles(mustChannel(t, a), "rye", false); err != nil {
		t.Fatal(err)
	}
	for _, l := range rt.providers.router.Limiters() {
		if strings.HasPrefix(l.Name, "channel") && l.PerMinute != 12 {
			t.Fatalf("channel limiter %+v not retuned", l)
		}
	}
}

func mustChannel(t *testing.T, a *App) string {
	t.Helper()
	chs, err := a.ListChannels()
	if err != nil || len(chs) == 0 {
		t.Fatalf("channels: %v", err)
	}
	return chs[0].ID
}
