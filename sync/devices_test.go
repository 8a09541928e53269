package sync_test

import (
	"context"
	"testing"
	"time"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/schema"
)

func setHost(t *testing.T, d *device, channel, host string) {
	t.Helper()
	if _, err := d.dev.SetHost(context.Background(), channel, host); err != nil {
		t.Fatal(err)
	}
}

func channelOf(t *testing.T, st *store.Store, id string) store.Channel {
	t.Helper()
	ch, err := store.Get[store.Channel](context.Background(), st.ReadDB(), store.ChannelEntity, id)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// claims is the set of channels d runs now.
func claims(t *testing.T, d *device, ids ...string) map[string]bool {
	t.Helper()
	var chs []store.Channel
	for _, id := range ids {
		chs = append(chs, channelOf(t, d.st, id))
	}
	mine, err := d.dev.Claim(context.Background(), chs)
	if err != nil {
		t.Fatal(err)
	}
	return mine
}

// TestProjectWithOnlySchemaOne runs two devices against a project that
// never applied 0002: sync works both ways table by table, Status says so,
// rows go without autopilot_host (a device keeps its own), heartbeats are
// not sent and nothing is refused; once 0002 is applied, Sync now finds
// the pull function.
func TestProjectWithOnlySchemaOne(t *testing.T) {
	h := gateway.StartAt(t, pg, gateway.Options{}, 1)
	signUp(t, h, "old@example.com")
	a := newDevice(t, h, devOpts{devices: true})
	b := newDevice(t, h, devOpts{devices: true})
	s := a.signIn(t, "old@example.com")
	b.signIn(t, "old@example.com")
	ids := putChannels(t, a.st, 4, "old")
	setHost(t, a, ids[0], a.st.DeviceID())
	a.syncUntil(t, 1)
	b.syncUntil(t, 1)
	ctx := context.Background()
	for _, d := range []*device{a, b} {
		st, _ := d.sy.Status(ctx)
		if st.PullMode != cloudsync.PullPerTable || st.PullNote == "" || st.Pending != 0 || st.DeadLetters != 0 {
			t.Fatalf("status on a project without 0002 = %+v", st)
		}
	}
	if got := len(localRows(t, b.st)); got != 4 {
		t.Fatalf("b pulled %d of 4 channels", got)
	}
	// b edits a channel a hosts; a takes the edit and keeps its host.
	rename(t, b.st, ids[0], "edited on b")
	b.syncUntil(t, 1)
	a.syncUntil(t, 1)
	if ch := channelOf(t, a.st, ids[0]); ch.Name != "edited on b" || ch.AutopilotHost != a.st.DeviceID() {
		t.Fatalf("a's channel after b's edit = %+v", ch)
	}
	assertConverged(t, h, a.st, s.UserID, 4)

	// The project applies 0002; Sync now looks again.
	files, _ := schema.Files()
	for _, f := range files {
		if f.Number == 2 {
			if _, err := h.Admin.Exec(f.SQL); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := h.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	a.sy.SyncNow()
	a.syncUntil(t, 1)
	setHost(t, a, ids[1], a.st.DeviceID())
	a.syncUntil(t, 1)
	if st, _ := a.sy.Status(ctx); st.PullMode != cloudsync.PullOneCall || st.PullNote != "" {
		t.Fatalf("after applying 0002 and Sync now: %+v", st)
	}
	var host string
	if err := h.Admin.QueryRow(`SELECT autopilot_host FROM public.channels WHERE id = $1`, ids[1]).Scan(&host); err != nil || host != a.st.DeviceID() {
		t.Fatalf("server host %q (%v)", host, err)
	}
	var devices int
	if err := h.Admin.QueryRow(`SELECT count(*) FROM public.devices`).Scan(&devices); err != nil || devices != 1 {
		t.Fatalf("%d device rows (%v), want a's heartbeat", devices, err)
	}
}

// TestHostTakeoverAfterHeartbeatExpires: a channel hosted by A is not B's
// while A's heartbeat is fresh; once A has been silent for longer than the
// takeover time (6 h and B's stagger of up to 5 min), B, online, takes it
// over through sync, and A, back online, sees it and stops claiming it.
// Offline, B takes nothing over.
func TestHostTakeoverAfterHeartbeatExpires(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "takeover@example.com")
	clock := newVClock()
	a := newDevice(t, h, devOpts{devices: true, now: clock.Now})
	b := newDevice(t, h, devOpts{devices: true, now: clock.Now})
	s := a.signIn(t, "takeover@example.com")
	b.signIn(t, "takeover@example.com")
	ch := putChannels(t, a.st, 1, "hosted")[0]
	setHost(t, a, ch, a.st.DeviceID())
	a.syncUntil(t, 1)
	b.syncUntil(t, 1)
	if claims(t, b, ch)[ch] || !claims(t, a, ch)[ch] {
		t.Fatal("with A's heartbeat fresh, B claims A's channel or A does not")
	}
	list, err := b.dev.List(context.Background())
	if err != nil || len(list) != 2 || !list[0].This || list[1].ID != a.st.DeviceID() || list[1].Quiet {
		t.Fatalf("b's device list = %+v, %v", list, err)
	}
	clock.Advance(5*time.Hour + 59*time.Minute)
	b.syncUntil(t, 1)
	if claims(t, b, ch)[ch] {
		t.Fatal("B took over before the takeover time")
	}
	clock.Advance(7 * time.Minute) // past 6 h and any stagger
	b.sy.SetRemote(nil, "")        // offline devices keep only what they host
	if claims(t, b, ch)[ch] {
		t.Fatal("B took over while signed out")
	}
	b.signIn(t, "takeover@example.com")
	b.syncUntil(t, 1)
	if !claims(t, b, ch)[ch] {
		t.Fatal("B did not take over a channel whose host is silent for 6 h")
	}
	b.syncUntil(t, 1)
	var host string
	if err := h.Admin.QueryRow(`SELECT autopilot_host FROM public.channels WHERE id = $1`, ch).Scan(&host); err != nil || host != b.st.DeviceID() {
		t.Fatalf("server host %q (%v), want B", host, err)
	}
	a.syncUntil(t, 1) // A is back: it pulls B's claim
	if claims(t, a, ch)[ch] || channelOf(t, a.st, ch).AutopilotHost != b.st.DeviceID() {
		t.Fatal("A still runs the channel B took over")
	}
	assertConverged(t, h, a.st, s.UserID, 1)
}

// TestConflictingHostChoicesConverge: offline, A makes itself the host and
// B makes itself the host of the same channel. After both sync, both hold
// the same host (the later choice by clock), exactly one of them claims the
// channel, and the loser stops claiming it at its next pull.
func TestConflictingHostChoicesConverge(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "conflict@example.com")
	a := newDevice(t, h, devOpts{devices: true})
	b := newDevice(t, h, devOpts{devices: true})
	a.signIn(t, "conflict@example.com")
	b.signIn(t, "conflict@example.com")
	ids := putChannels(t, a.st, 3, "shared")
	a.syncUntil(t, 1)
	b.syncUntil(t, 1)
	want := map[string]string{}
	for i, id := range ids {
		// Alternate who chooses first.
		first, second := a, b
		if i%2 == 1 {
			first, second = b, a
		}
		setHost(t, first, id, first.st.DeviceID())
		setHost(t, second, id, second.st.DeviceID())
		// Last writer wins: the choice with the newer clock value.
		ca, cb := channelOf(t, a.st, id), channelOf(t, b.st, id)
		want[id] = ca.AutopilotHost
		if cb.HLC > ca.HLC {
			want[id] = cb.AutopilotHost
		}
	}
	for _, d := range []*device{a, b, a, b} {
		d.syncUntil(t, 1)
	}
	for i, id := range ids {
		ha, hb := channelOf(t, a.st, id).AutopilotHost, channelOf(t, b.st, id).AutopilotHost
		if ha != hb || ha != want[id] {
			t.Fatalf("channel %d: a says %s, b says %s; want both %s (the choice with the newer clock)", i, ha, hb, want[id])
		}
		ca, cb := claims(t, a, id)[id], claims(t, b, id)[id]
		if ca == cb {
			t.Fatalf("channel %d: a claims %v, b claims %v; want exactly one", i, ca, cb)
		}
	}
}

// TestAdoptTakesOnlyThisDevice: signing in to another account queues this
// device's rows and its own device row, never the old account's other
// devices.
func TestAdoptTakesOnlyThisDevice(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "first-acct@example.com")
	signUp(t, h, "second-acct@example.com")
	a := newDevice(t, h, devOpts{devices: true})
	b := newDevice(t, h, devOpts{devices: true})
	a.signIn(t, "first-acct@example.com")
	b.signIn(t, "first-acct@example.com")
	a.syncUntil(t, 1)
	b.syncUntil(t, 1) // b now holds a's device row
	if list, _ := b.dev.List(context.Background()); len(list) != 2 {
		t.Fatalf("b knows %d devices, want 2", len(list))
	}
	if err := b.cl.SignOut(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.sy.SetRemote(nil, "")
	s := b.signIn(t, "second-acct@example.com")
	b.syncUntil(t, 1)
	if dls, _ := b.sy.DeadLetters(context.Background()); len(dls) != 0 {
		t.Fatalf("adopting pushed the old account's devices: %+v", dls)
	}
	var ids []string
	rows, err := h.Admin.Query(`SELECT id FROM public.devices WHERE user_id = $1`, s.UserID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 1 || ids[0] != b.st.DeviceID() {
		t.Fatalf("the second account's devices = %v, want only b", ids)
	}
}
