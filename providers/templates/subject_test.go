package templates

import (
	"context"
	"slices"
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
		// an idea about a built-in subject of the niche reads as that subject
		{"Meal prep: the 5 mistakes that cost the most, and the fixes", "en",
			topicForm{Subject: "meal prep", Idea: "Meal prep: the 5 mistakes that cost the most, and the fixes"}},
		{"Everything I wish I'd known about your pantry staples (vertical, under 60 seconds)", "en",
			topicForm{Subject: "pantry staples", Idea: "Everything I wish I'd known about your pantry staples"}},
		// an idea the template wrote about the user's own subject
		{"Sourdough starter for beginners: where to start and what to skip #shorts", "en",
			topicForm{Subject: "sourdough starter", Idea: "Sourdough starter for beginners: where to start and what to skip"}},
		{"How to start a podcast: the habits that matter more than gadgets", "en",
			topicForm{Subject: "starting a podcast", HowTo: "How to start a podcast", Idea: "How to start a podcast: the habits that matter more than gadgets"}},
		{"AI video editing, explained for busy parents", "en",
			topicForm{Subject: "AI video editing", Idea: "AI video editing, explained for busy parents"}},
		// the greedy reader: an audience with "for" in it never leaks into the subject
		{"Home cooking for one, explained for busy parents cooking for kids", "en",
			topicForm{Subject: "home cooking for one", Idea: "Home cooking for one, explained for busy parents cooking for kids"}},
		{"Five cheap urban legends you can test at home tonight with friends", "en",
			topicForm{Subject: "Five cheap urban legends", Idea: "Five cheap urban legends you can test at home tonight with friends"}},
		{"I finally understood why my bread kept failing after trying for months", "en",
			topicForm{Subject: niche, Idea: "I finally understood why my bread kept failing after trying for months"}},
		{"cómo empezar un podcast", "es", topicForm{Subject: niche, HowTo: "cómo empezar un podcast"}},
		{"¿Cómo hacerlo en casa?", "es", topicForm{Subject: niche, HowTo: "Cómo hacerlo en casa"}},
		{"cómo funciona la levadura", "es", topicForm{Subject: niche, Question: "cómo funciona la levadura"}},
		{"¿por qué flota el hielo?", "es", topicForm{Subject: niche, Question: "por qué flota el hielo"}},
		{"Pequeños cambios en tus sopas que suman en un año", "es",
			topicForm{Subject: "sopas", Idea: "Pequeños cambios en tus sopas que suman en un año"}},
		{"Masa madre sin rodeos: la versión para padres con poco tiempo para cocinar", "es",
			topicForm{Subject: "masa madre", Idea: "Masa madre sin rodeos: la versión para padres con poco tiempo para cocinar"}},
		{"como fazer pão", "pt", topicForm{Subject: niche, HowTo: "como fazer pão"}},
		{"por que o gelo flutua", "pt", topicForm{Subject: niche, Question: "por que o gelo flutua"}},
		{"pão de fermentação natural", "pt", topicForm{Subject: "pão de fermentação natural"}},
		{"Pequenas mudanças na sua pizza caseira que somam em um ano", "pt",
			topicForm{Subject: "pizza caseira", Idea: "Pequenas mudanças na sua pizza caseira que somam em um ano"}},
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

// TestIdeaPatternsReadBuiltInIdeas keeps the subject reader in step with
// the built-in ideas.<lang>.tmpl: every idea it writes reads back as the
// subject it was written about (the user's topic, or, without one, one of
// the niche's subjects), so an idea taken as a package's topic gives the
// templates the subject again rather than a sentence or the niche.
func TestIdeaPatternsReadBuiltInIdeas(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{"en": "sourdough starter", "es": "masa madre", "pt": "fermentação natural"}
	niches := map[string][]string{"en": {"home baking", "ancient history", "woodworking", "urban legends", "science explained", "movie reviews"},
		"es": {"cocina casera", "historia", "carpintería", "leyendas urbanas", "reseñas de películas", "datos curiosos del espacio"},
		"pt": {"culinária", "história do Brasil", "marcenaria", "lendas urbanas", "curiosidades de ciência", "resenhas de livros"}}
	for lang, subject := range subjects {
		for _, niche := range niches[lang] {
			pool := map[string]bool{}
			for _, s := range subjectsFor(lang, niche) {
				pool[strings.ToLower(s.Bare)] = true
			}
			for _, format := range []string{"long-form", "shorts"} {
				for seed := int64(1); seed <= 30; seed++ {
					for _, topic := range []string{subject, ""} {
						resp, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskIdeas, Topic: topic, Seed: seed,
							Channel: providers.Channel{ID: "c", Niche: niche, Audience: "busy parents who cook for kids", Language: lang, Format: format}})
						if err != nil {
							t.Fatal(err)
						}
						seen := map[string]bool{}
						for _, idea := range providers.Lines(resp.Text) {
							got := readTopic(idea, niche, lang)
							switch {
							case got.Idea == "":
								t.Fatalf("%s %s idea %q is not read as an idea: %+v", lang, niche, idea, got)
							case topic != "" && !strings.EqualFold(got.Subject, subject):
								t.Fatalf("%s %s idea %q reads as %+v, want subject %q", lang, niche, idea, got, subject)
							case topic == "" && !pool[strings.ToLower(got.Subject)]:
								t.Fatalf("%s %s idea %q reads as %q, not a subject of the niche", lang, niche, idea, got.Subject)
							}
							seen[strings.ToLower(got.Subject)] = true
						}
						if topic == "" && len(seen) < DefaultCount-1 {
							t.Fatalf("%s %s: ideas without a topic name only %d subjects: %s", lang, niche, len(seen), resp.Text)
						}
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
						if topic != "" && form.Idea == "" && form.Question == "" && form.HowTo == "" && !strings.Contains(strings.ToLower(title), strings.ToLower(form.Subject)) {
							t.Fatalf("%s: the title does not name the subject %q", where, form.Subject)
						}
						if topic == "" && !slices.ContainsFunc(subjectsFor(lang, "home baking"), func(s subject) bool {
							return strings.Contains(strings.ToLower(title), strings.ToLower(s.Bare))
						}) {
							t.Fatalf("%s: the title names none of the niche's subjects", where)
						}
						if strings.Count(strings.ToLower(title), "home baking") > 0 {
							t.Fatalf("%s: the niche is used as the subject", where)
						}
						if format == "shorts" && (strings.Contains(strings.ToLower(title), "minute") || strings.Contains(strings.ToLower(title), "minuto")) {
							t.Fatalf("%s: a Short promises minutes", where)
						}
						if format != "shorts" && strings.Contains(title, "#shorts") {
							t.Fatalf("%s: a long-form title says #shorts", where)
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
