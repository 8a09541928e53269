package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/app/render"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
)

// AutopilotChannel is one channel's row on the Autopilot page.
type AutopilotChannel struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Format    string  `json:"format"`
	Autopilot bool    `json:"autopilot"`
	Cadence   float64 `json:"cadence"`  // videos per week
	Upcoming  int     `json:"upcoming"` // unpublished packages
	Ready     int     `json:"ready"`
	// Rendered counts the ready packages whose video is rendered; ToRender
	// the ready ones still without a finished video (Ready − Rendered).
	Rendered int `json:"rendered"`
	ToRender int `json:"to_render"`
	Queued   int `json:"queued"`
	Running  int `json:"running"`
	Deferred int `json:"deferred"`
	Failed   int `json:"failed"`
	// NextRun is when the autopilot next works for this channel: the
	// earliest due job, or, when the channel is full, when its next ready
	// package is due to publish at its cadence. Zero when autopilot is off.
	NextRun time.Time `json:"next_run,omitzero"`
}

// AutopilotOverview is the Autopilot page's data.
type AutopilotOverview struct {
	Settings autopilot.Settings `json:"settings"`
	Pool     workers.Stats      `json:"pool"`
	Channels []AutopilotChannel `json:"channels"`
	Jobs     []AutopilotJob     `json:"jobs"`
}

// AutopilotOverview returns settings, the worker pool, every channel's
// plan and the job queue (open jobs first, then the latest finished).
func (a *App) AutopilotOverview() (AutopilotOverview, error) {
	ctx, cancel := a.call()
	defer cancel()
	ap := a.rt.studio.autopilot
	out := AutopilotOverview{Settings: ap.Settings(), Pool: ap.Pool().Stats()}
	jobs, err := ap.Jobs(ctx, 200)
	if err != nil {
		return out, err
	}
	out.Jobs = autopilotJobsOf(jobs)
	counts, err := ap.JobCounts(ctx)
	if err != nil {
		return out, err
	}
	chs, err := store.List[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, "", "name COLLATE NOCASE, id")
	if err != nil {
		return out, err
	}
	rendered, err := a.rt.renderedReady(ctx)
	if err != nil {
		return out, err
	}
	now := a.rt.opts.Now()
	for _, ch := range chs {
		c := AutopilotChannel{ID: ch.ID, Name: ch.Name, Format: ch.Format, Autopilot: ch.Autopilot, Cadence: ch.Cadence,
			Queued: counts[ch.ID][autopilot.JobQueued], Running: counts[ch.ID][autopilot.JobRunning],
			Deferred: counts[ch.ID][autopilot.JobDeferred], Failed: counts[ch.ID][autopilot.JobFailed]}
		if c.Upcoming, err = store.Count(ctx, a.rt.store.ReadDB(), store.PackageEntity, "channel_id = ? AND status != ?", ch.ID, store.StatusPublished); err != nil {
			return out, err
		}
		if c.Ready, err = store.Count(ctx, a.rt.store.ReadDB(), store.PackageEntity, "channel_id = ? AND status = ?", ch.ID, store.StatusReady); err != nil {
			return out, err
		}
		c.Rendered = min(rendered[ch.ID], c.Ready)
		c.ToRender = c.Ready - c.Rendered
		if ch.Autopilot {
			c.NextRun = msTime(nextRun(jobs, ch, c, out.Settings, now))
		}
		out.Channels = append(out.Channels, c)
	}
	if out.Channels == nil {
		out.Channels = []AutopilotChannel{}
	}
	return out, nil
}

