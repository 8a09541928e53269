package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
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
