package templates

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"tubeagency/providers"
)

func TestReadTopic(t *testing.T) {
	const niche = "home baking"
	cases := []struct {
		topic, lang string
		want        topicForm
	}{
		{"sourdough starter", "en", topicForm{Subject: "sourdough starter"}},
		{"", "en", topicForm{Subject: niche}},
		{"How to start a podcast", "en", topicForm{Subject: "starting a podcast", HowTo: "How to start a podcast"}},
		{"how to bake bread?", "en", topicForm{Subject: "baking bread", HowTo: "how to bake bread"}},
		{"how to run a marathon", "en", topicForm{Subject: "running a marathon", HowTo: "how to run a marathon"}},
		{"why ice floats", "en", topicForm{Subject: niche, Question: "why ice floats"}},
		{"How does yeast work?", "en", topicForm{Subject: niche, Question: "How does yeast work"}},
		{"is coffee bad for you", "en", topicForm{Subject: niche, Question: "is coffee bad for you"}},
		{"can openers", "en", topicForm{Subject: "can openers"}}, // too short for "can" to ask
		{"Why ice floats? The short answer and the long one", "en",
			topicForm{Subject: niche, Question: "Why ice floats", Idea: "Why ice floats? The short answer and the long one"}},
		{"How urban legends changed in the last 9 years (vertical, under 60 seconds)", "en",
			topicForm{Subject: "urban legends", Idea: "How urban legends changed in the last 9 years"}},
		{"Sourdough starter on a budget: what you really need and what to skip #shorts", "en",
			topicForm{Subject: "sourdough starter", Idea: "Sourdough starter on a budget: what you really need and what to skip"}},
		{"How to start a podcast on a budget: what you really need and what to skip", "en",
			topicForm{Subject: "starting a podcast", HowTo: "how to start a podcast", Idea: "How to start a podcast on a budget: what you really need and what to skip"}},
		{"AI video editing on a budget: what you really need and what to skip", "en",
			topicForm{Subject: "AI video editing", Idea: "AI video editing on a budget: what you really need and what to skip"}},
		{"Five cheap urban legends you can test at home tonight with friends", "en",
			topicForm{Subject: niche, Idea: "Five cheap urban legends you can test at home tonight with friends"}},
		{"cómo empezar un podcast", "es", topicForm{Subject: niche, HowTo: "cómo empezar un podcast"}},
		{"¿Cómo hacerlo en casa?", "es", topicForm{Subject: niche, HowTo: "Cómo hacerlo en casa"}},
		{"cómo funciona la levadura", "es", topicForm{Subject: niche, Question: "cómo funciona la levadura"}},
		{"¿por qué flota el hielo?", "es", topicForm{Subject: niche, Question: "por qué flota el hielo"}},
		{"Cómo ha cambiado el pan de masa madre en los últimos 4 años (vertical, menos de 60 segundos)", "es",
			topicForm{Subject: "el pan de masa madre", Idea: "Cómo ha cambiado el pan de masa madre en los últimos 4 años"}},
		{"como fazer pão", "pt", topicForm{Subject: niche, HowTo: "como fazer pão"}},
		{"por que o gelo flutua", "pt", topicForm{Subject: niche, Question: "por que o gelo flutua"}},
		{"pão de fermentação natural", "pt", topicForm{Subject: "pão de fermentação natural"}},
	}
	for _, c := range cases {
		if got := readTopic(c.topic, niche, c.lang); got != c.want {
			t.Errorf("readTopic(%q, %s)\n got %+v\nwant %+v", c.topic, c.lang, got, c.want)
		}
	}
}

func TestGerund(t *testing.T) {
	for verb, want := range map[string]string{
		"start": "starting", "make": "making", "bake": "baking", "run": "running", "stop": "stopping", "plan": "planning",
		"edit": "editing", "open": "opening", "visit": "visiting", "begin": "beginning", "see": "seeing", "be": "being",
		"die": "dying", "lie": "lying", "fix": "fixing", "grow": "growing", "play": "playing", "get": "getting",
		"write": "writing", "Start": "Starting", "cook": "cooking", "train": "training", "swim": "swimming", "agree": "agreeing",
		"dye": "dyeing", "cutting": "cutting",
	} {
		if got := gerund(verb); got != want {
			t.Errorf("gerund(%q) = %q, want %q", verb, got, want)
		}
	}
}

// TestIdeaPatternsReadBuiltInIdeas keeps ideaPatterns in step with the
// built-in ideas.tmpl: every idea it writes about a subject reads back as
// that subject, so an idea taken as a package's topic gives templates the
// subject again rather than a sentence.
func TestIdeaPatternsReadBuiltInIdeas(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{"en": "sourdough starter", "es": "masa madre", "pt": "fermentação natural"}
	for lang, subject := range subjects {
		for _, format := range []string{"long-form", "shorts"} {
			for seed := int64(1); seed <= 40; seed++ {
				resp, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskIdeas, Topic: subject, Seed: seed,
					Channel: providers.Channel{ID: "c", Niche: "home baking", Audience: "busy parents", Language: lang, Format: format}})
				if err != nil {
					t.Fatal(err)
				}
				for _, idea := range providers.Lines(resp.Text) {
					got := readTopic(idea, "home baking", lang)
					if !strings.EqualFold(got.Subject, subject) || got.Idea == "" {
						t.Fatalf("%s idea %q reads as %+v, want subject %q", lang, idea, got, subject)
					}
				}
			}
		}
	}
}

