package templates

import (
	"strings"
	"testing"

	"tubeagency/providers"
)

func TestNicheKind(t *testing.T) {
	for niche, want := range map[string]string{
		"personal finance": KindFinance, "finanças pessoais": KindFinance, "home cooking": KindCooking, "cocina fácil": KindCooking,
		"budget travel": KindTravel, "Brazilian history": KindHistory, "história do Brasil": KindHistory, "retro gaming": KindGaming,
		"fitness en casa": KindFitness, "tecnologia": KindTech, "woodworking": KindGeneral, "warm-up drills": KindGeneral,
		// training a pet is a skill, not fitness; facts about pets are a topic
		"dog training": KindGeneral, "adiestramiento de perros": KindGeneral, "adestramento de cães": KindGeneral,
		"cat care": KindGeneral, "fun facts about dogs": KindTopic,
	} {
		if got := nicheKind(niche); got != want {
			t.Errorf("nicheKind(%q) = %s, want %s", niche, got, want)
		}
	}
}

// TestStoryNicheKind: story channels are read as such in English, Spanish
// and Portuguese, including "historias"/"histórias" (stories) next to a
// story word, while history, gaming and other kinds with a story word in
// them keep their kind, and words that only look alike do not count.
func TestStoryNicheKind(t *testing.T) {
	for niche, want := range map[string]string{
		// English
		"urban legends": KindStory, "unsolved mysteries": KindStory, "true crime": KindStory, "ghost stories": KindStory,
		"paranormal encounters": KindStory, "Appalachian folklore": KindStory, "conspiracy theories": KindStory, "creepypasta narrations": KindStory,
		"horror stories": KindStory, "cryptids": KindStory, "Greek myths": KindStory, "haunted places": KindStory, "scary stories for the night bus": KindStory,
		"medieval legends": KindStory, "SCP foundation": KindStory,
		"urban legends, ghost stories and unexplained local mysteries told on the last night bus home": KindStory,
		// Spanish
		"leyendas urbanas": KindStory, "misterios sin resolver": KindStory, "crimen real": KindStory, "historias de fantasmas": KindStory,
		"casas embrujadas": KindStory, "folclore mexicano": KindStory, "historias de terror": KindStory, "relatos de miedo": KindStory,
		"mitos y leyendas": KindStory, "teorías de conspiración": KindStory, "lo paranormal": KindStory,
		// Portuguese
		"lendas urbanas": KindStory, "mistérios não resolvidos": KindStory, "crime real": KindStory, "histórias de assombração": KindStory,
		"casas assombradas": KindStory, "folclore brasileiro": KindStory, "histórias de terror": KindStory, "teorias da conspiração": KindStory,
		"histórias de ônibus noturno e lendas urbanas": KindStory,
		// other kinds keep theirs
		"history": KindHistory, "Roman history": KindHistory, "historia de España": KindHistory, "história do Brasil": KindHistory,
		"history of the Cold War": KindHistory, "horror games": KindGaming, "juegos de terror": KindGaming, "jogos de terror": KindGaming,
		"fitness myths": KindFitness, "money myths": KindFinance, "haunted house travel": KindTravel,
		// look-alikes
		"ghostwriting": KindGeneral, "terrorism explained": KindTopic, "urban gardening": KindGeneral, "filmes legendados": KindTopic,
	} {
		if got := nicheKind(niche); got != want {
			t.Errorf("nicheKind(%q) = %s, want %s", niche, got, want)
		}
	}
}

