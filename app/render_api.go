package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"tubeagency/app/events"
	"tubeagency/app/render"
	"tubeagency/app/settings"
	"tubeagency/app/voice"
	"tubeagency/internal/store"
)

// Render states of a package.
const (
	RenderNone      = "none"      // never rendered, or its render was removed
	RenderQueued    = "queued"    // waiting for the render before it
	RenderRunning   = "running"   // rendering now
	RenderDone      = "done"      // finished: RenderedFiles lists the files
	RenderFailed    = "failed"    // Error says why, Help what to do
	RenderCancelled = "cancelled" // stopped; finished stages are kept
)

// Problems a failed render names, for the page to branch on.
const (
	RenderProblemNoFFmpeg = "no_ffmpeg" // ffmpeg or ffprobe missing or lacking features
	RenderProblemNoVoice  = "no_voice"  // no text-to-speech engine can speak
	RenderProblemDiskFull = "disk_full" // the disk ran out of space
	RenderProblemInvalid  = "invalid"   // the package cannot be rendered as it is
	RenderProblemFailed   = "failed"    // ffmpeg or a voice engine failed
	RenderProblemBusy     = "busy"      // another process renders the package
	RenderProblemGone     = "not_found" // the package was deleted
)

// RenderTask is a package's place in the render queue and its progress;
// the "render" event carries it at every change.
type RenderTask struct {
	PackageID string `json:"package_id"`
	ChannelID string `json:"channel_id"`
	// State is one of RenderNone, RenderQueued, RenderRunning, RenderDone,
	// RenderFailed or RenderCancelled.
	State string `json:"state"`
	// Position is the place in the queue, 1 next; 0 when not queued.
	Position int `json:"position"`
	// Queue is how many packages wait in all.
	Queue int `json:"queue"`
	// Source is "studio" or "autopilot".
	Source string `json:"source"`
	// Stage is the render's stage: voice, captions, encode, thumbnail, done.
	Stage            string  `json:"stage"`
	Percent          float64 `json:"percent"`
	ElapsedSeconds   float64 `json:"elapsed_seconds"`
	RemainingSeconds float64 `json:"remaining_seconds"` // 0 while unknown
	Detail           string  `json:"detail"`
	// Seconds is the finished video's length.
	Seconds float64 `json:"seconds"`
	// Problem, Error and Help describe a failure: a RenderProblem… code,
	// what happened and what to do, in plain words.
	Problem    string    `json:"problem,omitempty"`
	Error      string    `json:"error,omitempty"`
	Help       string    `json:"help,omitempty"`
	QueuedAt   time.Time `json:"queued_at,omitzero"`
	StartedAt  time.Time `json:"started_at,omitzero"`  // zero until it starts
	FinishedAt time.Time `json:"finished_at,omitzero"` // zero until it ends

	seq       int64
	cancelled bool // CancelRender asked the running render to stop
}

func (t *RenderTask) finished() bool { return t.State != RenderQueued && t.State != RenderRunning }

// RenderedFile is one rendered file, fetched by package id and kind.
type RenderedFile struct {
	// Kind is "video", "thumbnail" or "captions".
	Kind     string `json:"kind"`
	Bytes    int64  `json:"bytes"`
	MimeType string `json:"mime_type"`
	// URL plays or shows the file; add "?download=1" to download it.
	URL string `json:"url"`
	// Name is the file name a download gets.
	Name string `json:"name"`
}

