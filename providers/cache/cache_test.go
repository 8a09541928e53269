package cache

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tubeagency/internal/store"
)

// clock is an injected wall clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func openStore(t testing.TB, path string, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{Now: now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return st
}

func openCache(t testing.TB, st *store.Store, opts Options) *Cache {
	t.Helper()
	c, err := Open(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("open cache: %v", err)
	}
	return c
}

func TestTTLExpiryPerClass(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "c.db"), clk.Now)
	defer st.Close()
	c := openCache(t, st, Options{Now: clk.Now})
	classes := []struct {
		class Class
		ttl   time.Duration
	}{{ClassTrends, time.Hour}, {ClassAnalytics, time.Hour}, {ClassScripts, 24 * time.Hour}, {ClassChannelMeta, 7 * 24 * time.Hour}}
	for _, cl := range classes {
		if err := c.Set(ctx, string(cl.class), cl.class, []byte("v-"+string(cl.class))); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Duration(0)
	for _, cl := range classes {
		t.Run(string(cl.class), func(t *testing.T) {
			clk.Add(cl.ttl - time.Second - elapsed)
			elapsed = cl.ttl - time.Second
			if v, tier, ok := c.Get(ctx, string(cl.class)); !ok || tier != L1 || string(v) != "v-"+string(cl.class) {
				t.Fatalf("1s before expiry: %q %v %v", v, tier, ok)
			}
			clk.Add(time.Second)
			elapsed += time.Second
			if _, tier, ok := c.Get(ctx, string(cl.class)); ok {
				t.Fatalf("at expiry still served from %v", tier)
			}
		})
	}
	// a fresh cache over the same table (empty L1) must not serve expired rows either
	if _, tier, ok := openCache(t, st, Options{Now: clk.Now}).Get(ctx, string(ClassTrends)); ok {
		t.Fatalf("expired row served from %v", tier)
	}
	n, err := c.Prune(ctx)
	if err != nil || n != 4 {
		t.Fatalf("prune removed %d, %v; want 4", n, err)
	}
	if s := c.Stats(); s.L2Bytes != 0 || s.L2Entries != 0 || s.L1Bytes != 0 {
		t.Fatalf("after prune stats = %+v", s)
	}
}

func TestL2HitAfterRestart(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "c.db")
	st := openStore(t, path, clk.Now)
	c := openCache(t, st, Options{Now: clk.Now})
	key := Key("titles", "channel-1", "sourdough")
	if err := c.Set(ctx, key, ClassScripts, []byte("ten titles")); err != nil {
		t.Fatal(err)
	}
	if _, tier, _ := c.Get(ctx, key); tier != L1 {
		t.Fatalf("first tier = %v, want l1", tier)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	clk.Add(time.Hour)
	st = openStore(t, path, clk.Now)
	defer st.Close()
	c = openCache(t, st, Options{Now: clk.Now})
	if s := c.Stats(); s.L2Entries != 1 || s.L2Bytes != int64(len("ten titles")) {
		t.Fatalf("reopened stats = %+v", s)
	}
	v, tier, ok := c.Get(ctx, key)
	if !ok || tier != L2 || string(v) != "ten titles" {
		t.Fatalf("after restart: %q %v %v, want an L2 hit", v, tier, ok)
	}
	if _, tier, _ := c.Get(ctx, key); tier != L1 {
		t.Fatalf("an L2 hit was not promoted: second tier = %v", tier)
	}
	c.FlushL1()
	if _, tier, _ := c.Get(ctx, key); tier != L2 || c.Stats().L1Bytes != int64(len("ten titles")) {
		t.Fatalf("after FlushL1 tier = %v, stats %+v", tier, c.Stats())
	}
	if _, tier, ok := c.Get(ctx, Key("titles", "channel-2", "sourdough")); ok || tier != Miss {
		t.Fatal("unknown key hit")
	}
	s := c.Stats()
	if s.L1Hits != 1 || s.L2Hits != 2 || s.Misses != 1 {
		t.Fatalf("counters = %+v, want 1 of each", s)
	}
}

