package router

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"

	"tubeagency/internal/store"
	"tubeagency/providers"
	"tubeagency/providers/anthropic"
	"tubeagency/providers/cache"
	"tubeagency/providers/fake"
	"tubeagency/providers/openai"
	"tubeagency/providers/templates"
)

const groqKey = "gsk_live_SECRET_value_0001"
const anthropicKey = "sk-ant-api03-SECRET-value-0002"

// clock is the injected wall clock; sleeping on it advances it at once.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return ctx.Err()
}
func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// recorder is an Observer that keeps what it hears.
type recorder struct {
	mu       sync.Mutex
	attempts map[string]int
	failures map[string]int
	tiers    map[cache.Tier]int
	limited  []string
	changes  []string
	hedges   []string
}

func (r *recorder) Hedge(p string, won bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if won {
		r.hedges = append(r.hedges, p+":won")
	} else {
		r.hedges = append(r.hedges, p+":lost")
	}
}

func (r *recorder) hedgeCount() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.hedges, ",")
}

func newRecorder() *recorder {
	return &recorder{attempts: map[string]int{}, failures: map[string]int{}, tiers: map[cache.Tier]int{}}
}
func (r *recorder) Attempt(p string, err error, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[p]++
	if err != nil {
		r.failures[p]++
	}
}
func (r *recorder) CacheLookup(t cache.Tier) { r.mu.Lock(); r.tiers[t]++; r.mu.Unlock() }
func (r *recorder) RateLimited(p, scope string) {
	r.mu.Lock()
	r.limited = append(r.limited, p+"/"+scope)
	r.mu.Unlock()
}
func (r *recorder) breakerChanges() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.changes...)
}
func (r *recorder) BreakerChange(p string, from, to gobreaker.State) {
	r.mu.Lock()
	r.changes = append(r.changes, fmt.Sprintf("%s:%s->%s", p, from, to))
	r.mu.Unlock()
}

func groq(url string) *openai.Client {
	return openai.New(openai.Config{Name: "groq", BaseURL: url, Model: "llama", Key: func() (string, error) { return groqKey, nil }})
}

func claude(url string) *anthropic.Client {
	return anthropic.New(anthropic.Config{BaseURL: url, Model: "haiku", Key: func() (string, error) { return anthropicKey, nil }})
}

