//go:build bindings

package main

import (
	"fmt"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"

	"tubeagency/app"
	"tubeagency/app/autopilot"
	"tubeagency/app/monitor"
	"tubeagency/app/publish"
	"tubeagency/app/studio"
	"tubeagency/app/update"
	cloudsync "tubeagency/sync"
)

// `wails generate module` (make bindings) builds this binary with the
// bindings tag and runs it to describe the bound API as TypeScript in
// frontend/wailsjs. Describing needs the types of what is bound, not a
// started app: no data folder is opened, no window and no display needed.
const generatingBindings = true

func generateBindings() int {
	err := wails.Run(&options.App{Bind: []any{&app.App{}, &EventPayloads{}}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "tubeagency: generate bindings: %v\n", err)
		return 1
	}
	return 0
}

// EventPayloads names the payload of each event the dashboard reads, so
// that they are generated as TypeScript models too (Wails generates models
// only for what bound methods take and return). It is bound only in the
// binary that writes the bindings: nothing calls it at run time, and the
// dashboard uses only the types of frontend/wailsjs/go/main/EventPayloads.
type EventPayloads struct{}

// Job is a "job" event from a Studio run.
func (EventPayloads) Job() studio.Progress { return studio.Progress{} }

// AutopilotJob is a "job" event from the autopilot (Source "autopilot").
func (EventPayloads) AutopilotJob() autopilot.Event { return autopilot.Event{} }

// Alert is an "alert" event.
func (EventPayloads) Alert() monitor.AlertEvent { return monitor.AlertEvent{} }

// Publish is a "publish" event: an upload's progress or state.
func (EventPayloads) Publish() publish.Progress { return publish.Progress{} }

// YouTube is a "youtube" event: a sign-in's outcome or a changed link.
func (EventPayloads) YouTube() app.YouTubeEvent { return app.YouTubeEvent{} }

// Sync is a "sync" event: the syncer's status.
func (EventPayloads) Sync() cloudsync.Status { return cloudsync.Status{} }

// Metrics is a "metrics" event.
func (EventPayloads) Metrics() monitor.Snapshot { return monitor.Snapshot{} }

// Update is an "update" event: the update checker's state after a check,
// a download or a change of setting.
func (EventPayloads) Update() update.Status { return update.Status{} }
