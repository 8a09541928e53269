package render

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Tools are the programs a render runs.
type Tools struct {
	FFmpeg  string `json:"ffmpeg"`  // resolved path
	FFprobe string `json:"ffprobe"` // resolved path
	Version string `json:"version"` // ffmpeg's version, e.g. "5.1.9-0+deb12u1"
}

// What the renderer's filter graphs and outputs need from ffmpeg.
var (
	neededFilters  = []string{"ass", "zoompan", "ebur128", "acompressor", "alimiter", "sidechaincompress", "amix", "afade", "scale", "crop", "drawbox", "aresample"}
	neededEncoders = []string{"libx264", "aac", "mjpeg"}
)

// Check finds ffmpeg and ffprobe and returns ffmpeg's version. A missing
// program is ErrNoFFmpeg (whose text has the install command); a build
// without libass, libx264 or a needed filter is ErrFFmpegFeatures. The
// result is remembered once it succeeds.
func (r *Renderer) Check(ctx context.Context) (Tools, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tools != nil {
		return *r.tools, nil
	}
	t, err := checkTools(ctx, r.opts.FFmpeg, r.opts.FFprobe)
	if err != nil {
		return Tools{}, err
	}
	r.tools = &t
	return t, nil
}

// UseFFmpeg checks the ffmpeg program at path as Check does (it runs
// `-version`, and asks for the filters and encoders renders need) and, when
// it passes, renders with it from then on, with the ffprobe next to it.
// path must be absolute; empty means ffmpeg on PATH. A path that is not
// absolute is a *JobError on "ffmpeg"; one that is not a usable ffmpeg is
// ErrNoFFmpeg or ErrFFmpegFeatures. On error nothing changes.
func (r *Renderer) UseFFmpeg(ctx context.Context, path string) (Tools, error) {
	if path != "" && (!filepath.IsAbs(path) || len(path) > 4096 || strings.ContainsAny(path, "\x00\n\r")) {
		return Tools{}, jobErr("ffmpeg", "must be the absolute path of the ffmpeg program")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := checkTools(ctx, path, "")
	if err != nil {
		return Tools{}, err
	}
	r.opts.FFmpeg, r.opts.FFprobe, r.tools = path, "", &t
	return t, nil
}

// SetFFmpeg renders with the ffmpeg at path (empty: on PATH) from the next
// render on, checked then (Check); a render running keeps its program.
func (r *Renderer) SetFFmpeg(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opts.FFmpeg, r.opts.FFprobe, r.tools = path, "", nil
}

// FFmpegPath is the ffmpeg program renders use as configured: a path, or
// empty for ffmpeg on PATH.
func (r *Renderer) FFmpegPath() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.opts.FFmpeg
}

