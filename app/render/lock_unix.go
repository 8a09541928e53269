//go:build unix

package render

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on dir/.lock, held until unlock is
// called or the process dies (the kernel drops it even after kill -9).
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(dir+string(os.PathSeparator)+lockFile, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, diskErr(fmt.Errorf("lock render folder: %w", err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("lock render folder: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
