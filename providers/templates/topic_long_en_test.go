package templates

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tubeagency/providers"
)

// topicLongNiches are topic niches of every shape a long-form English
// topic script must read well for: explainers, facts, reviews, a bare
// subject.
var topicLongNiches = []string{"science explained", "movie reviews", "space facts", "book reviews", "psychology", "nature documentaries",
	"anime reviews", "celebrity news", "economics explained"}

// topicLongBans are what a long-form topic script never says: the skill
// script's framing (gear, practice, routines), stage directions, fact slots
// and invented numbers.
var topicLongBans = regexp.MustCompile(`(?i)\b(tools?|practi[cs]e|setup|routine|habits?|workout|hot takes|on screen|cut to|b-roll|each scene|every scene|studies show|research (shows|says|suggests|found)|experts (say|says|show|found)|data shows|start smaller|keep a simple record)\b|\[FACT|\{|<no value>|\d`)

var (
	reviewWord   = regexp.MustCompile(`(?i)\breview`)
	sentenceLike = regexp.MustCompile(`[^.!?]+[.!?]`)
	// topicFamily is, by a word of the subject, the headings of the
	// section its family calls for.
	topicFamily = map[string]*regexp.Regexp{
		"myths":     regexp.MustCompile(`(?i)## (Why myths stick|The myths that keep coming back|Why a myth outlives its correction)`),
		"ratings":   regexp.MustCompile(`## (What a score can't tell you|Reading a rating|Behind the number)`),
		"sources":   regexp.MustCompile(`## (Sources worth your time|Who to trust, and how much|What a good source does)`),
		"headlines": regexp.MustCompile(`## (Reading a headline|Headlines worth a second look|What a headline leaves out)`),
	}
)

// topicScript writes the long-form English script of niche for seed and
// subject (no topic: the seed picks one of the niche's subjects).
func topicScript(t *testing.T, p *Provider, niche, topic string, seed int64) string {
	t.Helper()
	resp, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskScript, Seed: seed, Topic: topic,
		Channel: providers.Channel{ID: "c", Niche: niche, Audience: "curious adults", Language: "en", Format: "long-form"}})
	if err != nil {
		t.Fatalf("%s seed %d: %v", niche, seed, err)
	}
	return resp.Text
}

// TestTopicLongFormEnglishHasItsOwnScript: a long-form English script for
// a topic channel is the topic explainer, for every subject of the niche
// and for a topic of the user's own: no gear, practice or routine, no
// stage direction, fact slot or number in what is spoken, no sentence said
// twice, notes for the person filming, 1,200–1,800 spoken words; review
// sections only on review channels, and the section a subject's family
// calls for (myths, sources, ratings) in every script about it.
func TestTopicLongFormEnglishHasItsOwnScript(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, niche := range topicLongNiches {
		review := strings.Contains(niche, "review")
		subjects := subjectsFor("en", niche)
		topics := []string{"black holes", "the Oscars"}
		for _, s := range subjects {
			topics = append(topics, s.Bare)
		}
		for i, topic := range append([]string{""}, topics...) {
			seeds := int64(1) // every subject once; a few seeds without a topic
			if topic == "" {
				seeds = 3
			}
			for seed := int64(1); seed <= seeds; seed++ {
				script := topicScript(t, p, niche, topic, seed+int64(i)*10)
				if !strings.HasPrefix(script, "HOOK: ") {
					t.Fatalf("%s %q seed %d: no hook:\n%s", niche, topic, seed, script)
				}
				seen := map[string]bool{}
				notes := 0
				for _, line := range strings.Split(script, "\n") {
					if strings.HasPrefix(line, "NOTE:") {
						notes++
						continue
					}
					if strings.HasPrefix(line, "## ") {
						continue
					}
					if m := topicLongBans.FindString(line); m != "" {
						t.Fatalf("%s %q seed %d says %q in %q", niche, topic, seed, m, line)
					}
					if !review && reviewWord.MatchString(line) && !strings.HasPrefix(line, "HOOK:") {
						// a non-review channel's subjects never say "review"; its sections must not either
						if !strings.Contains(strings.ToLower(line), "reviewers, explainers") {
							t.Fatalf("%s %q seed %d speaks of reviews: %q", niche, topic, seed, line)
						}
					}
					for _, s := range sentenceLike.FindAllString(strings.TrimPrefix(line, "HOOK:"), -1) {
						k := strings.ToLower(strings.TrimSpace(s))
						if len(strings.Fields(k)) >= 4 && seen[k] {
							t.Fatalf("%s %q seed %d says %q twice", niche, topic, seed, s)
						}
						seen[k] = true
					}
				}
				if notes < 5 {
					t.Errorf("%s %q seed %d has %d notes for the person filming, want at least 5", niche, topic, seed, notes)
				}
				if w := spokenWords(script); w < 1250 || w > 1750 {
					t.Errorf("%s %q seed %d: %d spoken words, want 1,250–1,750", niche, topic, seed, w)
				}
				for word, want := range topicFamily {
					if strings.Contains(topic, word) && !want.MatchString(script) {
						t.Errorf("%s %q seed %d has no %s section:\n%s", niche, topic, seed, word, script)
					}
				}
				if seed == 1 {
					dump.WriteString("# " + niche + " / " + topic + "\n\n" + script + "\n\n")
				}
			}
		}
	}
	if dir := os.Getenv("TOPIC_DUMP"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "topic-long-en.md"), []byte(dump.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
