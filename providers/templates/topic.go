package templates

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// A topic niche is one people watch or learn about rather than practise:
// reviews, "X explained", science, space, nature, psychology, facts,
// news, culture. Its subjects are questions, myths, debates and starting
// points about the niche's subject, never "tools", "setup" or "practice",
// and they claim no fact about it: the creator brings the facts.

// topicFormatWords mark a topic niche by its format, whatever it is about:
// "woodworking tool reviews" and "gardening facts" are watched, not
// practised. Words ending in "$" match only themselves.
var topicFormatWords = []string{"review$", "reviews$", "reviewer", "critique", "reseña", "resenha", "crítica$", "críticas$", "critica$", "criticas$",
	"explained$", "explainer", "explainers", "explicad", "explicaç", "explicaci", "facts$", "fact$", "trivia", "curiosidad", "curiosidade",
	"datos$", "fatos$", "news$", "noticia", "notícia", "commentary", "comentario", "comentário", "documentar", "documentár", "analysis", "análisis", "análise"}

// reviewWords mark a review niche: "horror movie reviews" reviews films,
// it does not tell horror stories.
var reviewWords = []string{"review$", "reviews$", "reviewer", "critique", "reseña", "resenha", "crítica$", "críticas$", "critica$", "criticas$"}

// topicWords mark a topic niche by what it is about: subjects one learns
// about or watches. A niche with none of them and no skill word is a topic
// niche too (see nicheKind).
var topicWords = []string{"science", "scientif", "ciencia", "ciência", "científic", "physics", "física", "chemistry", "química", "biology", "biolog",
	"astronom", "space$", "espacio", "espaço", "universe", "universo", "cosmos", "planet", "nature$", "naturaleza", "natureza", "animal", "animales",
	"animais", "wildlife", "dinosaur", "dinossaur", "ocean", "océano", "oceano", "psycholog", "psicolog", "philosoph", "filosof", "celebrit",
	"celebridad", "famosos", "movie", "movies", "film$", "films$", "cinema", "cine$", "película", "filme", "filmes", "series$", "série", "séries",
	"tv$", "television", "televisión", "televisão", "book$", "books$", "libro", "libros", "livro", "livros", "literat", "anime", "manga$", "culture",
	"cultura", "pop$", "geograph", "geograf", "economics", "politic", "polític", "sociolog", "language$", "languages$", "etymolog", "etimolog"}

// skillWords mark a niche one practises (a hobby, a craft, an instrument, a
// skill, a pet to train): its subjects are "your first project", "your
// routine", "your tools". An English word ending in "ing" counts too
// ("woodworking", "knitting", "stargazing").
var skillWords = []string{"woodwork", "carpentr", "carpinter", "marcenar", "craft", "crafts", "manualidad", "artesan", "diy", "bricolaj",
	"knit", "crochet", "crochê", "croché", "ganchillo", "tejer", "tejido", "tricô", "tricot", "sewing", "costura", "bordado", "embroider",
	"garden", "jardin", "jardím", "jardim", "horta", "huerto", "plants", "plantas", "photograph", "fotograf", "camera", "drawing", "draw$",
	"dibuj", "desenh", "painting", "paint$", "pintar", "pintura", "watercolor", "acuarela", "aquarela", "sketch", "calligraph", "caligraf",
	"pottery", "ceramic", "cerámic", "cerâmic", "origami", "lego", "guitar", "guitarra", "violão", "piano", "drum", "drums", "batería", "ukulele",
	"violin", "violín", "violino", "bass$", "singing", "canto", "instrument", "chess", "ajedrez", "xadrez", "fishing", "pesca", "climbing",
	"escalada", "surf", "surfing", "skate", "skateboard", "makeup", "maquillaje", "maquiagem", "skincare", "aquarium", "acuario", "aquário",
	"beekeep", "homestead", "podcast", "podcasting", "drill", "drills", "lessons", "lesson", "clases", "aulas", "tutorial", "tutorials",
	"learn", "learning", "aprender", "idioma", "idiomas", "english$", "spanish$", "inglés", "inglês", "adiestramiento", "adestramento",
	"dressage", "making", "maker", "makers", "production", "producción", "produção", "editing", "edición", "edição"}

// activity reports whether a niche names something one does: a skill
// word, or an English word ending in "ing" ("woodworking").
func activity(words []string) bool {
	if hasWord(words, skillWords) {
		return true
	}
	for _, w := range words {
		if len(w) > 5 && strings.HasSuffix(w, "ing") {
			return true
		}
	}
	return false
}

