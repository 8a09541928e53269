package render

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func validJob() Job {
	return Job{PackageID: "pkg-1", Format: FormatShorts, Language: "en", Title: "A title",
		Sections: []Section{{Heading: "One", Spoken: []string{"Hello there."}}}, OutDir: "/tmp/x"}
}

func TestJobValidateNamesTheField(t *testing.T) {
	scenarios := []struct {
		name  string
		edit  func(*Job)
		field string
	}{
		{"no package", func(j *Job) { j.PackageID = " " }, "package_id"},
		{"package with a slash", func(j *Job) { j.PackageID = "../etc" }, "package_id"},
		{"no format", func(j *Job) { j.Format = "" }, "format"},
		{"unknown format", func(j *Job) { j.Format = "square" }, "format"},
		{"bad language", func(j *Job) { j.Language = "not a language!" }, "language"},
		{"negative pace", func(j *Job) { j.WordsPerMinute = -1 }, "words_per_minute"},
		{"no sections", func(j *Job) { j.Sections = nil }, "sections"},
		{"nothing spoken", func(j *Job) { j.Sections = []Section{{Heading: "x", Spoken: []string{"  ", ""}}} }, "sections"},
		{"sentence too long", func(j *Job) { j.Sections[0].Spoken = []string{strings.Repeat("a", maxSentenceRunes+1)} }, "sections[0].spoken[0]"},
		{"invalid UTF-8 note", func(j *Job) { j.Sections[0].Notes = []string{"ok", "\xff"} }, "sections[0].notes[1]"},
		{"bad colour", func(j *Job) { j.Brand.Color = "blue-ish" }, "brand.color"},
		{"font family with a comma", func(j *Job) { j.Brand.Font = "Evil,Font" }, "brand.font"},
		{"missing font file", func(j *Job) { j.Brand.Font = "/nope/missing.ttf" }, "brand.font"},
		{"no out dir", func(j *Job) { j.OutDir = "" }, "out_dir"},
		{"title too long", func(j *Job) { j.Title = strings.Repeat("t", maxTitleRunes+1) }, "title"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			j := validJob()
			sc.edit(&j)
			_, err := j.validate()
			var je *JobError
			if !errors.As(err, &je) || !errors.Is(err, ErrInvalidJob) {
				t.Fatalf("err = %v, want a *JobError", err)
			}
			if je.Field != sc.field {
				t.Fatalf("field = %q, want %q (%v)", je.Field, sc.field, err)
			}
		})
	}
}

func TestJobValidateNormalises(t *testing.T) {
	j := validJob()
	j.Language = ""
	j.Title = "  Two\n lines\t here "
	j.Sections = []Section{
		{Heading: "Empty", Spoken: []string{" "}, Notes: []string{"never shown"}},
		{Heading: "Kept", Spoken: []string{" First. ", "", "Second."}, Notes: []string{"", "note"}},
	}
	got, err := j.validate()
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "en" || got.Title != "Two lines here" || got.Brand.Color != DefaultColor || got.Brand.Font != DefaultFont {
		t.Fatalf("defaults not filled: %+v", got)
	}
	want := []Section{{Heading: "Kept", Spoken: []string{"First.", "Second."}, Notes: []string{"note"}}}
	if !reflect.DeepEqual(got.Sections, want) {
		t.Fatalf("sections = %+v, want %+v", got.Sections, want)
	}
}

func TestContrastRatio(t *testing.T) {
	scenarios := []struct {
		a, b string
		want float64
	}{
		{"#FFFFFF", "#000000", 21},
		{"#000000", "#000000", 1},
		{"#777777", "#FFFFFF", 4.48}, // WCAG's classic just-failing grey
		{"#0000FF", "#FFFFFF", 8.59},
		{"#FFCC00", "#000000", 13.89},
	}
	for _, sc := range scenarios {
		a, _ := parseColor(sc.a)
		b, _ := parseColor(sc.b)
		if got := ContrastRatio(a, b); math.Abs(got-sc.want) > 0.01 {
			t.Errorf("ContrastRatio(%s, %s) = %.3f, want %.2f", sc.a, sc.b, got, sc.want)
		}
	}
	// Every colour has black or white at AA or better: the thumbnail's guarantee.
	for v := 0; v < 1<<24; v += 4099 {
		c := RGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}
		if r := ContrastRatio(c, contrasting(c)); r < MinContrast {
			t.Fatalf("%s: best outline reaches only %.2f", c.Hex(), r)
		}
	}
}

