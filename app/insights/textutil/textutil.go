// Package textutil splits titles into the words and phrases the analysis,
// trends and predictor packages count, so all three agree on what a
// keyword is.
//
// A keyword is a topic word: not a stop word of the title's language (en,
// es and pt are known), at least three characters, not a number. A phrase
// is a run of up to three adjacent topic words ("chrono trigger"); Collapse
// keeps a phrase instead of its words when they only ever occur together.
package textutil

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// stop word lists by language: function words that carry no topic.
var lists = map[string]string{
	"en": `a about above after again against all am an and any are as at be because been before being below
		between both but by can could did do does doing down during each few for from further had has have having
		he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
		once only or other our ours out over own same she should so some such than that the their theirs them then
		there these they this those through to too under until up very was we were what when where which while who
		whom why will with you your yours vs get got im ive dont`,
	"es": `a al algo algunas algunos ante antes como con contra cual cuales cuando cuándo cómo de del desde donde
		dónde durante e el él ella ellas ellos en entre era eran es esa esas ese eso esos esta está están estas
		este esto estos estoy fue fueron ha han hasta hay la las le les lo los más me mi mí mis mucho muchos muy
		nada ni no nos nosotros o os otra otras otro otros para pero poco por porque que qué quien quienes se sea
		ser si sí sin sobre son soy su sus también tan tanto te tiene tienen todo todos tu tú tus un una uno unos
		vosotros y ya yo cada cosas hacer hace aquí así usted ustedes sus vez`,
	"pt": `a à ao aos aquela aquelas aquele aqueles aquilo as às até com como da das de dela delas dele deles
		depois do dos e é ela elas ele eles em entre era eram essa essas esse esses esta está estão estas este
		estes estou eu foi foram há isso isto já lhe lhes mais mas me mesmo meu meus minha minhas muito na nas
		não nem no nos nós nossa nossas nosso nossos num numa o os ou para pela pelas pelo pelos por porque quais
		qual quando que quem se sem ser seu seus sua suas só também te tem têm teu tua tuas teus tinha tu um uma
		umas uns você vocês vos cada coisas fazer faz aqui assim onde vez`,
}

// Languages are the languages with stop word lists.
var Languages = []string{"en", "es", "pt"}

func set(langs ...string) map[string]bool {
	m := map[string]bool{}
	for _, l := range langs {
		for _, w := range strings.Fields(lists[l]) {
			m[w] = true
		}
	}
	return m
}

// all holds every known language's stop words.
var all = set(Languages...)

// Splitter splits titles of given languages. The zero value is not
// usable: get one from For.
type Splitter struct {
	stop map[string]bool
}

var splitters = func() map[string]*Splitter {
	m := map[string]*Splitter{"": {stop: all}}
	for _, l := range Languages {
		if l == "en" {
			m[l] = &Splitter{stop: set("en")}
		} else {
			// Titles in Spanish or Portuguese often carry English words too.
			m[l] = &Splitter{stop: set(l, "en")}
		}
	}
	return m
}()

// For returns the splitter of a language code such as "pt-BR" or "es": its
// own stop words plus English ones. An unknown or empty code (a corpus of
// several channels) uses every known list.
func For(lang string) *Splitter {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	if s, ok := splitters[base]; ok {
		return s
	}
	return splitters[""]
}

// IsStopword reports whether w (lower case) is a stop word of any known
// language.
func IsStopword(w string) bool { return all[w] }

// Words returns the lower-case words of s: runs of letters and digits,
// with apostrophes dropped ("don't" → "dont").
func Words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
		default:
			flush()
		}
	}
	flush()
	return out
}

// topic reports whether w is a topic word for s.
func (s *Splitter) topic(w string) bool {
	return len([]rune(w)) >= 3 && !s.stop[w] && !isNumber(w)
}

// Keywords returns the distinct topic words of title, in order of first
// appearance.
func (s *Splitter) Keywords(title string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range Words(title) {
		if !s.topic(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// MaxPhrase is the most words a phrase has.
const MaxPhrase = 3

// Phrases returns the distinct phrases of title: every run of 1 to maxN
// adjacent topic words (maxN ≤ 0 means MaxPhrase), in order of first
// appearance, shorter first at each position.
func (s *Splitter) Phrases(title string, maxN int) []string {
	if maxN <= 0 || maxN > MaxPhrase {
		maxN = MaxPhrase
	}
	words := Words(title)
	seen := map[string]bool{}
	var out []string
	for i := range words {
		if !s.topic(words[i]) {
			continue
		}
		g := words[i]
		for n := 1; n <= maxN && i+n <= len(words); n++ {
			if n > 1 {
				if !s.topic(words[i+n-1]) {
					break
				}
				g += " " + words[i+n-1]
			}
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// Keywords returns the distinct topic words of s in any known language.
func Keywords(s string) []string { return For("").Keywords(s) }

// NGrams returns the distinct 1- and 2-word phrases of s in any known
// language.
func NGrams(s string) []string { return For("").Phrases(s, 2) }

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Group is terms that occur in exactly the same documents.
type Group struct {
	// Terms are the group's phrases not contained in a longer phrase of
	// the group, longest first (then alphabetically).
	Terms []string
	Docs  []int // document indices, ascending
}

// Label is the group's terms joined for display: "chrono trigger · boy".
func (g Group) Label() string { return strings.Join(g.Terms, " · ") }

// Collapse groups terms by the documents they occur in (docs must list
// each document once, ascending) and keeps, within each group, only the
// phrases no longer phrase of the group contains: "chrono" and "trigger"
// found only in "chrono trigger" become one entry, "chrono trigger", and
// words that always come together but not side by side become one entry
// with several terms. Groups come sorted by their first term.
func Collapse(terms map[string][]int) []Group {
	bySig := map[string]*Group{}
	var b strings.Builder
	for term, docs := range terms {
		b.Reset()
		for _, d := range docs {
			b.WriteString(strconv.Itoa(d))
			b.WriteByte(',')
		}
		sig := b.String()
		g := bySig[sig]
		if g == nil {
			g = &Group{Docs: docs}
			bySig[sig] = g
		}
		g.Terms = append(g.Terms, term)
	}
	out := make([]Group, 0, len(bySig))
	for _, g := range bySig {
		sort.Slice(g.Terms, func(i, j int) bool {
			a, b := g.Terms[i], g.Terms[j]
			if len(a) != len(b) {
				return len(a) > len(b)
			}
			return a < b
		})
		keep := g.Terms[:0:0]
		for _, t := range g.Terms {
			inside := false
			for _, k := range keep {
				if strings.Contains(" "+k+" ", " "+t+" ") {
					inside = true
					break
				}
			}
			if !inside {
				keep = append(keep, t)
			}
		}
		g.Terms = keep
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Terms[0] < out[j].Terms[0] })
	return out
}
