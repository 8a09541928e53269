package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font/sfnt"
)

// fontChoice is how libass finds the brand font: a family name, and the
// folder of the font file when the brand names a file.
type fontChoice struct {
	Family string
	Dir    string
}

// maxFontBytes caps a brand font file read to learn its family name.
const maxFontBytes = 64 << 20

// resolveFont turns a Brand.Font into what libass needs. A family name is
// used as is (fontconfig finds it, or falls back to a font that has the
// glyphs); a font file gives its folder and the family named inside it.
func resolveFont(font string) (fontChoice, error) {
	if !isFontFile(font) {
		return fontChoice{Family: font}, nil
	}
	st, err := os.Stat(font)
	if err != nil {
		return fontChoice{}, fmt.Errorf("font file: %w", err)
	}
	if st.Size() > maxFontBytes {
		return fontChoice{}, fmt.Errorf("font file %s is larger than %d MB", filepath.Base(font), maxFontBytes>>20)
	}
	b, err := os.ReadFile(font)
	if err != nil {
		return fontChoice{}, fmt.Errorf("font file: %w", err)
	}
	var f *sfnt.Font
	if strings.EqualFold(filepath.Ext(font), ".ttc") {
		c, err := sfnt.ParseCollection(b)
		if err != nil {
			return fontChoice{}, fmt.Errorf("font file %s: %w", filepath.Base(font), err)
		}
		if f, err = c.Font(0); err != nil {
			return fontChoice{}, fmt.Errorf("font file %s: %w", filepath.Base(font), err)
		}
	} else if f, err = sfnt.Parse(b); err != nil {
		return fontChoice{}, fmt.Errorf("font file %s: %w", filepath.Base(font), err)
	}
	var buf sfnt.Buffer
	family, err := f.Name(&buf, sfnt.NameIDTypographicFamily)
	if err != nil || family == "" {
		family, err = f.Name(&buf, sfnt.NameIDFamily)
	}
	if err != nil || strings.TrimSpace(family) == "" {
		return fontChoice{}, fmt.Errorf("font file %s names no font family", filepath.Base(font))
	}
	if strings.ContainsAny(family, ",{}\\\n\r") {
		return fontChoice{}, fmt.Errorf("font file %s has an unusable family name %q", filepath.Base(font), family)
	}
	dir, err := filepath.Abs(filepath.Dir(font))
	if err != nil {
		return fontChoice{}, fmt.Errorf("font file: %w", err)
	}
	return fontChoice{Family: strings.TrimSpace(family), Dir: dir}, nil
}
