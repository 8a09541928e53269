// Package render turns a video package into a finished, uploadable MP4,
// an SRT caption file and a thumbnail image, offline, with ffmpeg.
//
// A render runs four stages: voice (each spoken sentence synthesised on
// its own, so every sentence has a measured start and end; joined, mixed
// with ducked background music and normalised to −14 LUFS), captions (an
// SRT with the sentence timings, and Shorts-style word-by-word captions
// for burning in), encode (one H.264 segment per section, with title
// cards, media from the channel's folder, Ken Burns motion and the
// captions burned in; joined with the voice track and +faststart) and
// thumbnail (1280×720, contrast checked against WCAG AA).
//
// Every stage writes through a temporary file and a rename, and records
// the hash of its inputs in the manifest; a render that is killed or
// cancelled resumes from the last finished stage (and, while encoding,
// from the last finished section). The published files in OutDir change
// only when a render completes.
package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"tubeagency/app/voice"
)

// Voicer speaks one text into a WAV file: *voice.Chain.
type Voicer interface {
	// Synthesize writes the speech of req to path, atomically.
	Synthesize(ctx context.Context, req voice.Request, path string) (voice.Result, error)
	// Available names the engines that can run now, in the order tried.
	Available(ctx context.Context) []string
}

var _ Voicer = (*voice.Chain)(nil)

// Options configure a Renderer. Zero values take the defaults given.
type Options struct {
	// FFmpeg is the ffmpeg program, a path or a name looked up on PATH.
	// Empty means "ffmpeg".
	FFmpeg string
	// FFprobe is the ffprobe program. Empty means the ffprobe next to a
	// configured FFmpeg path, else "ffprobe" on PATH.
	FFprobe string
	// Voice speaks the sentences. Required: Render returns ErrNoVoice
	// without it.
	Voice Voicer
	// VoiceWorkers is how many sentences are synthesised at once. Zero
	// means 2.
	VoiceWorkers int
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger gets debug lines (the ffmpeg commands run). Nil discards.
	Logger *slog.Logger
	// Preset is the x264 preset. Empty means "veryfast".
	Preset string
	// CRF is x264's constant rate factor. Zero means 23.
	CRF int
	// Threads is the encoder's frame threads. Zero means one per core
	// plus two, at least 4: on 2 cores, 2 threads kept about 1.5 cores
	// busy and 4 keep both (15 % faster, 290 MB instead of 255 MB at
	// 1080×1920). Each thread holds frames, so fewer use less memory.
	Threads int
}

// Renderer renders packages. It is safe for concurrent use on different
// OutDirs; a second render of the same OutDir gets ErrBusy.
type Renderer struct {
	opts  Options
	mu    sync.Mutex
	tools *Tools
}

// New returns a Renderer with opts' defaults filled in.
func New(opts Options) *Renderer {
	if opts.VoiceWorkers <= 0 {
		opts.VoiceWorkers = 2
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Preset == "" {
		opts.Preset = "veryfast"
	}
	if opts.CRF <= 0 {
		opts.CRF = 23
	}
	if opts.Threads <= 0 {
		opts.Threads = max(4, runtime.NumCPU()+2)
	}
	return &Renderer{opts: opts}
}

// Video geometry.
const fps = 30

type geometry struct {
	W, H   int
	shorts bool
}

func geometryOf(format string) geometry {
	if format == FormatShorts {
		return geometry{W: 1080, H: 1920, shorts: true}
	}
	return geometry{W: 1920, H: 1080}
}

// Share of the progress bar per stage, by the time each usually takes.
var stageWeights = map[string]float64{StageVoice: 12, StageCaptions: 1, StageEncode: 82, StageThumbnail: 5}

// run is one Render call's state.
type run struct {
	r     *Renderer
	tools Tools
	job   Job
	geo   geometry
	work  string   // OutDir/.work
	pub   Manifest // the published manifest, zero if none
	m     Manifest // the working manifest
	tr    *tracker
	media *mediaSet
	brand RGB
	font  fontChoice
	// changed is set once a stage ran: there is something to publish.
	changed bool
	// voiceLUFS is the joined voice track's loudness, measured as it was written.
	voiceLUFS float64
	// voiceJoined is set when this render joined the voice track (the
	// voice stage ran); music is the music it chose.
	voiceJoined bool
	music       *mediaFile
	// audio waits for the loudness passes (loudnessStage).
	audio func() error
}

// Render renders job into job.OutDir and returns the published manifest.
// progress (may be nil) is called from the calling goroutine or one
// Render owns, never concurrently, in stage order.
//
// Errors: a *JobError (ErrInvalidJob) names a bad field and nothing is
// written; ErrNoFFmpeg / ErrFFmpegFeatures when ffmpeg is missing or
// lacks a feature; ErrBusy when the package is already rendering;
// ErrDiskFull when space ran out; ctx.Err() when cancelled; a
// *FFmpegError when ffmpeg failed. On every error the files published
// before stay as they were and no temporary file is left; finished stages
// are kept for the next attempt.
func (r *Renderer) Render(ctx context.Context, job Job, progress func(Progress)) (Manifest, error) {
	job, err := job.validate()
	if err != nil {
		return Manifest{}, err
	}
	if r.opts.Voice == nil {
		return Manifest{}, ErrNoVoice
	}
	tools, err := r.Check(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Manifest{}, ctx.Err() // cancelled while ffmpeg was asked its version: not a missing ffmpeg
		}
		return Manifest{}, err
	}
	brand, _ := parseColor(job.Brand.Color)
	font, err := resolveFont(job.Brand.Font)
	if err != nil {
		return Manifest{}, jobErr("brand.font", "%v", err)
	}
	rn := &run{r: r, tools: tools, job: job, geo: geometryOf(job.Format), brand: brand, font: font,
		work: filepath.Join(job.OutDir, workDir)}
	if err := os.MkdirAll(filepath.Join(rn.work, "voice"), 0o755); err != nil {
		return Manifest{}, diskErr(fmt.Errorf("create render folder: %w", err))
	}
	unlock, err := lockDir(job.OutDir)
	if err != nil {
		return Manifest{}, err
	}
	defer unlock()
	sweepTemp(job.OutDir)
	defer sweepTemp(job.OutDir)
	if err := rn.installFont(); err != nil {
		return Manifest{}, err
	}

	rn.tr = newTracker(r.opts.Now, progress, stageWeights)
	rn.load()
	m, err := rn.render(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Manifest{}, ctx.Err()
		}
		return Manifest{}, err
	}
	rn.tr.complete()
	return m, nil
}

