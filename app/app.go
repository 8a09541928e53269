// Package app is what the frontend calls. App's exported methods are bound
// to the desktop window by Wails and served over HTTP by serve mode: one
// thin layer that validates input, derives a context with a deadline, calls
// the domain and returns typed DTOs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"tubeagency/app/events"
	"tubeagency/app/monitor"
	"tubeagency/app/update"
	"tubeagency/internal/store"
)

// Version is the application version, set at build time with
// -ldflags "-X tubeagency/app.Version=…".
var Version = "0.1.0-dev"

// Options configure Start. Only DataDir is required.
type Options struct {
	// DataDir holds the database, audio, templates and settings.
	DataDir string
	// Now is the wall clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives diagnostics. Nil means slog.Default().
	Logger *slog.Logger
	// CallTimeout bounds each bound call. Zero means 15 s.
	CallTimeout time.Duration
	// Mode is "desktop" or "serve", shown in Status.
	Mode string
	// Dialogs are the system's file dialogs; nil (serve mode) means the
	// methods that need one answer ErrNoDialogs.
	Dialogs Dialogs
	// Opener opens Google's sign-in page in the system's browser; nil
	// (serve mode) means the page shows the address instead.
	Opener Opener
	// KeyStore picks where API keys and tokens live: "" probes the OS
	// keyring and falls back to a 0600 file in DataDir; "file" uses the
	// file without probing (headless machines, tests).
	KeyStore string
	// Google are the addresses and upload settings of publishing to
	// YouTube; the zero value means Google's own (wire_publish.go).
	Google GoogleOptions
	// LogFile is the log file Logger writes to, shown in Settings → About
	// and named in error messages. Empty means there is none.
	LogFile string
	// OpenFolder shows a folder in the system's file manager (the desktop
	// window provides it). Nil (serve mode) means OpenLogFolder answers
	// ErrNoWindow.
	OpenFolder func(dir string) error
	// UpdateFeedURL is the release feed checked daily (see app/update).
	// Empty means no update checks in this run.
	UpdateFeedURL string
	// Restart starts the new binary after an update replaced this one. Nil
	// means the user restarts the app.
	Restart func() error
	// Painted, when set, is closed once the window has drawn its first
	// frame with data. Background work that would compete with that frame
	// for the CPU (resuming studio runs, autopilot jobs, renders and the
	// ffmpeg check) waits for it, or for PaintWait when the window never
	// says. Nil (serve mode, tests) means that work starts at once.
	Painted <-chan struct{}
	// PaintWait bounds the wait for Painted. Zero means 10 s.
	PaintWait time.Duration
}

// Runtime owns the running application: the store, the event hub and the
// background parts. Its methods are not bound to the frontend.
type Runtime struct {
	opts      Options
	store     *store.Store
	lock      *flock.Flock // the data folder's lock (lockDataDir), held until Close
	hub       *events.Hub
	log       *slog.Logger
	api       *App
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	start     time.Time
	keys      keyStore         // API keys and tokens, opened on first use
	monitor   *monitor.Monitor // metrics, alerts and health history
	insights  *insightsParts   // the insights service and the Google sign-in (wire_insights.go)
	providers *providerParts   // settings, templates, cache, router (wire_providers.go)
	studio    *studioParts     // studio pipeline and autopilot (wire_studio.go)
	sync      *syncParts       // Supabase sync loop and client (wire_sync.go)
	render    *renderParts     // video renderer and its queue (wire_render.go)
	publish   *publishParts    // YouTube sign-in, upload queue and calendar (wire_publish.go)
	updates   *update.Updater  // release checks, nil without a feed (wire_update.go)
	started   []component      // in start order; Close stops them in reverse
	settled   chan struct{}    // closed when background work may start (Options.Painted)
}

// App is the set of methods the frontend calls. Every exported method is
// part of the API: add only methods meant for the frontend.
type App struct {
	rt *Runtime
}

// ErrDataDir reports a data folder the app cannot use.
var ErrDataDir = errors.New("data folder is not writable")