func TestParseColor(t *testing.T) {
	for in, want := range map[string]RGB{"#ff8800": {255, 136, 0}, "FF8800": {255, 136, 0}, "#f80": {255, 136, 0}, " #000 ": {}} {
		got, err := parseColor(in)
		if err != nil || got != want {
			t.Errorf("parseColor(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "#12", "#GGGGGG", "#1234567", "red"} {
		if _, err := parseColor(in); err == nil {
			t.Errorf("parseColor(%q) accepted", in)
		}
	}
}

func TestChunkWords(t *testing.T) {
	scenarios := []struct {
		text     string
		maxWords int
		want     []string
	}{
		{"Cats sleep for most of the day.", 3, []string{"Cats sleep for", "most of", "the day."}},
		{"One.", 3, []string{"One."}},
		{"Yes, really, it works every single time.", 4, []string{"Yes, really,", "it works every", "single time."}},
		{"Hello, world and everyone in it.", 3, []string{"Hello, world and", "everyone in it."}},
		{"One two three four five six seven.", 2, []string{"One two", "three four", "five six seven."}},
	}
	for _, sc := range scenarios {
		words := strings.Fields(sc.text)
		var got []string
		for _, c := range chunkWords(words, sc.maxWords, 30) {
			got = append(got, strings.Join(words[c[0]:c[1]], " "))
		}
		if !reflect.DeepEqual(got, sc.want) {
			t.Errorf("chunkWords(%q) = %q, want %q", sc.text, got, sc.want)
		}
	}
}

func TestChunkWordsBounds(t *testing.T) {
	text := "the quick brown fox jumps over the lazy dog and then runs far away from the farm house today"
	words := strings.Fields(text)
	for maxWords := 2; maxWords <= 4; maxWords++ {
		chunks := chunkWords(words, maxWords, 40)
		next := 0
		for i, c := range chunks {
			n := c[1] - c[0]
			if c[0] != next || n < 1 || (n > maxWords && i != len(chunks)-1) {
				t.Fatalf("max %d: chunk %d = %v", maxWords, i, c)
			}
			if n > max(maxWords, 3) {
				t.Fatalf("max %d: chunk %d has %d words", maxWords, i, n)
			}
			if n == 1 && len(chunks) > 1 {
				t.Fatalf("max %d: a lone word in %v", maxWords, chunks)
			}
			next = c[1]
		}
		if next != len(words) {
			t.Fatalf("max %d: chunks stop at %d of %d", maxWords, next, len(words))
		}
	}
}

func TestCaptionEventsHighlightEachWordInTurn(t *testing.T) {
	s := []SentenceTiming{{Text: "Água é vida, {sim} \\N mesmo.", Start: 1, End: 4}}
	events := captionEvents(s, geometryOf(FormatShorts), RGB{255, 0, 0})
	words := strings.Fields(s[0].Text)
	if len(events) != len(words) {
		t.Fatalf("%d events for %d words", len(events), len(words))
	}
	prevEnd := 1.0
	for i, e := range events {
		if e.Start != prevEnd || e.End <= e.Start {
			t.Fatalf("event %d spans %.3f–%.3f after %.3f", i, e.Start, e.End, prevEnd)
		}
		prevEnd = e.End
		if strings.Count(e.Text, `{\1c&H0000FF&}`) != 1 {
			t.Fatalf("event %d highlights %d words: %s", i, strings.Count(e.Text, `\1c`), e.Text)
		}
		if !strings.Contains(e.Text, `{\1c&H0000FF&}`+assEscape(words[i])+`{\r}`) {
			t.Fatalf("event %d does not highlight %q: %s", i, words[i], e.Text)
		}
	}
	if prevEnd != 4 {
		t.Fatalf("captions end at %.3f, sentence at 4", prevEnd)
	}
	// User text never opens an override block or a line break.
	for _, e := range events {
		plain := strings.NewReplacer(`{\1c&H0000FF&}`, "", `{\r}`, "").Replace(e.Text)
		if strings.Contains(strings.ReplaceAll(plain, `\{`, ""), "{") || strings.Contains(plain, `\N`) {
			t.Fatalf("unescaped text: %s", e.Text)
		}
	}
}

func TestSRT(t *testing.T) {
	got := string(srt([]SentenceTiming{
		{Text: "First sentence.", Start: 0.25, End: 2.3109},
		{Text: "A much longer second sentence that will not fit on one line at all.", Start: 3661.5, End: 3665.0004},
	}))
	want := "1\n00:00:00,250 --> 00:00:02,311\nFirst sentence.\n\n" +
		"2\n01:01:01,500 --> 01:01:05,000\nA much longer second sentence that\nwill not fit on one line at all.\n\n"
	if got != want {
		t.Fatalf("srt =\n%q\nwant\n%q", got, want)
	}
}

func TestBalanceLines(t *testing.T) {
	scenarios := map[string][]string{
		"Cats are weird":                        {"Cats are weird"},
		"The five habits that made me rich":     {"The five", "habits that", "made me rich"},
		"Sleep better tonight":                  {"Sleep better", "tonight"},
		"Why nobody tells you this about sleep": {"Why nobody", "tells you this", "about sleep"},
		"Supercalifragilisticexpialidocious":    {"Supercalifragilisticexpialidocious"},
	}
	for in, want := range scenarios {
		if got := balanceLines(in, 3, 16); !reflect.DeepEqual(got, want) {
			t.Errorf("balanceLines(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWordSet(t *testing.T) {
	got := wordSet("Cães_na-praia (final) OCEAN-waves 2024.jpg")
	for _, w := range []string{"cae", "praia", "ocean", "wave", "2024", "jpg"} {
		if !got[w] {
			t.Errorf("missing %q in %v", w, got)
		}
	}
	for _, w := range []string{"na", "final"} {
		if got[w] {
			t.Errorf("kept %q in %v", w, got)
		}
	}
}

func TestFilterEscape(t *testing.T) {
	if got, want := filterEscape(`/a b/it's: [x],y;z\w`), `\'/a b/it\'\\\'\'s: \[x\]\,y\;z\\w\'`; got != want {
		t.Fatalf("filterEscape = %s, want %s", got, want)
	}
}

func TestTrackerPercentNeverGoesBack(t *testing.T) {
	now := time.Unix(0, 0)
	clock := func() time.Time { return now }
	var got []Progress
	tr := newTracker(clock, func(p Progress) { got = append(got, p) }, stageWeights)
	tr.finish(StageVoice, true) // cached: 12 % at once, not counted as speed
	now = now.Add(10 * time.Second)
	tr.report(StageEncode, 0.5, "section 1 of 2") // 12 + 41
	tr.report(StageEncode, 0.25, "")              // late report: held at 53
	tr.finish(StageEncode, false)
	tr.complete()
	if len(got) != 4 {
		t.Fatalf("%d reports", len(got))
	}
	if !got[0].Cached || got[0].Percent != 12 || got[0].Stage != StageVoice {
		t.Fatalf("cached report = %+v", got[0])
	}
	if got[1].Percent != 53 || got[2].Percent != 53 {
		t.Fatalf("percents = %v, %v", got[1].Percent, got[2].Percent)
	}
	// 41 % done in 10 s of this run: 47 % left takes about 11.5 s.
	if r := got[1].Remaining; r < 11*time.Second || r > 12*time.Second {
		t.Fatalf("remaining = %v", r)
	}
	if last := got[len(got)-1]; last.Stage != StageDone || last.Percent != 100 {
		t.Fatalf("last = %+v", last)
	}
}

func TestReadWAVHeader(t *testing.T) {
	pcm := make([]byte, 22050*2)
	good := append(wavHeader(22050, int64(len(pcm))), pcm...)
	streamed := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(streamed[40:], 0xFFFFFFFF)
	withList := append([]byte(nil), good[:36]...)
	withList = append(withList, "LIST\x03\x00\x00\x00abc\x00"...)
	withList = append(withList, good[36:]...)
	for name, b := range map[string][]byte{"plain": good, "streamed size": streamed, "LIST chunk": withList} {
		f, err := readWAVHeader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !f.isMono16() || f.SampleRate != 22050 || f.frames() != 22050 {
			t.Fatalf("%s: %+v", name, f)
		}
	}
	for name, b := range map[string][]byte{"mp3": []byte("ID3\x03 nope"), "short": good[:30], "zero rate": append(append(append([]byte(nil), good[:24]...), 0, 0, 0, 0), good[28:]...)} {
		if _, err := readWAVHeader(bytes.NewReader(b), int64(len(b))); !errors.Is(err, errBadWAV) {
			t.Fatalf("%s: err = %v", name, err)
		}
	}
}

func TestParseEBUR128(t *testing.T) {
	log := `[Parsed_ebur128_2 @ 0x1] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  True peak:
    Peak:       -inf dBFS
Stream mapping:
[Parsed_ebur128_5 @ 0x2] Summary:

  Integrated loudness:
    I:         -31.5 LUFS
    Threshold: -41.0 LUFS

  True peak:
    Peak:      -11.4 dBFS
[Parsed_ebur128_2 @ 0x3] Summary:

  Integrated loudness:
    I:         -20.9 LUFS
    Threshold: -31.0 LUFS

  Loudness range:
    LRA:         0.9 LU
    Threshold: -41.1 LUFS
    LRA low:   -21.6 LUFS
    LRA high:  -20.6 LUFS

  True peak:
    Peak:       -1.4 dBFS
`
	got, err := parseEBUR128(log)
	if err != nil {
		t.Fatal(err)
	}
	want := []ebuSummary{{IntegratedLUFS: -20.9, RangeLU: 0.9, TruePeakDBFS: -1.4}, {IntegratedLUFS: -31.5, TruePeakDBFS: -11.4}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if _, err := parseEBUR128("Stream mapping:\n  nothing here\n"); !errors.Is(err, errNoSummary) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseProgress(t *testing.T) {
	in := "frame=10\nout_time_us=N/A\nprogress=continue\n" +
		"frame=30\nfps=30.0\nout_time_us=1000000\nout_time_ms=1000000\nout_time=00:00:01.000000\nspeed=2.5x\nprogress=continue\n" +
		"frame=45\nout_time=00:00:01.500000\nprogress=end\n"
	var got []ffReport
	parseProgress(strings.NewReader(in), func(r ffReport) { got = append(got, r) })
	want := []ffReport{
		{Frame: 10, OutTime: -1},
		{Frame: 30, OutTime: time.Second, Speed: 2.5},
		{Frame: 45, OutTime: 1500 * time.Millisecond, End: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	// A line over the cap ends parsing but the stream is still drained.
	r := strings.NewReader("progress=continue\n" + strings.Repeat("x", maxProgressLine+10) + "\nprogress=end\n")
	n := 0
	parseProgress(r, func(ffReport) { n++ })
	if n != 1 || r.Len() != 0 {
		t.Fatalf("reports = %d, unread = %d", n, r.Len())
	}
}

func TestDecodeManifest(t *testing.T) {
	m := Manifest{Version: ManifestVersion, PackageID: "p", Format: FormatShorts, Seconds: 3,
		Sentences: []SentenceTiming{{Text: "a", Start: 0.25, End: 1}}, Stages: map[string]Stage{StageVoice: {Hash: "h"}}}
	b, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeManifest(bytes.NewReader(b))
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, got, m)
	}
	for name, in := range map[string]string{
		"old version":   `{"version":0,"package_id":"p"}`,
		"trailing data": string(b) + `{}`,
		"not JSON":      `<xml/>`,
		"backwards":     `{"version":1,"sentences":[{"start":2,"end":1}]}`,
		"too large":     `{"version":1,"notes":["` + strings.Repeat("x", maxManifestBytes) + `"]}`,
	} {
		if _, err := DecodeManifest(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseProbe(t *testing.T) {
	p, err := parseProbe([]byte(`{"programs":[],"streams":[{"codec_type":"audio"},{"codec_type":"video","width":640,"height":480}]}`))
	if err != nil || p.width != 640 || p.height != 480 || !p.hasAudio {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := parseProbe([]byte(`{"streams":`)); err == nil {
		t.Fatal("accepted truncated JSON")
	}
}

func TestSweepTempKeepsOutputs(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, workDir)
	if err := os.MkdirAll(filepath.Join(work, "voice"), 0o755); err != nil {
		t.Fatal(err)
	}
	keep := []string{filepath.Join(dir, VideoFile), filepath.Join(work, audioFile), filepath.Join(work, "voice", "k.wav")}
	drop := []string{filepath.Join(dir, ".tmp-1-video.mp4"), filepath.Join(work, ".tmp-2-audio.m4a"), filepath.Join(work, "voice", ".voice-123")}
	for _, p := range append(keep, drop...) {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sweepTemp(dir)
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", p)
		}
	}
	for _, p := range drop {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left", p)
		}
	}
}
