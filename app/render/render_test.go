package render_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tubeagency/app/render"
	"tubeagency/app/voice"
)

// shortJob is a small Short: two sections, three sentences, with on-screen
// notes that must never be spoken.
func shortJob(out string) render.Job {
	return render.Job{
		PackageID: "short-1", ChannelID: "chan-a", Format: render.FormatShorts, Language: "en",
		Title: "Why cats nap", ThumbnailText: "Cats nap sixteen hours",
		Brand: render.Brand{Color: "#00B4D8"},
		Sections: []render.Section{
			{Heading: "The secret", Spoken: []string{"Cats sleep for most of the day."},
				Notes: []string{"SHOW: a sleeping kitten", "16 hours"}},
			{Heading: "Reason", Spoken: []string{"Hunting burns energy quickly.", "Resting keeps them ready."},
				Notes: []string{"Pause for effect"}},
		},
		OutDir: out,
	}
}

func spokenOf(job render.Job) []string {
	var all []string
	for _, s := range job.Sections {
		all = append(all, s.Spoken...)
	}
	return all
}

func TestRenderShort(t *testing.T) {
	out := filepath.Join(t.TempDir(), "renders", "short-1")
	rec := &recorder{}
	r := newRenderer(t, rec, nil)
	job := shortJob(out)
	var progress progressLog
	m, err := r.Render(context.Background(), job, progress.add)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("only the spoken sentences reach the voice engine", func(t *testing.T) {
		got := rec.spoken()
		if !reflect.DeepEqual(sorted(got), sorted(spokenOf(job))) {
			t.Fatalf("spoken %q, want exactly %q", got, spokenOf(job))
		}
		for _, text := range got {
			for _, s := range job.Sections {
				for _, n := range s.Notes {
					if strings.Contains(text, n) {
						t.Fatalf("note %q was spoken in %q", n, text)
					}
				}
			}
		}
	})

	t.Run("video streams, size, rate and length", func(t *testing.T) {
		p := probe(t, filepath.Join(out, render.VideoFile))
		var video, audio bool
		for _, s := range p.Streams {
			switch s.CodecType {
			case "video":
				video = true
				if s.CodecName != "h264" || s.Width != 1080 || s.Height != 1920 || s.RFrameRate != "30/1" {
					t.Fatalf("video stream %+v", s)
				}
			case "audio":
				audio = true
				if s.CodecName != "aac" {
					t.Fatalf("audio stream %+v", s)
				}
			}
		}
		if !video || !audio {
			t.Fatalf("streams %+v", p.Streams)
		}
		voiceTrack := probe(t, filepath.Join(out, ".work", "audio.m4a"))
		if d, v := seconds(t, p.Format.Duration), seconds(t, voiceTrack.Format.Duration); math.Abs(d-v) > 0.5 || math.Abs(d-m.Seconds) > 0.5 {
			t.Fatalf("video %.3f s, voice track %.3f s, manifest %.3f s", d, v, m.Seconds)
		}
		// +faststart: the index (moov) comes before the media data (mdat).
		videoPath := filepath.Join(out, render.VideoFile)
		if moov, mdat := indexOf(t, videoPath, "moov"), indexOf(t, videoPath, "mdat"); moov < 0 || moov > mdat {
			t.Fatalf("moov at %d, mdat at %d: not faststart", moov, mdat)
		}
	})

	t.Run("loudness is -14 LUFS", func(t *testing.T) {
		if l := loudness(t, filepath.Join(out, render.VideoFile)); math.Abs(l-render.TargetLUFS) > 1.5 {
			t.Fatalf("integrated loudness %.1f LUFS, want %.1f ± 1.5", l, render.TargetLUFS)
		}
		if m.Loudness == nil || math.Abs(m.Loudness.IntegratedLUFS-render.TargetLUFS) > 0.5 {
			t.Fatalf("manifest loudness %+v", m.Loudness)
		}
	})

	t.Run("SRT cues are the sentence timings", func(t *testing.T) {
		cues := readSRT(t, filepath.Join(out, render.CaptionsFile))
		want := expectedTimings(t, job)
		if len(cues) != len(want) || len(m.Sentences) != len(want) {
			t.Fatalf("%d cues, %d sentences in the manifest, want %d", len(cues), len(m.Sentences), len(want))
		}
		for i, c := range cues {
			if math.Abs(c.start-want[i].start) > 0.0015 || math.Abs(c.end-want[i].end) > 0.0015 {
				t.Fatalf("cue %d %.3f–%.3f, sentence audio at %.3f–%.3f", i+1, c.start, c.end, want[i].start, want[i].end)
			}
			if math.Abs(c.start-m.Sentences[i].Start) > 0.0006 || math.Abs(c.end-m.Sentences[i].End) > 0.0006 {
				t.Fatalf("cue %d %.3f–%.3f, manifest %.3f–%.3f", i+1, c.start, c.end, m.Sentences[i].Start, m.Sentences[i].End)
			}
			if c.text != want[i].text {
				t.Fatalf("cue %d says %q, want %q", i+1, c.text, want[i].text)
			}
		}
	})

	t.Run("captions are burned in", func(t *testing.T) {
		video := filepath.Join(out, render.VideoFile)
		s := m.Sentences[1] // "Hunting burns energy quickly."
		during := ocr(t, video, s.Start+0.15)
		if !strings.Contains(during, "hunting") {
			t.Fatalf("OCR at %.2f s (first words spoken) reads %q, want the caption 'hunting'", s.Start+0.15, during)
		}
		gap := (m.Sentences[0].End + s.Start) / 2 // between sections: no caption
		if between := ocr(t, video, gap); strings.Contains(between, "hunting") || strings.Contains(between, "most") {
			t.Fatalf("OCR in the pause at %.2f s reads a caption: %q", gap, between)
		}
	})

	t.Run("thumbnail", func(t *testing.T) {
		path := filepath.Join(out, render.ThumbnailFile)
		st, err := os.Stat(path)
		if err != nil || st.Size() >= 2<<20 {
			t.Fatalf("thumbnail %v, %d bytes", err, st.Size())
		}
		p := probe(t, path)
		if len(p.Streams) != 1 || p.Streams[0].Width != 1280 || p.Streams[0].Height != 720 || p.Streams[0].CodecName != "mjpeg" {
			t.Fatalf("thumbnail streams %+v", p.Streams)
		}
		if m.Thumb == nil || m.Thumb.Contrast < render.MinContrast || m.Thumb.Text != job.ThumbnailText {
			t.Fatalf("thumb %+v", m.Thumb)
		}
		// The text is drawn: many pixels of the brand colour, next to many of the outline colour.
		pix, w, h := frameRGB(t, path, 0)
		fill, outline := countNear(pix, 0x00, 0xB4, 0xD8, 40), countNear(pix, 0, 0, 0, 30)
		if fill < w*h/100 || outline < w*h/200 {
			t.Fatalf("brand-coloured pixels %d, outline pixels %d of %d", fill, outline, w*h)
		}
	})

	t.Run("manifest on disk", func(t *testing.T) {
		disk, err := render.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(disk, m) {
			a, _ := json.Marshal(disk)
			b, _ := json.Marshal(m)
			t.Fatalf("manifest on disk differs from the one returned:\n%s\n%s", a, b)
		}
		if m.Video.Bytes == 0 || m.Captions.Bytes == 0 || m.Thumbnail.Bytes == 0 || m.PeakRSSKB == 0 || m.FFmpeg == "" {
			t.Fatalf("manifest %+v", m)
		}
		if temps := tempFiles(t, out); len(temps) > 0 {
			t.Fatalf("temporary files left: %v", temps)
		}
	})

	t.Run("progress", func(t *testing.T) {
		all := progress.list()
		last := 0.0
		order := map[string]int{render.StageVoice: 0, render.StageCaptions: 1, render.StageEncode: 2, render.StageThumbnail: 3, render.StageDone: 4}
		stage, sawRemaining := 0, false
		for _, p := range all {
			if p.Percent < last {
				t.Fatalf("percent went back from %.1f to %.1f", last, p.Percent)
			}
			last = p.Percent
			if order[p.Stage] < stage {
				t.Fatalf("stage %s after a later one", p.Stage)
			}
			stage = order[p.Stage]
			sawRemaining = sawRemaining || p.Remaining > 0
		}
		if end := all[len(all)-1]; end.Stage != render.StageDone || end.Percent != 100 {
			t.Fatalf("last progress %+v", end)
		}
		if !sawRemaining {
			t.Fatal("no estimate of the time left")
		}
	})

	t.Run("a second render with the same inputs does nothing", func(t *testing.T) {
		before := published(t, out)
		calls := rec.calls.Load()
		var again progressLog
		m2, err := r.Render(context.Background(), job, again.add)
		if err != nil {
			t.Fatal(err)
		}
		if got := again.cached(); len(got) != 4 {
			t.Fatalf("cached stages %v, want all four", got)
		}
		if rec.calls.Load() != calls || !reflect.DeepEqual(published(t, out), before) || !reflect.DeepEqual(m2, m) {
			t.Fatal("an unchanged render changed something")
		}
	})

	t.Run("a new thumbnail text redraws only the thumbnail", func(t *testing.T) {
		before := published(t, out)
		calls := rec.calls.Load()
		job2 := job
		job2.ThumbnailText = "Sleepy cats explained"
		var again progressLog
		m3, err := r.Render(context.Background(), job2, again.add)
		if err != nil {
			t.Fatal(err)
		}
		cached := again.cached()
		if !cached[render.StageVoice] || !cached[render.StageCaptions] || !cached[render.StageEncode] || cached[render.StageThumbnail] {
			t.Fatalf("cached stages %v", cached)
		}
		after := published(t, out)
		if rec.calls.Load() != calls || after[render.VideoFile] != before[render.VideoFile] ||
			after[render.ThumbnailFile] == before[render.ThumbnailFile] || m3.Thumb.Text != job2.ThumbnailText {
			t.Fatalf("thumbnail-only change: calls %d→%d, files %v → %v", calls, rec.calls.Load(), before, after)
		}
	})
}