// renderedReady counts, per channel, the ready packages with a finished
// render. It reads the render folders (one per rendered package, bounded by
// the "keep the last N" cleanup) and the ready packages' ids, never their
// content: a backlog of thousands stays quick.
func (rt *Runtime) renderedReady(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	if rt.render == nil {
		return out, nil
	}
	done, err := render.Finished(rt.render.root)
	if err != nil {
		return nil, err
	}
	if len(done) == 0 {
		return out, nil
	}
	rows, err := rt.store.ReadDB().QueryContext(ctx, `SELECT id, channel_id FROM packages WHERE deleted = 0 AND status = ?`, store.StatusReady)
	if err != nil {
		return nil, fmt.Errorf("count rendered packages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ch string
		if err := rows.Scan(&id, &ch); err != nil {
			return nil, fmt.Errorf("count rendered packages: %w", err)
		}
		if done[id] {
			out[ch]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count rendered packages: %w", err)
	}
	return out, nil
}

func nextRun(jobs []autopilot.Job, ch store.Channel, c AutopilotChannel, s autopilot.Settings, now time.Time) int64 {
	best := int64(0)
	for _, j := range jobs {
		if j.ChannelID != ch.ID || (j.Status != autopilot.JobQueued && j.Status != autopilot.JobDeferred && j.Status != autopilot.JobRunning) {
			continue
		}
		due := max(j.NotBefore, now.UnixMilli())
		if best == 0 || due < best {
			best = due
		}
	}
	if best != 0 {
		return best
	}
	if c.Upcoming < s.Ahead {
		return now.UnixMilli()
	}
	if ch.Cadence <= 0 {
		return 0
	}
	return now.Add(time.Duration(float64(7*24*time.Hour) / ch.Cadence)).UnixMilli()
}

// WorkerPool reports the autopilot's worker pool now: size, busy,
// waiting, utilisation over the window, peak, completed.
func (a *App) WorkerPool() (workers.Stats, error) {
	return a.rt.WorkerStats(), nil
}

// WorkerStats is the job worker pool now, for the monitor and Infrastructure.
func (rt *Runtime) WorkerStats() workers.Stats { return rt.studio.autopilot.Pool().Stats() }

// AutopilotSetChannel switches autopilot on or off for a channel and sets
// its cadence (videos per week, 0.1–50). The change syncs like any
// channel edit.
func (a *App) AutopilotSetChannel(channelID string, on bool, cadence float64) (Channel, error) {
	var c checker
	c.text("channel_id", channelID, 1, 64)
	c.number("cadence", cadence, 0.1, 50)
	if err := c.check(); err != nil {
		return Channel{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	var out store.Channel
	err := a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		ch, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, channelID)
		if err != nil {
			return notFound(err, "channel")
		}
		was := ch.Autopilot
		ch.Autopilot, ch.Cadence = on, cadence
		if on && ch.AutopilotHost == "" {
			ch.AutopilotHost = a.rt.sync.devices.ID() // switched on here: this device runs it
		}
		if out, err = store.PutRecord(m, store.ChannelEntity, ch); err != nil {
			return err
		}
		if was != on {
			kind, msg := "autopilot.off", "Autopilot switched off for "+ch.Name
			if on {
				kind, msg = "autopilot.on", "Autopilot switched on for "+ch.Name
			}
			return a.rt.logActivity(m, ch.ID, kind, msg, map[string]any{"cadence": cadence})
		}
		return nil
	})
	if err != nil {
		return Channel{}, err
	}
	a.rt.changed("channels", out)
	a.rt.studio.autopilot.Wake()
	return channelOf(out), nil
}

// AutopilotSaveSettings validates and saves the autopilot settings.
func (a *App) AutopilotSaveSettings(s autopilot.Settings) (autopilot.Settings, error) {
	ctx, cancel := a.call()
	defer cancel()
	out, err := a.rt.studio.autopilot.SaveSettings(ctx, s)
	var fe *autopilot.FieldError
	if errors.As(err, &fe) {
		return out, &FieldError{Field: fe.Field, Message: fe.Message}
	}
	return out, err
}

// AutopilotEnqueue queues count packages (1–1000) for a channel now.
func (a *App) AutopilotEnqueue(channelID string, count int) ([]AutopilotJob, error) {
	ctx, cancel := a.call()
	defer cancel()
	jobs, err := a.rt.studio.autopilot.Enqueue(ctx, channelID, count)
	var fe *autopilot.FieldError
	switch {
	case errors.As(err, &fe):
		return nil, &FieldError{Field: fe.Field, Message: fe.Message}
	case errors.Is(err, autopilot.ErrUnknownChannel):
		return nil, &FieldError{Field: "channel_id", Message: "names no channel: pick an existing channel"}
	}
	if err != nil {
		return nil, err
	}
	return autopilotJobsOf(jobs), nil
}

// AutopilotRetry queues a failed, cancelled or deferred job again.
func (a *App) AutopilotRetry(jobID string) error {
	ctx, cancel := a.call()
	defer cancel()
	err := a.rt.studio.autopilot.Retry(ctx, jobID)
	if errors.Is(err, autopilot.ErrNotRetryable) {
		return &FieldError{Field: "job_id", Message: autopilot.ErrNotRetryable.Error()}
	}
	return err
}

// AutopilotCancel cancels a queued, deferred or running job.
func (a *App) AutopilotCancel(jobID string) error {
	ctx, cancel := a.call()
	defer cancel()
	err := a.rt.studio.autopilot.Cancel(ctx, jobID)
	if errors.Is(err, autopilot.ErrNotCancellable) {
		return &FieldError{Field: "job_id", Message: autopilot.ErrNotCancellable.Error()}
	}
	return err
}

// ChannelActivity is one channel's part of the "while you were away" summary.
type ChannelActivity struct {
	ChannelID string `json:"channel_id"`
	Name      string `json:"name"`
	Generated int    `json:"generated"` // packages made ready
	Queued    int    `json:"queued"`
	Deferred  int    `json:"deferred"`
	Errors    int    `json:"errors"`
}

// ActivitySummary is what happened since the app was last opened.
type ActivitySummary struct {
	Since     time.Time         `json:"since,omitzero"` // zero on the first start
	Entries   int               `json:"entries"`
	Channels  []ChannelActivity `json:"channels"`
	Providers map[string]int    `json:"providers"` // answers per provider
	Fallbacks int               `json:"fallbacks"`
	CacheHits int               `json:"cache_hits"`
	Sync      map[string]int    `json:"sync"`  // sync activity by kind
	Kinds     map[string]int    `json:"kinds"` // every kind seen
	Errors    []Activity        `json:"errors"`
}

// ActivitySummary summarises the activity log since the user's last visit
// (ActivityMarkSeen): per channel, packages generated; and providers used,
// fallbacks, cache hits, sync results and errors. Before any visit it
// covers everything.
func (a *App) ActivitySummary() (ActivitySummary, error) {
	ctx, cancel := a.call()
	defer cancel()
	since, err := a.rt.activitySeen(ctx)
	if err != nil {
		return ActivitySummary{}, err
	}
	return a.rt.activitySummary(ctx, since)
}

// ActivityMarkSeen records this visit: the next summary starts from now.
// The dashboard calls it once it has shown the summary.
func (a *App) ActivityMarkSeen() error {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.markActivitySeen(ctx, a.rt.opts.Now().UnixMilli())
}

func (rt *Runtime) activitySummary(ctx context.Context, since int64) (ActivitySummary, error) {
	out := ActivitySummary{Since: msTime(since), Providers: map[string]int{}, Sync: map[string]int{}, Kinds: map[string]int{},
		Channels: []ChannelActivity{}, Errors: []Activity{}}
	acts, err := store.List[store.Activity](ctx, rt.store.ReadDB(), store.ActivityEntity, "created_at > ?", "created_at, id", since)
	if err != nil {
		return out, err
	}
	chs, err := store.List[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, "", "")
	if err != nil {
		return out, err
	}
	names := map[string]string{}
	for _, c := range chs {
		names[c.ID] = c.Name
	}
	per := map[string]*ChannelActivity{}
	chOf := func(id string) *ChannelActivity {
		if per[id] == nil {
			name := names[id]
			if name == "" {
				name = "Deleted channel"
			}
			per[id] = &ChannelActivity{ChannelID: id, Name: name}
		}
		return per[id]
	}
	for _, act := range acts {
		out.Entries++
		out.Kinds[act.Kind]++
		var data struct {
			Providers map[string]int `json:"providers"`
			Fallbacks int            `json:"fallbacks"`
			CacheHits int            `json:"cache_hits"`
			Count     int            `json:"count"`
		}
		_ = json.Unmarshal(act.Data, &data) // entries of other kinds carry other shapes
		isError := strings.HasSuffix(act.Kind, ".failed") || strings.HasSuffix(act.Kind, ".error")
		switch {
		case act.Kind == "studio.ready":
			chOf(act.ChannelID).Generated++
			for p, n := range data.Providers {
				out.Providers[p] += n
			}
			out.Fallbacks += data.Fallbacks
			out.CacheHits += data.CacheHits
		case act.Kind == "autopilot.queued":
			chOf(act.ChannelID).Queued += max(data.Count, 1)
		case act.Kind == "autopilot.deferred":
			chOf(act.ChannelID).Deferred++
		case act.Kind == "autopilot.templates":
			out.Fallbacks++
		case strings.HasPrefix(act.Kind, "sync."):
			out.Sync[act.Kind]++
		}
		if isError {
			if act.ChannelID != "" {
				chOf(act.ChannelID).Errors++
			}
			if len(out.Errors) < 50 {
				out.Errors = append(out.Errors, activityOf(act))
			}
		}
	}
	for _, c := range per {
		out.Channels = append(out.Channels, *c)
	}
	sort.Slice(out.Channels, func(i, j int) bool { return out.Channels[i].Name < out.Channels[j].Name })
	return out, nil
}
