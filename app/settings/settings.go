// Package settings keeps the user's device-local choices in settings.json
// in the data folder: which AI providers are on, in what order, with which
// model, address and limits, and how the router behaves. Writes are atomic
// (temp file, fsync, rename); Watch reloads the file when it is edited by
// hand (through internal/fswatch), and a hand edit that does not validate
// is reported and ignored, so the last good settings stay in force. API keys never live here: they go
// to the key store (app/secrets) under "provider/<name>".
package settings

import (
	"tubeagency/internal/atomicfile"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"tubeagency/internal/fswatch"
)

// FileName is the settings file inside the data folder.
const FileName = "settings.json"

// Provider kinds: the wire format a provider speaks.
const (
	KindOpenAI    = "openai"    // OpenAI chat completions (Groq, GitHub Models, OpenAI, Together, local servers)
	KindAnthropic = "anthropic" // Anthropic Messages
)

// Provider is one AI provider's settings.
type Provider struct {
	// Name identifies the provider ("groq"); fixed for the built-in ones.
	Name string `json:"name"`
	// Label is what users see ("Groq").
	Label string `json:"label"`
	// Kind is KindOpenAI or KindAnthropic.
	Kind string `json:"kind"`
	// Enabled puts the provider in the routing order.
	Enabled bool `json:"enabled"`
	// Model is the model name sent with each request.
	Model string `json:"model"`
	// BaseURL is the API root.
	BaseURL string `json:"base_url"`
	// RPM is the requests-per-minute limit; 0 means unlimited.
	RPM int `json:"rpm"`
	// DailyQuota is the requests-per-day limit (UTC days); 0 means unlimited.
	DailyQuota int `json:"daily_quota"`
	// Local marks a server on this machine: it needs no key and works offline.
	Local bool `json:"local"`
	// Manual, for a local provider, stops the app from managing it. False
	// (the default) lets the app look for a model server on this machine
	// (Ollama, llama.cpp's server, and BaseURL) at start and at every health
	// check, switch the provider on when one answers with a model that can
	// write, use Model when that server has it and else the model that suits
	// this machine's memory, and route to it before every other provider.
	// Switching the provider on or off by hand sets it.
	Manual bool `json:"manual,omitempty"`
}

// Router holds the router's tunables. Zero values mean the router's defaults.
type Router struct {
	DeadlineSeconds       int `json:"deadline_seconds"`        // 0: 20 s
	HealthIntervalSeconds int `json:"health_interval_seconds"` // 0: 30 s
	ChannelRPM            int `json:"channel_rpm"`             // 0: 100
	GlobalRPM             int `json:"global_rpm"`              // 0: 10,000
	CacheMB               int `json:"cache_mb"`                // 0: 10
}

// Settings is the whole file.
type Settings struct {
	Version   int        `json:"version"`
	Providers []Provider `json:"providers"` // in routing order
	Router    Router     `json:"router"`
	Render    Render     `json:"render,omitzero"`
}

// Render configures the programs videos are rendered with. It is set in
// this file (or, in the desktop window, by picking the program in a system
// dialog): no page sets a program path, so a browser reaching serve mode
// cannot make the app run a program of its choosing.
type Render struct {
	// FFmpeg is the absolute path of the ffmpeg program; ffprobe is the
	// one next to it. Empty means ffmpeg and ffprobe found on PATH.
	FFmpeg string `json:"ffmpeg,omitempty"`
}

// Defaults are the built-in providers, all off until the user adds a key
// (the local server is off until the user says one runs). The limits are
// the providers' published free or first-tier figures:
//
//   - Groq, llama-3.1-8b-instant on the free plan: 30 requests/min and
//     14,400 requests/day (https://console.groq.com/docs/rate-limits).
//   - GitHub Models, "Low" tier models such as openai/gpt-4o-mini on the
//     free plan: 15 requests/min and 150 requests/day
//     (https://docs.github.com/en/github-models/use-github-models/prototyping-with-ai-models#rate-limits).
//   - OpenAI, gpt-4o-mini at usage tier 1: 500 requests/min and 10,000
//     requests/day (https://platform.openai.com/docs/guides/rate-limits).
//   - Together: limits depend on the account's tier
//     (https://docs.together.ai/docs/rate-limits); 60/min is a cautious
//     default below the lowest paid tier, with no daily cap.
//   - Anthropic at tier 1: 50 requests/min, no daily request cap
//     (https://docs.anthropic.com/en/api/rate-limits).
//   - A local server (Ollama, llama.cpp) has no limits.
func Defaults() Settings {
	return Settings{Version: 1, Providers: []Provider{
		{Name: "groq", Label: "Groq", Kind: KindOpenAI, Model: "llama-3.1-8b-instant", BaseURL: "https://api.groq.com/openai/v1", RPM: 30, DailyQuota: 14_400},
		{Name: "github", Label: "GitHub Models", Kind: KindOpenAI, Model: "openai/gpt-4o-mini", BaseURL: "https://models.github.ai/inference", RPM: 15, DailyQuota: 150},
		{Name: "openai", Label: "OpenAI", Kind: KindOpenAI, Model: "gpt-4o-mini", BaseURL: "https://api.openai.com/v1", RPM: 500, DailyQuota: 10_000},
		{Name: "together", Label: "Together", Kind: KindOpenAI, Model: "meta-llama/Llama-3.3-70B-Instruct-Turbo", BaseURL: "https://api.together.xyz/v1", RPM: 60},
		{Name: "anthropic", Label: "Anthropic", Kind: KindAnthropic, Model: "claude-3-5-haiku-latest", BaseURL: "https://api.anthropic.com", RPM: 50},
		{Name: "local", Label: "Local model server", Kind: KindOpenAI, Model: "llama3.2", BaseURL: "http://127.0.0.1:11434/v1", Local: true},
	}}
}

