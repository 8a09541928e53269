package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Thumbnail geometry and limits (YouTube: 1280×720, under 2 MB).
const (
	thumbW, thumbH     = 1280, 720
	maxThumbnailBytes  = 2 << 20
	thumbnailAlgorithm = 1
)

// thumbnailStage draws the thumbnail: the text large, in the brand colour,
// with a thick outline in black or white, whichever contrasts more with
// the brand colour; that pair always reaches WCAG AA (≥ 4.5:1), and the
// ratio is recorded. Behind it, the media image that best matches the
// title, darkened, or a dark brand card.
func (rn *run) thumbnailStage(ctx context.Context) error {
	text := rn.job.ThumbnailText
	if text == "" {
		text = rn.job.Title
	}
	if text == "" {
		text = rn.job.Sections[0].Heading
	}
	assign, err := rn.assignMedia(ctx)
	if err != nil {
		return err
	}
	img, err := rn.pickThumbnailImage(ctx, assign)
	if err != nil {
		return err
	}
	fill, outline := rn.brand, contrasting(rn.brand)
	ratio := ContrastRatio(fill, outline)
	if ratio < MinContrast {
		// Unreachable with black or white outlines (one always gives √21),
		// kept so the guarantee does not rest on arithmetic alone.
		fill, outline, ratio = white, black, 21
	}
	imgID := ""
	if img != nil {
		imgID = img.ID
	}
	ass := thumbnailASS(rn.font.Family, text, fill, outline)
	in := []any{"thumbnail", thumbnailAlgorithm, ass, imgID, rn.brand, rn.font}
	return rn.stage(ctx, StageThumbnail, hashOf(in), []string{ThumbnailFile}, func(ctx context.Context) error {
		rn.m.Thumb = &ThumbnailInfo{Text: text, Color: fill.Hex(), Outline: outline.Hex(), Contrast: roundTo(ratio, 2)}
		if img != nil {
			rn.m.Thumb.Media = img.Name
		}
		return rn.renderThumbnail(ctx, img, ass)
	})
}

func (rn *run) renderThumbnail(ctx context.Context, img *mediaFile, ass string) error {
	assPath := filepath.Join(rn.work, "thumbnail.ass")
	if err := writeFileAtomic(assPath, []byte(ass)); err != nil {
		return err
	}
	defer os.Remove(assPath)
	cover := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1", thumbW, thumbH, thumbW, thumbH)
	var input string
	if img != nil {
		input = img.Path
		cover += ",drawbox=x=0:y=0:w=iw:h=ih:color=black@0.45:t=fill"
	} else {
		var err error
		if input, err = rn.cardStill(thumbW, thumbH, true); err != nil {
			return err
		}
	}
	overlay := "ass=filename=thumbnail.ass"
	if rn.font.Dir != "" {
		overlay += ":fontsdir=" + filterEscape(rn.font.Dir)
	}
	final := filepath.Join(rn.work, ThumbnailFile)
	for _, q := range []int{2, 5, 9, 15} {
		tmp := tempPath(final)
		_, err := rn.ff(ctx, ffCall{op: "draw thumbnail", dir: rn.work, args: []string{"-i", input,
			"-vf", cover + "," + overlay + ",format=yuvj420p", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", strconv.Itoa(q),
			"-f", "image2", "-update", "1", filepath.Base(tmp)}})
		if err != nil {
			os.Remove(tmp)
			return err
		}
		if st, err := os.Stat(tmp); err == nil && st.Size() < maxThumbnailBytes {
			rn.tr.report(StageThumbnail, 1, "")
			return commitTemp(tmp, final, nil)
		}
		os.Remove(tmp)
	}
	return fmt.Errorf("draw thumbnail: still %d MB or more at the lowest quality", maxThumbnailBytes>>20)
}

// thumbnailASS sets the text centred, as large as its longest line allows
// (readable even at 168×94), in up to three balanced lines.
func thumbnailASS(family, text string, fill, outline RGB) string {
	lines := balanceLines(text, 3, 16)
	longest := 0
	for _, l := range lines {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	// A bold sans glyph is about 0.6 em wide; keep 90 % of the width.
	size := min(170, int(float64(thumbW)*0.9/(0.6*float64(max(longest, 1)))), 600/len(lines))
	size = max(size, 64)
	var b strings.Builder
	fmt.Fprintf(&b, "[Script Info]\nScriptType: v4.00+\nPlayResX: %d\nPlayResY: %d\nWrapStyle: 2\nScaledBorderAndShadow: yes\nYCbCr Matrix: TV.709\n\n", thumbW, thumbH)
	b.WriteString("[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n")
	fmt.Fprintf(&b, "Style: Thumb,%s,%d,%s,%s,%s,%s,-1,0,0,0,100,100,0,0,1,%d,%d,5,60,60,40,-1\n",
		family, size, fill.ass(0), fill.ass(0), outline.ass(0), outline.ass(0x40), max(6, size/11), max(4, size/16))
	b.WriteString("\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")
	escaped := make([]string, len(lines))
	for i, l := range lines {
		escaped[i] = assEscape(l)
	}
	fmt.Fprintf(&b, "Dialogue: 0,0:00:00.00,9:00:00.00,Thumb,,0,0,0,,%s\n", strings.Join(escaped, `\N`))
	return b.String()
}

// balanceLines splits text into at most maxLines lines of similar length,
// aiming at width characters a line.
func balanceLines(text string, maxLines, width int) []string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return []string{""}
	}
	n := min(maxLines, max(1, (utf8.RuneCountInString(text)+width-1)/width), len(words))
	target := float64(utf8.RuneCountInString(text)) / float64(n)
	var lines []string
	var cur []string
	curLen := 0
	for i, w := range words {
		wl := utf8.RuneCountInString(w)
		remainingLines := n - len(lines)
		if len(cur) > 0 && remainingLines > 1 && float64(curLen+1+wl/2) > target && len(words)-i >= remainingLines-1 {
			lines = append(lines, strings.Join(cur, " "))
			cur, curLen = nil, 0
		}
		if curLen > 0 {
			curLen++
		}
		cur = append(cur, w)
		curLen += wl
	}
	return append(lines, strings.Join(cur, " "))
}

func roundTo(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
