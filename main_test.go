package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
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
