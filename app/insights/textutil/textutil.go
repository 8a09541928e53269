// Package textutil splits titles into the words the analysis, trends and
// predictor packages count, so all three agree on what a keyword is.
package textutil

import (
	"strings"
	"unicode"
)

// stopwords are English function words that carry no topic.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because
		been before being below between both but by can could did do does doing down during each few for from
		further had has have having he her here hers him his how i if in into is it its itself just me more most
		my no nor not now of off on once only or other our ours out over own same she should so some such than
		that the their theirs them then there these they this those through to too under until up very was we
		were what when where which while who whom why will with you your yours vs get got im ive dont`) {
		m[w] = true
	}
	return m
}()

// IsStopword reports whether w (lower case) is a function word.
func IsStopword(w string) bool { return stopwords[w] }

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

// Keywords returns the distinct topic words of s: not stopwords, at least
// three characters, not pure numbers. Order is first appearance.
func Keywords(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range Words(s) {
		if len(w) < 3 || stopwords[w] || isNumber(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// NGrams returns the distinct 1- and 2-word grams of s's topic words, where
// a 2-gram joins two adjacent words that are both topic words.
func NGrams(s string) []string {
	words := Words(s)
	seen := map[string]bool{}
	var out []string
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	keep := func(w string) bool { return len(w) >= 3 && !stopwords[w] && !isNumber(w) }
	for i, w := range words {
		if !keep(w) {
			continue
		}
		add(w)
		if i+1 < len(words) && keep(words[i+1]) {
			add(w + " " + words[i+1])
		}
	}
	return out
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
