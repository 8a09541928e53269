//go:build unix && !linux

package render

import (
	"runtime"
	"syscall"
)

// parentDeathSignal: only Linux has one; elsewhere ffmpeg notices a dead
// app when its next progress write to the closed pipe fails.
func parentDeathSignal(*syscall.SysProcAttr) {}

// maxrssKB: macOS reports ru_maxrss in bytes, the BSDs in KiB.
func maxrssKB(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024
	}
	return int64(ru.Maxrss)
}