// TestTopicNicheKind: niches one watches or learns about (reviews, "X
// explained", science, facts, news, culture) are topic niches in English,
// Spanish and Portuguese; niches one practises (hobbies, crafts,
// instruments, skills) stay general; the other kinds keep winning where
// their words occur; a niche with neither kind of word is a topic one.
func TestTopicNicheKind(t *testing.T) {
	for niche, want := range map[string]string{
		// topic, English
		"movie reviews": KindTopic, "science explained": KindTopic, "book reviews": KindTopic, "space facts": KindTopic,
		"psychology": KindTopic, "philosophy for everyone": KindTopic, "wildlife documentaries": KindTopic, "celebrity news": KindTopic,
		"fun facts about animals": KindTopic, "horror movie reviews": KindTopic, "science myths": KindTopic, "woodworking tool reviews": KindTopic,
		"pop culture commentary": KindTopic, "astronomy": KindTopic,
		// topic, Spanish
		"reseñas de películas": KindTopic, "ciencia explicada": KindTopic, "datos curiosos del espacio": KindTopic, "psicología": KindTopic,
		"filosofía": KindTopic, "animales salvajes": KindTopic, "noticias de cine": KindTopic, "reseñas de libros": KindTopic, "curiosidades": KindTopic,
		// topic, Portuguese
		"curiosidades de ciência": KindTopic, "resenhas de filmes": KindTopic, "resenhas de livros": KindTopic, "psicologia": KindTopic,
		"filosofia": KindTopic, "animais": KindTopic, "notícias do espaço": KindTopic, "ciência explicada": KindTopic,
		// unknown niches read as topics
		"minimalism": KindTopic, "parenting": KindGeneral, "cars": KindTopic,
		// practised: general
		"woodworking": KindGeneral, "gardening": KindGeneral, "guitar lessons": KindGeneral, "learn spanish": KindGeneral, "photography": KindGeneral,
		"knitting": KindGeneral, "watercolor painting": KindGeneral, "chess": KindGeneral, "movie making": KindGeneral, "animal photography": KindGeneral,
		"jardinería": KindGeneral, "carpintería": KindGeneral, "fotografía": KindGeneral, "dibujo": KindGeneral, "ganchillo": KindGeneral,
		"jardinagem": KindGeneral, "marcenaria": KindGeneral, "crochê": KindGeneral, "desenho": KindGeneral, "violão": KindGeneral,
		// other kinds keep winning
		"tech reviews": KindTech, "game reviews": KindGaming, "history explained": KindHistory, "historia explicada": KindHistory,
		"Greek myths": KindStory, "urban legends": KindStory, "ghost stories explained": KindStory, "reseñas de videojuegos": KindGaming,
		"resenhas de celulares": KindTech, "fitness myths": KindFitness, "money news": KindFinance, "recipe reviews": KindCooking,
	} {
		if got := nicheKind(niche); got != want {
			t.Errorf("nicheKind(%q) = %s, want %s", niche, got, want)
		}
	}
}

