package applog

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWritesConsoleAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	var console bytes.Buffer
	l, err := Open(Options{Dir: dir, Console: &console, Level: slog.LevelInfo})
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("hidden at info")
	l.Info("painted", "painted_ms", 412)
	l.With("provider", "groq").Warn("slow", "api_key", "gsk_live_123", "nested.token", "t0k")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Path != filepath.Join(dir, FileName) || l.Dir() != dir {
		t.Fatalf("path %q dir %q", l.Path, l.Dir())
	}
	file, err := os.ReadFile(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"file": string(file), "console": console.String()} {
		if !strings.Contains(out, "painted_ms=412") || !strings.Contains(out, "provider=groq") {
			t.Errorf("%s lacks the records: %q", name, out)
		}
		if strings.Contains(out, "hidden at info") {
			t.Errorf("%s has a debug record at info level", name)
		}
		if strings.Contains(out, "gsk_live_123") || strings.Contains(out, "t0k") || strings.Count(out, "[redacted]") != 2 {
			t.Errorf("%s does not redact secret attributes: %q", name, out)
		}
	}
	st, _ := os.Stat(l.Path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, want 0600", st.Mode().Perm())
	}
}

func TestLevelDebugWritesDebug(t *testing.T) {
	l, err := Open(Options{Dir: t.TempDir(), Level: slog.LevelDebug})
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("details")
	l.Close()
	b, _ := os.ReadFile(l.Path)
	if !strings.Contains(string(b), "level=DEBUG msg=details") {
		t.Fatalf("debug record missing: %q", b)
	}
}

func TestRotatesAndKeepsBackups(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, MaxSizeMB: 1, MaxBackups: 2})
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 1000)
	// About 4.5 MB at 1 MB a file: four rotations.
	for i := range 4500 {
		l.Info("filler", "i", i, "pad", line)
	}
	l.Close()
	backups := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "tubeagency-*.log"))
		return m
	}
	// Lumberjack removes backups beyond MaxBackups in its own goroutine
	// after each rotation: wait for it to catch up.
	deadline := time.Now().Add(20 * time.Second)
	for len(backups()) > 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(backups()); n != 2 {
		t.Fatalf("%d backups, want 2: %v", n, backups())
	}
	st, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 1<<20 {
		t.Fatalf("current file is %d bytes, over the 1 MB limit", st.Size())
	}
	for _, b := range backups() {
		st, _ := os.Stat(b)
		if st.Size() > 1<<20 || st.Size() < 900<<10 {
			t.Errorf("backup %s is %d bytes", b, st.Size())
		}
	}
}

func TestNoDirMeansConsoleOnly(t *testing.T) {
	var console bytes.Buffer
	l, err := Open(Options{Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hello")
	if l.Path != "" || l.Dir() != "" || l.Close() != nil || !strings.Contains(console.String(), "msg=hello") {
		t.Fatalf("path %q, console %q", l.Path, console.String())
	}
}

func TestOpenRefusesAnUnusableFolder(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	if _, err := Open(Options{Dir: filepath.Join(blocker, "logs")}); err == nil || !strings.Contains(err.Error(), "create log folder") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseLevel(t *testing.T) {
	scenarios := []struct {
		in   string
		want slog.Level
		ok   bool
	}{
		{"", slog.LevelInfo, true},
		{"debug", slog.LevelDebug, true},
		{"WARN", slog.LevelWarn, true},
		{"error", slog.LevelError, true},
		{"loud", 0, false},
	}
	for _, sc := range scenarios {
		got, err := ParseLevel(sc.in)
		if (err == nil) != sc.ok || sc.ok && got != sc.want {
			t.Errorf("ParseLevel(%q) = %v, %v", sc.in, got, err)
		}
		if !sc.ok && (err == nil || !strings.Contains(err.Error(), "use debug, info, warn or error")) {
			t.Errorf("ParseLevel(%q) error %v", sc.in, err)
		}
	}
}

func TestIsSecretKey(t *testing.T) {
	for k, want := range map[string]bool{
		"key": true, "api_key": true, "groq.api_key": true, "Authorization": true, "refresh_token": true,
		"x-api-key": true, "painted_ms": false, "keys": false, "provider": false, "monkey": false,
	} {
		if IsSecretKey(k) != want {
			t.Errorf("IsSecretKey(%q) = %v", k, !want)
		}
	}
}