func tmpl(t testing.TB) *templates.Provider {
	t.Helper()
	p, err := templates.New(templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newRouter(t testing.TB, cfg Config) *Router {
	t.Helper()
	if cfg.Fallback == nil {
		cfg.Fallback = tmpl(t)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var channel = providers.Channel{ID: "ch-1", Name: "Crumb", Niche: "home baking", Audience: "busy parents", Language: "en", Format: "long-form"}

func titlesReq() providers.Request {
	return providers.Request{Task: providers.TaskTitles, User: "Ten titles about sourdough", Channel: channel, Topic: "sourdough"}
}

// TestFaultMatrix puts each fault on the first provider (OpenAI format)
// with a healthy Anthropic provider behind it, and then on both, and
// checks who answers, how many calls it took, that the answer came within
// the deadline, that no request slept on a Retry-After, and, when the
// templates answered, that the notes say why in plain words.
func TestFaultMatrix(t *testing.T) {
	const deadline = 1500 * time.Millisecond
	scenarios := []struct {
		fault        string
		bothAttempts int    // with both providers failing this way, the templates included
		bothGroq     int    // calls to the first provider then
		why          string // the note about the first provider when the templates answered
		cooldown     bool   // the fault puts the provider in a cooldown
	}{
		{fake.Status500, 7, 3, "Groq answered with an error (500).", false},
		{fake.HTML502, 7, 3, "Groq answered with an error (502).", false},
		{fake.Status503, 3, 1, "Groq is overloaded and asked to wait 1 s.", true},
		{fake.Status429, 3, 1, "Groq asked to wait 1 s (rate limit).", true},
		{fake.Status401, 3, 1, "Groq rejected the API key: check Settings → Providers.", false},
		{fake.Hang, 3, 1, "Groq did not finish its answer in time.", false},
		{"refused", 3, 1, "Groq could not be reached.", false}, // an unreachable server is not retried
		{fake.Reset, 7, 3, "Groq closed the connection before its answer was complete.", false},
		{fake.Malformed, 7, 3, "Groq sent a broken answer.", false},
		{fake.Truncated, 7, 3, "Groq closed the connection before its answer was complete.", false},
		{fake.EmptyChoices, 7, 3, "Groq sent a broken answer.", false},
		{fake.SlowHeaders, 3, 1, "Groq did not finish its answer in time.", false},
	}
	for _, sc := range scenarios {
		for _, both := range []bool{false, true} {
			name := sc.fault
			if both {
				name += "/both"
			}
			t.Run(name, func(t *testing.T) {
				clk := newClock()
				first := fake.New(fake.OpenAI, "Groq title one\nGroq title two")
				defer first.Close()
				second := fake.New(fake.Anthropic, "Claude title one\nClaude title two")
				defer second.Close()
				firstURL, secondURL := first.URL, second.URL
				if sc.fault == "refused" {
					firstURL = fake.RefusedURL()
					if both {
						secondURL = fake.RefusedURL()
					}
				} else {
					first.Fail(sc.fault)
					if both {
						second.Fail(sc.fault)
					}
				}
				rec := newRecorder()
				r := newRouter(t, Config{
					Providers: []Entry{{Provider: groq(firstURL), Label: "Groq"}, {Provider: claude(secondURL), Label: "Anthropic"}},
					Deadline:  deadline, AttemptTimeout: 400 * time.Millisecond,
					Now: clk.Now, Sleep: clk.Sleep, Observer: rec,
				})
				start := time.Now()
				resp, err := r.Generate(context.Background(), titlesReq())
				elapsed := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				if elapsed >= deadline {
					t.Fatalf("answered after %v, past the %v deadline", elapsed, deadline)
				}
				wantP, wantA, wantGroq := "anthropic", 2, 1 // fall through at once: one call to each
				if both {
					wantP, wantA, wantGroq = "templates", sc.bothAttempts, sc.bothGroq
				}
				if resp.Provider != wantP || resp.Attempts != wantA {
					t.Fatalf("answered by %s after %d attempts, want %s after %d (notes %q)", resp.Provider, resp.Attempts, wantP, wantA, resp.Notes)
				}
				if !resp.Fallback || resp.Cached || strings.TrimSpace(resp.Text) == "" {
					t.Fatalf("resp = %+v", resp)
				}
				if wantP == "anthropic" && !strings.Contains(resp.Text, "Claude") {
					t.Fatalf("text %q is not the second provider's", resp.Text)
				}
				if n := rec.attempts["groq"]; n != wantGroq {
					t.Fatalf("observer heard %d groq attempts, want %d", n, wantGroq)
				}
				for _, d := range clk.Sleeps() {
					if d >= 900*time.Millisecond {
						t.Fatalf("slept %v: a request waited on a Retry-After (waits %v)", d, clk.Sleeps())
					}
				}
				if s := r.Snapshots()[0]; sc.cooldown != (s.Cooldown != nil) || (sc.cooldown && (s.State != StateCooldown || !s.Cooldown.Until.Equal(clk.Now().Add(time.Second)))) {
					t.Fatalf("cooldown in snapshot %+v", s)
				}
				if both {
					if n := len(resp.Notes); n < 3 || resp.Notes[0] != sc.why || resp.Notes[n-1] != "Local templates answered instead." ||
						!strings.HasPrefix(resp.Notes[1], "Anthropic ") {
						t.Fatalf("notes = %q, want %q about Groq, one about Anthropic, then the templates", resp.Notes, sc.why)
					}
				}
				if sc.fault == fake.Status401 {
					if !both && (len(resp.Notes) != 1 || resp.Notes[0] != "Groq rejected the API key: check Settings → Providers.") {
						t.Fatalf("notes = %q", resp.Notes)
					}
					if s := r.Snapshots()[0]; s.State != StateMisconfigured || s.Message == "" {
						t.Fatalf("snapshot = %+v", s)
					}
					// a misconfigured provider is not tried again
					before := first.Calls()
					if _, err := r.Generate(context.Background(), titlesReq()); err != nil || first.Calls() != before {
						t.Fatalf("misconfigured provider called again: %d → %d", before, first.Calls())
					}
				}
			})
		}
	}
}

// TestFaultMatrixAnthropicFirst is the matrix the other way round: the
// Anthropic Messages provider fails first and the OpenAI-format one answers.
func TestFaultMatrixAnthropicFirst(t *testing.T) {
	const deadline = 1500 * time.Millisecond
	scenarios := []struct {
		fault  string
		stream bool
	}{
		{fake.Status529, false},
		{fake.Status500, false},
		{fake.HTML502, false},
		{fake.Status503, false},
		{fake.Status429, false},
		{fake.Status401, false},
		{fake.Hang, false},
		{"refused", false},
		{fake.Reset, false},
		{fake.Malformed, false},
		{fake.Truncated, false},
		{fake.EmptyChoices, false},
		{fake.SlowHeaders, false},
		{fake.BrokenStream, true},
		{fake.StreamError, true},
		{fake.Stall, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.fault, func(t *testing.T) {
			clk := newClock()
			first := fake.New(fake.Anthropic, "Claude title")
			defer first.Close()
			second := fake.New(fake.OpenAI, "Groq title one\nGroq title two")
			defer second.Close()
			firstURL := first.URL
			if sc.fault == "refused" {
				firstURL = fake.RefusedURL()
			} else {
				first.Fail(sc.fault)
			}
			r := newRouter(t, Config{Providers: []Entry{{Provider: claude(firstURL), Label: "Anthropic"}, {Provider: groq(second.URL), Label: "Groq"}},
				Deadline: deadline, AttemptTimeout: 400 * time.Millisecond, Now: clk.Now, Sleep: clk.Sleep})
			req := titlesReq()
			var shown strings.Builder
			if sc.stream {
				req.OnDelta = func(s string) { shown.WriteString(s) }
				req.OnRestart = func(providers.Restart) { shown.Reset() }
			}
			start := time.Now()
			resp, err := r.Generate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el >= deadline {
				t.Fatalf("answered after %v, past the deadline", el)
			}
			if resp.Provider != "groq" || resp.Attempts != 2 || !strings.Contains(resp.Text, "Groq title") || first.Calls() > 1 {
				t.Fatalf("answered by %s after %d attempts (%q), %d calls to the first; want groq after 2, 1 call", resp.Provider, resp.Attempts, resp.Text, first.Calls())
			}
			if sc.stream && shown.String() != resp.Text {
				t.Fatalf("the caller was shown %q, want only the final answer", shown.String())
			}
		})
	}
}

// flaky is an in-process provider that fails with a 500 until told to
// answer; the breaker test runs it inside a synctest bubble, where no
// network is allowed but the clock is virtual.
type flaky struct {
	mu    sync.Mutex
	fail  bool
	calls int
}

func (f *flaky) Name() string { return "groq" }

func (f *flaky) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail {
		return providers.Response{}, &providers.Error{Provider: "groq", Status: 500, Retryable: true, Err: providers.ErrUnavailable, Message: "internal error"}
	}
	return providers.Response{Text: "Recovered title"}, nil
}

func (f *flaky) set(fail bool) { f.mu.Lock(); f.fail = fail; f.mu.Unlock() }
func (f *flaky) Calls() int    { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

// TestBreakerOpensAndHalfOpens drives gobreaker's real state machine. Its
// cooldown runs on testing/synctest's virtual clock: time.Sleep inside the
// bubble returns at once with the clock moved on, so nothing really waits.
func TestBreakerOpensAndHalfOpens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &flaky{fail: true}
		rec := newRecorder()
		r := newRouter(t, Config{
			Providers:        []Entry{{Provider: srv}},
			MaxAttempts:      1,
			BreakerThreshold: 3, BreakerCooldown: 30 * time.Second,
			Observer: rec,
		})
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			resp, err := r.Generate(ctx, titlesReq())
			if err != nil || resp.Provider != "templates" {
				t.Fatalf("request %d: %+v %v", i, resp, err)
			}
		}
		if srv.Calls() != 3 {
			t.Fatalf("calls = %d", srv.Calls())
		}
		if s := r.Snapshots()[0]; s.State != StateBreakerOpen || s.Breaker != "open" {
			t.Fatalf("after 3 failures snapshot = %+v", s)
		}
		resp, _ := r.Generate(ctx, titlesReq())
		if srv.Calls() != 3 || resp.Provider != "templates" || resp.Attempts != 1 {
			t.Fatalf("open breaker let a call through: calls %d, resp %+v", srv.Calls(), resp)
		}

		time.Sleep(29 * time.Second)
		r.Generate(ctx, titlesReq())
		if srv.Calls() != 3 {
			t.Fatal("breaker half-opened before its cooldown")
		}
		time.Sleep(time.Second + time.Millisecond) // gobreaker half-opens once the cooldown has passed
		if s := r.Snapshots()[0]; s.Breaker != "half-open" || s.State != StateDegraded {
			t.Fatalf("after cooldown snapshot = %+v", s)
		}
		// the half-open probe fails: open again
		r.Generate(ctx, titlesReq())
		if srv.Calls() != 4 || r.Snapshots()[0].Breaker != "open" {
			t.Fatalf("failed probe: calls %d, breaker %s", srv.Calls(), r.Snapshots()[0].Breaker)
		}
		time.Sleep(30*time.Second + time.Millisecond)
		srv.set(false)
		resp, err := r.Generate(ctx, titlesReq())
		if err != nil || resp.Provider != "groq" || srv.Calls() != 5 {
			t.Fatalf("successful probe: %+v %v, calls %d", resp, err, srv.Calls())
		}
		if s := r.Snapshots()[0]; s.Breaker != "closed" {
			t.Fatalf("after a good probe breaker = %s", s.Breaker)
		}
		want := []string{"groq:closed->open", "groq:open->half-open", "groq:half-open->open", "groq:open->half-open", "groq:half-open->closed"}
		if got := rec.breakerChanges(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("breaker changes = %v, want %v", got, want)
		}
	})
}

