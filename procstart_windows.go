package main

import (
	"time"

	"golang.org/x/sys/windows"
)

// processStarted is when Windows created this process.
func processStarted(now time.Time) (time.Time, bool) {
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &created, &exited, &kernel, &user); err != nil {
		return now, false
	}
	t := time.Unix(0, created.Nanoseconds())
	if t.After(now) || now.Sub(t) > time.Hour {
		return now, false
	}
	return t, true
}
