package render

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The Go meter agrees with ffmpeg's ebur128 on real speech and on a tone.
func TestMeterMatchesFFmpeg(t *testing.T) {
	for _, p := range []string{"ffmpeg", "espeak-ng"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s must be installed: %v", p, err)
		}
	}
	dir := t.TempDir()
	speech := filepath.Join(dir, "speech.wav")
	cmd := exec.Command("espeak-ng", "-w", speech, "--stdin")
	cmd.Stdin = strings.NewReader("The quick brown fox jumps over the lazy dog. Loudness is measured in LUFS, as EBU R128 says.")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v %s", err, out)
	}
	tone := filepath.Join(dir, "tone.wav")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=997:r=44100:d=5", "-af", "volume=-6dB",
		"-c:a", "pcm_s16le", tone).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	for _, path := range []string{speech, tone} {
		f, w, err := openWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		m := newMeter(w.SampleRate)
		data := make([]byte, w.DataBytes)
		if _, err := f.ReadAt(data, w.DataOffset); err != nil {
			t.Fatal(err)
		}
		f.Close()
		m.Write(data[:7]) // odd split: a sample across two writes
		m.Write(data[7:])
		out, err := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", path, "-af", "ebur128=framelog=verbose", "-f", "null", "-").CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		sums, err := parseEBUR128(string(out))
		if err != nil {
			t.Fatal(err)
		}
		got, want := m.integrated(), sums[len(sums)-1].IntegratedLUFS
		if math.Abs(got-want) > 0.2 {
			t.Fatalf("%s: Go meter %.2f LUFS, ffmpeg %.1f", filepath.Base(path), got, want)
		}
	}
	if got := newMeter(48000).integrated(); !math.IsInf(got, -1) {
		t.Fatalf("silence measured %.2f", got)
	}
	_ = os.Remove(speech)
}