func openStore(t testing.TB, path string, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestQuotaSurvivesReopenAndResetsAtMidnight(t *testing.T) {
	ctx := context.Background()
	clk := newClock() // 23:00 UTC
	path := filepath.Join(t.TempDir(), "q.db")
	st := openStore(t, path, clk.Now)
	q, err := OpenQuotas(ctx, st, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	srv := fake.New(fake.OpenAI, "Title")
	defer srv.Close()
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL), DailyQuota: 3}}, Quotas: q, Now: clk.Now, Sleep: clk.Sleep})
	for i := 0; i < 2; i++ {
		if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
			t.Fatalf("request %d answered by %s", i, resp.Provider)
		}
	}
	r.Stop() // flushes
	st.Close()

	st = openStore(t, path, clk.Now)
	defer st.Close()
	q, err = OpenQuotas(ctx, st, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	if q.Used("groq") != 2 {
		t.Fatalf("after reopen used = %d, want 2", q.Used("groq"))
	}
	rec := newRecorder()
	r = newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL), Label: "Groq", DailyQuota: 3}}, Quotas: q, Now: clk.Now, Sleep: clk.Sleep, Observer: rec})
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
		t.Fatal("third request of the day refused")
	}
	resp, _ := r.Generate(ctx, titlesReq())
	if resp.Provider != "templates" || strings.Join(resp.Notes, " ") != "Groq used its daily quota. Local templates answered instead." || srv.Calls() != 3 {
		t.Fatalf("over quota: %+v, calls %d", resp, srv.Calls())
	}
	if s := r.Snapshots()[0]; s.QuotaUsed != 3 || s.QuotaLeft != 0 || s.QuotaLimit != 3 || s.State != StateDegraded {
		t.Fatalf("snapshot = %+v", s)
	}
	if len(rec.limited) != 1 || rec.limited[0] != "groq/"+ScopeQuota {
		t.Fatalf("observer heard %v", rec.limited)
	}
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	clk.Add(time.Hour) // midnight UTC
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
		t.Fatalf("after midnight answered by %s", resp.Provider)
	}
	if q.Used("groq") != 1 {
		t.Fatalf("new day used = %d", q.Used("groq"))
	}
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var days int
	if err := st.ReadDB().QueryRow(`SELECT COUNT(*) FROM provider_quota WHERE provider = 'groq'`).Scan(&days); err != nil || days != 2 {
		t.Fatalf("rows per day = %d, %v", days, err)
	}
	q2, err := OpenQuotas(ctx, st, clk.Now)
	if err != nil || q2.Used("groq") != 1 {
		t.Fatalf("reopened on the new day: used %d, %v", q2.Used("groq"), err)
	}
}

