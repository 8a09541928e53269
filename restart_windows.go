//go:build windows

package main

import (
	"os"
	"os/exec"
	"strconv"

	"golang.org/x/sys/windows"
)

// start launches the new binary; this process then exits.
func (r *restarter) start() error {
	cmd := exec.Command(r.exe, r.args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	cmd.Env = append(os.Environ(), afterPIDEnv+"="+strconv.Itoa(os.Getpid()))
	return cmd.Start()
}

// processAlive reports whether the process pid is still running.
func processAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	ev, err := windows.WaitForSingleObject(h, 0)
	return err == nil && ev == uint32(windows.WAIT_TIMEOUT)
}