func TestRenderLongFormWithMedia(t *testing.T) {
	media := mediaFolder(t)
	out := filepath.Join(t.TempDir(), "long-1")
	rec := &recorder{}
	r := newRenderer(t, rec, nil)
	job := render.Job{
		PackageID: "long-1", Format: render.FormatLong, Language: "en", Title: "Walking the coast",
		Brand: render.Brand{Color: "#E63946", Font: "DejaVu Serif"}, MediaDir: media,
		Sections: []render.Section{
			{Heading: "Intro", Spoken: []string{"Today we walk a quiet path."}},
			{Heading: "The ocean", Spoken: []string{"Waves roll in all morning."}, Notes: []string{"Tide chart at 9 am"}},
			{Heading: "Up the mountain", Spoken: []string{"Then the trail climbs steeply."}},
		},
		OutDir: out,
	}
	m, err := r.Render(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := probe(t, filepath.Join(out, render.VideoFile))
	for _, s := range p.Streams {
		if s.CodecType == "video" && (s.Width != 1920 || s.Height != 1080 || s.RFrameRate != "30/1" || s.CodecName != "h264") {
			t.Fatalf("video stream %+v", s)
		}
	}
	if d := seconds(t, p.Format.Duration); math.Abs(d-m.Seconds) > 0.5 {
		t.Fatalf("video %.3f s, voice track %.3f s", d, m.Seconds)
	}
	if l := loudness(t, filepath.Join(out, render.VideoFile)); math.Abs(l-render.TargetLUFS) > 1.5 {
		t.Fatalf("loudness with music %.1f LUFS", l)
	}
	// Keywords choose the pictures; the first section matches nothing and takes the next file in turn.
	if m.Sections[1].Media != "ocean-waves.jpg" || m.Sections[2].Media != "mountain_trail.png" || m.Sections[0].Media == "" {
		t.Fatalf("media per section: %+v", m.Sections)
	}
	for _, s := range m.Sections {
		if s.Media == "broken-ocean.jpg" || s.Media == "notes.png" {
			t.Fatalf("a damaged file was used: %+v", m.Sections)
		}
	}
	notes := strings.Join(m.Notes, "\n")
	if !strings.Contains(notes, "skipped media file broken-ocean.jpg") {
		t.Fatalf("notes %q do not mention the damaged file that matched a section", m.Notes)
	}
	if m.Music != "background-music.m4a" {
		t.Fatalf("music %q", m.Music)
	}
	// The music plays in the pause between sections, ducked to a murmur.
	gap := (m.Sentences[0].End + m.Sentences[1].Start) / 2
	if rms := audioRMS(t, filepath.Join(out, render.VideoFile), gap-0.1, 0.2); rms < 1e-4 || rms > 0.1 {
		t.Fatalf("music level in the pause: rms %.5f", rms)
	}
	if m.Thumb == nil || m.Thumb.Media == "" {
		t.Fatalf("thumbnail took no picture from the media folder: %+v", m.Thumb)
	}
	if temps := tempFiles(t, out); len(temps) > 0 {
		t.Fatalf("temporary files left: %v", temps)
	}
}

func TestNoFFmpeg(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p")
	for name, opts := range map[string]render.Options{
		"configured path missing": {FFmpeg: "/nonexistent/ffmpeg"},
		"not on PATH":             {},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "not on PATH" {
				t.Setenv("PATH", t.TempDir())
			}
			opts.Voice = &voice.Chain{}
			r := render.New(opts)
			_, err := r.Check(context.Background())
			if !errors.Is(err, render.ErrNoFFmpeg) || !strings.Contains(err.Error(), "apt-get install -y ffmpeg") {
				t.Fatalf("Check: %v", err)
			}
			_, err = r.Render(context.Background(), shortJob(out), nil)
			if !errors.Is(err, render.ErrNoFFmpeg) {
				t.Fatalf("Render: %v", err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a render without ffmpeg created %s", out)
			}
		})
	}
}

