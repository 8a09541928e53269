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
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stop word lists by language: function words that carry no topic.
var lists = map[string]string{
	"en": `a about above after again against all am an and any are as at be because been before being below
		between both but by can could did do does doing down during each few for from further had has have having
		he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
		once only or other our ours out over own same she should so some such than that the their theirs them then
		there these they this those through to too under until up very was we were what when where which while who
		whom why will with you your yours vs get got im ive dont every ever also really would much many`,
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

// MaxPhrase is the most topic words a phrase has.
const MaxPhrase = 4

// maxInnerStop is how many stop words in a row a phrase may hold between
// two topic words ("secret of mana", "pão de queijo").
const maxInnerStop = 2

// Phrases returns the distinct phrases of title: every run of 1 to maxN
// topic words (maxN ≤ 0 means MaxPhrase) that starts and ends with a topic
// word, with at most two stop words in a row between them, in order of
// first appearance, shorter first at each position.
func (s *Splitter) Phrases(title string, maxN int) []string {
	if maxN <= 0 || maxN > MaxPhrase {
		maxN = MaxPhrase
	}
	seen := map[string]bool{}
	var out []string
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for _, seg := range segments(title) {
		s.phrases(Words(seg), maxN, add)
	}
	return out
}

// breaks end a phrase: punctuation between parts of a title.
const breaks = ":;,.!?|()[]{}\"“”«»–—/#…"

// segments cuts a title where a phrase may not continue: at punctuation
// and at a dash between spaces ("Chrono Trigger - the boy").
func segments(title string) []string {
	title = strings.ReplaceAll(title, " - ", " | ")
	return strings.FieldsFunc(title, func(r rune) bool { return strings.ContainsRune(breaks, r) })
}

// scan calls word with each lower-case word of title (as Words cuts
// them, in buf) and brk where segments would cut the title.
func scan(title string, buf *[]byte, word func([]byte), brk func()) {
	b := (*buf)[:0]
	flush := func() {
		if len(b) > 0 {
			word(b)
			b = b[:0]
		}
	}
	prevSpace := false
	for i, r := range title {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				b = append(b, byte(r))
			} else {
				b = utf8.AppendRune(b, unicode.ToLower(r))
			}
		case r == '\'' || r == '’':
		case strings.ContainsRune(breaks, r) || r == '-' && prevSpace && i+1 < len(title) && title[i+1] == ' ':
			flush()
			brk()
		default:
			flush()
		}
		prevSpace = r == ' '
	}
	flush()
	*buf = b
}

func (s *Splitter) phrases(words []string, maxN int, add func(string)) {
	for i := range words {
		if !s.topic(words[i]) {
			continue
		}
		g := words[i]
		add(g)
		topics, stops := 1, 0
		pending := ""
		for j := i + 1; j < len(words) && topics < maxN; j++ {
			w := words[j]
			if s.topic(w) {
				g += pending + " " + w
				pending, stops = "", 0
				topics++
				add(g)
				continue
			}
			if !s.stop[w] || stops == maxInnerStop {
				break
			}
			pending += " " + w
			stops++
		}
	}
}

