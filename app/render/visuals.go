package render

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const encodeAlgorithm = 2

// segment is one section's part of the video, encoded on its own.
type segment struct {
	index        int
	first, count int // frames
	media        *mediaFile
	slide        string // ASS drawn on the still before the zoom; empty for none
	ass          string // ASS drawn on every frame
	hash         string
	file         string
}

func (s segment) start() float64 { return float64(s.first) / fps }
func (s segment) end() float64   { return float64(s.first+s.count) / fps }

func isSegmentFile(name string) bool {
	return strings.HasPrefix(name, "seg-") && (strings.HasSuffix(name, ".mp4") || strings.HasSuffix(name, ".ass"))
}

func isStillFile(name string) bool {
	return strings.HasPrefix(name, "card-") && strings.HasSuffix(name, ".png")
}

// encodeStage encodes each section into its own H.264 segment (a killed
// render resumes at the first missing one), then joins them with the
// voice track into the video, index first (+faststart).
func (rn *run) encodeStage(ctx context.Context) error {
	assign, err := rn.assignMedia(ctx)
	if err != nil {
		return err
	}
	segs := rn.planSegments(assign)
	hashes := make([]string, len(segs))
	for i, s := range segs {
		hashes[i] = s.hash
	}
	in := []any{"encode", encodeAlgorithm, rn.m.Stages[StageVoice].Hash, hashes}
	return rn.stage(ctx, StageEncode, hashOf(in), []string{VideoFile}, func(ctx context.Context) error {
		totalFrames := 0
		for _, s := range segs {
			totalFrames += s.count
		}
		doneFrames := 0
		rn.m.Segments = map[string]string{}
		for _, s := range segs {
			detail := fmt.Sprintf("section %d of %d", s.index+1, len(segs))
			if !exists(filepath.Join(rn.work, s.file)) {
				base := doneFrames
				err := rn.encodeSegment(ctx, s, func(f float64) {
					rn.tr.report(StageEncode, 0.97*(float64(base)+f*float64(s.count))/float64(totalFrames), detail)
				})
				if err != nil {
					return err
				}
			}
			doneFrames += s.count
			rn.m.Segments[strconv.Itoa(s.index)] = s.hash
			if err := rn.saveWork(); err != nil {
				return err
			}
			rn.tr.report(StageEncode, 0.97*float64(doneFrames)/float64(totalFrames), detail)
		}
		rn.m.Sections = make([]SectionInfo, len(segs))
		for i, s := range segs {
			rn.m.Sections[i] = SectionInfo{Heading: rn.job.Sections[i].Heading, Start: s.start(), End: s.end()}
			if s.media != nil {
				rn.m.Sections[i].Media = s.media.Name
			}
		}
		return rn.mux(ctx, segs)
	})
}

// planSegments cuts the timeline at each section's first sentence (a
// moment before it, so the card is up when the voice starts) and builds
// each segment's overlay: title, heading and notes, captions, progress bar.
func (rn *run) planSegments(assign []*mediaFile) []segment {
	n := len(rn.job.Sections)
	bounds := make([]int, n+1)
	firstOf := make([]float64, n)
	for i := range firstOf {
		firstOf[i] = -1
	}
	for _, s := range rn.m.Sentences {
		if s.Section < n && firstOf[s.Section] < 0 {
			firstOf[s.Section] = s.Start
		}
	}
	totalFrames := int(math.Round(rn.m.Seconds * fps))
	for i := 1; i < n; i++ {
		t := math.Max(0, firstOf[i]-0.2)
		bounds[i] = max(bounds[i-1]+1, int(math.Round(t*fps)))
	}
	bounds[n] = max(totalFrames, bounds[n-1]+1)
	events := captionEvents(rn.m.Sentences, rn.geo, rn.highlight())
	header := rn.assHeader()
	segs := make([]segment, n)
	for i := range n {
		s := segment{index: i, first: bounds[i], count: bounds[i+1] - bounds[i], media: assign[i]}
		slide, live := rn.overlayEvents(s, events)
		s.ass = header + assEvents(live, s.start())
		if len(slide) > 0 {
			s.slide = header + assEvents(slide, 0)
		}
		mediaID := ""
		if s.media != nil {
			mediaID = s.media.ID
		}
		s.hash = hashOf([]any{"segment", encodeAlgorithm, rn.x264Args(), s.first, s.count,
			mediaID, s.slide, s.ass, rn.brand, rn.font, i % 4})
		s.file = fmt.Sprintf("seg-%03d-%s.mp4", i, s.hash[:16])
		segs[i] = s
	}
	return segs
}