func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("provider rpm: interactive moves on, background waits", func(t *testing.T) {
		clk := newClock()
		srv := fake.New(fake.OpenAI, "Title")
		defer srv.Close()
		rec := newRecorder()
		// a 2/min token comes every 30 s: a background request may wait for it within a one-minute deadline
		r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL), RPM: 2}}, Deadline: time.Minute, Now: clk.Now, Sleep: clk.Sleep, Observer: rec})
		for i := 0; i < 2; i++ {
			if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
				t.Fatalf("request %d by %s", i, resp.Provider)
			}
		}
		if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "templates" {
			t.Fatalf("interactive over the limit answered by %s", resp.Provider)
		}
		bg := titlesReq()
		bg.Background = true
		resp, _ := r.Generate(ctx, bg)
		if resp.Provider != "groq" {
			t.Fatalf("background request answered by %s", resp.Provider)
		}
		sl := clk.Sleeps()
		if len(sl) != 1 || sl[0] < 25*time.Second || sl[0] > 31*time.Second {
			t.Fatalf("background waited %v, want one wait of about 30s for a 2/min token", sl)
		}
		if len(rec.limited) != 1 || rec.limited[0] != "groq/"+ScopeProvider {
			t.Fatalf("observer heard %v", rec.limited)
		}
		ls := r.Limiters()
		if len(ls) != 3 || ls[0].Name != "global" || ls[1].Name != "provider:groq" || ls[1].Burst != 2 || ls[1].PerMinute != 2 ||
			ls[1].TokensLeft > 0.01 || ls[2].Name != "channel:ch-1" || ls[2].PerMinute != DefaultChannelRPM {
			t.Fatalf("limiters = %+v", ls)
		}
	})
	t.Run("per channel", func(t *testing.T) {
		clk := newClock()
		srv := fake.New(fake.OpenAI, "Title")
		defer srv.Close()
		r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL)}}, ChannelRPM: 2, Now: clk.Now, Sleep: clk.Sleep})
		for i := 0; i < 2; i++ {
			r.Generate(ctx, titlesReq())
		}
		resp, _ := r.Generate(ctx, titlesReq())
		if resp.Provider != "templates" || len(resp.Notes) == 0 || !strings.Contains(resp.Notes[0], "channel") {
			t.Fatalf("third request of one channel: %+v", resp)
		}
		other := titlesReq()
		other.Channel.ID = "ch-2"
		if resp, _ := r.Generate(ctx, other); resp.Provider != "groq" {
			t.Fatalf("another channel was starved: %s", resp.Provider)
		}
		if srv.Calls() != 3 {
			t.Fatalf("calls = %d", srv.Calls())
		}
	})
	t.Run("global", func(t *testing.T) {
		clk := newClock()
		srv := fake.New(fake.OpenAI, "Title")
		defer srv.Close()
		r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL)}}, GlobalRPM: 1, Now: clk.Now, Sleep: clk.Sleep})
		r.Generate(ctx, titlesReq())
		other := titlesReq()
		other.Channel.ID = "ch-2"
		if resp, _ := r.Generate(ctx, other); resp.Provider != "templates" {
			t.Fatalf("over the global limit answered by %s", resp.Provider)
		}
	})
}