// TestTopicLabel: a topic niche's subjects name what it is about, not its
// format: "movies" for "movie reviews", with the article a contraction
// carried ("del espacio" is about "el espacio").
func TestTopicLabel(t *testing.T) {
	for _, c := range []struct{ niche, lang, about, attr, review string }{
		{"movie reviews", "en", "movies", "movie", "movie review"},
		{"Book Reviews", "en", "books", "book", "book review"},
		{"music reviews", "en", "music", "music", "music review"},
		{"anime reviews", "en", "anime", "anime", "anime review"},
		{"science explained", "en", "science", "science", ""},
		{"fun facts about space", "en", "space", "space", ""},
		{"psychology", "en", "psychology", "psychology", ""},
		{"reseñas de películas", "es", "películas", "películas", "reseña"},
		{"críticas de cine", "es", "cine", "cine", "crítica"},
		{"datos curiosos del espacio", "es", "el espacio", "el espacio", ""},
		{"ciencia explicada", "es", "ciencia", "ciencia", ""},
		{"curiosidades de ciência", "pt", "ciência", "ciência", ""},
		{"resenhas de livros", "pt", "livros", "livros", "resenha"},
		{"notícias do espaço", "pt", "o espaço", "o espaço", ""},
		// a thing before "facts", "trivia" or "news" is a noun adjunct:
		// the niche is about many of them, one of them, or a field
		{"animal facts", "en", "animals", "animal", ""},
		{"celebrity news", "en", "celebrities", "celebrity", ""},
		{"ocean facts", "en", "the ocean", "ocean", ""},
		{"human body facts", "en", "the human body", "human body", ""},
		{"astronomy facts", "en", "astronomy", "astronomy", ""},
		{"science news", "en", "science", "science", ""},
		{"nature trivia", "en", "nature", "nature", ""},
		{"movie trivia", "en", "movies", "movie", ""},
		{"music theory explained", "en", "music theory", "music theory", ""},
		// a niche that names only a format is about everyday life
		{"facts", "en", "everyday life", "everyday", ""},
		{"Fun Facts!", "en", "everyday life", "everyday", ""},
		{"reviews", "en", "everyday life", "everyday", "review"},
		{"curiosidades", "es", "el día a día", "el día a día", ""},
		{"datos curiosos", "es", "el día a día", "el día a día", ""},
		{"reseñas", "es", "el día a día", "el día a día", "reseña"},
		{"curiosidades", "pt", "o dia a dia", "o dia a dia", ""},
		{"mindfulness facts", "en", "mindfulness", "mindfulness", ""},
	} {
		about, attr, review := topicLabel(c.niche, c.lang)
		if about != c.about || attr != c.attr || review != c.review {
			t.Errorf("topicLabel(%q, %s) = %q, %q, %q; want %q, %q, %q", c.niche, c.lang, about, attr, review, c.about, c.attr, c.review)
		}
	}
	// the subjects carry it, contracted where Spanish and Portuguese contract
	for _, c := range []struct{ niche, lang, want string }{
		{"datos curiosos del espacio", "es", "los términos del espacio que todos usan y pocos explican"},
		{"notícias do espaço", "pt", "os termos do espaço que todos usam e poucos explicam"},
		{"movie reviews", "en", "the difference between a good movie review and a bad one"},
		{"reseñas de películas", "es", "la diferencia entre una buena reseña y una mala"},
	} {
		found := false
		for _, sub := range subjectsFor(c.lang, c.niche) {
			found = found || sub.Your == c.want
		}
		if !found {
			t.Errorf("subjects of %q (%s) lack %q: %+v", c.niche, c.lang, c.want, subjectsFor(c.lang, c.niche))
		}
	}
}