// FieldError is a setting that does not validate; Field names it the way
// the JSON file does ("providers[2].base_url").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks s and names the first bad field.
func (s Settings) Validate() error {
	seen := map[string]bool{}
	if len(s.Providers) > 20 {
		return &FieldError{"providers", "must list at most 20 providers"}
	}
	for i, p := range s.Providers {
		f := func(name string) string { return fmt.Sprintf("providers[%d].%s", i, name) }
		switch {
		case !validName(p.Name):
			return &FieldError{f("name"), "must be 1 to 32 lowercase letters, digits or dashes"}
		case seen[p.Name]:
			return &FieldError{f("name"), fmt.Sprintf("%q is listed twice", p.Name)}
		case p.Kind != KindOpenAI && p.Kind != KindAnthropic:
			return &FieldError{f("kind"), "must be openai or anthropic"}
		case len(p.Label) > 60 || strings.TrimSpace(p.Label) == "":
			return &FieldError{f("label"), "is required, at most 60 characters"}
		case strings.TrimSpace(p.Model) == "" || len(p.Model) > 200 || strings.ContainsAny(p.Model, "\n\r\t"):
			return &FieldError{f("model"), "is required, one line of at most 200 characters"}
		case p.RPM < 0 || p.RPM > 1_000_000:
			return &FieldError{f("rpm"), "must be between 0 (unlimited) and 1000000"}
		case p.DailyQuota < 0 || p.DailyQuota > 100_000_000:
			return &FieldError{f("daily_quota"), "must be between 0 (unlimited) and 100000000"}
		}
		if msg := checkURL(p.BaseURL); msg != "" {
			return &FieldError{f("base_url"), msg}
		}
		seen[p.Name] = true
	}
	r := s.Router
	switch {
	case r.DeadlineSeconds < 0 || r.DeadlineSeconds > 300:
		return &FieldError{"router.deadline_seconds", "must be between 0 (default 20) and 300"}
	case r.HealthIntervalSeconds < 0 || (r.HealthIntervalSeconds > 0 && r.HealthIntervalSeconds < 5) || r.HealthIntervalSeconds > 3600:
		return &FieldError{"router.health_interval_seconds", "must be 0 (default 30) or between 5 and 3600"}
	case r.ChannelRPM < 0 || r.ChannelRPM > 1_000_000:
		return &FieldError{"router.channel_rpm", "must be between 0 (default 100) and 1000000"}
	case r.GlobalRPM < 0 || r.GlobalRPM > 10_000_000:
		return &FieldError{"router.global_rpm", "must be between 0 (default 10000) and 10000000"}
	case r.CacheMB < 0 || r.CacheMB > 4096:
		return &FieldError{"router.cache_mb", "must be between 0 (default 10) and 4096"}
	}
	if f := s.Render.FFmpeg; f != "" && (!filepath.IsAbs(f) || len(f) > 4096 || strings.ContainsAny(f, "\x00\n\r")) {
		return &FieldError{"render.ffmpeg", "must be the absolute path of the ffmpeg program, or empty for ffmpeg on PATH"}
	}
	return nil
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func checkURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case raw == "":
		return "is required"
	case err != nil || u.Host == "":
		return "must be a full address such as https://api.example.com/v1"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://"
	case u.User != nil:
		return "must not contain a user name or password: put the key in the API key field"
	case u.RawQuery != "" || u.Fragment != "":
		return "must not contain ? or #"
	}
	return ""
}

