package app

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestDuplicateChannelNameIsRefusedNamingTheField(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	first, err := a.CreateChannel(validChannel()) // "Cozy Cooking"
	if err != nil {
		t.Fatal(err)
	}
	other := validChannel()
	other.Name = "Night Bus Stories"
	second, err := a.CreateChannel(other)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Cozy Cooking", "cozy cooking", "  COZY   cooking ", "Cozy\tCooking", "cOzY CoOkInG"} {
		before := counts(t, rt)
		in := validChannel()
		in.Name = name
		for op, call := range map[string]func() error{
			"create": func() error { _, err := a.CreateChannel(in); return err },
			"rename": func() error { _, err := a.UpdateChannel(second.ID, in); return err },
		} {
			err := call()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "name" {
				t.Fatalf("%s %q: err = %v, want a field error on name", op, name, err)
			}
			body := FormatError(err)
			if body.Code != CodeInvalid || !strings.Contains(body.Fields["name"], "Cozy Cooking") {
				t.Fatalf("%s %q: body %+v", op, name, body)
			}
		}
		if after := counts(t, rt); after != before {
			t.Fatalf("%q: rows changed on a refused name: %v → %v", name, before, after)
		}
	}
	// A channel keeps its own name through an edit, in any spelling.
	in := validChannel()
	in.Name = "cozy  COOKING"
	in.Niche = "weeknight dinners"
	if _, err := a.UpdateChannel(first.ID, in); err != nil {
		t.Fatalf("editing a channel under its own name: %v", err)
	}
	// A deleted channel's name is free again.
	if err := a.DeleteChannel(second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateChannel(other); err != nil {
		t.Fatalf("the name of a deleted channel: %v", err)
	}
	// Names that only look alike are different names.
	near := validChannel()
	near.Name = "Cozy Cooking 2"
	if _, err := a.CreateChannel(near); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentCreatesOfOneNameStoreOne(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := validChannel()
			if i%2 == 1 {
				in.Name = strings.ToUpper(in.Name)
			}
			_, errs[i] = a.CreateChannel(in)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var fe *FieldError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &fe) && fe.Field == "name":
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	list, err := a.ListChannels()
	if err != nil {
		t.Fatal(err)
	}
	if ok != 1 || len(list) != 1 {
		t.Fatalf("%d creates succeeded, %d channels stored; want 1 and 1", ok, len(list))
	}
}

func TestChannelLanguageComesFromTheList(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	langs, err := a.Languages()
	if err != nil || len(langs) < 20 {
		t.Fatalf("%d languages", len(langs))
	}
	seen := map[string]bool{}
	for _, l := range langs {
		key := strings.ToLower(l.Code)
		if seen[key] || l.Name == "" || l.Native == "" {
			t.Fatalf("language %+v: duplicate or unnamed", l)
		}
		seen[key] = true
	}
	// The list is a copy: a caller cannot change the app's.
	langs[0].Code = "xx"
	if again, _ := a.Languages(); again[0].Code == "xx" {
		t.Fatal("Languages returned the app's own slice")
	}
	in := validChannel()
	in.Language = "PT-br"
	ch, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Language != "pt-BR" {
		t.Fatalf("language stored as %q, want the list's spelling pt-BR", ch.Language)
	}
	in.Name = "Another"
	in.Language = "xx-YY" // well formed, not in the list
	_, err = a.CreateChannel(in)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "language" {
		t.Fatalf("unlisted language: %v", err)
	}
}

func TestReportUIErrorLogsBoundedText(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	rt, err := Start(t.Context(), Options{DataDir: t.TempDir(), Mode: "test", Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	_ = rt.API().ReportUIError("Settings → Sync", "dial tcp 127.0.0.1:1: connect: connection refused"+strings.Repeat("é", 3000))
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "dial tcp 127.0.0.1:1") || !strings.Contains(out, "Settings → Sync") {
		t.Fatalf("log: %s", out)
	}
	line := out[strings.Index(out, "dashboard error"):]
	line = line[:strings.IndexByte(line, '\n')]
	if len(line) > 2600 || !utf8.ValidString(line) {
		t.Fatalf("logged %d bytes (valid UTF-8: %v)", len(line), utf8.ValidString(line))
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestStatusSaysWhetherSyncIsSetUp(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	st, err := a.Status()
	if err != nil || st.SyncConfigured || st.SyncState != "signed_out" {
		t.Fatalf("fresh status %+v, %v: want signed out and not set up", st, err)
	}
	// A project on this computer where nothing listens: saved, not signed in.
	if _, err := a.SaveSyncSettings(SyncSettingsInput{URL: "http://127.0.0.1:1", AnonKey: "anon.key-for.tests"}); err != nil {
		t.Fatal(err)
	}
	st, err = a.Status()
	if err != nil || !st.SyncConfigured {
		t.Fatalf("status after saving a project %+v, %v: want set up", st, err)
	}
}
