package router

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/anthropic"
	"tubeagency/providers/fake"
	"tubeagency/providers/openai"
)

// groqIn and claudeIn are clients of in-process fake servers: the real
// clients and the real wire formats, over an in-memory transport, so they
// run inside a synctest bubble on its virtual clock.
func groqIn(s *fake.Server) *openai.Client {
	return openai.New(openai.Config{Name: "groq", BaseURL: s.URL, Model: "llama", HTTPClient: s.HTTPClient(),
		Key: func() (string, error) { return groqKey, nil }})
}

func claudeIn(s *fake.Server) *anthropic.Client {
	return anthropic.New(anthropic.Config{BaseURL: s.URL, Model: "haiku", HTTPClient: s.HTTPClient(),
		Key: func() (string, error) { return anthropicKey, nil }})
}

// pair is Groq then Anthropic, in process, both answering after a model's
// 100 ms of thought.
func pair(t testing.TB) (first, second *fake.Server) {
	first = fake.NewInProcess(fake.OpenAI, "Groq title one\nGroq title two")
	second = fake.NewInProcess(fake.Anthropic, "Claude title one\nClaude title two")
	first.SetLatency(100 * time.Millisecond)
	second.SetLatency(100 * time.Millisecond)
	return first, second
}

func budgetOf(s Snapshot, k string) float64 {
	for _, b := range s.Budgets {
		if b.Kind == k {
			return b.BudgetMs
		}
	}
	return -1
}

// TestBudgetAbandonsSlowProviders: once Groq has answered in 100 ms, its
// first-byte budget is 1 s (3 × 100 ms, raised to the 1 s floor). A Groq
// that hangs, sends its headers slowly, stalls partway through its body or
// its stream then costs that budget and no more before Anthropic answers,
// and the next request does not wait for it at all.
func TestBudgetAbandonsSlowProviders(t *testing.T) {
	scenarios := []struct {
		name   string
		fault  string
		stream bool
		why    string // Groq's last error
	}{
		{"hang", fake.Hang, false, "did not start answering within 1 s"},
		{"slow headers", fake.SlowHeaders, false, "did not start answering within 1 s"},
		{"slow body", fake.SlowBody, false, "went quiet for more than 1 s"},
		{"hang/stream", fake.Hang, true, "did not start answering within 1 s"},
		{"slow headers/stream", fake.SlowHeaders, true, "did not start answering within 1 s"},
		{"stalled stream", fake.Stall, true, "went quiet for more than 1 s"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				first, second := pair(t)
				first.SetSlow(5 * time.Second)
				r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Anthropic"}},
					Logger: quiet})
				ctx := context.Background()
				req := titlesReq()
				var shown strings.Builder
				k := "titles"
				if sc.stream {
					req.OnDelta = func(s string) { shown.WriteString(s) }
					req.OnRestart = func(providers.Restart) { shown.Reset() }
					k = "titles:stream"
				}
				for range 3 {
					if resp, err := r.Generate(ctx, req); err != nil || resp.Provider != "groq" {
						t.Fatalf("warm-up answered by %s: %v", resp.Provider, err)
					}
				}
				if b := budgetOf(r.Snapshots()[0], k); b != 1000 {
					t.Fatalf("budget %v ms after 100 ms answers, want 1000 (%+v)", b, r.Snapshots()[0].Budgets)
				}

				first.Fail(sc.fault)
				shown.Reset()
				calls := first.Calls()
				start := time.Now()
				resp, err := r.Generate(ctx, req)
				cost := time.Since(start) - 100*time.Millisecond // less Anthropic's own time
				if err != nil || resp.Provider != "anthropic" || !strings.Contains(resp.Text, "Claude") {
					t.Fatalf("answered by %s (%q): %v", resp.Provider, resp.Text, err)
				}
				if cost < time.Second || cost >= 1500*time.Millisecond {
					t.Fatalf("the slow provider cost %v, want its 1 s budget (goal < 1.5 s)", cost)
				}
				if first.Calls() != calls+1 {
					t.Fatalf("calls to Groq %d → %d, want one", calls, first.Calls())
				}
				if sc.stream && shown.String() != resp.Text {
					t.Fatalf("shown %q, want only Anthropic's answer %q", shown.String(), resp.Text)
				}
				s := r.Snapshots()[0]
				if !s.Demoted || !strings.Contains(s.LastError, sc.why) || s.State != StateDegraded {
					t.Fatalf("Groq after blowing its budget: %+v", s)
				}

				// demoted: the next request goes to Anthropic first and costs
				// nothing over its own time
				start = time.Now()
				resp, err = r.Generate(ctx, req)
				if cost := time.Since(start) - 100*time.Millisecond; err != nil || resp.Provider != "anthropic" || cost != 0 || resp.Fallback {
					t.Fatalf("once demoted: %s, extra %v, fallback %v: %v", resp.Provider, cost, resp.Fallback, err)
				}
				if first.Calls() != calls+1 {
					t.Fatal("a demoted provider was called before a healthy one")
				}
			})
		})
	}
}