// topicLabel is what a topic niche is about, as its subjects name it:
//
//	about   the thing itself, as a noun: "movies" for "movie reviews",
//	        "science" for "science explained", "ciência" for "curiosidades
//	        de ciência", "el espacio" for "datos curiosos del espacio"
//	attr    the thing before another noun, in English: "movie" ("movie
//	        myths"); about itself elsewhere
//	review  one review, when the niche reviews things: "movie review",
//	        "reseña", "resenha"; empty otherwise
func topicLabel(niche, lang string) (about, attr, review string) {
	n := strings.ToLower(nicheLabel(niche))
	if bareTopic(n) {
		e := everyday[lang]
		if e[0] == "" {
			e = everyday["en"]
		}
		if hasWord(nicheWords(n), reviewWords) {
			review = e[2]
		}
		return e[0], e[1], review
	}
	for _, p := range topicLabels[lang] {
		m := p.re.FindStringSubmatch(n)
		if m == nil || strings.TrimSpace(m[len(m)-1]) == "" {
			continue
		}
		thing := strings.TrimSpace(m[len(m)-1])
		if len(m) == 3 { // a contracted preposition carries an article
			if art, ok := restoreArticle[m[1]]; ok {
				thing = art + " " + thing
			}
		}
		switch {
		case p.review && lang == "en":
			return plural(thing), thing, thing + " review"
		case p.review:
			return thing, thing, strings.TrimSuffix(firstField(n), "s")
		case p.adjunct:
			return aboutNoun(thing), thing, ""
		}
		return thing, thing, ""
	}
	return n, n, ""
}

// everyday is what a niche that names only a format ("facts",
// "curiosidades", "reviews") is about: about, attr and one review, as
// topicLabel returns them. Its subjects read "the everyday myths that
// won't go away", "curiosidades del día a día".
var everyday = map[string][3]string{
	"en": {"everyday life", "everyday", "review"},
	"es": {"el día a día", "el día a día", "reseña"},
	"pt": {"o dia a dia", "o dia a dia", "resenha"},
}

// fillerWords say how a format is, not what it is about: "fun facts",
// "datos curiosos", "curiosidades interessantes".
var fillerWords = []string{"fun$", "interesting", "weird", "random$", "strange$", "cool$", "amazing$", "curious", "daily$", "top$", "best$",
	"mind$", "blowing$", "quick", "short", "everyday$", "general$", "and$", "&", "y$", "e$", "curioso", "curiosos", "curiosa", "curiosas", "interesante",
	"interesantes", "interessante", "interessantes", "divertido", "divertidos", "divertidas", "raros", "raras", "estranhos", "diarios", "diárias",
	"diários", "rápidos", "rápidas", "de$", "del$", "do$", "da$"}

// bareTopic reports whether a niche names a format and nothing it is
// about: "facts", "fun facts", "curiosidades", "reviews", "news".
func bareTopic(niche string) bool {
	words := nicheWords(niche)
	if len(words) == 0 || !hasWord(words, topicFormatWords) {
		return false
	}
	for _, w := range words {
		if !hasWord([]string{w}, topicFormatWords) && !hasWord([]string{w}, fillerWords) {
			return false
		}
	}
	return true
}

