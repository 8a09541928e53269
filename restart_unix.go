//go:build !windows

package main

import (
	"os"
	"syscall"
)

// processAlive reports whether the process pid is still running (a process
// that ended but was not yet waited for by its parent counts as running).
func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

// start replaces this process with the new binary: it keeps this process's
// id, so nothing waits for an old one (afterPIDEnv).
func (r *restarter) start() error {
	return syscall.Exec(r.exe, append([]string{r.exe}, r.args...), os.Environ())
}
