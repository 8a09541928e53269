package render

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Formats, the same words the store uses for a channel's format.
const (
	FormatShorts = "shorts"
	FormatLong   = "long-form"
)

// Limits on a job's text, so a runaway script cannot make a runaway render.
const (
	maxSections       = 200
	maxSentences      = 2000
	maxSentenceRunes  = 1000
	maxNoteRunes      = 300
	maxNotesPerScreen = 4
	maxTitleRunes     = 300
)

// Job is one video package to render. Spoken holds only what the voice
// says: stage directions and on-screen notes never reach the voice engine
// or the captions.
type Job struct {
	// PackageID identifies the package; recorded in the manifest. Required.
	PackageID string `json:"package_id"`
	// ChannelID is recorded in the manifest, for KeepLast. Optional.
	ChannelID string `json:"channel_id,omitempty"`
	// Format is FormatShorts (1080×1920) or FormatLong (1920×1080).
	Format string `json:"format"`
	// Language is a BCP 47 code such as "en" or "pt-BR". Empty means "en".
	Language string `json:"language"`
	// Title is shown on the first seconds of the video. Optional.
	Title string `json:"title"`
	// ThumbnailText is the thumbnail's text. Empty means Title.
	ThumbnailText string `json:"thumbnail_text"`
	// WordsPerMinute is the speaking rate; zero means the engine's default.
	WordsPerMinute int `json:"words_per_minute,omitempty"`
	// Sections are the script's parts in order. At least one sentence in all.
	Sections []Section `json:"sections"`
	// Brand is the channel's colour and font.
	Brand Brand `json:"brand"`
	// MediaDir is the channel's media folder (<data-dir>/media/<channel>/):
	// images and clips for the visuals, audio for background music. Empty or
	// missing means title cards only and no music.
	MediaDir string `json:"media_dir,omitempty"`
	// NoMusic leaves background music out even when MediaDir has some.
	NoMusic bool `json:"no_music,omitempty"`
	// OutDir is the package's render folder (<data-dir>/renders/<package>/).
	// Required; created when missing.
	OutDir string `json:"out_dir"`
}

// Section is one part of the script.
type Section struct {
	// Heading is the section's title card text. Optional.
	Heading string `json:"heading"`
	// Spoken are the sentences the voice says, in order.
	Spoken []string `json:"spoken"`
	// Notes are shown on screen under the heading and never spoken.
	Notes []string `json:"notes,omitempty"`
}

// Brand is a channel's look.
type Brand struct {
	// Color is "#RRGGBB" (or "RRGGBB", "#RGB"). Empty means DefaultColor.
	Color string `json:"color"`
	// Font is a font family name installed on the system ("DejaVu Sans")
	// or the path of a .ttf/.otf file. Empty means DefaultFont.
	Font string `json:"font"`
}

// Defaults for a Brand's zero fields.
const (
	DefaultColor = "#FFCC00"
	DefaultFont  = "DejaVu Sans"
)

