package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDefaultsWrittenAndReopened(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	groq, ok := s.Get().Provider("groq")
	if !ok || groq.RPM != 30 || groq.DailyQuota != 14_400 || groq.Enabled {
		t.Fatalf("groq defaults = %+v", groq)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("defaults not written: %v", err)
	}
	if _, err := s.Update(func(st *Settings) error {
		st.Providers[0].Enabled = true
		st.Providers[0], st.Providers[4] = st.Providers[4], st.Providers[0]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	again := open(t, dir, Options{}).Get()
	if again.Providers[0].Name != "anthropic" || again.Providers[4].Name != "groq" || !again.Providers[4].Enabled {
		t.Fatalf("reopened order = %v", again.Providers)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".settings-*"))
	if len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestValidationNamesTheFieldAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	scenarios := []struct {
		name  string
		edit  func(*Settings)
		field string
	}{
		{"bad url", func(st *Settings) { st.Providers[1].BaseURL = "models.github.ai" }, "providers[1].base_url"},
		{"ftp url", func(st *Settings) { st.Providers[0].BaseURL = "ftp://x.example" }, "providers[0].base_url"},
		{"key in url", func(st *Settings) { st.Providers[2].BaseURL = "https://user:sk-123@api.openai.com/v1" }, "providers[2].base_url"},
		{"empty model", func(st *Settings) { st.Providers[3].Model = " " }, "providers[3].model"},
		{"negative rpm", func(st *Settings) { st.Providers[0].RPM = -1 }, "providers[0].rpm"},
		{"negative quota", func(st *Settings) { st.Providers[5].DailyQuota = -5 }, "providers[5].daily_quota"},
		{"duplicate", func(st *Settings) { st.Providers[1].Name = "groq" }, "providers[1].name"},
		{"bad name", func(st *Settings) { st.Providers[1].Name = "Git Hub" }, "providers[1].name"},
		{"bad kind", func(st *Settings) { st.Providers[1].Kind = "gemini" }, "providers[1].kind"},
		{"deadline", func(st *Settings) { st.Router.DeadlineSeconds = 999 }, "router.deadline_seconds"},
		{"health", func(st *Settings) { st.Router.HealthIntervalSeconds = 1 }, "router.health_interval_seconds"},
		{"cache", func(st *Settings) { st.Router.CacheMB = -1 }, "router.cache_mb"},
		{"relative ffmpeg", func(st *Settings) { st.Render.FFmpeg = "bin/ffmpeg" }, "render.ffmpeg"},
		{"ffmpeg by name", func(st *Settings) { st.Render.FFmpeg = "ffmpeg" }, "render.ffmpeg"},
		{"ffmpeg with a newline", func(st *Settings) { st.Render.FFmpeg = "/usr/bin/ffmpeg\n-i" }, "render.ffmpeg"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, err := s.Update(func(st *Settings) error { sc.edit(st); return nil })
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err = %v, want field %s", err, sc.field)
			}
		})
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(before) != string(after) {
		t.Fatal("a rejected update changed the file")
	}
	if got := s.Get(); got.Providers[1].Name != "github" {
		t.Fatal("a rejected update changed the settings in force")
	}
}