// Index maps every phrase (as Phrases makes them, up to maxN topic words)
// found in at least minDocs of titles to the indices of those titles,
// ascending. It counts level by level, as Apriori does: a phrase is only
// counted when the two phrases one topic word shorter inside it are
// frequent, and counted by hash first, so a corpus of many titles costs
// little more than counting its words.
func (s *Splitter) Index(titles []string, maxN, minDocs int) map[string][]int {
	if maxN <= 0 || maxN > MaxPhrase {
		maxN = MaxPhrase
	}
	minDocs = max(minDocs, 1)
	// Tokens of every title in a row; a phrase never crosses a segment.
	var (
		ids   = map[string]uint32{}
		words []string // by id
		tok   []uint32 // word id per token
		doc   []int32  // title per token
		next  []int32  // per topic token: the next topic token a phrase may reach, -1 if none
		start []int32  // topic tokens: where phrases start
	)
	var (
		isTopic, isStop []bool // by id
		w               []byte
	)
	for di, t := range titles {
		lastTopic, stops := -1, 0
		scan(t, &w, func(word []byte) {
			id, ok := ids[string(word)]
			if !ok {
				id = uint32(len(words))
				ws := string(word)
				ids[ws] = id
				words = append(words, ws)
				isTopic, isStop = append(isTopic, s.topic(ws)), append(isStop, s.stop[ws])
			}
			pos := int32(len(tok))
			tok, doc, next = append(tok, id), append(doc, int32(di)), append(next, -1)
			switch {
			case isTopic[id]:
				if lastTopic >= 0 {
					next[lastTopic] = pos
				}
				lastTopic, stops = int(pos), 0
				start = append(start, pos)
			case isStop[id] && stops < maxInnerStop && lastTopic >= 0:
				stops++
			default:
				lastTopic = -1
			}
		}, func() { lastTopic = -1 })
	}
	// Per start: the last token and the hash of its phrase at this level.
	end := make([]int32, len(start))
	hash := make([]uint64, len(start))
	alive := make([]bool, len(start))
	for i, p := range start {
		end[i], hash[i], alive[i] = p, mix(0, tok[p]), true
	}
	// frequent[p] is true when the phrase starting at token p of the
	// previous level is frequent.
	frequent := make([]bool, len(tok))
	out := map[string][]int{}
	type count struct{ docs, last int32 }
	// rep is one distinct phrase of a level: where it first occurs and
	// its titles.
	type rep struct {
		start, end int32
		docs       []int
	}
	same := func(a *rep, p, e int32) bool {
		if e-p != a.end-a.start {
			return false
		}
		for k := int32(0); k <= e-p; k++ {
			if tok[a.start+k] != tok[p+k] {
				return false
			}
		}
		return true
	}
	text := func(p, e int32) string {
		var b strings.Builder
		for t := p; t <= e; t++ {
			if t > p {
				b.WriteByte(' ')
			}
			b.WriteString(words[tok[t]])
		}
		return b.String()
	}
	for level := 1; level <= maxN; level++ {
		if level > 1 {
			// Grow each live phrase by one topic word; keep it only when
			// the phrase it grew from and the one after its first word
			// were frequent.
			for i, p := range start {
				if !alive[i] {
					continue
				}
				e := next[end[i]]
				if !frequent[p] || e < 0 || !frequent[next[p]] {
					alive[i] = false
					continue
				}
				h := hash[i]
				for t := end[i] + 1; t <= e; t++ {
					h = mix(h, tok[t])
				}
				end[i], hash[i] = e, h
			}
		}
		counts := map[uint64]count{}
		for i := range start {
			if !alive[i] {
				continue
			}
			d := doc[start[i]]
			c, ok := counts[hash[i]]
			if !ok {
				counts[hash[i]] = count{1, d}
			} else if c.last != d {
				counts[hash[i]] = count{c.docs + 1, d}
			}
		}
		// The phrases whose hash is frequent, counted exactly (two
		// phrases may share a hash: those go by their text).
		reps := map[uint64]*rep{}
		collided := map[string]*rep{}
		of := make([]*rep, len(start))
		for i, p := range start {
			if !alive[i] || int(counts[hash[i]].docs) < minDocs {
				alive[i] = false
				continue
			}
			d, e := int(doc[p]), end[i]
			r := reps[hash[i]]
			switch {
			case r == nil:
				r = &rep{start: p, end: e}
				reps[hash[i]] = r
			case !same(r, p, e):
				k := text(p, e)
				if r = collided[k]; r == nil {
					r = &rep{start: p, end: e}
					collided[k] = r
				}
			}
			if len(r.docs) == 0 || r.docs[len(r.docs)-1] != d {
				r.docs = append(r.docs, d)
			}
			of[i] = r
		}
		clear(frequent)
		kept := 0
		for i, p := range start {
			if r := of[i]; r != nil && len(r.docs) >= minDocs {
				frequent[p] = true
				if r.start == p {
					out[text(p, r.end)] = r.docs
					kept++
				}
			} else {
				alive[i] = false
			}
		}
		if kept == 0 {
			break
		}
	}
	return out
}

var seed = maphash.MakeSeed()

// mix folds a word id into a phrase hash (FNV-1a over the id's bytes).
func mix(h uint64, id uint32) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	for k := 0; k < 4; k++ {
		h ^= uint64(byte(id >> (8 * k)))
		h *= 1099511628211
	}
	return h
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

// maximal keeps the terms no other term contains, longest first.
func maximal(terms []string) []string {
	sort.Slice(terms, func(i, j int) bool {
		a, b := terms[i], terms[j]
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return a < b
	})
	keep := terms[:0:0]
	for _, t := range terms {
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
	return keep
}

// merge joins phrases of one group that overlap: "chrono trigger speedrun"
// and "trigger speedrun explained", found in the same titles, are the
// longer phrase "chrono trigger speedrun explained" cut at MaxPhrase words.
func merge(terms []string) []string {
	for changed := true; changed; {
		changed = false
	pairs:
		for i := range terms {
			for j := range terms {
				if i == j {
					continue
				}
				if m, ok := overlap(terms[i], terms[j]); ok {
					terms[i] = m
					terms = append(terms[:j], terms[j+1:]...)
					changed = true
					break pairs
				}
			}
		}
	}
	return terms
}

// overlap joins a and b when a's last words are b's first ones.
func overlap(a, b string) (string, bool) {
	aw, bw := strings.Fields(a), strings.Fields(b)
	for k := min(len(aw), len(bw)) - 1; k >= 1; k-- {
		if strings.Join(aw[len(aw)-k:], " ") == strings.Join(bw[:k], " ") {
			return a + " " + strings.Join(bw[k:], " "), true
		}
	}
	return "", false
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
// phrases no longer phrase of the group contains, joining phrases that
// overlap: "chrono" and "trigger" found only in "chrono trigger" become one
// entry, "chrono trigger", and words that always come together but not
// side by side become one entry with several terms. Groups come sorted by their first term.
func Collapse(terms map[string][]int) []Group {
	// Group by a hash of the document list, checking equality on collision.
	bySig := map[uint64][]*Group{}
	var b []byte
	for term, docs := range terms {
		b = b[:0]
		for _, d := range docs {
			b = binary.AppendUvarint(b, uint64(d))
		}
		h := maphash.Bytes(seed, b)
		var g *Group
		for _, c := range bySig[h] {
			if slices.Equal(c.Docs, docs) {
				g = c
				break
			}
		}
		if g == nil {
			g = &Group{Docs: docs}
			bySig[h] = append(bySig[h], g)
		}
		g.Terms = append(g.Terms, term)
	}
	out := make([]Group, 0, len(bySig))
	for _, gs := range bySig {
		for _, g := range gs {
			if len(g.Terms) > 1 {
				g.Terms = maximal(merge(maximal(g.Terms)))
			}
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Terms[0] < out[j].Terms[0] })
	return out
}
