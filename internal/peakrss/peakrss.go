// Package peakrss measures the peak resident memory of this process on
// Linux, so tests can bound what one request or one file may cost.
package peakrss

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
)

// ErrUnsupported is returned where /proc does not give the figures.
var ErrUnsupported = errors.New("peak RSS is measured on Linux only")

// Reset returns memory the Go runtime holds free to the system and resets
// the kernel's high-water mark (VmHWM) to the current RSS, which it
// returns in bytes.
func Reset() (int64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return read("VmRSS:")
}

// Peak is the high-water mark of the RSS since the last Reset, in bytes.
func Peak() (int64, error) { return read("VmHWM:") }

func read(key string) (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(key)) {
			continue
		}
		fields := bytes.Fields(line[len(key):])
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("peak rss: unexpected line %q", line)
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("peak rss: %w", err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("%w: no %s in /proc/self/status", ErrUnsupported, key)
}
