package templates

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// topicForm is what the templates make of a request's topic. A topic comes
// in three shapes: a subject ("sourdough baking"), a how-to ("how to start
// a podcast") or a question ("why ice floats"), and often as a whole video
// idea, because a package without a topic takes its first idea as one
// ("How urban legends changed in the last 9 years (vertical, under 60
// seconds)"). Templates write "I tried X" and "X mistakes", which need a
// subject, so each shape is turned into one.
type topicForm struct {
	Subject  string // a noun phrase to write about
	Idea     string // the topic when it is a whole video idea, without format notes
	Question string // the topic when it is a question (not a how-to), without "?"
	HowTo    string // the topic when it is a how-to ("how to start a podcast"), without "?"
}

// ideaPatterns read the subject back out of the ideas the built-in
// ideas.tmpl writes (TestIdeaPatternsReadBuiltInIdeas keeps them in step).
var ideaPatterns = map[string][]*regexp.Regexp{
	"en": compile(
		`^a beginner's walkthrough of (.+) for .+, step by step$`,
		`^\d+ common (.+) myths, tested on camera$`,
		`^a \d+-day (.+) challenge with a visible result at the end$`,
		`^reacting to the best and worst (.+) advice online$`,
		`^(.+) on a budget: what you really need and what to skip$`,
		`^the tools i use for (.+), ranked from useless to essential$`,
		`^answering the \d+ most asked (.+) questions from .+$`,
		`^how (.+) changed in the last \d+ years$`,
		`^a behind-the-scenes look at a real (.+) project in .+$`,
		`^one (.+) mistake per minute: a quick-fire list$`,
	),
	"es": compile(
		`^guía de (.+) para .+, paso a paso$`,
		`^\d+ mitos de (.+), puestos a prueba$`,
		`^reto de \d+ días de (.+) con resultado visible al final$`,
		`^reacciono a los mejores y peores consejos de (.+)$`,
		`^(.+) con poco presupuesto: lo que necesitas y lo que sobra$`,
		`^las herramientas que uso para (.+), de inútil a imprescindible$`,
		`^respondo las \d+ preguntas más comunes sobre (.+)$`,
		`^cómo ha cambiado (.+) en los últimos \d+ años$`,
	),
	"pt": compile(
		`^guia de (.+) para .+, passo a passo$`,
		`^\d+ mitos sobre (.+), testados na prática$`,
		`^desafio de \d+ dias de (.+) com resultado no final$`,
		`^reagindo aos melhores e piores conselhos de (.+)$`,
		`^(.+) com pouco dinheiro: o que precisa e o que sobra$`,
		`^as ferramentas que uso para (.+), da inútil à essencial$`,
		`^respondendo as \d+ perguntas mais comuns sobre (.+)$`,
		`^como (.+) mudou nos últimos \d+ anos$`,
	),
}

func compile(patterns ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		out[i] = regexp.MustCompile(`(?i)` + p)
	}
	return out
}

// formatNote is a trailing note such as "(vertical, under 60 seconds)" or
// "#shorts".
var formatNote = regexp.MustCompile(`(?i)(\s*(\([^()]*\)|#shorts?))+$`)

// questionWords open a question, by language; "how" and its translations
// are handled apart, since "how to …" is a subject. auxWords open one only
// in a longer topic ("is coffee bad for you", not "can openers").
var (
	questionWords = map[string][]string{
		"en": {"why", "what", "what's", "whats", "when", "where", "who", "whom", "whose", "which", "how"},
		"es": {"por qué", "porque", "qué", "cuándo", "dónde", "quién", "cuál", "cuáles", "cuánto", "cuánta", "cuántos", "cuántas", "cómo", "como", "vale la pena", "se puede"},
		"pt": {"por que", "por quê", "porque", "o que", "o quê", "quando", "onde", "quem", "qual", "quais", "quanto", "quanta", "quantos", "quantas", "como", "vale a pena", "dá para"},
	}
	auxWords = map[string][]string{
		"en": {"is", "are", "was", "were", "can", "could", "do", "does", "did", "should", "would", "will", "has", "have"},
		"es": {"es", "son", "puedo", "debo", "hay"},
		"pt": {"é", "são", "posso", "devo", "tem"},
	}
)

// readTopic works out the shape of topic for a channel in lang, whose niche
// stands in when no subject can be read from it.
func readTopic(topic, niche, lang string) topicForm {
	t := strings.TrimSpace(formatNote.ReplaceAllString(strings.TrimSpace(topic), ""))
	if t == "" {
		return topicForm{Subject: niche}
	}
	for _, re := range ideaPatterns[lang] {
		if m := re.FindStringSubmatch(t); m != nil {
			// The subject inside may itself be a how-to or a question.
			f := readTopic(lowerFirst(strings.TrimSpace(m[1])), niche, lang)
			f.Idea = t
			return f
		}
	}
	if subject, ok := howTo(t, lang); ok {
		how := strings.TrimSpace(strings.TrimRight(strings.TrimLeft(t, "¿"), "?"))
		if lang == "es" || lang == "pt" {
			// An infinitive ("empezar un podcast") cannot follow the verbs
			// the templates put before a subject, so the niche stands in.
			subject = niche
		}
		return topicForm{Subject: subject, HowTo: how}
	}
	if q, ok := question(t, lang); ok {
		f := topicForm{Subject: niche, Question: q}
		// "Why ice floats? The short answer": the question, and the idea.
		if i := strings.IndexAny(q, "?:"); i > 0 {
			f.Question, f.Idea = strings.TrimSpace(strings.TrimRight(q[:i], "?")), t
		}
		return f
	}
	if len(strings.Fields(t)) > 7 {
		return topicForm{Subject: niche, Idea: t} // a sentence the patterns do not know
	}
	return topicForm{Subject: t}
}

