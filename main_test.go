package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/app"
	"tubeagency/internal/hlc"
	"tubeagency/internal/store"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "tubeagency ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "--data-dir", t.TempDir(), "version")
	if code != 0 || !strings.HasPrefix(out, "tubeagency ") {
		t.Fatalf("version after --data-dir: %d %q", code, out)
	}
}

func TestDesktopWithoutDisplayOffersServe(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	dir := t.TempDir()
	code, _, stderr := runCmd(t, "--data-dir", dir)
	if code == 0 {
		t.Fatal("desktop without a display exited 0")
	}
	if !strings.Contains(stderr, "no display") || !strings.Contains(stderr, "tubeagency serve --data-dir "+dir) {
		t.Fatalf("message does not offer serve mode: %q", stderr)
	}
}

func TestUnwritableDataDir(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(blocker, "data")
	code, _, stderr := runCmd(t, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if code == 0 {
		t.Fatal("serve with an unusable data folder exited 0")
	}
	if !strings.Contains(stderr, "cannot use the data folder "+dir) || !strings.Contains(stderr, "--data-dir") {
		t.Fatalf("unclear message: %q", stderr)
	}
}

// A second serve on a folder another Tube Agency has open is refused, and
// the message says what holds it and what to do; nothing of the folder is
// changed by the attempt.
func TestServeRefusesADataFolderInUse(t *testing.T) {
	dir := t.TempDir()
	rt, err := app.Start(context.Background(), app.Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if _, err := rt.API().CreateChannel(app.ChannelInput{Name: "Night Bus Stories", Niche: "urban legends", Language: "en", Audience: "night owls", Format: "shorts", Cadence: 3}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if code != 1 {
		t.Fatalf("serve on a folder in use exited %d", code)
	}
	for _, want := range []string{"another Tube Agency", "tubeagency serve", dir, "--data-dir"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the message lacks %q: %q", want, stderr)
		}
	}
	if chs, err := rt.API().ListChannels(); err != nil || len(chs) != 1 {
		t.Fatalf("the running app after the refusal: %v, %v", chs, err)
	}
}

// Each data folder has its own window name: a second launch finds the
// window of its own folder, and two folders open side by side.
func TestInstanceIDIsPerDataFolder(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if instanceID(a) == instanceID(b) {
		t.Fatal("two folders share a window name")
	}
	rel, err := filepath.Rel(mustGetwd(t), a)
	if err != nil {
		t.Fatal(err)
	}
	if instanceID(rel) != instanceID(a) {
		t.Errorf("a relative path names another window than its absolute path: %s, %s", instanceID(rel), instanceID(a))
	}
	if !regexp.MustCompile(`^tubeagency-[0-9a-f]{16}$`).MatchString(instanceID(a)) {
		t.Errorf("window name %q is not one Wails accepts as a bus name part", instanceID(a))
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestServeRefusesPublicAddressWithoutToken(t *testing.T) {
	code, _, stderr := runCmd(t, "serve", "--data-dir", t.TempDir(), "--addr", "0.0.0.0:7777")
	if code == 0 || !strings.Contains(stderr, "--token") {
		t.Fatalf("serve on 0.0.0.0 without a token: %d %q", code, stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := runCmd(t, "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Fatalf("%d %q", code, stderr)
	}
}

func TestFixLocaleForWebKit(t *testing.T) {
	scenarios := []struct {
		lcAll, lcMessages, lang string
		wantLang, wantLCAll     string
	}{
		{"", "", "", "en_US.UTF-8", ""},
		{"", "", "C.UTF-8", "en_US.UTF-8", ""},
		{"", "", "POSIX", "en_US.UTF-8", ""},
		{"C", "", "de_DE.UTF-8", "de_DE.UTF-8", ""},
		{"", "", "de_DE.UTF-8", "de_DE.UTF-8", ""},
		{"fr_FR.UTF-8", "", "C", "C", "fr_FR.UTF-8"},
	}
	for _, sc := range scenarios {
		t.Setenv("LC_ALL", sc.lcAll)
		t.Setenv("LC_MESSAGES", sc.lcMessages)
		t.Setenv("LANG", sc.lang)
		fixLocaleForWebKit()
		if got := os.Getenv("LANG"); got != sc.wantLang {
			t.Errorf("%+v: LANG = %q, want %q", sc, got, sc.wantLang)
		}
		if got := os.Getenv("LC_ALL"); got != sc.wantLCAll {
			t.Errorf("%+v: LC_ALL = %q, want %q", sc, got, sc.wantLCAll)
		}
	}
}

func TestServeRefusesShortTokens(t *testing.T) {
	code, _, stderr := runCmd(t, "serve", "--data-dir", t.TempDir(), "--addr", "0.0.0.0:7777", "--token", "x")
	if code != 2 || !strings.Contains(stderr, "at least 32") || !strings.Contains(stderr, "--token generate") {
		t.Fatalf("one-character token: %d %q", code, stderr)
	}
}

// lockedBuffer is written by serve's goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
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

func TestServeGeneratesAStrongTokenOnce(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data-dir", dir, "--addr", "0.0.0.0:0", "--token", "generate"}, &out, &errb)
	}()
	tokenRe := regexp.MustCompile(`\?token=([A-Za-z0-9_-]+)`)
	var token, port string
	deadline := time.After(30 * time.Second)
	for token == "" {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		case <-deadline:
			t.Fatalf("no token printed: %q %q", out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := tokenRe.FindStringSubmatch(out.String()); m != nil {
			token = m[1]
			port = regexp.MustCompile(`:(\d+)/\?token=`).FindStringSubmatch(out.String())[1]
		}
	}
	if len(token) < 32 || strings.Count(out.String(), token) != 2 {
		t.Fatalf("token %q (%d characters) printed %d times: %s", token, len(token), strings.Count(out.String(), token), out.String())
	}
	if strings.Contains(errb.String(), token) {
		t.Fatal("the token reached the log")
	}
	get := func(auth string) int {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+port+"/healthz", nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get(""); code != 401 {
		t.Errorf("without the token: %d", code)
	}
	if code := get(token); code != 200 {
		t.Errorf("with the generated token: %d", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d after its context ended: %s", code, errb.String())
	}
	// The token is not stored: nothing in the data folder holds it.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(token)) {
				t.Errorf("%s holds the token", p)
			}
		}
		return nil
	})
}

func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}} {
		code, out, errOut := runCmd(t, args...)
		if code != 0 || !strings.Contains(out, "tubeagency serve [flags]") || !strings.Contains(out, "--log-level") || errOut != "" {
			t.Errorf("%v: %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, errOut := runCmd(t, "--bogus"); code != 2 || out != "" || !strings.Contains(errOut, "Usage:") {
		t.Errorf("--bogus: %d %q %q", code, out, errOut)
	}
}

// TestSyncRepairCommand repairs a database whose pending changes were
// stamped by a clock dragged past the 13-digit millisecond (what an older
// version did after pulling a far-future value): the command says what it
// did, and every pending change then carries a stamp the schema accepts.
func TestSyncRepairCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "tubeagency.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bad := "10000000000000-000000-" + st.DeviceID()
	err = st.RunInTx(ctx, func(tx *sql.Tx) error {
		r := store.Row{"id": "c1", "name": "edited under a bad clock", "niche": "n", "language": "en", "format": "long-form", "cadence": 1.0,
			"hlc": bad, "created_at": int64(1), "updated_at": int64(1)}
		if err := store.ChannelEntity.PutRow(ctx, tx, r); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox(entity, row_id, op, payload, hlc, created_at) VALUES ('channels', 'c1', 'insert', '{}', ?, 1)`, bad)
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "sync", "repair", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "1 pending changes") {
		t.Fatalf("sync repair = %d, %q, %q", code, out, stderr)
	}
	st, err = store.Open(ctx, filepath.Join(dir, "tubeagency.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.Outbox(ctx, st.ReadDB(), 0, 10)
	if err != nil || len(entries) != 1 || len(entries[0].HLC) != hlc.Len || !strings.Contains(entries[0].Payload, "edited under a bad clock") {
		t.Fatalf("outbox after repair = %+v, %v", entries, err)
	}
	if code, _, stderr := runCmd(t, "sync", "mend"); code != 2 || !strings.Contains(stderr, "repair") {
		t.Fatalf("unknown sync command = %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "sync", "repair", "--data-dir", t.TempDir()); code != 1 || !strings.Contains(stderr, "no Tube Agency database") {
		t.Fatalf("repair of an empty folder = %d, %q", code, stderr)
	}
}
