//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole gives the GUI-subsystem exe a console when it is run from
// one (`tubeagency.exe version` in cmd or PowerShell): without it nothing
// it prints would be seen. Output already redirected (a pipe or a file) is
// left alone.
func attachConsole() {
	if h, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return
	}
	const attachParentProcess = ^uint32(0) // ATTACH_PARENT_PROCESS
	proc := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := proc.Call(uintptr(attachParentProcess)); r == 0 {
		return // started from the Start menu: no console, nothing to do
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
}