// ErrInUse reports a data folder another running Tube Agency (a window or
// `tubeagency serve`) has open. Two at once would each run the autopilot,
// the sync and the upload queue over the same packages.
var ErrInUse = errors.New("another Tube Agency is using this data folder")

// lockName is the file in the data folder whose lock says the folder is in
// use. The operating system drops the lock when its process ends, however
// it ends, so a crash never leaves the folder locked.
const lockName = "tubeagency.lock"

// lockDataDir takes the data folder's lock, or reports ErrInUse.
func lockDataDir(dir string) (*flock.Flock, error) {
	l := flock.New(filepath.Join(dir, lockName))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDataDir, dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrInUse, dir)
	}
	return l, nil
}

// CheckDataDir creates dir when missing and proves it is writable.
func CheckDataDir(dir string) error {
	if dir == "" {
		return fmt.Errorf("%w: no folder given", ErrDataDir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDataDir, dir, errors.Unwrap(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDataDir, dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// Start opens the data folder and starts the application.
func Start(ctx context.Context, opts Options) (*Runtime, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 15 * time.Second
	}
	if opts.Mode == "" {
		opts.Mode = "desktop"
	}
	if opts.PaintWait <= 0 {
		opts.PaintWait = 10 * time.Second
	}
	if err := CheckDataDir(opts.DataDir); err != nil {
		return nil, err
	}
	lock, err := lockDataDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, filepath.Join(opts.DataDir, "tubeagency.db"), store.Options{Now: opts.Now})
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	rt := &Runtime{opts: opts, store: st, lock: lock, hub: &events.Hub{}, log: opts.Logger, start: opts.Now(), settled: make(chan struct{})}
	rt.keys.mode = opts.KeyStore
	rt.ctx, rt.cancel = context.WithCancel(context.Background())
	rt.api = &App{rt: rt}
	if err := rt.build(ctx); err != nil {
		rt.cancel()
		st.Close()
		lock.Unlock()
		return nil, err
	}
	if err := rt.startAll(); err != nil {
		rt.stopAll()
		rt.cancel()
		rt.wg.Wait()
		st.Close()
		lock.Unlock()
		return nil, err
	}
	rt.settleAfterPaint()
	return rt, nil
}

// settleAfterPaint closes rt.settled once the window has painted (or
// PaintWait has passed), at once without a window.
func (rt *Runtime) settleAfterPaint() {
	if rt.opts.Painted == nil {
		close(rt.settled)
		return
	}
	rt.goBackground(func(ctx context.Context) {
		t := time.NewTimer(rt.opts.PaintWait)
		defer t.Stop()
		select {
		case <-rt.opts.Painted:
		case <-t.C:
			rt.log.Info("background work starts before the window painted", "waited_ms", rt.opts.PaintWait.Milliseconds())
		case <-ctx.Done():
		}
		close(rt.settled)
	})
}

// afterPaint waits until background work may start (see Options.Painted);
// false means ctx ended first.
func (rt *Runtime) afterPaint(ctx context.Context) bool {
	select {
	case <-rt.settled:
		return true
	case <-ctx.Done():
		return false
	}
}

// API is the bound object.
func (rt *Runtime) API() *App { return rt.api }

// Hub carries the application's events.
func (rt *Runtime) Hub() *events.Hub { return rt.hub }

// Store is the local database.
func (rt *Runtime) Store() *store.Store { return rt.store }

// Close stops the components in the reverse of their start order, then
// the background work, then closes the store.
func (rt *Runtime) Close() error {
	rt.stopAll()
	rt.cancel()
	rt.wg.Wait()
	err := rt.store.Close()
	if uerr := rt.lock.Unlock(); err == nil {
		err = uerr
	}
	return err
}

// go runs fn in the background until Close.
func (rt *Runtime) goBackground(fn func(ctx context.Context)) {
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		fn(rt.ctx)
	}()
}

// call derives the context of one bound call.
func (a *App) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(a.rt.ctx, a.rt.opts.CallTimeout)
}

// emit sends an event to the window and serve's clients, the store's
// records converted to what the page receives (edgeEvent).
func (rt *Runtime) emit(name string, data any) { rt.hub.Emit(name, edgeEvent(data)) }
