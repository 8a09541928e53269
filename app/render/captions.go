package render

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Work file of the captions stage (the SRT is published as CaptionsFile).
const captionsASS = "captions.ass"

const captionsAlgorithm = 1

// captionsStage writes the SRT (cue times are the sentence timings) and
// the burned-in captions as ASS (2–4 words at a time, the word being
// spoken highlighted).
func (rn *run) captionsStage(ctx context.Context) error {
	in := []any{"captions", captionsAlgorithm, rn.m.Stages[StageVoice].Hash, rn.geo, rn.font.Family, rn.brand}
	return rn.stage(ctx, StageCaptions, hashOf(in), []string{CaptionsFile, captionsASS}, func(ctx context.Context) error {
		if err := writeFileAtomic(filepath.Join(rn.work, CaptionsFile), srt(rn.m.Sentences)); err != nil {
			return err
		}
		ass := rn.assHeader() + assEvents(captionEvents(rn.m.Sentences, rn.geo, rn.highlight()), 0)
		return writeFileAtomic(filepath.Join(rn.work, captionsASS), []byte(ass))
	})
}

// srt renders one cue per sentence, timed exactly as the sentence sits in
// the voice track, wrapped to two lines of about 42 characters.
func srt(sentences []SentenceTiming) []byte {
	var b strings.Builder
	for i, s := range sentences {
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, srtTime(s.Start), srtTime(s.End), wrapTwo(s.Text, 42))
	}
	return []byte(b.String())
}

// srtTime is HH:MM:SS,mmm.
func srtTime(sec float64) string {
	ms := int64(math.Round(sec * 1000))
	if ms < 0 {
		ms = 0
	}
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// assTime is H:MM:SS.cc.
func assTime(sec float64) string {
	cs := int64(math.Round(sec * 100))
	if cs < 0 {
		cs = 0
	}
	return fmt.Sprintf("%d:%02d:%02d.%02d", cs/360000, cs/6000%60, cs/100%60, cs%100)
}

// wrapTwo breaks text longer than width at the space nearest its middle.
func wrapTwo(text string, width int) string {
	if utf8.RuneCountInString(text) <= width {
		return text
	}
	mid := len(text) / 2
	best := -1
	for i, r := range text {
		if r == ' ' && (best < 0 || abs(i-mid) < abs(best-mid)) {
			best = i
		}
	}
	if best < 0 {
		return text
	}
	return text[:best] + "\n" + text[best+1:]
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// assEvent is one Dialogue line.
type assEvent struct {
	Layer      int
	Start, End float64
	Style      string
	Text       string // already escaped, with override tags
}

func assEvents(events []assEvent, shift float64) string {
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "Dialogue: %d,%s,%s,%s,,0,0,0,,%s\n", e.Layer, assTime(e.Start-shift), assTime(e.End-shift), e.Style, e.Text)
	}
	return b.String()
}

// assEscape makes text literal in an ASS event: braces would open
// override blocks and a backslash could start \N or \h.
func assEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, "\\\u2060")
	s = strings.ReplaceAll(s, "{", `\{`)
	return strings.ReplaceAll(s, "}", `\}`)
}

// captionLimits: Shorts show up to 3 large words, long-form up to 4.
func captionLimits(g geometry) (maxWords, maxRunes int) {
	if g.shorts {
		return 3, 16 // about one line at 86 px in the 840 px between the margins
	}
	return 4, 28
}

// captionEvents splits each sentence into chunks of 2–4 words and gives
// every word of a chunk its own event with that word highlighted. Word
// times share the sentence's time by length, with a little extra after
// punctuation, where speech pauses.
func captionEvents(sentences []SentenceTiming, g geometry, highlight RGB) []assEvent {
	maxWords, maxRunes := captionLimits(g)
	var events []assEvent
	for _, s := range sentences {
		words := splitWords(s.Text, maxRunes)
		if len(words) == 0 {
			continue
		}
		times := wordTimes(words, s.Start, s.End)
		for _, c := range chunkWords(words, maxWords, maxRunes) {
			for i := c[0]; i < c[1]; i++ {
				var b strings.Builder
				for k := c[0]; k < c[1]; k++ {
					if k > c[0] {
						b.WriteByte(' ')
					}
					if k == i {
						b.WriteString(`{\1c` + highlight.assInline() + `}` + assEscape(words[k]) + `{\r}`)
					} else {
						b.WriteString(assEscape(words[k]))
					}
				}
				end := times[i+1]
				if i == c[1]-1 && c[1] == len(words) {
					end = s.End
				}
				events = append(events, assEvent{Layer: 2, Start: times[i], End: end, Style: "Caption", Text: b.String()})
			}
		}
	}
	return events
}

// splitWords splits on spaces; a "word" longer than maxRunes (scripts
// written without spaces) is cut into pieces that fit.
func splitWords(text string, maxRunes int) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		r := []rune(w)
		for len(r) > maxRunes {
			out = append(out, string(r[:maxRunes]))
			r = r[maxRunes:]
		}
		if len(r) > 0 {
			out = append(out, string(r))
		}
	}
	return out
}

// wordTimes returns len(words)+1 boundaries from start to end.
func wordTimes(words []string, start, end float64) []float64 {
	weights := make([]float64, len(words))
	total := 0.0
	for i, w := range words {
		weights[i] = float64(utf8.RuneCountInString(w)) + 1
		if r, _ := utf8.DecodeLastRuneInString(w); unicode.IsPunct(r) {
			weights[i] += 3
		}
		total += weights[i]
	}
	times := make([]float64, len(words)+1)
	times[0] = start
	acc := 0.0
	for i, w := range weights {
		acc += w
		times[i+1] = start + (end-start)*acc/total
	}
	times[len(words)] = end
	return times
}