func TestOfflineSkipsStraightToLocal(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	local := fake.New(fake.OpenAI, "Local model title")
	defer local.Close()
	ollama := openai.New(openai.Config{Name: "local", BaseURL: local.URL, Model: "llama3.2"})
	local.Fail(fake.Status503) // the local server is busy at first, so the remote ones get tried
	local.SetRetryAfter("")    // without asking for a pause
	r := newRouter(t, Config{
		Providers:   []Entry{{Provider: groq(fake.RefusedURL())}, {Provider: claude(fake.RefusedURL())}, {Provider: ollama, Offline: true}},
		MaxAttempts: 1, Now: clk.Now, Sleep: clk.Sleep,
	})
	resp, err := r.Generate(ctx, titlesReq())
	if err != nil || resp.Provider != "templates" || resp.Attempts != 4 {
		t.Fatalf("first request: %+v %v", resp, err)
	}
	if r.Online() {
		t.Fatal("router still online after every remote provider was unreachable")
	}
	local.Fail(fake.OK)
	resp, err = r.Generate(ctx, titlesReq())
	if err != nil || resp.Provider != "local" || resp.Attempts != 1 {
		t.Fatalf("offline request: %+v %v; want the local provider on the first attempt", resp, err)
	}
	if len(resp.Notes) != 1 || !strings.Contains(resp.Notes[0], "unreachable") {
		t.Fatalf("offline notes = %q", resp.Notes)
	}
	// a health check that reaches a remote provider brings the router back
	srv := fake.New(fake.OpenAI, "Groq title")
	defer srv.Close()
	r.SetProviders([]Entry{{Provider: groq(srv.URL)}, {Provider: claude(fake.RefusedURL())}, {Provider: ollama, Offline: true}})
	errs := r.CheckNow(ctx)
	if errs["groq"] != nil || errs["anthropic"] == nil || !r.Online() {
		t.Fatalf("after checks: %v online=%v", errs, r.Online())
	}
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
		t.Fatalf("back online answered by %s", resp.Provider)
	}
}

