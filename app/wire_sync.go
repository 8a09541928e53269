package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	gosync "sync"

	"tubeagency/app/events"
	"tubeagency/app/secrets"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabase"
)

// secretSyncSession is the key store name of the Supabase session.
const secretSyncSession = "sync/session"

// Device-local sync settings (sync_meta keys).
const (
	metaSyncURL     = "url"
	metaSyncAnonKey = "anon_key"
	metaSyncEmail   = "email"
)

// syncParts are the syncer and the Supabase client it replays to.
type syncParts struct {
	syncer *cloudsync.Syncer

	mu        gosync.Mutex // serialises settings changes, sign-in and sign-out
	client    *supabase.Client
	transport http.RoundTripper // nil: the client's default; tests may set one
}

// buildSync migrates the sync tables and builds the syncer, which reports
// what it pushed and pulled to the monitor.
func (rt *Runtime) buildSync(ctx context.Context) error {
	sy, err := cloudsync.New(ctx, cloudsync.Options{
		Store:   rt.store,
		Now:     rt.opts.Now,
		Logger:  rt.log,
		Counted: rt.monitor.SyncCounted,
		Emit: func(name string, data any) {
			if name == events.Sync {
				rt.emit(events.Sync, data)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	rt.sync = &syncParts{syncer: sy}
	return nil
}

// startSync starts the sync loop (signed out) and restores a saved session
// in the background: reading the keyring can take a moment.
func (rt *Runtime) startSync() error {
	rt.sync.syncer.Start(rt.ctx)
	rt.goBackground(func(ctx context.Context) {
		if err := rt.restoreSync(ctx); err != nil && ctx.Err() == nil {
			rt.log.Warn("sync: could not restore the saved session", "err", err)
		}
	})
	return nil
}

// stopSync stops the sync loop.
func (rt *Runtime) stopSync() { rt.sync.syncer.Stop() }

// restoreSync signs the syncer in with the saved session, when sync is
// configured and a session was kept.
func (rt *Runtime) restoreSync(ctx context.Context) error {
	p := rt.sync
	p.mu.Lock()
	defer p.mu.Unlock()
	url, key, err := rt.syncConfig(ctx)
	if err != nil || url == "" || key == "" {
		return err
	}
	ks, err := rt.Keys()
	if err != nil {
		return err
	}
	raw, err := ks.Get(secretSyncSession)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var s supabase.Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return errors.New("the saved sync session is unreadable: sign in again")
	}
	cl, err := rt.newSyncClient(url, key)
	if err != nil {
		return err
	}
	cl.Restore(s)
	p.client = cl
	p.syncer.SetRemote(cl, s.Email)
	return nil
}

func (rt *Runtime) syncConfig(ctx context.Context) (url, key string, err error) {
	if url, err = rt.sync.syncer.Meta(ctx, metaSyncURL); err != nil {
		return "", "", err
	}
	key, err = rt.sync.syncer.Meta(ctx, metaSyncAnonKey)
	return url, key, err
}

// newSyncClient builds a client whose rotated sessions go to the key store.
func (rt *Runtime) newSyncClient(url, key string) (*supabase.Client, error) {
	return supabase.New(supabase.Config{
		URL:       url,
		AnonKey:   key,
		Now:       rt.opts.Now,
		Transport: rt.sync.transport,
		OnSession: func(s supabase.Session) {
			if err := rt.saveSyncSession(s); err != nil {
				rt.log.Warn("sync: could not keep the refreshed session", "err", err)
			}
		},
	})
}

func (rt *Runtime) saveSyncSession(s supabase.Session) error {
	ks, err := rt.Keys()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return ks.Set(secretSyncSession, string(raw))
}

func (rt *Runtime) forgetSyncSession() error {
	ks, err := rt.Keys()
	if err != nil {
		return err
	}
	if err := ks.Delete(secretSyncSession); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return err
	}
	return nil
}
