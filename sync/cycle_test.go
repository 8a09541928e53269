package sync_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/faultproxy"
	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/supabase"
)

// TestLoneDeviceCursorReachesHead: a device that is the account's only
// writer is sent none of its own rows by tubeagency_pull, but the page's
// "last" covers them, so every cursor reaches the server's head (in one
// request, though it pushed far more than a page), and from then on an
// idle sync is one request that returns nothing.
func TestLoneDeviceCursorReachesHead(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "lone@example.com")
	d := newDevice(t, h, devOpts{devices: true, page: 40})
	s := d.signIn(t, "lone@example.com")
	putChannels(t, d.st, 150, "lone") // several pages of 40
	before := h.Stats.Requests.Load()
	d.syncUntil(t, 1)
	// The first sync signed in: a pull (the schema is not known yet), four
	// pushes (channels, activity is none, the heartbeat) and a pull.
	if n := h.Stats.Requests.Load() - before; n > 5 {
		t.Fatalf("the first sync made %d requests", n)
	}
	var head int64
	if err := h.Admin.QueryRow(`SELECT max(s) FROM (SELECT max(server_seq) s FROM public.channels WHERE user_id = $1
		UNION ALL SELECT max(server_seq) FROM public.activity WHERE user_id = $1 UNION ALL SELECT max(server_seq) FROM public.devices WHERE user_id = $1) x`,
		s.UserID).Scan(&head); err != nil || head == 0 {
		t.Fatalf("server head %d (%v)", head, err)
	}
	for _, table := range []string{"channels", "packages", "activity", "devices"} {
		if c, err := d.sy.Cursor(context.Background(), table); err != nil || c != head {
			t.Fatalf("%s cursor = %d (%v), want the head %d", table, c, err, head)
		}
	}
	for i := range 3 {
		before := h.Stats.Requests.Load()
		d.syncUntil(t, 1)
		if n := h.Stats.Requests.Load() - before; n != 1 {
			t.Fatalf("idle sync %d made %d requests, want 1", i, n)
		}
	}
	st, _ := d.sy.Status(context.Background())
	if st.PullMode != cloudsync.PullOneCall || st.PullNote != "" {
		t.Fatalf("status = %+v, want one request per pull", st)
	}
	assertConverged(t, h, d.st, s.UserID, 150)
}

// TestWriteOnAVisibleOnBWithinOnePull runs B's loop on the test's clock:
// every wait it asks for is seen, and time moves only when the test lets
// it. A write on A (pushed at once) is on B after B's next pull, at most
// one 5 s interval later, and each of B's idle cycles costs one request.
func TestWriteOnAVisibleOnBWithinOnePull(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "prop@example.com")
	a := newDevice(t, h, devOpts{devices: true})
	w := newWaits(t)
	b := newDevice(t, h, devOpts{devices: true, syncer: func(o *cloudsync.Options) { o.After = w.After }})
	s := a.signIn(t, "prop@example.com")
	b.signIn(t, "prop@example.com")
	a.syncUntil(t, 1)
	b.sy.Start(context.Background())
	defer func() { w.done(); b.sy.Stop() }()
	first := w.next(t) // b's first cycle is done
	if first > 5*time.Second {
		t.Fatalf("b waits %v between pulls, want at most 5 s", first)
	}
	for i := range 5 {
		id := putChannels(t, a.st, 1, "from a")[0]
		a.syncUntil(t, 1) // a's loop would push at once: its write wakes it
		before := h.Stats.Requests.Load()
		w.release <- struct{}{} // at most 5 s of b's time pass
		d := w.next(t)          // b pulled and waits again
		if got, ok := localRows(t, b.st)[id]; !ok || got.Name != "from a 0" {
			t.Fatalf("write %d not on b after one pull interval", i)
		}
		if n := h.Stats.Requests.Load() - before; n != 1 {
			t.Fatalf("b's cycle %d made %d requests, want 1", i, n)
		}
		if d > 5*time.Second || d < 4*time.Second { // the interval runs from the cycle's start
			t.Fatalf("after a remote change b waits %v, want what is left of 5 s", d)
		}
	}
	assertConverged(t, h, a.st, s.UserID, 5)
}