// RenderedFiles is what a package's finished render left on this device.
type RenderedFiles struct {
	PackageID string `json:"package_id"`
	// Rendered is false when no render has finished (the files are nil).
	Rendered   bool          `json:"rendered"`
	Format     string        `json:"format"`
	Width      int           `json:"width"`
	Height     int           `json:"height"`
	Seconds    float64       `json:"seconds"`
	RenderedAt time.Time     `json:"rendered_at,omitzero"`
	Video      *RenderedFile `json:"video"`
	Thumbnail  *RenderedFile `json:"thumbnail"`
	Captions   *RenderedFile `json:"captions"`
	// LoudnessLUFS is the audio's integrated loudness (−14 is YouTube's).
	LoudnessLUFS float64 `json:"loudness_lufs"`
	// Bytes is the whole render folder, finished stages kept for a
	// re-render included.
	Bytes int64 `json:"bytes"`
	// Notes are what the render skipped (a damaged media file, say).
	Notes []string `json:"notes"`
	// Outdated is true when the package's words changed since the render.
	Outdated bool `json:"outdated"`
}

// RenderSettings are this device's render choices. They do not sync: the
// renders themselves stay on the device that made them.
type RenderSettings struct {
	// KeepLast is how many renders each channel keeps, newest first; older
	// ones are removed after each render. 0 keeps every render.
	KeepLast int `json:"keep_last"`
	// Channels holds each channel's choices, by channel id. A channel not
	// listed takes the zero RenderChannel.
	Channels map[string]RenderChannel `json:"channels"`
}

// RenderChannel is one channel's look and whether autopilot renders it.
type RenderChannel struct {
	// Manual stops the autopilot rendering the packages it finishes for
	// this channel. False (the default) renders each one.
	Manual bool `json:"manual"`
	// Color is the brand colour, "#RRGGBB". Empty means render.DefaultColor.
	Color string `json:"color"`
	// Font is an installed font family. Empty means render.DefaultFont.
	Font string `json:"font"`
}

// RenderStorage is what renders take on the disk, for Settings.
type RenderStorage struct {
	Bytes    int64          `json:"bytes"`
	Packages int            `json:"packages"`
	Settings RenderSettings `json:"settings"`
	// FFmpeg is the version found, empty when missing; FFmpegError then
	// says what to install.
	FFmpeg      string `json:"ffmpeg"`
	FFmpegError string `json:"ffmpeg_error"`
	// FFmpegPath is the ffmpeg program used (found on PATH or configured);
	// FFmpegConfigured is whether settings.json's render.ffmpeg names it.
	FFmpegPath       string `json:"ffmpeg_path"`
	FFmpegConfigured bool   `json:"ffmpeg_configured"`
	// CanPickFFmpeg is whether this window can choose another ffmpeg (the
	// desktop window, with a system dialog); elsewhere render.ffmpeg in
	// settings.json is the way.
	CanPickFFmpeg bool `json:"can_pick_ffmpeg"`
}

const renderSettingsKey = "render_settings"

// RenderPackage queues a package's video render: one render runs at a
// time, the others wait in order. A package already queued or rendering
// keeps its place. Progress arrives as "render" events.
func (a *App) RenderPackage(packageID string) (RenderTask, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := checkID("package_id", packageID); err != nil {
		return RenderTask{}, err
	}
	p, err := store.Get[store.Package](ctx, a.rt.store.ReadDB(), store.PackageEntity, packageID)
	if err != nil {
		return RenderTask{}, notFound(err, "package")
	}
	// What would fail at once fails here, where the user clicked.
	if _, err := a.rt.renderJob(ctx, packageID); err != nil {
		return RenderTask{}, err
	}
	if _, err := a.rt.checkFFmpeg(a.rt.ctx); err != nil {
		a.rt.log.Warn("render: ffmpeg check", "err", err)
		return RenderTask{}, plainRenderError(err)
	}
	return a.rt.render.queue.add(p, "studio"), nil
}

// RenderStatus returns a package's render state: queued (with its
// position), running (stage, percent, time left), or how it last ended;
// RenderDone when a finished render is on the disk, RenderNone otherwise.
func (a *App) RenderStatus(packageID string) (RenderTask, error) {
	if err := checkID("package_id", packageID); err != nil {
		return RenderTask{}, err
	}
	if t, ok := a.rt.render.queue.status(packageID); ok && t.State != RenderNone {
		return t, nil
	}
	out := RenderTask{PackageID: packageID, State: RenderNone}
	if dir, err := render.Dir(a.rt.render.root, packageID); err == nil {
		if m, err := render.ReadManifest(dir); err == nil && m.Video != nil {
			out.State, out.ChannelID, out.Stage, out.Percent, out.Seconds = RenderDone, m.ChannelID, render.StageDone, 100, m.Seconds
			out.FinishedAt = m.RenderedAt
		}
	}
	return out, nil
}