// chunkWords groups word indexes into [from, to) chunks of at most
// maxWords words and maxRunes characters, ending a chunk after
// punctuation once it has two words, and never leaving one word alone at
// the end: it joins the chunk before (up to three words), or takes that
// chunk's last word.
func chunkWords(words []string, maxWords, maxRunes int) [][2]int {
	var chunks [][2]int
	from, runes := 0, 0
	for i, w := range words {
		n := utf8.RuneCountInString(w)
		if i > from && (i-from >= maxWords || runes+1+n > maxRunes) {
			chunks = append(chunks, [2]int{from, i})
			from, runes = i, 0
		}
		if runes > 0 {
			runes++
		}
		runes += n
		last, _ := utf8.DecodeLastRuneInString(w)
		if i+1-from >= 2 && strings.ContainsRune(",;:.!?—–", last) && i+1 < len(words) {
			chunks = append(chunks, [2]int{from, i + 1})
			from, runes = i+1, 0
		}
	}
	if from < len(words) {
		chunks = append(chunks, [2]int{from, len(words)})
	}
	if n := len(chunks); n >= 2 && chunks[n-1][1]-chunks[n-1][0] == 1 {
		prev := chunks[n-2]
		// Joining may make the last chunk one word longer than maxWords,
		// up to the four words a caption can hold.
		if prev[1]-prev[0] < max(maxWords, 3) {
			chunks[n-2][1] = chunks[n-1][1]
			chunks = chunks[:n-1]
		} else if prev[1]-prev[0] >= 3 {
			chunks[n-2][1]--
			chunks[n-1][0]--
		}
	}
	return chunks
}

// highlight is the colour of the word being spoken: the brand colour when
// it stands out against the black outline and the white words, else a
// caption yellow.
func (rn *run) highlight() RGB {
	if ContrastRatio(rn.brand, black) >= 7 && ContrastRatio(rn.brand, white) >= 1.3 {
		return rn.brand
	}
	return RGB{0xFF, 0xE1, 0x4D}
}

// assHeader is the ASS script header with the styles for the format.
// Positions keep clear of the Shorts interface: the top 15 % (search and
// menu), the bottom 30 % (title, channel, description) and the right
// 150 px (like, comment, share buttons).
func (rn *run) assHeader() string {
	g := rn.geo
	font := rn.font.Family
	type style struct {
		name                string
		size                int
		bold                bool
		primary, outline    RGB
		back                string
		border, shadow      float64
		align               int
		marginL, marginR, v int
	}
	var styles []style
	bg := paletteOf(rn.brand)
	if g.shorts {
		styles = []style{
			{"Caption", 86, true, white, black, "&H80000000", 7, 3, 2, 100, 140, 580},
			{"Heading", 88, true, white, black, "&H80000000", 5, 2, 8, 100, 150, 300},
			{"CardHeading", 88, true, bg.text, bg.outline, "&H00000000", 3, 0, 8, 100, 150, 300},
			{"Title", 104, true, white, black, "&H80000000", 7, 3, 5, 100, 150, 0},
			{"CardTitle", 104, true, bg.text, bg.outline, "&H00000000", 3, 0, 5, 100, 150, 0},
			{"Bar", 10, false, rn.brand, black, "&H00000000", 0, 0, 7, 0, 0, 0},
		}
	} else {
		styles = []style{
			{"Caption", 68, true, white, black, "&H80000000", 5, 2, 2, 200, 200, 70},
			{"Heading", 80, true, white, black, "&H80000000", 4, 2, 7, 140, 600, 110},
			{"CardHeading", 80, true, bg.text, bg.outline, "&H00000000", 2, 0, 7, 140, 600, 110},
			{"Title", 110, true, white, black, "&H80000000", 6, 3, 5, 160, 160, 0},
			{"CardTitle", 110, true, bg.text, bg.outline, "&H00000000", 2, 0, 5, 160, 160, 0},
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[Script Info]\nScriptType: v4.00+\nPlayResX: %d\nPlayResY: %d\nWrapStyle: 0\nScaledBorderAndShadow: yes\nYCbCr Matrix: TV.709\n\n", g.W, g.H)
	b.WriteString("[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n")
	for _, s := range styles {
		bold := 0
		if s.bold {
			bold = -1
		}
		// Encoding -1: libass detects each line's base direction, so
		// right-to-left text (Arabic, Hebrew) is laid out correctly.
		fmt.Fprintf(&b, "Style: %s,%s,%d,%s,%s,%s,%s,%d,0,0,0,100,100,0,0,1,%g,%g,%d,%d,%d,%d,-1\n",
			s.name, font, s.size, s.primary.ass(0), s.primary.ass(0), s.outline.ass(0), s.back, bold,
			s.border, s.shadow, s.align, s.marginL, s.marginR, s.v)
	}
	b.WriteString("\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")
	return b.String()
}

// cardPalette is a title card's look: a dark gradient of the brand colour
// (from → to, with softly lighter discs), the heading in the brand colour
// when it reaches WCAG AA against both ends of the gradient, else in
// white; outlined in black.
type cardPalette struct{ from, to, disc, text, outline RGB }

func paletteOf(brand RGB) cardPalette {
	p := cardPalette{from: shade(brand, -0.55), to: shade(brand, -0.82), disc: shade(brand, -0.3), text: brand, outline: black}
	if min(ContrastRatio(brand, p.from), ContrastRatio(brand, p.to), ContrastRatio(brand, p.disc)) < MinContrast {
		p.text = white
	}
	return p
}