// howTo turns "how to start a podcast" into "starting a podcast", and the
// Spanish and Portuguese "cómo/como" + infinitive into the infinitive phrase.
func howTo(t, lang string) (string, bool) {
	switch lang {
	case "es", "pt":
		for _, w := range []string{"cómo ", "como ", "¿cómo ", "¿como "} {
			if rest, ok := cutPrefixFold(t, w); ok {
				rest = strings.TrimSpace(strings.TrimRight(rest, "? "))
				if infinitive(strings.ToLower(firstField(rest))) {
					return rest, true
				}
			}
		}
		return "", false
	default:
		rest, ok := cutPrefixFold(t, "how to ")
		rest = strings.TrimSpace(strings.TrimRight(rest, "? "))
		if !ok || rest == "" {
			return "", false
		}
		verb, tail, _ := strings.Cut(rest, " ")
		phrase := gerund(verb)
		if tail != "" {
			phrase += " " + tail
		}
		return phrase, true
	}
}

// cutPrefixFold is strings.CutPrefix ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func infinitive(w string) bool {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "lo"), "se") // hacerlo, cuidarse
	return utf8.RuneCountInString(w) > 3 && (strings.HasSuffix(w, "ar") || strings.HasSuffix(w, "er") ||
		strings.HasSuffix(w, "ir") || strings.HasSuffix(w, "or"))
}

// question reports whether t asks something, and returns it without "?".
func question(t, lang string) (string, bool) {
	q := strings.TrimSpace(strings.TrimRight(strings.TrimLeft(t, "¿"), "?"))
	if q == "" {
		return "", false
	}
	if strings.HasSuffix(t, "?") || strings.HasPrefix(t, "¿") {
		return q, true
	}
	if _, ok := questionWords[lang]; !ok {
		lang = "en"
	}
	lower := strings.ToLower(q)
	for _, w := range questionWords[lang] {
		if strings.HasPrefix(lower, w+" ") {
			return q, true
		}
	}
	if len(strings.Fields(q)) >= 4 {
		for _, w := range auxWords[lang] {
			if strings.HasPrefix(lower, w+" ") {
				return q, true
			}
		}
	}
	return "", false
}

// gerund is the -ing form of an English verb: make → making, run →
// running, see → seeing, lie → lying, begin → beginning, edit → editing.
func gerund(verb string) string {
	v := strings.ToLower(verb)
	switch {
	case v == "":
		return verb
	case strings.HasSuffix(v, "ing") && len(v) > 5: // already a gerund
		return verb
	case v == "be" || v == "see" || v == "flee" || v == "agree" || v == "free":
		return verb + "ing"
	case strings.HasSuffix(v, "ie"):
		return verb[:len(verb)-2] + "ying"
	case strings.HasSuffix(v, "ee") || strings.HasSuffix(v, "ye") || strings.HasSuffix(v, "oe"):
		return verb + "ing"
	case strings.HasSuffix(v, "e") && len(v) > 2:
		return verb[:len(verb)-1] + "ing"
	case doublesFinal(v):
		return verb + verb[len(verb)-1:] + "ing"
	}
	return verb + "ing"
}

// stressedLast are two-syllable verbs stressed on the last syllable, which
// double their final consonant like one-syllable verbs do.
var stressedLast = map[string]bool{"begin": true, "forget": true, "admit": true, "commit": true, "control": true, "regret": true,
	"occur": true, "prefer": true, "refer": true, "permit": true, "submit": true, "upset": true, "equip": true, "compel": true}

// doublesFinal: a verb ending consonant-vowel-consonant (not w, x or y)
// with one vowel group, or one of stressedLast.
func doublesFinal(v string) bool {
	if stressedLast[v] {
		return true
	}
	n := len(v)
	if n < 3 || !isConsonant(v[n-1]) || strings.ContainsRune("wxy", rune(v[n-1])) || isConsonant(v[n-2]) || !isConsonant(v[n-3]) {
		return false
	}
	groups, inVowel := 0, false
	for i := 0; i < n; i++ {
		vowel := !isConsonant(v[i])
		if vowel && !inVowel {
			groups++
		}
		inVowel = vowel
	}
	return groups == 1
}

func isConsonant(b byte) bool {
	return b >= 'a' && b <= 'z' && !strings.ContainsRune("aeiou", rune(b))
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// lowerFirst lower-cases a sentence's capital, but not an acronym's ("AI").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}
