package sync_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/internal/hlc"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/gateway"
)

const farFuture = "9999999999999-999999-00000000000000ee"

// poison stores a channel stamped far in the future for the user: through
// the API on a project without schema 0002 (as a broken device or a hostile
// client could), or, on one with it, as if written before it was applied.
func poison(t *testing.T, h *gateway.Harness, token, id string, upTo int) {
	t.Helper()
	body := `{"id":"` + id + `","name":"poisoned","niche":"x","language":"en","format":"long","cadence":1,"hlc":"` + farFuture + `","created_at":1,"updated_at":1}`
	if upTo == 1 {
		if status, code, raw := call(t, h, "POST", "/rest/v1/channels", token, body, nil); status != 201 {
			t.Fatalf("poison through the API: %d %s %s", status, code, raw)
		}
		return
	}
	if status, code, _ := call(t, h, "POST", "/rest/v1/channels", token, body, nil); status != 400 || code != "23514" {
		t.Fatalf("schema 0002 let a far-future clock in: %d %s", status, code)
	}
	if _, err := h.Admin.Exec(`ALTER TABLE public.channels DROP CONSTRAINT channels_clock_not_ahead`); err != nil {
		t.Fatal(err)
	}
	if status, code, raw := call(t, h, "POST", "/rest/v1/channels", token, body, nil); status != 201 {
		t.Fatalf("poison: %d %s %s", status, code, raw)
	}
	if _, err := h.Admin.Exec(`ALTER TABLE public.channels ADD CONSTRAINT channels_clock_not_ahead CHECK (hlc <= public.tubeagency_clock_bound()) NOT VALID`); err != nil {
		t.Fatal(err)
	}
}

// TestFarFutureClockIsBounded pulls a row stamped in the year 2286. The row
// is applied, this device's clock stays within its drift of the wall
// clock, the clock alert names the device and the row, and later writes
// keep syncing (before the bound, the next stamp overflowed its 13 digits
// and the server refused every write with 23514). With schema 0002 an edit
// of that row replaces the server's far-future copy.
func TestFarFutureClockIsBounded(t *testing.T) {
	for _, sc := range []struct {
		name string
		upTo int
	}{{"project without 0002", 1}, {"project with 0002", 0}} {
		t.Run(sc.name, func(t *testing.T) {
			h := gateway.StartAt(t, pg, gateway.Options{}, sc.upTo)
			s := signUp(t, h, "clock@example.com")
			poison(t, h, s.AccessToken, "poisoned-row", sc.upTo)
			events := make(chan cloudsync.Status, 64)
			d := newDevice(t, h, devOpts{syncer: func(o *cloudsync.Options) {
				o.Emit = func(_ string, data any) {
					if st, ok := data.(cloudsync.Status); ok && st.ClockAlert != nil {
						select {
						case events <- st:
						default:
						}
					}
				}
			}})
			d.signIn(t, "clock@example.com")
			d.syncUntil(t, 1)
			if got := localRows(t, d.st)["poisoned-row"]; got.HLC != farFuture {
				t.Fatalf("the far-future row was not applied: %+v", got)
			}
			next, err := d.st.Clock().Now()
			if err != nil {
				t.Fatal(err)
			}
			ts, _ := hlc.Parse(next)
			if limit := time.Now().Add(hlc.DefaultMaxDrift + time.Minute).UnixMilli(); ts.Millis > limit {
				t.Fatalf("the clock followed the far future: %s", next)
			}
			st, _ := d.sy.Status(context.Background())
			a := st.ClockAlert
			if a == nil || a.Device != "00000000000000ee" || a.RowID != "poisoned-row" || a.Table != "channels" || !strings.Contains(a.Message, "00000000000000ee") {
				t.Fatalf("clock alert = %+v", a)
			}
			select {
			case <-events:
			default:
				t.Fatal("no sync event carried the clock alert")
			}
			// Later writes sync.
			ids := putChannels(t, d.st, 5, "after")
			d.syncUntil(t, 1)
			server := serverRows(t, h.Admin, s.UserID)
			for _, id := range ids {
				if v, ok := server[id]; !ok || len(v.HLC) != hlc.Len {
					t.Fatalf("later write %s on the server: %+v", id, v)
				}
			}
			if dls, _ := d.sy.DeadLetters(context.Background()); len(dls) != 0 {
				t.Fatalf("later writes refused: %+v", dls)
			}
			if sc.upTo == 0 {
				rename(t, d.st, "poisoned-row", "recovered")
				d.syncUntil(t, 1)
				if v := serverRows(t, h.Admin, s.UserID)["poisoned-row"]; v.Name != "recovered" || v.HLC == farFuture {
					t.Fatalf("the server kept the far-future row: %+v", v)
				}
			}
		})
	}
}

