package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aead.dev/minisign"

	"tubeagency/app/update"
)

func TestAboutNamesTheLogAndOpensItsFolderOnlyInTheWindow(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "logs", "tubeagency.log")
	rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "serve", LogFile: logFile})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	ab, err := rt.API().About()
	if err != nil || ab.LogFile != logFile || ab.LogDir != filepath.Dir(logFile) || ab.CanOpenFolder || ab.Updates != nil {
		t.Fatalf("about: %+v %v", ab, err)
	}
	err = rt.API().OpenLogFolder()
	if !errors.Is(err, ErrNoWindow) || FormatError(err).Code != CodeUnavailable || HTTPStatus(err) != 409 {
		t.Fatalf("open folder in serve mode: %v", err)
	}
	if _, err := rt.API().CheckForUpdates(); !errors.Is(err, ErrNoUpdates) || FormatError(err).Code != CodeUnavailable {
		t.Fatalf("check without a feed: %v", err)
	}

	var opened []string
	rt2, err := Start(context.Background(), Options{DataDir: t.TempDir(), LogFile: logFile,
		OpenFolder: func(d string) error { opened = append(opened, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	if ab, _ := rt2.API().About(); !ab.CanOpenFolder {
		t.Fatalf("desktop about: %+v", ab)
	}
	if err := rt2.API().OpenLogFolder(); err != nil || len(opened) != 1 || opened[0] != filepath.Dir(logFile) {
		t.Fatalf("open folder: %v %v", err, opened)
	}
}

// Through the bound methods: a newer release is offered with its notes; a
// file signed by any key but the compiled-in release key is refused with
// a sentence, and the running binary (this test binary) stays as it was.
func TestUpdateThroughTheAppRefusesAForeignSignature(t *testing.T) {
	content := []byte("not the real thing")
	_, priv, _ := minisign.GenerateKey(rand.Reader)
	sum := sha256.Sum256(content)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	feed := update.Feed{Version: "9.9.9", Notes: "Everything is faster.", Assets: map[string]update.Asset{}}
	for _, p := range []string{"linux-amd64", "linux-amd64-deb", "windows-amd64", "darwin-arm64"} {
		mr := minisign.NewReader(bytes.NewReader(content))
		io.Copy(io.Discard, mr)
		feed.Assets[p] = update.Asset{URL: srv.URL + "/file", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
			Signature: string(mr.SignWithComments(priv, update.TrustedComment("9.9.9", p), ""))}
	}
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(feed) })
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) { w.Write(content) })

	exe, _ := os.Executable()
	before, _ := os.ReadFile(exe)
	dir := t.TempDir()
	rt, err := Start(context.Background(), Options{DataDir: dir, UpdateFeedURL: srv.URL + "/feed.json"})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	a := rt.API()
	st, err := a.CheckForUpdates()
	if err != nil || !st.Available || st.Latest != "9.9.9" || st.Notes != "Everything is faster." || !st.Enabled {
		t.Fatalf("check: %+v %v", st, err)
	}
	st, err = a.InstallUpdate()
	if err != nil || !strings.Contains(st.Message, "refused and nothing was changed") || !strings.Contains(st.Message, "not signed by the Tube Agency release key") || st.Installed {
		t.Fatalf("install: %+v %v", st, err)
	}
	if after, _ := os.ReadFile(exe); !bytes.Equal(before, after) {
		t.Fatal("the running binary changed")
	}
	if st, err = a.SetUpdateChecks(false); err != nil || st.Enabled {
		t.Fatalf("switch off: %+v %v", st, err)
	}
	if ab, _ := a.About(); ab.Updates == nil || ab.Updates.Enabled {
		t.Fatalf("about after switching off: %+v", ab.Updates)
	}
	if _, err := os.Stat(filepath.Join(dir, "update.json")); err != nil {
		t.Fatalf("state not saved: %v", err)
	}
}
