//go:build windows

package render

import (
	"os"
	"os/exec"
)

// isolate: ffmpeg starts no children, so killing the process is enough.
func isolate(cmd *exec.Cmd) {
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return cmd.Process.Kill()
	}
}

// peakRSSKB is not reported on Windows.
func peakRSSKB(*os.ProcessState) int64 { return 0 }