// load reads the working manifest, or the published one when there is
// none, as the record of what is already done.
func (rn *run) load() {
	rn.pub, _ = ReadManifest(rn.job.OutDir)
	if rn.pub.PackageID != rn.job.PackageID {
		rn.pub = Manifest{}
	}
	m, err := readManifestFile(filepath.Join(rn.work, ManifestFile))
	if err != nil || m.PackageID != rn.job.PackageID {
		m = rn.pub
	}
	m.Version, m.PackageID, m.ChannelID = ManifestVersion, rn.job.PackageID, rn.job.ChannelID
	m.Format, m.Language = rn.job.Format, rn.job.Language
	m.Width, m.Height, m.FPS = rn.geo.W, rn.geo.H, fps
	m.PeakRSSKB = 0
	if m.Stages == nil {
		m.Stages = map[string]Stage{}
	}
	if m.Segments == nil {
		m.Segments = map[string]string{}
	}
	if m.Media == nil {
		m.Media = map[string]string{}
	}
	rn.m = m
}

func (rn *run) render(ctx context.Context) (Manifest, error) {
	media, err := scanMedia(rn.job.MediaDir)
	if err != nil {
		return Manifest{}, err
	}
	rn.media = media
	if err := rn.voiceStage(ctx); err != nil {
		return Manifest{}, err
	}
	// The loudness passes run beside the captions and the encode, which
	// waits for them only to join the track (mux). Whatever happens, they
	// have ended before Render returns.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rn.audio = rn.loudnessStage(ctx)
	err = rn.captionsStage(ctx)
	if err == nil {
		err = rn.encodeStage(ctx)
	}
	if err == nil {
		err = rn.thumbnailStage(ctx)
	}
	if err != nil {
		cancel()
		_ = rn.audio()
		return Manifest{}, err
	}
	if err := rn.audio(); err != nil {
		return Manifest{}, err
	}
	return rn.commit()
}

// stage runs do unless the stage last finished with the same input hash
// and its outputs are still there. outputs are names in the work folder,
// or published names in OutDir (VideoFile, CaptionsFile, ThumbnailFile).
func (rn *run) stage(ctx context.Context, name, hash string, outputs []string, do func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rn.m.Stages[name].Hash == hash && rn.ready(name, hash, outputs) {
		rn.tr.finish(name, true)
		return nil
	}
	start := rn.r.opts.Now()
	rn.tr.report(name, 0, "")
	if err := do(ctx); err != nil {
		return err
	}
	rn.changed = true
	rn.m.Stages[name] = Stage{Hash: hash, At: rn.r.opts.Now().UTC(), Seconds: rn.r.opts.Now().Sub(start).Seconds()}
	if err := rn.saveWork(); err != nil {
		return err
	}
	rn.tr.finish(name, false)
	return nil
}

// ready reports whether a stage's outputs exist: in the work folder, or
// published by a render whose stage had the same hash.
func (rn *run) ready(name, hash string, outputs []string) bool {
	for _, o := range outputs {
		if exists(filepath.Join(rn.work, o)) {
			continue
		}
		if isPublished(o) && rn.pub.Stages[name].Hash == hash && exists(filepath.Join(rn.job.OutDir, o)) {
			continue
		}
		return false
	}
	return true
}

