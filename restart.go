package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// restarter restarts the app after an update replaced its binary: the
// updater asks for it, the running mode shuts down in order (quit), and
// run starts the new binary once everything is closed.
type restarter struct {
	exe       string // the binary, found at start: after an update the running file is gone
	args      []string
	requested atomic.Bool
	mu        sync.Mutex
	quit      func()
	// launch starts the new binary (r.start; a test replaces it).
	launch func() error
}

func newRestarter(args []string) *restarter {
	exe, err := os.Executable()
	if err == nil {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
	}
	r := &restarter{exe: exe, args: args}
	r.launch = r.start
	return r
}

// setQuit names how the running mode shuts down.
func (r *restarter) setQuit(f func()) {
	r.mu.Lock()
	r.quit = f
	r.mu.Unlock()
}

// Restart asks the running mode to shut down and the new binary to start.
func (r *restarter) Restart() error {
	r.requested.Store(true)
	r.mu.Lock()
	quit := r.quit
	r.mu.Unlock()
	if quit != nil {
		quit()
	}
	return nil
}

// afterExit starts the new binary when an update asked for it, once the
// app has shut down; otherwise it returns code.
func (r *restarter) afterExit(code int, stderr io.Writer) int {
	if !r.requested.Load() {
		return code
	}
	if err := r.launch(); err != nil {
		fmt.Fprintf(stderr, "tubeagency: the update is installed but could not start: %v\nStart Tube Agency again.\n", err)
		return 1
	}
	return 0
}

// afterPIDEnv, set by a restart that starts the new binary beside the old
// one (Windows), names the old process. The new one waits for it to end
// before anything else: until then the old one holds the data folder and
// its window's single-instance name, and the new one would hand itself over
// to a window that is closing.
const afterPIDEnv = "TUBEAGENCY_AFTER_PID"

// waitForPrevious waits, at most limit, for the process afterPIDEnv names
// to end, and clears the variable so the app's own children do not wait.
func waitForPrevious(limit time.Duration) {
	v := os.Getenv(afterPIDEnv)
	if v == "" {
		return
	}
	os.Unsetenv(afterPIDEnv)
	pid, err := strconv.Atoi(v)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return
	}
	for deadline := time.Now().Add(limit); time.Now().Before(deadline) && processAlive(pid); {
		time.Sleep(20 * time.Millisecond)
	}
}
