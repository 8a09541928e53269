package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProcessStartedIsBeforeMainAndRecent(t *testing.T) {
	now := time.Now()
	got, ok := processStarted(now)
	if runtime.GOOS == "linux" || runtime.GOOS == "windows" {
		if !ok {
			t.Fatal("the kernel's start time was not read")
		}
	}
	if got.After(now) || now.Sub(got) > 10*time.Minute {
		t.Fatalf("process started %v before now", now.Sub(got))
	}
	if !processStart.Before(now) && !processStart.Equal(now) {
		t.Fatalf("processStart %v is after now %v", processStart, now)
	}
	if runtime.GOOS == "linux" {
		// ps reads the same kernel value: the two agree to a second.
		out, err := exec.Command("ps", "-o", "etimes=", "-p", strconv.Itoa(os.Getpid())).Output()
		if err != nil {
			t.Fatalf("ps: %v", err)
		}
		secs, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		if d := now.Sub(got).Seconds() - float64(secs); d < -1.5 || d > 1.5 {
			t.Fatalf("age %v s, ps says %d s", now.Sub(got).Seconds(), secs)
		}
	}
}
