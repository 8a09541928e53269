package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

type mediaKind int

const (
	kindImage mediaKind = iota + 1
	kindClip
	kindAudio
)

var mediaKinds = map[string]mediaKind{
	".jpg": kindImage, ".jpeg": kindImage, ".png": kindImage, ".webp": kindImage, ".bmp": kindImage,
	".mp4": kindClip, ".mov": kindClip, ".m4v": kindClip, ".webm": kindClip, ".mkv": kindClip,
	".mp3": kindAudio, ".m4a": kindAudio, ".aac": kindAudio, ".ogg": kindAudio, ".opus": kindAudio,
	".flac": kindAudio, ".wav": kindAudio,
}

// maxMediaFiles caps how many files of a media folder are considered.
const maxMediaFiles = 5000

// mediaFile is one usable-looking file of the channel's media folder.
type mediaFile struct {
	Name  string
	Path  string
	Kind  mediaKind
	ID    string // name, size and modification time: changes when the file does
	words map[string]bool
}

type mediaSet struct {
	visuals []*mediaFile // images and clips, by name
	audio   []*mediaFile
}

// scanMedia lists the media folder. An empty or missing folder is an
// empty set; only a folder that exists and cannot be read is an error.
func scanMedia(dir string) (*mediaSet, error) {
	set := &mediaSet{}
	if dir == "" {
		return set, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return nil, jobErr("media_dir", "cannot be read: %v", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if len(set.visuals)+len(set.audio) >= maxMediaFiles {
			break
		}
		name := e.Name()
		kind := mediaKinds[strings.ToLower(filepath.Ext(name))]
		if kind == 0 || strings.HasPrefix(name, ".") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		f := &mediaFile{Name: name, Path: filepath.Join(dir, name), Kind: kind,
			ID:    name + "|" + strconv.FormatInt(info.Size(), 10) + "|" + strconv.FormatInt(info.ModTime().UnixNano(), 10),
			words: wordSet(strings.TrimSuffix(name, filepath.Ext(name)))}
		if kind == kindAudio {
			set.audio = append(set.audio, f)
		} else {
			set.visuals = append(set.visuals, f)
		}
	}
	return set, nil
}

// usable checks a media file once (ffprobe, then decoding its first frame
// or second); the verdict is kept in the manifest by the file's identity.
// A file that fails is skipped, with a note in the manifest.
func (rn *run) usable(ctx context.Context, f *mediaFile) (bool, error) {
	if reason, ok := rn.m.Media[f.ID]; ok {
		return reason == "", nil
	}
	reason, err := rn.checkMedia(ctx, f)
	if err != nil {
		return false, err
	}
	rn.m.Media[f.ID] = reason
	return reason == "", nil
}

func (rn *run) checkMedia(ctx context.Context, f *mediaFile) (string, error) {
	out, err := rn.ff(ctx, ffCall{op: "probe " + f.Name, probe: true,
		args: []string{"-show_entries", "stream=codec_type,width,height", "-of", "json", f.Path}})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "ffprobe cannot read it: " + ffReason(err), nil
	}
	p, err := parseProbe([]byte(out))
	if err != nil {
		return "ffprobe cannot read it: " + err.Error(), nil
	}
	decode := []string{"-i", f.Path}
	switch f.Kind {
	case kindAudio:
		if !p.hasAudio {
			return "it has no audio", nil
		}
		decode = append(decode, "-map", "0:a:0", "-t", "2", "-f", "null", "-")
	default:
		if p.width <= 0 || p.height <= 0 {
			return "it has no picture", nil
		}
		decode = append(decode, "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-")
	}
	// A damaged file fails here, or decodes with errors (decoders conceal
	// damage and carry on, logging at error level): either way it is out.
	stderr, err := rn.ff(ctx, ffCall{op: "decode " + f.Name, args: append([]string{"-xerror"}, decode...)})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "it does not decode: " + ffReason(err), nil
	}
	if msg := lastLines(stderr, 2, 160); msg != "" {
		return "it does not decode cleanly: " + msg, nil
	}
	return "", nil
}

func ffReason(err error) string {
	var fe *FFmpegError
	if errors.As(err, &fe) && fe.Stderr != "" {
		return clip(fe.Stderr, 160)
	}
	return clip(err.Error(), 160)
}

type probeInfo struct {
	width, height int
	hasAudio      bool
}

// parseProbe reads ffprobe's JSON (-show_entries stream=… -of json).
func parseProbe(b []byte) (probeInfo, error) {
	var p probeInfo
	if len(b) > maxProbeOutput {
		return p, errors.New("probe output too large")
	}
	var doc struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return p, fmt.Errorf("probe output: %w", err)
	}
	for _, s := range doc.Streams {
		switch s.CodecType {
		case "video":
			if p.width == 0 && s.Width > 0 && s.Height > 0 && s.Width <= 1<<15 && s.Height <= 1<<15 {
				p.width, p.height = s.Width, s.Height
			}
		case "audio":
			p.hasAudio = true
		}
	}
	return p, nil
}