// TestPullIntervalAdapts: 5 s while changes flow, 30 s after 10 minutes
// without any (heartbeats do not count), 5 s again on a local write or a
// remote change.
func TestPullIntervalAdapts(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "adapt@example.com")
	clock := newVClock()
	a := newDevice(t, h, devOpts{devices: true, now: clock.Now})
	w := newWaits(t)
	b := newDevice(t, h, devOpts{devices: true, now: clock.Now, syncer: func(o *cloudsync.Options) { o.After = w.After }})
	a.signIn(t, "adapt@example.com")
	b.signIn(t, "adapt@example.com")
	b.sy.Start(context.Background())
	defer func() { w.done(); b.sy.Stop() }()
	step := func(want time.Duration, what string) {
		t.Helper()
		if got := w.next(t); got != want {
			t.Fatalf("%s: b waits %v, want %v", what, got, want)
		}
	}
	step(5*time.Second, "just signed in")
	clock.Advance(11 * time.Minute) // quiet (b's heartbeat falls due and is pushed: not a change)
	w.release <- struct{}{}
	step(30*time.Second, "after 11 quiet minutes")
	w.release <- struct{}{}
	step(30*time.Second, "still quiet")
	// A local write.
	putChannels(t, b.st, 1, "local")
	w.release <- struct{}{}
	step(5*time.Second, "after a local write")
	clock.Advance(11 * time.Minute)
	w.release <- struct{}{}
	step(30*time.Second, "quiet again")
	// A's heartbeat arrives: not a change of content.
	a.syncUntil(t, 1)
	w.release <- struct{}{}
	step(30*time.Second, "after another device's heartbeat")
	// A remote change.
	putChannels(t, a.st, 1, "remote")
	a.syncUntil(t, 1)
	w.release <- struct{}{}
	step(5*time.Second, "after a remote change")
	if st, _ := b.sy.Status(context.Background()); st.PullEveryMS != 5000 {
		t.Fatalf("status pull interval %d ms", st.PullEveryMS)
	}
}

// TestStatusAnswersWhilePushStalls: the network hangs (a proxy holds every
// byte) in the middle of a push; Status, which the dashboard and the
// monitor read every 1.5 s, still answers at once. Each answer is timed;
// the push stays stuck until the test releases it.
func TestStatusAnswersWhilePushStalls(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "stall@example.com")
	proxy, err := faultproxy.Start(strings.TrimPrefix(h.URL, "http://"), 0, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	d := newDevice(t, h, devOpts{url: "http://" + proxy.Addr(), configure: func(c *supabase.Config) { c.Timeout = time.Minute }})
	d.signIn(t, "stall@example.com")
	d.syncUntil(t, 1) // the schema is known: the next sync pushes first
	putChannels(t, d.st, 20, "stalled")
	ctx := context.Background()
	measure := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			t0 := time.Now()
			st, err := d.sy.Status(ctx)
			out[i] = time.Since(t0)
			if err != nil || st.Pending < 20 {
				t.Fatalf("status = %+v, %v", st, err)
			}
		}
		slices.Sort(out)
		return out
	}
	idle := measure(50)
	proxy.Hold()
	done := make(chan error, 1)
	go func() { done <- d.sy.Sync(ctx) }()
	for proxy.Held() == 0 {
		select {
		case err := <-done:
			t.Fatalf("the sync ended before the network stalled: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	stalled := measure(50)
	select {
	case err := <-done:
		t.Fatalf("the push did not stay stalled while Status was read: %v", err)
	default:
	}
	proxy.Release()
	if err := <-done; err != nil {
		t.Fatalf("the push after the stall: %v", err)
	}
	median, worst := stalled[len(stalled)/2], stalled[len(stalled)-1]
	t.Logf("Status while idle: median %v, worst %v; while the push stalls: median %v, worst %v", idle[len(idle)/2], idle[len(idle)-1], median, worst)
	// The push waits for a minute; Status must not wait with it. Median
	// under 10 ms; every answer far under the stall (a loaded machine may
	// delay one read, never by the request's minute).
	if median >= 10*time.Millisecond || worst >= 5*time.Second {
		t.Fatalf("Status while the push stalls: median %v, worst %v", median, worst)
	}
}
