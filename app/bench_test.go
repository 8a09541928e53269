package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"tubeagency/internal/store"
)

// seedPackages fills a data folder with one channel and n packages, in
// batches, and returns the folder.
func seedPackages(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "tubeagency.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ch := store.Channel{Meta: store.Meta{ID: uuid.Must(uuid.NewV7()).String()}, Name: "Bench", Niche: "cooking", Language: "en", Format: store.FormatLong, Cadence: 3}
	for done := 0; done < n; {
		err := st.Mutate(context.Background(), func(m *store.Mutation) error {
			if done == 0 {
				if _, err := store.PutRecord(m, store.ChannelEntity, ch); err != nil {
					return err
				}
			}
			for i := 0; i < 500 && done < n; i, done = i+1, done+1 {
				p := store.Package{Meta: store.Meta{ID: uuid.Must(uuid.NewV7()).String()}, ChannelID: ch.ID, Status: store.StatusReady,
					Topic: fmt.Sprintf("topic %d", done), Title: fmt.Sprintf("Title number %d", done),
					Content: store.PackageContent{Hook: "A hook", Tags: []string{"a", "b"}, Description: "A description of some length."}}
				if _, err := store.PutRecord(m, store.PackageEntity, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkColdStart measures opening the data folder (migrations, clock
// recovery) up to the first answered bound call, with 10,000 packages.
func BenchmarkColdStart(b *testing.B) {
	dir := seedPackages(b, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rt, err := Start(context.Background(), Options{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		st, err := rt.API().Status()
		if err != nil || st.Packages != 10000 {
			b.Fatalf("status %+v %v", st, err)
		}
		b.StopTimer()
		rt.Close()
		os.Remove(filepath.Join(dir, "tubeagency.db-shm"))
		b.StartTimer()
	}
}
