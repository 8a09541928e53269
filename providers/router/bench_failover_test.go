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
// second provider directly in the same run (the first sub-benchmark), and
// "first-hits/op", the calls the failing provider received.

// direct is the baseline: the mean time of a direct call to the second
// provider, measured in the same run (200 calls after 20 to warm the
// connection), whatever -benchtime says. It is reported as "direct-ms".
func direct(b *testing.B, second *fake.Server) *time.Duration {
	c := claude(second.URL)
	call := func() {
		if _, err := c.Generate(context.Background(), titlesReq()); err != nil {
			b.Fatal(err)
		}
	}
	for range 20 {
		call()
	}
	t0 := time.Now()
	for range 200 {
		call()
	}
	per := time.Since(t0) / 200
	return &per
}

// report adds the figures every failover benchmark reports.
func report(b *testing.B, base *time.Duration, first *fake.Server, hits0 int) {
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(*base)/1e6, "direct-ms")
	b.ReportMetric(float64(per-*base)/1e6, "extra-ms/op")
	b.ReportMetric(float64(first.Calls()-hits0)/float64(b.N), "first-hits/op")
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

// firstRequest times one request per iteration on a fresh router whose
// first provider has just started failing with fault.
func firstRequest(b *testing.B, first, second *fake.Server, fault string, cfg Config, base *time.Duration) {
	hits := 0
	var spent time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		r := failover(b, first, second, cfg)
		first.Fail(fault)
		before := first.Calls()
		b.StartTimer()
		t0 := time.Now()
		resp, err := r.Generate(context.Background(), titlesReq())
		spent += time.Since(t0)
		b.StopTimer()
		hits += first.Calls() - before
		if err != nil || resp.Provider != "anthropic" {
			b.Fatalf("answered by %s: %v", resp.Provider, err)
		}
	}
	b.ReportMetric(float64(*base)/1e6, "direct-ms")
	b.ReportMetric(float64(spent/time.Duration(b.N)-*base)/1e6, "extra-ms/op")
	b.ReportMetric(float64(hits)/float64(b.N), "first-hits/op")
}

// BenchmarkPrimaryHangs: the first provider hangs (no byte at all). The
// first request costs its 1 s budget (half of it with hedging); once it is
// demoted, requests cost nothing over the second provider's own time.
func BenchmarkPrimaryHangs(b *testing.B) {
	first := fake.New(fake.OpenAI, "Groq title")
	defer first.Close()
	second := fake.New(fake.Anthropic, "Claude title")
	defer second.Close()
	base := direct(b, second)
	b.Run("first-request", func(b *testing.B) { firstRequest(b, first, second, fake.Hang, Config{}, base) })
	b.Run("first-request-hedged", func(b *testing.B) { firstRequest(b, first, second, fake.Hang, Config{Hedge: true}, base) })
	b.Run("first-request-cold", func(b *testing.B) { // no answer from it yet: the initial 3 s budget
		hits := 0
		var spent time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			r := newRouter(b, Config{Providers: []Entry{{Provider: groq(first.URL)}, {Provider: claude(second.URL)}}, Logger: quiet})
			first.Fail(fake.Hang)
			before := first.Calls()
			b.StartTimer()
			t0 := time.Now()
			resp, err := r.Generate(context.Background(), titlesReq())
			spent += time.Since(t0)
			b.StopTimer()
			hits += first.Calls() - before
			if err != nil || resp.Provider != "anthropic" {
				b.Fatalf("answered by %s: %v", resp.Provider, err)
			}
		}
		b.ReportMetric(float64(*base)/1e6, "direct-ms")
		b.ReportMetric(float64(spent/time.Duration(b.N)-*base)/1e6, "extra-ms/op")
		b.ReportMetric(float64(hits)/float64(b.N), "first-hits/op")
	})
	b.Run("demoted", func(b *testing.B) {
		r := failover(b, first, second, Config{})
		first.Fail(fake.Hang)
		r.Generate(context.Background(), titlesReq())
		hits := first.Calls()
		for b.Loop() {
			if resp, err := r.Generate(context.Background(), titlesReq()); err != nil || resp.Provider != "anthropic" {
				b.Fatal(resp.Provider, err)
			}
		}
		report(b, base, first, hits)
	})
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
	base := direct(b, second)
	b.Run("first-request", func(b *testing.B) { firstRequest(b, first, second, fake.Status429, Config{}, base) })
	b.Run("during-cooldown", func(b *testing.B) {
		r := failover(b, first, second, Config{})
		first.Fail(fake.Status429)
		r.Generate(context.Background(), titlesReq())
		hits := first.Calls()
		for b.Loop() {
			if resp, err := r.Generate(context.Background(), titlesReq()); err != nil || resp.Provider != "anthropic" {
				b.Fatal(resp.Provider, err)
			}
		}
		report(b, base, first, hits)
	})
}

// BenchmarkPrimary5xx: the first provider starts answering 500, or resets
// the connection. The first request costs one call to it and falls
// through at once.
func BenchmarkPrimary5xx(b *testing.B) {
	first := fake.New(fake.OpenAI, "Groq title")
	defer first.Close()
	second := fake.New(fake.Anthropic, "Claude title")
	defer second.Close()
	base := direct(b, second)
	b.Run("first-request-500", func(b *testing.B) { firstRequest(b, first, second, fake.Status500, Config{}, base) })
	b.Run("first-request-reset", func(b *testing.B) { firstRequest(b, first, second, fake.Reset, Config{}, base) })
	b.Run("demoted-500", func(b *testing.B) {
		r := failover(b, first, second, Config{})
		first.Fail(fake.Status500)
		r.Generate(context.Background(), titlesReq())
		hits := first.Calls()
		for b.Loop() {
			if resp, err := r.Generate(context.Background(), titlesReq()); err != nil || resp.Provider != "anthropic" {
				b.Fatal(resp.Provider, err)
			}
		}
		report(b, base, first, hits)
	})
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
