package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Dir is the render folder of a package under root (<data-dir>/renders).
// The id must be one plain path element.
func Dir(root, packageID string) (string, error) {
	if !safeName(packageID) {
		return "", jobErr("package_id", "%q cannot name a folder", packageID)
	}
	return filepath.Join(root, packageID), nil
}

// Usage is the disk space renders take.
type Usage struct {
	Bytes    int64            `json:"bytes"`
	Packages map[string]int64 `json:"packages"` // package id → bytes
}

// DiskUsage adds up the files under root, per package folder. A missing
// root is no usage.
func DiskUsage(root string) (Usage, error) {
	u := Usage{Packages: map[string]int64{}}
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return u, fmt.Errorf("read renders folder: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !safeName(e.Name()) {
			continue
		}
		n, err := dirSize(filepath.Join(root, e.Name()))
		if err != nil {
			return u, err
		}
		u.Packages[e.Name()] = n
		u.Bytes += n
	}
	return u, nil
}

// Finished lists the packages under root whose render is finished: a
// manifest naming a video that is there. A render stopped halfway (stages
// done, no video yet) is not finished. A missing root is none.
func Finished(root string) (map[string]bool, error) {
	out := map[string]bool{}
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read renders folder: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !safeName(e.Name()) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		m, err := ReadManifest(dir)
		if err != nil || m.Video == nil || !safeName(m.Video.Name) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, m.Video.Name)); err == nil && fi.Mode().IsRegular() {
			out[e.Name()] = true
		}
	}
	return out, nil
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked
			}
			return err
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", filepath.Base(dir), err)
	}
	return n, nil
}

// Remove deletes a package's renders. A render of it in progress is
// ErrBusy and nothing is removed; a package never rendered is no error.
func Remove(root, packageID string) error {
	dir, err := Dir(root, packageID)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	// Remove the contents under the lock, then the emptied folder.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != lockFile {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				unlock()
				return fmt.Errorf("remove renders of %s: %w", packageID, err)
			}
		}
	}
	unlock()
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove renders of %s: %w", packageID, err)
	}
	return nil
}

// Rendered names a package for KeepLast.
type Rendered struct {
	PackageID string
	ChannelID string
	// At orders a channel's renders, newest kept. Zero means the
	// manifest's RenderedAt, else the folder's modification time.
	At time.Time
}

// Pruned is what KeepLast removed.
type Pruned struct {
	Removed []string `json:"removed"` // package ids
	Freed   int64    `json:"freed"`   // bytes
	Busy    []string `json:"busy,omitempty"`
	// InUse are renders older than the last N kept because something still
	// needs their files (an upload waiting or under way).
	InUse []string `json:"in_use,omitempty"`
}

// InUse reports whether a package's rendered files are still needed (its
// upload is queued, waiting or under way), so a cleanup must not delete
// them. The app injects it; nil means none is.
type InUse func(packageID string) bool

// KeepLast keeps the newest keep renders per channel among list and
// deletes the others' folders. Packages not in list, folders being rendered
// (reported as Busy), and folders inUse says are needed (reported as InUse,
// kept besides the newest keep) are left alone. keep < 1 is treated as 1.
func KeepLast(root string, keep int, list []Rendered, inUse InUse) (Pruned, error) {
	keep = max(keep, 1)
	var out Pruned
	byChannel := map[string][]Rendered{}
	for _, r := range list {
		dir, err := Dir(root, r.PackageID)
		if err != nil {
			return out, err
		}
		st, err := os.Stat(dir)
		if err != nil {
			continue // never rendered
		}
		if r.At.IsZero() {
			r.At = st.ModTime()
			if m, err := ReadManifest(dir); err == nil && !m.RenderedAt.IsZero() {
				r.At = m.RenderedAt
			}
		}
		byChannel[r.ChannelID] = append(byChannel[r.ChannelID], r)
	}
	channels := make([]string, 0, len(byChannel))
	for c := range byChannel {
		channels = append(channels, c)
	}
	sort.Strings(channels)
	for _, c := range channels {
		rs := byChannel[c]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].At.After(rs[j].At) })
		for _, r := range rs[min(keep, len(rs)):] {
			if inUse != nil && inUse(r.PackageID) {
				out.InUse = append(out.InUse, r.PackageID)
				continue
			}
			dir, _ := Dir(root, r.PackageID)
			size, _ := dirSize(dir)
			if err := Remove(root, r.PackageID); errors.Is(err, ErrBusy) {
				out.Busy = append(out.Busy, r.PackageID)
				continue
			} else if err != nil {
				return out, err
			}
			out.Removed = append(out.Removed, r.PackageID)
			out.Freed += size
		}
	}
	return out, nil
}