// TestRepairClocksOnPoisonedDatabase opens a database left by a version
// without clock bounds: a pulled row stamped in 2286, the clock dragged
// there, so its pending changes carry 14-digit stamps the schema refuses
// (some already refused, as dead letters). Reopened, the clock is sane;
// the refused changes stay refused until RepairClocks stamps them again;
// then everything syncs, and the far-future row is replaced on the server
// too, so a second device converges on it.
func TestRepairClocksOnPoisonedDatabase(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	s := signUp(t, h, "repair@example.com")
	path := filepath.Join(t.TempDir(), "poisoned.db")
	old := openStore(t, path, nil)
	dev := old.DeviceID()
	good := putChannels(t, old, 3, "good")
	ctx := context.Background()
	// What the old version left: the far-future row pulled from elsewhere
	// (and pushed there), and local edits stamped past it.
	overflow := func(n int) string { return fmt.Sprintf("10000000000000-%06d-%s", n, dev) }
	if err := old.RunInTx(ctx, func(tx *sqlTx) error {
		if err := store.ChannelEntity.PutRow(ctx, tx, channelRowAt("far", "stuck in 2286", farFuture)); err != nil {
			return err
		}
		for i, id := range good[:2] {
			r := channelRowAt(id, fmt.Sprintf("edited under the bad clock %d", i), overflow(i))
			if err := store.ChannelEntity.PutRow(ctx, tx, r); err != nil {
				return err
			}
			if err := queue(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	poison(t, h, s.AccessToken, "far", 0)

	d := newDevice(t, h, devOpts{path: path})
	if next, _ := d.st.Clock().Now(); next > d.st.Clock().Bound() || len(next) != hlc.Len {
		t.Fatalf("reopened, the clock stamps %s", next)
	}
	d.signIn(t, "repair@example.com") // adopts every local row: "far" is queued as it is
	d.syncUntil(t, 1)
	dls, _ := d.sy.DeadLetters(ctx)
	if len(dls) != 3 {
		t.Fatalf("%d dead letters before the repair, want the 2 changes stamped with 14 digits and the far-future row: %+v", len(dls), dls)
	}
	// One more far-future row, pulled and not queued (as another device
	// would hold it).
	if err := d.st.RunInTx(ctx, func(tx *sqlTx) error {
		return store.ChannelEntity.PutRow(ctx, tx, channelRowAt("far2", "also stuck", farFuture))
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := d.sy.RepairClocks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DeadLetters != 3 || rep.Rows != 1 || rep.Pending != 0 || len(rep.Clock) != hlc.Len {
		t.Fatalf("repair report %+v, want 3 dead letters and 1 far-future row", rep)
	}
	d.syncUntil(t, 1)
	if dls, _ := d.sy.DeadLetters(ctx); len(dls) != 0 {
		t.Fatalf("after the repair: %+v", dls)
	}
	assertConverged(t, h, d.st, s.UserID, 5)
	server := serverRows(t, h.Admin, s.UserID)
	if server[good[0]].Name != "edited under the bad clock 0" || server["far"].HLC == farFuture {
		t.Fatalf("server after the repair: %+v", server)
	}
	// A second device that pulled the far-future row before the repair
	// takes the repaired one.
	e := newDevice(t, h, devOpts{})
	e.signIn(t, "repair@example.com")
	if err := e.st.RunInTx(ctx, func(tx *sqlTx) error {
		return store.ChannelEntity.PutRow(ctx, tx, channelRowAt("far", "stuck in 2286", farFuture))
	}); err != nil {
		t.Fatal(err)
	}
	e.syncUntil(t, 1)
	if got, want := localRows(t, e.st)["far"], localRows(t, d.st)["far"]; got != want {
		t.Fatalf("second device has %+v, want %+v", got, want)
	}
	// Nothing left to repair: a second run changes nothing.
	if rep, err := d.sy.RepairClocks(ctx); err != nil || rep.Pending+rep.DeadLetters+rep.Rows != 0 {
		t.Fatalf("second repair = %+v, %v", rep, err)
	}
	if _, err := d.sy.RepairClocks(cancelled()); !errors.Is(err, context.Canceled) {
		t.Fatalf("repair with a cancelled context = %v", err)
	}
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func channelRowAt(id, name, clock string) store.Row {
	r := channelRow(id, name)
	r["hlc"], r["created_at"], r["updated_at"], r["deleted"] = clock, int64(1), int64(1), false
	return r
}

// TestRepairStampsPendingChanges repairs, offline, changes queued under a
// dragged clock before they were ever pushed: each row gets one new change
// stamped from the sane clock, and its badly stamped entries go.
func TestRepairStampsPendingChanges(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "pending.db"), nil)
	sy, err := cloudsync.New(ctx, cloudsync.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ids := putChannels(t, st, 3, "kept")
	dev := st.DeviceID()
	if err := st.RunInTx(ctx, func(tx *sqlTx) error {
		for i, id := range ids[:2] {
			for n := range 2 { // two bad entries for the same row
				r := channelRowAt(id, fmt.Sprintf("bad %d/%d", i, n), fmt.Sprintf("10000000000000-%06d-%s", 10*i+n, dev))
				if err := store.ChannelEntity.PutRow(ctx, tx, r); err != nil {
					return err
				}
				if err := queue(ctx, tx, r); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := sy.RepairClocks(ctx)
	if err != nil || rep.Pending != 2 || rep.Rows != 0 || rep.DeadLetters != 0 {
		t.Fatalf("repair = %+v, %v; want the 2 rows with pending changes", rep, err)
	}
	entries, err := st.Outbox(ctx, st.ReadDB(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 { // the 3 original inserts and one new change for each repaired row
		t.Fatalf("%d outbox entries after the repair: %+v", len(entries), entries)
	}
	bound := st.Clock().Bound()
	for _, e := range entries {
		if len(e.HLC) != hlc.Len || e.HLC > bound {
			t.Fatalf("entry %+v still badly stamped", e)
		}
	}
	rows := localRows(t, st)
	if v := rows[ids[1]]; v.Name != "bad 1/1" || len(v.HLC) != hlc.Len {
		t.Fatalf("repaired row = %+v, want its latest content with a sane stamp", v)
	}
}
