package app

import (
	"context"
	"fmt"
	"slices"

	"tubeagency/app/events"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/session"
	"tubeagency/sync/supabase"
)

// secretSyncSession is the key store name of the Supabase session.
const secretSyncSession = supabase.DefaultSessionSecret

// syncParts are this device among the account's devices (built before the
// autopilot, which asks it who hosts each channel), the syncer and the
// sync session (built last), which starts and stops the syncer.
type syncParts struct {
	devices *cloudsync.Devices
	syncer  *cloudsync.Syncer
	session *session.Session
}

// buildDevices builds this device's heartbeat and autopilot hosts.
func (rt *Runtime) buildDevices(context.Context) error {
	kind := store.DeviceDesktop
	if rt.opts.Mode == "serve" {
		kind = store.DeviceServe
	}
	d, err := cloudsync.NewDevices(cloudsync.DevicesConfig{
		Store:       rt.store,
		Kind:        kind,
		Version:     Version,
		Now:         rt.opts.Now,
		LogActivity: rt.logActivity,
		Logger:      rt.log,
	})
	if err != nil {
		return fmt.Errorf("start devices: %w", err)
	}
	rt.sync = &syncParts{devices: d}
	return nil
}

// buildSync migrates the sync tables and builds the syncer, which reports
// what it pushed and pulled to the monitor, writes this device's heartbeat
// and wakes the autopilot when channels or devices arrive; then the
// session, which keeps the signed-in session in the key store.
func (rt *Runtime) buildSync(ctx context.Context) error {
	ap := rt.studio.autopilot
	sy, err := cloudsync.New(ctx, cloudsync.Options{
		Store:   rt.store,
		Now:     rt.opts.Now,
		Logger:  rt.log,
		Counted: rt.monitor.SyncCounted,
		Devices: rt.sync.devices,
		Pulled: func(tables []string) {
			if slices.Contains(tables, store.ChannelEntity.Table) || slices.Contains(tables, store.DeviceEntity.Table) {
				ap.Wake() // a host chosen elsewhere, or a host's heartbeat
			}
		},
		Emit: func(name string, data any) {
			if name == events.Sync {
				rt.emit(events.Sync, data)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	sess, err := session.New(session.Config{Syncer: sy, Keys: rt.syncKeys, NoSecret: secrets.ErrNotFound, Now: rt.opts.Now, Logger: rt.log})
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	rt.sync.syncer, rt.sync.session = sy, sess
	return nil
}

// startSync starts the sync loop and restores a saved session (in the
// background: reading the keyring can take a moment).
func (rt *Runtime) startSync() error {
	rt.sync.session.Start(rt.ctx)
	return nil
}

// stopSync stops the restore and the sync loop.
func (rt *Runtime) stopSync() { rt.sync.session.Stop() }

// syncKeys is the key store as the sync session sees it.
func (rt *Runtime) syncKeys() (session.Keys, error) {
	ks, err := rt.Keys()
	if err != nil {
		return nil, err
	}
	return ks, nil
}
