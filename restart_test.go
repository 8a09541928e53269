package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestRestarterQuitsThenStartsTheNewBinary(t *testing.T) {
	r := newRestarter([]string{"--data-dir", "/x"})
	if r.exe == "" || len(r.args) != 2 {
		t.Fatalf("restarter %+v", r)
	}
	launched := 0
	r.launch = func() error { launched++; return nil }
	var stderr bytes.Buffer
	// No update asked for: the exit code passes through, nothing starts.
	if code := r.afterExit(3, &stderr); code != 3 || launched != 0 {
		t.Fatalf("without a restart: code %d, launched %d", code, launched)
	}
	quits := 0
	r.setQuit(func() { quits++ })
	if err := r.Restart(); err != nil || quits != 1 {
		t.Fatalf("Restart: %v, %d quits", err, quits)
	}
	if code := r.afterExit(0, &stderr); code != 0 || launched != 1 {
		t.Fatalf("after a restart: code %d, launched %d", code, launched)
	}
	r.launch = func() error { return errors.New("exec format error") }
	if code := r.afterExit(0, &stderr); code != 1 || !strings.Contains(stderr.String(), "the update is installed but could not start") {
		t.Fatalf("failed launch: %d %q", code, stderr.String())
	}
}