func TestAudienceLabel(t *testing.T) {
	for in, want := range map[string]string{
		"busy parents":                         "busy parents",
		"busy parents who want to cook faster": "busy parents",
		"young professionals in their 20s who want to stop living paycheck to paycheck": "young professionals",
		"people aged 18-25":                     "beginners",
		"":                                      "beginners",
		"Students, teachers and anyone curious": "students",
		"estudiantes con poco tiempo y poco dinero":    "estudiantes",
		"adultos de 30 a 50 años que entrenan en casa": "principiantes",
	} {
		lang := "en"
		if in == "estudiantes con poco tiempo y poco dinero" || in == "adultos de 30 a 50 años que entrenan en casa" {
			lang = "es"
		}
		if got := audienceLabel(in, lang); got != want {
			t.Errorf("audienceLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFillAgreesAndContracts(t *testing.T) {
	d := newData(providers.Request{Topic: "", Channel: providers.Channel{Niche: "história do Brasil", Language: "pt-BR"}}, 1, 2026)
	d = d.With("Grandes Navegações")
	if got := d.Fill("A história {de:s}: por que {s} {v:importa|importam}, {em:s} e {a:s}"); got !=
		"A história das Grandes Navegações: por que as Grandes Navegações importam, nas Grandes Navegações e às Grandes Navegações" {
		t.Fatalf("pt: %q", got)
	}
	es := newData(providers.Request{Channel: providers.Channel{Niche: "tecnología", Language: "es"}}, 1, 2026).With("wifi de casa")
	if got := es.Fill("Mejora {s}: la velocidad {de:s}, de {m}. {B} {x} {v:broken}"); got != "Mejora el wifi de tu casa: la velocidad del wifi de tu casa, de el wifi de mi casa. Wifi de casa {x} {v:broken}" {
		t.Fatalf("es: %q", got)
	}
	en := newData(providers.Request{Channel: providers.Channel{Niche: "personal finance", Language: "en"}}, 1, 2026).With("index funds")
	if got := en.Fill("Why {s} {v:matters|matter}, and {m}"); got != "Why your index funds matter, and my index funds" {
		t.Fatalf("en: %q", got)
	}
}

// TestNicheLabel: a niche written as a list or a sentence is named by its
// head; a short one is kept as written.
func TestNicheLabel(t *testing.T) {
	for niche, want := range map[string]string{
		"home espresso":     "home espresso",
		"videojuegos retro": "videojuegos retro",
		"urban legends, ghost stories and unexplained local mysteries told on the last night bus home": "urban legends",
		"ghost stories told on the last night bus home for commuters":                                  "ghost stories",
		"recetas rápidas y baratas para estudiantes que viven solos":                                   "recetas rápidas",
		"história do Brasil contada em cinco minutos para quem estuda":                                 "história do Brasil",
		"woodworking (hand tools only)":                                                                "woodworking",
		"one two three four five six seven":                                                            "one two three four",
		"  home   cooking  ":                                                                           "home cooking",
	} {
		if got := nicheLabel(niche); got != want {
			t.Errorf("nicheLabel(%q) = %q, want %q", niche, got, want)
		}
	}
}

// TestLongNicheMakesUsableTagsAndTitles: the templates name a long niche by
// its head, so its Shorts get 10–15 tags (a sentence glued into each tag
// made them too long to keep) and titles within YouTube's length without
// cutting the niche off mid-phrase, while a topic is still read against the
// niche as written.
func TestLongNicheMakesUsableTagsAndTitles(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := providers.Channel{Name: "Night Bus Stories", Language: "en", Format: "shorts",
		Niche:    "urban legends, ghost stories and unexplained local mysteries told on the last night bus home",
		Audience: "night owls, commuters and insomniacs who like a slow-burning scare, a bit of local history and a story short enough to finish before their stop"}
	for seed := int64(1); seed <= 30; seed++ {
		tags, err := p.Generate(t.Context(), providers.Request{Task: providers.TaskTags, Channel: ch, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		list := strings.Split(strings.TrimSpace(tags.Text), ", ")
		if len(list) < 10 || len(list) > 15 {
			t.Fatalf("seed %d: %d tags: %q", seed, len(list), tags.Text)
		}
		titles, err := p.Generate(t.Context(), providers.Request{Task: providers.TaskTitles, Channel: ch, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, title := range strings.Split(strings.TrimSpace(titles.Text), "\n") {
			if strings.Contains(strings.ToLower(title), "ghost stories") || len([]rune(title)) > 100 {
				t.Fatalf("seed %d: title %q carries the niche's whole sentence", seed, title)
			}
		}
	}
}

// TestBareTopicSubjectsNameSomething: a niche that names only a format
// gets subjects about everyday life, none of them about the format itself
// ("las curiosidades de curiosidades", "the facts debates") or empty ("the
// easiest way into everyday life").
func TestBareTopicSubjectsNameSomething(t *testing.T) {
	for _, c := range []struct{ niche, lang, format string }{
		{"facts", "en", "facts"}, {"fun facts", "en", "fun"}, {"trivia", "en", "trivia"}, {"reviews", "en", "reviews"}, {"news", "en", "news"},
		{"curiosidades", "es", "curiosidades de"}, {"datos curiosos", "es", "datos curiosos"}, {"reseñas", "es", "sobre reseñas"},
		{"curiosidades", "pt", "curiosidades de"}, {"resenhas", "pt", "sobre resenhas"},
	} {
		subs := subjectsFor(c.lang, c.niche)
		if len(subs) < 8 {
			t.Fatalf("%q (%s): only %d subjects", c.niche, c.lang, len(subs))
		}
		for _, sub := range subs {
			for _, text := range []string{sub.Bare, sub.Your} {
				l := strings.ToLower(text)
				if strings.Contains(l, c.format+" ") || strings.HasSuffix(l, c.format) || strings.Contains(l, "way into") || strings.Contains(l, "everyday life nobody") {
					t.Errorf("%q (%s): subject %q", c.niche, c.lang, text)
				}
			}
		}
	}
}
