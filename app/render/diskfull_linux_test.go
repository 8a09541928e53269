//go:build linux

package render_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tubeagency/app/render"
	"tubeagency/app/voice"
	"tubeagency/app/voice/espeak"
)

type diskFullResult struct {
	Err      string
	DiskFull bool
	Before   map[string]string
	After    map[string]string
	Temps    []string
}

// childDiskFull runs in a mount namespace of its own: it mounts a small
// tmpfs, copies a finished render into it and renders an edit that does
// not fit, then reports what it found.
func childDiskFull() int {
	res, err := diskFullChild()
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}

func diskFullChild() (diskFullResult, error) {
	var res diskFullResult
	mnt := os.Getenv("RENDER_MNT")
	size, _ := strconv.ParseInt(os.Getenv("RENDER_SIZE"), 10, 64)
	// Keep the mount to this namespace, then mount the small disk.
	if err := syscall.Mount("none", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return res, fmt.Errorf("make mounts private: %w", err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		return res, fmt.Errorf("mount tmpfs: %w", err)
	}
	defer syscall.Unmount(mnt, 0)
	b, err := os.ReadFile(os.Getenv("RENDER_JOB"))
	if err != nil {
		return res, err
	}
	var job render.Job
	if err := json.Unmarshal(b, &job); err != nil {
		return res, err
	}
	if err := copyTree(os.Getenv("RENDER_SRC"), job.OutDir); err != nil {
		return res, fmt.Errorf("copy the finished render: %w", err)
	}
	res.Before = hashPublished(job.OutDir)
	r := render.New(render.Options{Voice: &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}}})
	_, err = r.Render(context.Background(), job, nil)
	if err != nil {
		res.Err = err.Error()
	}
	res.DiskFull = errors.Is(err, render.ErrDiskFull)
	res.After = hashPublished(job.OutDir)
	res.Temps = listTemps(job.OutDir)
	return res, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func TestDiskFullFailsCleanly(t *testing.T) {
	src := filepath.Join(t.TempDir(), "short-1")
	r := newRenderer(t, &recorder{}, nil)
	if _, err := r.Render(context.Background(), shortJob(src), nil); err != nil {
		t.Fatal(err)
	}
	used, err := treeSize(src)
	if err != nil {
		t.Fatal(err)
	}
	video, err := os.Stat(filepath.Join(src, render.VideoFile))
	if err != nil {
		t.Fatal(err)
	}
	// Room for the copy and a third of a new video: encoding the edit
	// runs out of space part way.
	size := (used + video.Size()/3 + 4095) / 4096 * 4096

	mnt := t.TempDir()
	job := shortJob(filepath.Join(mnt, "out"))
	job.Sections = append([]render.Section(nil), job.Sections...)
	job.Sections[1].Heading = "A new heading"
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RENDER_CHILD=diskfull", "RENDER_JOB="+writeJob(t, job),
		"RENDER_SRC="+src, "RENDER_MNT="+mnt, "RENDER_SIZE="+strconv.FormatInt(size, 10))
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	if os.Getuid() != 0 {
		// Unprivileged: a user namespace in which this user is root may mount a tmpfs.
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("disk-full child (needs mount namespaces; unprivileged user namespaces when not root): %v\n%s", err, outb)
	}
	var res diskFullResult
	if err := json.Unmarshal(outb[strings.LastIndex(strings.TrimSpace(string(outb)), "\n")+1:], &res); err != nil {
		t.Fatalf("child output %q: %v", outb, err)
	}
	if !res.DiskFull {
		t.Fatalf("render on a full disk: err %q, want ErrDiskFull", res.Err)
	}
	if !strings.Contains(res.Err, "disk is full") {
		t.Fatalf("error %q does not say the disk is full", res.Err)
	}
	if !reflect.DeepEqual(res.Before, res.After) || res.Before[render.VideoFile] == "missing" {
		t.Fatalf("published files changed:\n%v\n%v", res.Before, res.After)
	}
	if len(res.Temps) > 0 {
		t.Fatalf("partial files left: %v", res.Temps)
	}
}

func treeSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
			n += (info.Size() + 4095) / 4096 * 4096
		}
		return nil
	})
	return n, err
}
