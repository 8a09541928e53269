package app

import (
	"errors"
	"path/filepath"
	"runtime"

	"tubeagency/app/update"
)

// ErrNoWindow is returned by methods that act on the desktop (opening a
// folder) when the app runs without a window (serve mode).
var ErrNoWindow = errors.New("this works only in the desktop window")

// ErrNoUpdates is returned when this run has no release feed configured.
var ErrNoUpdates = errors.New("update checks are off for this run (started with --update-feed off)")

// About is Settings → About: the version, where the log is, and updates.
type About struct {
	Version string `json:"version"`
	Mode    string `json:"mode"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	// LogFile is the current log file and LogDir its folder ("" when the
	// app runs without a log file).
	LogFile string `json:"log_file"`
	LogDir  string `json:"log_dir"`
	// CanOpenFolder is true in the desktop window (OpenLogFolder works).
	CanOpenFolder bool `json:"can_open_folder"`
	// Updates is nil when this run has no release feed.
	Updates *update.Status `json:"updates"`
}

// About reports the version, the log file and the update state.
func (a *App) About() (About, error) {
	rt := a.rt
	ab := About{
		Version:       Version,
		Mode:          rt.opts.Mode,
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		LogFile:       rt.opts.LogFile,
		CanOpenFolder: rt.opts.OpenFolder != nil && rt.opts.LogFile != "",
	}
	if ab.LogFile != "" {
		ab.LogDir = filepath.Dir(ab.LogFile)
	}
	if rt.updates != nil {
		st := rt.updates.Status()
		ab.Updates = &st
	}
	return ab, nil
}

// OpenLogFolder opens the log folder in the system's file manager.
func (a *App) OpenLogFolder() error {
	rt := a.rt
	if rt.opts.OpenFolder == nil {
		return ErrNoWindow
	}
	if rt.opts.LogFile == "" {
		return errors.New("this run has no log file")
	}
	return rt.opts.OpenFolder(filepath.Dir(rt.opts.LogFile))
}

// SetUpdateChecks switches the daily update check on or off.
func (a *App) SetUpdateChecks(on bool) (update.Status, error) {
	if a.rt.updates == nil {
		return update.Status{}, ErrNoUpdates
	}
	return a.rt.updates.SetEnabled(on)
}

// CheckForUpdates fetches the release feed now. Being offline is not an
// error: the status's message says so.
func (a *App) CheckForUpdates() (update.Status, error) {
	if a.rt.updates == nil {
		return update.Status{}, ErrNoUpdates
	}
	ctx, cancel := a.call()
	defer cancel()
	st, err := a.rt.updates.Check(ctx)
	if err != nil && (errors.Is(err, update.ErrOffline) || errors.Is(err, update.ErrFeed)) {
		return st, nil
	}
	return st, err
}

// InstallUpdate downloads, verifies and installs the release the last
// check found. A refused download is reported in the status's message and
// changes nothing.
func (a *App) InstallUpdate() (update.Status, error) {
	if a.rt.updates == nil {
		return update.Status{}, ErrNoUpdates
	}
	// A download may take longer than a call's usual deadline.
	st, err := a.rt.updates.Install(a.rt.ctx)
	for _, known := range []error{update.ErrSize, update.ErrHash, update.ErrSignature, update.ErrOffline, update.ErrNoUpdate} {
		if errors.Is(err, known) {
			return st, nil
		}
	}
	return st, err
}