func TestSizeCapHolds(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "c.db"), clk.Now)
	defer st.Close()
	const max = 10_000
	c := openCache(t, st, Options{Now: clk.Now, MaxBytes: max})
	value := bytes.Repeat([]byte("x"), 700)
	for i := 0; i < 100; i++ {
		clk.Add(time.Second) // later entries expire later
		if err := c.Set(ctx, fmt.Sprint("k", i), ClassScripts, value); err != nil {
			t.Fatal(err)
		}
		s := c.Stats()
		if s.L1Bytes > max || s.L2Bytes > max {
			t.Fatalf("after %d sets over the cap: %+v", i+1, s)
		}
	}
	var sum, n int64
	if err := st.ReadDB().QueryRow(`SELECT COALESCE(SUM(size),0), COUNT(*) FROM cache_entries`).Scan(&sum, &n); err != nil {
		t.Fatal(err)
	}
	s := c.Stats()
	if sum != s.L2Bytes || n != s.L2Entries || sum > max {
		t.Fatalf("table holds %d bytes in %d rows; stats %+v", sum, n, s)
	}
	if n != max/700 {
		t.Fatalf("kept %d entries, want %d", n, max/700)
	}
	if s.Evictions != uint64(100-n) {
		t.Fatalf("evictions = %d, want %d", s.Evictions, 100-n)
	}
	if _, _, ok := c.Get(ctx, "k99"); !ok {
		t.Fatal("the newest entry was evicted")
	}
	if _, _, ok := c.Get(ctx, "k0"); ok {
		t.Fatal("the oldest entry survived the cap")
	}
	if err := c.Set(ctx, "huge", ClassScripts, make([]byte, max+1)); err == nil {
		t.Fatal("a value over the cap was accepted")
	}
	if err := c.Delete(ctx, "k99"); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Get(ctx, "k99"); ok {
		t.Fatal("deleted key still served")
	}
	if got := c.Stats().L2Entries; got != n-1 {
		t.Fatalf("entries after delete = %d", got)
	}
}

func TestKeyIsUnambiguous(t *testing.T) {
	x1, x2 := Key("x", "y"), Key("x", "y")
	if Key("ab", "c") == Key("a", "bc") || Key("a") == Key("a", "") || x1 != x2 {
		t.Fatal("Key collides or is not deterministic")
	}
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	st := openStore(b, filepath.Join(b.TempDir(), "c.db"), time.Now)
	defer st.Close()
	c := openCache(b, st, Options{})
	value := bytes.Repeat([]byte("title line\n"), 80)
	if err := c.Set(ctx, "k", ClassScripts, value); err != nil {
		b.Fatal(err)
	}
	b.Run("L1", func(b *testing.B) {
		for b.Loop() {
			if _, tier, _ := c.Get(ctx, "k"); tier != L1 {
				b.Fatal(tier)
			}
		}
	})
	b.Run("L2", func(b *testing.B) {
		for b.Loop() {
			c.FlushL1()
			if _, tier, _ := c.Get(ctx, "k"); tier != L2 {
				b.Fatal(tier)
			}
		}
	})
}

// Two caches over one table (the router's and the insights component's)
// still hold the table under the cap together.
func TestSizeCapHoldsAcrossTwoCaches(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "c.db"), clk.Now)
	defer st.Close()
	const max = 5_000
	a := openCache(t, st, Options{Now: clk.Now, MaxBytes: max})
	b := openCache(t, st, Options{Now: clk.Now, MaxBytes: max})
	value := bytes.Repeat([]byte("y"), 400)
	for i := 0; i < 40; i++ {
		clk.Add(time.Second)
		c := a
		if i%2 == 1 {
			c = b
		}
		if err := c.Set(ctx, fmt.Sprint("k", i), ClassAnalytics, value); err != nil {
			t.Fatal(err)
		}
		var sum int64
		if err := st.ReadDB().QueryRow(`SELECT COALESCE(SUM(size),0) FROM cache_entries`).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum > max {
			t.Fatalf("after %d sets the table holds %d bytes, over the %d cap", i+1, sum, max)
		}
		if got := c.Stats().L2Bytes; got != sum {
			t.Fatalf("stats say %d bytes, table holds %d", got, sum)
		}
	}
	if _, _, ok := b.Get(ctx, "k39"); !ok {
		t.Fatal("newest entry missing")
	}
}
