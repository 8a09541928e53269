package templates

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"tubeagency/providers"
)

// ptSentenceEnd splits spoken text into sentences, as the checklist reads
// them.
var ptSentenceEnd = regexp.MustCompile(`[.!?…]+["”]?\s+`)

// ptDirectionStart opens a sentence meant for the person filming.
var ptDirectionStart = regexp.MustCompile(`^(mostre|grave|insira)\b`)

// ptReviewWords are what only a review channel's script may say.
var ptReviewWords = regexp.MustCompile(`(?i)\b(resenhas?|críticas?|notas?|avaliaç(ão|ões))\b`)

// TestPortugueseLongTopicScriptsExplainWithoutPractice: a long-form script
// for a Portuguese topic channel (reviews, science, space, psychology,
// nature, anime) is its own explainer, for every subject of the niche: no
// routine, tools or practice, no fact slot, no number, no stage direction
// spoken, no sentence said twice, 8–12 minutes at 150 words a minute, notes
// for the creator; and only a review channel talks about reviews and
// ratings.
func TestPortugueseLongTopicScriptsExplainWithoutPractice(t *testing.T) {
	p := newProvider(t, Options{})
	niches := map[string]bool{ // niche: reviews things
		"resenhas de livros": true, "resenhas de filmes": true, "curiosidades de ciência": false, "curiosidades do espaço": false,
		"psicologia": false, "curiosidades da natureza": false, "anime explicado": false,
	}
	for niche, review := range niches {
		if k := nicheKind(niche); k != KindTopic {
			t.Fatalf("%q is %s, want topic", niche, k)
		}
		if _, _, r := topicLabel(niche, "pt"); (r != "") != review {
			t.Fatalf("%q review = %q, want a review niche: %v", niche, r, review)
		}
		reviewSections := 0
		for i, sub := range topicSubjectsFor("pt", niche) {
			// The seed alone drives the choices: each subject gets its own.
			for seed := int64(2*i + 1); seed <= int64(2*i+2); seed++ {
				ch := providers.Channel{ID: "c", Niche: niche, Audience: "curiosos", Language: "pt-BR", Format: "long-form"}
				script := gen(t, p, providers.Request{Task: providers.TaskScript, Channel: ch, Topic: sub.Your, Seed: seed})
				where := niche + " / " + sub.Your
				checkPortugueseTopicScript(t, where, seed, script)
				if m := ptReviewWords.FindString(script); m != "" && !review {
					t.Fatalf("%s seed %d: a channel that reviews nothing says %q:\n%s", where, seed, m, script)
				}
				for _, line := range strings.Split(script, "\n") {
					if strings.HasPrefix(line, "## ") && ptReviewWords.MatchString(line) {
						reviewSections++
					}
				}
			}
		}
		if review && reviewSections == 0 {
			t.Errorf("%s: no script has a section about reviews or ratings", niche)
		}
		if !review && reviewSections > 0 {
			t.Errorf("%s: %d sections about reviews or ratings in a channel that reviews nothing", niche, reviewSections)
		}
	}
}

func checkPortugueseTopicScript(t *testing.T, where string, seed int64, script string) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s seed %d: %s\n%s", where, seed, strings.TrimSpace(fmt.Sprintf(format, args...)), script)
	}
	if !strings.HasPrefix(script, "HOOK: ") {
		fail("no hook first")
	}
	if m := skillFraming["pt"].FindString(script); m != "" {
		fail("says %q, a practised skill's word", m)
	}
	for _, bad := range []string{"{", "}", "<no value>", "[DADO", "%"} {
		if strings.Contains(script, bad) {
			fail("has %q", bad)
		}
	}
	headings, notes := 0, 0
	seen := map[string]bool{}
	for _, line := range strings.Split(script, "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			headings++
			continue
		case strings.HasPrefix(line, "NOTE: "):
			notes++
			continue
		}
		spoken := strings.TrimPrefix(line, "HOOK: ")
		if strings.ContainsAny(spoken, "0123456789") {
			fail("speaks a number: %q", spoken)
		}
		for _, s := range ptSentenceEnd.Split(strings.TrimSpace(spoken), -1) {
			if s == "" {
				continue
			}
			l := strings.ToLower(s)
			if strings.Contains(l, "na tela") || ptDirectionStart.MatchString(l) {
				fail("speaks a direction for the person filming: %q", s)
			}
			k := strings.Trim(l, " .!?…”\"")
			if seen[k] && len(strings.Fields(k)) >= 4 {
				fail("says %q twice", s)
			}
			seen[k] = true
		}
	}
	if headings != 11 {
		fail("%d sections, want 6 fixed and 5 chosen", headings)
	}
	if notes < 6 {
		fail("%d notes for the person filming, want at least 6", notes)
	}
	if w := spokenWords(script); w < 1200 || w > 1800 {
		fail("%d spoken words, want 1,200–1,800 (8–12 minutes at 150 a minute)", w)
	}
}