func isPublished(name string) bool {
	return name == VideoFile || name == CaptionsFile || name == ThumbnailFile
}

func (rn *run) saveWork() error {
	return writeManifest(filepath.Join(rn.work, ManifestFile), rn.m)
}

// commit moves finished outputs from the work folder into OutDir, then
// writes the published manifest, then drops intermediate files that only
// served this render (segments, the joined voice WAV).
func (rn *run) commit() (Manifest, error) {
	outputs := []string{VideoFile, CaptionsFile, ThumbnailFile}
	pending := false
	for _, name := range outputs {
		pending = pending || exists(filepath.Join(rn.work, name))
	}
	if !rn.changed && !pending && rn.pub.Version == ManifestVersion && rn.pub.Video != nil {
		// Nothing changed since the published render: leave it as it is.
		return rn.pub.tidy(), nil
	}
	// Describe the files as they will be once published: new ones from the
	// work folder, unchanged ones where they are.
	infos := make([]*FileInfo, len(outputs))
	for i, name := range outputs {
		info, err := fileInfo(rn.work, name)
		if err != nil {
			if info, err = fileInfo(rn.job.OutDir, name); err != nil {
				return Manifest{}, fmt.Errorf("publish %s: %w", name, err)
			}
		}
		infos[i] = info
	}
	rn.m.Video, rn.m.Captions, rn.m.Thumbnail = infos[0], infos[1], infos[2]
	rn.m.FFmpeg = rn.tools.Version
	rn.m.RenderedAt = rn.r.opts.Now().UTC()
	rn.m.Notes = rn.mediaNotes()
	// The segments are in the video now; pruneWork deletes them.
	rn.m.Segments = map[string]string{}
	if err := rn.saveWork(); err != nil {
		return Manifest{}, err
	}
	// The new manifest is written (the last bytes this render needs)
	// before any published file is replaced: renames in the folder take no
	// space, so a full disk cannot leave half a publication.
	b, err := rn.m.encode()
	if err != nil {
		return Manifest{}, err
	}
	final := filepath.Join(rn.job.OutDir, ManifestFile)
	tmp := tempPath(final)
	if err := writeFileAtomic(tmp, b); err != nil {
		return Manifest{}, err
	}
	defer os.Remove(tmp)
	for _, name := range outputs {
		src := filepath.Join(rn.work, name)
		if !exists(src) {
			continue
		}
		if err := os.Rename(src, filepath.Join(rn.job.OutDir, name)); err != nil {
			return Manifest{}, diskErr(fmt.Errorf("publish %s: %w", name, err))
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return Manifest{}, diskErr(fmt.Errorf("publish manifest: %w", err))
	}
	rn.pruneWork()
	return rn.m.tidy(), nil
}

// pruneWork removes intermediates the next render would not reuse as they
// are: encoded segments (the video holds them) and the joined voice WAV.
// Per-sentence audio stays, so editing one sentence re-synthesises only it.
func (rn *run) pruneWork() {
	entries, err := os.ReadDir(rn.work)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if isSegmentFile(n) || n == voiceWAV || isStillFile(n) {
			os.Remove(filepath.Join(rn.work, n))
		}
	}
	keep := map[string]bool{}
	for _, s := range rn.m.Sentences {
		keep[s.Key] = true
	}
	dir := filepath.Join(rn.work, "voice")
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		key, _, _ := cutAny(e.Name(), ".-")
		if !keep[key] {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func cutAny(s, seps string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(seps); j++ {
			if s[i] == seps[j] {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// hashOf is the hex SHA-256 of v's JSON, naming a stage's inputs.
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("render: hash inputs: %v", err)) // only plain data is hashed
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// errorsJoinCtx returns ctx.Err() when set, so a cancelled render reports
// cancellation rather than the kill it caused.
func errorsJoinCtx(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// installFont copies a brand font file into the work folder, so libass
// loads that one font rather than every file of the folder it came from.
func (rn *run) installFont() error {
	if rn.font.Dir == "" {
		return nil
	}
	src := rn.job.Brand.Font
	dir := filepath.Join(rn.work, "fonts")
	dst := filepath.Join(dir, filepath.Base(src))
	b, err := os.ReadFile(src)
	if err != nil {
		return jobErr("brand.font", "font file cannot be read: %v", err)
	}
	if old, err := os.ReadFile(dst); err != nil || !bytes.Equal(old, b) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return diskErr(fmt.Errorf("copy font: %w", err))
		}
		if err := writeFileAtomic(dst, b); err != nil {
			return err
		}
	}
	rn.font.Dir = dir
	return nil
}
