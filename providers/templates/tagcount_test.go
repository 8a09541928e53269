package templates

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"tubeagency/providers"
)

// TestOfflineTagsAreTenToFifteen: every topic shape, long ones included
// (whose derived tags are too long to keep), gets the 10–15 tags the
// pre-publish checklist asks for, within YouTube's 500 characters.
func TestOfflineTagsAreTenToFifteen(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang, niche string
		topics      []string
	}{
		{"en", "personal finance for beginners", []string{"6 money mistakes every beginner makes with a first paycheck", "sourdough starter", "why ice floats", "how to build an emergency fund from zero", ""}},
		{"en", "urban legends and late night mysteries told on the night bus", []string{"", "the vanishing hitchhiker on route 9", "why do legends about night buses spread so fast"}},
		{"es", "finanzas personales para principiantes", []string{"6 errores de finanzas personales que todo principiante comete", "masa madre", "¿por qué flota el hielo?", ""}},
		{"pt", "finanças pessoais para iniciantes", []string{"6 erros de finanças pessoais que todo iniciante comete", "fermentação natural", "como fazer pão", "por que o gelo flutua", ""}},
		{"pt", "histórias de ônibus noturno e lendas urbanas", []string{"", "a lenda do passageiro que desaparece na linha 9"}},
	}
	for _, c := range cases {
		for _, topic := range c.topics {
			for _, format := range []string{"long-form", "shorts"} {
				ch := providers.Channel{ID: "c", Niche: c.niche, Audience: "young adults", Language: c.lang, Format: format}
				for seed := int64(1); seed <= 30; seed++ {
					resp, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskTags, Topic: topic, Seed: seed, Channel: ch})
					if err != nil {
						t.Fatal(err)
					}
					var tags []string
					chars := 0
					for _, tag := range strings.Split(resp.Text, ",") {
						if tag = strings.TrimSpace(tag); tag != "" {
							tags = append(tags, tag)
							chars += utf8.RuneCountInString(tag)
						}
					}
					if len(tags) < 10 || len(tags) > 15 || chars > 500 {
						t.Errorf("%s %s %q seed %d: %d tags, %d characters: %q", c.lang, format, topic, seed, len(tags), chars, resp.Text)
					}
				}
			}
		}
	}
}
