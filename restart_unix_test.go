//go:build !windows

package main

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// A new binary started beside the old one (a Windows restart) waits for the
// old process to end before it starts, and not forever when it does not.
func TestWaitForPreviousWaitsForTheOldProcess(t *testing.T) {
	old := exec.Command("sleep", "0.3")
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { _ = old.Wait(); close(ended) }()
	t.Setenv(afterPIDEnv, strconv.Itoa(old.Process.Pid))
	waitForPrevious(time.Minute)
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("waitForPrevious returned while the old process ran")
	}
	if v, set := os.LookupEnv(afterPIDEnv); set {
		t.Errorf("%s is still set (%q): the app's children would wait too", afterPIDEnv, v)
	}

	// An old process that never ends holds the start up to the limit only.
	stuck := exec.Command("sleep", "60")
	if err := stuck.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stuck.Process.Kill(); _ = stuck.Wait() }()
	t.Setenv(afterPIDEnv, strconv.Itoa(stuck.Process.Pid))
	done := make(chan struct{})
	go func() { waitForPrevious(50 * time.Millisecond); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("waitForPrevious did not give up at its limit")
	}
	if !processAlive(stuck.Process.Pid) {
		t.Fatal("the stuck process is gone: the limit was not what ended the wait")
	}
}
