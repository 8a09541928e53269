package render

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// drawCaption burns the caption events of one sentence, as the renderer
// writes them, onto a grey frame with real ffmpeg and libass, and returns
// the frame as RGB.
func drawCaption(t *testing.T, text string, at float64) []byte {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatalf("ffmpeg must be installed: %v", err)
	}
	rn := &run{geo: geometryOf(FormatShorts), brand: RGB{0, 0xE5, 0xFF}, font: fontChoice{Family: DefaultFont}}
	events := captionEvents([]SentenceTiming{{Text: text, Start: 0, End: 3}}, rn.geo, rn.highlight())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c.ass"), []byte(rn.assHeader()+assEvents(events, 0)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=0x404040:s=1080x1920:r=30:d=3",
		"-vf", "ass=c.ass", "-ss", fmt.Sprintf("%.2f", at), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || len(out) != 1080*1920*3 {
		t.Fatalf("ffmpeg: %v (%d bytes)", err, len(out))
	}
	return out
}

// inkColumns returns the mean x and the count of pixels matching fn.
func inkStats(pix []byte, fn func(r, g, b byte) bool) (meanX float64, n int) {
	sum := 0
	for i := 0; i+2 < len(pix); i += 3 {
		if fn(pix[i], pix[i+1], pix[i+2]) {
			sum += (i / 3) % 1080
			n++
		}
	}
	if n == 0 {
		return -1, 0
	}
	return float64(sum) / float64(n), n
}

func isHighlight(r, g, b byte) bool { return r < 60 && g > 180 && b > 200 } // the cyan brand colour

// The word being spoken is highlighted where it is on screen: the first
// word of a right-to-left sentence is on the right.
func TestCaptionsHighlightFollowsTextDirection(t *testing.T) {
	scenarios := []struct {
		name  string
		text  string
		right bool
	}{
		{"left to right", "Water is life", false},
		{"Arabic, right to left", "الماء هو الحياة", true},
		{"Hebrew, right to left", "המים הם חיים", true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			pix := drawCaption(t, sc.text, 0.1) // the first word is being spoken
			x, n := inkStats(pix, isHighlight)
			if n < 500 {
				t.Fatalf("only %d highlighted pixels: the caption was not drawn", n)
			}
			if sc.right != (x > 540) {
				t.Fatalf("first word highlighted at x=%.0f (right=%v)", x, sc.right)
			}
		})
	}
}

// Accented letters are drawn: their marks add ink the bare letters lack,
// and no glyph is missing (a missing glyph draws nothing at all).
func TestCaptionsDrawAccents(t *testing.T) {
	white := func(r, g, b byte) bool { return r > 230 && g > 230 && b > 230 }
	_, plain := inkStats(drawCaption(t, "AEIOU CAO", 2.9), white)
	_, accented := inkStats(drawCaption(t, "ÁÊÍÕÜ ÇÃO", 2.9), white)
	if plain < 2000 {
		t.Fatalf("plain caption drew %d pixels", plain)
	}
	if accented < plain*105/100 {
		t.Fatalf("accented caption drew %d pixels, plain %d: the marks are missing", accented, plain)
	}
}
