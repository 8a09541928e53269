//go:build windows

package monitor

import (
	"time"

	"golang.org/x/sys/windows"
)

// diskSpace reports the free (available to this user) and total bytes of
// the volume holding dir.
func diskSpace(dir string) (free, total int64, err error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, 0, err
	}
	var avail, tot, all uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &tot, &all); err != nil {
		return 0, 0, err
	}
	return int64(avail), int64(tot), nil
}

// cpuTime is the CPU time (user and kernel) the process used so far.
func cpuTime() (time.Duration, error) {
	var c, e, k, u windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &c, &e, &k, &u); err != nil {
		return 0, err
	}
	ticks := func(f windows.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return time.Duration((ticks(k) + ticks(u)) * 100), nil
}