// checkTools finds and checks ffmpeg and ffprobe (see Check).
func checkTools(ctx context.Context, ffmpeg, ffprobe string) (Tools, error) {
	ff, err := lookTool(ffmpeg, "ffmpeg")
	if err != nil {
		return Tools{}, err
	}
	probe := ffprobe
	if probe == "" && strings.ContainsAny(ffmpeg, `/\`) {
		// ffprobe ships next to ffmpeg.
		probe = filepath.Join(filepath.Dir(ff), "ffprobe"+filepath.Ext(ff))
	}
	fp, err := lookTool(probe, "ffprobe")
	if err != nil {
		return Tools{}, err
	}
	// A caller that gave up (a cancelled render, a call's deadline on a
	// busy machine) learns nothing about ffmpeg: its own error is returned.
	parent := ctx
	noFFmpeg := func(prog, flag string, err error) error {
		if parent.Err() != nil {
			return parent.Err()
		}
		return fmt.Errorf("%w: %s %s: %v", ErrNoFFmpeg, prog, flag, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ff, "-hide_banner", "-version").Output()
	if err != nil {
		return Tools{}, noFFmpeg(ff, "-version", err)
	}
	version := parseVersion(string(out))
	if version == "" {
		return Tools{}, fmt.Errorf("%w: %s does not say it is ffmpeg", ErrNoFFmpeg, ff)
	}
	if _, err := exec.CommandContext(ctx, fp, "-hide_banner", "-version").Output(); err != nil {
		return Tools{}, noFFmpeg(fp, "-version", err)
	}
	var missing []string
	for _, list := range []struct {
		flag string
		want []string
	}{{"-filters", neededFilters}, {"-encoders", neededEncoders}} {
		out, err := exec.CommandContext(ctx, ff, "-hide_banner", list.flag).Output()
		if err != nil {
			return Tools{}, noFFmpeg(ff, list.flag, err)
		}
		have := listedNames(string(out))
		for _, w := range list.want {
			if !have[w] {
				missing = append(missing, w)
			}
		}
	}
	if len(missing) > 0 {
		return Tools{}, fmt.Errorf("%w (missing: %s)", ErrFFmpegFeatures, strings.Join(missing, ", "))
	}
	return Tools{FFmpeg: ff, FFprobe: fp, Version: version}, nil
}

func lookTool(configured, name string) (string, error) {
	if configured == "" {
		configured = name
	}
	p, err := exec.LookPath(configured)
	if err != nil {
		return "", fmt.Errorf("%w (%s: %v)", ErrNoFFmpeg, name, err)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p, nil
}

// parseVersion reads "ffmpeg version 5.1.9-0+deb12u1 Copyright …".
func parseVersion(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	f := strings.Fields(line)
	if len(f) >= 3 && f[0] == "ffmpeg" && f[1] == "version" {
		return f[2]
	}
	return ""
}

// listedNames reads the names column of `ffmpeg -filters` / `-encoders`:
// lines of flags, a name, then a description.
func listedNames(out string) map[string]bool {
	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 {
			names[f[1]] = true
		}
	}
	return names
}

// ffCall is one ffmpeg or ffprobe run.
type ffCall struct {
	op   string   // names the run in errors, e.g. "encode section 2"
	args []string // after the common flags
	dir  string   // working folder; relative names in args resolve here
	// total is the output length, for turning out_time into a fraction.
	// Zero means no progress is reported.
	total time.Duration
	// progress receives the fraction done, 0 to 1.
	progress func(frac float64)
	// verbose keeps ffmpeg's info-level log (loudnorm prints its
	// measurement there); the default is errors only.
	verbose bool
	// probe runs ffprobe instead of ffmpeg and returns its stdout.
	probe bool
	// rss, when set, receives the run's peak resident memory in KiB, and
	// the manifest is left alone (the run is beside the render's own
	// goroutine, which records it).
	rss *int64
}

// maxStderr caps what is kept of ffmpeg's stderr: its tail.
const maxStderr = 64 << 10

// maxProbeOutput caps what ffprobe may print.
const maxProbeOutput = 1 << 20

// ff runs ffmpeg (or ffprobe) and returns stderr (or, for a probe, stdout).
// Cancelling ctx kills the process group; the returned error is then
// ctx.Err().
func (rn *run) ff(ctx context.Context, c ffCall) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	bin := rn.tools.FFmpeg
	var args []string
	level := "error"
	if c.verbose {
		level = "info"
	}
	if c.probe {
		bin = rn.tools.FFprobe
		args = append([]string{"-hide_banner", "-loglevel", "error"}, c.args...)
	} else {
		args = []string{"-nostdin", "-hide_banner", "-loglevel", level, "-nostats", "-y"}
		if c.progress != nil && c.total > 0 {
			args = append(args, "-progress", "pipe:1", "-stats_period", "0.5")
		}
		args = append(args, c.args...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = c.dir
	isolate(cmd)
	cmd.WaitDelay = 10 * time.Second
	stderr := &tailBuffer{max: maxStderr}
	cmd.Stderr = stderr
	var stdout bytes.Buffer
	var done chan struct{}
	var pw *io.PipeWriter
	switch {
	case c.probe:
		cmd.Stdout = &limitedWriter{w: &stdout, n: maxProbeOutput}
	case c.progress != nil && c.total > 0:
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		cmd.Stdout = pw
		done = make(chan struct{})
		go func() {
			defer close(done)
			parseProgress(pr, func(rep ffReport) {
				if rep.End {
					c.progress(1)
				} else if rep.OutTime >= 0 {
					c.progress(float64(rep.OutTime) / float64(c.total))
				}
			})
		}()
	}
	rn.r.opts.Logger.Debug("ffmpeg", "op", c.op, "args", strings.Join(c.args, " "))
	started := time.Now()
	err := cmd.Run()
	if pw != nil {
		pw.Close()
		<-done
	}
	rss := peakRSSKB(cmd.ProcessState)
	if c.rss != nil {
		*c.rss = rss
	} else if rss > rn.m.PeakRSSKB {
		rn.m.PeakRSSKB = rss
	}
	if cmd.ProcessState != nil {
		rn.r.opts.Logger.Debug("ffmpeg done", "op", c.op, "wall", time.Since(started).Round(time.Millisecond),
			"cpu", (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Round(time.Millisecond), "peak_rss_kb", rss)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", ctxErr
		}
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("%s: %w", c.op, ErrNoFFmpeg)
		}
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		fe := &FFmpegError{Op: c.op, ExitCode: code, Stderr: lastLines(stderr.String(), 4, 600), Err: err}
		if isDiskFullText(stderr.String()) {
			return "", fmt.Errorf("%w: %w", ErrDiskFull, fe)
		}
		return "", fe
	}
	if c.probe {
		return stdout.String(), nil
	}
	return stderr.String(), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// limitedWriter keeps the first n bytes and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	n, err := l.w.Write(q)
	l.n -= n
	if err != nil {
		return n, err
	}
	return len(p), nil
}

// lastLines returns the last n non-empty lines of s, at most max bytes.
func lastLines(s string, n, max int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			keep = append([]string{l}, keep...)
		}
	}
	out := strings.Join(keep, " | ")
	if len(out) > max {
		out = "…" + out[len(out)-max:]
	}
	return out
}