// Provider returns the named provider's settings.
func (s Settings) Provider(name string) (Provider, bool) {
	for _, p := range s.Providers {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// Options configure Open.
type Options struct {
	// OnChange is called after the settings changed, by Update or by a
	// hand edit Watch picked up, with the settings as of that change. It
	// runs after the change is in force and outside the store's lock, so
	// two changes made at once may be told in either order: read Get for
	// the latest. Nil means nobody listens.
	OnChange func(Settings)
	// OnError is called when a hand edit could not be used (nil err when a
	// later edit fixed it). Nil means nobody listens.
	OnError func(err error)
}

// Store reads and writes settings.json. It is safe for concurrent use.
type Store struct {
	path string
	opts Options

	mu      sync.Mutex // held across each read and write of the file
	cur     Settings
	lastErr error
	seen    []byte // the file's bytes as last read or written: reading them again changes nothing
}

// Open reads the settings file in dataDir, writing the defaults when there
// is none. A file that does not parse or validate is not overwritten: the
// defaults are used and LastError says why.
func Open(dataDir string, opts Options) (*Store, error) {
	s := &Store{path: filepath.Join(dataDir, FileName), opts: opts}
	raw, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.cur = Defaults()
		if err := s.write(s.cur); err != nil {
			return nil, err
		}
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open settings: %w", err)
	}
	s.seen = raw
	cur, perr := parse(raw)
	if perr != nil {
		s.cur, s.lastErr = Defaults(), perr
		return s, nil
	}
	s.cur = cur
	return s, nil
}

// parse reads a settings file and adds any built-in provider it lacks
// (a newer version may add some), at the end of the order, disabled.
func parse(raw []byte) (Settings, error) {
	var st Settings
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return Settings{}, fmt.Errorf("%s is not valid: %v", FileName, err)
	}
	if err := st.Validate(); err != nil {
		return Settings{}, fmt.Errorf("%s is not valid: %w", FileName, err)
	}
	for _, d := range Defaults().Providers {
		if _, ok := st.Provider(d.Name); !ok {
			st.Providers = append(st.Providers, d)
		}
	}
	return st, nil
}

// Path is the settings file.
func (s *Store) Path() string { return s.path }

// Get returns the settings in force.
func (s *Store) Get() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(s.cur)
}

// LastError is why the file on disk is not in force, nil when it is.
func (s *Store) LastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

func clone(st Settings) Settings {
	st.Providers = append([]Provider(nil), st.Providers...)
	return st
}

// Update applies fn to a copy of the settings, validates the result and
// writes it. On any error nothing changes.
func (s *Store) Update(fn func(*Settings) error) (Settings, error) {
	s.mu.Lock()
	next := clone(s.cur)
	if err := fn(&next); err != nil {
		s.mu.Unlock()
		return Settings{}, err
	}
	if err := next.Validate(); err != nil {
		s.mu.Unlock()
		return Settings{}, err
	}
	if err := s.write(next); err != nil {
		s.mu.Unlock()
		return Settings{}, err
	}
	s.cur, s.lastErr = next, nil
	s.mu.Unlock()
	if s.opts.OnChange != nil {
		s.opts.OnChange(clone(next))
	}
	return clone(next), nil
}

// write replaces the file atomically. The caller holds mu (or owns s).
func (s *Store) write(st Settings) error {
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	raw = append(raw, '\n')
	if err := atomicfile.Write(s.path, raw); err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	s.seen = raw
	return nil
}

// Reload reads the file again. A valid file replaces the settings in force
// (OnChange); an invalid one leaves them and is reported (OnError). A file
// that holds what was last read or written (the store's own save, seen
// again by Watch) changes nothing and calls neither; Reload then returns
// why that file is not in force, if it is not. A deleted file changes
// nothing either: the next save writes it again. Nor does an empty file:
// editors and os.WriteFile truncate a file before they write it, and a
// reload that lands in between must neither report an error nor tell a
// change; the write that follows is the change.
//
// The read happens under the same lock as Update's write, so a reload
// never puts back settings a save has just replaced.
func (s *Store) Reload() error {
	s.mu.Lock()
	raw, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.mu.Unlock()
		return nil
	}
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("reload settings: %w", err)
	}
	if len(raw) == 0 {
		err := s.lastErr
		s.mu.Unlock()
		return err
	}
	if s.seen != nil && string(raw) == string(s.seen) {
		err := s.lastErr
		s.mu.Unlock()
		return err
	}
	s.seen = raw
	next, perr := parse(raw)
	if perr != nil {
		s.lastErr = perr
		s.mu.Unlock()
		if s.opts.OnError != nil {
			s.opts.OnError(perr)
		}
		return perr
	}
	hadErr := s.lastErr != nil
	s.cur, s.lastErr = next, nil
	s.mu.Unlock()
	if hadErr && s.opts.OnError != nil {
		s.opts.OnError(nil)
	}
	if s.opts.OnChange != nil {
		s.opts.OnChange(clone(next))
	}
	return nil
}

// Watch reloads the file whenever it changes on disk, once per burst of
// changes that has been quiet for debounce (zero: fswatch.DefaultDebounce),
// until ctx ends or the returned watcher is stopped. It watches the folder,
// since editors often replace files by renaming. The watch is in place when
// Watch returns, and an edit made since Open is applied before it returns.
// onErr receives problems with the watch itself (nil drops them); hand
// edits that do not validate go to Options.OnError as always.
func (s *Store) Watch(ctx context.Context, debounce time.Duration, onErr func(error)) (*fswatch.Watcher, error) {
	w, err := fswatch.New(fswatch.Options{
		Dir:      filepath.Dir(s.path),
		Match:    func(name string) bool { return name == FileName },
		Debounce: debounce,
		OnChange: func() { _ = s.Reload() }, // reported through OnError and LastError
		OnError:  onErr,
	})
	if err != nil {
		return nil, fmt.Errorf("watch settings: %w", err)
	}
	_ = s.Reload() // an edit between Open and the watch
	w.Start(ctx)
	return w, nil
}
