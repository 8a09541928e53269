package session_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/session"
	"tubeagency/sync/supabase"
	"tubeagency/sync/supabasetest"
)

var errNoKey = errors.New("no such key")

// keys is a key store in memory that answers as the app's does: a name
// with nothing saved is errNoKey.
type keys struct {
	mu   gosync.Mutex
	m    map[string]string
	fail error // every call fails with it when set
}

func (k *keys) Get(name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return "", k.fail
	}
	v, ok := k.m[name]
	if !ok {
		return "", errNoKey
	}
	return v, nil
}

func (k *keys) Set(name, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[name] = value
	return nil
}

func (k *keys) Delete(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	if _, ok := k.m[name]; !ok {
		return errNoKey
	}
	delete(k.m, name)
	return nil
}

func (k *keys) saved(name string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[name]
}

// newSession opens the store at path (a new one in a temporary folder when
// empty) and builds a session over a syncer of it.
func newSession(t *testing.T, path string, ks *keys) *session.Session {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "tubeagency.db")
	}
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sy, err := cloudsync.New(context.Background(), cloudsync.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.New(session.Config{Syncer: sy, Keys: func() (session.Keys, error) { return ks, nil }, NoSecret: errNoKey})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fieldOf(err error) string {
	var fe *cloudsync.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// TestSessionSignsUpRestoresAndSignsOut runs a session against a real
// PostgreSQL behind the Supabase gateway: sign-in failures name the field
// that fixes them, a sign-up keeps the session in the key store only, a
// restarted app restores it at Start, and a sign-out forgets it.
func TestSessionSignsUpRestoresAndSignsOut(t *testing.T) {
	env := supabasetest.Start(t)
	ctx := context.Background()
	ks := &keys{}
	path := filepath.Join(t.TempDir(), "tubeagency.db")
	s := newSession(t, path, ks)

	v, err := s.View(ctx)
	if err != nil || v.Configured || v.State != cloudsync.StateSignedOut || v.URL != "" {
		t.Fatalf("a new session = %+v, %v", v, err)
	}
	if _, err := s.SignIn(ctx, "maker@example.com", "a good password"); fieldOf(err) != "url" {
		t.Fatalf("sign-in before a project is saved: %v", err)
	}
	if v, err = s.Configure(ctx, env.URL, env.AnonKey); err != nil || !v.Configured || v.URL != env.URL ||
		v.AnonKeyTail != "…"+env.AnonKey[len(env.AnonKey)-6:] || strings.Contains(v.AnonKeyTail, env.AnonKey[:10]) {
		t.Fatalf("after Configure = %+v, %v", v, err)
	}
	if ok, err := s.Configured(ctx); !ok || err != nil {
		t.Fatalf("Configured = %v, %v", ok, err)
	}
	if v, err = s.SignUp(ctx, "maker@example.com", "a good password"); err != nil || v.Email != "maker@example.com" || v.User == "" {
		t.Fatalf("after sign-up = %+v, %v", v, err)
	}
	raw := ks.saved(supabase.DefaultSessionSecret)
	if !strings.Contains(raw, "refresh_token") {
		t.Fatalf("the session is not in the key store: %q", raw)
	}
	if _, err := s.SignUp(ctx, "maker@example.com", "a good password"); fieldOf(err) != "email" {
		t.Fatalf("a second sign-up with the same email: %v", err)
	}
	if _, err := s.SignIn(ctx, "maker@example.com", "not the password"); fieldOf(err) != "password" {
		t.Fatalf("a wrong password: %v", err)
	}

	// The app starts again over the same database and key store: Start
	// restores the saved session in the background and syncs.
	again := newSession(t, path, ks)
	again.Start(ctx)
	t.Cleanup(again.Stop)
	guard := time.After(30 * time.Second) // a failure guard, not a timing assertion
	for {
		v, err = again.View(ctx)
		if err == nil && v.Email == "maker@example.com" && v.State == cloudsync.StateOnline && !v.LastSync.IsZero() {
			break
		}
		select {
		case <-guard:
			t.Fatalf("the saved session was not restored: %+v, %v", v, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if v, err = again.SignOut(ctx); err != nil || v.State != cloudsync.StateSignedOut || v.Email != "" || !v.Configured {
		t.Fatalf("after sign-out = %+v, %v", v, err)
	}
	if raw := ks.saved(supabase.DefaultSessionSecret); raw != "" {
		t.Fatalf("the session outlived the sign-out: %q", raw)
	}
	again.Stop()
	again.Stop() // stopping a stopped session does nothing
}

// TestSessionRestoresWithoutAServer: a restore makes no request, so a
// saved project with nothing in the key store is signed out, a key store
// that cannot be read is an error that names the session and never its
// contents, and an unreadable saved session signs out with
// ErrSessionUnreadable.
func TestSessionRestoresWithoutAServer(t *testing.T) {
	ctx := context.Background()
	ks := &keys{}
	s := newSession(t, "", ks)
	if err := s.Restore(ctx); err != nil {
		t.Fatalf("restore with no project: %v", err)
	}
	if _, err := s.Configure(ctx, "http://127.0.0.1:1", "anon-key-123456"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(ctx); err != nil {
		t.Fatalf("restore with nothing saved: %v", err)
	}
	if v, _ := s.View(ctx); v.State != cloudsync.StateSignedOut || !v.Configured || v.AnonKeyTail != "…123456" {
		t.Fatalf("view = %+v", v)
	}
	ks.fail = errors.New("keyring locked")
	if err := s.Restore(ctx); err == nil || !strings.Contains(err.Error(), "read the saved sync session: keyring locked") {
		t.Fatalf("restore from a locked keyring: %v", err)
	}
	ks.fail = nil
	if err := ks.Set(supabase.DefaultSessionSecret, `{"access_token":"secret-token"`); err != nil {
		t.Fatal(err)
	}
	err := s.Restore(ctx)
	if !errors.Is(err, supabase.ErrSessionUnreadable) || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("restore of a garbled session: %v", err)
	}
	if _, err := s.SignOut(ctx); err != nil {
		t.Fatalf("sign-out with a garbled session: %v", err)
	}
	if _, err := s.SignOut(ctx); err != nil {
		t.Fatalf("sign-out with nothing saved (the key store says not found): %v", err)
	}
}

// TestSessionStartStop: Start and Stop follow the loops' shape: a second
// Start does nothing, Stop waits for the restore and stops the syncer, and
// a stopped session starts again.
func TestSessionStartStop(t *testing.T) {
	ctx := context.Background()
	s := newSession(t, "", &keys{})
	for range 3 {
		s.Start(ctx)
		s.Start(ctx)
		if v, err := s.View(ctx); err != nil || v.State != cloudsync.StateSignedOut {
			t.Fatalf("started = %+v, %v", v, err)
		}
		s.Stop()
		s.Stop()
	}
	if _, err := session.New(session.Config{}); err == nil {
		t.Fatal("New without a syncer or a key store succeeded")
	}
}

// TestSessionKeyStoreThatCannotOpen: a key store that cannot be opened
// fails a change of project with its reason and saves nothing (the old
// project's session could not be forgotten), and the session stays signed
// out.
func TestSessionKeyStoreThatCannotOpen(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "tubeagency.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sy, err := cloudsync.New(ctx, cloudsync.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.New(session.Config{Syncer: sy, Keys: func() (session.Keys, error) { return nil, errors.New("no keyring and no data folder") }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Configure(ctx, "http://127.0.0.1:1", "anon-key"); err == nil || !strings.Contains(err.Error(), "no keyring and no data folder") {
		t.Fatalf("configure = %v", err)
	}
	if ok, err := s.Configured(ctx); ok || err != nil {
		t.Fatalf("a failed configure saved the project: %v, %v", ok, err)
	}
	if err := s.Restore(ctx); err != nil {
		t.Fatalf("restore with no project = %v", err)
	}
	if v, _ := s.View(ctx); v.State != cloudsync.StateSignedOut {
		t.Fatalf("view = %+v", v)
	}
}