// TestHealthChecksReorderProviders: a failing health check puts a
// provider after the others, and one passing check puts it back at once.
func TestHealthChecksReorderProviders(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := fake.New(fake.OpenAI, "A")
	defer a.Close()
	b := fake.New(fake.Anthropic, "B")
	defer b.Close()
	a.Fail(fake.Status401) // its health check fails with a rejected key
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(a.URL)}, {Provider: claude(b.URL)}}, Now: clk.Now, Sleep: clk.Sleep})
	r.CheckNow(ctx)
	resp, _ := r.Generate(ctx, titlesReq())
	if resp.Provider != "anthropic" || resp.Attempts != 1 || a.Calls() != 0 {
		t.Fatalf("a provider that failed its check was tried first: %+v, calls %d", resp, a.Calls())
	}
	a.Fail(fake.Status500) // reachable but failing: checked as failing, tried after the others
	r.SetProviders([]Entry{{Provider: groq(a.URL)}, {Provider: claude(b.URL)}})
	r.CheckNow(ctx)
	if s := r.Snapshots()[0]; s.State != StateDegraded || !s.CheckFailed || !s.Demoted || s.LastCheck.IsZero() {
		t.Fatalf("snapshot after a failed check = %+v", s)
	}
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "anthropic" || a.Calls() != 0 {
		t.Fatalf("demoted provider preferred: %+v", resp)
	}
	a.Fail(fake.OK)
	r.CheckNow(ctx)
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" || resp.Fallback {
		t.Fatalf("one good check after failures did not restore the provider at once: %+v", resp)
	}
	if s := r.Snapshots()[0]; s.State != StateHealthy || s.Demoted {
		t.Fatalf("recovered snapshot = %+v", s)
	}
}

func TestCacheThroughRouter(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "c.db"), clk.Now)
	defer st.Close()
	c, err := cache.Open(ctx, st, cache.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := fake.New(fake.OpenAI, "Cached title")
	defer srv.Close()
	rec := newRecorder()
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL)}}, Cache: c, Now: clk.Now, Sleep: clk.Sleep, Observer: rec})
	first, _ := r.Generate(ctx, titlesReq())
	second, _ := r.Generate(ctx, titlesReq())
	if first.Cached || !second.Cached || second.Provider != "groq" || second.Attempts != 0 || second.Text != first.Text || srv.Calls() != 1 {
		t.Fatalf("first %+v second %+v calls %d", first, second, srv.Calls())
	}
	regen := titlesReq()
	regen.NoCache = true
	third, _ := r.Generate(ctx, regen)
	if third.Cached || srv.Calls() != 2 {
		t.Fatalf("NoCache served from cache: %+v", third)
	}
	other := titlesReq()
	other.Topic = "rye"
	r.Generate(ctx, other)
	if srv.Calls() != 3 {
		t.Fatal("a different topic hit the cache")
	}
	if rec.tiers[cache.L1] != 1 || rec.tiers[cache.Miss] != 2 {
		t.Fatalf("cache lookups = %v", rec.tiers)
	}
	// the templates' answers are not cached: a provider that recovers answers next time
	srv.Fail(fake.Status401)
	fresh := titlesReq()
	fresh.Topic = "spelt"
	if resp, _ := r.Generate(ctx, fresh); resp.Provider != "templates" {
		t.Fatal(resp.Provider)
	}
	r.SetProviders([]Entry{{Provider: groq(srv.URL)}})
	srv.Fail(fake.OK)
	if resp, _ := r.Generate(ctx, fresh); resp.Cached || resp.Provider != "groq" {
		t.Fatalf("templates answer was cached: %+v", resp)
	}
	if CacheKey(titlesReq()) == CacheKey(other) {
		t.Fatal("cache key ignores the topic")
	}
}