// overlayEvents are the ASS events of one segment, in video time. slide
// holds the text that stays put (the heading and notes): on a still
// picture it is drawn once onto the picture before the zoom, so the slide
// moves as one and costs nothing per frame. live holds what changes: the
// title, the captions, the progress bar, and the slide text too over a
// clip or while the title shows.
func (rn *run) overlayEvents(s segment, captions []assEvent) (slide, live []assEvent) {
	start, end := s.start(), s.end()
	sec := rn.job.Sections[s.index]
	card := s.media == nil
	style := func(name string) string {
		if card {
			return "Card" + name
		}
		return name
	}
	headingFrom := start
	bake := s.media == nil || s.media.Kind == kindImage
	if s.index == 0 && rn.job.Title != "" {
		// The title leads; a section heading, if any, follows it.
		titleEnd := math.Min(end, start+3)
		if sec.Heading != "" || len(sec.Notes) > 0 {
			titleEnd = start + math.Min(3, 0.6*(end-start))
		}
		live = append(live, assEvent{Layer: 1, Start: start, End: titleEnd, Style: style("Title"),
			Text: `{\fad(200,300)}` + assEscape(rn.job.Title)})
		headingFrom = titleEnd
		bake = false
	}
	if headingFrom < end && (sec.Heading != "" || len(sec.Notes) > 0) {
		var b strings.Builder
		if !bake {
			b.WriteString(`{\fad(250,0)}`)
		}
		b.WriteString(assEscape(sec.Heading))
		lines := 0
		if sec.Heading != "" {
			lines = 1
		}
		noteSize := 62
		if !rn.geo.shorts {
			noteSize = 54
		}
		for k, n := range sec.Notes {
			if k == maxNotesPerScreen {
				break
			}
			if lines > 0 {
				b.WriteString(`\N`)
			}
			lines++
			fmt.Fprintf(&b, `{\fs%d\b0}• %s{\r}`, noteSize, assEscape(n))
		}
		e := assEvent{Layer: 1, Start: headingFrom, End: end, Style: style("Heading"), Text: b.String()}
		if bake {
			// Drawn on the still, whose one frame is at time 0.
			e.Start, e.End = 0, 36000
			slide = append(slide, e)
		} else {
			live = append(live, e)
		}
	}
	for _, c := range captions {
		if c.End <= start || c.Start >= end {
			continue
		}
		c.Start, c.End = math.Max(c.Start, start), math.Min(c.End, end)
		live = append(live, c)
	}
	if rn.geo.shorts && rn.m.Seconds > 0 {
		const h = 10
		w := rn.geo.W
		x0 := int(math.Round(float64(w) * start / rn.m.Seconds))
		x1 := int(math.Round(float64(w) * math.Min(1, end/rn.m.Seconds)))
		live = append(live, assEvent{Layer: 5, Start: start, End: end, Style: "Bar",
			Text: fmt.Sprintf(`{\an7\pos(0,0)\bord0\shad0\clip(0,0,%d,%d)\t(\clip(0,0,%d,%d))\p1}m 0 0 l %d 0 %d %d 0 %d`,
				x0, h, x1, h, w, w, h, h)})
	}
	return slide, live
}

