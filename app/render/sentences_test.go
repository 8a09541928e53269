package render

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitSentences(t *testing.T) {
	scenarios := map[string][]string{
		"Cats sleep a lot. Some sleep 16 hours! Why?":                {"Cats sleep a lot.", "Some sleep 16 hours!", "Why?"},
		"It costs 3.5 dollars, e.g. at the market. Then go home.":    {"It costs 3.5 dollars, e.g. at the market.", "Then go home."},
		"He said \"Stop.\" Then he left…  And that was it":           {"He said \"Stop.\"", "Then he left…", "And that was it"},
		"First line\nSecond line. Third.":                            {"First line", "Second line.", "Third."},
		"猫はよく寝る。本当に？はい。":                                             {"猫はよく寝る。", "本当に？", "はい。"},
		"Wait... really?! Yes.":                                      {"Wait... really?!", "Yes."},
		"   ":                                                        nil,
		"Visit www.example.com today. Ação é vida. ¿Qué? Sí, claro.": {"Visit www.example.com today.", "Ação é vida.", "¿Qué?", "Sí, claro."},
	}
	for in, want := range scenarios {
		if got := SplitSentences(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitSentences(%q) = %q, want %q", in, got, want)
		}
	}
}

// Splitting loses and invents nothing but whitespace.
func FuzzSplitSentences(f *testing.F) {
	f.Add("Cats sleep a lot. Some sleep 16 hours! Why?")
	f.Add("e.g. 3.5\n\n猫。…\"'”)")
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return // jobs are checked for UTF-8 before text is split
		}
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, s)
		}
		got := SplitSentences(in)
		if strip(strings.Join(got, "")) != strip(in) {
			t.Fatalf("SplitSentences(%q) = %q", in, got)
		}
		for _, s := range got {
			if s == "" || s != strings.TrimSpace(s) {
				t.Fatalf("sentence %q", s)
			}
		}
	})
}