// RenderQueue returns the running render and the waiting ones, in order.
func (a *App) RenderQueue() ([]RenderTask, error) {
	return a.rt.render.queue.list(), nil
}

// CancelRender takes a package off the queue, or stops its render (the
// finished stages are kept, so rendering again goes on from them). The
// files of an earlier finished render stay as they were.
func (a *App) CancelRender(packageID string) (RenderTask, error) {
	if err := checkID("package_id", packageID); err != nil {
		return RenderTask{}, err
	}
	t, ok := a.rt.render.queue.cancelTask(packageID)
	if !ok {
		return RenderTask{}, &FieldError{Field: "package_id", Message: "is neither queued nor rendering"}
	}
	return t, nil
}

// RenderedFiles lists a package's rendered video, thumbnail and captions
// with their sizes and the video's length.
func (a *App) RenderedFiles(packageID string) (RenderedFiles, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := checkID("package_id", packageID); err != nil {
		return RenderedFiles{}, err
	}
	out := RenderedFiles{PackageID: packageID, Notes: []string{}}
	dir, err := render.Dir(a.rt.render.root, packageID)
	if err != nil {
		return out, &FieldError{Field: "package_id", Message: "is not a package id"}
	}
	out.Bytes = dirBytes(dir)
	m, err := render.ReadManifest(dir)
	if err != nil || m.Video == nil {
		return out, nil
	}
	out.Rendered, out.Format, out.Width, out.Height, out.Seconds = true, m.Format, m.Width, m.Height, m.Seconds
	out.RenderedAt = m.RenderedAt
	if m.Loudness != nil {
		out.LoudnessLUFS = m.Loudness.IntegratedLUFS
	}
	out.Notes = append(out.Notes, m.Notes...)
	base := "video"
	if p, err := store.Get[store.Package](ctx, a.rt.store.ReadDB(), store.PackageEntity, packageID); err == nil {
		base = downloadBase(p)
		if job, err := a.rt.renderJob(ctx, packageID); err == nil {
			out.Outdated = !sameSpoken(job, m)
		}
	}
	version := m.RenderedAt.UnixMilli()
	for _, kind := range renderKinds {
		fi := renderFile(m, kind)
		if fi == nil {
			continue
		}
		f := &RenderedFile{Kind: kind, Bytes: fi.Bytes, MimeType: renderMime(fi.Name),
			URL:  fmt.Sprintf("/api/render/%s/%s?v=%d", packageID, kind, version),
			Name: base + filepath.Ext(fi.Name)}
		switch kind {
		case "video":
			out.Video = f
		case "thumbnail":
			out.Thumbnail = f
		case "captions":
			out.Captions = f
		}
	}
	return out, nil
}

// RemoveRender deletes a package's rendered files and finished stages. A
// render in progress is cancelled first.
func (a *App) RemoveRender(packageID string) error {
	if err := checkID("package_id", packageID); err != nil {
		return err
	}
	q := a.rt.render.queue
	if t, ok := q.status(packageID); ok && !t.finished() {
		return &FieldError{Field: "package_id", Message: "is being rendered: cancel the render first"}
	}
	// An upload that is not over sends these files (or resumes sending
	// them): they stay until it ends or is cancelled.
	ctx, cancel := a.call()
	defer cancel()
	inUse, err := a.rt.uploadsNeedingRenders(ctx)
	if err != nil {
		return err
	}
	if inUse != nil && inUse(packageID) {
		return &FieldError{Field: "package_id", Message: "has an upload to YouTube that is not finished: cancel the upload in Publish first"}
	}
	if err := render.Remove(a.rt.render.root, packageID); err != nil {
		if errors.Is(err, render.ErrBusy) {
			return &FieldError{Field: "package_id", Message: "is being rendered: cancel the render first"}
		}
		return err
	}
	q.mu.Lock()
	delete(q.tasks, packageID)
	q.mu.Unlock()
	a.rt.emit(events.Render, RenderTask{PackageID: packageID, State: RenderNone, Detail: "removed"})
	return nil
}

