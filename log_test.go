package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tubeagency/providers/fake"
)

// serveForTest runs `tubeagency serve` on a free port with args added and
// returns its base URL, its stderr and a stop function that waits for it.
func serveForTest(t *testing.T, args ...string) (string, *lockedBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--update-feed", "off"}, args...), &out, &errb)
	}()
	urlRe := regexp.MustCompile(`serving (http://\S+)`)
	deadline := time.After(60 * time.Second)
	for {
		if m := urlRe.FindStringSubmatch(out.String()); m != nil {
			stop := func() int { cancel(); return <-done }
			t.Cleanup(func() { cancel() })
			return m[1], &errb, stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		case <-deadline:
			t.Fatalf("serve did not start: %q", errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func callAPI(t *testing.T, base, method string, args ...any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(args)
	req, _ := http.NewRequest("POST", base+"/api/call/"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The key a user pastes travels to the provider and nowhere else: not to
// the log file at debug level, not to stderr, whatever the provider
// answers (here it echoes the key back in its error body).
func TestLogFileHoldsNoSecrets(t *testing.T) {
	const key = "sk-live-LOGSCAN-5f7d2c9a41b84e0d9c1a77e3b2f6a0c4"
	srv := fake.New(fake.OpenAI, "Ten night-bus legends nobody explains")
	defer srv.Close()
	srv.EchoKey()
	dir := t.TempDir()
	base, stderr, stop := serveForTest(t, "--data-dir", dir, "--log-level", "debug")

	mustOK := func(method string, args ...any) string {
		t.Helper()
		code, body := callAPI(t, base, method, args...)
		if code != 200 {
			t.Fatalf("%s: %d %s", method, code, body)
		}
		return body
	}
	mustOK("SaveProvider", map[string]any{"name": "openai", "enabled": true, "model": "gpt-4o-mini", "base_url": srv.URL})
	mustOK("SetProviderKey", "openai", key)
	// Refused input that holds the key: the error must not repeat it.
	if code, body := callAPI(t, base, "SetProviderKey", "openai", key+" trailing words"); code != 422 || strings.Contains(body, key) {
		t.Fatalf("bad key: %d %s", code, body)
	}
	ch := mustOK("CreateChannel", map[string]any{"name": "Night Bus Stories", "niche": "urban legends", "language": "en",
		"audience": "night owls", "format": "shorts", "cadence": 3, "youtube_id": "", "autopilot": false})
	var channel struct{ ID string }
	json.Unmarshal([]byte(ch), &channel)
	// A provider that rejects the key, echoing it in its error body.
	srv.Fail(fake.Status401)
	if body := mustOK("TestProvider", "openai"); !strings.Contains(body, "rejected the API key") {
		t.Fatalf("test connection: %s", body)
	}
	mustOK("GenerateTitles", channel.ID, "haunted night buses", true)
	// Then one that answers.
	srv.Fail(fake.OK)
	mustOK("SetProviderKey", "openai", key)
	mustOK("GenerateTitles", channel.ID, "last stop legends", true)
	if srv.LastKey() != key {
		t.Fatalf("the provider never received the key (got %q)", srv.LastKey())
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	logDir := filepath.Join(dir, "logs")
	files, _ := filepath.Glob(filepath.Join(logDir, "*"))
	if len(files) == 0 {
		t.Fatal("no log file written")
	}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	logText := all.String()
	// The log is real: it has the start and where it is. (What the router
	// logs about the failing provider depends on its timing: not asserted.)
	for _, want := range []string{"msg=starting", `msg="app started"`, "log_file=" + filepath.Join(logDir, "tubeagency.log")} {
		if !strings.Contains(logText, want) {
			t.Fatalf("log lacks %q:\n%s", want, logText)
		}
	}
	for name, text := range map[string]string{"log file": logText, "stderr": stderr.String()} {
		for _, needle := range []string{key, key[8:30]} {
			if strings.Contains(text, needle) {
				t.Fatalf("the %s holds the API key", name)
			}
		}
	}
}

func TestServeRefusesAnUnknownLogLevel(t *testing.T) {
	code, _, stderr := runCmd(t, "serve", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--log-level", "chatty")
	if code != 2 || !strings.Contains(stderr, "--log-level") || !strings.Contains(stderr, "use debug, info, warn or error") {
		t.Fatalf("%d %q", code, stderr)
	}
}
