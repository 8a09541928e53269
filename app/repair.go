package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
)

// RepairClocks repairs the sync clocks of the database in dataDir without
// starting the app or the network (the command line's `tubeagency sync
// repair`): changes and rows stamped far ahead are stamped again from a
// sane clock and queued, and the app's next sync sends them. Close the app
// using the folder first; inside the app, Settings → Sync → Repair clocks
// does the same.
func RepairClocks(ctx context.Context, dataDir string, logger *slog.Logger) (cloudsync.RepairReport, error) {
	path := filepath.Join(dataDir, "tubeagency.db")
	if _, err := os.Stat(path); err != nil {
		return cloudsync.RepairReport{}, fmt.Errorf("no Tube Agency database in %s: %w", dataDir, err)
	}
	st, err := store.Open(ctx, path, store.Options{Logger: logger})
	if err != nil {
		return cloudsync.RepairReport{}, err
	}
	defer st.Close()
	sy, err := cloudsync.New(ctx, cloudsync.Options{Store: st, Logger: logger})
	if err != nil {
		return cloudsync.RepairReport{}, err
	}
	return sy.RepairClocks(ctx)
}