// RenderStorage returns the disk space renders take, the render settings
// and the ffmpeg found.
func (a *App) RenderStorage() (RenderStorage, error) {
	ctx, cancel := a.call()
	defer cancel()
	var out RenderStorage
	u, err := render.DiskUsage(a.rt.render.root)
	if err != nil {
		return out, err
	}
	out.Bytes, out.Packages = u.Bytes, len(u.Packages)
	if out.Settings, err = a.rt.renderSettings(ctx); err != nil {
		return out, err
	}
	if tools, err := a.rt.checkFFmpeg(a.rt.ctx); err != nil {
		out.FFmpegError = plainRenderError(err).Error()
	} else {
		out.FFmpeg, out.FFmpegPath = tools.Version, tools.FFmpeg
	}
	out.FFmpegConfigured = a.rt.render.renderer.FFmpegPath() != ""
	out.CanPickFFmpeg = a.rt.opts.Dialogs != nil
	return out, nil
}

// PickFFmpeg lets the user choose the ffmpeg program in the system's file
// dialog (the desktop window only: no page names a program for the app to
// run). The program is checked first (`-version`, and the filters and
// encoders renders need); only then is it saved as settings.json's
// render.ffmpeg and used. One that fails is refused with why, naming the
// field "ffmpeg", and nothing changes. Cancelling the dialog changes
// nothing.
func (a *App) PickFFmpeg() (RenderStorage, error) {
	if a.rt.opts.Dialogs == nil {
		return RenderStorage{}, ErrNoDialogs
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, 10*time.Minute)
	defer cancel()
	path, err := a.rt.opts.Dialogs.OpenFile(ctx, FileDialog{Title: "Choose the ffmpeg program"})
	if err != nil {
		return RenderStorage{}, err
	}
	if path != "" {
		if err := a.rt.useFFmpeg(ctx, path); err != nil {
			return RenderStorage{}, err
		}
	}
	return a.RenderStorage()
}

// UseFFmpegOnPath goes back to the ffmpeg found on PATH (it names no
// program, so serve mode allows it too). When PATH has no usable ffmpeg it
// is refused and the configured one stays.
func (a *App) UseFFmpegOnPath() (RenderStorage, error) {
	ctx, cancel := context.WithTimeout(a.rt.ctx, 2*time.Minute)
	defer cancel()
	if err := a.rt.useFFmpeg(ctx, ""); err != nil {
		return RenderStorage{}, err
	}
	return a.RenderStorage()
}

// useFFmpeg checks path (empty: on PATH), renders with it, and saves it in
// settings.json. A program that is not a usable ffmpeg is a FieldError on
// "ffmpeg" and changes nothing.
func (rt *Runtime) useFFmpeg(ctx context.Context, path string) error {
	r := rt.render.renderer
	old := r.FFmpegPath()
	if _, err := r.UseFFmpeg(ctx, path); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		what := path
		if what == "" {
			what = "ffmpeg on PATH"
		}
		return &FieldError{Field: "ffmpeg", Message: fmt.Sprintf("%s cannot render videos: %s", what, plainRenderError(err).Error())}
	}
	if _, err := rt.providers.settings.Update(func(st *settings.Settings) error { st.Render.FFmpeg = path; return nil }); err != nil {
		if _, rerr := r.UseFFmpeg(context.WithoutCancel(ctx), old); rerr != nil { // back to what was in force
			rt.log.Warn("use the ffmpeg configured before", "err", rerr)
		}
		return fmt.Errorf("save the ffmpeg program: %w", err)
	}
	rt.log.Info("ffmpeg program set", "path", path)
	return nil
}