// validate checks the job and returns its normalised copy: trimmed text,
// empty sentences dropped, defaults filled. It never touches the disk
// except to check a font file exists.
func (j Job) validate() (Job, error) {
	j.PackageID = strings.TrimSpace(j.PackageID)
	if j.PackageID == "" {
		return j, jobErr("package_id", "is required")
	}
	if !safeName(j.PackageID) {
		return j, jobErr("package_id", "must not contain path separators or start with a dot")
	}
	switch j.Format {
	case FormatShorts, FormatLong:
	case "":
		return j, jobErr("format", "is required (%q or %q)", FormatShorts, FormatLong)
	default:
		return j, jobErr("format", "%q is not %q or %q", j.Format, FormatShorts, FormatLong)
	}
	j.Language = strings.TrimSpace(j.Language)
	if j.Language == "" {
		j.Language = "en"
	}
	if _, err := language.Parse(j.Language); err != nil {
		return j, jobErr("language", "%q is not a BCP 47 language code", j.Language)
	}
	if j.WordsPerMinute < 0 || j.WordsPerMinute > 600 {
		return j, jobErr("words_per_minute", "must be between 0 and 600")
	}
	var err error
	if j.Title, err = cleanText("title", j.Title, maxTitleRunes); err != nil {
		return j, err
	}
	if j.ThumbnailText, err = cleanText("thumbnail_text", j.ThumbnailText, maxTitleRunes); err != nil {
		return j, err
	}
	if len(j.Sections) == 0 {
		return j, jobErr("sections", "at least one section with a spoken sentence is required")
	}
	if len(j.Sections) > maxSections {
		return j, jobErr("sections", "at most %d sections", maxSections)
	}
	sections := make([]Section, 0, len(j.Sections))
	total := 0
	for i, s := range j.Sections {
		field := "sections[" + strconv.Itoa(i) + "]"
		var out Section
		if out.Heading, err = cleanText(field+".heading", s.Heading, maxTitleRunes); err != nil {
			return j, err
		}
		for k, line := range s.Spoken {
			line, err := cleanText(field+".spoken["+strconv.Itoa(k)+"]", line, maxSentenceRunes)
			if err != nil {
				return j, err
			}
			if line != "" {
				out.Spoken = append(out.Spoken, line)
			}
		}
		for k, note := range s.Notes {
			note, err := cleanText(field+".notes["+strconv.Itoa(k)+"]", note, maxNoteRunes)
			if err != nil {
				return j, err
			}
			if note != "" {
				out.Notes = append(out.Notes, note)
			}
		}
		total += len(out.Spoken)
		// A section with nothing spoken has no time on screen: its heading
		// and notes would never show, so it is dropped.
		if len(out.Spoken) > 0 {
			sections = append(sections, out)
		}
	}
	if total == 0 {
		return j, jobErr("sections", "no spoken sentence: at least one is required")
	}
	if total > maxSentences {
		return j, jobErr("sections", "%d spoken sentences is more than %d", total, maxSentences)
	}
	j.Sections = sections

	j.Brand.Color = strings.TrimSpace(j.Brand.Color)
	if j.Brand.Color == "" {
		j.Brand.Color = DefaultColor
	}
	if _, err := parseColor(j.Brand.Color); err != nil {
		return j, jobErr("brand.color", "%q is not a colour like #FFCC00", j.Brand.Color)
	}
	j.Brand.Font = strings.TrimSpace(j.Brand.Font)
	if j.Brand.Font == "" {
		j.Brand.Font = DefaultFont
	}
	if isFontFile(j.Brand.Font) {
		if st, err := os.Stat(j.Brand.Font); err != nil || st.IsDir() {
			return j, jobErr("brand.font", "font file %q cannot be read", j.Brand.Font)
		}
	} else if strings.ContainsAny(j.Brand.Font, ",{}\\\n\r") || utf8.RuneCountInString(j.Brand.Font) > 100 {
		return j, jobErr("brand.font", "%q is not a font family name", j.Brand.Font)
	}

	j.OutDir = strings.TrimSpace(j.OutDir)
	if j.OutDir == "" {
		return j, jobErr("out_dir", "is required")
	}
	if abs, err := filepath.Abs(j.OutDir); err == nil {
		j.OutDir = abs
	}
	if j.MediaDir = strings.TrimSpace(j.MediaDir); j.MediaDir != "" {
		if abs, err := filepath.Abs(j.MediaDir); err == nil {
			j.MediaDir = abs
		}
	}
	return j, nil
}

// cleanText trims s, folds line breaks and control characters into spaces
// and checks it is valid UTF-8 of at most max runes.
func cleanText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", jobErr(field, "is not valid UTF-8")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n > max {
		return "", jobErr(field, "is %d characters long; at most %d", n, max)
	}
	return s, nil
}

func isFontFile(s string) bool {
	ext := strings.ToLower(filepath.Ext(s))
	return (ext == ".ttf" || ext == ".otf" || ext == ".ttc") && (strings.ContainsAny(s, `/\`))
}

// safeName reports whether s can be one path element of a folder we own.
func safeName(s string) bool {
	return s != "" && !strings.ContainsAny(s, `/\:`) && !strings.HasPrefix(s, ".") && len(s) <= 200
}
