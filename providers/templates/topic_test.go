package templates

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"tubeagency/providers"
)

// skillFraming are the words a practised niche's subjects and patterns glue
// onto it ("Movie Reviews Tools", "Science Explained Practice"), by
// language; a topic channel's titles, ideas, tags and thumbnails never say
// them.
var skillFraming = map[string]*regexp.Regexp{
	"en": regexp.MustCompile(`(?i)\b(tools?|practi[cs]e|setup|routine|habits?|on a budget|first .{0,30}project|basics|goals|gear|workout|beginners? make|mistakes? with)\b`),
	"es": regexp.MustCompile(`(?i)\b(herramientas|práctica|rutina|hábitos?|material de|primer proyecto|metas|bases de|poco presupuesto|errores con)\b`),
	"pt": regexp.MustCompile(`(?i)\b(ferramentas|prática|rotina|hábitos?|material de|primeiro projeto|metas|básico de|erros com)\b`),
}

// TestTopicChannelsHaveNoSkillFraming: a channel about movie reviews,
// explained science or curiosities writes titles, ideas, tags, thumbnails
// and Short scripts about questions, myths and debates, never about tools,
// practice or a routine, in every language and format; a woodworking
// channel keeps its skill subjects.
func TestTopicChannelsHaveNoSkillFraming(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	niches := map[string][]string{"en": {"movie reviews", "science explained", "space facts"}, "es": {"reseñas de películas", "ciencia explicada", "datos curiosos del espacio"},
		"pt": {"curiosidades de ciência", "resenhas de livros", "psicologia"}}
	for lang, list := range niches {
		for _, niche := range list {
			if k := nicheKind(niche); k != KindTopic {
				t.Fatalf("%q is %s, want topic", niche, k)
			}
			for _, format := range []string{"long-form", "shorts"} {
				tasks := []providers.Task{providers.TaskIdeas, providers.TaskTitles, providers.TaskTags, providers.TaskThumbnail, providers.TaskDescription}
				if format == "shorts" {
					tasks = append(tasks, providers.TaskScript)
				}
				for seed := int64(1); seed <= 10; seed++ {
					for _, task := range tasks {
						resp, err := p.Generate(context.Background(), providers.Request{Task: task, Seed: seed,
							Channel: providers.Channel{ID: "c", Niche: niche, Audience: "curious adults", Language: lang, Format: format}})
						if err != nil {
							t.Fatal(err)
						}
						if m := skillFraming[lang].FindString(resp.Text); m != "" {
							t.Fatalf("%s %s %s seed %d says %q:\n%s", lang, niche, task, seed, m, resp.Text)
						}
						if strings.Contains(resp.Text, "{") || strings.Contains(resp.Text, "<no value>") {
							t.Fatalf("%s %s %s seed %d has an unfilled placeholder:\n%s", lang, niche, task, seed, resp.Text)
						}
					}
				}
			}
		}
	}
	for lang, niche := range map[string]string{"en": "woodworking", "es": "carpintería", "pt": "marcenaria"} {
		if k := nicheKind(niche); k != KindGeneral {
			t.Fatalf("%q is %s, want general", niche, k)
		}
		skill := 0
		for _, sub := range subjectsFor(lang, niche) {
			if skillFraming[lang].MatchString(sub.Bare) {
				skill++
			}
		}
		if skill < 4 {
			t.Errorf("%s %q has %d skill subjects, want its practice ones: %+v", lang, niche, skill, subjectsFor(lang, niche))
		}
	}
}
