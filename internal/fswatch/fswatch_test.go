package fswatch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// These tests use the real notifier on real folders. Each waits for the
// state OnChange must end up seeing (with a generous deadline for a loaded
// machine), never for a length of time; the exact timing of the loop is
// covered on a fake clock in loop_test.go.

const (
	noFolder = "<no folder>"
	noFile   = "<no file>"
)

// watched starts a watcher whose OnChange reports what f.json holds.
func watched(t *testing.T, dir string, opts Options) (<-chan string, *Watcher) {
	t.Helper()
	states := make(chan string, 256)
	opts.Dir = dir
	if opts.Debounce == 0 {
		opts.Debounce = 20 * time.Millisecond
	}
	opts.Match = func(name string) bool { return name == "f.json" }
	opts.OnChange = func() { states <- read(dir) }
	opts.OnError = func(err error) { t.Errorf("watch error: %v", err) }
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return states, w
}

func read(dir string) string {
	raw, err := os.ReadFile(filepath.Join(dir, "f.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return noFolder
		}
		return noFile
	case err != nil:
		return "error: " + err.Error()
	}
	return string(raw)
}

// await reads states until OnChange saw want.
func await(t *testing.T, states <-chan string, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var seen []string
	for {
		select {
		case s := <-states:
			if s == want {
				return
			}
			seen = append(seen, s)
		case <-deadline:
			t.Fatalf("OnChange never saw %q; it saw %q", want, seen)
		}
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestNewWatchesBeforeItReturns(t *testing.T) {
	dir := t.TempDir()
	states, w := watched(t, dir, Options{})
	writeFile(t, filepath.Join(dir, "f.json"), "before Start") // between New and Start
	w.Start(t.Context())
	await(t, states, "before Start")
}

func TestTruncateThenWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	writeFile(t, path, `{"old": true}`)
	states, w := watched(t, dir, Options{})
	w.Start(t.Context())

	// as os.WriteFile and many editors do: truncate, then write in pieces
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{`{"new": `, `"a", `, `"b": 2}`} {
		if _, err := f.WriteString(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	await(t, states, `{"new": "a", "b": 2}`)

	// a writer that stops after truncating: the empty file is what there
	// is; once it writes, the next call sees the content
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	await(t, states, "")
	f, err = os.OpenFile(path, os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"late": true}`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	await(t, states, `{"late": true}`)
}

func TestRenameOver(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	writeFile(t, path, "old")
	states, w := watched(t, dir, Options{})
	w.Start(t.Context())
	for i, body := range []string{"replaced once", "replaced twice"} {
		tmp := filepath.Join(dir, ".f.json.tmp"+strconv.Itoa(i)) // does not match: only the rename counts
		writeFile(t, tmp, body)
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		await(t, states, body)
	}
	// vim without backupcopy: the file is renamed away, then written anew
	if err := os.Rename(path, path+"~"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "written anew")
	await(t, states, "written anew")
}

func TestRapidWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	states, w := watched(t, dir, Options{})
	w.Start(t.Context())
	for i := range 200 {
		writeFile(t, path, strconv.Itoa(i))
	}
	await(t, states, "199")
}

func TestFileDeletedAndRecreated(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	writeFile(t, path, "first")
	states, w := watched(t, dir, Options{})
	w.Start(t.Context())
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	await(t, states, noFile)
	writeFile(t, path, "second")
	await(t, states, "second")
}

func TestFolderDeleted(t *testing.T) {
	t.Run("and made again by someone else", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "watched")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "f.json"), "first")
		states, w := watched(t, dir, Options{Retry: 10 * time.Millisecond})
		w.Start(t.Context())
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		await(t, states, noFolder)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "f.json"), "in the new folder")
		await(t, states, "in the new folder")
		// the new folder is watched, not just looked at once
		writeFile(t, filepath.Join(dir, "f.json"), "edited in the new folder")
		await(t, states, "edited in the new folder")
	})
	t.Run("and made again by the watcher", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "watched")
		states, w := watched(t, dir, Options{Create: true})
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("New did not make the folder: %v", err)
		}
		w.Start(t.Context())
		writeFile(t, filepath.Join(dir, "f.json"), "first")
		await(t, states, "first")
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(dir); err == nil {
				break // made again
			}
			if time.Now().After(deadline) {
				t.Fatal("the deleted folder was not made again")
			}
		}
		writeFile(t, filepath.Join(dir, "f.json"), "in the new folder")
		await(t, states, "in the new folder")
	})
	t.Run("renamed away", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "watched")
		states, w := watched(t, dir, Options{Create: true})
		w.Start(t.Context())
		writeFile(t, filepath.Join(dir, "f.json"), "first")
		await(t, states, "first")
		if err := os.Rename(dir, dir+".old"); err != nil {
			t.Fatal(err)
		}
		await(t, states, noFile)
		writeFile(t, filepath.Join(dir, "f.json"), "in the new folder")
		await(t, states, "in the new folder")
		writeFile(t, filepath.Join(dir, "f.json"), "last")
		await(t, states, "last")
	})
}

func TestNewErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := New(Options{Dir: missing, OnChange: func() {}}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing folder without Create: %v", err)
	}
	if _, err := New(Options{OnChange: func() {}}); err == nil {
		t.Fatal("no folder accepted")
	}
	if _, err := New(Options{Dir: t.TempDir()}); err == nil {
		t.Fatal("no OnChange accepted")
	}
}
