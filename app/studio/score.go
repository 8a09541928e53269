package studio

import (
	"context"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"tubeagency/internal/store"
)

// HeuristicScorer scores a title by transparent rules of thumb, used until
// a trained predictor is wired in. Each rule that fires is listed in the
// score's features, so the user sees why. The zero value is ready.
type HeuristicScorer struct{}

var _ TitleScorer = HeuristicScorer{}

var (
	powerWords     = []string{"secret", "mistake", "truth", "never", "best", "worst", "why", "how", "stop", "actually", "finally", "proven", "easy", "fast", "ultimate", "nobody"}
	curiosityWords = []string{"this", "what", "why", "how", "?"}
)

// ScoreTitle applies the rules to title; the channel and thumbnail only
// matter for the penalty of repeating the thumbnail's words.
func (HeuristicScorer) ScoreTitle(_ context.Context, _ string, title, thumbnail string) (Score, error) {
	t := strings.TrimSpace(title)
	lower := strings.ToLower(t)
	n := utf8.RuneCountInString(t)
	score := 40.0
	var f []string
	hit := func(points float64, why string) {
		score += points
		f = append(f, why)
	}
	switch {
	case n >= 40 && n <= 70:
		hit(15, "length 40–70 characters")
	case n > 0 && n < 40:
		hit(5, "short")
	case n > 70:
		hit(-10, "longer than 70 characters: cut off in search")
	}
	if strings.IndexFunc(t, unicode.IsDigit) >= 0 {
		hit(10, "has a number")
	}
	for _, w := range powerWords {
		if containsWord(lower, w) {
			hit(8, "strong word \""+w+"\"")
			break
		}
	}
	for _, w := range curiosityWords {
		if w == "?" && strings.Contains(t, "?") || w != "?" && containsWord(lower, w) {
			hit(7, "opens a question")
			break
		}
	}
	if strings.ContainsAny(t, "([") {
		hit(4, "bracketed qualifier")
	}
	letters, caps := 0, 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				caps++
			}
		}
	}
	if letters > 10 && caps*10 > letters*6 {
		hit(-15, "mostly capitals")
	}
	if thumbnail != "" && strings.EqualFold(strings.TrimSpace(thumbnail), t) {
		hit(-10, "repeats the thumbnail text")
	}
	return Score{Value: clamp(score, 0, 100), Features: f}, nil
}

func containsWord(s, w string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
		if f == w {
			return true
		}
	}
	return false
}

// sortTitles orders options best first, keeping the provider's order on ties.
func sortTitles(opts []store.TitleOption) {
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].Score > opts[j].Score })
}
