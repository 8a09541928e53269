//go:build !linux && !windows

package main

import "time"

// processStarted falls back to the first moment Go code ran.
func processStarted(now time.Time) (time.Time, bool) { return now, false }
