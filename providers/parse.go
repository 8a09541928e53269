package providers

import (
	"strings"
	"unicode"
)

// Lines parses a one-item-per-line answer (ideas, titles) leniently: it
// drops blank lines, numbering ("1.", "2)", "#3"), bullets ("-", "*", "•"),
// surrounding quotes and markdown bold, and repeats (case-insensitive).
func Lines(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = cleanLine(line)
		if line == "" {
			continue
		}
		k := strings.ToLower(line)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, line)
	}
	return out
}

func cleanLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "-*•·#> \t")
	// numbering: digits followed by . ) : or -
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && strings.ContainsRune(".):-", rune(s[i])) {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "*")
	s = strings.TrimSpace(s)
	for len(s) >= 2 {
		r := []rune(s)
		first, last := r[0], r[len(r)-1]
		if (first == '"' && last == '"') || (first == '\'' && last == '\'') || (first == '“' && last == '”') || (first == '«' && last == '»') {
			s = strings.TrimSpace(string(r[1 : len(r)-1]))
			continue
		}
		break
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