// SaveRenderSettings checks and saves the render settings; a lower
// KeepLast applies at once.
func (a *App) SaveRenderSettings(in RenderSettings) (RenderSettings, error) {
	ctx, cancel := a.call()
	defer cancel()
	if in.Channels == nil {
		in.Channels = map[string]RenderChannel{}
	}
	var c checker
	c.number("keep_last", float64(in.KeepLast), 0, 1000)
	if len(in.Channels) > 1000 {
		c.fail("channels", "has %d entries: at most 1000 are allowed", len(in.Channels))
	}
	for id, ch := range in.Channels {
		field := "channels." + id
		c.text(field, id, 1, 64)
		ch.Color = strings.TrimSpace(ch.Color)
		ch.Font = strings.TrimSpace(ch.Font)
		if ch.Color != "" && !colorRe.MatchString(ch.Color) {
			c.fail(field+".color", "must be a colour like #FF8800")
		}
		c.text(field+".font", ch.Font, 0, 100)
		if strings.ContainsAny(ch.Font, `/\`) {
			c.fail(field+".font", "must be the name of an installed font family, not a file")
		}
		in.Channels[id] = ch
	}
	if err := c.check(); err != nil {
		return RenderSettings{}, err
	}
	b, err := json.Marshal(in)
	if err != nil {
		return RenderSettings{}, err
	}
	err = a.rt.store.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO studio_settings(key, value) VALUES (?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, renderSettingsKey, string(b))
		if err != nil {
			return fmt.Errorf("save render settings: %w", err)
		}
		return nil
	})
	if err != nil {
		return RenderSettings{}, err
	}
	if in.KeepLast > 0 {
		if _, err := a.rt.pruneRenders(ctx, in.KeepLast, ""); err != nil {
			return in, err
		}
	}
	return in, nil
}

var colorRe = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// checkFFmpeg finds ffmpeg and its version (remembered once found). It
// runs ffmpeg a few times, which on a busy machine can outlast a bound
// call's deadline, so it has a longer one of its own.
func (rt *Runtime) checkFFmpeg(ctx context.Context) (render.Tools, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return rt.render.renderer.Check(ctx)
}

// renderSettings reads the saved render settings, or the defaults.
func (rt *Runtime) renderSettings(ctx context.Context) (RenderSettings, error) {
	out := RenderSettings{Channels: map[string]RenderChannel{}}
	var v string
	err := rt.store.ReadDB().QueryRowContext(ctx, `SELECT value FROM studio_settings WHERE key = ?`, renderSettingsKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read render settings: %w", err)
	}
	if len(v) > 1<<20 || json.Unmarshal([]byte(v), &out) != nil {
		return RenderSettings{Channels: map[string]RenderChannel{}}, nil // damaged: the defaults
	}
	if out.Channels == nil {
		out.Channels = map[string]RenderChannel{}
	}
	return out, nil
}

// renderedVideo returns the absolute paths of a package's rendered video,
// thumbnail and captions (those in its render's manifest). The error wraps
// store.ErrNotFound when the package has no finished render.
func (a *App) renderedVideo(ctx context.Context, packageID string) (video, thumbnail, captions string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", "", err
	}
	dir, err := render.Dir(a.rt.render.root, packageID)
	if err != nil {
		return "", "", "", fmt.Errorf("rendered video of %q: %w", packageID, store.ErrNotFound)
	}
	m, err := render.ReadManifest(dir)
	if err != nil || m.Video == nil {
		return "", "", "", fmt.Errorf("rendered video of %s: %w", packageID, store.ErrNotFound)
	}
	path := func(f *render.FileInfo) string {
		if f == nil {
			return ""
		}
		return filepath.Join(dir, f.Name)
	}
	video, thumbnail, captions = path(m.Video), path(m.Thumbnail), path(m.Captions)
	if _, err := os.Stat(video); err != nil {
		return "", "", "", fmt.Errorf("rendered video of %s: %w", packageID, store.ErrNotFound)
	}
	return video, thumbnail, captions, nil
}

// renderKinds are the files the render route serves, by kind.
var renderKinds = []string{"video", "thumbnail", "captions"}

func renderFile(m render.Manifest, kind string) *render.FileInfo {
	switch kind {
	case "video":
		return m.Video
	case "thumbnail":
		return m.Thumbnail
	case "captions":
		return m.Captions
	}
	return nil
}

func renderMime(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".mp4":
		return "video/mp4"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".srt":
		return "application/x-subrip"
	}
	return "application/octet-stream"
}

// RenderHandler serves a package's rendered files at
// /api/render/{id}/{kind} (kind: video, thumbnail or captions), in serve
// mode and through the desktop window's asset server, with byte ranges so
// a player can seek. The file is the one the render's manifest names:
// the request gives a package id and a kind, never a path. "?download=1"
// makes it a download named after the package's title.
func (rt *Runtime) RenderHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, kind := r.PathValue("id"), r.PathValue("kind")
		dir, err := render.Dir(rt.render.root, id)
		if err != nil || checkID("id", id) != nil {
			http.Error(w, "no such render", http.StatusNotFound)
			return
		}
		m, err := render.ReadManifest(dir)
		fi := renderFile(m, kind)
		if err != nil || fi == nil || fi.Name != filepath.Base(fi.Name) {
			http.Error(w, "no such render: render the package first", http.StatusNotFound)
			return
		}
		f, err := os.Open(filepath.Join(dir, fi.Name))
		if err != nil {
			http.Error(w, "no such render: render the package again", http.StatusNotFound)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			http.Error(w, "render unreadable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", renderMime(fi.Name))
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Query().Get("download") != "" {
			base := "video"
			if p, err := store.Get[store.Package](r.Context(), rt.store.ReadDB(), store.PackageEntity, id); err == nil {
				base = downloadBase(p)
			}
			w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": base + filepath.Ext(fi.Name)}))
		}
		http.ServeContent(w, r, fi.Name, st.ModTime(), f)
	})
}

// downloadBase is a file name for a package's downloads: its title.
func downloadBase(p store.Package) string {
	name := strings.TrimSpace(p.Title)
	if name == "" {
		name = strings.TrimSpace(p.Topic)
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 80 {
		name = strings.TrimSpace(string(r[:80]))
	}
	if name == "" || name == "." || name == ".." {
		return "video"
	}
	return name
}

// renderJob turns a stored package into a render job: the hook and each
// section's spoken lines cut into sentences, stage directions kept out of
// the voice and shown as on-screen notes, the channel's format, language
// and brand.
func (rt *Runtime) renderJob(ctx context.Context, packageID string) (render.Job, error) {
	p, err := store.Get[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, packageID)
	if err != nil {
		return render.Job{}, notFound(err, "package")
	}
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, p.ChannelID)
	if err != nil {
		return render.Job{}, notFound(err, "channel")
	}
	s, err := rt.renderSettings(ctx)
	if err != nil {
		return render.Job{}, err
	}
	out, err := render.Dir(rt.render.root, p.ID)
	if err != nil {
		return render.Job{}, &FieldError{Field: "package_id", Message: "is not a package id"}
	}
	format := render.FormatLong
	if ch.Format == store.FormatShorts {
		format = render.FormatShorts
	}
	title := p.Title
	if title == "" {
		title = p.Topic
	}
	job := render.Job{
		PackageID:      p.ID,
		ChannelID:      ch.ID,
		Format:         format,
		Language:       ch.Language,
		Title:          title,
		ThumbnailText:  p.Content.Thumbnail,
		WordsPerMinute: p.Content.WordsPerMinute,
		Brand:          render.Brand{Color: s.Channels[ch.ID].Color, Font: s.Channels[ch.ID].Font},
		MediaDir:       filepath.Join(rt.render.media, ch.ID),
		OutDir:         out,
	}
	if hook := strings.TrimSpace(p.Content.Hook); hook != "" {
		spoken, notes := splitScript(hook)
		if len(spoken) > 0 || len(notes) > 0 {
			job.Sections = append(job.Sections, render.Section{Spoken: spoken, Notes: notes})
		}
	}
	for _, sec := range p.Content.Script {
		// The studio keeps spoken lines apart from notes; a direction the
		// user typed into the spoken text is still caught by its shape.
		spoken, notes := splitScript(strings.Join(sec.SpokenLines(), "\n\n"))
		// Of the creator's notes only what is meant to be shown ("On
		// screen: 3 tips") reaches the picture; directions to the creator
		// ("Show your hands…") stay in the package.
		for _, n := range sec.Notes {
			if directionRe.MatchString(n) && len(notes) < maxRenderNotes {
				if t := noteOf(n); t != "" {
					notes = append(notes, t)
				}
			}
		}
		if len(spoken) == 0 && len(notes) == 0 {
			continue
		}
		job.Sections = append(job.Sections, render.Section{Heading: sec.Heading, Spoken: spoken, Notes: notes})
	}
	if len(job.Sections) == 0 || countSpoken(job) == 0 {
		return render.Job{}, &FieldError{Field: "content.script", Message: "has nothing to say: write or generate the script before rendering"}
	}
	return job, nil
}

func countSpoken(j render.Job) int {
	n := 0
	for _, s := range j.Sections {
		n += len(s.Spoken)
	}
	return n
}

// Limits of a section's on-screen notes (render.Job's own).
const (
	maxRenderNotes     = 4
	maxRenderNoteRunes = 300
)

// directionRe matches a whole line that is a direction, not speech: in
// brackets or parentheses, or labelled as something shown or heard.
var (
	directionRe = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|(on[- ]screen|visual|b-?roll|sfx|music|sound|scene|shot|cut to|camera|graphic|text on screen|caption|title card|overlay|direction|stage direction|note)\s*:.*)\s*$`)
	inlineRe    = regexp.MustCompile(`\[[^\]]*\]`)
)

// splitScript cuts a script's text into the sentences the voice says and
// the on-screen notes taken from its stage directions: a direction line
// ("[Show the graph]", "(pause)", "On screen: 3 tips") is never spoken;
// the text of those that show something becomes a note. A bracketed aside
// inside a spoken line is left out of the speech.
func splitScript(text string) (spoken, notes []string) {
	var speech []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			speech = append(speech, "")
			continue
		}
		if directionRe.MatchString(line) {
			if n := noteOf(line); n != "" && len(notes) < maxRenderNotes {
				notes = append(notes, n)
			}
			continue
		}
		line = strings.TrimSpace(inlineRe.ReplaceAllString(line, " "))
		line = strings.Join(strings.Fields(strings.Trim(line, "*_")), " ")
		if line != "" {
			speech = append(speech, line)
		}
	}
	// Paragraphs stay apart: a blank line ends a sentence even without a full stop.
	for _, para := range strings.Split(strings.Join(speech, "\n"), "\n\n") {
		spoken = append(spoken, render.SplitSentences(strings.ReplaceAll(para, "\n", " "))...)
	}
	return spoken, notes
}

