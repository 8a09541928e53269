package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"tubeagency/app/events"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabasetest"
)

func TestSyncSettingsRefuseBadInputAndSaveNothing(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	scenarios := []struct {
		name  string
		in    SyncSettingsInput
		field string
	}{
		{"empty url", SyncSettingsInput{URL: "", AnonKey: "key"}, "url"},
		{"plain http to a remote host", SyncSettingsInput{URL: "http://abcd.supabase.co", AnonKey: "key"}, "url"},
		{"not an address", SyncSettingsInput{URL: "abcd", AnonKey: "key"}, "url"},
		{"a path", SyncSettingsInput{URL: "https://abcd.supabase.co/rest/v1", AnonKey: "key"}, "url"},
		{"no key", SyncSettingsInput{URL: "https://abcd.supabase.co", AnonKey: " "}, "anon_key"},
		{"key with spaces", SyncSettingsInput{URL: "https://abcd.supabase.co", AnonKey: "two words"}, "anon_key"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, err := a.SaveSyncSettings(sc.in)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err = %v, want a FieldError on %s", err, sc.field)
			}
		})
	}
	v, err := a.SyncStatus()
	if err != nil {
		t.Fatal(err)
	}
	if v.URL != "" || v.Configured || v.State != cloudsync.StateSignedOut {
		t.Fatalf("bad input changed the settings: %+v", v)
	}
	// Credentials are checked before anything is sent, and need a project.
	creds := []struct {
		in    SyncCredentials
		field string
	}{
		{SyncCredentials{Email: "not-an-email", Password: "long enough"}, "email"},
		{SyncCredentials{Email: "a@example.com", Password: "short"}, "password"},
		{SyncCredentials{Email: "a@example.com", Password: "long enough"}, "url"},
	}
	for _, c := range creds {
		_, err := a.SyncSignIn(c.in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Fatalf("sign in %+v = %v, want a FieldError on %s", c.in, err, c.field)
		}
	}
	if _, err := a.RetryDeadLetter(42); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry of a missing dead letter = %v", err)
	}
	if _, err := a.EditDeadLetter(42, map[string]any{"name": "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("edit of a missing dead letter = %v", err)
	}
}

// lockedBuffer is a log sink safe for the background loop.
type lockedBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitSync waits for a sync event that satisfies ok.
func waitSync(t *testing.T, rt *Runtime, what string, ok func(cloudsync.Status) bool) {
	t.Helper()
	ch, stop := rt.Hub().Subscribe(256)
	defer stop()
	rt.sync.syncer.Wake()                 // make the loop report now
	guard := time.After(30 * time.Second) // a failure guard, not a timing assertion
	for {
		select {
		case ev := <-ch:
			if st, isSync := ev.Data.(cloudsync.Status); ev.Name == events.Sync && isSync && ok(st) {
				return
			}
		case <-guard:
			t.Fatalf("no sync event with %s", what)
		}
	}
}