// TestBudgetBeforeDataAndForTheLastProvider: a provider without first-byte
// times gets the initial 3 s; the last provider before the templates gets
// the longest budget (8 s), so a slow one still answers, and a hung one
// costs 8 s and a note.
func TestBudgetBeforeDataAndForTheLastProvider(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		first, second := pair(t)
		first.Fail(fake.Hang)
		r := newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Anthropic"}}, Logger: quiet})
		start := time.Now()
		resp, _ := r.Generate(ctx, titlesReq())
		if cost := time.Since(start) - 100*time.Millisecond; resp.Provider != "anthropic" || cost != DefaultBudgetInitial {
			t.Fatalf("cold: %s after %v extra, want anthropic after %v", resp.Provider, cost, DefaultBudgetInitial)
		}

		// a model slower than the initial budget: its first request goes to
		// the next provider, and the blown budget counts as its first time,
		// so once a check restores it, it gets 8 s and answers
		first.Fail(fake.SlowHeaders)
		first.SetSlow(5 * time.Second)
		first.FailChecks(fake.CheckOK)
		r = newRouter(t, Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Anthropic"}}, Logger: quiet})
		if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "anthropic" {
			t.Fatalf("slow model's first request: %s", resp.Provider)
		}
		if b := budgetOf(r.Snapshots()[0], "titles"); b != 8000 {
			t.Fatalf("budget after blowing the initial one: %v ms, want 8000", b)
		}
		r.CheckNow(ctx)
		start = time.Now()
		if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "groq" || resp.Fallback || time.Since(start) != 5*time.Second {
			t.Fatalf("slow model after a passing check: %s after %v", resp.Provider, time.Since(start))
		}

		slow := fake.NewInProcess(fake.OpenAI, "Slow but sure")
		slow.Fail(fake.SlowHeaders)
		slow.SetSlow(5 * time.Second)
		r = newRouter(t, Config{Providers: []Entry{{Provider: groqIn(slow), Label: "Groq"}}, Logger: quiet})
		start = time.Now()
		resp, _ = r.Generate(ctx, titlesReq())
		if resp.Provider != "groq" || time.Since(start) != 5*time.Second {
			t.Fatalf("the only provider, slow: %s after %v", resp.Provider, time.Since(start))
		}

		slow.Fail(fake.Hang)
		start = time.Now()
		resp, _ = r.Generate(ctx, titlesReq())
		want := []string{"Groq did not start answering within 8 s.", "Local templates answered instead."}
		if resp.Provider != "templates" || time.Since(start) != DefaultBudgetMax || strings.Join(resp.Notes, "|") != strings.Join(want, "|") {
			t.Fatalf("the only provider, hung: %s after %v, notes %q", resp.Provider, time.Since(start), resp.Notes)
		}
	})
}

func TestSamplesP95(t *testing.T) {
	var s samples
	if _, ok := s.p95(); ok {
		t.Fatal("p95 of nothing")
	}
	for i := 1; i <= 19; i++ {
		s.add(time.Duration(i) * time.Millisecond)
	}
	if p, _ := s.p95(); p != 19*time.Millisecond {
		t.Fatalf("p95 of 1..19 ms = %v, want the largest", p)
	}
	s.add(20 * time.Millisecond)
	if p, _ := s.p95(); p != 19*time.Millisecond {
		t.Fatalf("p95 of 1..20 ms = %v, want the 19th", p)
	}
	for i := 21; i <= 40; i++ { // the ring keeps 9..40
		s.add(time.Duration(i) * time.Millisecond)
	}
	if p, _ := s.p95(); p != 39*time.Millisecond {
		t.Fatalf("p95 of 9..40 ms = %v, want 39 ms", p)
	}
	b := budgeter{min: time.Second, max: 8 * time.Second, initial: 3 * time.Second, factor: 3}
	for _, sc := range []struct {
		p95  time.Duration
		ok   bool
		want time.Duration
	}{{0, false, 3 * time.Second}, {100 * time.Millisecond, true, time.Second}, {time.Second, true, 3 * time.Second}, {5 * time.Second, true, 8 * time.Second}} {
		if got := b.of(sc.p95, sc.ok); got != sc.want {
			t.Errorf("budget of p95 %v (%v) = %v, want %v", sc.p95, sc.ok, got, sc.want)
		}
	}
}
