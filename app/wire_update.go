package app

import (
	"context"
	"fmt"
	"path/filepath"

	"tubeagency/app/update"
)

// buildUpdates builds the release checker when a feed is configured
// (Options.UpdateFeedURL). Its state (on or off, the last check, what it
// found) lives in <data-dir>/update.json, verified downloads of .deb files
// in <data-dir>/updates.
func (rt *Runtime) buildUpdates(context.Context) error {
	if rt.opts.UpdateFeedURL == "" {
		return nil
	}
	u, err := update.New(update.Options{
		FeedURL:   rt.opts.UpdateFeedURL,
		Current:   Version,
		StateFile: filepath.Join(rt.opts.DataDir, "update.json"),
		Now:       rt.opts.Now,
		Emit:      rt.emit,
		Logger:    rt.log,
		Restart:   rt.opts.Restart,
	})
	if err != nil {
		return fmt.Errorf("start update checks: %w", err)
	}
	rt.updates = u
	return nil
}

// startUpdates starts the daily check (its first look comes minutes after
// the start, never during it).
func (rt *Runtime) startUpdates() error {
	if rt.updates != nil {
		rt.updates.Start()
	}
	return nil
}

func (rt *Runtime) stopUpdates() {
	if rt.updates != nil {
		rt.updates.Stop()
	}
}