func TestHandEditsReloadAndBadEditsKeepLastGood(t *testing.T) {
	dir := t.TempDir()
	changes := make(chan Settings, 8)
	errs := make(chan error, 8)
	s := open(t, dir, Options{OnChange: func(st Settings) { changes <- st }, OnError: func(err error) { errs <- err }})
	w, err := s.Watch(t.Context(), 10*time.Millisecond, func(err error) { t.Errorf("watch: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	edit := func(mut func(map[string]any)) {
		t.Helper()
		raw, _ := os.ReadFile(s.Path())
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		mut(m)
		out, _ := json.MarshalIndent(m, "", " ")
		if err := os.WriteFile(s.Path(), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	edit(func(m map[string]any) { m["providers"].([]any)[0].(map[string]any)["rpm"] = 7 })
	select {
	case st := <-changes:
		if st.Providers[0].RPM != 7 {
			t.Fatalf("reloaded rpm = %d", st.Providers[0].RPM)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hand edit not picked up")
	}
	if err := os.WriteFile(s.Path(), []byte(`{"version":1,"providers":[{"name":"groq"`), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if err == nil || !strings.Contains(err.Error(), FileName) {
			t.Fatalf("error = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("broken edit not reported")
	}
	if s.Get().Providers[0].RPM != 7 || s.LastError() == nil {
		t.Fatalf("broken edit lost the last good settings: %+v / %v", s.Get().Providers[0], s.LastError())
	}
	// an edit that parses but names a bad field is reported with the field
	good, _ := json.MarshalIndent(s.Get(), "", " ")
	bad := strings.Replace(string(good), `"rpm": 7`, `"rpm": -3`, 1)
	if err := os.WriteFile(s.Path(), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "providers[0].rpm" {
			t.Fatalf("error = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("invalid edit not reported")
	}
	if err := os.WriteFile(s.Path(), good, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if err != nil {
			t.Fatalf("fixing the file reported %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("fix not picked up")
	}
	if s.LastError() != nil {
		t.Fatal(s.LastError())
	}
}

func TestUnreadableFileOnOpenUsesDefaultsAndSaysWhy(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version":1,"providers":[],"api_key":"sk-x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, Options{})
	if s.LastError() == nil || len(s.Get().Providers) != 6 {
		t.Fatalf("lastErr %v, providers %d", s.LastError(), len(s.Get().Providers))
	}
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !strings.Contains(string(raw), "api_key") {
		t.Fatal("the user's file was overwritten on open")
	}
	// a file listing only some providers gets the rest appended, disabled
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version":1,"providers":[{"name":"local","label":"Ollama","kind":"openai","enabled":true,"model":"qwen2.5","base_url":"http://127.0.0.1:11434/v1","local":true}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	st := open(t, dir, Options{}).Get()
	if len(st.Providers) != 6 || st.Providers[0].Name != "local" || st.Providers[0].Model != "qwen2.5" || st.Providers[1].Enabled {
		t.Fatalf("providers = %+v", st.Providers)
	}
}

// A reload that read the file just before a save must not put the older
// settings back over the saved ones.
func TestReloadNeverUndoesASave(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	for i := range 100 {
		model := fmt.Sprintf("model-%d", i)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := s.Reload(); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := s.Update(func(st *Settings) error { st.Providers[0].Model = model; return nil }); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		if got := s.Get().Providers[0].Model; got != model {
			t.Fatalf("round %d: a reload put back %q over the saved %q", i, got, model)
		}
	}
}

// Watch misses no edit: one made between Open and Watch is applied before
// Watch returns, one made right after it returns is picked up, and the
// store's own saves are not told twice.
func TestWatchMissesNoEdit(t *testing.T) {
	dir := t.TempDir()
	changes := make(chan Settings, 16)
	s := open(t, dir, Options{OnChange: func(st Settings) { changes <- st }})
	edit := func(rpm int) {
		t.Helper()
		st := s.Get()
		st.Providers[0].RPM = rpm
		raw, _ := json.Marshal(st)
		if err := os.WriteFile(s.Path(), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	next := func() Settings {
		t.Helper()
		select {
		case st := <-changes:
			return st
		case <-time.After(10 * time.Second):
			t.Fatal("no change within 10 s of the edit")
		}
		return Settings{}
	}
	w, err := s.Watch(t.Context(), 10*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	if len(changes) != 0 {
		t.Fatal("watching an unchanged file told a change")
	}

	edit(3) // while nothing watches
	w, err = s.Watch(t.Context(), 10*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	select {
	case st := <-changes:
		if st.Providers[0].RPM != 3 {
			t.Fatalf("rpm = %d, want 3", st.Providers[0].RPM)
		}
	default:
		t.Fatal("an edit made before Watch was not applied when it returned")
	}

	edit(4) // at once
	if st := next(); st.Providers[0].RPM != 4 {
		t.Fatalf("rpm = %d, want 4", st.Providers[0].RPM)
	}
	if _, err := s.Update(func(st *Settings) error { st.Providers[0].RPM = 5; return nil }); err != nil {
		t.Fatal(err)
	}
	if st := next(); st.Providers[0].RPM != 5 {
		t.Fatalf("rpm = %d, want 5", st.Providers[0].RPM)
	}
	edit(6)
	if st := next(); st.Providers[0].RPM != 6 { // not the echo of the save
		t.Fatalf("rpm = %d after the save and an edit, want 6", st.Providers[0].RPM)
	}
}

// Editors and os.WriteFile truncate before they write: a reload that lands
// in between tells nothing, and the write that follows is the change.
func TestEmptyFileIsAWriteInProgress(t *testing.T) {
	var changes, errs int
	s := open(t, t.TempDir(), Options{OnChange: func(Settings) { changes++ }, OnError: func(error) { errs++ }})
	if err := os.Truncate(s.Path(), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil || changes != 0 || errs != 0 || s.LastError() != nil {
		t.Fatalf("an emptied file: err %v, %d changes, %d errors, last error %v", err, changes, errs, s.LastError())
	}
	st := s.Get()
	st.Providers[0].Model = "written after the truncate"
	raw, _ := json.Marshal(st)
	if err := os.WriteFile(s.Path(), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil || changes != 1 || s.Get().Providers[0].Model != "written after the truncate" {
		t.Fatalf("the write after it: err %v, %d changes, model %q", err, changes, s.Get().Providers[0].Model)
	}
	// a broken file stays reported while it is rewritten
	if err := os.WriteFile(s.Path(), []byte(`{"version":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err == nil || errs != 1 {
		t.Fatalf("broken file: err %v, %d errors", err, errs)
	}
	if err := os.Truncate(s.Path(), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err == nil || s.LastError() == nil || errs != 1 {
		t.Fatalf("a broken file emptied: err %v, last error %v, %d errors", err, s.LastError(), errs)
	}
}
