package render

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stages of a render, in order.
const (
	StageVoice     = "voice"
	StageCaptions  = "captions"
	StageEncode    = "encode"
	StageThumbnail = "thumbnail"
	// StageLoudness is the loudness passes over the voice track. They run
	// beside the captions and the encode and are not reported: the stages
	// above are what a render shows.
	StageLoudness = "loudness"
	// StageDone is reported once, at 100 %, when the outputs are in place.
	StageDone = "done"
)

// Progress is one report of a running render.
type Progress struct {
	// Stage is StageVoice, StageCaptions, StageEncode, StageThumbnail or StageDone.
	Stage string
	// Percent is the whole render's progress, 0 to 100, never decreasing.
	Percent float64
	// Elapsed is the time since this Render call started.
	Elapsed time.Duration
	// Remaining estimates the time left; zero while unknown.
	Remaining time.Duration
	// Detail says what is happening, e.g. "sentence 3 of 12" or "section 2 of 5".
	Detail string
	// Cached is true when the stage was skipped: its inputs have not changed
	// since it last finished.
	Cached bool
}

// MarshalJSON writes durations as seconds, for the UI.
func (p Progress) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Stage     string  `json:"stage"`
		Percent   float64 `json:"percent"`
		Elapsed   float64 `json:"elapsed_seconds"`
		Remaining float64 `json:"remaining_seconds"`
		Detail    string  `json:"detail,omitempty"`
		Cached    bool    `json:"cached,omitempty"`
	}{p.Stage, math.Round(p.Percent*10) / 10, p.Elapsed.Seconds(), p.Remaining.Seconds(), p.Detail, p.Cached})
}

// ffReport is one block of ffmpeg's -progress output.
type ffReport struct {
	Frame   int64
	OutTime time.Duration // output timestamp reached; -1 while unknown
	Speed   float64       // times real time; 0 while unknown
	End     bool          // progress=end: ffmpeg finished writing
}

// maxProgressLine caps one line of -progress output; ffmpeg's are < 100 bytes.
const maxProgressLine = 4096

// parseProgress reads ffmpeg's -progress stream ("key=value" lines, each
// block closed by "progress=continue" or "progress=end") and calls fn per
// block. It stops at EOF or at a line longer than maxProgressLine, and
// always drains r so ffmpeg never blocks writing to the pipe.
func parseProgress(r io.Reader, fn func(ffReport)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxProgressLine)
	rep := ffReport{OutTime: -1}
	for sc.Scan() {
		key, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "frame":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= 0 {
				rep.Frame = n
			}
		case "out_time_us", "out_time_ms":
			// out_time_ms is in microseconds too (a long-standing ffmpeg quirk).
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= 0 && n < math.MaxInt64/1000 {
				rep.OutTime = time.Duration(n) * time.Microsecond
			}
		case "out_time":
			if d, ok := parseClock(value); ok && rep.OutTime < 0 {
				rep.OutTime = d
			}
		case "speed":
			if f, err := strconv.ParseFloat(strings.TrimSuffix(value, "x"), 64); err == nil && f >= 0 && !math.IsInf(f, 0) {
				rep.Speed = f
			}
		case "progress":
			rep.End = value == "end"
			fn(rep)
			rep = ffReport{OutTime: -1}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// parseClock reads "HH:MM:SS.micro", as in out_time.
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.ParseUint(parts[0], 10, 32)
	m, err2 := strconv.ParseUint(parts[1], 10, 8)
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || m >= 60 || sec < 0 || sec >= 60 || math.IsNaN(sec) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second)), true
}

// tracker turns stage fractions into the overall Progress the caller sees.
type tracker struct {
	now     func() time.Time
	start   time.Time
	fn      func(Progress)
	weights map[string]float64 // share of 100 per stage
	done    float64            // percent of stages finished
	base    float64            // percent already done when this run started its first real work
	baseSet bool
	last    float64
}

func newTracker(now func() time.Time, fn func(Progress), weights map[string]float64) *tracker {
	return &tracker{now: now, start: now(), fn: fn, weights: weights}
}

// report sends stage progress: frac is the stage's own fraction, 0 to 1.
func (t *tracker) report(stage string, frac float64, detail string) {
	if t.fn == nil {
		return
	}
	frac = math.Max(0, math.Min(1, frac))
	if math.IsNaN(frac) {
		frac = 0
	}
	if !t.baseSet {
		t.base, t.baseSet = t.done, true
	}
	p := t.done + t.weights[stage]*frac
	p = math.Max(p, t.last)
	t.last = p
	elapsed := t.now().Sub(t.start)
	var remaining time.Duration
	if worked := p - t.base; worked >= 1 && p < 100 {
		remaining = time.Duration(float64(elapsed) * (100 - p) / worked)
	}
	t.fn(Progress{Stage: stage, Percent: p, Elapsed: elapsed, Remaining: remaining, Detail: detail})
}

// finish marks a stage done; cached stages do not count towards the speed.
func (t *tracker) finish(stage string, cached bool) {
	t.done += t.weights[stage]
	if t.done > t.last {
		t.last = t.done
	}
	if cached && t.fn != nil {
		t.fn(Progress{Stage: stage, Percent: t.last, Elapsed: t.now().Sub(t.start), Cached: true})
	}
	if cached && !t.baseSet {
		// Skipped work is not this run's speed.
		t.base = t.done
	}
}

func (t *tracker) complete() {
	if t.fn != nil {
		t.fn(Progress{Stage: StageDone, Percent: 100, Elapsed: t.now().Sub(t.start)})
	}
}
