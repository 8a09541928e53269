package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"tubeagency/app/events"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabase"
)

// secretSyncSession is the key store name of the Supabase session.
const secretSyncSession = supabase.DefaultSessionSecret

// syncParts are this device among the account's devices (built before the
// autopilot, which asks it who hosts each channel), the syncer and the
// sync account (built last).
type syncParts struct {
	devices *cloudsync.Devices
	syncer  *cloudsync.Syncer
	account *supabase.Account
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
// account, which keeps the session in the key store.
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
	acct, err := supabase.NewAccount(supabase.AccountConfig{Syncer: sy, Secrets: keySecrets{rt}, Now: rt.opts.Now, Logger: rt.log})
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	rt.sync.syncer, rt.sync.account = sy, acct
	return nil
}

// startSync starts the sync loop (signed out) and restores a saved session
// in the background: reading the keyring can take a moment.
func (rt *Runtime) startSync() error {
	rt.sync.syncer.Start(rt.ctx)
	rt.goBackground(func(ctx context.Context) {
		if err := rt.sync.account.Restore(ctx); err != nil && ctx.Err() == nil {
			rt.log.Warn("sync: could not restore the saved session", "err", err)
		}
	})
	return nil
}

// stopSync stops the sync loop.
func (rt *Runtime) stopSync() { rt.sync.syncer.Stop() }

// keySecrets is the key store as the sync account sees it.
type keySecrets struct{ rt *Runtime }

func (k keySecrets) Get(name string) (string, bool, error) {
	ks, err := k.rt.Keys()
	if err != nil {
		return "", false, err
	}
	v, err := ks.Get(name)
	if errors.Is(err, secrets.ErrNotFound) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (k keySecrets) Set(name, value string) error {
	ks, err := k.rt.Keys()
	if err != nil {
		return err
	}
	return ks.Set(name, value)
}

func (k keySecrets) Delete(name string) error {
	ks, err := k.rt.Keys()
	if err != nil {
		return err
	}
	if err := ks.Delete(name); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return err
	}
	return nil
}