func TestCheckReportsVersion(t *testing.T) {
	requireTools(t)
	tools, err := render.New(render.Options{}).Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tools.Version, "5.") && !strings.HasPrefix(tools.Version, "6.") && !strings.HasPrefix(tools.Version, "7.") {
		t.Fatalf("version %q", tools.Version)
	}
	if !filepath.IsAbs(tools.FFmpeg) || !filepath.IsAbs(tools.FFprobe) {
		t.Fatalf("tools %+v", tools)
	}
}

func TestCheckFindsAMissingFeature(t *testing.T) {
	// A stand-in for a minimal ffmpeg build: it answers -version like
	// ffmpeg but lists no filters or encoders.
	dir := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in *-version*) echo 'ffmpeg version 4.4-minimal Copyright';; esac\nexit 0\n"
	for _, name := range []string{"ffmpeg", "ffprobe"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, err := render.New(render.Options{FFmpeg: filepath.Join(dir, "ffmpeg")}).Check(context.Background())
	if !errors.Is(err, render.ErrFFmpegFeatures) || !strings.Contains(err.Error(), "libx264") || !strings.Contains(err.Error(), "ass") {
		t.Fatalf("err = %v", err)
	}
}

func TestRenderRejectsBadJobWithoutWriting(t *testing.T) {
	requireTools(t)
	out := filepath.Join(t.TempDir(), "p")
	job := shortJob(out)
	job.Brand.Color = "not-a-colour"
	_, err := newRenderer(t, &recorder{}, nil).Render(context.Background(), job, nil)
	var je *render.JobError
	if !errors.As(err, &je) || je.Field != "brand.color" {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a rejected job wrote to its folder")
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func indexOf(t testing.TB, path, atom string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Index(string(b), atom)
}

func countNear(pix []byte, r, g, b int, tol int) int {
	n := 0
	for i := 0; i+2 < len(pix); i += 3 {
		dr, dg, db := int(pix[i])-r, int(pix[i+1])-g, int(pix[i+2])-b
		if dr*dr+dg*dg+db*db <= tol*tol {
			n++
		}
	}
	return n
}
