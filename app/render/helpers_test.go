package render_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"tubeagency/app/render"
	"tubeagency/app/voice"
	"tubeagency/app/voice/espeak"
)

// TestMain also serves as the child process of the kill and disk-full
// tests, which re-run this binary with RENDER_CHILD set.
func TestMain(m *testing.M) {
	switch os.Getenv("RENDER_CHILD") {
	case "render":
		os.Exit(childRender())
	case "diskfull":
		os.Exit(childDiskFull())
	}
	os.Exit(m.Run())
}

func requireTools(t testing.TB) {
	t.Helper()
	for _, p := range []string{"ffmpeg", "ffprobe", "espeak-ng"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s must be installed for the render tests (scripts/install-deps.sh; on Debian: apt-get install -y ffmpeg espeak-ng): %v", p, err)
		}
	}
}

// recorder is the real espeak-ng engine, remembering every text it was
// asked to speak.
type recorder struct {
	espeak.Client
	mu    sync.Mutex
	texts []string
	calls atomic.Int64
}

func (r *recorder) Synthesize(ctx context.Context, req voice.Request) ([]byte, error) {
	r.calls.Add(1)
	r.mu.Lock()
	r.texts = append(r.texts, req.Text)
	r.mu.Unlock()
	return r.Client.Synthesize(ctx, req)
}

func (r *recorder) spoken() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.texts...)
}

// logBuffer collects the renderer's debug log (the ffmpeg runs).
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newRenderer(t testing.TB, rec *recorder, log *logBuffer) *render.Renderer {
	t.Helper()
	requireTools(t)
	opts := render.Options{Voice: &voice.Chain{Engines: []voice.Engine{rec}}}
	if log != nil {
		opts.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return render.New(opts)
}

// progressLog collects Progress reports.
type progressLog struct {
	mu  sync.Mutex
	all []render.Progress
}

func (p *progressLog) add(pr render.Progress) {
	p.mu.Lock()
	p.all = append(p.all, pr)
	p.mu.Unlock()
}

func (p *progressLog) list() []render.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]render.Progress(nil), p.all...)
}

func (p *progressLog) cached() map[string]bool {
	out := map[string]bool{}
	for _, pr := range p.list() {
		if pr.Cached {
			out[pr.Stage] = true
		}
	}
	return out
}

