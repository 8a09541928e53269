package fswatch

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
)

// The loop's timing, on a fake clock: events are fed by hand, so each
// scenario says exactly when OnChange must run.

type step struct {
	at  time.Duration // since the start
	ev  *fsnotify.Event
	err error
}

func write(name string) *fsnotify.Event { return &fsnotify.Event{Name: name, Op: fsnotify.Write} }
func op(name string, o fsnotify.Op) *fsnotify.Event {
	return &fsnotify.Event{Name: name, Op: o}
}

func TestLoopDebounces(t *testing.T) {
	const d = 200 * time.Millisecond
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	scenarios := []struct {
		name  string
		steps []step
		want  []time.Duration // when OnChange runs
	}{
		{"one write", []step{{0, write("/d/f.json"), nil}}, []time.Duration{d}},
		{"a burst is one call after the last change",
			[]step{{0, write("/d/f.json"), nil}, {ms(50), write("/d/f.json"), nil}, {ms(150), op("/d/f.json", fsnotify.Create), nil}, {ms(340), write("/d/f.json"), nil}},
			[]time.Duration{ms(340) + d}},
		{"changes further apart than the debounce are separate calls",
			[]step{{0, write("/d/f.json"), nil}, {ms(500), op("/d/f.json", fsnotify.Remove), nil}, {ms(1000), op("/d/f.json", fsnotify.Rename), nil}},
			[]time.Duration{d, ms(500) + d, ms(1000) + d}},
		{"truncate, a long pause, then the write: the last call follows the write",
			[]step{{0, write("/d/f.json"), nil}, {ms(900), write("/d/f.json"), nil}},
			[]time.Duration{d, ms(900) + d}},
		{"attribute changes, other files and subfolders do not count",
			[]step{{0, op("/d/f.json", fsnotify.Chmod), nil}, {ms(10), write("/d/other.txt"), nil}, {ms(20), write("/d/sub/f.json"), nil}, {ms(30), write("/elsewhere/f.json"), nil}},
			nil},
		{"a write that also changes attributes counts",
			[]step{{0, op("/d/f.json", fsnotify.Write|fsnotify.Chmod), nil}},
			[]time.Duration{d}},
		{"dropped events count as a change",
			[]step{{ms(100), nil, fsnotify.ErrEventOverflow}},
			[]time.Duration{ms(100) + d}},
		{"other notifier errors are reported, not a change",
			[]step{{0, nil, errors.New("boom")}, {ms(300), write("/d/f.json"), nil}},
			[]time.Duration{ms(300) + d}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				calls := make(chan time.Duration, 16)
				reported := make(chan error, 16)
				start := time.Now()
				events, errs := feed(start, sc.steps)
				w := newWatcher(Options{Dir: "/d/", Debounce: d,
					Match:    func(name string) bool { return name == "f.json" },
					OnChange: func() { calls <- time.Since(start) },
					OnError:  func(err error) { reported <- err },
				}, events, errs, func(string) error { return nil })
				w.Start(t.Context())
				defer w.Stop()
				time.Sleep(10 * time.Second)
				synctest.Wait()
				w.Stop()
				close(calls)
				var got []time.Duration
				for c := range calls {
					got = append(got, c)
				}
				if fmt.Sprint(got) != fmt.Sprint(sc.want) {
					t.Fatalf("OnChange at %v, want %v", got, sc.want)
				}
				wantErrs := 0
				for _, s := range sc.steps {
					if s.err != nil {
						wantErrs++
					}
				}
				if len(reported) != wantErrs {
					t.Fatalf("%d errors reported, want %d", len(reported), wantErrs)
				}
			})
		})
	}
}

// feed sends the steps' events and errors at their times.
func feed(start time.Time, steps []step) (<-chan fsnotify.Event, <-chan error) {
	events := make(chan fsnotify.Event)
	errs := make(chan error)
	go func() {
		for _, s := range steps {
			time.Sleep(time.Until(start.Add(s.at)))
			if s.ev != nil {
				events <- *s.ev
			}
			if s.err != nil {
				errs <- s.err
			}
		}
	}()
	return events, errs
}

func TestLoopWatchesTheFolderAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d, retry = 200 * time.Millisecond, time.Second
		start := time.Now()
		calls := make(chan time.Duration, 16)
		reported := make(chan error, 16)
		var adds []time.Duration
		results := []error{fs.ErrNotExist, fs.ErrPermission, nil, nil} // the folder is back on the third try
		add := func(dir string) error {
			if dir != "/d" {
				t.Errorf("watching %q again, want /d", dir)
			}
			adds = append(adds, time.Since(start))
			err := results[0]
			results = results[1:]
			return err
		}
		events, errs := feed(start, []step{
			{100 * time.Millisecond, op("/d/f.json", fsnotify.Remove), nil},
			{100 * time.Millisecond, op("/d", fsnotify.Remove), nil},
			{150 * time.Millisecond, op("/d", fsnotify.Remove), nil}, // already lost: no second attempt
			{5 * time.Second, op("/d", fsnotify.Rename), nil},        // moved away later: watched again at once
		})
		w := newWatcher(Options{Dir: "/d", Debounce: d, Retry: retry,
			OnChange: func() { calls <- time.Since(start) },
			OnError:  func(err error) { reported <- err },
		}, events, errs, add)
		w.Start(t.Context())
		time.Sleep(10 * time.Second)
		synctest.Wait()
		w.Stop()
		close(calls)
		var got []time.Duration
		for c := range calls {
			got = append(got, c)
		}
		want := []time.Duration{
			350 * time.Millisecond,    // the folder and its file are gone
			2100*time.Millisecond + d, // watched again on the third try: look at what it holds
			5*time.Second + d,         // moved away and watched again at once
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("OnChange at %v, want %v", got, want)
		}
		wantAdds := []time.Duration{100 * time.Millisecond, 1100 * time.Millisecond, 2100 * time.Millisecond, 5 * time.Second}
		if fmt.Sprint(adds) != fmt.Sprint(wantAdds) {
			t.Fatalf("watched again at %v, want %v", adds, wantAdds)
		}
		if len(reported) != 1 {
			t.Fatalf("%d errors reported, want the refused watch only", len(reported))
		}
		if err := <-reported; !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("reported %v", err)
		}
	})
}

func TestLoopStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := make(chan struct{}, 16)
		events := make(chan fsnotify.Event)
		w := newWatcher(Options{Dir: "/d", OnChange: func() { calls <- struct{}{} }}, events, nil, nil)
		w.Stop() // before Start: Start is then a no-op
		w.Start(t.Context())
		synctest.Wait()
		select {
		case events <- *write("/d/f"):
			t.Fatal("a stopped watcher took an event")
		default:
		}

		w = newWatcher(Options{Dir: "/d", OnChange: func() { calls <- struct{}{} }}, events, nil, nil)
		w.Start(t.Context())
		w.Start(t.Context()) // a second Start is a no-op
		events <- *write("/d/f")
		time.Sleep(DefaultDebounce)
		synctest.Wait()
		if len(calls) != 1 {
			t.Fatalf("%d calls after one write with the default debounce", len(calls))
		}
		events <- *write("/d/f")
		w.Stop() // before the debounce ends: no call
		w.Stop()
		time.Sleep(time.Minute)
		synctest.Wait()
		if len(calls) != 1 {
			t.Fatalf("%d calls, want none after Stop", len(calls))
		}
	})
}
