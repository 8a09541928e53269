package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ManifestVersion is the manifest format; older ones are read as empty, so
// a render after an upgrade starts over instead of trusting old hashes.
const ManifestVersion = 1

// Output file names inside OutDir.
const (
	ManifestFile  = "manifest.json"
	VideoFile     = "video.mp4"
	CaptionsFile  = "captions.srt"
	ThumbnailFile = "thumbnail.jpg"
	workDir       = ".work"
	lockFile      = ".lock"
)

// maxManifestBytes caps the manifest the decoder reads. A long-form
// manifest with 2,000 sentences is about 400 KB.
const maxManifestBytes = 4 << 20

// Manifest describes a package's render: the files next to it, the
// sentence timings, and the hash of each stage's inputs. manifest.json in
// OutDir describes the published files; a working copy in OutDir/.work
// records stages finished since, for resuming.
type Manifest struct {
	Version   int    `json:"version"`
	PackageID string `json:"package_id"`
	ChannelID string `json:"channel_id,omitempty"`
	Format    string `json:"format"`
	Language  string `json:"language"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	FPS       int    `json:"fps"`
	// Seconds is the voice track's length, which is the video's length.
	Seconds   float64   `json:"seconds"`
	Video     *FileInfo `json:"video,omitempty"`
	Captions  *FileInfo `json:"captions,omitempty"`
	Thumbnail *FileInfo `json:"thumbnail,omitempty"`
	// Loudness is the audio track's loudness as written (measured in the
	// pass that encoded it).
	Loudness  *Loudness         `json:"loudness,omitempty"`
	Sentences []SentenceTiming  `json:"sentences,omitempty"`
	Sections  []SectionInfo     `json:"sections,omitempty"`
	Music     string            `json:"music,omitempty"`
	Voices    []string          `json:"voices,omitempty"` // engines that spoke
	Thumb     *ThumbnailInfo    `json:"thumb,omitempty"`
	Notes     []string          `json:"notes,omitempty"` // e.g. media files skipped
	Stages    map[string]Stage  `json:"stages,omitempty"`
	Segments  map[string]string `json:"segments,omitempty"` // section index → hash of its encoded segment
	Media     map[string]string `json:"media,omitempty"`    // media identity → "" if usable, else why not
	FFmpeg    string            `json:"ffmpeg,omitempty"`   // ffmpeg version that rendered
	// RenderedAt is when the published files were put in place.
	RenderedAt time.Time `json:"rendered_at,omitzero"`
	// PeakRSSKB is the largest resident memory of one ffmpeg run in this
	// render, in KiB (0 where the platform does not say).
	PeakRSSKB int64 `json:"peak_rss_kb,omitempty"`
}

// FileInfo is one output file, by name inside OutDir.
type FileInfo struct {
	Name  string `json:"name"`
	Bytes int64  `json:"bytes"`
}

// Loudness is an EBU R128 measurement.
type Loudness struct {
	IntegratedLUFS float64 `json:"integrated_lufs"`
	TruePeakDBTP   float64 `json:"true_peak_dbtp"`
	RangeLU        float64 `json:"range_lu"`
	GainDB         float64 `json:"gain_db"` // the last pass's linear correction
}

// SentenceTiming is where a spoken sentence sits in the voice track.
type SentenceTiming struct {
	Section int     `json:"section"`
	Text    string  `json:"text"`
	Start   float64 `json:"start"` // seconds
	End     float64 `json:"end"`
	Engine  string  `json:"engine,omitempty"`
	Key     string  `json:"key"` // names the sentence's cached audio
}

// SectionInfo is a section's place in the video and its visual.
type SectionInfo struct {
	Heading string  `json:"heading,omitempty"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Media   string  `json:"media,omitempty"` // file name in MediaDir; empty for a title card
}

// ThumbnailInfo records the thumbnail's colours and their WCAG contrast.
type ThumbnailInfo struct {
	Text     string  `json:"text"`
	Color    string  `json:"color"`   // text fill
	Outline  string  `json:"outline"` // outline and shadow behind the text
	Contrast float64 `json:"contrast"`
	Media    string  `json:"media,omitempty"`
}

// Stage records a finished stage.
type Stage struct {
	Hash    string    `json:"hash"` // of the stage's inputs
	At      time.Time `json:"at"`
	Seconds float64   `json:"seconds"` // how long it took
}

// DecodeManifest reads a manifest of at most maxManifestBytes.
func DecodeManifest(r io.Reader) (Manifest, error) {
	var m Manifest
	b, err := io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
	if err != nil {
		return m, fmt.Errorf("read manifest: %w", err)
	}
	if len(b) > maxManifestBytes {
		return m, fmt.Errorf("read manifest: larger than %d bytes", maxManifestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("decode manifest: %w", err)
	}
	if dec.More() {
		return Manifest{}, errors.New("decode manifest: trailing data")
	}
	if m.Version != ManifestVersion {
		return Manifest{}, fmt.Errorf("decode manifest: version %d, want %d", m.Version, ManifestVersion)
	}
	for _, s := range m.Sentences {
		if s.End < s.Start || s.Start < 0 {
			return Manifest{}, fmt.Errorf("decode manifest: sentence %q ends before it starts", s.Key)
		}
	}
	return m, nil
}

// ReadManifest reads OutDir's published manifest. A missing file is
// os.ErrNotExist.
func ReadManifest(outDir string) (Manifest, error) {
	return readManifestFile(filepath.Join(outDir, ManifestFile))
}

func readManifestFile(path string) (Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	return DecodeManifest(f)
}

// tidy returns m with empty collections as nil, as a decoded manifest has
// them, so a returned manifest equals the one read back from disk.
func (m Manifest) tidy() Manifest {
	if len(m.Stages) == 0 {
		m.Stages = nil
	}
	if len(m.Segments) == 0 {
		m.Segments = nil
	}
	if len(m.Media) == 0 {
		m.Media = nil
	}
	if len(m.Notes) == 0 {
		m.Notes = nil
	}
	if len(m.Sentences) == 0 {
		m.Sentences = nil
	}
	if len(m.Sections) == 0 {
		m.Sections = nil
	}
	if len(m.Voices) == 0 {
		m.Voices = nil
	}
	return m
}

func (m Manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(b, '\n'), nil
}

func writeManifest(path string, m Manifest) error {
	b, err := m.encode()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}