type probeResult struct {
	Streams []struct {
		CodecType  string `json:"codec_type"`
		CodecName  string `json:"codec_name"`
		Width      int    `json:"width"`
		Height     int    `json:"height"`
		RFrameRate string `json:"r_frame_rate"`
		Duration   string `json:"duration"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func probe(t testing.TB, path string) probeResult {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries",
		"stream=codec_type,codec_name,width,height,r_frame_rate,duration:format=duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p probeResult
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return p
}

func seconds(t testing.TB, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("duration %q: %v", s, err)
	}
	return f
}

var integratedRE = regexp.MustCompile(`(?s)Summary:.*?I:\s+(-?[0-9.]+|-inf) LUFS`)

// loudness measures a file's integrated loudness with ffmpeg's ebur128.
func loudness(t testing.TB, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", path, "-map", "0:a:0",
		"-af", "ebur128=framelog=verbose", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ebur128 %s: %v\n%s", path, err, out)
	}
	all := integratedRE.FindAllStringSubmatch(string(out), -1)
	if len(all) == 0 {
		t.Fatalf("no loudness summary for %s:\n%s", path, out)
	}
	v, err := strconv.ParseFloat(all[len(all)-1][1], 64)
	if err != nil {
		return math.Inf(-1)
	}
	return v
}

// frameRGB extracts the frame at sec as raw RGB.
func frameRGB(t testing.TB, path string, sec float64) (pix []byte, w, h int) {
	t.Helper()
	p := probe(t, path)
	for _, s := range p.Streams {
		if s.CodecType == "video" {
			w, h = s.Width, s.Height
		}
	}
	args := []string{"-nostdin", "-v", "error"}
	if sec > 0 {
		args = append(args, "-ss", fmt.Sprintf("%.3f", sec))
	}
	args = append(args, "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	out, err := exec.Command("ffmpeg", args...).Output()
	if err != nil || len(out) != w*h*3 {
		t.Fatalf("frame at %.2f of %s: %v (%d bytes)", sec, path, err, len(out))
	}
	return out, w, h
}

// ocr reads the text of the frame at sec with tesseract.
func ocr(t testing.TB, path string, sec float64) string {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Fatalf("tesseract-ocr must be installed for the caption test: %v", err)
	}
	png := filepath.Join(t.TempDir(), "frame.png")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-ss", fmt.Sprintf("%.3f", sec), "-i", path,
		// Light text (white or highlighted) becomes black on white, which
		// tesseract reads best; dark backgrounds and outlines turn white.
		"-frames:v", "1", "-vf", `format=gray,lut=y='if(gt(val\,110)\,0\,255)'`, png).CombinedOutput(); err != nil {
		t.Fatalf("extract frame: %v\n%s", err, out)
	}
	out, err := exec.Command("tesseract", png, "stdout", "--psm", "11").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return strings.ToLower(string(out))
}

type cue struct {
	start, end float64
	text       string
}

var cueTimeRE = regexp.MustCompile(`^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$`)

func readSRT(t testing.TB, path string) []cue {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cues []cue
	for _, block := range strings.Split(strings.TrimSpace(string(b)), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 3 {
			t.Fatalf("short SRT block %q", block)
		}
		m := cueTimeRE.FindStringSubmatch(lines[1])
		if m == nil {
			t.Fatalf("bad SRT time line %q", lines[1])
		}
		at := func(g []string) float64 {
			h, _ := strconv.Atoi(g[0])
			mi, _ := strconv.Atoi(g[1])
			s, _ := strconv.Atoi(g[2])
			ms, _ := strconv.Atoi(g[3])
			return float64(h*3600+mi*60+s) + float64(ms)/1000
		}
		cues = append(cues, cue{start: at(m[1:5]), end: at(m[5:9]), text: strings.Join(lines[2:], " ")})
	}
	return cues
}

// tempFiles lists files a finished or failed render must not leave.
func tempFiles(t testing.TB, dir string) []string {
	t.Helper()
	return listTemps(dir)
}

func listTemps(dir string) []string {
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasPrefix(d.Name(), ".tmp-") || strings.HasPrefix(d.Name(), ".voice-")) {
			found = append(found, p)
		}
		return nil
	})
	return found
}

// published hashes the files a render publishes, to compare before and after.
func published(t testing.TB, dir string) map[string]string {
	t.Helper()
	return hashPublished(dir)
}

func hashPublished(dir string) map[string]string {
	out := map[string]string{}
	for _, name := range []string{render.VideoFile, render.CaptionsFile, render.ThumbnailFile, render.ManifestFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			out[name] = "missing"
			continue
		}
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:])
	}
	return out
}

// processesIn lists processes whose working folder is dir: the ffmpeg
// runs of a render (they run in its work folder).
func processesIn(dir string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+"/")) {
			cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return found
}

func ffmpegRun(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// mediaFolder builds a channel media folder with real files: two images
// named by topic, a short clip, background music, and two damaged files.
func mediaFolder(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ffmpegRun(t, dir, "-f", "lavfi", "-i", "testsrc2=s=1280x720", "-frames:v", "1", "ocean-waves.jpg")
	ffmpegRun(t, dir, "-f", "lavfi", "-i", "mandelbrot=s=800x800", "-frames:v", "1", "mountain_trail.png")
	ffmpegRun(t, dir, "-f", "lavfi", "-i", "testsrc=s=640x360:r=30:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "city-traffic.mp4")
	ffmpegRun(t, dir, "-f", "lavfi", "-i", "sine=f=220:d=6", "-f", "lavfi", "-i", "sine=f=330:d=6",
		"-filter_complex", "amix=inputs=2", "-c:a", "aac", "background-music.m4a")
	jpg, err := os.ReadFile(filepath.Join(dir, "ocean-waves.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// The start of a real JPEG, then garbage: ffprobe sees a picture, decoding fails.
	broken := append(append([]byte(nil), jpg[:600]...), bytes.Repeat([]byte{0x5a}, 4000)...)
	if err := os.WriteFile(filepath.Join(dir, "broken-ocean.jpg"), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.png"), []byte("this is not a picture at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type timing struct {
	start, end float64
	text       string
}

// expectedTimings computes where each sentence must sit in the voice
// track from its own espeak-ng audio, independently of the renderer:
// the lead-in, then each sentence's length, with the pauses between.
func expectedTimings(t testing.TB, job render.Job) []timing {
	t.Helper()
	dir := t.TempDir()
	var out []timing
	at := render.LeadIn
	for si, s := range job.Sections {
		for k, text := range s.Spoken {
			if len(out) > 0 {
				if k == 0 && si > 0 {
					at += render.SectionPause
				} else {
					at += render.SentencePause
				}
			}
			wav := filepath.Join(dir, "s.wav")
			cmd := exec.Command("espeak-ng", "-w", wav, "--stdin", "-v", job.Language)
			cmd.Stdin = strings.NewReader(text)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("espeak-ng: %v %s", err, b)
			}
			info, err := voice.ReadWAVFile(wav)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, timing{start: at, end: at + info.Seconds, text: text})
			at += info.Seconds
		}
	}
	return out
}

// audioRMS is the RMS level (0..1) of a file's audio from start for dur seconds.
func audioRMS(t testing.TB, path string, start, dur float64) float64 {
	t.Helper()
	raw, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-ss", fmt.Sprintf("%.3f", start), "-t", fmt.Sprintf("%.3f", dur),
		"-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "f32le", "-").Output()
	if err != nil || len(raw) < 4 {
		t.Fatalf("decode audio of %s: %v", path, err)
	}
	sum := 0.0
	n := len(raw) / 4
	for i := 0; i < n; i++ {
		v := float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:])))
		sum += v * v
	}
	return math.Sqrt(sum / float64(n))
}
