package app

import (
	"context"
	"time"

	"tubeagency/app/events"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
)

// Status is the app's state at a glance, for the header and Settings.
type Status struct {
	Version   string `json:"version"`
	Mode      string `json:"mode"`
	DataDir   string `json:"data_dir"`
	Database  string `json:"database"`
	DeviceID  string `json:"device_id"`
	Channels  int    `json:"channels"`
	Packages  int    `json:"packages"`
	Outbox    int    `json:"outbox"`
	Online    bool   `json:"online"`
	SyncState string `json:"sync_state"`
	// SyncConfigured is true once a Supabase project is saved: signed out
	// then means a sign-in is missing, not that sync was never set up.
	SyncConfigured bool `json:"sync_configured"`
	// LastSync is the last complete sync (zero = never),
	// DeadLetters the changes the server refused, SyncError the last sync
	// failure as a sentence ("" when fine).
	LastSync    time.Time `json:"last_sync,omitzero"`
	DeadLetters int       `json:"dead_letters"`
	SyncError   string    `json:"sync_error"`
	UptimeSecs  int64     `json:"uptime_secs"`
	DBBytes     int64     `json:"db_bytes"`
	WALBytes    int64     `json:"wal_bytes"`
	// TemplateErrors are template files in <data-dir>/templates that fail
	// ("titles.tmpl: …"); SettingsError says why settings.json is not in force.
	TemplateErrors []string `json:"template_errors"`
	SettingsError  string   `json:"settings_error"`
}

// Status reports the data folder, record counts and outbox depth.
func (a *App) Status() (Status, error) {
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	st := Status{
		Version:    Version,
		Mode:       rt.opts.Mode,
		DataDir:    rt.opts.DataDir,
		Database:   rt.store.Path(),
		DeviceID:   rt.store.DeviceID(),
		SyncState:  "local",
		UptimeSecs: int64(rt.opts.Now().Sub(rt.start) / time.Second),
	}
	var err error
	if st.Channels, err = store.Count(ctx, rt.store.ReadDB(), store.ChannelEntity, ""); err != nil {
		return st, err
	}
	if st.Packages, err = store.Count(ctx, rt.store.ReadDB(), store.PackageEntity, ""); err != nil {
		return st, err
	}
	if st.Outbox, err = rt.store.OutboxDepth(ctx); err != nil {
		return st, err
	}
	st.DBBytes, st.WALBytes = rt.store.Sizes()
	st.TemplateErrors, st.SettingsError = rt.providerProblems()
	if rt.sync != nil {
		ss, err := rt.sync.syncer.Status(ctx)
		if err != nil {
			return st, err
		}
		st.SyncState, st.LastSync, st.DeadLetters, st.SyncError = string(ss.State), ss.LastSync, ss.DeadLetters, ss.LastError
		st.Online = ss.State == cloudsync.StateOnline || ss.State == cloudsync.StateSyncing
		if st.SyncConfigured, err = rt.sync.session.Configured(ctx); err != nil {
			return st, err
		}
	}
	return st, nil
}

// emitStatus tells the frontend the outbox depth changed.
func (rt *Runtime) emitStatus() {
	ctx, cancel := context.WithTimeout(rt.ctx, 2*time.Second)
	defer cancel()
	n, err := rt.store.OutboxDepth(ctx)
	if err != nil {
		return
	}
	rt.emit(events.Status, map[string]any{"outbox": n})
}
