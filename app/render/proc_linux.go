//go:build linux

package render

import "syscall"

// parentDeathSignal kills ffmpeg when the app dies (kill -9 included), so
// a killed render leaves no encoder running behind it.
func parentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// maxrssKB: Linux reports ru_maxrss in KiB.
func maxrssKB(ru *syscall.Rusage) int64 { return ru.Maxrss }