func TestStreamingThroughRouter(t *testing.T) {
	srv := fake.New(fake.Anthropic, "Streamed title one and two")
	defer srv.Close()
	r := newRouter(t, Config{Providers: []Entry{{Provider: claude(srv.URL)}}})
	var got strings.Builder
	req := titlesReq()
	req.OnDelta = func(s string) { got.WriteString(s) }
	resp, err := r.Generate(context.Background(), req)
	if err != nil || resp.Provider != "anthropic" || got.String() != resp.Text || resp.Text != "Streamed title one and two" {
		t.Fatalf("resp %+v err %v streamed %q", resp, err, got.String())
	}
}

func TestBrokenStreamRestartsBeforeTheNextProvider(t *testing.T) {
	clk := newClock()
	a := fake.New(fake.OpenAI, "x")
	defer a.Close()
	a.Fail(fake.BrokenStream)
	b := fake.New(fake.Anthropic, "Whole answer from Claude")
	defer b.Close()
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(a.URL), Label: "Groq"}, {Provider: claude(b.URL), Label: "Claude"}}, Now: clk.Now, Sleep: clk.Sleep})
	var shown strings.Builder
	var restarts []providers.Restart
	req := titlesReq()
	req.OnDelta = func(s string) { shown.WriteString(s) }
	req.OnRestart = func(rs providers.Restart) { restarts = append(restarts, rs); shown.Reset() }
	resp, err := r.Generate(context.Background(), req)
	if err != nil || resp.Provider != "anthropic" || resp.Attempts != 2 || a.Calls() != 1 {
		t.Fatalf("resp %+v err %v, calls to the first %d", resp, err, a.Calls())
	}
	want := providers.Restart{Provider: "anthropic", Label: "Claude", From: "Groq", Reason: "Groq broke off its answer partway."}
	if shown.String() != "Whole answer from Claude" || len(restarts) != 1 || restarts[0] != want {
		t.Fatalf("shown %q after restarts %+v; want only the final answer after %+v", shown.String(), restarts, want)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clk := newClock()
	a := fake.New(fake.OpenAI, "x")
	defer a.Close()
	b := fake.New(fake.Anthropic, "x")
	defer b.Close()
	a.Fail(fake.Status401)
	a.EchoKey()
	b.Fail(fake.Status401)
	b.EchoKey()
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(a.URL)}, {Provider: claude(b.URL)}}, Logger: logger, Now: clk.Now, Sleep: clk.Sleep})
	resp, err := r.Generate(context.Background(), titlesReq())
	if err != nil {
		t.Fatal(err)
	}
	checks := r.CheckNow(context.Background())
	snaps, _ := json.Marshal(r.Snapshots())
	respJSON, _ := json.Marshal(resp)
	var texts []string
	texts = append(texts, logs.String(), string(snaps), string(respJSON))
	for _, e := range checks {
		if e != nil {
			texts = append(texts, e.Error())
		}
	}
	if len(checks) != 2 || !strings.Contains(logs.String(), "misconfigured") || !strings.Contains(string(snaps), "Incorrect API key") {
		t.Fatalf("nothing to inspect: checks %v, logs %q, snaps %s", checks, logs.String(), snaps)
	}
	for _, s := range texts {
		if strings.Contains(s, groqKey) || strings.Contains(s, anthropicKey) || strings.Contains(s, "SECRET") {
			t.Fatalf("a key leaked: %s", s)
		}
	}
}

func TestObserverPluggedInLater(t *testing.T) {
	srv := fake.New(fake.OpenAI, "Title")
	defer srv.Close()
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL)}}})
	r.Generate(context.Background(), titlesReq()) // nobody listens: must not panic
	rec := newRecorder()
	r.SetObserver(rec)
	r.Generate(context.Background(), titlesReq())
	r.SetObserver(nil)
	r.Generate(context.Background(), titlesReq())
	if rec.attempts["groq"] != 1 {
		t.Fatalf("observer heard %d attempts, want 1", rec.attempts["groq"])
	}
}

