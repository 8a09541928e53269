package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/faultproxy"
	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/supabase"
)

func TestFaultProxyConverges(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "faults@example.com")
	proxy, err := faultproxy.Start(strings.TrimPrefix(h.URL, "http://"), 0, 3000, 42)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	d := newDevice(t, h, devOpts{url: "http://" + proxy.Addr(), batch: 40, page: 50, configure: func(c *supabase.Config) {
		c.Timeout = 400 * time.Millisecond // a stalled connection costs this much
		c.Transport = &http.Transport{DisableKeepAlives: true}
	}})
	s := d.signIn(t, "faults@example.com")
	proxy.SetRate(0.5) // from now on about half of the connections break
	var ids []string
	var failed int
	for round := 0; round < 3; round++ {
		ids = append(ids, putChannels(t, d.st, 100, fmt.Sprintf("round %d", round))...)
		for i := 0; i < 30; i++ {
			rename(t, d.st, ids[(i*13+round)%len(ids)], fmt.Sprintf("renamed %d/%d", round, i))
		}
		for i := 0; i < 5; i++ {
			remove(t, d.st, ids[(i*29+round*3)%len(ids)])
		}
		failed += d.syncUntil(t, 3000)
	}
	// A second device pulls everything through the same faults, in small pages.
	e := newDevice(t, h, devOpts{url: "http://" + proxy.Addr(), page: 25, configure: func(c *supabase.Config) {
		c.Timeout = 400 * time.Millisecond
		c.Transport = &http.Transport{DisableKeepAlives: true}
	}})
	proxy.SetRate(0)
	e.signIn(t, "faults@example.com")
	proxy.SetRate(0.5)
	failed += e.syncUntil(t, 3000)
	proxy.SetRate(0)
	d.syncUntil(t, 1)
	assertConverged(t, h, d.st, s.UserID, 300)
	if got, want := localRows(t, e.st), localRows(t, d.st); len(got) != len(want) {
		t.Fatalf("the second device has %d rows, want %d", len(got), len(want))
	} else {
		for id, v := range want {
			if got[id] != v {
				t.Fatalf("row %s on the second device = %+v, want %+v", id, got[id], v)
			}
		}
	}
	cut, stall, reset := proxy.Counts[faultproxy.Cut].Load(), proxy.Counts[faultproxy.Stall].Load(), proxy.Counts[faultproxy.Reset].Load()
	if cut == 0 || stall == 0 || reset == 0 || failed == 0 {
		t.Fatalf("faults: cut %d, stall %d, reset %d, failed syncs %d: every kind should have struck", cut, stall, reset, failed)
	}
	t.Logf("converged through %d cuts, %d stalls, %d resets (%d failed syncs)", cut, stall, reset, failed)
}

func TestPostgresRestartMidBatchConverges(t *testing.T) {
	var posts, gets atomic.Int64
	var pulling atomic.Bool
	restart := func() {
		if err := pg.Restart(); err != nil {
			t.Error(err)
		}
	}
	h := gateway.Start(t, pg, gateway.Options{BeforeStatement: func(r *http.Request) {
		// The statement of this request runs on a connection the restart kills.
		pull := r.Method == http.MethodGet || gateway.RPCArgs(r) != nil
		switch {
		case r.Method == http.MethodPost && !pull && posts.Add(1) == 3:
			restart()
		case pull && pulling.Load() && gets.Add(1) == 2:
			restart()
		}
	}})
	signUp(t, h, "restart@example.com")
	d := newDevice(t, h, devOpts{batch: 50})
	s := d.signIn(t, "restart@example.com")
	e := newDevice(t, h, devOpts{page: 100})
	e.signIn(t, "restart@example.com")
	putChannels(t, d.st, 500, "restart")
	if failed := d.syncUntil(t, 50); failed == 0 {
		t.Fatal("the restart did not interrupt the push")
	}
	// The second device pulls in pages, and the database restarts under its second page.
	pulling.Store(true)
	if failed := e.syncUntil(t, 50); failed == 0 {
		t.Fatal("the restart did not interrupt the pull")
	}
	for i := 0; i < 5; i++ { // let the test's own pool drop connections the restart broke
		if _, err := h.Admin.Exec(`SELECT 1`); err == nil {
			break
		}
	}
	if dls, _ := d.sy.DeadLetters(context.Background()); len(dls) != 0 {
		t.Fatalf("the restart dead-lettered %d changes: %+v", len(dls), dls[0])
	}
	assertConverged(t, h, d.st, s.UserID, 500)
	if got, want := localRows(t, e.st), localRows(t, d.st); len(got) != len(want) {
		t.Fatalf("the second device has %d rows, want %d", len(got), len(want))
	} else {
		for id, v := range want {
			if got[id] != v {
				t.Fatalf("row %s on the second device = %+v, want %+v", id, got[id], v)
			}
		}
	}
}

