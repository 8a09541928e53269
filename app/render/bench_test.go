//go:build linux

package render

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tubeagency/app/voice"
	"tubeagency/app/voice/espeak"
)

// Benchmarks: a 60-second Short and a 10-minute long-form video, each
// measured beside one plain ffmpeg command that produces comparable frames
// (the same card picture with the same slow zoom, the same captions and
// overlay burned in by libass, the same encoder settings, the finished
// voice track muxed in), in the same run. The pipeline's figure includes
// everything a render does: speech synthesis, three loudness passes, the
// section segments, joining, and the thumbnail.
//
//	go test -run '^$' -bench 'Render' -benchtime 1x -count 3 -timeout 60m ./app/render/

var benchWords = strings.Fields(`morning river city garden people market winter signal music kitchen
	history science travel money habit energy coffee mountain ocean forest window story doctor teacher
	engine battery planet weather language memory family friend island desert bridge library`)

// benchScript builds sections of sentences long enough for about seconds
// of speech at espeak-ng's default pace (about 2.6 words a second).
func benchScript(seconds float64, sections int) []Section {
	sentences := int(math.Ceil(seconds / 5.55))
	out := make([]Section, sections)
	for i := range out {
		out[i].Heading = fmt.Sprintf("Part %d: the %s", i+1, benchWords[i%len(benchWords)])
		out[i].Notes = []string{"Key point " + strconv.Itoa(i+1)}
	}
	for k := range sentences {
		w := func(j int) string { return benchWords[(k*7+j*3)%len(benchWords)] }
		s := fmt.Sprintf("The %s near the %s changed how every %s thinks about %s and %s today.", w(0), w(1), w(2), w(3), w(4))
		out[k*sections/sentences].Spoken = append(out[k*sections/sentences].Spoken, s)
	}
	return out
}

type benchCase struct {
	format   string
	seconds  float64
	sections int
}

func BenchmarkRenderShort60s(b *testing.B) {
	benchRender(b, benchCase{format: FormatShorts, seconds: 60, sections: 5})
}

func BenchmarkRenderLong10min(b *testing.B) {
	benchRender(b, benchCase{format: FormatLong, seconds: 600, sections: 10})
}

func benchRender(b *testing.B, bc benchCase) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		b.Fatalf("espeak-ng must be installed: %v", err)
	}
	r := New(Options{Voice: &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}}})
	if _, err := r.Check(context.Background()); err != nil {
		b.Fatal(err)
	}
	job := Job{PackageID: "bench", Format: bc.format, Language: "en", Title: "A benchmark video", ThumbnailText: "Benchmark",
		Sections: benchScript(bc.seconds, bc.sections)}

	// The plain command's inputs come from one render done beforehand: the
	// voice track, the timings, the card picture.
	prep := b.TempDir()
	job.OutDir = filepath.Join(prep, "out")
	m, err := r.Render(context.Background(), job, nil)
	if err != nil {
		b.Fatal(err)
	}
	plain := plainCommand(b, r, job, m, prep)

	b.Run("pipeline", func(b *testing.B) {
		var wall, cpu time.Duration
		var ffRSS, appRSS int64
		for range b.N {
			job.OutDir = filepath.Join(b.TempDir(), "out")
			resetPeakRSS()
			start, cpu0 := time.Now(), cpuTime()
			m, err := r.Render(context.Background(), job, nil)
			if err != nil {
				b.Fatal(err)
			}
			wall += time.Since(start)
			cpu += cpuTime() - cpu0
			ffRSS = max(ffRSS, m.PeakRSSKB)
			appRSS = max(appRSS, selfPeakRSSKB())
		}
		reportRender(b, wall, cpu, m.Seconds, ffRSS, appRSS)
	})
	b.Run("plain-ffmpeg", func(b *testing.B) {
		var wall, cpu time.Duration
		var ffRSS int64
		for range b.N {
			out := filepath.Join(b.TempDir(), "plain.mp4")
			cmd := exec.Command(r.tools.FFmpeg, append(plain, out)...)
			cmd.Dir = prep
			start, cpu0 := time.Now(), cpuTime()
			if msg, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("plain ffmpeg: %v\n%s", err, msg)
			}
			wall += time.Since(start)
			cpu += cpuTime() - cpu0
			ffRSS = max(ffRSS, peakRSSKB(cmd.ProcessState))
		}
		reportRender(b, wall, cpu, m.Seconds, ffRSS, 0)
	})
}

