//go:build !windows

package main

import (
	"os"
	"syscall"
)

// start replaces this process with the new binary.
func (r *restarter) start() error {
	return syscall.Exec(r.exe, append([]string{r.exe}, r.args...), os.Environ())
}
