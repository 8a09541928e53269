package router

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/fake"
)

// screen is what a streaming caller shows: it appends deltas and clears
// on a restart, remembering every restart and every delta it was sent.
type screen struct {
	mu       sync.Mutex
	text     strings.Builder
	all      strings.Builder
	restarts []providers.Restart
}

func (s *screen) hook(req *providers.Request) {
	req.OnDelta = func(d string) {
		s.mu.Lock()
		s.text.WriteString(d)
		s.all.WriteString(d)
		s.mu.Unlock()
	}
	req.OnRestart = func(rs providers.Restart) {
		s.mu.Lock()
		s.restarts = append(s.restarts, rs)
		s.text.Reset()
		s.mu.Unlock()
	}
}

// TestStreamRestartsCleanly: when an attempt that streamed part of its
// answer fails, the caller is told who takes over and why before the new
// answer streams, and what it shows at the end is the winner's answer only.
func TestStreamRestartsCleanly(t *testing.T) {
	t.Run("stall, then another provider", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			first, second := pair(t)
			first.Fail(fake.Stall)
			r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Claude"}}, Logger: quiet})
			var sc screen
			req := titlesReq()
			sc.hook(&req)
			resp, err := r.Generate(context.Background(), req)
			if err != nil || resp.Provider != "anthropic" || resp.Text != "Claude title one\nClaude title two" {
				t.Fatalf("resp %+v, %v", resp, err)
			}
			want := providers.Restart{Provider: "anthropic", Label: "Claude", From: "Groq", Reason: "Groq stopped sending its answer for more than 3 s."}
			if len(sc.restarts) != 1 || sc.restarts[0] != want {
				t.Fatalf("restarts %+v, want %+v", sc.restarts, want)
			}
			if sc.text.String() != resp.Text || !strings.HasPrefix(sc.all.String(), "Groq ") {
				t.Fatalf("shown %q (all deltas %q), want only %q after Groq's partial text", sc.text.String(), sc.all.String(), resp.Text)
			}
		})
	})
	t.Run("broken twice, then the templates", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			first, second := pair(t)
			first.Fail(fake.BrokenStream)
			second.Fail(fake.StreamError)
			r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Claude"}},
				MaxAttempts: 1, Logger: quiet})
			var sc screen
			req := titlesReq()
			sc.hook(&req)
			resp, err := r.Generate(context.Background(), req)
			if err != nil || resp.Provider != "templates" {
				t.Fatalf("resp %+v, %v", resp, err)
			}
			want := []providers.Restart{
				{Provider: "anthropic", Label: "Claude", From: "Groq", Reason: "Groq broke off its answer partway."},
				{Provider: "templates", Label: "Local templates", From: "Claude", Reason: "Claude broke off its answer partway."},
			}
			if len(sc.restarts) != 2 || sc.restarts[0] != want[0] || sc.restarts[1] != want[1] {
				t.Fatalf("restarts %+v, want %+v", sc.restarts, want)
			}
			if sc.text.String() != resp.Text || sc.all.String() != "HalfHalf"+resp.Text {
				t.Fatalf("shown %q (all %q), want only the templates' answer", sc.text.String(), sc.all.String())
			}
		})
	})
	t.Run("the answer that takes over does not stream", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			first, _ := pair(t)
			first.Fail(fake.BrokenStream)
			mem := constProvider{providers.Response{Provider: "mem", Text: "Whole, not streamed"}}
			r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: mem, Label: "Memory"}}, Logger: quiet})
			var sc screen
			req := titlesReq()
			sc.hook(&req)
			resp, _ := r.Generate(context.Background(), req)
			want := providers.Restart{Provider: "mem", Label: "Memory", From: "Groq", Reason: "Groq broke off its answer partway."}
			if resp.Provider != "mem" || len(sc.restarts) != 1 || sc.restarts[0] != want || sc.text.String() != "" {
				t.Fatalf("resp %+v, restarts %+v, shown %q", resp, sc.restarts, sc.text.String())
			}
		})
	})
	t.Run("nothing shown, nothing to restart", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			first, second := pair(t)
			first.Fail(fake.Status500)
			r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Claude"}}, Logger: quiet})
			var sc screen
			req := titlesReq()
			sc.hook(&req)
			resp, _ := r.Generate(context.Background(), req)
			if resp.Provider != "anthropic" || len(sc.restarts) != 0 || sc.all.String() != resp.Text {
				t.Fatalf("resp %+v, restarts %+v, shown %q", resp, sc.restarts, sc.all.String())
			}
		})
	})
}

