package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/faultproxy"
	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/supabase"
)

func TestRoundTripAndSecondDevicePulls(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	signUp(t, h, "ana@example.com")

	a := newDevice(t, h, devOpts{batch: 7, page: 5})
	// Offline (signed out): the app works and queues.
	ids := putChannels(t, a.st, 20, "offline")
	rename(t, a.st, ids[0], "renamed twice")
	rename(t, a.st, ids[0], "renamed thrice")
	remove(t, a.st, ids[1])
	if err := a.sy.Sync(ctx); !errors.Is(err, cloudsync.ErrSignedOut) {
		t.Fatalf("signed-out sync = %v, want ErrSignedOut", err)
	}
	if n := pending(t, a.st); n != 23 {
		t.Fatalf("pending = %d, want 23 queued changes", n)
	}
	s := a.signIn(t, "ana@example.com")
	a.syncUntil(t, 1)
	assertConverged(t, h, a.st, s.UserID, 20)
	if got := serverRows(t, h.Admin, s.UserID)[ids[1]]; !got.Deleted {
		t.Fatalf("tombstone not on the server: %+v", got)
	}

	// A device never pulls back what it wrote itself.
	if own, err := a.cl.Pull(ctx, "channels", 0, 100, a.st.DeviceID()); err != nil || len(own) != 0 {
		t.Fatalf("pull leaving out a's own rows = %d rows, %v", len(own), err)
	}
	if all, err := a.cl.Pull(ctx, "channels", 0, 100, ""); err != nil || len(all) != 20 {
		t.Fatalf("pull of every row = %d rows, %v", len(all), err)
	}

	b := newDevice(t, h, devOpts{page: 6})
	b.signIn(t, "ana@example.com")
	b.syncUntil(t, 1)
	if got, want := localRows(t, b.st), localRows(t, a.st); len(got) != len(want) {
		t.Fatalf("second device pulled %d rows, want %d", len(got), len(want))
	} else {
		for id, v := range want {
			if got[id] != v {
				t.Fatalf("row %s on the second device = %+v, want %+v", id, got[id], v)
			}
		}
	}
	st, err := b.sy.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastSync.IsZero() || st.Pending != 0 || st.DeadLetters != 0 {
		t.Fatalf("status after sync = %+v", st)
	}
	// A write pulled from elsewhere moved b's clock: b's next write sorts after.
	rename(t, b.st, ids[2], "from b")
	if lb, la := localRows(t, b.st)[ids[2]].HLC, localRows(t, a.st)[ids[0]].HLC; lb <= la {
		t.Fatalf("b's clock %s did not move past a's %s", lb, la)
	}
}

// TestSkewedClocksConverge runs two devices whose clocks are 20 minutes
// apart, within the maximum drift they allow (30 minutes here), so each
// follows the other's clock. (Beyond the drift a clock stops following:
// TestFarFutureClockIsBounded.)
func TestSkewedClocksConverge(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "skew@example.com")
	ahead := func() time.Time { return time.Now().Add(10 * time.Minute) }
	behind := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	a := newDevice(t, h, devOpts{now: ahead, drift: 30 * time.Minute})
	b := newDevice(t, h, devOpts{now: behind, drift: 30 * time.Minute})
	s := a.signIn(t, "skew@example.com")
	b.signIn(t, "skew@example.com")
	ids := putChannels(t, a.st, 3, "shared")
	a.syncUntil(t, 1)
	b.syncUntil(t, 1)

	// Offline: both edit the same row; b edits later in real time but a's
	// clock runs ahead, so a's edit is the newest by the hybrid clock.
	rename(t, a.st, ids[0], "edit on a")
	rename(t, b.st, ids[0], "edit on b")
	remove(t, b.st, ids[1])
	rename(t, a.st, ids[1], "a renames what b deleted")
	for _, d := range []*device{b, a, b, a} {
		d.syncUntil(t, 1)
	}
	la, lb := localRows(t, a.st), localRows(t, b.st)
	for _, id := range ids {
		if la[id] != lb[id] {
			t.Fatalf("row %s: a %+v, b %+v", id, la[id], lb[id])
		}
	}
	if la[ids[0]].Name != "edit on a" || la[ids[1]].Deleted {
		t.Fatalf("last writer by clock should win: %+v %+v", la[ids[0]], la[ids[1]])
	}
	assertConverged(t, h, a.st, s.UserID, 3)
	// Having seen a's clock, b's next edit is newer than a's, whatever its
	// wall clock says.
	rename(t, b.st, ids[0], "b after seeing a")
	b.syncUntil(t, 1)
	a.syncUntil(t, 1)
	if got := localRows(t, a.st)[ids[0]].Name; got != "b after seeing a" {
		t.Fatalf("a has %q, want b's causally later edit", got)
	}
	assertConverged(t, h, b.st, s.UserID, 3)
}