// childMain plays the app in a re-executed test binary: it syncs a
// database (writing more changes meanwhile) until it is done or killed.
func childMain() int {
	ctx := context.Background()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 2 }
	var sess supabase.Session
	if err := json.Unmarshal([]byte(os.Getenv("CHILD_SESSION")), &sess); err != nil {
		return fail(err)
	}
	writes, _ := strconv.Atoi(os.Getenv("CHILD_WRITES"))
	st, err := store.Open(ctx, os.Getenv("CHILD_DB"), store.Options{})
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	sy, err := cloudsync.New(ctx, cloudsync.Options{Store: st, BatchSize: 20})
	if err != nil {
		return fail(err)
	}
	cl, err := supabase.New(supabase.Config{URL: os.Getenv("CHILD_URL"), AnonKey: os.Getenv("CHILD_KEY"), Timeout: 5 * time.Second})
	if err != nil {
		return fail(err)
	}
	cl.Restore(sess)
	if _, err := sy.Adopt(ctx, sess.UserID); err != nil {
		return fail(err)
	}
	sy.SetRemote(cl, sess.Email)
	var ids []string
	rows, err := st.ReadDB().Query(`SELECT id FROM channels ORDER BY id`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // local writes land while batches are in flight
		defer wg.Done()
		for i := 0; i < writes; i++ {
			id := ids[rand.IntN(len(ids))]
			_ = st.Mutate(ctx, func(m *store.Mutation) error {
				r, err := store.ChannelEntity.GetRow(ctx, m.Tx(), id)
				if err != nil {
					return err
				}
				r["name"] = fmt.Sprintf("child write %d", i)
				_, err = m.Put(store.ChannelEntity, r)
				return err
			})
		}
	}()
	for i := 0; ; i++ {
		err := sy.Sync(ctx)
		if err == nil {
			break
		}
		if i > 50 {
			return fail(err)
		}
	}
	wg.Wait()
	if err := sy.Sync(ctx); err != nil {
		return fail(err)
	}
	return 0
}

func TestKilledDuringPushConverges(t *testing.T) {
	const trials = 20
	var victim atomic.Pointer[os.Process]
	var writes, killAt, afterCommit atomic.Int64
	kill := func(when int64) {
		if writes.Load() == killAt.Load() && afterCommit.Load() == when {
			if p := victim.Swap(nil); p != nil {
				_ = p.Kill()
			}
		}
	}
	h := gateway.Start(t, pg, gateway.Options{
		BeforeStatement: func(r *http.Request) {
			if r.Method == http.MethodPost {
				writes.Add(1)
				kill(0) // killed with the batch about to commit
			}
		},
		AfterCommit: func(r *http.Request) { kill(1) }, // committed, the answer never arrives
	})
	rng := rand.New(rand.NewPCG(7, 11))
	run := func(path string, s supabase.Session, nwrites int) error {
		raw, _ := json.Marshal(s)
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_DB="+path, "CHILD_URL="+h.URL, "CHILD_KEY="+h.AnonKey(),
			"CHILD_SESSION="+string(raw), "CHILD_WRITES="+strconv.Itoa(nwrites))
		var out strings.Builder
		cmd.Stderr = &out
		if err := cmd.Start(); err != nil {
			return err
		}
		victim.Store(cmd.Process)
		err := cmd.Wait()
		victim.Store(nil)
		if err != nil && out.Len() > 0 {
			return fmt.Errorf("%w: %s", err, out.String())
		}
		return err
	}
	var killed int
	for trial := 0; trial < trials; trial++ {
		email := fmt.Sprintf("kill%d@example.com", trial)
		s := signUp(t, h, email)
		path := filepath.Join(t.TempDir(), "tubeagency.db")
		st := openStore(t, path, nil)
		putChannels(t, st, 150, "kill")
		st.Close()

		writes.Store(0)
		killAt.Store(1 + rng.Int64N(8))
		afterCommit.Store(rng.Int64N(2))
		err := run(path, s, 40)
		if err != nil {
			if !strings.Contains(err.Error(), "killed") {
				t.Fatalf("trial %d: child failed: %v", trial, err)
			}
			killed++
		}
		killAt.Store(-1)
		if err := run(path, s, 0); err != nil { // the app restarts and finishes
			t.Fatalf("trial %d: restarted child: %v", trial, err)
		}
		st = openStore(t, path, nil)
		assertConverged(t, h, st, s.UserID, 150)
		st.Close()
	}
	if killed < trials*3/4 {
		t.Fatalf("only %d of %d trials were killed mid-push", killed, trials)
	}
	t.Logf("%d of %d trials killed mid-push, all converged", killed, trials)
}
