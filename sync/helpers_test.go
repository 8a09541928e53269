package sync_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/internal/pgtest"
	"tubeagency/sync/supabase"
)

var pg *pgtest.Server

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	os.Exit(pgtest.Main(m, &pg))
}

const password = "correct horse battery"

// device is one installation of the app: its own SQLite file, syncer and
// Supabase client.
type device struct {
	st  *store.Store
	sy  *cloudsync.Syncer
	cl  *supabase.Client
	dev *cloudsync.Devices // nil unless devOpts.devices
}

func openStore(tb testing.TB, path string, now func() time.Time, drift ...time.Duration) *store.Store {
	tb.Helper()
	opts := store.Options{Now: now}
	if len(drift) > 0 {
		opts.MaxClockDrift = drift[0]
	}
	st, err := store.Open(context.Background(), path, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

type devOpts struct {
	path      string
	now       func() time.Time
	drift     time.Duration // the store's MaxClockDrift; 0 = its default
	url       string
	batch     int
	page      int
	configure func(*supabase.Config)
	devices   bool                     // give the syncer this device's Devices
	syncer    func(*cloudsync.Options) // adjusts the syncer's options
}

func newDevice(tb testing.TB, h *gateway.Harness, o devOpts) *device {
	tb.Helper()
	if o.path == "" {
		o.path = filepath.Join(tb.TempDir(), "tubeagency.db")
	}
	if o.url == "" {
		o.url = h.URL
	}
	st := openStore(tb, o.path, o.now, o.drift)
	so := cloudsync.Options{Store: st, BatchSize: o.batch, PullPage: o.page}
	var dev *cloudsync.Devices
	if o.devices {
		var err error
		if dev, err = cloudsync.NewDevices(cloudsync.DevicesConfig{Store: st, Name: "device " + st.DeviceID()[:4], Version: "test"}); err != nil {
			tb.Fatal(err)
		}
		so.Devices = dev
	}
	if o.syncer != nil {
		o.syncer(&so)
	}
	sy, err := cloudsync.New(context.Background(), so)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := supabase.Config{URL: o.url, AnonKey: h.AnonKey(), Timeout: 5 * time.Second}
	if o.configure != nil {
		o.configure(&cfg)
	}
	cl, err := supabase.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &device{st: st, sy: sy, cl: cl, dev: dev}
}

// vclock is a settable wall clock for stores, syncers and devices.
type vclock struct {
	mu sync.Mutex
	t  time.Time
}

func newVClock() *vclock { return &vclock{t: time.Now()} }

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// waits hands a syncer's loop waits to the test: the loop blocks in each
// wait until the test calls release, so time is the test's to move.
type waits struct {
	asked   chan time.Duration
	release chan struct{}
	stop    chan struct{}
	once    sync.Once
}

func newWaits(tb testing.TB) *waits {
	w := &waits{asked: make(chan time.Duration), release: make(chan struct{}), stop: make(chan struct{})}
	tb.Cleanup(w.done)
	return w
}

// done lets every wait end, so the loop can stop: call it before Stop.
func (w *waits) done() { w.once.Do(func() { close(w.stop) }) }

// After is the syncer's Options.After.
func (w *waits) After(d time.Duration) <-chan time.Time {
	fired := make(chan time.Time, 1)
	select {
	case w.asked <- d:
	case <-w.stop:
		return make(chan time.Time) // never fires: the test is over
	}
	select {
	case <-w.release:
		fired <- time.Now()
	case <-w.stop:
	}
	return fired
}

// next is the wait the loop asks for now (it sits in it until release).
func (w *waits) next(tb testing.TB) time.Duration {
	tb.Helper()
	select {
	case d := <-w.asked:
		return d
	case <-time.After(60 * time.Second): // a failure guard, not a timing assertion
		tb.Fatal("the loop asked for no wait")
		return 0
	}
}

// signUp creates an account through the gateway and returns its session.
func signUp(tb testing.TB, h *gateway.Harness, email string) supabase.Session {
	tb.Helper()
	cl, err := supabase.New(supabase.Config{URL: h.URL, AnonKey: h.AnonKey()})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := cl.SignUp(context.Background(), email, password)
	if err != nil {
		tb.Fatalf("sign up %s: %v", email, err)
	}
	return s
}

// signIn signs the device in and adopts its rows, as the app does.
func (d *device) signIn(tb testing.TB, email string) supabase.Session {
	tb.Helper()
	ctx := context.Background()
	s, err := d.cl.SignIn(ctx, email, password)
	if err != nil {
		tb.Fatalf("sign in %s: %v", email, err)
	}
	if _, err := d.sy.Adopt(ctx, s.UserID); err != nil {
		tb.Fatal(err)
	}
	d.sy.SetRemote(d.cl, email)
	return s
}

// syncUntil calls Sync until it succeeds, at most tries times, and returns
// how many failed attempts it took.
func (d *device) syncUntil(tb testing.TB, tries int) int {
	tb.Helper()
	var err error
	for i := 0; i < tries; i++ {
		if err = d.sy.Sync(context.Background()); err == nil {
			return i
		}
	}
	tb.Fatalf("no successful sync after %d tries: %v", tries, err)
	return tries
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func channelRow(id, name string) store.Row {
	return store.Row{"id": id, "name": name, "niche": "science", "language": "en", "format": "long", "cadence": 2.5}
}

// putChannels writes n new channels and returns their ids.
func putChannels(tb testing.TB, st *store.Store, n int, prefix string) []string {
	tb.Helper()
	ids := make([]string, n)
	err := st.Mutate(context.Background(), func(m *store.Mutation) error {
		for i := range ids {
			ids[i] = newID()
			if _, err := m.Put(store.ChannelEntity, channelRow(ids[i], fmt.Sprintf("%s %d", prefix, i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

func rename(tb testing.TB, st *store.Store, id, name string) {
	tb.Helper()
	err := st.Mutate(context.Background(), func(m *store.Mutation) error {
		r, err := store.ChannelEntity.GetRow(context.Background(), m.Tx(), id)
		if err != nil {
			return err
		}
		r["name"] = name
		_, err = m.Put(store.ChannelEntity, r)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func remove(tb testing.TB, st *store.Store, id string) {
	tb.Helper()
	if err := st.Mutate(context.Background(), func(m *store.Mutation) error {
		return m.Delete(store.ChannelEntity, id)
	}); err != nil {
		tb.Fatal(err)
	}
}

type version struct {
	HLC     string
	Name    string
	Deleted bool
}

func localRows(tb testing.TB, st *store.Store) map[string]version {
	tb.Helper()
	rows, err := st.ReadDB().Query(`SELECT id, hlc, name, deleted FROM channels`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]version{}
	for rows.Next() {
		var id string
		var v version
		if err := rows.Scan(&id, &v.HLC, &v.Name, &v.Deleted); err != nil {
			tb.Fatal(err)
		}
		out[id] = v
	}
	return out
}

func serverRows(tb testing.TB, admin *sql.DB, userID string) map[string]version {
	tb.Helper()
	rows, err := admin.Query(`SELECT id, hlc, name, deleted FROM public.channels WHERE user_id = $1`, userID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]version{}
	for rows.Next() {
		var id string
		var v version
		if err := rows.Scan(&id, &v.HLC, &v.Name, &v.Deleted); err != nil {
			tb.Fatal(err)
		}
		out[id] = v
	}
	return out
}

func pending(tb testing.TB, st *store.Store) int {
	tb.Helper()
	n, err := st.OutboxDepth(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// assertConverged checks that the server holds exactly the device's rows,
// version for version (0 lost, 0 duplicated), and nothing is pending.
func assertConverged(tb testing.TB, h *gateway.Harness, st *store.Store, userID string, want int) {
	tb.Helper()
	if n := pending(tb, st); n != 0 {
		tb.Fatalf("outbox still holds %d entries", n)
	}
	local := localRows(tb, st)
	server := serverRows(tb, h.Admin, userID)
	if len(local) != want {
		tb.Fatalf("device has %d rows, want %d", len(local), want)
	}
	var total int
	if err := h.Admin.QueryRow(`SELECT count(*) FROM public.channels WHERE user_id = $1`, userID).Scan(&total); err != nil {
		tb.Fatal(err)
	}
	if total != len(local) || len(server) != len(local) {
		tb.Fatalf("server has %d rows (%d distinct), device %d", total, len(server), len(local))
	}
	for id, lv := range local {
		if sv, ok := server[id]; !ok {
			tb.Fatalf("row %s lost: not on the server", id)
		} else if sv != lv {
			tb.Fatalf("row %s differs: device %+v, server %+v", id, lv, sv)
		}
	}
}

// childEnv marks the re-executed test binary that plays the app in the
// SIGKILL test.
const childEnv = "TUBEAGENCY_SYNC_CHILD"

type sqlTx = sql.Tx

// queue appends an outbox entry for r as it is (clock included), as an
// older version of the app would have.
func queue(ctx context.Context, tx *sql.Tx, r store.Row) error {
	payload, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox(entity, row_id, op, payload, hlc, created_at) VALUES ('channels', ?, 'update', ?, ?, 1)`,
		r.ID(), string(payload), r.HLC())
	return err
}
