package main

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// processStarted is when the kernel started this process, to 10 ms: it
// includes loading the binary and its GTK and WebKit libraries, which
// happens before any Go code runs.
func processStarted(now time.Time) (time.Time, bool) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return now, false
	}
	// Fields after the command name (which may hold spaces) start at ")".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return now, false
	}
	fields := bytes.Fields(stat[i+1:])
	// starttime is field 22 of the whole line, so 20 after the name.
	if len(fields) < 20 {
		return now, false
	}
	ticks, err := strconv.ParseInt(string(fields[19]), 10, 64)
	if err != nil {
		return now, false
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return now, false
	}
	f := bytes.Fields(up)
	if len(f) == 0 {
		return now, false
	}
	uptime, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil {
		return now, false
	}
	const userHZ = 100 // USER_HZ, the unit of starttime on every Linux architecture Go supports
	age := time.Duration((uptime - float64(ticks)/userHZ) * float64(time.Second))
	if age < 0 || age > time.Hour {
		return now, false
	}
	return now.Add(-age), true
}
