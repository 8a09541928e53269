package render_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"tubeagency/app/render"
	"tubeagency/internal/store"
)

func TestQueueKeepsTheOrderAskedAcrossReopening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tubeagency.db")
	open := func() (*store.Store, *render.Queue) {
		st, err := store.Open(t.Context(), path, store.Options{MachineID: "test"})
		if err != nil {
			t.Fatal(err)
		}
		q, err := render.OpenQueue(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		return st, q
	}
	st, q := open()
	at := time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)
	for i, id := range []string{"pkg-b", "pkg-a", "pkg-c", "pkg-b"} { // asked twice: keeps its first place
		if err := q.Add(t.Context(), render.Queued{PackageID: id, ChannelID: "ch", Source: "studio", QueuedAt: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	var fe *render.JobError
	if err := q.Add(t.Context(), render.Queued{PackageID: "../etc"}); !errors.As(err, &fe) || fe.Field != "package_id" {
		t.Fatalf("a bad id = %v", err)
	}
	if err := q.Remove(t.Context(), "pkg-a"); err != nil {
		t.Fatal(err)
	}
	if err := q.Remove(t.Context(), "never-queued"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, q = open()
	defer st.Close()
	list, err := q.List(t.Context())
	if err != nil || len(list) != 2 || list[0].PackageID != "pkg-b" || list[1].PackageID != "pkg-c" ||
		!list[0].QueuedAt.Equal(at) || list[1].Source != "studio" || list[1].ChannelID != "ch" {
		t.Fatalf("queue after reopening: %+v %v", list, err)
	}
	// Added after a removal, a package goes last.
	if err := q.Add(t.Context(), render.Queued{PackageID: "pkg-a", QueuedAt: at}); err != nil {
		t.Fatal(err)
	}
	if list, _ := q.List(t.Context()); len(list) != 3 || list[2].PackageID != "pkg-a" {
		t.Fatalf("queue after adding again: %+v", list)
	}
}