func reportRender(b *testing.B, wall, cpu time.Duration, seconds float64, ffRSS, appRSS int64) {
	per := wall.Seconds() / float64(b.N)
	b.ReportMetric(per, "s/render")
	// CPU time of the app and every program it ran: what the render costs
	// whatever else the machine is doing.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/render")
	b.ReportMetric(seconds, "video-s")
	b.ReportMetric(seconds/per, "x-realtime")
	b.ReportMetric(float64(ffRSS)/1024, "ffmpeg-peak-MB")
	if appRSS > 0 {
		b.ReportMetric(float64(appRSS)/1024, "app-peak-MB")
		b.ReportMetric(float64(ffRSS+appRSS)/1024, "sum-peak-MB")
	}
	b.ReportMetric(loadAverage(), "load")
}

// plainCommand is one ffmpeg command for the pipeline's frames: per
// section the card picture with its heading and notes and its slow zoom,
// joined by the concat filter; the title, captions and (for Shorts) the
// progress bar burned in by one ass filter; encoded with the same x264
// settings and muxed with the voice track.
func plainCommand(b *testing.B, r *Renderer, job Job, m Manifest, dir string) []string {
	job, _ = job.validate()
	brand, _ := parseColor(job.Brand.Color)
	rn := &run{r: r, tools: *r.tools, job: job, geo: geometryOf(job.Format), brand: brand,
		font: fontChoice{Family: job.Brand.Font}, work: dir, m: m}
	still, err := rn.cardStill(rn.geo.W, rn.geo.H, false)
	if err != nil {
		b.Fatal(err)
	}
	// One input per section, each with its slide and its move, joined by
	// the concat filter; the live overlay over the whole.
	frames := int(math.Round(m.Seconds * fps))
	live := captionEvents(m.Sentences, rn.geo, rn.highlight())
	var inputs []string
	var graph strings.Builder
	cover := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1,format=yuv420p", rn.geo.W, rn.geo.H, rn.geo.W, rn.geo.H)
	for i, sec := range m.Sections {
		first := int(math.Round(sec.Start * fps))
		s := segment{index: i, first: first, count: int(math.Round(sec.End*fps)) - first}
		slide, l := rn.overlayEvents(s, nil)
		live = append(live, l...)
		inputs = append(inputs, "-i", still)
		fmt.Fprintf(&graph, "[%d:v]%s", i, cover)
		if len(slide) > 0 {
			name := fmt.Sprintf("plain-slide-%d.ass", i)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(rn.assHeader()+assEvents(slide, 0)), 0o644); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(&graph, ",ass=%s", name)
		}
		fmt.Fprintf(&graph, ",zoompan=%s:d=%d:s=%dx%d:fps=%d[s%d];", kenBurns(i, s.count), s.count, rn.geo.W, rn.geo.H, fps, i)
	}
	for i := range m.Sections {
		fmt.Fprintf(&graph, "[s%d]", i)
	}
	fmt.Fprintf(&graph, "concat=n=%d:v=1:a=0,ass=plain.ass[v]", len(m.Sections))
	if err := os.WriteFile(filepath.Join(dir, "plain.ass"), []byte(rn.assHeader()+assEvents(live, 0)), 0o644); err != nil {
		b.Fatal(err)
	}
	audio := filepath.Join(job.OutDir, workDir, audioFile)
	args := append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, inputs...)
	args = append(args, "-i", audio, "-filter_complex", graph.String(),
		"-map", "[v]", "-map", fmt.Sprintf("%d:a", len(m.Sections)), "-frames:v", strconv.Itoa(frames))
	args = append(args, rn.x264Args()...)
	return append(args, "-c:a", "copy", "-f", "mp4")
}

// cpuTime is the CPU time of this process and of its waited-for children.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// resetPeakRSS clears this process's high-water mark (Linux), so each
// iteration measures its own peak.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// selfPeakRSSKB is this process's VmHWM in KiB (0 where unknown).
func selfPeakRSSKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return 0
}

func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