// noteOf is what a direction shows on screen: "On screen: 3 tips" shows
// "3 tips"; a sound, camera or pause direction shows nothing.
func noteOf(line string) string {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "[") || strings.HasPrefix(line, "(") || strings.HasPrefix(line, "{") {
		return "" // a bracketed direction is for the editor, not the viewer
	}
	label, rest, _ := strings.Cut(line, ":")
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "on screen", "on-screen", "text on screen", "caption", "title card", "overlay", "graphic":
		rest = strings.TrimSpace(strings.Trim(strings.TrimSpace(rest), `"“”`))
		if r := []rune(rest); len(r) > maxRenderNoteRunes {
			rest = string(r[:maxRenderNoteRunes])
		}
		return rest
	}
	return ""
}

// sameSpoken reports whether a render's sentences are the job's: false
// when the script changed since.
func sameSpoken(j render.Job, m render.Manifest) bool {
	var want []string
	for _, s := range j.Sections {
		want = append(want, s.Spoken...)
	}
	if len(want) != len(m.Sentences) {
		return false
	}
	for i, s := range m.Sentences {
		if strings.Join(strings.Fields(s.Text), " ") != strings.Join(strings.Fields(want[i]), " ") {
			return false
		}
	}
	return true
}

// RenderError is a render that cannot start, said in plain words: what
// is wrong and what to do. It wraps the cause (render.ErrNoFFmpeg, …).
type RenderError struct {
	Problem string // a RenderProblem… code
	Message string
	Help    string
	Err     error
}