func TestRefusedRowGoesToDeadLettersOthersSync(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	signUp(t, h, "owner@example.com")
	signUp(t, h, "other@example.com")

	owner := newDevice(t, h, devOpts{})
	ownerSession := owner.signIn(t, "owner@example.com")
	taken := putChannels(t, owner.st, 1, "owner's")[0]
	owner.syncUntil(t, 1)

	d := newDevice(t, h, devOpts{batch: 16})
	s := d.signIn(t, "other@example.com")
	ids := putChannels(t, d.st, 40, "mine")
	// A row whose id belongs to another account: row-level security refuses it.
	if err := d.st.Mutate(ctx, func(m *store.Mutation) error {
		_, err := m.Put(store.ChannelEntity, channelRow(taken, "not yours"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rename(t, d.st, ids[5], "renamed")
	d.syncUntil(t, 1)

	dls, err := d.sy.DeadLetters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].RowID != taken || dls[0].Code != "42501" || dls[0].Status != http.StatusForbidden {
		t.Fatalf("dead letters = %+v, want the one refused row with 42501/403", dls)
	}
	server := serverRows(t, h.Admin, s.UserID)
	if len(server) != 40 {
		t.Fatalf("server has %d of the 40 good rows", len(server))
	}
	if got := serverRows(t, h.Admin, ownerSession.UserID)[taken].Name; got != "owner's 0" {
		t.Fatalf("the owner's row became %q", got)
	}
	st, _ := d.sy.Status(ctx)
	if st.DeadLetters != 1 || st.Pending != 0 {
		t.Fatalf("status = %+v", st)
	}

	// Retry puts it back in the queue; the server refuses it again.
	if err := d.sy.RetryDeadLetter(ctx, dls[0].ID); err != nil {
		t.Fatal(err)
	}
	if pending(t, d.st) != 1 {
		t.Fatal("retry did not queue the change")
	}
	d.syncUntil(t, 1)
	dls, _ = d.sy.DeadLetters(ctx)
	if len(dls) != 1 {
		t.Fatalf("after retry: %d dead letters", len(dls))
	}
	if err := d.sy.DiscardDeadLetter(ctx, dls[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := d.sy.DiscardDeadLetter(ctx, dls[0].ID); !errors.Is(err, cloudsync.ErrDeadLetterNotFound) {
		t.Fatalf("discarding twice = %v", err)
	}
	if dls, _ = d.sy.DeadLetters(ctx); len(dls) != 0 {
		t.Fatalf("after discard: %+v", dls)
	}
}

func TestEditedDeadLetterSyncs(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	// A server-side rule the device does not know: names of at most 20 characters.
	if _, err := h.Admin.Exec(`ALTER TABLE public.channels ADD CONSTRAINT short_name CHECK (length(name) <= 20)`); err != nil {
		t.Fatal(err)
	}
	signUp(t, h, "edit@example.com")
	d := newDevice(t, h, devOpts{})
	s := d.signIn(t, "edit@example.com")
	ids := putChannels(t, d.st, 3, "ok")
	rename(t, d.st, ids[1], strings.Repeat("x", 30))
	d.syncUntil(t, 1)
	dls, _ := d.sy.DeadLetters(ctx)
	if len(dls) != 1 || dls[0].Code != "23514" || dls[0].Status != 400 {
		t.Fatalf("dead letters = %+v, want the long name refused with 23514/400", dls)
	}
	row, err := store.ChannelEntity.GetRow(ctx, d.st.ReadDB(), ids[1])
	if err != nil {
		t.Fatal(err)
	}
	row["name"] = "short again"
	if _, err := d.sy.EditDeadLetter(ctx, dls[0].ID, row); err != nil {
		t.Fatal(err)
	}
	bad := store.Row{"id": "someone-else"}
	if _, err := d.sy.EditDeadLetter(ctx, dls[0].ID, bad); !errors.Is(err, cloudsync.ErrDeadLetterNotFound) {
		t.Fatalf("editing a removed dead letter = %v", err)
	}
	d.syncUntil(t, 1)
	assertConverged(t, h, d.st, s.UserID, 3)
	if got := serverRows(t, h.Admin, s.UserID)[ids[1]].Name; got != "short again" {
		t.Fatalf("server name = %q", got)
	}
}

// EditDeadLetterFields checks each edited field against the entity's
// columns: a bad one is a *FieldError naming "payload.<field>" and nothing
// is written (the dead letter, the row and the outbox stay as they were,
// even when other fields of the same edit were good); a good edit applies
// to the row as this device has it, queues it and syncs.
func TestEditDeadLetterFieldsChecksEachField(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	if _, err := h.Admin.Exec(`ALTER TABLE public.channels ADD CONSTRAINT short_name CHECK (length(name) <= 20)`); err != nil {
		t.Fatal(err)
	}
	signUp(t, h, "fields@example.com")
	d := newDevice(t, h, devOpts{})
	s := d.signIn(t, "fields@example.com")
	ids := putChannels(t, d.st, 2, "ok")
	rename(t, d.st, ids[1], strings.Repeat("x", 30))
	d.syncUntil(t, 1)
	dls, _ := d.sy.DeadLetters(ctx)
	if len(dls) != 1 {
		t.Fatalf("dead letters = %+v, want one", dls)
	}
	id := dls[0].ID
	before, err := store.ChannelEntity.GetRow(ctx, d.st.ReadDB(), ids[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []struct {
		fields map[string]any
		field  string
	}{
		{map[string]any{}, "payload"},
		{map[string]any{"nope": "x"}, "payload.nope"},
		{map[string]any{"hlc": "1764384000000-000000-3f2a9c1e5b7d4e21"}, "payload.hlc"},
		{map[string]any{"deleted": true}, "payload.deleted"},
		{map[string]any{"name": 7.0}, "payload.name"},
		{map[string]any{"name": "bell\a"}, "payload.name"},
		{map[string]any{"name": "bad \xff utf-8"}, "payload.name"},
		{map[string]any{"name": strings.Repeat("é", cloudsync.MaxEditText+1)}, "payload.name"},
		{map[string]any{"cadence": "often"}, "payload.cadence"},
		{map[string]any{"cadence": math.NaN()}, "payload.cadence"},
		{map[string]any{"autopilot": "yes"}, "payload.autopilot"},
		// The first bad field in name order is named, and the good one
		// beside it is not written either.
		{map[string]any{"name": "fine", "niche": nil, "zzz": 1.0}, "payload.niche"},
	} {
		_, err := d.sy.EditDeadLetterFields(ctx, id, sc.fields)
		var fe *cloudsync.FieldError
		if !errors.As(err, &fe) || fe.Field != sc.field || fe.Message == "" {
			t.Fatalf("edit %.60v = %v, want a FieldError on %s", sc.fields, err, sc.field)
		}
	}
	if dls, _ := d.sy.DeadLetters(ctx); len(dls) != 1 || dls[0].ID != id || pending(t, d.st) != 0 {
		t.Fatalf("a refused edit changed the queue: %+v, %d pending", dls, pending(t, d.st))
	}
	if now, _ := store.ChannelEntity.GetRow(ctx, d.st.ReadDB(), ids[1]); now["name"] != before["name"] || now.HLC() != before.HLC() {
		t.Fatalf("a refused edit changed the row: %v", now)
	}
	// A whole number is refused a fraction: devices' last_seen is an integer.
	dev := &cloudsync.FieldError{}
	if err := cloudsync.CheckEditForTest("devices", "last_seen", 1.5); !errors.As(err, &dev) || dev.Field != "payload.last_seen" {
		t.Fatalf("a fraction for an integer = %v", err)
	}
	if err := cloudsync.CheckEditForTest("devices", "last_seen", 1764384000000.0); err != nil {
		t.Fatalf("a whole number for an integer = %v", err)
	}

	// The row changed here since the refusal: the edit applies to it as it is now.
	if err := d.st.Mutate(ctx, func(m *store.Mutation) error {
		r, err := store.ChannelEntity.GetRow(ctx, m.Tx(), ids[1])
		if err != nil {
			return err
		}
		r["niche"] = "changed since"
		_, err = m.Put(store.ChannelEntity, r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out, err := d.sy.EditDeadLetterFields(ctx, id, map[string]any{"name": "short again", "cadence": 3.0, "autopilot": true})
	if err != nil || out["name"] != "short again" || out["niche"] != "changed since" {
		t.Fatalf("edit = %v, %v", out, err)
	}
	if _, err := d.sy.EditDeadLetterFields(ctx, id, map[string]any{"name": "again"}); !errors.Is(err, cloudsync.ErrDeadLetterNotFound) {
		t.Fatalf("editing a removed dead letter = %v", err)
	}
	d.syncUntil(t, 1)
	assertConverged(t, h, d.st, s.UserID, 2)
	if got := serverRows(t, h.Admin, s.UserID)[ids[1]]; got.Name != "short again" {
		t.Fatalf("server row = %+v", got)
	}
}

func TestTokenExpiresMidSyncRefreshesAndContinues(t *testing.T) {
	var h *gateway.Harness
	var writes atomic.Int64
	h = gateway.Start(t, pg, gateway.Options{TokenTTL: time.Hour, AfterCommit: func(r *http.Request) {
		if writes.Add(1) == 2 {
			h.Clock.Advance(2 * time.Hour) // every token issued so far is now expired
		}
	}})
	signUp(t, h, "expiry@example.com")
	var sessions []supabase.Session
	d := newDevice(t, h, devOpts{batch: 10, configure: func(c *supabase.Config) {
		c.OnSession = func(s supabase.Session) { sessions = append(sessions, s) }
	}})
	s := d.signIn(t, "expiry@example.com")
	putChannels(t, d.st, 60, "expiring")
	d.syncUntil(t, 1) // no failure reaches the syncer
	assertConverged(t, h, d.st, s.UserID, 60)
	if h.Stats.Expired.Load() == 0 || h.Stats.Refreshes.Load() != 1 {
		t.Fatalf("expired=%d refreshes=%d, want the token to expire once and be refreshed once",
			h.Stats.Expired.Load(), h.Stats.Refreshes.Load())
	}
	if len(sessions) != 2 || sessions[1].RefreshToken == s.RefreshToken {
		t.Fatalf("the rotated session was not handed over for saving: %d sessions", len(sessions))
	}
	// The old refresh token was rotated away: reusing it is refused.
	old, err := supabase.New(supabase.Config{URL: h.URL, AnonKey: h.AnonKey()})
	if err != nil {
		t.Fatal(err)
	}
	s.ExpiresAt = 0 // force a refresh before the next call
	old.Restore(s)
	_, err = old.Pull(context.Background(), "channels", 0, 1, "")
	if !errors.Is(err, cloudsync.ErrSessionExpired) {
		t.Fatalf("pull with a used refresh token = %v, want ErrSessionExpired", err)
	}
	// The syncer reports it as a sentence that says what to do.
	events := make(chan cloudsync.Status, 16)
	sy, err := cloudsync.New(context.Background(), cloudsync.Options{Store: d.st, MinBackoff: time.Hour,
		Emit: func(_ string, data any) {
			select {
			case events <- data.(cloudsync.Status):
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	putChannels(t, d.st, 1, "after expiry")
	sy.SetRemote(old, s.Email)
	sy.Start(context.Background())
	defer sy.Stop()
	guard := time.After(20 * time.Second) // a failure guard, not a timing assertion
	for {
		select {
		case st := <-events:
			if st.State == cloudsync.StateError && strings.Contains(st.LastError, "sign in again") {
				return
			}
		case <-guard:
			t.Fatal("no error state asking to sign in again")
		}
	}
}

func TestTenThousandPendingChangesConverge(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "bulk@example.com")
	d := newDevice(t, h, devOpts{})
	ids := putChannels(t, d.st, 9000, "bulk")
	for i := 0; i < 1000; i++ {
		rename(t, d.st, ids[i*7], "updated")
	}
	if n := pending(t, d.st); n != 10000 {
		t.Fatalf("pending = %d", n)
	}
	s := d.signIn(t, "bulk@example.com")
	d.syncUntil(t, 1)
	assertConverged(t, h, d.st, s.UserID, 9000)

	e := newDevice(t, h, devOpts{})
	e.signIn(t, "bulk@example.com")
	e.syncUntil(t, 1)
	if got := len(localRows(t, e.st)); got != 9000 {
		t.Fatalf("second device pulled %d rows", got)
	}
}

func TestFirstSignInAdoptsLocalRows(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	signUp(t, h, "first@example.com")
	signUp(t, h, "second@example.com")
	d := newDevice(t, h, devOpts{})
	ids := putChannels(t, d.st, 5, "local")
	s1 := d.signIn(t, "first@example.com")
	d.syncUntil(t, 1)
	assertConverged(t, h, d.st, s1.UserID, 5)

	// Signing in as the same account again queues nothing.
	if n, err := d.sy.Adopt(ctx, s1.UserID); err != nil || n != 0 {
		t.Fatalf("adopt again = %d, %v", n, err)
	}
	// Another account adopts every local row; the first account's ids are
	// refused by row-level security and kept as dead letters, not lost.
	if err := d.cl.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	d.sy.SetRemote(nil, "")
	if n, err := d.sy.Adopt(ctx, "00000000-0000-0000-0000-000000000000"); err != nil || n != 5 {
		t.Fatalf("adopt for a new account = %d, %v", n, err)
	}
	d.signIn(t, "second@example.com")
	d.syncUntil(t, 1)
	dls, _ := d.sy.DeadLetters(ctx)
	if len(dls) != len(ids) {
		t.Fatalf("%d dead letters, want %d", len(dls), len(ids))
	}
}

// TestServerOrdersSequencePerUser checks the pull-ordering guarantee: while
// one transaction of a user holds drawn sequence numbers, any other write
// of that user's rows waits, so sequence numbers commit in order. The
// second writer is the user again (a new row, and an update of a stored
// row, which take different trigger paths) or a service-role session
// writing rows of another user and then of this one in one statement.
func TestServerOrdersSequencePerUser(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	s := signUp(t, h, "order@example.com")
	other := signUp(t, h, "other-order@example.com")
	claims := `{"role":"authenticated","sub":"` + s.UserID + `"}`
	stored := newID()
	seed, err := beginAs(ctx, h, claims)
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.insert(ctx, stored); err != nil {
		t.Fatal(err)
	}
	if err := seed.commit(ctx); err != nil {
		t.Fatal(err)
	}
	seed.close()

	seconds := map[string]func(ctx context.Context) error{
		"new row": func(ctx context.Context) error {
			c, err := beginAs(ctx, h, claims)
			if err != nil {
				return err
			}
			defer c.close()
			if err := c.insert(ctx, newID()); err != nil {
				return err
			}
			return c.commit(ctx)
		},
		"update": func(ctx context.Context) error {
			c, err := beginAs(ctx, h, claims)
			if err != nil {
				return err
			}
			defer c.close()
			if _, err := c.tx.ExecContext(ctx, `UPDATE public.channels SET name = 'edited', hlc = $2 WHERE id = $1`,
				stored, fmt.Sprintf("%013d-000000-3f2a9c1e5b7d4e21", time.Now().UnixMilli())); err != nil {
				return err
			}
			return c.commit(ctx)
		},
		"service role": func(ctx context.Context) error {
			_, err := h.Admin.ExecContext(ctx, `INSERT INTO public.channels(id, user_id, name, hlc, created_at, updated_at)
				VALUES ($1, $2, 'other', '1764384000000-000000-3f2a9c1e5b7d4e21', 0, 0),
				       ($3, $4, 'service', '1764384000000-000000-3f2a9c1e5b7d4e21', 0, 0)`,
				newID(), other.UserID, newID(), s.UserID)
			return err
		},
	}
	for name, second := range seconds {
		t.Run(name, func(t *testing.T) {
			t1, err := beginAs(ctx, h, claims)
			if err != nil {
				t.Fatal(err)
			}
			defer t1.close()
			firstID := newID()
			if err := t1.insert(ctx, firstID); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- second(ctx) }()
			// Wait until the second writer queues behind the first one's lock.
			for {
				var waiting int
				if err := h.Admin.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting == 1 {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("second writer finished while the first held its sequence: %v", err)
				default:
				}
			}
			if err := t1.commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			var first, last int64
			err = h.Admin.QueryRow(`SELECT (SELECT server_seq FROM public.channels WHERE id = $1),
				(SELECT max(server_seq) FROM public.channels WHERE user_id = $2)`, firstID, s.UserID).Scan(&first, &last)
			if err != nil {
				t.Fatal(err)
			}
			if first >= last {
				t.Fatalf("sequence %d committed first but the second writer's highest is %d", first, last)
			}
		})
	}
}

// TestServerColumnsAreTheServers checks that a client cannot write
// server_seq or synced_at, which pulls and ordering depend on: such a
// request is refused with 42501 and writes nothing.
func TestServerColumnsAreTheServers(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	s := signUp(t, h, "servercols@example.com")
	const clock = "1764384000000-000001-00000000000000aa"
	base := `"name":"x","hlc":"` + clock + `","created_at":1,"updated_at":1`
	cases := []struct{ name, method, path, body string }{
		{"insert server_seq", "POST", "/rest/v1/channels", `{"id":"forged1",` + base + `,"server_seq":999999999}`},
		{"insert synced_at", "POST", "/rest/v1/channels", `{"id":"forged2",` + base + `,"synced_at":"2000-01-01T00:00:00Z"}`},
		{"upsert server_seq", "POST", "/rest/v1/channels?on_conflict=id", `{"id":"kept",` + base + `,"server_seq":999999999}`},
		{"patch server_seq", "PATCH", "/rest/v1/channels?id=eq.kept", `{"server_seq":999999999}`},
	}
	if status, code, body := call(t, h, "POST", "/rest/v1/channels", s.AccessToken, `{"id":"kept",`+base+`}`, nil); status != 201 {
		t.Fatalf("seed row: %d %s %s", status, code, body)
	}
	var seq int64
	if err := h.Admin.QueryRow(`SELECT server_seq FROM public.channels WHERE id = 'kept'`).Scan(&seq); err != nil || seq <= 0 {
		t.Fatalf("seeded row has server_seq %d (%v); want one drawn by the server", seq, err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{"Prefer": "resolution=merge-duplicates"}
			status, code, body := call(t, h, c.method, c.path, s.AccessToken, c.body, hdr)
			if status != 403 || code != "42501" {
				t.Fatalf("= %d %q %s; want 403 42501", status, code, body)
			}
		})
	}
	var n int
	var after int64
	if err := h.Admin.QueryRow(`SELECT count(*), max(server_seq) FROM public.channels`).Scan(&n, &after); err != nil {
		t.Fatal(err)
	}
	if n != 1 || after != seq {
		t.Fatalf("%d rows, highest server_seq %d; want only the seeded row with %d", n, after, seq)
	}
}
func TestLoopRetriesForeverAndResumesWhenNetworkReturns(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "loop@example.com")
	proxy, err := faultproxy.Start(strings.TrimPrefix(h.URL, "http://"), 0, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	// The loop's waits go through the test: it sees each delay asked for and
	// decides when it elapses, so nothing sleeps.
	waits := make(chan time.Duration)
	release := make(chan time.Time)
	stop := make(chan struct{})
	d := newDevice(t, h, devOpts{url: "http://" + proxy.Addr()})
	st := d.st
	var events atomic.Int64
	sy, err := cloudsync.New(context.Background(), cloudsync.Options{Store: st, MinBackoff: time.Second, MaxBackoff: 8 * time.Second,
		Jitter: func() float64 { return 0.5 },
		Emit:   func(string, any) { events.Add(1) },
		After: func(d time.Duration) <-chan time.Time {
			fired := make(chan time.Time, 1)
			fired <- time.Now()
			select { // the loop stays here until the test lets the wait elapse
			case waits <- d:
			case <-stop:
				return fired
			}
			select {
			case <-release:
			case <-stop:
			}
			return fired
		}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.cl.SignIn(context.Background(), "loop@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Adopt(context.Background(), s.UserID); err != nil {
		t.Fatal(err)
	}
	proxy.SetDown(true) // from now on connections are refused at once
	sy.SetRemote(d.cl, "loop@example.com")
	putChannels(t, st, 3, "loop")
	sy.Start(context.Background())
	defer sy.Stop()
	defer close(stop)
	next := func() time.Duration { // the next wait, once the loop sits in it
		d := <-waits
		return d
	}
	// Retrying never stops and backs off to the cap: 1, 2, 4, 8, 8, 8 s.
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if i > 0 {
			release <- time.Now()
		}
		if got := next(); got != w {
			t.Fatalf("wait %d = %v, want %v", i, got, w)
		}
	}
	status, _ := sy.Status(context.Background())
	if status.State != cloudsync.StateOffline || status.Pending != 3 {
		t.Fatalf("while down: %+v", status)
	}
	proxy.SetDown(false) // connectivity returns: the next probe succeeds and the queue drains
	release <- time.Now()
	if got := next(); got > 5*time.Second || got <= 0 { // the cycle's own time is taken off: wall time, so no lower bound
		t.Fatalf("after reconnect the loop waits %v, want what is left of the 5 s pull interval (changes were just pushed)", got)
	}
	status, _ = sy.Status(context.Background())
	if status.State != cloudsync.StateOnline || status.Pending != 0 || status.LastSync.IsZero() {
		t.Fatalf("after reconnect: %+v", status)
	}
	if events.Load() == 0 {
		t.Fatal("no sync events were emitted")
	}
	assertConverged(t, h, st, s.UserID, 3)
}

type txConn struct {
	db *sql.DB
	tx *sql.Tx
}

// beginAs opens a transaction as PostgREST would for claims.
func beginAs(ctx context.Context, h *gateway.Harness, claims string) (*txConn, error) {
	db, err := sql.Open("pgx", pg.DSN("authenticator", h.DB))
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE authenticated`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('request.jwt.claims', $1, true)`, claims); err != nil {
		return nil, err
	}
	return &txConn{db: db, tx: tx}, nil
}

func (c *txConn) insert(ctx context.Context, id string) error {
	_, err := c.tx.ExecContext(ctx, `INSERT INTO public.channels(id, name, hlc, created_at, updated_at)
		VALUES ($1, 'ordered', '1764384000000-000000-3f2a9c1e5b7d4e21', 0, 0)`, id)
	return err
}

func (c *txConn) commit(ctx context.Context) error { return c.tx.Commit() }

func (c *txConn) close() {
	_ = c.tx.Rollback()
	c.db.Close()
}

func TestLoopWakesOnLocalWrite(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "wake@example.com")
	d := newDevice(t, h, devOpts{})
	events := make(chan cloudsync.Status, 64)
	sy, err := cloudsync.New(context.Background(), cloudsync.Options{Store: d.st, PullEvery: time.Hour, MinBackoff: time.Hour,
		Emit: func(name string, data any) {
			if st, ok := data.(cloudsync.Status); ok && name == "sync" {
				select {
				case events <- st:
				default:
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.cl.SignIn(context.Background(), "wake@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Adopt(context.Background(), s.UserID); err != nil {
		t.Fatal(err)
	}
	sy.SetRemote(d.cl, "wake@example.com")
	sy.Start(context.Background())
	defer sy.Stop()
	waitFor := func(what string, ok func(cloudsync.Status) bool) {
		t.Helper()
		timeout := time.After(20 * time.Second) // a failure guard, not a timing assertion
		for {
			select {
			case st := <-events:
				if ok(st) {
					return
				}
			case <-timeout:
				t.Fatalf("no sync event with %s", what)
			}
		}
	}
	waitFor("state online", func(st cloudsync.Status) bool { return st.State == cloudsync.StateOnline })
	// The loop now waits an hour; a local write must wake it at once.
	putChannels(t, d.st, 2, "wake")
	waitFor("the write pushed", func(st cloudsync.Status) bool {
		return st.State == cloudsync.StateOnline && st.Pending == 0 && !st.LastSync.IsZero()
	})
	assertConverged(t, h, d.st, s.UserID, 2)
}

func TestClassify(t *testing.T) {
	scenarios := []struct {
		status    int
		code      string
		permanent bool
	}{
		{403, "42501", true}, {401, "42501", true}, {409, "23505", true}, {400, "23514", true},
		{400, "PGRST204", true}, {400, "", true},
		{401, "PGRST301", false}, {429, "", false}, {500, "XX000", false}, {502, "", false},
		{503, "PGRST001", false}, {404, "42P01", false}, {0, "", false},
	}
	for _, sc := range scenarios {
		if got := cloudsync.Classify(sc.status, sc.code); got != sc.permanent {
			t.Errorf("Classify(%d, %q) = %v, want %v", sc.status, sc.code, got, sc.permanent)
		}
	}
}

func TestPullContinuesWhilePushFailsOnServer(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	signUp(t, h, "stuck@example.com")
	a := newDevice(t, h, devOpts{})
	s := a.signIn(t, "stuck@example.com")
	putChannels(t, a.st, 4, "from a")
	a.syncUntil(t, 1)

	// The server fails every package write with an error worth retrying.
	if _, err := h.Admin.Exec(`CREATE FUNCTION public.broken() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'disk trouble' USING ERRCODE = '58030'; END $$;
		CREATE TRIGGER broken BEFORE INSERT ON public.packages FOR EACH ROW EXECUTE FUNCTION public.broken()`); err != nil {
		t.Fatal(err)
	}
	b := newDevice(t, h, devOpts{})
	b.signIn(t, "stuck@example.com")
	if err := b.st.Mutate(ctx, func(m *store.Mutation) error {
		_, err := m.Put(store.PackageEntity, store.Row{"id": newID(), "channel_id": "c", "status": "idea", "topic": "t", "title": "stuck"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := b.sy.Sync(ctx)
	var re *cloudsync.Error
	if !errors.As(err, &re) || re.Status != 500 || re.Permanent {
		t.Fatalf("sync = %v, want the package push to fail with a retryable 500", err)
	}
	if got := len(localRows(t, b.st)); got != 4 {
		t.Fatalf("b pulled %d of a's 4 channels while its push was failing", got)
	}
	if pending(t, b.st) != 1 {
		t.Fatal("the failing change left the queue")
	}
	if _, err := h.Admin.Exec(`DROP TRIGGER broken ON public.packages`); err != nil {
		t.Fatal(err)
	}
	b.syncUntil(t, 1)
	var n int
	if err := h.Admin.QueryRow(`SELECT count(*) FROM public.packages WHERE user_id = $1`, s.UserID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("server has %d packages (%v)", n, err)
	}
}

func TestLargeRowsAreSplitByBytes(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "bytes@example.com")
	d := newDevice(t, h, devOpts{})
	sy, err := cloudsync.New(context.Background(), cloudsync.Options{Store: d.st, BatchBytes: 8000})
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.cl.SignIn(context.Background(), "bytes@example.com", password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Adopt(context.Background(), s.UserID); err != nil {
		t.Fatal(err)
	}
	sy.SetRemote(d.cl, s.Email)
	ids := putChannels(t, d.st, 10, "big")
	for _, id := range ids {
		rename(t, d.st, id, strings.Repeat("long name ", 300)) // about 3 kB each
	}
	before := h.Stats.Writes.Load()
	if err := sy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	// 10 rows of about 3 kB in requests of at most 8 kB: at least 4 requests
	// (each row's older, short version travels in the same batch and is merged away).
	if n := h.Stats.Writes.Load() - before; n < 4 {
		t.Fatalf("%d push requests for 30 kB capped at 8 kB each", n)
	}
	assertConverged(t, h, d.st, s.UserID, 10)
}

func TestPullPageShrinksAfterTimeouts(t *testing.T) {
	// The server cannot answer a page of more than 100 rows within the
	// client's deadline (large rows on a slow link, in effect): it holds
	// such a request until the client gives up. Pages are asked for through
	// tubeagency_pull's page_limit, or, in a project without schema 0002, a
	// GET's limit. The deadline (2 s) is far longer than a page of 100 rows
	// takes even on a loaded machine, so only the held requests time out.
	for _, sc := range []struct {
		name string
		upTo int
	}{{"one request", 0}, {"per table", 1}} {
		t.Run(sc.name, func(t *testing.T) {
			var mu gosync.Mutex
			var asked []int // page sizes of b's channel pulls, in order
			h := gateway.StartAt(t, pg, gateway.Options{BeforeStatement: func(r *http.Request) {
				n, _ := strconv.Atoi(string(gateway.RPCArgs(r)["page_limit"]))
				if r.Method == http.MethodGet {
					if !strings.HasSuffix(r.URL.Path, "/channels") {
						return
					}
					n, _ = strconv.Atoi(r.URL.Query().Get("limit"))
				}
				if n == 0 {
					return
				}
				mu.Lock()
				asked = append(asked, n)
				mu.Unlock()
				if n > 100 {
					<-r.Context().Done()
				}
			}}, sc.upTo)
			signUp(t, h, "slow@example.com")
			a := newDevice(t, h, devOpts{page: 100})
			s := a.signIn(t, "slow@example.com")
			putChannels(t, a.st, 300, "slow")
			a.syncUntil(t, 1) // a's own rows are not sent back

			b := newDevice(t, h, devOpts{page: 800, configure: func(c *supabase.Config) { c.Timeout = 2 * time.Second }})
			b.signIn(t, "slow@example.com")
			mu.Lock()
			asked = nil // a's pulls are not what this test is about
			mu.Unlock()
			// 800 → 400 → 200 → 100 rows per page: three timeouts, then it converges.
			if failed := b.syncUntil(t, 10); failed != 3 {
				t.Fatalf("%d failed syncs before the page fit, want 3", failed)
			}
			mu.Lock()
			got := slices.Clone(asked)
			mu.Unlock()
			if len(got) < 5 || !slices.Equal(got[:4], []int{800, 400, 200, 100}) || slices.Max(got[4:]) > 100 {
				t.Fatalf("page sizes asked for: %v, want 800, 400, 200 and then at most 100", got)
			}
			if got := len(localRows(t, b.st)); got != 300 {
				t.Fatalf("b pulled %d of 300 rows", got)
			}
			assertConverged(t, h, a.st, s.UserID, 300)
		})
	}
}

func TestChangeWrittenDuringPushSurvives(t *testing.T) {
	var d *device
	var id string
	var once gosync.Once
	h := gateway.Start(t, pg, gateway.Options{BeforeStatement: func(r *http.Request) {
		if r.Method != http.MethodPost {
			return
		}
		once.Do(func() {
			// The batch is already read and on its way: edit the same row now.
			rename(t, d.st, id, "written during the push")
		})
	}})
	signUp(t, h, "during@example.com")
	d = newDevice(t, h, devOpts{})
	s := d.signIn(t, "during@example.com")
	id = putChannels(t, d.st, 1, "before")[0]
	rename(t, d.st, id, "renamed before the push")
	if err := d.sy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := serverRows(t, h.Admin, s.UserID)[id].Name; got != "written during the push" {
		t.Fatalf("server has %q: the change written during the push was lost", got)
	}
	assertConverged(t, h, d.st, s.UserID, 1)
}
