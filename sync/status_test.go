package sync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/gateway"
)

// Status reads its counts at one moment. One change the server refuses is
// moved back and forth between the dead letters and the outbox (by retry,
// by edit, and by the refused push), as users and the syncer do; at every
// moment it is in exactly one of the two, so every Status must count it
// exactly once. Counted in neither, Status would say nothing is pending
// while the change is still unsent.
func TestStatusCountsOneMoment(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	if _, err := h.Admin.Exec(`ALTER TABLE public.channels ADD CONSTRAINT short_name CHECK (length(name) <= 20)`); err != nil {
		t.Fatal(err)
	}
	signUp(t, h, "moment@example.com")
	d := newDevice(t, h, devOpts{})
	d.signIn(t, "moment@example.com")
	id := putChannels(t, d.st, 1, strings.Repeat("x", 30))[0]
	d.syncUntil(t, 1)

	var done atomic.Bool
	var reads atomic.Int64
	torn := make(chan cloudsync.Status, 1)
	reader := make(chan struct{})
	go func() {
		defer close(reader)
		for !done.Load() {
			st, err := d.sy.Status(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			reads.Add(1)
			if st.Pending+st.DeadLetters != 1 {
				select {
				case torn <- st:
				default:
				}
			}
		}
	}()
	const rounds = 40
	for i := range rounds {
		dls, err := d.sy.DeadLetters(ctx)
		if err != nil || len(dls) != 1 {
			t.Fatalf("round %d: dead letters %+v, %v", i, dls, err)
		}
		if i%2 == 0 {
			err = d.sy.RetryDeadLetter(ctx, dls[0].ID)
		} else {
			row, gerr := store.ChannelEntity.GetRow(ctx, d.st.ReadDB(), id)
			if gerr != nil {
				t.Fatal(gerr)
			}
			row["name"] = fmt.Sprintf("%s %d", strings.Repeat("y", 30), i) // still too long
			_, err = d.sy.EditDeadLetter(ctx, dls[0].ID, row)
		}
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		d.syncUntil(t, 1) // refused again: back to the dead letters
	}
	done.Store(true)
	<-reader
	select {
	case st := <-torn:
		t.Fatalf("Status counted the one change %d times: pending %d, dead letters %d (of %d reads)",
			st.Pending+st.DeadLetters, st.Pending, st.DeadLetters, reads.Load())
	default:
	}
	if reads.Load() < rounds {
		t.Fatalf("only %d Status reads ran beside %d moves", reads.Load(), 2*rounds)
	}
}

// A sign-out that lands while a Sync waits for its turn (the loop's cycle,
// Sync now, a repair holding the run token) wins: that Sync sends nothing
// to the old account, never says "syncing" and leaves no error behind; the
// change stays queued for the next sign-in.
func TestSignOutWhileASyncWaitsForItsTurn(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	ctx := context.Background()
	signUp(t, h, "turn@example.com")
	d := newDevice(t, h, devOpts{})
	s := d.signIn(t, "turn@example.com")
	putChannels(t, d.st, 1, "synced")
	d.syncUntil(t, 1)
	putChannels(t, d.st, 1, "queued")

	var during cloudsync.Status
	cloudsync.WhileWaitingForTest(d.sy, func() {
		d.sy.SetRemote(nil, "")
		during, _ = d.sy.Status(ctx)
	})
	if err := d.sy.Sync(ctx); !errors.Is(err, cloudsync.ErrSignedOut) {
		t.Fatalf("Sync after a sign-out while it waited = %v, want ErrSignedOut", err)
	}
	st, err := d.sy.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if during.State != cloudsync.StateSignedOut || st.State != cloudsync.StateSignedOut || st.LastError != "" || st.Pending != 1 {
		t.Fatalf("status = %+v (while waiting %+v), want signed out with the change queued and no error", st, during)
	}
	if n := len(serverRows(t, h.Admin, s.UserID)); n != 1 {
		t.Fatalf("the server has %d rows: the queued change went to the account signed out of", n)
	}
}