// TestOfflineTextReadsWell generates titles, ideas, tags and thumbnails
// for every shape of topic and checks what a reader would notice first.
func TestOfflineTextReadsWell(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	topics := map[string][]string{
		"en": {"sourdough starter", "how to start a podcast", "why ice floats", "is coffee bad for you", "",
			"How urban legends changed in the last 9 years (vertical, under 60 seconds)",
			"Why ice floats? The short answer and the long one",
			"A 12-day home espresso challenge with a visible result at the end"},
		"es": {"masa madre", "cómo empezar un podcast", "¿por qué flota el hielo?",
			"Cómo ha cambiado la masa madre en los últimos 4 años (vertical, menos de 60 segundos)"},
		"pt": {"fermentação natural", "como fazer pão", "por que o gelo flutua"},
	}
	for lang, list := range topics {
		for _, topic := range list {
			for _, format := range []string{"long-form", "shorts"} {
				ch := providers.Channel{ID: "c", Niche: "home baking", Audience: "busy parents", Language: lang, Format: format}
				form := readTopic(topic, "home baking", lang)
				for seed := int64(1); seed <= 25; seed++ {
					gen := func(task providers.Task) []string {
						resp, err := p.Generate(context.Background(), providers.Request{Task: task, Topic: topic, Seed: seed, Channel: ch})
						if err != nil {
							t.Fatal(err)
						}
						return providers.Lines(resp.Text)
					}
					titles := gen(providers.TaskTitles)
					for i, title := range titles {
						where := lang + " " + format + " topic " + topic + ": title " + title
						if n := utf8.RuneCountInString(title); n > 100 {
							t.Fatalf("%s: %d characters, over YouTube's 100", where, n)
						}
						if strings.Contains(title, "(vertical") || strings.Contains(title, "??") || strings.Count(title, "—") > 1 {
							t.Fatalf("%s: a format note, a doubled question mark or two dashes", where)
						}
						if strings.Contains(strings.ToLower(title), " 1 minutes") {
							t.Fatalf("%s: 1 minutes", where)
						}
						if form.Question != "" && i > 0 && !strings.HasPrefix(strings.ToLower(strings.TrimLeft(title, "¿")), strings.ToLower(form.Question)) {
							t.Fatalf("%s: a question topic's title should ask it", where)
						}
						if form.HowTo != "" && i > 0 && !strings.HasPrefix(strings.ToLower(title), strings.ToLower(form.HowTo)) {
							t.Fatalf("%s: a how-to topic's title should say it", where)
						}
						if form.Idea != "" && i == 0 && !strings.EqualFold(strings.TrimSuffix(title, " #shorts"), form.Idea) {
							t.Fatalf("%s: the first title of an idea topic should be the idea", where)
						}
						if form.Idea == "" && form.Question == "" && form.HowTo == "" && !strings.Contains(strings.ToLower(title), strings.ToLower(form.Subject)) {
							t.Fatalf("%s: the title does not name the subject %q", where, form.Subject)
						}
					}
					for _, idea := range gen(providers.TaskIdeas) {
						if strings.Contains(strings.ToLower(idea), "how to "+strings.ToLower(form.Subject)) || strings.Contains(idea, "??") {
							t.Fatalf("%s %s idea %q reads badly", lang, topic, idea)
						}
					}
					tags := strings.ToLower(strings.Join(gen(providers.TaskTags), " "))
					if strings.Contains(tags, "how to starting") || strings.Contains(tags, "(vertical") {
						t.Fatalf("%s %s tags %q read badly", lang, topic, tags)
					}
					thumb := gen(providers.TaskThumbnail)
					if form.Question != "" && strings.Contains(strings.Join(thumb, " "), "WHY") {
						t.Fatalf("%s %s thumbnail %q repeats a question word", lang, topic, thumb)
					}
				}
			}
		}
	}
}

func TestFitTitle(t *testing.T) {
	long := strings.Repeat("word ", 30) // 150 characters, no parts to drop
	cases := []struct{ in, want string }{
		{"Short title | Full Guide", "Short title | Full Guide"},
		{"O que 278 horas de fermentação natural me ensinaram sobre home baking | guia completo (em 60 segundos)",
			"O que 278 horas de fermentação natural me ensinaram sobre home baking | guia completo"},
		{strings.Repeat("a", 60) + " " + strings.Repeat("b", 30) + " — Explained #shorts", strings.Repeat("a", 60) + " " + strings.Repeat("b", 30)},
		{long, strings.TrimSpace(strings.Repeat("word ", 20))},
	}
	for _, c := range cases {
		got := fitTitle(c.in)
		if got != c.want || utf8.RuneCountInString(got) > maxTitle {
			t.Errorf("fitTitle(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