func TestTuneAppliesWhileRunning(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	srv := fake.New(fake.OpenAI, "Title")
	defer srv.Close()
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL)}}, ChannelRPM: 1, Now: clk.Now, Sleep: clk.Sleep})
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
		t.Fatal(resp.Provider)
	}
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "templates" {
		t.Fatalf("channel limit of 1/min not applied: %s", resp.Provider)
	}
	r.Tune(Tuning{ChannelRPM: 120, Deadline: 5 * time.Second})
	if got := r.timing(); got.deadline != 5*time.Second || got.attempt != 2500*time.Millisecond || got.health != DefaultHealthInterval {
		t.Fatalf("timing = %+v", got)
	}
	clk.Add(time.Second) // at 120/min a token comes every 0.5 s
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
		t.Fatalf("raised channel limit not applied: %s", resp.Provider)
	}
	other := titlesReq()
	other.Channel.ID = "ch-new"
	r.Generate(ctx, other)
	for _, l := range r.Limiters() {
		if strings.HasPrefix(l.Name, "channel") && l.PerMinute != 120 {
			t.Fatalf("limiter %+v not retuned", l)
		}
	}
}

// TestConcurrentUse runs requests from many goroutines while settings,
// tuning and health checks change the router underneath (run with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	a := fake.New(fake.OpenAI, "A title")
	defer a.Close()
	b := fake.New(fake.Anthropic, "B title")
	defer b.Close()
	st := openStore(t, filepath.Join(t.TempDir(), "c.db"), time.Now)
	defer st.Close()
	c, err := cache.Open(ctx, st, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := OpenQuotas(ctx, st, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(a.URL)}, {Provider: claude(b.URL)}}, Cache: c, Quotas: q,
		Observer: newRecorder(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	r.Start(ctx)
	defer r.Stop()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				req := titlesReq()
				req.Topic = fmt.Sprintf("topic %d", i%10)
				req.Channel.ID = fmt.Sprintf("ch-%d", g)
				req.NoCache = i%7 == 0
				resp, err := r.Generate(ctx, req)
				if err != nil || strings.TrimSpace(resp.Text) == "" {
					errs <- fmt.Errorf("goroutine %d request %d: %+v %v", g, i, resp, err)
				}
			}
		}(g)
	}
	for i := 0; i < 20; i++ {
		if i%2 == 0 {
			r.SetProviders([]Entry{{Provider: claude(b.URL)}, {Provider: groq(a.URL), RPM: 100}})
		} else {
			r.SetProviders([]Entry{{Provider: groq(a.URL)}, {Provider: claude(b.URL), Disabled: true}})
		}
		r.Tune(Tuning{ChannelRPM: 50 + i})
		r.Wake()
		r.Snapshots()
		r.Limiters()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestNewNeedsFallback(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrNoFallback) {
		t.Fatalf("err = %v", err)
	}
}

// TestGenerateHonoursTheDeadlineWhenEverythingHangs runs on synctest's
// virtual clock, so the time measured is the router's alone.
func TestGenerateHonoursTheDeadlineWhenEverythingHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fake.NewInProcess(fake.OpenAI, "x")
		a.Fail(fake.Hang)
		b := fake.NewInProcess(fake.Anthropic, "x")
		b.Fail(fake.Hang)
		const deadline = 600 * time.Millisecond
		r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(a)}, {Provider: claudeIn(b)}}, Deadline: deadline, AttemptTimeout: time.Minute})
		start := time.Now()
		resp, err := r.Generate(context.Background(), titlesReq())
		if err != nil || resp.Provider != "templates" {
			t.Fatalf("%+v %v", resp, err)
		}
		// the first attempt gets all but the templates' reserve (a tenth)
		if el := time.Since(start); el != deadline*9/10 {
			t.Fatalf("took %v, want %v of the %v deadline", el, deadline*9/10, deadline)
		}
		if resp.Attempts != 2 || b.Calls() != 0 {
			t.Fatalf("attempts = %d, calls to the second %d; want the hung provider then the templates", resp.Attempts, b.Calls())
		}
	})
}

func backup(url string) *openai.Client {
	return openai.New(openai.Config{Name: "backup", BaseURL: url, Model: "mini", Key: func() (string, error) { return "sk-backup-0003", nil }})
}
