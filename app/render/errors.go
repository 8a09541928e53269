package render

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// InstallHint is the command that installs ffmpeg on Debian and Ubuntu.
const InstallHint = "sudo apt-get install -y ffmpeg"

// Sentinel errors. Compare with errors.Is.
var (
	// ErrNoFFmpeg reports that ffmpeg or ffprobe cannot be found or run.
	ErrNoFFmpeg = errors.New("ffmpeg is not installed: on Debian or Ubuntu run `" + InstallHint + "`, or set its path in Settings")
	// ErrFFmpegFeatures reports an ffmpeg build without a filter or encoder
	// the renderer needs (libass, libx264, loudnorm, …).
	ErrFFmpegFeatures = errors.New("this ffmpeg build lacks features the renderer needs: install the distribution's full ffmpeg (`" + InstallHint + "`)")
	// ErrInvalidJob reports a job that cannot be rendered; the error is a
	// *JobError naming the field.
	ErrInvalidJob = errors.New("invalid render job")
	// ErrBusy reports that another render of the same package is running.
	ErrBusy = errors.New("this package is already being rendered")
	// ErrDiskFull reports that the disk ran out of space during a render.
	// Partial files are removed and earlier outputs are left as they were.
	ErrDiskFull = errors.New("the disk is full: free some space (Settings → Storage can delete old renders) and render again")
	// ErrNoVoice reports a renderer built without a voice engine chain.
	ErrNoVoice = errors.New("no voice engine chain configured for rendering")
)

// JobError names the field of a Job that is wrong. It wraps ErrInvalidJob.
type JobError struct {
	Field  string // JSON-style path, e.g. "sections[1].spoken[0]"
	Reason string
}

func (e *JobError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalidJob) true.
func (e *JobError) Unwrap() error { return ErrInvalidJob }

func jobErr(field, format string, args ...any) error {
	return &JobError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// FFmpegError is a run of ffmpeg or ffprobe that exited with an error.
type FFmpegError struct {
	Op       string // what the run was for, e.g. "encode section 2"
	ExitCode int    // -1 when killed by a signal
	Stderr   string // the last lines ffmpeg wrote to stderr
	Err      error  // the process error
}

func (e *FFmpegError) Error() string {
	msg := fmt.Sprintf("%s: ffmpeg exited with code %d", e.Op, e.ExitCode)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// Unwrap returns the process error.
func (e *FFmpegError) Unwrap() error { return e.Err }

func isDiskFullText(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "no space left on device") || strings.Contains(s, "disk quota exceeded") ||
		strings.Contains(s, "file too large")
}

// diskErr marks errors from Go's own writes that mean the disk is full.
func diskErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