// mediaNotes lists the media files of the folder that were skipped.
func (rn *run) mediaNotes() []string {
	var notes []string
	for _, list := range [][]*mediaFile{rn.media.visuals, rn.media.audio} {
		for _, f := range list {
			if reason := rn.m.Media[f.ID]; reason != "" {
				notes = append(notes, fmt.Sprintf("skipped media file %s: %s", f.Name, reason))
			}
		}
	}
	return notes
}

// pickMusic returns the background music: a usable audio file of the
// media folder, preferring one named like music; nil for none.
func (rn *run) pickMusic(ctx context.Context) (*mediaFile, error) {
	if rn.job.NoMusic || len(rn.media.audio) == 0 {
		return nil, nil
	}
	candidates := append([]*mediaFile(nil), rn.media.audio...)
	sort.SliceStable(candidates, func(i, j int) bool { return musicLike(candidates[i]) && !musicLike(candidates[j]) })
	for _, f := range candidates {
		ok, err := rn.usable(ctx, f)
		if err != nil {
			return nil, err
		}
		if ok {
			return f, nil
		}
	}
	return nil, nil
}

func musicLike(f *mediaFile) bool {
	for _, w := range []string{"music", "musica", "musique", "musik", "background", "bgm", "soundtrack", "fundo"} {
		if f.words[w] {
			return true
		}
	}
	return false
}

// assignMedia picks a visual for every section: the usable file whose name
// shares the most words with the section (heading counts most), preferring
// files not used yet; sections that match nothing take the files in turn.
// A nil entry means a title card.
func (rn *run) assignMedia(ctx context.Context) ([]*mediaFile, error) {
	out := make([]*mediaFile, len(rn.job.Sections))
	used := map[*mediaFile]int{}
	rr := 0
	for i, s := range rn.job.Sections {
		weights := map[string]float64{}
		add := func(text string, w float64) {
			for word := range wordSet(text) {
				weights[word] = max(weights[word], w)
			}
		}
		for _, line := range s.Spoken {
			add(line, 1)
		}
		for _, n := range s.Notes {
			add(n, 2)
		}
		add(s.Heading, 3)
		for {
			var best *mediaFile
			bestScore := 0.0
			for _, f := range rn.media.visuals {
				if rn.m.Media[f.ID] != "" {
					continue
				}
				score := 0.0
				for w := range f.words {
					score += weights[w]
				}
				score /= float64(1 + 3*used[f])
				if score > bestScore {
					best, bestScore = f, score
				}
			}
			if best == nil {
				break
			}
			ok, err := rn.usable(ctx, best)
			if err != nil {
				return nil, err
			}
			if ok {
				out[i] = best
				break
			}
		}
		for out[i] == nil {
			var pool []*mediaFile
			for _, f := range rn.media.visuals {
				if rn.m.Media[f.ID] == "" {
					pool = append(pool, f)
				}
			}
			if len(pool) == 0 {
				break
			}
			f := pool[rr%len(pool)]
			ok, err := rn.usable(ctx, f)
			if err != nil {
				return nil, err
			}
			if ok {
				out[i] = f
				rr++
			}
		}
		if out[i] != nil {
			used[out[i]]++
		}
	}
	return out, nil
}

// pickThumbnailImage returns the image whose name best matches the
// thumbnail's words, else the first section's image, else nil.
func (rn *run) pickThumbnailImage(ctx context.Context, sections []*mediaFile) (*mediaFile, error) {
	words := wordSet(rn.job.ThumbnailText + " " + rn.job.Title)
	var best *mediaFile
	bestScore := 0
	for _, f := range rn.media.visuals {
		if f.Kind != kindImage || rn.m.Media[f.ID] != "" {
			continue
		}
		score := 0
		for w := range f.words {
			if words[w] {
				score++
			}
		}
		if score > bestScore {
			ok, err := rn.usable(ctx, f)
			if err != nil {
				return nil, err
			}
			if ok {
				best, bestScore = f, score
			}
		}
	}
	if best != nil {
		return best, nil
	}
	for _, f := range sections {
		if f != nil && f.Kind == kindImage {
			return f, nil
		}
	}
	return nil, nil
}

// stopWords are left out of keyword matching (English, Portuguese, Spanish).
var stopWords = setOf(`the and for are but not you your with this that from have has was were will
	what when how why who which their there they them then than its our out all can into about more most
	img image photo pic picture video clip final copy new
	que para com uma por mais como dos das nos nas seu sua ele ela isso esse essa este esta sao nao
	los las del una por con para mas como pero sus este esta`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// wordSet splits s into lower-case words without accents, dropping short
// and common words, with a plural "s" removed: "Cães_na-praia.jpg" gives
// {caes→cae, praia}.
func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	s = strings.ToLower(norm.NFD.String(s))
	var b strings.Builder
	flush := func() {
		w := b.String()
		b.Reset()
		if len([]rune(w)) < 3 || stopWords[w] {
			return
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		out[w] = true
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}
