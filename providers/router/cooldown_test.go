package router

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/providers/anthropic"
	"tubeagency/providers/fake"
	"tubeagency/providers/openai"
)

// TestCooldownPair: a 429 on the first provider, with the wait named the
// way each provider names it, moves the request to the second at once
// (no sleep, one call to the first), and no request reaches the first
// until the wait is over; then it answers first again.
func TestCooldownPair(t *testing.T) {
	clk0 := newClock()
	scenarios := []struct {
		name      string
		anthropic bool // the first provider speaks the Messages API
		headers   map[string]string
		wait      time.Duration
	}{
		{"retry-after", false, map[string]string{"Retry-After": "30"}, 30 * time.Second},
		{"retry-after date", false, map[string]string{"Retry-After": clk0.Now().Add(45 * time.Second).Format(timeFormatHTTP)}, 45 * time.Second},
		{"openai requests reset", false, map[string]string{"X-Ratelimit-Remaining-Requests": "0", "X-Ratelimit-Reset-Requests": "30s",
			"X-Ratelimit-Remaining-Tokens": "5000", "X-Ratelimit-Reset-Tokens": "120ms"}, 30 * time.Second},
		{"openai tokens reset", false, map[string]string{"X-Ratelimit-Remaining-Requests": "59", "X-Ratelimit-Reset-Requests": "200ms",
			"X-Ratelimit-Remaining-Tokens": "0", "X-Ratelimit-Reset-Tokens": "1m0s"}, time.Minute},
		{"groq fractional", false, map[string]string{"X-Ratelimit-Remaining-Requests": "0", "X-Ratelimit-Reset-Requests": "2m59.56s"}, 2*time.Minute + 59560*time.Millisecond},
		{"anthropic reset", true, map[string]string{"Anthropic-Ratelimit-Requests-Remaining": "0",
			"Anthropic-Ratelimit-Requests-Reset": clk0.Now().Add(40 * time.Second).Format(time.RFC3339)}, 40 * time.Second},
		{"anthropic retry-after", true, map[string]string{"Retry-After": "12", "Anthropic-Ratelimit-Tokens-Remaining": "0",
			"Anthropic-Ratelimit-Tokens-Reset": clk0.Now().Add(50 * time.Second).Format(time.RFC3339)}, 12 * time.Second},
		{"no time named", false, nil, DefaultRateLimitCooldown},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			format, name := fake.OpenAI, "groq"
			if sc.anthropic {
				format, name = fake.Anthropic, "anthropic"
			}
			first := fake.New(format, "First title")
			defer first.Close()
			second := fake.New(fake.OpenAI, "Second title")
			defer second.Close()
			first.Fail(fake.Status429)
			first.SetRetryAfter("")
			for k, v := range sc.headers {
				if k == "Retry-After" {
					first.SetRetryAfter(v)
				} else {
					first.SetHeader(k, v)
				}
			}
			// the clients read dates in headers on the test's clock
			p1 := Entry{Provider: openai.New(openai.Config{Name: "groq", BaseURL: first.URL, Model: "llama", Now: clk.Now}), Label: "First"}
			if sc.anthropic {
				p1.Provider = anthropic.New(anthropic.Config{BaseURL: first.URL, Model: "haiku", Now: clk.Now})
			}
			rec := newRecorder()
			r := newRouter(t, Config{Providers: []Entry{p1, {Provider: backup(second.URL), Label: "Second"}}, Now: clk.Now, Sleep: clk.Sleep, Observer: rec})
			resp, err := r.Generate(ctx, titlesReq())
			if err != nil || resp.Provider != "backup" || resp.Attempts != 2 || first.Calls() != 1 || len(clk.Sleeps()) != 0 {
				t.Fatalf("first request: %+v %v; calls to the first %d, sleeps %v", resp, err, first.Calls(), clk.Sleeps())
			}
			s := r.Snapshots()[0]
			if s.State != StateCooldown || s.Cooldown == nil || !s.Cooldown.Until.Equal(clk.Now().Add(sc.wait)) || s.Cooldown.Status != 429 ||
				s.Demoted || !strings.Contains(s.Message, "rate limit") {
				t.Fatalf("snapshot = %+v (cooldown %+v), want a cooldown of %v", s, s.Cooldown, sc.wait)
			}
			first.Fail(fake.OK)
			for i := 0; i < 10; i++ {
				clk.Add(sc.wait / 11)
				if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "backup" || resp.Attempts != 1 {
					t.Fatalf("request %d during the cooldown: %+v", i, resp)
				}
			}
			if first.Calls() != 1 || rec.attempts[name] != 1 {
				t.Fatalf("calls to the first provider during its cooldown: %d (observer %d), want 0", first.Calls()-1, rec.attempts[name]-1)
			}
			clk.Add(sc.wait / 10)
			if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != name || resp.Fallback {
				t.Fatalf("after the cooldown: %+v", resp)
			}
		})
	}
}

const timeFormatHTTP = "Mon, 02 Jan 2006 15:04:05 GMT"

