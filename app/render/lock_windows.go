//go:build windows

package render

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// lockDir takes an exclusive lock on dir/.lock, released by unlock or
// when the process ends.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(dir+string(os.PathSeparator)+lockFile, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, diskErr(fmt.Errorf("lock render folder: %w", err))
	}
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol); err != nil {
		f.Close()
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("lock render folder: %w", err)
	}
	return func() {
		_ = windows.UnlockFileEx(h, 0, 1, 0, ol)
		f.Close()
	}, nil
}
