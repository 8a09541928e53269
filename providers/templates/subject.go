package templates

import (
	"regexp"
	"strings"
	"sync"
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
// ideas.<lang>.tmpl files write about a topic the user gave
// (TestIdeaPatternsReadBuiltInIdeas keeps them in step). Captures are lazy
// and every pattern is anchored at both ends, so an audience or niche with
// "for" in it never leaks into the subject. Ideas about the built-in
// subjects are read by finding the subject itself (findSubject).
var ideaPatterns = sync.OnceValue(func() map[string][]*regexp.Regexp {
	return map[string][]*regexp.Regexp{
		"en": compile(
			`^(.+?) for beginners: where to start and what to skip$`,
			`^(.+?): the \d+ mistakes that cost the most, and the fixes$`,
			`^(.+?) without the jargon: what actually matters$`,
			`^(.+?): a realistic plan for the first week$`,
			`^(.+?): the habits that matter more than .+$`,
			`^(.+?): everything i wish i'd known sooner$`,
			`^(.+?), explained for .+$`,
			`^(.+?) from zero: a realistic first month$`,
			`^(.+?), step by step: from zero to .+$`,
			`^small changes to (.+?) that add up over a year$`,
			`^one quick fix for (.+?)$`,
			`^(.+?): the mistake almost everyone makes$`,
			`^the quickest way to improve (.+?)$`,
			`^(.+?): the first thing to get right$`,
			`^(.+?): skip the .+, do this instead$`,
			`^a one-minute check for (.+?)$`,
			`^(.+?): the habit that changes the most$`,
			`^try this with (.+?) today$`,
			`^the story of (.+?), told from the beginning$`,
			`^(.+?): what really happened, and why it still matters$`,
			`^\d+ myths about (.+?), checked against the sources$`,
			`^(.+?) in context: the world around it$`,
			`^(.+?): why it turned out the way it did$`,
			`^(.+?): the people behind it$`,
			`^(.+?) and what it left behind$`,
			`^the story of (.+?), told from the start$`,
			`^(.+?): what is known and what is only told$`,
			`^(.+?): every version, side by side$`,
			`^(.+?): the people who keep the story alive$`,
			`^(.+?): where the story comes from$`,
			`^(.+?): the detail every version keeps$`,
			`^(.+?): the short version$`,
			`^(.+?): the story told slowly, for a dark night$`,
			`^(.+?): legend, rumour or record$`,
			`^(.+?): told before the lights go out$`,
			`^(.+?): the story and the place behind it$`,
			`^(.+?): what is settled and what is still argued$`,
			`^(.+?): where to begin$`,
			`^(.+?): where the confusion comes from$`,
			`^(.+?): one thing to know first$`,
			`^(.+?): a calm look at what we know$`,
			`^(.+?): what to check before you share it$`,
			`^(.+?): a guide for the curious, step by step$`,
			`^(.+?): the part people skip$`,
			`^(.+?): the long answer, without the jargon$`,
			`^(.+?): one question, one honest answer$`,
			`^(.+?): what to read, watch and ask next$`,
		),
		"es": compile(
			`^(.+?) para principiantes: por dónde empezar y qué saltarse$`,
			`^(.+?): los \d+ errores que más cuestan, y cómo arreglarlos$`,
			`^(.+?) sin tecnicismos: lo que de verdad importa$`,
			`^(.+?): un plan realista para la primera semana$`,
			`^(.+?): los hábitos que importan más que .+$`,
			`^(.+?): todo lo que me habría gustado saber antes$`,
			`^(.+?) sin rodeos: la versión para .+$`,
			`^(.+?) desde cero: un primer mes realista$`,
			`^(.+?), paso a paso: de cero a .+$`,
			`^pequeños cambios en (.+?) que suman en un año$`,
			`^un arreglo rápido para (.+?)$`,
			`^(.+?): el error que comete casi todo el mundo$`,
			`^la forma más rápida de mejorar (.+?)$`,
			`^(.+?): lo primero que hay que hacer bien$`,
			`^(.+?): sin comprar .+, haz esto$`,
			`^una comprobación de un minuto para (.+?)$`,
			`^(.+?): el hábito que más cambia$`,
			`^prueba esto con (.+?) hoy$`,
			`^la historia de (.+?), contada desde el principio$`,
			`^(.+?): lo que pasó de verdad y por qué sigue importando$`,
			`^\d+ mitos sobre (.+?), contrastados con las fuentes$`,
			`^(.+?) en contexto: el mundo de su época$`,
			`^(.+?): por qué acabó como acabó$`,
			`^(.+?): las personas detrás de la historia$`,
			`^(.+?) y lo que dejó atrás$`,
			`^la historia del (.+?), contada desde el principio$`,
			`^(.+?): lo que se sabe y lo que solo se cuenta$`,
			`^(.+?): todas las versiones, una al lado de otra$`,
			`^(.+?): quienes mantienen viva la historia$`,
			`^(.+?): de dónde viene la historia$`,
			`^(.+?): el detalle que conservan todas las versiones$`,
			`^(.+?): la versión corta$`,
			`^(.+?): la historia contada despacio, para una noche oscura$`,
			`^(.+?): leyenda, rumor o registro$`,
			`^(.+?): para contar antes de apagar la luz$`,
			`^(.+?): la historia y el lugar que hay detrás$`,
			`^(.+?): lo que está claro y lo que todavía se discute$`,
			`^(.+?): por dónde empezar$`,
			`^(.+?): la versión para .+$`,
			`^(.+?): de dónde viene la confusión$`,
			`^(.+?): lo primero que hay que saber$`,
			`^(.+?): una mirada tranquila a lo que se sabe$`,
			`^(.+?): qué comprobar antes de compartirlo$`,
			`^(.+?): una guía para curiosos, paso a paso$`,
			`^(.+?): la parte que casi nadie cuenta$`,
			`^(.+?): la respuesta larga, sin tecnicismos$`,
			`^(.+?): una pregunta, una respuesta honesta$`,
			`^(.+?): qué leer, qué ver y qué preguntar después$`,
		),
		"pt": compile(
			`^(.+?) para iniciantes: por onde começar e o que pular$`,
			`^(.+?): os \d+ erros que mais custam, e como corrigir$`,
			`^(.+?) sem complicação: o que realmente importa$`,
			`^(.+?): um plano realista para a primeira semana$`,
			`^(.+?): os hábitos que importam mais do que .+$`,
			`^(.+?): tudo o que eu queria ter sabido antes$`,
			`^(.+?) sem rodeios: a versão para .+$`,
			`^(.+?) do zero: um primeiro mês realista$`,
			`^(.+?), passo a passo: do zero a .+$`,
			`^pequenas mudanças (?:em|no|na|nos|nas) (.+?) que somam em um ano$`,
			`^um ajuste rápido para (.+?)$`,
			`^(.+?): o erro que quase todo mundo comete$`,
			`^o jeito mais rápido de melhorar (.+?)$`,
			`^(.+?): a primeira coisa a acertar$`,
			`^(.+?): sem comprar .+, faça isto$`,
			`^um teste de um minuto para (.+?)$`,
			`^(.+?): o hábito que mais muda$`,
			`^teste isto com (.+?) hoje$`,
			`^a história (?:de|do|da|dos|das) (.+?), contada desde o começo$`,
			`^(.+?): o que aconteceu de verdade e por que ainda importa$`,
			`^\d+ mitos sobre (.+?), conferidos nas fontes$`,
			`^(.+?) em contexto: o mundo ao redor$`,
			`^(.+?): por que terminou como terminou$`,
			`^(.+?): as pessoas por trás da história$`,
			`^(.+?) e o que deixou para trás$`,
			`^(.+?): o que se sabe e o que só se conta$`,
			`^(.+?): todas as versões, lado a lado$`,
			`^(.+?): quem mantém a história viva$`,
			`^(.+?): de onde vem a história$`,
			`^(.+?): o detalhe que todas as versões mantêm$`,
			`^(.+?): a versão curta$`,
			`^(.+?): a história contada devagar, para uma noite escura$`,
			`^(.+?): lenda, boato ou registro$`,
			`^(.+?): para contar antes de apagar a luz$`,
			`^(.+?): a história e o lugar por trás dela$`,
			`^(.+?): o que está claro e o que ainda se discute$`,
			`^(.+?): por onde começar$`,
			`^(.+?): a versão para .+$`,
			`^(.+?): de onde vem a confusão$`,
			`^(.+?): a primeira coisa a saber$`,
			`^(.+?): um olhar calmo sobre o que se sabe$`,
			`^(.+?): o que conferir antes de compartilhar$`,
			`^(.+?): um guia para curiosos, passo a passo$`,
			`^(.+?): a parte que quase ninguém conta$`,
			`^(.+?): a resposta longa, sem complicação$`,
			`^(.+?): uma pergunta, uma resposta honesta$`,
			`^(.+?): o que ler, ver e perguntar depois$`,
		),
	}
})

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
// stands in when no subject can be read from it. A how-to and a question
// are read first; then an idea about one of the niche's built-in subjects
// (found by the subject itself, the longest that occurs); then an idea the
// ideas template wrote about a subject the user gave (ideaPatterns); then
// a sentence too long to be a subject.
func readTopic(topic, niche, lang string) topicForm {
	t := strings.TrimSpace(formatNote.ReplaceAllString(strings.TrimSpace(topic), ""))
	if t == "" {
		return topicForm{Subject: niche}
	}
	if head, _, ok := strings.Cut(t, ":"); ok && len(strings.Fields(head)) >= 2 {
		// "How to start a podcast: the first week, planned day by day"
		if _, ok := howTo(head, lang); ok {
			f := readTopic(head, niche, lang)
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
	if sub, ok := findSubject(t, niche, lang); ok && len(strings.Fields(t)) >= len(strings.Fields(sub))+3 {
		return topicForm{Subject: sub, Idea: t}
	}
	for _, re := range ideaPatterns()[lang] {
		if m := re.FindStringSubmatch(t); m != nil {
			// The subject inside may itself be a how-to.
			f := readTopic(lowerFirst(strings.TrimSpace(m[1])), niche, lang)
			f.Idea, f.Question = t, ""
			if f.Subject == niche && f.HowTo == "" {
				f.Subject = lowerFirst(strings.TrimSpace(m[1]))
			}
			return f
		}
	}
	if len(strings.Fields(t)) > 7 {
		// a sentence the patterns do not know: its opening noun phrase, when
		// short, is the subject ("A 12-day espresso challenge with …")
		if sub := leadingPhrase(t, lang); sub != "" {
			return topicForm{Subject: sub, Idea: t}
		}
		return topicForm{Subject: niche, Idea: t}
	}
	return topicForm{Subject: t}
}

// phraseEnds end a sentence's opening noun phrase, by language.
var phraseEnds = map[string][]string{
	"en": {" with ", " for ", " in ", " that ", " and ", " on ", " to ", " from ", " you ", " is ", " are ", " will ", " can "},
	"es": {" con ", " para ", " que ", " en ", " y ", " sin ", " es ", " son "},
	"pt": {" com ", " para ", " que ", " em ", " e ", " sem ", " é ", " são "},
}

// leadingPhrase is the opening noun phrase of a sentence, up to the first
// comma, colon or word that starts a clause, without a leading article: two
// to five words, or empty.
func leadingPhrase(t, lang string) string {
	head := strings.ToLower(t)
	if i := strings.IndexAny(head, ":,;?!("); i >= 0 {
		head = head[:i]
	}
	ends, ok := phraseEnds[lang]
	if !ok {
		ends = phraseEnds["en"]
	}
	for _, e := range ends {
		if i := strings.Index(head, e); i >= 0 {
			head = head[:i]
		}
	}
	w := strings.Fields(head)
	if len(w) > 0 && (articles[w[0]] || w[0] == "an" || w[0] == "a" || w[0] == "un" || w[0] == "una" || w[0] == "um" || w[0] == "uma") {
		w = w[1:]
	}
	if len(w) < 2 || len(w) > 5 {
		return ""
	}
	return originalCase(t, strings.Join(w, " ")) // the user's capitals ("AI", "iPhone") kept
}

// originalCase finds phrase (lower case) in t and returns it as t writes it.
func originalCase(t, phrase string) string {
	if i := strings.Index(strings.ToLower(t), phrase); i >= 0 && len(strings.ToLower(t)) == len(t) {
		return t[i : i+len(phrase)]
	}
	return phrase
}

// findSubject finds the longest built-in subject of the niche that occurs
// in t (as its bare or narrated form, ignoring case) and returns its bare
// form.
func findSubject(t, niche, lang string) (string, bool) {
	lt := strings.ToLower(t)
	best, bestLen := "", 0
	for _, sub := range subjectsFor(lang, niche) {
		for _, form := range []string{sub.Your, withoutArticle(sub.Your), sub.Bare} {
			f := strings.ToLower(form)
			if len(f) > bestLen && containsPhrase(lt, f) {
				best, bestLen = sub.Bare, len(f)
			}
		}
	}
	return best, best != ""
}

// articles open a noun phrase; a preposition may swallow them ("do", "no").
var articles = map[string]bool{"the": true, "el": true, "la": true, "los": true, "las": true, "o": true, "a": true, "os": true, "as": true}

// withoutArticle drops a leading article: "o wi-fi da sua casa" → "wi-fi da
// sua casa", so "no wi-fi da sua casa" still finds the subject.
func withoutArticle(phrase string) string {
	first, rest, ok := strings.Cut(phrase, " ")
	if ok && articles[strings.ToLower(first)] {
		return rest
	}
	return phrase
}

// containsPhrase reports whether phrase occurs in s between word boundaries.
func containsPhrase(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (start == 0 || !unicode.IsLetter(before)) && (end == len(s) || !unicode.IsLetter(after)) {
			return true
		}
		i = start + 1
	}
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
