package router

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/cache"
	"tubeagency/providers/fake"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// BenchmarkOverhead compares a direct client call with the same call
// through the router, on the same local fake server in the same run. The
// difference is the router's overhead.
func BenchmarkOverhead(b *testing.B) {
	srv := fake.New(fake.OpenAI, "Title one\nTitle two\nTitle three")
	defer srv.Close()
	ctx := context.Background()
	client := groq(srv.URL)
	req := titlesReq()
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := client.Generate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("router", func(b *testing.B) {
		r := newRouter(b, Config{Providers: []Entry{{Provider: client, RPM: 1 << 30}}, GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, Logger: quiet})
		for b.Loop() {
			if resp, err := r.Generate(ctx, req); err != nil || resp.Provider != "groq" {
				b.Fatal(resp.Provider, err)
			}
		}
	})
	b.Run("router+quota", func(b *testing.B) {
		st := openStore(b, filepath.Join(b.TempDir(), "q.db"), time.Now)
		defer st.Close()
		q, err := OpenQuotas(ctx, st, time.Now)
		if err != nil {
			b.Fatal(err)
		}
		r := newRouter(b, Config{Providers: []Entry{{Provider: client, RPM: 1 << 30, DailyQuota: 1 << 30}}, GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, Quotas: q, Logger: quiet})
		for b.Loop() {
			if resp, err := r.Generate(ctx, req); err != nil || resp.Provider != "groq" {
				b.Fatal(resp.Provider, err)
			}
		}
	})
	b.Run("router+cache-miss", func(b *testing.B) {
		st := openStore(b, filepath.Join(b.TempDir(), "c.db"), time.Now)
		defer st.Close()
		c, err := cache.Open(ctx, st, cache.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r := newRouter(b, Config{Providers: []Entry{{Provider: client, RPM: 1 << 30}}, GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, Cache: c, Logger: quiet})
		i := 0
		for b.Loop() {
			rq := req
			rq.Topic = fmt.Sprint("topic-", i) // every request new: lookup misses, answer is stored
			i++
			if resp, err := r.Generate(ctx, rq); err != nil || resp.Cached {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCacheHit is a full router answer from each cache tier.
func BenchmarkCacheHit(b *testing.B) {
	ctx := context.Background()
	srv := fake.New(fake.OpenAI, "Title one\nTitle two\nTitle three")
	defer srv.Close()
	st := openStore(b, filepath.Join(b.TempDir(), "c.db"), time.Now)
	defer st.Close()
	c, err := cache.Open(ctx, st, cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := newRouter(b, Config{Providers: []Entry{{Provider: groq(srv.URL)}}, GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, Cache: c, Logger: quiet})
	req := titlesReq()
	if _, err := r.Generate(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.Run("L1", func(b *testing.B) {
		for b.Loop() {
			if resp, _ := r.Generate(ctx, req); !resp.Cached {
				b.Fatal("not cached")
			}
		}
	})
	b.Run("L2", func(b *testing.B) {
		for b.Loop() {
			c.FlushL1() // as after a restart: only the SQLite tier holds the answer
			if resp, _ := r.Generate(ctx, req); !resp.Cached {
				b.Fatal("not cached")
			}
		}
	})
}

// BenchmarkFirstProviderDown measures an answer when the first provider's
// server is down and its breaker is open, so the second answers at once.
func BenchmarkFirstProviderDown(b *testing.B) {
	ctx := context.Background()
	second := fake.New(fake.Anthropic, "Title one\nTitle two")
	defer second.Close()
	r := newRouter(b, Config{Providers: []Entry{{Provider: groq(fake.RefusedURL())}, {Provider: claude(second.URL)}},
		GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, BreakerThreshold: 1, BreakerCooldown: time.Hour, MaxAttempts: 1, Logger: quiet})
	r.Generate(ctx, titlesReq()) // trips the first provider's breaker
	if r.Snapshots()[0].State != StateBreakerOpen {
		b.Fatal("breaker not open")
	}
	b.Run("breaker-open", func(b *testing.B) {
		for b.Loop() {
			if resp, err := r.Generate(ctx, titlesReq()); err != nil || resp.Provider != "anthropic" || resp.Attempts != 1 {
				b.Fatal(resp, err)
			}
		}
	})
	b.Run("direct-second", func(b *testing.B) {
		c := claude(second.URL)
		for b.Loop() {
			if _, err := c.Generate(ctx, titlesReq()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var _ = providers.TaskTitles

// constProvider answers at once from memory, so the router's own work is
// all that is measured.
type constProvider struct{ resp providers.Response }

func (p constProvider) Name() string { return p.resp.Provider }
func (p constProvider) Generate(ctx context.Context, _ providers.Request) (providers.Response, error) {
	return p.resp, ctx.Err()
}

// BenchmarkOverheadInProcess isolates the router's cost from HTTP noise:
// the same provider answering from memory, called directly and through
// the router (limits, breaker, health order, attempt context, observer).
func BenchmarkOverheadInProcess(b *testing.B) {
	ctx := context.Background()
	p := constProvider{providers.Response{Provider: "mem", Text: "Title one\nTitle two"}}
	req := titlesReq()
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Generate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("router", func(b *testing.B) {
		r := newRouter(b, Config{Providers: []Entry{{Provider: p, RPM: 1 << 30}}, GlobalRPM: 1 << 30, ChannelRPM: 1 << 30, Logger: quiet, Observer: newRecorder()})
		b.ReportAllocs()
		cpu0, ok := cpuTime()
		for b.Loop() {
			if resp, err := r.Generate(ctx, req); err != nil || resp.Provider != "mem" {
				b.Fatal(resp.Provider, err)
			}
		}
		// CPU time per request (the router's work and its share of GC):
		// unlike ns/op, other processes on a loaded machine hardly move it
		if cpu1, ok1 := cpuTime(); ok && ok1 {
			b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
		}
	})
}
