package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fillStrings returns a value of type t whose every string (top level,
// struct field, slice element, map key and value) is s.
func fillStrings(t reflect.Type, s string, depth int) reflect.Value {
	v := reflect.New(t).Elem()
	if depth > 4 {
		return v
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				v.Field(i).Set(fillStrings(t.Field(i).Type, s, depth+1))
			}
		}
	case reflect.Slice:
		v = reflect.MakeSlice(t, 1, 1)
		v.Index(0).Set(fillStrings(t.Elem(), s, depth+1))
	case reflect.Map:
		v = reflect.MakeMap(t)
		v.SetMapIndex(fillStrings(t.Key(), s, depth+1), fillStrings(t.Elem(), s, depth+1))
	case reflect.Pointer:
		v = reflect.New(t.Elem())
		v.Elem().Set(fillStrings(t.Elem(), s, depth+1))
	case reflect.Interface:
		v.Set(reflect.ValueOf(s))
	}
	return v
}

// TestNoMethodOpensAPathFromTheRequest calls every method serve mode
// exposes with every string it takes (arguments, fields, list entries,
// map keys and values) set to the path of a file, and of a folder, and
// watches both with inotify: no method may open, read, list or create
// anything there. This is what keeps a page from reading the host's files.
func TestNoMethodOpensAPathFromTheRequest(t *testing.T) {
	ts, rt := newServer(t, "")
	dir := t.TempDir()
	existing := filepath.Join(dir, "Table data.csv")
	if err := os.WriteFile(existing, []byte("Content,Video title,Video publish time,Views\nabc,T,2025-01-01,5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	const mask = unix.IN_OPEN | unix.IN_ACCESS | unix.IN_CREATE | unix.IN_MODIFY | unix.IN_DELETE | unix.IN_MOVED_TO
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, existing, mask); err != nil {
		t.Fatal(err)
	}
	// The watch itself works: opening the file is seen.
	if f, err := os.Open(existing); err == nil {
		f.Close()
	}
	if evs := drain(t, fd); len(evs) == 0 {
		t.Fatal("inotify saw nothing when the test opened the file")
	}

	api := reflect.TypeOf(rt.API())
	called := 0
	for i := 0; i < api.NumMethod(); i++ {
		m := api.Method(i)
		ft := m.Type
		if ft.NumOut() == 0 || ft.Out(ft.NumOut()-1).String() != "error" {
			continue // not callable over HTTP
		}
		for _, target := range []string{existing, dir, filepath.Join(dir, "new-file.md"), "file://" + existing} {
			args := make([]any, 0, ft.NumIn()-1)
			for j := 1; j < ft.NumIn(); j++ {
				args = append(args, fillStrings(ft.In(j), target, 0).Interface())
			}
			body, err := json.Marshal(args)
			if err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			code, _, raw := post(t, ts, m.Name, string(body), nil)
			if code == 404 && strings.Contains(string(raw), "unknown_method") {
				t.Fatalf("%s is exported but not callable", m.Name)
			}
			called++
			if evs := drain(t, fd); len(evs) > 0 {
				t.Errorf("%s(%s) touched the path given: inotify %v (answer %d %.200s)", m.Name, target, evs, code, raw)
			}
		}
	}
	if called < 4*60 {
		t.Fatalf("called only %d methods × targets", called)
	}
	if _, err := os.Stat(filepath.Join(dir, "new-file.md")); err == nil {
		t.Fatal("a method created the file named in the request")
	}
}

// drain reads the pending inotify events, as masks.
func drain(t *testing.T, fd int) []uint32 {
	t.Helper()
	var out []uint32
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EAGAIN || n <= 0 {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			out = append(out, ev.Mask)
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}