// encodeSegment renders one section: its picture (a media file, or the
// brand card) with a slow Ken Burns zoom, the overlay burned in by libass.
func (rn *run) encodeSegment(ctx context.Context, s segment, progress func(float64)) error {
	g := rn.geo
	base := strings.TrimSuffix(s.file, ".mp4")
	assFilter := func(name, text string) (string, error) {
		if err := writeFileAtomic(filepath.Join(rn.work, name), []byte(text)); err != nil {
			return "", err
		}
		f := "ass=filename=" + filterEscape(name)
		if rn.font.Dir != "" {
			f += ":fontsdir=" + filterEscape(rn.font.Dir)
		}
		return f, nil
	}
	overlay, err := assFilter(base+".ass", s.ass)
	defer os.Remove(filepath.Join(rn.work, base+".ass"))
	if err != nil {
		return err
	}
	size := fmt.Sprintf("%dx%d", g.W, g.H)
	cover := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1,format=yuv420p", g.W, g.H, g.W, g.H)
	const darken = "drawbox=x=0:y=0:w=iw:h=ih:color=black@0.38:t=fill"
	var inputs []string
	var graph string
	switch {
	case s.media != nil && s.media.Kind == kindClip:
		inputs = []string{"-stream_loop", "-1", "-i", s.media.Path}
		graph = fmt.Sprintf("[0:v]fps=%d,%s,%s,%s[v]", fps, cover, darken, overlay)
	default:
		still := ""
		pre := cover
		if s.media != nil {
			still = s.media.Path
			pre += "," + darken
		} else if still, err = rn.cardStill(g.W, g.H, false); err != nil {
			return err
		}
		if s.slide != "" {
			slide, err := assFilter(base+"-slide.ass", s.slide)
			defer os.Remove(filepath.Join(rn.work, base+"-slide.ass"))
			if err != nil {
				return err
			}
			pre += "," + slide
		}
		inputs = []string{"-i", still}
		graph = fmt.Sprintf("[0:v]%s,zoompan=%s:d=%d:s=%s:fps=%d,%s[v]", pre, kenBurns(s.index, s.count), s.count, size, fps, overlay)
	}
	args := append(inputs, "-filter_complex", graph, "-map", "[v]", "-frames:v", strconv.Itoa(s.count), "-an")
	args = append(args, rn.x264Args()...)
	final := filepath.Join(rn.work, s.file)
	tmp := tempPath(final)
	args = append(args, "-f", "mp4", filepath.Base(tmp))
	_, err = rn.ff(ctx, ffCall{op: fmt.Sprintf("encode section %d", s.index+1), dir: rn.work, args: args,
		total: time.Duration(float64(s.count) / fps * float64(time.Second)), progress: progress})
	return commitTemp(tmp, final, err)
}

func (rn *run) x264Args() []string {
	// Options.Threads frame threads (4 on 2 cores) and a lookahead of 5
	// frames (veryfast's is 10): at 1080×1920 the whole ffmpeg peaks near
	// 290 MB, where x264's defaults take 340 MB. Sliced threads use less
	// (275 MB) but serialise the filters with the encoder: 25 % slower.
	return []string{"-c:v", "libx264", "-preset", rn.r.opts.Preset, "-crf", strconv.Itoa(rn.r.opts.CRF),
		"-threads", strconv.Itoa(rn.r.opts.Threads), "-x264-params", "rc-lookahead=5",
		"-pix_fmt", "yuv420p", "-r", strconv.Itoa(fps), "-profile:v", "high", "-movflags", "+faststart"}
}

// kenBurns is zoompan's zoom and pan for a section: four slow moves in
// turn (zoom in to the centre, zoom out, zoom in drifting right, zoom in
// drifting up), 10 % over the section.
func kenBurns(index, frames int) string {
	z, x, y := kenBurnsExpr(index, "on", frames)
	return "z='" + z + "':x='" + x + "':y='" + y + "'"
}