// nicheWords are a niche's words, lower case, without punctuation.
func nicheWords(niche string) []string {
	return strings.FieldsFunc(strings.ToLower(niche), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' })
}

// topicLabels read what a topic niche is about out of it, in each
// language: review marks a niche that reviews things; adjunct one whose
// thing stands before its format as a singular noun ("animal facts",
// "celebrity news"), so it is about "animals" and "celebrities".
var topicLabels = map[string][]struct {
	re      *regexp.Regexp
	review  bool
	adjunct bool
}{
	"en": {
		{re: regexp.MustCompile(`^(.+?) (?:reviews?|critiques?)$`), review: true},
		{re: regexp.MustCompile(`^(?:fun |interesting |weird |random |strange )?facts (?:about|on) (.+)$`)},
		{re: regexp.MustCompile(`^(.+?) (?:facts?|trivia|news)(?: .*)?$`), adjunct: true},
		{re: regexp.MustCompile(`^(.+?) (?:explained|commentary|documentary|documentaries|explainers?|analysis)(?: .*)?$`)},
	},
	"es": {
		{re: regexp.MustCompile(`^(?:reseñas?|críticas?|criticas?) (de|del) (.+)$`), review: true},
		{re: regexp.MustCompile(`^(?:datos curiosos|curiosidades|noticias|datos|documentales|análisis) (de|del|sobre) (.+)$`)},
		{re: regexp.MustCompile(`^(.+?) explicad[oa]s?(?: .*)?$`)},
	},
	"pt": {
		{re: regexp.MustCompile(`^(?:resenhas?|críticas?|criticas?) (de|do|da|dos|das) (.+)$`), review: true},
		{re: regexp.MustCompile(`^(?:curiosidades|notícias|noticias|fatos|documentários|análises?) (de|do|da|dos|das|sobre) (.+)$`)},
		{re: regexp.MustCompile(`^(.+?) explicad[oa]s?(?: .*)?$`)},
	},
}

// restoreArticle undoes a contraction: "curiosidades do espaço" is about
// "o espaço".
var restoreArticle = map[string]string{"del": "el", "do": "o", "da": "a", "dos": "os", "das": "as"}

// uncountable English nouns do not take a plural s ("music reviews" are
// about music).
var uncountable = map[string]bool{"music": true, "anime": true, "manga": true, "tv": true, "art": true, "theatre": true, "theater": true,
	"poetry": true, "food": true, "gear": true, "software": true, "furniture": true, "equipment": true, "skincare": true, "makeup": true}

// theNouns are English things there is one of, or that are spoken of as
// one: "ocean facts" are about "the ocean".
var theNouns = map[string]bool{"ocean": true, "sea": true, "brain": true, "body": true, "universe": true, "sun": true, "moon": true,
	"earth": true, "internet": true, "economy": true, "mind": true, "heart": true, "weather": true, "climate": true, "stock market": true,
	"solar system": true, "deep sea": true, "middle ages": true, "royal family": true, "olympics": true, "world cup": true}

// massSuffixes end English nouns that take no plural: fields of study
// ("psychology", "physics", "astronomy", "philosophy", "geography",
// "chemistry"), "-ism", "-ing", "-ture" ("culture", "literature").
var massSuffixes = []string{"logy", "ics", "nomy", "sophy", "graphy", "istry", "ism", "ing", "ture", "ness", "cy"}

// massNouns are English nouns taken as a whole ("science news" is about
// science), beyond uncountable and massSuffixes.
var massNouns = map[string]bool{"science": true, "space": true, "history": true, "art": true, "film": true, "cinema": true, "crypto": true,
	"football": true, "soccer": true, "basketball": true, "baseball": true, "tennis": true, "golf": true, "cricket": true, "rugby": true,
	"chess": true, "wine": true, "coffee": true, "tea": true, "beer": true, "fashion": true, "money": true, "health": true, "tech": true,
	"news": true, "media": true, "law": true, "medicine": true, "religion": true, "math": true, "maths": true, "data": true, "ai": true,
	"hardware": true, "crime": true, "true crime": true, "travel": true, "nutrition": true, "sleep": true, "energy": true, "evolution": true,
	"gravity": true, "electricity": true, "humanity": true, "nature": true, "light": true, "time": true, "pop culture": true, "science fiction": true, "sci-fi": true, "horror": true, "comedy": true}

// aboutNoun is what an English niche with its thing before the format
// ("animal facts", "celebrity news", "ocean trivia") is about: the plural
// of a thing there are many of ("animals", "celebrities"), "the ocean",
// or a field as it is ("science", "psychology", "space").
func aboutNoun(thing string) string {
	last := strings.ToLower(lastField(thing))
	switch {
	case theNouns[strings.ToLower(thing)] || theNouns[last]:
		return "the " + thing
	case uncountable[last] || massNouns[strings.ToLower(thing)] || massNouns[last]:
		return thing
	}
	for _, suf := range massSuffixes {
		if strings.HasSuffix(last, suf) && len(last) >= len(suf)+2 {
			return thing
		}
	}
	return plural(thing)
}

// plural is an English noun's plural, as a review niche's thing takes it:
// "movie" → "movies", "series" stays, "music" stays.
func plural(noun string) string {
	last := strings.ToLower(lastField(noun))
	switch {
	case uncountable[last] || strings.HasSuffix(last, "s"):
		return noun
	case strings.HasSuffix(last, "y") && len(last) > 2 && isConsonant(last[len(last)-2]):
		return noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(last, "ch") || strings.HasSuffix(last, "sh") || strings.HasSuffix(last, "x"):
		return noun + "es"
	}
	return noun + "s"
}

// topicSubjects are the subjects of a topic niche: {n} is what it is about
// ("movies", "ciência"), {a} the same before a noun ("movie"), {de:n}
// "de" + {n} as Spanish and Portuguese contract it. No
// narrated form starts with a question word or "how to", so an idea about
// one is read back as an idea, not as a question (readTopic). None of them states a
// fact: they name a question, a myth, a debate, a starting point.
var topicSubjects = map[string][]subject{
	"en": {
		s("{a} myths", "the {a} myths that won't go away", "p"), s("{a} questions", "the questions people ask most about {n}", "p"),
		s("{a} misconceptions", "the things most people get wrong about {n}", "p"), s("{n} for newcomers", "the easiest way into {n}", ""),
		s("{a} debates", "the {a} debates that never settle", "p"), s("{a} terms", "the {a} terms everyone uses and few explain", "p"),
		s("{a} sources", "the {a} sources worth trusting", "p"), s("{a} headlines", "the {a} headlines worth a second look", "p"),
		s("big {a} questions", "the big {a} questions still open", "p"), s("{a} rabbit holes", "the {a} rabbit holes worth falling into", "p"),
	},
	"es": {
		s("mitos sobre {n}", "los mitos sobre {n} que no desaparecen", "p"), s("preguntas sobre {n}", "las preguntas que más se hacen sobre {n}", "p"),
		s("malentendidos sobre {n}", "los malentendidos más comunes sobre {n}", "p"), s("{n} para principiantes", "un buen comienzo para entender {n}", ""),
		s("debates sobre {n}", "los debates sobre {n} que nunca se cierran", "p"), s("términos {de:n}", "los términos {de:n} que todos usan y pocos explican", "p"),
		s("fuentes sobre {n}", "las fuentes sobre {n} en las que se puede confiar", "p"), s("titulares sobre {n}", "los titulares sobre {n} que merecen una segunda lectura", "p"),
		s("grandes preguntas {de:n}", "las grandes preguntas {de:n} que siguen abiertas", "p"), s("curiosidades {de:n}", "las curiosidades {de:n} menos conocidas", "p"),
	},
	"pt": {
		s("mitos sobre {n}", "os mitos sobre {n} que não morrem", "p"), s("perguntas sobre {n}", "as perguntas mais feitas sobre {n}", "p"),
		s("equívocos sobre {n}", "os equívocos mais comuns sobre {n}", "p"), s("{n} para iniciantes", "um bom começo para entender {n}", ""),
		s("debates sobre {n}", "os debates sobre {n} que nunca terminam", "p"), s("termos {de:n}", "os termos {de:n} que todos usam e poucos explicam", "p"),
		s("fontes sobre {n}", "as fontes sobre {n} em que dá para confiar", "p"), s("manchetes sobre {n}", "as manchetes sobre {n} que merecem uma segunda leitura", "p"),
		s("grandes perguntas {de:n}", "as grandes perguntas {de:n} que continuam abertas", "p"), s("curiosidades {de:n}", "as curiosidades {de:n} menos conhecidas", "p"),
	},
}

// reviewSubjects are added to a review niche's: {r} is one review ("movie
// review", "reseña").
var reviewSubjects = map[string][]subject{
	"en": {
		s("good {a} reviews", "the difference between a good {r} and a bad one", ""), s("{a} ratings", "the real meaning of a {a} rating", ""),
		s("spoiler-free {a} reviews", "a {r} without spoilers", ""), s("underrated {n}", "the {n} nobody talks about", "p"),
	},
	"es": {
		s("{r}s buenas y malas", "la diferencia entre una buena {r} y una mala", ""), s("puntuaciones {de:n}", "el significado real de una puntuación", ""),
		s("{r}s sin spoilers", "una {r} sin spoilers", ""), s("recomendaciones {de:n}", "las recomendaciones {de:n} que sí sirven", "p"),
	},
	"pt": {
		s("{r}s boas e ruins", "a diferença entre uma boa {r} e uma ruim", ""), s("notas {de:n}", "o significado real de uma nota", ""),
		s("{r}s sem spoiler", "uma {r} sem spoiler", ""), s("recomendações {de:n}", "as recomendações {de:n} que valem a pena", "p"),
	},
}

// topicSubjectsFor fills the topic subjects of a niche in lang.
func topicSubjectsFor(lang, niche string) []subject {
	pool, ok := topicSubjects[lang]
	if !ok {
		return nil
	}
	about, attr, review := topicLabel(niche, lang)
	bare := bareTopic(strings.ToLower(nicheLabel(niche)))
	// A niche that names only a format ("facts", "reviews") is about
	// everyday life: "the easiest way into everyday life" and "good everyday
	// reviews" say nothing, so subjects led by what it is about are left out.
	pool = slices.DeleteFunc(slices.Clone(pool), func(s subject) bool { return bare && strings.HasPrefix(s.Bare, "{n}") })
	if review != "" {
		for _, s := range reviewSubjects[lang] {
			if !bare || !strings.Contains(s.Bare, "{a}") && !strings.Contains(s.Bare, "{n}") && !strings.Contains(s.Bare, "{de:n}") {
				pool = append(pool, s)
			}
		}
	}
	fill := func(t string) string {
		t = strings.ReplaceAll(t, "{de:n}", contract("de", about))
		return strings.NewReplacer("{n}", about, "{a}", attr, "{r}", review).Replace(t)
	}
	out := make([]subject, 0, len(pool))
	for _, p := range pool {
		out = append(out, subject{Bare: fill(p.Bare), Your: fill(p.Your), Plural: p.Plural, Doing: p.Doing})
	}
	return out
}