// TestTemplatesSayWhy: when no provider answers, the notes say in plain
// words why each did not: it timed out, it asked for a pause, its key was
// rejected, its breaker is open.
func TestTemplatesSayWhy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		slow := fake.NewInProcess(fake.OpenAI, "Groq")
		slow.Fail(fake.Hang)
		limited := fake.NewInProcess(fake.Anthropic, "Claude")
		limited.Fail(fake.Status429)
		limited.SetRetryAfter("20")
		keyless := fake.NewInProcess(fake.OpenAI, "Together")
		keyless.Fail(fake.Status401)
		together := groqIn(keyless)
		r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(slow), Label: "Groq"}, {Provider: claudeIn(limited), Label: "Claude"},
			{Provider: renamed{together, "together"}, Label: "Together"}}, Logger: quiet})
		resp, _ := r.Generate(ctx, titlesReq())
		want := []string{
			"Groq did not start answering within 3 s.",
			"Claude asked to wait 20 s (rate limit).",
			"Together rejected the API key: check Settings → Providers.",
			"Local templates answered instead.",
		}
		if resp.Provider != "templates" || strings.Join(resp.Notes, "\n") != strings.Join(want, "\n") {
			t.Fatalf("answered by %s with notes\n%s\nwant\n%s", resp.Provider, strings.Join(resp.Notes, "\n"), strings.Join(want, "\n"))
		}
		// 5 s later: Claude still cools down (it asked at 3 s, after Groq's
		// budget), Together is still skipped, Groq (demoted, the last one
		// left) gets the longest budget
		time.Sleep(5 * time.Second)
		resp, _ = r.Generate(ctx, titlesReq())
		want = []string{
			"Claude asked to wait 15 s (rate limit).",
			"Together rejected the API key: check Settings → Providers.",
			"Groq did not start answering within 8 s.",
			"Local templates answered instead.",
		}
		if strings.Join(resp.Notes, "\n") != strings.Join(want, "\n") || keyless.Calls() != 1 || limited.Calls() != 1 {
			t.Fatalf("second request's notes\n%s\nwant\n%s", strings.Join(resp.Notes, "\n"), strings.Join(want, "\n"))
		}
	})
}

// renamed gives a provider another name.
type renamed struct {
	providers.Provider
	name string
}

func (p renamed) Name() string { return p.name }

// TestHedging: with hedging on, when the first provider has used half its
// budget without a byte, the next starts; the first to answer wins, the
// other is cancelled, and the hedge is counted.
func TestHedging(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := "whole"
		if stream {
			name = "stream"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				first, second := pair(t)
				rec := newRecorder()
				r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Claude"}},
					Hedge: true, Observer: rec, Logger: quiet})
				req := titlesReq()
				var sc screen
				if stream {
					sc.hook(&req)
				}
				for range 3 { // Groq answers in 100 ms: budget 1 s, no hedge
					if resp, _ := r.Generate(ctx, req); resp.Provider != "groq" {
						t.Fatalf("warm-up: %s", resp.Provider)
					}
				}
				if second.Calls() != 0 || r.Snapshots()[1].Hedges != 0 {
					t.Fatal("a hedge ran although the first provider answered in time")
				}
				first.Fail(fake.SlowHeaders)
				first.SetSlow(5 * time.Second)
				sc = screen{}
				start := time.Now()
				resp, err := r.Generate(ctx, req)
				took := time.Since(start)
				if err != nil || resp.Provider != "anthropic" || took != 600*time.Millisecond || resp.Attempts != 2 || !resp.Fallback {
					t.Fatalf("hedged: %+v after %v, want Claude after 500 ms + its 100 ms", resp, took)
				}
				if stream && (sc.text.String() != resp.Text || len(sc.restarts) != 0) {
					t.Fatalf("shown %q, restarts %+v", sc.text.String(), sc.restarts)
				}
				s1, s2 := r.Snapshots()[0], r.Snapshots()[1]
				if s2.Hedges != 1 || s2.HedgesWon != 1 || rec.hedgeCount() != "anthropic:won" || !s1.Demoted || s1.Failures != 0 {
					t.Fatalf("after the hedge: Groq %+v, Claude %+v, observer %q", s1, s2, rec.hedgeCount())
				}
				// Groq lost: Claude goes first now, with nothing to hedge
				start = time.Now()
				if resp, _ := r.Generate(ctx, req); resp.Provider != "anthropic" || time.Since(start) != 100*time.Millisecond {
					t.Fatalf("after the hedge: %s in %v", resp.Provider, time.Since(start))
				}
			})
		})
	}
}

