package monitor

import (
	"context"
	"testing"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/cache"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

// instant is a provider that answers at once, so a benchmark through the
// router measures the router's own work and nothing of a network.
type instant struct{}

func (instant) Name() string { return "instant" }
func (instant) Generate(_ context.Context, req providers.Request) (providers.Response, error) {
	return providers.Response{Text: "Title one\nTitle two", Model: "m"}, nil
}

// BenchmarkMetricsCost is what the monitor adds to one routed request: a
// cache lookup counted and one provider attempt counted, timed and put in
// its error window. The router subbenchmarks route a request to an
// in-process provider without and with the monitor as observer, so their
// difference is the same cost seen from the router, and "direct" is the
// provider alone: router − direct is the router's overhead.
func BenchmarkMetricsCost(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	lat := 120 * time.Millisecond
	b.Run("observer-per-request", func(b *testing.B) {
		for b.Loop() {
			f.m.CacheLookup(cache.Miss)
			f.m.Attempt("groq", nil, lat)
		}
	})
	b.Run("observer-per-request-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				f.m.CacheLookup(cache.Miss)
				f.m.Attempt("groq", nil, lat)
			}
		})
	})
	tpl, err := templates.New(templates.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	req := providers.Request{Task: providers.TaskTitles, User: "Ten titles about sourdough", Topic: "sourdough"}
	newRouter := func(obs router.Observer) *router.Router {
		r, err := router.New(router.Config{Providers: []router.Entry{{Provider: instant{}}}, Fallback: tpl, Observer: obs,
			GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("direct", func(b *testing.B) {
		var p instant
		for b.Loop() {
			if _, err := p.Generate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, sc := range []struct {
		name string
		obs  router.Observer
	}{{"router", nil}, {"router+monitor", f.m}} {
		b.Run(sc.name, func(b *testing.B) {
			r := newRouter(sc.obs)
			for b.Loop() {
				if resp, err := r.Generate(ctx, req); err != nil || resp.Provider != "instant" {
					b.Fatal(resp.Provider, err)
				}
			}
		})
	}
}

// BenchmarkTick is one snapshot with a router of six providers, the
// cache and the pool plugged in, as the loop takes every 1.5 s.
func BenchmarkTick(b *testing.B) {
	f := newFixture(b)
	provs := make([]ProviderStatus, 6)
	for i := range provs {
		provs[i] = healthyGroq()
		provs[i].Name = string(rune('a' + i))
	}
	f.m.setSources(Sources{Providers: func() []ProviderStatus { return provs }, Cache: func() cache.Stats { return cache.Stats{L1Hits: 3, Misses: 9} }})
	ctx := context.Background()
	for b.Loop() {
		if err := f.m.Tick(ctx, f.clk.Add(1500*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
}