func TestSyncThroughTheApp(t *testing.T) {
	env := supabasetest.Start(t)
	dir := t.TempDir()
	logs := &lockedBuffer{}
	start := func() *Runtime {
		rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "test",
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}
	rt := start()
	rt.keys.mode = "file"
	a := rt.API()

	// Signed out, the app works fully and queues.
	for _, name := range []string{"Cozy Cooking", "Night Sky"} {
		in := validChannel()
		in.Name = name
		if _, err := a.CreateChannel(in); err != nil {
			t.Fatal(err)
		}
	}
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.SyncState != string(cloudsync.StateSignedOut) || st.Online || st.Outbox < 2 {
		t.Fatalf("signed-out status = %+v", st)
	}

	if _, err := a.SaveSyncSettings(SyncSettingsInput{URL: env.URL, AnonKey: env.AnonKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncSignUp(SyncCredentials{Email: "Maker@Example.com", Password: "a good password"}); err != nil {
		t.Fatal(err)
	}
	waitSync(t, rt, "the queue drained", func(s cloudsync.Status) bool {
		return s.State == cloudsync.StateOnline && s.Pending == 0 && !s.LastSync.IsZero()
	})
	var onServer int
	if err := env.Admin.QueryRow(`SELECT count(*) FROM public.channels`).Scan(&onServer); err != nil || onServer != 2 {
		t.Fatalf("server has %d channels (%v), want 2", onServer, err)
	}
	st, _ = a.Status()
	if !st.Online || st.LastSync.IsZero() || st.DeadLetters != 0 {
		t.Fatalf("online status = %+v", st)
	}

	// The session is a secret: in the key store only, never in the database or the logs.
	ks, err := rt.Keys()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ks.Get(secretSyncSession)
	if err != nil || !strings.Contains(raw, "access_token") {
		t.Fatalf("session not in the key store: %v", err)
	}
	token := raw[strings.Index(raw, `"access_token":"`)+16:]
	token = token[:strings.Index(token, `"`)]
	for _, f := range []string{"tubeagency.db", "tubeagency.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte(token)) {
			t.Fatalf("%s holds the access token", f)
		}
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "a good password") {
		t.Fatal("the logs hold a secret")
	}

	// Wrong password and an existing account are reported on their field.
	var fe *FieldError
	if _, err := a.SyncSignIn(SyncCredentials{Email: "maker@example.com", Password: "not the password"}); !errors.As(err, &fe) || fe.Field != "password" {
		t.Fatalf("wrong password = %v", err)
	}
	if _, err := a.SyncSignUp(SyncCredentials{Email: "maker@example.com", Password: "a good password"}); !errors.As(err, &fe) || fe.Field != "email" {
		t.Fatalf("existing account = %v", err)
	}

	// A server rule this device does not know refuses one change: it waits
	// as a dead letter, is edited in place and then syncs.
	if _, err := env.Admin.Exec(`ALTER TABLE public.channels ADD CONSTRAINT short_name CHECK (length(name) <= 20)`); err != nil {
		t.Fatal(err)
	}
	in := validChannel()
	in.Name = "A name far longer than twenty"
	ch, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	waitSync(t, rt, "one dead letter", func(s cloudsync.Status) bool { return s.DeadLetters == 1 && s.Pending == 0 })
	dls, err := a.ListDeadLetters()
	if err != nil || len(dls) != 1 || dls[0].RowID != ch.ID || dls[0].Code != "23514" {
		t.Fatalf("dead letters = %+v, %v", dls, err)
	}
	bad := []struct {
		fields map[string]any
		field  string
	}{
		{map[string]any{"nope": "x"}, "payload.nope"},
		{map[string]any{"hlc": "x"}, "payload.hlc"},
		{map[string]any{"name": 7.0}, "payload.name"},
		{map[string]any{"cadence": "often"}, "payload.cadence"},
		{map[string]any{}, "payload"},
	}
	for _, b := range bad {
		if _, err := a.EditDeadLetter(dls[0].ID, b.fields); !errors.As(err, &fe) || fe.Field != b.field {
			t.Fatalf("edit %v = %v, want a FieldError on %s", b.fields, err, b.field)
		}
	}
	if left, err := a.EditDeadLetter(dls[0].ID, map[string]any{"name": "Short name"}); err != nil || len(left) != 0 {
		t.Fatalf("edit = %+v, %v", left, err)
	}
	waitSync(t, rt, "the edit synced", func(s cloudsync.Status) bool { return s.DeadLetters == 0 && s.Pending == 0 })
	var name string
	if err := env.Admin.QueryRow(`SELECT name FROM public.channels WHERE id = $1`, ch.ID).Scan(&name); err != nil || name != "Short name" {
		t.Fatalf("server name = %q, %v", name, err)
	}

	// A restart restores the session from the key store.
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	rt = start()
	defer rt.Close()
	a = rt.API()
	waitSync(t, rt, "signed in again after restart", func(s cloudsync.Status) bool {
		return s.State == cloudsync.StateOnline && s.Email == "maker@example.com"
	})

	// Signing out forgets the session; the app keeps queueing.
	v, err := a.SyncSignOut()
	if err != nil || v.State != cloudsync.StateSignedOut || v.Email != "" {
		t.Fatalf("sign out = %+v, %v", v, err)
	}
	ks, _ = rt.Keys()
	if ks.Has(secretSyncSession) {
		t.Fatal("the session outlived sign-out")
	}
	offline := validChannel()
	offline.Name = "Written signed out"
	if _, err := a.CreateChannel(offline); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Status(); st.Outbox == 0 || st.Online {
		t.Fatalf("after sign-out: %+v", st)
	}

	// Saving the same project keeps the session; pointing at another
	// project signs out of this one.
	if _, err := a.SyncSignIn(SyncCredentials{Email: "maker@example.com", Password: "a good password"}); err != nil {
		t.Fatal(err)
	}
	if v, err := a.SaveSyncSettings(SyncSettingsInput{URL: env.URL, AnonKey: env.AnonKey}); err != nil || v.State == cloudsync.StateSignedOut {
		t.Fatalf("re-saving the same project = %+v, %v", v, err)
	}
	v, err = a.SaveSyncSettings(SyncSettingsInput{URL: "https://other.supabase.co", AnonKey: env.AnonKey})
	if err != nil || v.State != cloudsync.StateSignedOut || v.URL != "https://other.supabase.co" {
		t.Fatalf("switching project = %+v, %v", v, err)
	}
	if ks.Has(secretSyncSession) {
		t.Fatal("the old project's session outlived the switch")
	}

	// A wrong key and an address where nothing answers are named on their field.
	creds := SyncCredentials{Email: "maker@example.com", Password: "a good password"}
	if _, err := a.SaveSyncSettings(SyncSettingsInput{URL: env.URL, AnonKey: "not.the.key"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncSignIn(creds); !errors.As(err, &fe) || fe.Field != "anon_key" {
		t.Fatalf("sign in with a wrong key = %v", err)
	}
	if _, err := a.SaveSyncSettings(SyncSettingsInput{URL: "http://127.0.0.1:1", AnonKey: env.AnonKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncSignIn(creds); !errors.As(err, &fe) || fe.Field != "url" || !strings.Contains(fe.Message, "did not answer") {
		t.Fatalf("sign in where nothing answers = %v", err)
	}
}