// kenBurnsExpr gives the zoom, x and y expressions of a section's move,
// pos being the frame number within the section.
func kenBurnsExpr(index int, pos string, frames int) (z, x, y string) {
	t := "(" + pos + ")/" + strconv.Itoa(max(frames-1, 1)) // 0 → 1 over the section
	z = "1+0.10*" + t
	x, y = "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
	// The drifts stay within the middle half of the spare margin, so text
	// near the edges of the slide stays in the safe area.
	switch index % 4 {
	case 1:
		z = "1.10-0.10*" + t
	case 2:
		x = "(iw-iw/zoom)*(0.25+0.5*" + t + ")"
	case 3:
		y = "(ih-ih/zoom)*(0.75-0.5*" + t + ")"
	}
	return z, x, y
}

// mux joins the segments (concat demuxer, no re-encoding) with the voice
// track into the video, its index at the front for quick playback.
func (rn *run) mux(ctx context.Context, segs []segment) error {
	var list strings.Builder
	list.WriteString("ffconcat version 1.0\n")
	for _, s := range segs {
		fmt.Fprintf(&list, "file '%s'\nduration %.6f\n", s.file, float64(s.count)/fps)
	}
	if err := rn.audio(); err != nil {
		return err
	}
	listPath := filepath.Join(rn.work, "seg-list.txt")
	if err := writeFileAtomic(listPath, []byte(list.String())); err != nil {
		return err
	}
	defer os.Remove(listPath)
	final := filepath.Join(rn.work, VideoFile)
	tmp := tempPath(final)
	args := []string{"-f", "concat", "-safe", "0", "-i", "seg-list.txt", "-i", audioFile,
		"-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", filepath.Base(tmp)}
	_, err := rn.ff(ctx, ffCall{op: "join video and voice", dir: rn.work, args: args})
	if err := commitTemp(tmp, final, err); err != nil {
		return err
	}
	rn.tr.report(StageEncode, 1, "joined")
	return nil
}

// filterEscape quotes a value for an ffmpeg filter option inside a
// filter graph: quoted for the option parser, then escaped for the graph.
func filterEscape(v string) string {
	v = "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
	var b strings.Builder
	for _, r := range v {
		if strings.ContainsRune(`\'[],;`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cardStill draws the background of a title card: a diagonal gradient of
// the dark brand colour with a few soft lighter discs, so the Ken Burns
// zoom shows. dark is the thumbnail's variant, near black. The PNG is cached in the work folder by its parameters.
func (rn *run) cardStill(w, h int, dark bool) (string, error) {
	name := "card-" + hashOf([]any{"card", 2, rn.brand, w, h, dark})[:16] + ".png"
	path := filepath.Join(rn.work, name)
	if exists(path) {
		return name, nil
	}
	p := paletteOf(rn.brand)
	from, to, disc := p.from, p.to, p.disc
	if dark {
		from, to, disc = shade(rn.brand, -0.82), RGB{10, 10, 12}, shade(rn.brand, -0.6)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	discs := []struct{ x, y, r, a float64 }{{0.2, 0.25, 0.35, 0.18}, {0.8, 0.6, 0.45, 0.14}, {0.35, 0.9, 0.3, 0.12}}
	diag := float64(w + h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := float64(x+y) / diag
			r := float64(from.R) + (float64(to.R)-float64(from.R))*t
			gg := float64(from.G) + (float64(to.G)-float64(from.G))*t
			bb := float64(from.B) + (float64(to.B)-float64(from.B))*t
			for _, d := range discs {
				dx, dy := float64(x)-d.x*float64(w), float64(y)-d.y*float64(h)
				rad := d.r * float64(min(w, h))
				if dist := math.Sqrt(dx*dx + dy*dy); dist < rad {
					a := d.a * (1 - dist/rad)
					r += (float64(disc.R) - r) * a
					gg += (float64(disc.G) - gg) * a
					bb += (float64(disc.B) - bb) * a
				}
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r), uint8(gg), uint8(bb), 255})
		}
	}
	tmp := tempPath(path)
	err := func() error {
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(bw, img); err != nil {
			return err
		}
		return bw.Flush()
	}()
	if err != nil {
		err = diskErr(fmt.Errorf("draw title card: %w", err))
	}
	return name, commitTemp(tmp, path, err)
}