func (e *RenderError) Error() string { return strings.TrimSpace(e.Message + " " + e.Help) }

// Unwrap returns the cause.
func (e *RenderError) Unwrap() error { return e.Err }

// plainRenderError puts err in plain words (an error it has none for
// stays as it is).
func plainRenderError(err error) error {
	problem, msg, help := describeRenderError(err)
	if problem == RenderProblemFailed {
		return err
	}
	return &RenderError{Problem: problem, Message: msg, Help: help, Err: err}
}

// describeRenderError turns a render's error into a problem code, what
// happened, and what to do, in plain words.
func describeRenderError(err error) (problem, message, help string) {
	var je *render.JobError
	var fe *FieldError
	switch {
	case errors.Is(err, render.ErrNoFFmpeg), errors.Is(err, render.ErrFFmpegFeatures):
		return RenderProblemNoFFmpeg, "ffmpeg, the program that makes the video, is not installed or is incomplete.",
			"Install it and render again: on Debian or Ubuntu run “" + render.InstallHint + "”; on Windows or macOS install ffmpeg from ffmpeg.org and make sure it is on the PATH."
	case errors.Is(err, render.ErrNoVoice), errors.Is(err, voice.ErrNoEngine):
		return RenderProblemNoVoice, "No voice engine can speak the script.",
			"Install espeak-ng (“sudo apt-get install -y espeak-ng”) or add an ElevenLabs or OpenAI key in Settings."
	case errors.Is(err, render.ErrDiskFull):
		return RenderProblemDiskFull, "The disk is full, so the video could not be written. Nothing was changed.",
			"Free some space (Settings can remove old renders) and render again."
	case errors.Is(err, render.ErrBusy):
		return RenderProblemBusy, "This package is being rendered by another Tube Agency window.", "Wait for it to finish."
	case errors.As(err, &fe), errors.As(err, &je):
		return RenderProblemInvalid, "The package cannot be rendered as it is: " + err.Error() + ".", "Fix the script in Studio and render again."
	case errors.Is(err, store.ErrNotFound):
		return RenderProblemGone, "The package was deleted.", ""
	}
	msg := err.Error()
	if utf8.RuneCountInString(msg) > 600 {
		msg = string([]rune(msg)[:600]) + "…"
	}
	return RenderProblemFailed, "The render failed: " + msg, "Render again; finished stages are kept. If it fails again, check the media files in the channel's media folder."
}

func round1(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*10) / 10
}

// dirBytes is the size of the files under dir; 0 when it is missing.
func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// checkID checks a record id from the page: letters, digits, '-' and
// '_' (a UUID's characters and a few), so it names one folder and
// nothing else.
func checkID(field, id string) error {
	var c checker
	c.text(field, id, 1, 64)
	for _, r := range id {
		if c.err == nil && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			c.fail(field, "is not an id")
		}
	}
	return c.check()
}
