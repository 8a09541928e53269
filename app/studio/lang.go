package studio

import (
	"strings"
	"unicode"
)

// stopwords are frequent function words of the languages the checklist
// can tell apart. Words shared by several languages ("de", "que") count
// for each; the ones that are not ("el"/"o", "y"/"e", "con"/"com") decide.
var stopwords = map[string][]string{
	"en": strings.Fields(`the and is are you your to of in that it this with for on what how why not be was can do don't
		it's here's i my we they have has will just more from about at by or if but when so all one there their than`),
	"es": strings.Fields(`el la los las y es son que de del en un una por para con no lo se su sus más pero como cómo qué
		esto esta este está muy también cuando hay tu tus te yo mi ya sin sobre al le porque todo eso puedes así hace hacer tiene
		tener fue va pues aquí ahora nada algo nadie nunca usted`),
	"pt": strings.Fields(`o os as e é são que de do da dos das em no na nos nas um uma por para com não se seu sua mais mas
		como isso isto este esta está muito também quando há você eu meu minha já sem sobre ao porque tudo pode assim todo faz fazer
		tem ter foi vai dá pra pelo pela num numa aqui agora nada algo te seus suas ninguém nunca gente`),
	"fr": strings.Fields(`le la les et est sont que de des du en un une pour avec ne pas ce cette qui vous je tu il nous mais
		comme plus sur dans au aux ça c'est`),
	"de": strings.Fields(`der die das und ist sind nicht ein eine zu mit für auf den dem ich du sie wir es auch wie was aber
		wenn noch nur bei von im`),
	"it": strings.Fields(`il lo la gli le e è sono che di del della in un una per con non si come più ma questo questa anche
		quando ci io tu mi ti sul nel`),
}

var stopwordIndex = func() map[string][]string {
	idx := map[string][]string{}
	for lang, words := range stopwords {
		for _, w := range words {
			idx[w] = append(idx[w], lang)
		}
	}
	return idx
}()

// DetectableLanguages are the languages detectLanguage can name.
var DetectableLanguages = []string{"en", "es", "pt", "fr", "de", "it"}

// detectLanguage guesses the language of text from its function words. It
// is sure only when the best language has at least minHits hits and half
// again as many as the runner-up: short or word-poor text (tags, "Sourdough
// Baking: 5 Mistakes") is left undecided rather than guessed.
func detectLanguage(text string, minHits int) (lang string, sure bool) {
	hits := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		w = strings.ReplaceAll(w, "’", "'")
		for _, l := range stopwordIndex[w] {
			hits[l]++
		}
	}
	best, second := "", 0
	for _, l := range DetectableLanguages {
		n := hits[l]
		if best == "" || n > hits[best] {
			if best != "" {
				second = max(second, hits[best])
			}
			best = l
		} else {
			second = max(second, n)
		}
	}
	if hits[best] < minHits || float64(hits[best]) < 1.5*float64(second) {
		return best, false
	}
	return best, true
}

// primaryLanguage is the lower-case primary subtag of a language code:
// "pt" for "pt-BR", "en" for "".
func primaryLanguage(code string) string {
	l, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(code)), "-")
	l, _, _ = strings.Cut(l, "_")
	if l == "" {
		return "en"
	}
	return l
}

var languageNames = map[string]string{"en": "English", "es": "Spanish", "pt": "Portuguese", "fr": "French", "de": "German", "it": "Italian"}

func languageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}