// countdown fails with a 500 its first fails calls, then answers.
type countdown struct {
	mu    sync.Mutex
	fails int
	calls int
}

func (c *countdown) Name() string { return "flaky" }
func (c *countdown) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.fails {
		return providers.Response{}, &providers.Error{Provider: "flaky", Status: 500, Retryable: true, Err: providers.ErrUnavailable, Message: "internal error"}
	}
	return providers.Response{Text: "Flaky title"}, nil
}

// TestRetryOrder: an interactive request retries a failing provider only
// after every other was tried; background work retries it in place first.
func TestRetryOrder(t *testing.T) {
	ctx := context.Background()
	t.Run("interactive retries last", func(t *testing.T) {
		clk := newClock()
		fl := &countdown{fails: 1}
		keyless := fake.New(fake.Anthropic, "x")
		defer keyless.Close()
		keyless.Fail(fake.Status401)
		r := newRouter(t, Config{Providers: []Entry{{Provider: fl}, {Provider: claude(keyless.URL)}}, Now: clk.Now, Sleep: clk.Sleep})
		resp, _ := r.Generate(ctx, titlesReq())
		if resp.Provider != "flaky" || resp.Attempts != 3 || keyless.Calls() != 1 || len(clk.Sleeps()) != 1 || clk.Sleeps()[0] > 375*time.Millisecond {
			t.Fatalf("resp %+v, calls to the other %d, waits %v", resp, keyless.Calls(), clk.Sleeps())
		}
	})
	t.Run("background retries in place", func(t *testing.T) {
		clk := newClock()
		first := fake.New(fake.OpenAI, "Groq")
		defer first.Close()
		first.Fail(fake.Status500)
		second := fake.New(fake.Anthropic, "Claude")
		defer second.Close()
		r := newRouter(t, Config{Providers: []Entry{{Provider: groq(first.URL)}, {Provider: claude(second.URL)}}, Now: clk.Now, Sleep: clk.Sleep})
		bg := titlesReq()
		bg.Background = true
		resp, _ := r.Generate(ctx, bg)
		if resp.Provider != "anthropic" || resp.Attempts != 4 || first.Calls() != 3 || len(clk.Sleeps()) != 2 {
			t.Fatalf("background: %+v, calls to the first %d, waits %v", resp, first.Calls(), clk.Sleeps())
		}
	})
}

// repairing answers "draft" and then, asked again with the problems
// listed, "fixed", streaming each, through providers.Repair as the model
// clients do.
type repairing struct{ calls int }

func (p *repairing) Name() string { return "groq" }
func (p *repairing) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	return providers.Repair(ctx, req, "groq", func(ctx context.Context, req providers.Request) (providers.Response, error) {
		p.calls++
		text := "draft answer"
		if p.calls > 1 {
			text = "fixed answer"
		}
		if req.OnDelta != nil {
			req.OnDelta(text[:5])
			req.OnDelta(text[5:])
		}
		return providers.Response{Provider: "groq", Text: text}, nil
	})
}

// TestStreamRestartsOnRepair: a structured answer that failed its checks
// streamed out before the provider asked again; the caller is told to
// clear it, so what it shows at the end is the repaired answer alone.
func TestStreamRestartsOnRepair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &repairing{}
		r := newRouter(t, Config{Providers: []Entry{{Provider: p, Label: "Groq"}}, Logger: quiet})
		var sc screen
		req := titlesReq()
		req.JSON = true
		req.Validate = func(text string) error {
			if text == "fixed answer" {
				return nil
			}
			return &providers.Invalid{Problems: []string{"too short"}}
		}
		sc.hook(&req)
		resp, err := r.Generate(context.Background(), req)
		if err != nil || resp.Text != "fixed answer" || p.calls != 2 {
			t.Fatalf("resp %+v, %v after %d calls", resp, err, p.calls)
		}
		want := providers.Restart{Provider: "groq", Label: "Groq", From: "Groq", Reason: "Groq answered with text that failed its checks, so it was asked again."}
		if len(sc.restarts) != 1 || sc.restarts[0] != want {
			t.Fatalf("restarts %+v, want %+v", sc.restarts, want)
		}
		if sc.text.String() != "fixed answer" || sc.all.String() != "draft answerfixed answer" {
			t.Fatalf("shown %q (all %q), want the repaired answer alone", sc.text.String(), sc.all.String())
		}
	})
}
