package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"tubeagency/app"
)

// The desktop window's asset server passes what the embedded dashboard
// does not answer to routes(rt): a voice-over must come back as audio/wav,
// in byte ranges, so that WebKit's player can read and seek it.
func TestDesktopRoutesServeVoiceOversInRanges(t *testing.T) {
	dir := t.TempDir()
	rt, err := app.Start(context.Background(), app.Options{DataDir: dir, Mode: "desktop"})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	name := "0196a3c4-1b2c-7d3e-8f40-5a6b7c8d9e0f.wav"
	wav := make([]byte, 44+32000)
	copy(wav, "RIFF")
	for i := 44; i < len(wav); i++ {
		wav[i] = byte(i)
	}
	if err := os.MkdirAll(filepath.Join(dir, "audio"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audio", name), wav, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(rt))
	defer srv.Close()

	get := func(path, rng string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	res, body := get("/api/audio/"+name+"?v=3", "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "audio/wav" || res.Header.Get("Accept-Ranges") != "bytes" || len(body) != len(wav) {
		t.Fatalf("whole file: %d %q ranges %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Accept-Ranges"), len(body))
	}
	res, body = get("/api/audio/"+name, "bytes=100-199")
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Range") != "bytes 100-199/"+strconv.Itoa(len(wav)) ||
		len(body) != 100 || body[0] != wav[100] || res.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("range: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Range"), len(body))
	}
	res, _ = get("/api/audio/"+name, "bytes=99999999-")
	if res.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("a range past the end: %d", res.StatusCode)
	}
	// The old /audio/ address is no route: the dashboard asks /api/audio/.
	if res, _ := get("/audio/"+name, ""); res.StatusCode != 404 {
		t.Fatalf("/audio/: %d", res.StatusCode)
	}
}

func TestSaveDialogHookAnswersInItsFolderOnly(t *testing.T) {
	dir := t.TempDir()
	d := &dialogs{answerSaveIn: dir}
	for offered, want := range map[string]string{
		"6 erros de finanças pessoais.md": filepath.Join(dir, "6 erros de finanças pessoais.md"),
		"../../escape.json":               filepath.Join(dir, "escape.json"),
	} {
		got, err := d.SaveFile(context.Background(), app.FileDialog{DefaultName: offered})
		if err != nil || got != want {
			t.Fatalf("offered %q: %q, %v; want %q", offered, got, err, want)
		}
	}
	// Without the hook and without a window there is no dialog to show.
	if _, err := (&dialogs{}).SaveFile(context.Background(), app.FileDialog{DefaultName: "x.md"}); err != app.ErrNoDialogs {
		t.Fatalf("no window: %v", err)
	}
}
