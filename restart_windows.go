//go:build windows

package main

import (
	"os"
	"os/exec"
)

// start launches the new binary; this process then exits.
func (r *restarter) start() error {
	cmd := exec.Command(r.exe, r.args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	cmd.Env = os.Environ()
	return cmd.Start()
}
