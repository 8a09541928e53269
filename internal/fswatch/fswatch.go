// Package fswatch calls a function when files in one folder change, once
// per burst of changes. It wraps fsnotify with what every caller needs and
// tends to get wrong:
//
//   - The watch is in place when New returns. A change made after New is
//     never missed; read the files after New (not before) and nothing made
//     before it is missed either.
//   - Bursts are debounced. Editors and atomic writers change a file in
//     several steps (truncate then write, write a temp file then rename it
//     over the original, several writes in a row). OnChange runs once the
//     folder has been quiet for Debounce, and it runs again after any later
//     change, so the last call always starts after the last change: it sees
//     the folder as the last writer left it. A writer that pauses longer
//     than Debounce in the middle of a write can be seen half way; the call
//     after its next write sees the result.
//   - The folder itself can go away. When it is deleted or renamed,
//     OnChange runs (its files are gone) and the watcher watches the folder
//     again as soon as it exists (Create makes it at once), then runs
//     OnChange once more for whatever it holds by then.
//   - Events the kernel dropped (a queue overflow) count as a change.
//
// OnChange runs on the watcher's goroutine, never concurrently with itself.
// The watch is not recursive: subfolders and their files are not watched.
package fswatch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is the quiet time used when Options.Debounce is zero.
const DefaultDebounce = 200 * time.Millisecond

// DefaultRetry is how often a missing folder is looked for when
// Options.Retry is zero.
const DefaultRetry = time.Second

// Options configure New.
type Options struct {
	// Dir is the folder to watch. Required.
	Dir string
	// Match picks the files that count by base name ("settings.json").
	// Nil means every file in Dir. Changes to Dir itself always count.
	Match func(name string) bool
	// Create makes Dir (with its parents, mode 0700) when it is missing,
	// in New and whenever it is deleted while watched. False makes New fail
	// on a missing Dir and waits for something else to make it again.
	Create bool
	// Debounce is how long the folder must stay quiet after a change
	// before OnChange runs. Zero means DefaultDebounce.
	Debounce time.Duration
	// Retry is how often a deleted Dir is looked for until it exists again.
	// Zero means DefaultRetry.
	Retry time.Duration
	// OnChange is called after a burst of changes. Required.
	OnChange func()
	// OnError receives what goes wrong with the watch itself (the system
	// refused to watch the folder again, an error from the notifier); the
	// watcher keeps going. Nil means such errors are dropped.
	OnError func(err error)
}

// Watcher watches one folder. Build it with New, run it with Start and end
// it with Stop.
type Watcher struct {
	opts   Options
	dir    string
	fsw    *fsnotify.Watcher
	events <-chan fsnotify.Event
	errs   <-chan error
	add    func(dir string) error // (re)establishes the watch on dir

	mu      sync.Mutex
	cancel  context.CancelFunc
	stopped bool
	wg      sync.WaitGroup
}

// New watches opts.Dir. The watch is in place when New returns: changes
// from then on are held by the system until Start delivers them.
func New(opts Options) (*Watcher, error) {
	if opts.Dir == "" {
		return nil, errors.New("watch folder: no folder given")
	}
	if opts.OnChange == nil {
		return nil, fmt.Errorf("watch %s: no OnChange", opts.Dir)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", opts.Dir, err)
	}
	w := newWatcher(opts, fsw.Events, fsw.Errors, nil)
	w.fsw = fsw
	w.add = func(dir string) error {
		if opts.Create {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
		}
		return fsw.Add(dir)
	}
	if err := w.add(w.dir); err != nil {
		fsw.Close()
		return nil, fmt.Errorf("watch %s: %w", opts.Dir, err)
	}
	return w, nil
}

// newWatcher fills defaults; New and the tests of the loop share it.
func newWatcher(opts Options, events <-chan fsnotify.Event, errs <-chan error, add func(string) error) *Watcher {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Retry <= 0 {
		opts.Retry = DefaultRetry
	}
	return &Watcher{opts: opts, dir: filepath.Clean(opts.Dir), events: events, errs: errs, add: add}
}

// Dir is the folder watched.
func (w *Watcher) Dir() string { return w.dir }

// Start delivers changes until ctx ends or Stop is called. It does
// nothing after Stop or on a second call. Call Stop even after ctx ended:
// it releases the system's watch.
func (w *Watcher) Start(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.cancel != nil {
		return
	}
	ctx, w.cancel = context.WithCancel(ctx)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.run(ctx)
	}()
}

// Stop ends the watch and waits until OnChange is no longer running. It
// may be called more than once, and without Start.
func (w *Watcher) Stop() {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	w.stopped = true
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Unlock()
	w.wg.Wait()
	if w.fsw != nil {
		w.fsw.Close()
	}
}

// run is the loop: it arms the debounce timer on each change that counts,
// calls OnChange when the timer fires, and watches the folder again when it
// went away.
func (w *Watcher) run(ctx context.Context) {
	debounce := time.NewTimer(w.opts.Debounce)
	debounce.Stop()
	defer debounce.Stop()
	retry := time.NewTimer(w.opts.Retry)
	retry.Stop()
	defer retry.Stop()
	lost := false // the folder went away and is not watched
	changed := func() { debounce.Reset(w.opts.Debounce) }
	rewatch := func() {
		err := w.add(w.dir)
		switch {
		case err == nil:
			lost = false
			changed() // files may have appeared before the watch did
		case errors.Is(err, fs.ErrNotExist):
			retry.Reset(w.opts.Retry)
		default:
			w.report(fmt.Errorf("watch %s again: %w", w.dir, err))
			retry.Reset(w.opts.Retry)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.events:
			if !ok {
				return
			}
			name := filepath.Clean(ev.Name)
			if name == w.dir {
				if ev.Op&^fsnotify.Chmod != 0 {
					changed()
				}
				if (ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)) && !lost {
					lost = true // the system dropped the watch with the folder
					rewatch()
				}
				continue
			}
			if !w.counts(name, ev.Op) {
				continue
			}
			changed()
		case err, ok := <-w.errs:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				changed() // some changes were dropped: look at everything again
			}
			w.report(fmt.Errorf("watch %s: %w", w.dir, err))
		case <-retry.C:
			if lost {
				rewatch()
			}
		case <-debounce.C:
			w.opts.OnChange()
		}
	}
}

// counts says whether an event on name is a change OnChange should see.
// Attribute-only changes do not count: indexers and backup tools make
// many of them without changing a byte.
func (w *Watcher) counts(name string, op fsnotify.Op) bool {
	if filepath.Dir(name) != w.dir {
		return false
	}
	if op&^fsnotify.Chmod == 0 {
		return false
	}
	return w.opts.Match == nil || w.opts.Match(filepath.Base(name))
}

func (w *Watcher) report(err error) {
	if w.opts.OnError != nil {
		w.opts.OnError(err)
	}
}
