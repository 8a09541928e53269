package render

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

func fakeRender(t *testing.T, root, id, channel string, bytes int, at time.Time) {
	t.Helper()
	dir := filepath.Join(root, id)
	if err := os.MkdirAll(filepath.Join(dir, workDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, VideoFile), make([]byte, bytes), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, workDir, audioFile), make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeManifest(filepath.Join(dir, ManifestFile), Manifest{Version: ManifestVersion, PackageID: id, ChannelID: channel, RenderedAt: at}); err != nil {
		t.Fatal(err)
	}
}

func TestDiskUsage(t *testing.T) {
	root := t.TempDir()
	if u, err := DiskUsage(filepath.Join(root, "missing")); err != nil || u.Bytes != 0 {
		t.Fatalf("missing root: %+v %v", u, err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fakeRender(t, root, "a", "c1", 1000, now)
	fakeRender(t, root, "b", "c1", 5000, now)
	u, err := DiskUsage(root)
	if err != nil {
		t.Fatal(err)
	}
	ma, _ := os.Stat(filepath.Join(root, "a", ManifestFile))
	mb, _ := os.Stat(filepath.Join(root, "b", ManifestFile))
	if u.Packages["a"] != 1100+ma.Size() || u.Packages["b"] != 5100+mb.Size() || u.Bytes != u.Packages["a"]+u.Packages["b"] {
		t.Fatalf("usage %+v", u)
	}
}

func TestKeepLastPerChannel(t *testing.T) {
	root := t.TempDir()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	fakeRender(t, root, "old-a", "c1", 10, day(1))
	fakeRender(t, root, "mid-a", "c1", 10, day(2))
	fakeRender(t, root, "new-a", "c1", 10, day(3))
	fakeRender(t, root, "old-b", "c2", 10, day(1))
	fakeRender(t, root, "new-b", "c2", 10, day(5))
	fakeRender(t, root, "busy-b", "c2", 10, day(0)) // oldest, but rendering now
	fakeRender(t, root, "other", "c3", 10, day(1))  // not in the list: untouched
	unlock, err := lockDir(filepath.Join(root, "busy-b"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	list := []Rendered{{PackageID: "old-a", ChannelID: "c1"}, {PackageID: "mid-a", ChannelID: "c1"}, {PackageID: "new-a", ChannelID: "c1"},
		{PackageID: "old-b", ChannelID: "c2"}, {PackageID: "new-b", ChannelID: "c2"}, {PackageID: "busy-b", ChannelID: "c2"},
		{PackageID: "never-rendered", ChannelID: "c2"}}
	got, err := KeepLast(root, 1, list, nil)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got.Removed)
	if want := []string{"mid-a", "old-a", "old-b"}; !reflect.DeepEqual(got.Removed, want) || !reflect.DeepEqual(got.Busy, []string{"busy-b"}) {
		t.Fatalf("removed %v busy %v", got.Removed, got.Busy)
	}
	if got.Freed <= 3*110 {
		t.Fatalf("freed %d", got.Freed)
	}
	for _, id := range []string{"new-a", "new-b", "busy-b", "other"} {
		if _, err := os.Stat(filepath.Join(root, id, VideoFile)); err != nil {
			t.Fatalf("%s removed: %v", id, err)
		}
	}
	for _, id := range got.Removed {
		if _, err := os.Stat(filepath.Join(root, id)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s still there", id)
		}
	}
}

// A render whose upload still needs it is kept, besides the newest N, and
// reported; the next older one goes instead of nothing.
func TestKeepLastSkipsRendersInUse(t *testing.T) {
	root := t.TempDir()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	fakeRender(t, root, "d1", "c1", 10, day(1))
	fakeRender(t, root, "d2", "c1", 10, day(2)) // its upload is queued
	fakeRender(t, root, "d3", "c1", 10, day(3))
	fakeRender(t, root, "d4", "c1", 10, day(4))
	list := []Rendered{{PackageID: "d1", ChannelID: "c1"}, {PackageID: "d2", ChannelID: "c1"}, {PackageID: "d3", ChannelID: "c1"}, {PackageID: "d4", ChannelID: "c1"}}
	var asked []string
	got, err := KeepLast(root, 2, list, func(id string) bool { asked = append(asked, id); return id == "d2" })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Removed, []string{"d1"}) || !reflect.DeepEqual(got.InUse, []string{"d2"}) {
		t.Fatalf("removed %v in use %v", got.Removed, got.InUse)
	}
	sort.Strings(asked)
	if !reflect.DeepEqual(asked, []string{"d1", "d2"}) {
		t.Fatalf("asked about %v: only renders beyond the newest 2 need asking", asked)
	}
	for _, id := range []string{"d2", "d3", "d4"} {
		if _, err := os.Stat(filepath.Join(root, id, VideoFile)); err != nil {
			t.Fatalf("%s removed: %v", id, err)
		}
	}
}

func TestRemove(t *testing.T) {
	root := t.TempDir()
	fakeRender(t, root, "p1", "c", 10, time.Now())
	if err := Remove(root, "../p1"); !errors.Is(err, ErrInvalidJob) {
		t.Fatalf("traversal: %v", err)
	}
	unlock, err := lockDir(filepath.Join(root, "p1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Remove(root, "p1"); !errors.Is(err, ErrBusy) {
		t.Fatalf("busy: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "p1", VideoFile)); err != nil {
		t.Fatal("a busy render lost its files")
	}
	unlock()
	if err := Remove(root, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "p1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("folder still there")
	}
	if err := Remove(root, "never"); err != nil {
		t.Fatalf("never rendered: %v", err)
	}
}
