package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/app/events"
	"tubeagency/app/render"
	"tubeagency/internal/store"
)

// shortPackage saves a Shorts package of three spoken sentences and two
// stage directions, so a render takes seconds.
func shortPackage(tb testing.TB, a *App) Package {
	tb.Helper()
	in := validChannel()
	in.Format = store.FormatShorts
	in.Name = "Shorts " + strconv.Itoa(len(mustList(tb, a)))
	ch, err := a.CreateChannel(in)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := a.SavePackage(PackageInput{ChannelID: ch.ID, Status: store.StatusReady, Topic: "why ice floats", Title: "Why ice floats",
		Content: PackageContent{
			Hook:      "Ice floats.",
			Thumbnail: "ICE FLOATS",
			Script:    []store.ScriptSection{{Heading: "The reason", Text: "[Show a glass of water]\nWater expands when it freezes.\nOn screen: 9% bigger\nSo ice is lighter."}},
		}})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func mustList(tb testing.TB, a *App) []Channel {
	tb.Helper()
	chs, err := a.ListChannels()
	if err != nil {
		tb.Fatal(err)
	}
	return chs
}

// waitRender follows "render" events until the package's render reaches
// one of states, and returns that task.
func waitRender(tb testing.TB, rt *Runtime, ch <-chan events.Event, id string, states ...string) RenderTask {
	tb.Helper()
	if t, err := rt.API().RenderStatus(id); err == nil && slices.Contains(states, t.State) {
		return t
	}
	timeout := time.After(5 * time.Minute)
	for {
		select {
		case ev := <-ch:
			if t, ok := ev.Data.(RenderTask); ok && ev.Name == events.Render && t.PackageID == id && slices.Contains(states, t.State) {
				return t
			}
		case <-time.After(time.Second):
			// A dropped event is no reason to wait for ever.
			if t, err := rt.API().RenderStatus(id); err == nil && slices.Contains(states, t.State) {
				return t
			}
		case <-timeout:
			t, _ := rt.API().RenderStatus(id)
			tb.Fatalf("render of %s never reached %v: %+v", id, states, t)
		}
	}
}

func get(tb testing.TB, h http.Handler, path string, header ...string) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestRenderPackageMakesAShortServedByIDWithRanges(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	evs, stop := rt.Hub().Subscribe(10000)
	defer stop()
	p := shortPackage(t, a)

	task, err := a.RenderPackage(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if task.State != RenderQueued && task.State != RenderRunning {
		t.Fatalf("RenderPackage answered %+v", task)
	}
	var stages []string
	var sawPercent bool
	timeout := time.After(5 * time.Minute)
	for done := false; !done; {
		select {
		case ev := <-evs:
			tk, ok := ev.Data.(RenderTask)
			if !ok || tk.PackageID != p.ID {
				continue
			}
			if tk.State == RenderRunning && tk.Stage != "" && (len(stages) == 0 || stages[len(stages)-1] != tk.Stage) {
				stages = append(stages, tk.Stage)
			}
			if tk.State == RenderRunning && tk.Percent > 0 && tk.Percent < 100 {
				sawPercent = true
			}
			switch tk.State {
			case RenderDone:
				done = true
			case RenderFailed, RenderCancelled:
				t.Fatalf("render ended %s: %s %s", tk.State, tk.Error, tk.Help)
			}
		case <-timeout:
			t.Fatal("render did not finish in 5 minutes")
		}
	}
	if !slices.Contains(stages, render.StageVoice) || !slices.Contains(stages, render.StageEncode) || !sawPercent {
		t.Fatalf("progress events: stages %v, percent between 0 and 100 seen: %v", stages, sawPercent)
	}

	files, err := a.RenderedFiles(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !files.Rendered || files.Format != render.FormatShorts || files.Width != 1080 || files.Height != 1920 || files.Seconds < 2 || files.Seconds > 15 {
		t.Fatalf("rendered files %+v", files)
	}
	if files.Video == nil || files.Thumbnail == nil || files.Captions == nil || files.Video.Bytes < 10_000 || files.Outdated {
		t.Fatalf("files %+v video %+v", files, files.Video)
	}
	if files.Video.MimeType != "video/mp4" || files.Video.Name != "Why ice floats.mp4" || !strings.HasPrefix(files.Video.URL, "/api/render/"+p.ID+"/video") {
		t.Fatalf("video %+v", files.Video)
	}

	// The voice said the sentences and none of the directions.
	video, thumb, captions, err := a.renderedVideo(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{video, thumb, captions} {
		if !filepath.IsAbs(f) {
			t.Fatalf("renderedVideo gave a relative path %q", f)
		}
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
	m, err := render.ReadManifest(filepath.Dir(video))
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, s := range m.Sentences {
		said = append(said, s.Text)
	}
	want := []string{"Ice floats.", "Water expands when it freezes.", "So ice is lighter."}
	if !slices.Equal(said, want) {
		t.Fatalf("spoken sentences %q, want %q", said, want)
	}
	srt, err := os.ReadFile(captions)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(srt), "Water expands when it freezes.") || strings.Contains(string(srt), "glass") || strings.Contains(string(srt), "9%") {
		t.Fatalf("captions:\n%s", srt)
	}

	// Served by id and kind, whole and in ranges.
	h := serveMux(rt)
	res := get(t, h, files.Video.URL)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "video/mp4" || int64(len(body)) != files.Video.Bytes {
		t.Fatalf("video: %d %q %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	res = get(t, h, files.Video.URL, "Range", "bytes=100-199")
	part, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusPartialContent || len(part) != 100 || string(part) != string(body[100:200]) ||
		res.Header.Get("Content-Range") != "bytes 100-199/"+strconv.Itoa(len(body)) {
		t.Fatalf("range: %d %q %d bytes", res.StatusCode, res.Header.Get("Content-Range"), len(part))
	}
	res = get(t, h, "/api/render/"+p.ID+"/thumbnail")
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatalf("thumbnail: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res = get(t, h, "/api/render/"+p.ID+"/captions?download=1")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-subrip" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="Why ice floats.srt"`) {
		t.Fatalf("captions download: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	// Only a package id and a kind: no other file, no path.
	for _, path := range []string{
		"/api/render/0192f000-0000-7000-8000-000000000000/video", // unknown package
		"/api/render/" + p.ID + "/manifest",
		"/api/render/" + p.ID + "/..%2Fmanifest.json",
		"/api/render/..%2F" + p.ID + "/video",
		"/api/render/" + p.ID + "%2F.work/video",
		"/api/render/%2Fetc%2Fpasswd/video",
	} {
		if res := get(t, h, path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s answered %d, want 404", path, res.StatusCode)
		}
	}

	// Removing the render leaves nothing to serve or publish.
	if err := a.RemoveRender(p.ID); err != nil {
		t.Fatal(err)
	}
	if files, err := a.RenderedFiles(p.ID); err != nil || files.Rendered || files.Video != nil {
		t.Fatalf("after remove: %+v %v", files, err)
	}
	if st, _ := a.RenderStatus(p.ID); st.State != RenderNone {
		t.Fatalf("status after remove %+v", st)
	}
	if _, _, _, err := a.renderedVideo(context.Background(), p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("renderedVideo after remove: %v", err)
	}
	if res := get(t, h, files.Video.URL); res.StatusCode != http.StatusNotFound {
		t.Fatalf("video after remove answered %d", res.StatusCode)
	}
}

func TestRenderQueueRunsOneAtATimeAndCancels(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	evs, stop := rt.Hub().Subscribe(10000)
	defer stop()
	first := shortPackage(t, a)
	second := shortPackage(t, a)

	if _, err := a.RenderPackage(first.ID); err != nil {
		t.Fatal(err)
	}
	waitRender(t, rt, evs, first.ID, RenderRunning)
	queued, err := a.RenderPackage(second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if queued.State != RenderQueued || queued.Position != 1 || queued.Queue != 1 {
		t.Fatalf("second render while the first runs: %+v", queued)
	}
	// Asking again keeps its place.
	if again, err := a.RenderPackage(second.ID); err != nil || again.Position != 1 || again.Queue != 1 {
		t.Fatalf("queued twice: %+v %v", again, err)
	}
	q, _ := a.RenderQueue()
	if len(q) != 2 || q[0].PackageID != first.ID || q[0].State != RenderRunning || q[1].PackageID != second.ID {
		t.Fatalf("queue %+v", q)
	}

	// Off the queue: it never starts.
	if c, err := a.CancelRender(second.ID); err != nil || c.State != RenderCancelled {
		t.Fatalf("cancel queued: %+v %v", c, err)
	}
	// The running one stops; nothing is published.
	if _, err := a.CancelRender(first.ID); err != nil {
		t.Fatal(err)
	}
	end := waitRender(t, rt, evs, first.ID, RenderCancelled, RenderDone, RenderFailed)
	if end.State != RenderCancelled {
		t.Fatalf("cancelled render ended %+v", end)
	}
	for _, id := range []string{first.ID, second.ID} {
		if files, err := a.RenderedFiles(id); err != nil || files.Rendered {
			t.Fatalf("%s after cancel: %+v %v", id, files, err)
		}
	}
	if st, _ := a.RenderStatus(second.ID); st.State != RenderCancelled || !st.StartedAt.IsZero() {
		t.Fatalf("the cancelled queued render started: %+v", st)
	}
	if _, err := a.CancelRender(first.ID); err == nil {
		t.Fatal("cancelling a finished render succeeded")
	}
	dir, _ := render.Dir(rt.render.root, first.ID)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") || e.Name() == render.VideoFile {
			t.Fatalf("left %s in the render folder after cancel", e.Name())
		}
	}
}

func TestRenderBadInputNamesTheField(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	var fe *FieldError
	for _, id := range []string{"", "../etc", "a/b", strings.Repeat("a", 65), "x y"} {
		if _, err := a.RenderPackage(id); !errors.As(err, &fe) || fe.Field != "package_id" {
			t.Fatalf("RenderPackage(%q): %v", id, err)
		}
		if err := a.RemoveRender(id); !errors.As(err, &fe) || fe.Field != "package_id" {
			t.Fatalf("RemoveRender(%q): %v", id, err)
		}
	}
	if _, err := a.RenderPackage("0192f000-0000-7000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown package: %v", err)
	}
	// A package with nothing to say is refused before it is queued.
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.SavePackage(PackageInput{ChannelID: ch.ID, Topic: "empty", Content: PackageContent{
		Script: []store.ScriptSection{{Heading: "Only directions", Text: "[B-roll of a kitchen]\n(pause)"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.RenderPackage(p.ID); !errors.As(err, &fe) || fe.Field != "content.script" {
		t.Fatalf("nothing to say: %v", err)
	}
	if q, _ := a.RenderQueue(); len(q) != 0 {
		t.Fatalf("queued despite the error: %+v", q)
	}
	// Settings: a bad colour or a font path names its field and saves nothing.
	for field, in := range map[string]RenderSettings{
		"channels." + ch.ID + ".color": {Channels: map[string]RenderChannel{ch.ID: {Color: "red"}}},
		"channels." + ch.ID + ".font":  {Channels: map[string]RenderChannel{ch.ID: {Font: "/etc/passwd"}}},
		"keep_last":                    {KeepLast: -1},
	} {
		if _, err := a.SaveRenderSettings(in); !errors.As(err, &fe) || fe.Field != field {
			t.Fatalf("want %s refused: %v", field, err)
		}
	}
	st, err := a.RenderStorage()
	if err != nil {
		t.Fatal(err)
	}
	if st.Settings.KeepLast != 0 || len(st.Settings.Channels) != 0 || st.FFmpeg == "" || st.Bytes != 0 {
		t.Fatalf("storage after refused saves: %+v", st)
	}
	if _, err := a.SaveRenderSettings(RenderSettings{KeepLast: 2, Channels: map[string]RenderChannel{ch.ID: {Color: "#0055FF", Font: "DejaVu Serif"}}}); err != nil {
		t.Fatal(err)
	}
	if st, err := a.RenderStorage(); err != nil || st.Settings.KeepLast != 2 || st.Settings.Channels[ch.ID].Color != "#0055FF" {
		t.Fatalf("saved settings read back as %+v %v", st.Settings, err)
	}
}

func TestRenderWithoutFFmpegSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no ffmpeg, no ffprobe
	rt := startTest(t)
	a := rt.API()
	p := shortPackage(t, a)
	_, renderErr := a.RenderPackage(p.ID)
	if !errors.Is(renderErr, render.ErrNoFFmpeg) {
		t.Fatalf("render without ffmpeg: %v", renderErr)
	}
	body := FormatError(renderErr)
	if body.Code != CodeUnavailable || !strings.Contains(body.Message, "apt-get install -y ffmpeg") ||
		!strings.HasPrefix(body.Message, "ffmpeg, the program that makes the video, is not installed") || strings.Contains(body.Message, "exec:") {
		t.Fatalf("error body %+v", body)
	}
	if q, _ := a.RenderQueue(); len(q) != 0 {
		t.Fatalf("queued without ffmpeg: %+v", q)
	}
	st, err := a.RenderStorage()
	if err != nil || st.FFmpeg != "" || !strings.Contains(st.FFmpegError, "ffmpeg") {
		t.Fatalf("storage %+v %v", st, err)
	}
	// The package itself stays usable.
	if got, err := a.GetPackage(p.ID); err != nil || got.Status != p.Status {
		t.Fatalf("package after a refused render: %+v %v", got.Status, err)
	}
	problem, msg, help := describeRenderError(renderErr)
	if problem != RenderProblemNoFFmpeg || msg == "" || !strings.Contains(help, render.InstallHint) {
		t.Fatalf("described as %q %q %q", problem, msg, help)
	}
}

func TestAutopilotFinishedPackageIsQueuedForRender(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	evs, stop := rt.Hub().Subscribe(10000)
	defer stop()
	in := validChannel()
	in.Format = store.FormatShorts
	auto, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Name = "Manual Channel"
	manual, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SaveRenderSettings(RenderSettings{Channels: map[string]RenderChannel{manual.ID: {Manual: true}}}); err != nil {
		t.Fatal(err)
	}
	s := autopilot.DefaultSettings()
	s.Ahead, s.Voice = 1, false
	if _, err := a.AutopilotSaveSettings(s); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []Channel{manual, auto} {
		if _, err := a.AutopilotSetChannel(ch.ID, true, 3); err != nil {
			t.Fatal(err)
		}
	}
	// The autopilot finishes a package for each channel; the automatic
	// channel's is queued for rendering.
	var task RenderTask
	timeout := time.After(2 * time.Minute)
	for task.PackageID == "" {
		select {
		case ev := <-evs:
			if tk, ok := ev.Data.(RenderTask); ok && (tk.State == RenderQueued || tk.State == RenderRunning) {
				task = tk
			}
		case <-timeout:
			t.Fatal("no render was queued after the autopilot finished a package")
		}
	}
	if task.ChannelID != auto.ID || task.Source != "autopilot" {
		t.Fatalf("queued %+v, want the automatic channel's package from the autopilot", task)
	}
	p, err := a.GetPackage(task.PackageID)
	if err != nil || p.Status != store.StatusReady {
		t.Fatalf("queued package %+v %v", p.Status, err)
	}
	// The manual channel's finished package is not queued.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		pkgs, err := a.ListPackages(manual.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pkgs) == 1 && pkgs[0].Status == store.StatusReady {
			// Give the forwarder the time it would have needed.
			time.Sleep(200 * time.Millisecond)
			if st, _ := a.RenderStatus(pkgs[0].ID); st.State != RenderNone {
				t.Fatalf("the manual channel's package was queued: %+v", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the autopilot did not finish the manual channel's package: %+v", pkgs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := a.CancelRender(task.PackageID); err != nil {
		t.Fatal(err)
	}
	if end := waitRender(t, rt, evs, task.PackageID, RenderCancelled, RenderDone, RenderFailed); end.State == RenderFailed {
		t.Fatalf("the cancelled render failed instead: %+v", end)
	}
}

func TestDeletedPackageLosesItsRenders(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	p := shortPackage(t, a)
	// A finished render's folder, as a render leaves it.
	dir, _ := render.Dir(rt.render.root, p.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, render.VideoFile), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.DeletePackage(p.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deleted package's render folder is still there")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSplitScriptKeepsDirectionsOutOfTheVoice(t *testing.T) {
	for _, c := range []struct {
		in            string
		spoken, notes []string
	}{
		{"Hello there. How are you?", []string{"Hello there.", "How are you?"}, nil},
		{"[Cut to the kitchen]\nAdd the salt.\n(pause)\nStir it.", []string{"Add the salt.", "Stir it."}, nil},
		{"On screen: 3 tips\nTip one is rest.", []string{"Tip one is rest."}, []string{"3 tips"}},
		{"SFX: whoosh\nB-roll: a river\nMusic: upbeat\nWater runs.", []string{"Water runs."}, nil},
		{"Mix it [show bowl] well.", []string{"Mix it well."}, nil},
		{"First paragraph without a stop\n\nSecond one.", []string{"First paragraph without a stop", "Second one."}, nil},
		{"**Bold line.**", []string{"Bold line."}, nil},
	} {
		spoken, notes := splitScript(c.in)
		if !slices.Equal(spoken, c.spoken) || !slices.Equal(notes, c.notes) {
			t.Errorf("splitScript(%q) = %q, %q; want %q, %q", c.in, spoken, notes, c.spoken, c.notes)
		}
	}
}

func FuzzSplitScript(f *testing.F) {
	for _, s := range []string{"Hello. [x] World.", "On screen: a\nb", "(pause)\n\n\nc", "[[[", "Caption: " + strings.Repeat("é", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spoken, notes := splitScript(s)
		if len(notes) > maxRenderNotes {
			t.Fatalf("%d notes", len(notes))
		}
		for _, n := range notes {
			if len([]rune(n)) > maxRenderNoteRunes {
				t.Fatalf("note of %d runes", len([]rune(n)))
			}
		}
		for _, sp := range spoken {
			if strings.TrimSpace(sp) == "" {
				t.Fatalf("empty sentence from %q", s)
			}
			if directionRe.MatchString(sp) && (strings.HasPrefix(sp, "[") || strings.HasPrefix(sp, "(")) {
				t.Fatalf("a direction %q was spoken", sp)
			}
		}
	})
}

func TestRenderJobFromAStoredPackage(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	p := shortPackage(t, a)
	if _, err := a.SaveRenderSettings(RenderSettings{Channels: map[string]RenderChannel{p.ChannelID: {Color: "#0055FF", Font: "DejaVu Serif"}}}); err != nil {
		t.Fatal(err)
	}
	job, err := rt.renderJob(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if job.Format != render.FormatShorts || job.Language != "en" || job.Title != "Why ice floats" || job.ThumbnailText != "ICE FLOATS" ||
		job.Brand != (render.Brand{Color: "#0055FF", Font: "DejaVu Serif"}) || job.ChannelID != p.ChannelID {
		t.Fatalf("job %+v", job)
	}
	if job.OutDir != filepath.Join(rt.opts.DataDir, "renders", p.ID) || job.MediaDir != filepath.Join(rt.opts.DataDir, "media", p.ChannelID) {
		t.Fatalf("folders %q %q", job.OutDir, job.MediaDir)
	}
	if len(job.Sections) != 2 || !slices.Equal(job.Sections[0].Spoken, []string{"Ice floats."}) || job.Sections[1].Heading != "The reason" ||
		!slices.Equal(job.Sections[1].Spoken, []string{"Water expands when it freezes.", "So ice is lighter."}) ||
		!slices.Equal(job.Sections[1].Notes, []string{"9% bigger"}) {
		t.Fatalf("sections %+v", job.Sections)
	}
}

func TestKeepLastRendersPerChannel(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	first := shortPackage(t, a)
	var ids []string
	for i := range 3 {
		p, err := a.SavePackage(PackageInput{ChannelID: first.ChannelID, Topic: "topic " + strconv.Itoa(i), Content: PackageContent{Hook: "Hi."}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	other := shortPackage(t, a) // another channel: its one render stays
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, id := range append(ids, other.ID) {
		dir, _ := render.Dir(rt.render.root, id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		m := render.Manifest{Version: render.ManifestVersion, PackageID: id, RenderedAt: at.Add(time.Duration(i) * time.Hour),
			Video: &render.FileInfo{Name: render.VideoFile, Bytes: 1000}}
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dir, render.ManifestFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, render.VideoFile), make([]byte, 1000), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := a.RenderStorage()
	if err != nil || st.Packages != 4 || st.Bytes < 4000 {
		t.Fatalf("storage %+v %v", st, err)
	}
	if _, err := a.SaveRenderSettings(RenderSettings{KeepLast: 1}); err != nil {
		t.Fatal(err)
	}
	for i, id := range append(ids, other.ID) {
		files, err := a.RenderedFiles(id)
		if err != nil {
			t.Fatal(err)
		}
		kept := i == 2 || id == other.ID // the channel's newest, and the other channel's only one
		if files.Rendered != kept {
			t.Fatalf("render %d kept=%v, want %v", i, files.Rendered, kept)
		}
	}
	if st, err := a.RenderStorage(); err != nil || st.Packages != 2 || st.Settings.KeepLast != 1 {
		t.Fatalf("storage after keep-last %+v %v", st, err)
	}
}

// TestRenderSpeaksOnlyTheStudiosSpokenLines: a script section written by
// the studio keeps its spoken lines apart from its notes; the voice says
// only the spoken lines, an on-screen note is drawn, and a direction to
// the creator is neither said nor shown.
func TestRenderSpeaksOnlyTheStudiosSpokenLines(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	first := shortPackage(t, a)
	p, err := a.SavePackage(PackageInput{ChannelID: first.ChannelID, Status: store.StatusReady, Topic: "three tips", Title: "Three tips",
		Content: PackageContent{Script: []store.ScriptSection{{Heading: "Tips",
			Text:  "Start small.\n\nKeep going.",
			Notes: []string{"On screen: 3 tips", "Show your hands doing the first step, not a talking head."}}}}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := rt.renderJob(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(job.Sections) != 1 || !slices.Equal(job.Sections[0].Spoken, []string{"Start small.", "Keep going."}) ||
		!slices.Equal(job.Sections[0].Notes, []string{"3 tips"}) {
		t.Fatalf("sections %+v", job.Sections)
	}
}

// The dashboard's "Ready to publish" and the Autopilot page count, per
// channel, the ready packages whose video is rendered and those still to
// render; a render stopped halfway, and a render of a package that is no
// longer ready, are not counted as rendered.
func TestAutopilotOverviewCountsRenderedReadyPackages(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	evs, stop := rt.Hub().Subscribe(10000)
	defer stop()
	p := shortPackage(t, a)
	halfway, err := a.SavePackage(PackageInput{ChannelID: p.ChannelID, Status: store.StatusReady, Topic: "why the sea is salty",
		Title: "Why the sea is salty", Content: PackageContent{Hook: "The sea is salty."}})
	if err != nil {
		t.Fatal(err)
	}
	outline, err := a.SavePackage(PackageInput{ChannelID: p.ChannelID, Status: store.StatusOutline, Topic: "why snow is white",
		Content: PackageContent{Hook: "Snow is white."}})
	if err != nil {
		t.Fatal(err)
	}
	other := shortPackage(t, a) // another channel, nothing rendered
	// The checklist decides ready or outline as packages are saved; these
	// short test packages are set as it would for finished ones.
	for id, st := range map[string]string{p.ID: store.StatusReady, halfway.ID: store.StatusReady, outline.ID: store.StatusOutline, other.ID: store.StatusReady} {
		if _, err := rt.store.DB().Exec(`UPDATE packages SET status = ? WHERE id = ?`, st, id); err != nil {
			t.Fatal(err)
		}
	}
	counts := func() map[string]AutopilotChannel {
		t.Helper()
		ov, err := a.AutopilotOverview()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]AutopilotChannel{}
		for _, c := range ov.Channels {
			out[c.ID] = c
		}
		return out
	}
	if c := counts()[p.ChannelID]; c.Ready != 2 || c.Rendered != 0 || c.ToRender != 2 {
		t.Fatalf("before rendering: %+v", c)
	}

	// One package rendered for real.
	if _, err := a.RenderPackage(p.ID); err != nil {
		t.Fatal(err)
	}
	if end := waitRender(t, rt, evs, p.ID, RenderDone, RenderFailed, RenderCancelled); end.State != RenderDone {
		t.Fatalf("render ended %+v", end)
	}
	// A render stopped before its video (a manifest without one), and a
	// finished render of a package that went back to an outline.
	for _, id := range []string{halfway.ID, outline.ID} {
		dir, _ := render.Dir(rt.render.root, id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		m := render.Manifest{Version: render.ManifestVersion, PackageID: id, ChannelID: p.ChannelID}
		if id == outline.ID {
			m.Video = &render.FileInfo{Name: render.VideoFile, Bytes: 1000}
			if err := os.WriteFile(filepath.Join(dir, render.VideoFile), make([]byte, 1000), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dir, render.ManifestFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cs := counts()
	if c := cs[p.ChannelID]; c.Ready != 2 || c.Rendered != 1 || c.ToRender != 1 {
		t.Fatalf("after one render: %+v", c)
	}
	if c := cs[other.ChannelID]; c.Ready != 1 || c.Rendered != 0 || c.ToRender != 1 {
		t.Fatalf("the other channel: %+v", c)
	}
	// Its video removed (the keep-last cleanup, say), it is to render again.
	if err := a.RemoveRender(p.ID); err != nil {
		t.Fatal(err)
	}
	if c := counts()[p.ChannelID]; c.Rendered != 0 || c.ToRender != 2 {
		t.Fatalf("after removing the render: %+v", c)
	}
}

// Renders asked for and not finished when the app closes (one running, one
// waiting) are queued again at the next start, in the order asked, and
// finish; a cancelled one is not; and a backlog of ready packages of an
// autopilot channel that were never queued does not start rendering.
func TestQueuedRendersResumeAfterARestartAndNothingElseStarts(t *testing.T) {
	dir := t.TempDir()
	rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	a := rt.API()
	first, second, cancelled := shortPackage(t, a), shortPackage(t, a), shortPackage(t, a)
	in := validChannel()
	in.Name = "Backlog"
	backlog, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	var never []string
	for i := range 40 {
		p, err := a.SavePackage(PackageInput{ChannelID: backlog.ID, Topic: "topic " + strconv.Itoa(i), Content: PackageContent{Hook: "Hi."}})
		if err != nil {
			t.Fatal(err)
		}
		never = append(never, p.ID)
	}
	if _, err := rt.store.DB().Exec(`UPDATE packages SET status = 'ready' WHERE channel_id = ?`, backlog.ID); err != nil {
		t.Fatal(err)
	}
	s := autopilot.DefaultSettings()
	s.Ahead, s.Voice = 1, false // 40 ready: the autopilot has nothing to make
	if _, err := a.AutopilotSaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AutopilotSetChannel(backlog.ID, true, 3); err != nil {
		t.Fatal(err)
	}

	evs, stop := rt.Hub().Subscribe(10000)
	for _, p := range []Package{first, second, cancelled} {
		if _, err := a.RenderPackage(p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.CancelRender(cancelled.ID); err != nil {
		t.Fatal(err)
	}
	// Close while the first renders (past its first stage) and the second waits.
	waitEvent(t, evs, events.Render, func(tk RenderTask) bool {
		return tk.PackageID == first.ID && tk.State == RenderRunning && tk.Stage != ""
	})
	stop()
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}

	rt2, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt2.Close() })
	a2 := rt2.API()
	evs2, stop2 := rt2.Hub().Subscribe(10000)
	defer stop2()
	rt2.catchUpRenders(context.Background()) // what the start does in the background, done once more here: it is idempotent
	q, err := a2.RenderQueue()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range q {
		if tk.PackageID != first.ID && tk.PackageID != second.ID {
			t.Fatalf("queued at start: %+v", tk)
		}
	}
	one := waitRender(t, rt2, evs2, first.ID, RenderDone, RenderFailed)
	two := waitRender(t, rt2, evs2, second.ID, RenderDone, RenderFailed)
	if one.State != RenderDone || two.State != RenderDone {
		t.Fatalf("after the restart: %+v / %+v", one, two)
	}
	if one.FinishedAt.After(two.StartedAt) || two.Source != "studio" {
		t.Fatalf("not in the order asked: first finished %s, second started %s (%+v)", one.FinishedAt, two.StartedAt, two)
	}
	for _, id := range []string{first.ID, second.ID} {
		if files, err := a2.RenderedFiles(id); err != nil || !files.Rendered {
			t.Fatalf("%s after the restart: %+v %v", id, files, err)
		}
	}
	for _, id := range append([]string{cancelled.ID}, never...) {
		if st, _ := a2.RenderStatus(id); st.State != RenderNone {
			t.Fatalf("%s was rendered at start: %+v", id, st)
		}
	}
	// Both ended: the kept queue is empty, so a third start queues nothing.
	if left, err := rt2.render.saved.List(context.Background()); err != nil || len(left) != 0 {
		t.Fatalf("kept queue after the renders: %+v %v", left, err)
	}
}

// The ffmpeg program can be chosen in the desktop window's file dialog
// (never named by a page): it is checked first, kept in settings.json,
// used after a restart, and going back to PATH needs no path at all.
func TestFFmpegPickedInTheDialogIsCheckedSavedAndKept(t *testing.T) {
	dir := t.TempDir()
	rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	a := rt.API()
	// Serve mode has no dialog: it says so, and shows ffmpeg on PATH.
	if _, err := a.PickFFmpeg(); !errors.Is(err, ErrNoDialogs) || FormatError(err).Code != CodeUnavailable {
		t.Fatalf("without dialogs: %v", err)
	}
	st, err := a.RenderStorage()
	onPath, _ := exec.LookPath("ffmpeg")
	if err != nil || st.CanPickFFmpeg || st.FFmpegConfigured || st.FFmpeg == "" || st.FFmpegPath != onPath {
		t.Fatalf("storage on PATH: %+v %v (ffmpeg on PATH: %s)", st, err, onPath)
	}

	// An ffmpeg installed elsewhere (its ffprobe beside it).
	bin := filepath.Join(t.TempDir(), "ffmpeg-7", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ffmpeg", "ffprobe"} {
		real, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Programs that are not a usable ffmpeg: a script, and a file that does not run.
	fake := filepath.Join(t.TempDir(), "ffmpeg")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(fake), "ffprobe"), []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("not a program"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &answerDialogs{}
	rt.opts.Dialogs = d
	settingsFile := filepath.Join(dir, "settings.json")
	before, _ := os.ReadFile(settingsFile)
	for _, bad := range []string{fake, text} {
		d.open = bad
		var fe *FieldError
		if _, err := a.PickFFmpeg(); !errors.As(err, &fe) || fe.Field != "ffmpeg" || !strings.Contains(fe.Message, bad+" cannot render videos") {
			t.Fatalf("picking %s: %v", bad, err)
		}
	}
	if after, _ := os.ReadFile(settingsFile); string(after) != string(before) {
		t.Fatal("a refused program changed settings.json")
	}
	d.open = "" // cancelled: nothing changes
	if st, err := a.PickFFmpeg(); err != nil || st.FFmpegConfigured {
		t.Fatalf("cancelled dialog: %+v %v", st, err)
	}

	d.open = filepath.Join(bin, "ffmpeg")
	st, err = a.PickFFmpeg()
	if err != nil || !st.CanPickFFmpeg || !st.FFmpegConfigured || st.FFmpegPath != d.open || st.FFmpeg == "" {
		t.Fatalf("picked %s: %+v %v", d.open, st, err)
	}
	var saved struct {
		Render struct {
			FFmpeg string `json:"ffmpeg"`
		} `json:"render"`
	}
	raw, _ := os.ReadFile(settingsFile)
	if err := json.Unmarshal(raw, &saved); err != nil || saved.Render.FFmpeg != d.open {
		t.Fatalf("settings.json render.ffmpeg = %q, %v", saved.Render.FFmpeg, err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}

	// Kept across a restart; back to PATH on request.
	rt2, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt2.Close() })
	a2 := rt2.API()
	if st, err := a2.RenderStorage(); err != nil || !st.FFmpegConfigured || st.FFmpegPath != filepath.Join(bin, "ffmpeg") {
		t.Fatalf("after a restart: %+v %v", st, err)
	}
	if st, err := a2.UseFFmpegOnPath(); err != nil || st.FFmpegConfigured || st.FFmpegPath != onPath {
		t.Fatalf("back to PATH: %+v %v", st, err)
	}
	raw, _ = os.ReadFile(settingsFile)
	if strings.Contains(string(raw), bin) {
		t.Fatalf("settings.json still names the picked ffmpeg: %s", raw)
	}
}

// At start, render folders whose package was deleted while the app was
// closed (a tombstone pulled from another device, or no row at all) are
// removed, and a finished render of a live package is kept.
func TestStartRemovesRendersOfPackagesDeletedMeanwhile(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	live, gone := shortPackage(t, a), shortPackage(t, a)
	finished := func(id string) string {
		dir, err := render.Dir(rt.render.root, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, render.VideoFile), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	liveDir, goneDir := finished(live.ID), finished(gone.ID)
	orphanDir := finished("01a2498b-c948-7dc9-9f78-fe9a4a3360a4")
	// A tombstone written as a pull writes it: no event reaches the queue.
	if _, err := rt.store.DB().Exec(`UPDATE packages SET deleted = 1 WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	rt.catchUpRenders(context.Background())
	for _, d := range []string{goneDir, orphanDir} {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s is still there (%v)", d, err)
		}
	}
	if _, err := os.Stat(filepath.Join(liveDir, render.VideoFile)); err != nil {
		t.Fatalf("the live package's render: %v", err)
	}
}