// TestCooldownWithNoOtherProvider: interactive requests never wait for a
// cooldown (the templates answer and say why, with 0 calls); background
// work waits for it when it ends within the deadline.
func TestCooldownWithNoOtherProvider(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	srv := fake.New(fake.OpenAI, "Groq title")
	defer srv.Close()
	srv.Fail(fake.Status429)
	srv.SetRetryAfter("30")
	r := newRouter(t, Config{Providers: []Entry{{Provider: groq(srv.URL), Label: "Groq"}}, Deadline: time.Minute, Now: clk.Now, Sleep: clk.Sleep})
	resp, _ := r.Generate(ctx, titlesReq())
	want := "Groq asked to wait 30 s (rate limit).|Local templates answered instead."
	if resp.Provider != "templates" || strings.Join(resp.Notes, "|") != want || srv.Calls() != 1 || len(clk.Sleeps()) != 0 {
		t.Fatalf("first request: %+v, calls %d, sleeps %v", resp, srv.Calls(), clk.Sleeps())
	}
	srv.Fail(fake.OK)
	clk.Add(10 * time.Second)
	resp, _ = r.Generate(ctx, titlesReq())
	want = "Groq asked to wait 20 s (rate limit).|Local templates answered instead."
	if resp.Provider != "templates" || strings.Join(resp.Notes, "|") != want || srv.Calls() != 1 || len(clk.Sleeps()) != 0 {
		t.Fatalf("interactive during the cooldown: %+v, calls %d, sleeps %v", resp, srv.Calls(), clk.Sleeps())
	}
	bg := titlesReq()
	bg.Background = true
	resp, _ = r.Generate(ctx, bg)
	if resp.Provider != "groq" || srv.Calls() != 2 || len(clk.Sleeps()) != 1 || clk.Sleeps()[0] != 20*time.Second {
		t.Fatalf("background during the cooldown: %+v, calls %d, sleeps %v; want one wait of 20 s, then Groq", resp, srv.Calls(), clk.Sleeps())
	}
	// a cooldown longer than the deadline: background work gets the templates too
	srv.Fail(fake.Status429)
	srv.SetRetryAfter("3600")
	r.Generate(ctx, bg)
	resp, _ = r.Generate(ctx, bg)
	if resp.Provider != "templates" || srv.Calls() != 3 || len(clk.Sleeps()) != 1 {
		t.Fatalf("background during an hour's cooldown: %+v, calls %d, sleeps %v", resp, srv.Calls(), clk.Sleeps())
	}
}

// TestCooldownSurvivesRestart: a cooldown is written to SQLite and a new
// router on the same database keeps it until it ends.
func TestCooldownSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "cd.db")
	st := openStore(t, path, clk.Now)
	cds, err := OpenCooldowns(ctx, st, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	first := fake.New(fake.OpenAI, "Groq title")
	defer first.Close()
	second := fake.New(fake.Anthropic, "Claude title")
	defer second.Close()
	first.Fail(fake.Status429)
	first.SetRetryAfter("120")
	entries := func() []Entry {
		return []Entry{{Provider: groq(first.URL), Label: "Groq"}, {Provider: claude(second.URL), Label: "Claude"}}
	}
	r := newRouter(t, Config{Providers: entries(), Cooldowns: cds, Now: clk.Now, Sleep: clk.Sleep})
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "anthropic" || first.Calls() != 1 {
		t.Fatalf("429: %+v", resp)
	}
	until := clk.Now().Add(120 * time.Second)
	r.Stop() // flushes
	st.Close()

	first.Fail(fake.OK)
	clk.Add(time.Minute)
	st = openStore(t, path, clk.Now)
	defer st.Close()
	cds, err = OpenCooldowns(ctx, st, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	if cd, ok := cds.Get("groq", clk.Now()); !ok || !cd.Until.Equal(until) || cd.Status != 429 || cd.Reason != "rate limit" {
		t.Fatalf("after reopening: %+v %v, want until %v", cd, ok, until)
	}
	r = newRouter(t, Config{Providers: entries(), Cooldowns: cds, Now: clk.Now, Sleep: clk.Sleep})
	if s := r.Snapshots()[0]; s.State != StateCooldown || s.Cooldown == nil || !s.Cooldown.Until.Equal(until) {
		t.Fatalf("snapshot after the restart = %+v", s)
	}
	for range 3 {
		if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "anthropic" {
			t.Fatalf("during the cooldown after a restart: %+v", resp)
		}
	}
	if first.Calls() != 1 {
		t.Fatalf("calls to Groq after the restart during its cooldown: %d", first.Calls()-1)
	}
	clk.Add(time.Minute)
	if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" {
		t.Fatalf("after the cooldown: %+v", resp)
	}
	if err := cds.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := st.ReadDB().QueryRow(`SELECT COUNT(*) FROM provider_cooldown`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("rows after the cooldown ended and a flush: %d, %v", rows, err)
	}
	// a shorter cooldown never cuts a longer one
	cds.Set(Cooldown{Provider: "groq", Until: clk.Now().Add(time.Hour), Status: 429, Reason: "rate limit"})
	cds.Set(Cooldown{Provider: "groq", Until: clk.Now().Add(time.Minute), Status: 503, Reason: "overloaded"})
	if cd, _ := cds.Get("groq", clk.Now()); !cd.Until.Equal(clk.Now().Add(time.Hour)) || cd.Status != 429 {
		t.Fatalf("cooldown = %+v", cd)
	}
}
