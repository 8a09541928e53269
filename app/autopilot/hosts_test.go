package autopilot

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/studio"
	"tubeagency/internal/store"
	"tubeagency/providers"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabase"
	"tubeagency/sync/supabasetest"
)

// vclock is the virtual time every part of every device reads.
type vclock struct {
	mu sync.Mutex
	t  time.Time
}

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

// host is one installation: its store, autopilot with a host lookup, and
// syncer signed in to the shared account.
type host struct {
	name string
	st   *store.Store
	ap   *Autopilot
	dev  *cloudsync.Devices
	sy   *cloudsync.Syncer
}

func newHost(t *testing.T, env *supabasetest.Env, clock *vclock, name, email string, gen studio.Generator, takeover time.Duration) *host {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), name+".db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var seq atomic.Int64
	log := func(m *store.Mutation, channelID, kind, message string, data any) error {
		raw, _ := json.Marshal(data)
		_, err := store.PutRecord(m, store.ActivityEntity, store.Activity{Meta: store.Meta{ID: fmt.Sprintf("%s-%s-%d", name, kind, seq.Add(1))},
			ChannelID: channelID, Kind: kind, Message: message, Data: raw})
		return err
	}
	dev, err := cloudsync.NewDevices(cloudsync.DevicesConfig{Store: st, Name: name, Now: clock.Now, TakeoverAfter: takeover, TakeoverStagger: -1, LogActivity: log})
	if err != nil {
		t.Fatal(err)
	}
	tpl := newTemplates(t)
	if gen == nil {
		gen = tpl
	}
	std := studio.New(studio.Config{Store: st, Generator: gen, LogActivity: log, Now: clock.Now})
	ap, err := New(ctx, Config{Store: st, Studio: std, Templates: tpl, LogActivity: log, Now: clock.Now, PoolInterval: 10 * time.Millisecond,
		DeviceID: dev.ID(), Hosts: dev})
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Ahead, s.Voice, s.MaxWorkers = 3, false, 4
	if _, err := ap.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	ap.Pool().Start(false)
	t.Cleanup(ap.Pool().Stop)
	sy, err := cloudsync.New(ctx, cloudsync.Options{Store: st, Devices: dev})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := supabase.New(supabase.Config{URL: env.URL, AnonKey: env.AnonKey, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := cl.SignIn(ctx, email, "a good password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Adopt(ctx, sess.UserID); err != nil {
		t.Fatal(err)
	}
	sy.SetRemote(cl, email)
	return &host{name: name, st: st, ap: ap, dev: dev, sy: sy}
}

func (h *host) sync(t *testing.T) {
	t.Helper()
	if err := h.sy.Sync(context.Background()); err != nil {
		t.Fatalf("%s: sync: %v", h.name, err)
	}
}

// tick plans and dispatches, then waits for the jobs handed out to end.
func (h *host) tick(t *testing.T) {
	t.Helper()
	if err := h.ap.Tick(context.Background()); err != nil {
		t.Fatalf("%s: tick: %v", h.name, err)
	}
	waitUntil(t, h.name+"'s jobs to settle", 30*time.Second, func() bool {
		h.ap.mu.Lock()
		n := len(h.ap.inflight)
		h.ap.mu.Unlock()
		return n == 0
	})
}

func (h *host) channel(t *testing.T, name string) store.Channel {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	var out store.Channel
	err := h.st.Mutate(context.Background(), func(m *store.Mutation) error {
		var err error
		out, err = store.PutRecord(m, store.ChannelEntity, store.Channel{Meta: store.Meta{ID: id}, Name: name, Niche: "budget travel",
			Language: "en", Audience: "students", Format: store.FormatShorts, Cadence: 3, Autopilot: true, AutopilotHost: h.dev.ID()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// upcoming counts a channel's unpublished packages, and the ready ones.
func upcoming(t *testing.T, st *store.Store, channel string) (all, ready int) {
	t.Helper()
	ctx := context.Background()
	all, err := store.Count(ctx, st.ReadDB(), store.PackageEntity, "channel_id = ? AND status != ?", channel, store.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	ready, err = store.Count(ctx, st.ReadDB(), store.PackageEntity, "channel_id = ? AND status = ?", channel, store.StatusReady)
	if err != nil {
		t.Fatal(err)
	}
	return all, ready
}

// TestTwoDevicesOneHourExactlyNPerChannel runs two devices, autopilot on
// both, over the same 10 channels for one virtual hour, a minute at a time:
// each syncs, plans and runs its jobs. Each channel is hosted by the device
// that switched it on, so only that one fills it: at every minute no
// channel holds more than N upcoming packages. At minute 10 the user
// publishes a package of each of A's channels; A queues replacements, sends
// them, and goes silent before making them. After the takeover time (20
// virtual minutes here) B takes A's channels over, finishes A's unfinished
// packages and keeps every channel at exactly N ready.
func TestTwoDevicesOneHourExactlyNPerChannel(t *testing.T) {
	env := supabasetest.Start(t)
	const email, n = "hour@example.com", 3
	signUpAccount(t, env, email)
	clock := &vclock{t: time.Now()}
	a := newHost(t, env, clock, "laptop", email, nil, 20*time.Minute)
	b := newHost(t, env, clock, "home server", email, nil, 20*time.Minute)
	var chans []store.Channel
	for i := range 10 {
		h := a
		if i >= 5 {
			h = b
		}
		chans = append(chans, h.channel(t, fmt.Sprintf("Channel %d", i)))
	}
	alive := []*host{a, b}
	for minute := 1; minute <= 60; minute++ {
		clock.Advance(time.Minute)
		for _, h := range alive {
			h.sync(t)
			h.tick(t)
			h.sync(t)
		}
		if minute == 10 {
			// The user publishes one ready package of each of A's channels on A.
			for _, ch := range chans[:5] {
				pkgs, err := store.List[store.Package](context.Background(), a.st.ReadDB(), store.PackageEntity, "channel_id = ? AND status = ?", "id", ch.ID, store.StatusReady)
				if err != nil || len(pkgs) != n {
					t.Fatalf("minute 10: %s has %d ready packages on A (%v)", ch.Name, len(pkgs), err)
				}
				if err := a.st.Mutate(context.Background(), func(m *store.Mutation) error {
					pkgs[0].Status = store.StatusPublished
					_, err := store.PutPackage(m, pkgs[0])
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			// A queues the replacements and sends them, then goes silent.
			if err := a.ap.Plan(context.Background()); err != nil {
				t.Fatal(err)
			}
			a.sync(t)
			alive = []*host{b}
		}
		for _, ch := range chans {
			if all, _ := upcoming(t, b.st, ch.ID); all > n {
				t.Fatalf("minute %d: %s has %d upcoming packages on B, more than %d", minute, ch.Name, all, n)
			}
		}
	}
	for _, ch := range chans {
		all, ready := upcoming(t, b.st, ch.ID)
		if all != n || ready != n {
			t.Fatalf("after an hour %s has %d upcoming, %d ready; want exactly %d ready", ch.Name, all, ready, n)
		}
		var onServer int
		if err := env.Admin.QueryRow(`SELECT count(*) FROM public.packages WHERE channel_id = $1 AND status = 'ready' AND NOT deleted`, ch.ID).Scan(&onServer); err != nil || onServer != n {
			t.Fatalf("%s: %d ready packages on the server (%v), want %d", ch.Name, onServer, err, n)
		}
		var host string
		if err := env.Admin.QueryRow(`SELECT autopilot_host FROM public.channels WHERE id = $1`, ch.ID).Scan(&host); err != nil || host != b.dev.ID() {
			t.Fatalf("%s: hosted by %q on the server, want B", ch.Name, host)
		}
	}
	// A's channels were filled by A before it went silent, and by B after
	// (B finished the 5 packages A left, and made none of its own there).
	var adopted int
	if err := b.st.ReadDB().QueryRow(`SELECT COUNT(*) FROM studio_jobs j JOIN packages p ON p.id = j.package_id WHERE p.channel_id IN (?, ?, ?, ?, ?)`,
		chans[0].ID, chans[1].ID, chans[2].ID, chans[3].ID, chans[4].ID).Scan(&adopted); err != nil || adopted != 5 {
		t.Fatalf("B ran %d jobs for A's channels (%v), want the 5 A left", adopted, err)
	}
	if k := activityKinds(t, b.st); k["autopilot.took_over"] != 5 || k["autopilot.adopted"] != 5 {
		t.Fatalf("B's activity %v, want 5 takeovers and 5 adoptions", k)
	}
}

// gate is a generator that blocks until its context ends, so a job is
// caught running.
type gate struct{ entered chan string }

func (g *gate) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	select {
	case g.entered <- "running":
	default:
	}
	<-ctx.Done()
	return providers.Response{}, ctx.Err()
}

// TestHandedOverChannelStopsWithinOneCycle: A is running a job of its
// channel when the user moves the channel to B (on B). At A's next sync
// and plan, A stops the job (it goes back to the queue, not failed or
// cancelled) and dispatches nothing more there; B finishes the package A
// started.
func TestHandedOverChannelStopsWithinOneCycle(t *testing.T) {
	env := supabasetest.Start(t)
	const email = "handover@example.com"
	signUpAccount(t, env, email)
	clock := &vclock{t: time.Now()}
	g := &gate{entered: make(chan string, 1)}
	a := newHost(t, env, clock, "laptop", email, g, 6*time.Hour)
	b := newHost(t, env, clock, "home server", email, nil, 6*time.Hour)
	ch := a.channel(t, "Moving channel")
	if err := a.ap.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.entered:
	case <-time.After(30 * time.Second): // a failure guard
		t.Fatal("A's job never started")
	}
	a.sync(t) // A's packages (idea, one of them being made) reach the server
	b.sync(t)
	if _, err := b.dev.SetHost(context.Background(), ch.ID, b.dev.ID()); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	// One cycle of A: pull, plan.
	a.sync(t)
	if err := a.ap.Plan(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "A's running job to stop", 30*time.Second, func() bool { return countJobs(t, a.st, "status = 'running'") == 0 })
	a.ap.mu.Lock()
	inflight := len(a.ap.inflight)
	a.ap.mu.Unlock()
	if n, err := a.ap.Dispatch(context.Background()); err != nil || n != 0 {
		t.Fatalf("A dispatched %d jobs after the handover (%v)", n, err)
	}
	if failed := countJobs(t, a.st, "status IN ('failed', 'cancelled')"); failed != 0 || inflight > 1 {
		t.Fatalf("A's stopped job: %d failed or cancelled, %d in flight", failed, inflight)
	}
	// A's stopped job saved nothing over the package (B's saves win).
	pkgs, err := store.List[store.Package](context.Background(), a.st.ReadDB(), store.PackageEntity, "channel_id = ?", "id", ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for step, st := range p.Content.Steps {
			if st.Status == studio.StateCancelled {
				t.Fatalf("A saved %s of %s as cancelled after the handover", step, p.ID)
			}
		}
	}
	// B finishes what A started, and tops the channel up (two jobs of a
	// channel at a time: a few cycles).
	b.sync(t)
	for range 3 {
		b.tick(t)
	}
	b.sync(t)
	all, ready := upcoming(t, b.st, ch.ID)
	if all != 3 || ready != 3 {
		t.Fatalf("B: %d upcoming, %d ready; want 3 ready", all, ready)
	}
}

func signUpAccount(t *testing.T, env *supabasetest.Env, email string) {
	t.Helper()
	cl, err := supabase.New(supabase.Config{URL: env.URL, AnonKey: env.AnonKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.SignUp(context.Background(), email, "a good password"); err != nil {
		t.Fatal(err)
	}
}
