//go:build !windows

package main

// attachConsole is needed on Windows only.
func attachConsole() {}
