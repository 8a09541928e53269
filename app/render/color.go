package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RGB is an sRGB colour.
type RGB struct{ R, G, B uint8 }

var (
	white = RGB{255, 255, 255}
	black = RGB{0, 0, 0}
)

// Hex is "#RRGGBB".
func (c RGB) Hex() string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

// ass is the colour in ASS's &HBBGGRR& order, with alpha (00 opaque, FF clear).
func (c RGB) ass(alpha uint8) string {
	return fmt.Sprintf("&H%02X%02X%02X%02X", alpha, c.B, c.G, c.R)
}

// assInline is the colour as an override tag value (&HBBGGRR&).
func (c RGB) assInline() string { return fmt.Sprintf("&H%02X%02X%02X&", c.B, c.G, c.R) }

// parseColor reads "#RRGGBB", "RRGGBB", "#RGB" or "RGB".
func parseColor(s string) (RGB, error) {
	h := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		return RGB{}, fmt.Errorf("colour %q: want #RRGGBB", s)
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return RGB{}, fmt.Errorf("colour %q: want #RRGGBB", s)
	}
	return RGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// Luminance is the WCAG 2 relative luminance, 0 (black) to 1 (white).
func (c RGB) Luminance() float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// ContrastRatio is the WCAG 2 contrast ratio of two colours, 1 to 21.
func ContrastRatio(a, b RGB) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// MinContrast is WCAG AA's ratio for normal text.
const MinContrast = 4.5

// contrasting returns black or white, whichever contrasts more with c.
// One of them always reaches at least √21 ≈ 4.58, above MinContrast.
func contrasting(c RGB) RGB {
	if ContrastRatio(c, white) >= ContrastRatio(c, black) {
		return white
	}
	return black
}

// shade mixes c towards black (f < 0) or white (f > 0) by |f|.
func shade(c RGB, f float64) RGB {
	mix := func(v uint8) uint8 {
		x := float64(v)
		if f < 0 {
			x *= 1 + f
		} else {
			x += (255 - x) * f
		}
		return uint8(math.Round(math.Max(0, math.Min(255, x))))
	}
	return RGB{mix(c.R), mix(c.G), mix(c.B)}
}
