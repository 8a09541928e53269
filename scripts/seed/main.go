// Command seed fills a data folder with packages for the desktop smoke
// test and cold-start measurements, the way a year of use would: it adds n
// ready packages to an existing channel through the store (batches of 500
// in one transaction each, outbox entries included).
//
//	go run ./scripts/seed -data-dir DIR -channel-name NAME -packages 10000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"tubeagency/internal/store"
)

func main() {
	dir := flag.String("data-dir", "", "data folder (made by the app: migrations already run)")
	name := flag.String("channel-name", "", "channel to add the packages to")
	n := flag.Int("packages", 10000, "how many packages to add")
	flag.Parse()
	if err := seed(context.Background(), *dir, *name, *n); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func seed(ctx context.Context, dir, name string, n int) error {
	if dir == "" || name == "" {
		return errors.New("-data-dir and -channel-name are required")
	}
	st, err := store.Open(ctx, filepath.Join(dir, "tubeagency.db"), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	channels, err := store.List[store.Channel](ctx, st.ReadDB(), store.ChannelEntity, "name = ?", "id", name)
	if err != nil {
		return err
	}
	if len(channels) == 0 {
		return fmt.Errorf("no channel named %q", name)
	}
	ch := channels[0]
	for done := 0; done < n; {
		err := st.Mutate(ctx, func(m *store.Mutation) error {
			for i := 0; i < 500 && done < n; i, done = i+1, done+1 {
				p := store.Package{Meta: store.Meta{ID: uuid.Must(uuid.NewV7()).String()}, ChannelID: ch.ID, Status: store.StatusReady,
					Topic: fmt.Sprintf("legend %d", done), Title: fmt.Sprintf("The night bus that never stops, part %d", done),
					Content: store.PackageContent{Hook: "Nobody gets off at the last stop.", Tags: []string{"urban legends", "night bus"},
						Description: "Drivers on the night line tell the same story, and none of them will say where it ends."}}
				if _, err := store.PutRecord(m, store.PackageEntity, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("add packages: %w", err)
		}
	}
	fmt.Printf("seed: %d packages added to %q\n", n, name)
	return nil
}
