package studio

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"tubeagency/internal/store"
)

// HeuristicScorer scores a title by transparent rules of thumb, used until
// a trained predictor is wired in. Each rule that fires is listed in the
// score's features, so the user sees why. Its scores are never calibrated.
// The zero value is ready.
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

// titlePenalty is what each title rule of the checklist that an option
// fails costs it.
const titlePenalty = 15

var numberRe = regexp.MustCompile(`\d+`)

// maskInputNumbers hides from the scorer the numbers of a title that the
// user's own input already holds ("Super Mario 64", "in their 20s"): such a
// number is the subject's name, not a promise, and earns no "has a number"
// bonus. Each digit becomes an x, so the title keeps its length.
func maskInputNumbers(title string, input ...string) string {
	have := map[string]bool{}
	for _, in := range input {
		for _, n := range numberRe.FindAllString(in, -1) {
			have[n] = true
		}
	}
	return numberRe.ReplaceAllStringFunc(title, func(n string) string {
		if have[n] {
			return strings.Repeat("x", len(n))
		}
		return n
	})
}

// relevance is the share of the topic's content words that a title uses,
// 0–1: it breaks ties between equal scores in favour of the title that
// says what the video is about.
func relevance(title, topic string) float64 {
	words := func(s string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if len([]rune(w)) > 2 && stopwordIndex[w] == nil {
				out = append(out, w)
			}
		}
		return out
	}
	want := words(topic)
	if len(want) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, w := range words(title) {
		have[w] = true
	}
	n := 0
	for _, w := range want {
		if have[w] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// scoreOptions scores each title with scorer: numbers that come from the
// user's input are masked first; each title rule of the checklist that the
// option fails costs titlePenalty points and is named in its features; a
// scorer that fails leaves the heuristic's view. The options come back best
// first, ties broken by relevance to the topic, then by the order given.
func scoreOptions(ctx context.Context, scorer TitleScorer, p store.Package, ch store.Channel, texts []string) []store.TitleOption {
	type scored struct {
		opt store.TitleOption
		rel float64
	}
	list := make([]scored, 0, len(texts))
	for _, t := range texts {
		probe := maskInputNumbers(t, p.Topic, ch.Audience, ch.Niche, ch.Name)
		sc, err := scorer.ScoreTitle(ctx, ch.ID, probe, p.Content.Thumbnail)
		if err != nil {
			sc, _ = HeuristicScorer{}.ScoreTitle(ctx, ch.ID, probe, p.Content.Thumbnail)
		}
		cand := p
		cand.Title = t
		for _, msg := range stepProblems(StepTitles, cand, ch) {
			sc.Value -= titlePenalty
			label, _, _ := strings.Cut(msg, ":")
			sc.Features = append(sc.Features, fmt.Sprintf("fails the checklist: %s (−%d)", strings.ToLower(label), titlePenalty))
		}
		list = append(list, scored{opt: store.TitleOption{Text: t, Score: clamp(sc.Value, 0, 100), Features: sc.Features, Calibrated: sc.Calibrated},
			rel: relevance(t, p.Topic)})
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].opt.Score != list[j].opt.Score {
			return list[i].opt.Score > list[j].opt.Score
		}
		return list[i].rel > list[j].rel
	})
	out := make([]store.TitleOption, len(list))
	for i, s := range list {
		out[i] = s.opt
	}
	return out
}
