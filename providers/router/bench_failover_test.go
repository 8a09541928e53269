package router

import (
	"context"
	"testing"
	"time"

	"tubeagency/providers/fake"
)

// The failover benchmarks measure, against the loopback fake servers of
// providers/fake, what a failing first provider costs a request when the
// second is healthy: each reports "extra-ms/op", the time over calling the
// second provider directly in the same run (see paired), and
// "first-hits/op", the calls the failing provider received.

// paired measures the router against the baseline in the same run: each
// iteration calls the second provider directly (timer stopped), then
// makes the routed request (setup, when set, runs first, timer stopped),
// so load that comes and goes on the machine weighs on both alike. It
// reports "direct-ms" (the mean direct call), "extra-ms/op" (the mean
// routed request less the mean direct call) and "first-hits/op".
func paired(b *testing.B, first, second *fake.Server, setup func() *Router, r *Router) {
	c := claude(second.URL)
	for range 5 { // warm the connection
		c.Generate(context.Background(), titlesReq())
	}
	var direct, routed time.Duration
	hits := 0
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := c.Generate(context.Background(), titlesReq()); err != nil {
			b.Fatal(err)
		}
		direct += time.Since(t0)
		if setup != nil {
			r = setup()
		}
		before := first.Calls()
		b.StartTimer()
		t0 = time.Now()
		resp, err := r.Generate(context.Background(), titlesReq())
		routed += time.Since(t0)
		b.StopTimer()
		hits += first.Calls() - before
		if err != nil || resp.Provider != "anthropic" {
			b.Fatalf("answered by %s: %v", resp.Provider, err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(direct)/n/1e6, "direct-ms")
	b.ReportMetric(float64(routed-direct)/n/1e6, "extra-ms/op")
	b.ReportMetric(float64(hits)/n, "first-hits/op")
}

// failover builds a router over first and second whose first provider has
// answered a few requests (so its first-byte budget is 1 s, the floor).
func failover(b *testing.B, first, second *fake.Server, cfg Config) *Router {
	b.Helper()
	cfg.Providers = []Entry{{Provider: groq(first.URL), Label: "Groq"}, {Provider: claude(second.URL), Label: "Claude"}}
	cfg.GlobalRPM, cfg.ChannelRPM, cfg.Logger = 1<<30, 1<<30, quiet
	r := newRouter(b, cfg)
	first.Fail(fake.OK)
	for range 3 {
		if resp, err := r.Generate(context.Background(), titlesReq()); err != nil || resp.Provider != "groq" {
			b.Fatalf("warm-up: %s %v", resp.Provider, err)
		}
	}
	return r
}

// firstRequest times the first request to a fresh router whose first
// provider has just started failing with fault.
func firstRequest(b *testing.B, first, second *fake.Server, fault string, cfg Config) {
	paired(b, first, second, func() *Router {
		r := failover(b, first, second, cfg)
		first.Fail(fault)
		return r
	}, nil)
}

// afterwards times requests once the first provider's failure with fault
// is known (it is demoted or in a cooldown).
func afterwards(b *testing.B, first, second *fake.Server, fault string) {
	r := failover(b, first, second, Config{})
	first.Fail(fault)
	if resp, _ := r.Generate(context.Background(), titlesReq()); resp.Provider != "anthropic" {
		b.Fatalf("first failure answered by %s", resp.Provider)
	}
	paired(b, first, second, nil, r)
}

// BenchmarkPrimaryHangs: the first provider hangs (no byte at all). The
// first request costs its 1 s budget (half of it with hedging); once it is
// demoted, requests cost nothing over the second provider's own time.
func BenchmarkPrimaryHangs(b *testing.B) {
	first := fake.New(fake.OpenAI, "Groq title")
	defer first.Close()
	second := fake.New(fake.Anthropic, "Claude title")
	defer second.Close()
	b.Run("first-request", func(b *testing.B) { firstRequest(b, first, second, fake.Hang, Config{}) })
	b.Run("first-request-hedged", func(b *testing.B) { firstRequest(b, first, second, fake.Hang, Config{Hedge: true}) })
	b.Run("first-request-cold", func(b *testing.B) { // no answer from it yet: the initial 3 s budget
		paired(b, first, second, func() *Router {
			first.Fail(fake.Hang)
			return newRouter(b, Config{Providers: []Entry{{Provider: groq(first.URL)}, {Provider: claude(second.URL)}}, Logger: quiet})
		}, nil)
	})
	b.Run("demoted", func(b *testing.B) { afterwards(b, first, second, fake.Hang) })
}

// BenchmarkPrimary429: the first provider answers 429 with Retry-After.
// The first request falls through at once (one call to it, no wait); the
// requests during its cooldown send it nothing.
func BenchmarkPrimary429(b *testing.B) {
	first := fake.New(fake.OpenAI, "Groq title")
	defer first.Close()
	second := fake.New(fake.Anthropic, "Claude title")
	defer second.Close()
	first.SetRetryAfter("3600")
	b.Run("first-request", func(b *testing.B) { firstRequest(b, first, second, fake.Status429, Config{}) })
	b.Run("during-cooldown", func(b *testing.B) { afterwards(b, first, second, fake.Status429) })
}

// BenchmarkPrimary5xx: the first provider starts answering 500, or resets
// the connection. The first request costs one call to it and falls
// through at once.
func BenchmarkPrimary5xx(b *testing.B) {
	first := fake.New(fake.OpenAI, "Groq title")
	defer first.Close()
	second := fake.New(fake.Anthropic, "Claude title")
	defer second.Close()
	b.Run("first-request-500", func(b *testing.B) { firstRequest(b, first, second, fake.Status500, Config{}) })
	b.Run("first-request-reset", func(b *testing.B) { firstRequest(b, first, second, fake.Reset, Config{}) })
	b.Run("demoted-500", func(b *testing.B) { afterwards(b, first, second, fake.Status500) })
}

// BenchmarkRecovery: the time from the first provider answering again to
// its first routed answer, with the router's health loop running every
// 500 ms and requests every 5 ms. It reports the mean and the worst, in
// health intervals (goal: at most one). "breaker-open" starts from an
// open breaker whose own cooldown (an hour) never ends in the run.
func BenchmarkRecovery(b *testing.B) {
	const interval = 500 * time.Millisecond
	for _, sc := range []struct {
		name    string
		breaker bool
	}{{"demoted", false}, {"breaker-open", true}} {
		b.Run(sc.name, func(b *testing.B) {
			first := fake.New(fake.OpenAI, "Groq title")
			defer first.Close()
			second := fake.New(fake.Anthropic, "Claude title")
			defer second.Close()
			cfg := Config{HealthInterval: interval, BreakerCooldown: time.Hour}
			if sc.breaker {
				cfg.BreakerThreshold = 1
			}
			r := failover(b, first, second, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r.Start(ctx)
			defer r.Stop()
			var worst, total time.Duration
			phase := 0
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				first.Fail(fake.Status500)
				if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "anthropic" {
					b.Fatalf("while failing: %s", resp.Provider)
				}
				if sc.breaker && r.Snapshots()[0].Breaker != "open" {
					b.Fatal("breaker not open")
				}
				// recover at a different phase of the health loop each time
				phase = (phase + 7) % 10
				time.Sleep(interval + time.Duration(phase)*interval/10)
				first.Fail(fake.OK)
				t0 := time.Now()
				b.StartTimer()
				for {
					resp, err := r.Generate(ctx, titlesReq())
					if err != nil {
						b.Fatal(err)
					}
					if resp.Provider == "groq" {
						break
					}
					if time.Since(t0) > 5*interval {
						b.Fatalf("not back after %v", time.Since(t0))
					}
					time.Sleep(5 * time.Millisecond)
				}
				b.StopTimer()
				took := time.Since(t0)
				total += took
				worst = max(worst, took)
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(interval), "intervals/op")
			b.ReportMetric(float64(worst)/float64(interval), "worst-intervals")
		})
	}
}
