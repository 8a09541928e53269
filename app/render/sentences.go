package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitSentences cuts spoken text into the sentences Job.Spoken takes: after
// ".", "!", "?", "…" (and their CJK forms) followed by a space or the end,
// keeping the punctuation; an initial or a number ("e.g.", "3.5") does not
// end a sentence because no space follows or the next word is lower case.
// Line breaks end a sentence too.
func SplitSentences(text string) []string {
	var out []string
	for _, para := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		para = strings.TrimSpace(para)
		start := 0
		for i, r := range para {
			end := i + utf8.RuneLen(r)
			cjk := r == '。' || r == '！' || r == '？'
			if !cjk && r != '.' && r != '!' && r != '?' && r != '…' {
				continue
			}
			// Closing quotes and brackets stay with their sentence.
			for end < len(para) {
				c, n := utf8.DecodeRuneInString(para[end:])
				if !strings.ContainsRune(`"'”’»)]`, c) && !(c == '.' || c == '!' || c == '?') {
					break
				}
				end += n
			}
			if !cjk {
				if end < len(para) {
					next, _ := utf8.DecodeRuneInString(para[end:])
					if !unicode.IsSpace(next) {
						continue // 3.5, e.g., www.site.com
					}
					rest := strings.TrimLeftFunc(para[end:], unicode.IsSpace)
					if first, _ := utf8.DecodeRuneInString(rest); unicode.IsLower(first) {
						continue // "e.g. this", "approx. ten"
					}
				}
			}
			if s := strings.TrimSpace(para[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
		if s := strings.TrimSpace(para[start:]); s != "" {
			out = append(out, s)
		}
	}
	return out
}
