package templates

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"tubeagency/providers"
)

// topicLongSections are the headings of the optional sections of the
// Spanish long-form topic script that one subject always gets, first: the
// myths for "los mitos sobre…", the headlines for "los titulares sobre…".
var topicLongSections = map[string][]string{
	"myths":     {"Por qué los mitos no desaparecen", "La vida de un mito", "Mitos que vuelven"},
	"headlines": {"Cómo leer un titular", "Titulares con letra pequeña", "Más allá del titular"},
	"sources":   {"Fuentes en las que apoyarse", "De quién fiarse", "Cómo elegir tus fuentes"},
	"surprises": {"Cuando algo suena demasiado bien", "Datos que sorprenden demasiado", "El encanto de lo sorprendente"},
	"questions": {"Hacer mejores preguntas", "Preguntar bien", "El arte de preguntar"},
	"deeper":    {"Por dónde seguir", "Cómo profundizar", "Si quieres ir más allá"},
	"open":      {"Lo que todavía no se sabe", "Las preguntas abiertas", "Donde se acaba lo que sabemos"},
	"taste":     {"Gusto y criterio", "Lo que una reseña puede decirte", "Opinión y razones"},
	"reviews":   {"Cómo leer una reseña", "Reseñas que sirven", "Qué pedirle a una reseña"},
}

// topicLongSectionOf is the section a narrated subject gets first, by the
// words that name it ("" for a subject the core sections already cover).
func topicLongSectionOf(your string) string {
	for _, m := range []struct{ word, section string }{
		{"grandes preguntas", "open"}, {"mitos", "myths"}, {"titulares", "headlines"}, {"fuentes", "sources"},
		{"preguntas", "questions"}, {"comienzo", "deeper"}, {"puntuación", "taste"}, {"spoilers", "reviews"},
		{"recomendaciones", "reviews"}, {"buena", "reviews"}, {"curiosidades", "surprises"},
	} {
		if strings.Contains(your, m.word) {
			return m.section
		}
	}
	return ""
}

var (
	esDirections = regexp.MustCompile(`(?i)\b(en pantalla|cada plano|primer plano|plano corto|plano general|plano detalle|voz en off|toma de recurso|b-roll)\b|^(muestra|enseña|graba|inserta)\b`)
	esStatistics = regexp.MustCompile(`(?i)\b(estudios|investigaciones|expertos|científicos|encuestas) (muestran|demuestran|dicen|confirman)\b|%|por ciento`)
	sentenceEnd  = regexp.MustCompile(`[.!?…]+(\s|$)`)
)

// TestSpanishTopicLongFormScript: a Spanish long-form script for a topic
// channel (space facts, film and book reviews, explained science,
// psychology, nature, anime) is its own, for every subject: a hook, six
// core sections, five optional ones (the one that fits the subject first,
// the review ones only for a review channel) and a close, 1,300–1,750
// spoken words with no placeholder left, no number, statistic, stage
// direction or practice framing, and no sentence said twice.
// TOPIC_DUMP=<dir> writes the scripts there, to read them.
func TestSpanishTopicLongFormScript(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	niches := []string{"datos curiosos del espacio", "reseñas de películas", "ciencia explicada", "psicología", "reseñas de libros",
		"naturaleza", "anime explicado"}
	for _, niche := range niches {
		if k := nicheKind(niche); k != KindTopic {
			t.Fatalf("%q is %s, want topic", niche, k)
		}
		_, _, review := topicLabel(niche, "es")
		subjects := topicSubjectsFor("es", niche)
		seen := map[string]bool{}
		reviewSections := 0
		var dump strings.Builder
		// At least 20 scripts each, and as many more as it takes to see
		// every subject of the niche.
		seed := int64(0)
		for seed < 20 || len(seen) < len(subjects) && seed < 200 {
			seed++
			resp, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskScript, Seed: seed,
				Channel: providers.Channel{ID: "c", Niche: niche, Language: "es", Format: "long-form"}})
			if err != nil {
				t.Fatal(err)
			}
			text := resp.Text
			fmt.Fprintf(&dump, "# %s, seed %d\n\n%s\n\n---\n\n", niche, seed, text)
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("%s seed %d: %s\n%s", niche, seed, fmt.Sprintf(format, args...), text)
			}
			if !strings.HasPrefix(text, "HOOK: ") {
				fail("no HOOK line")
			}
			if strings.ContainsAny(text, "{}[]") || strings.Contains(text, "<no value>") {
				fail("a placeholder or slot is left")
			}
			var headings, spoken []string
			for _, line := range strings.Split(text, "\n") {
				line = strings.TrimSpace(line)
				switch {
				case line == "" || strings.HasPrefix(line, "NOTE: "):
				case strings.HasPrefix(line, "## "):
					headings = append(headings, strings.TrimPrefix(line, "## "))
				default:
					spoken = append(spoken, strings.TrimPrefix(line, "HOOK: "))
				}
			}
			if len(headings) != 12 {
				fail("%d sections, want 12: %q", len(headings), headings)
			}
			all := strings.Join(spoken, " ")
			if words := len(strings.Fields(all)); words < 1300 || words > 1750 {
				fail("%d spoken words, want 1,300–1,750", words)
			}
			if strings.IndexFunc(all, unicode.IsDigit) >= 0 {
				fail("a number is spoken")
			}
			if m := esStatistics.FindString(all); m != "" {
				fail("a statistic is spoken: %q", m)
			}
			if m := skillFraming["es"].FindString(all); m != "" {
				fail("practice framing is spoken: %q", m)
			}
			said := map[string]bool{}
			for _, line := range spoken {
				for _, s := range sentenceEnd.Split(line, -1) {
					s = strings.ToLower(strings.Trim(s, " «»¿¡,;:"))
					if s == "" {
						continue
					}
					if m := esDirections.FindString(s); m != "" {
						fail("a stage direction is spoken: %q in %q", m, s)
					}
					if len(strings.Fields(s)) >= 4 && said[s] {
						fail("%q is said twice", s)
					}
					said[s] = true
				}
			}
			// The subject is named up front, and its section comes first.
			var your string
			for _, s := range subjects {
				if strings.Contains(strings.ToLower(strings.Join(spoken[:min(3, len(spoken))], " ")), strings.ToLower(s.Your)) && len(s.Your) > len(your) {
					your = s.Your
				}
			}
			if your == "" {
				fail("neither the hook nor the first section names a subject of %q", niche)
			}
			seen[your] = true
			sec := topicLongSectionOf(your)
			if sec != "" && !slices.Contains(topicLongSections[sec], headings[6]) {
				fail("%q opens the optional sections with %q, want one of %q", your, headings[6], topicLongSections[sec])
			}
			// A subject about reviews gets both review sections, first.
			if sec == "taste" && !slices.Contains(topicLongSections["reviews"], headings[7]) ||
				sec == "reviews" && !slices.Contains(topicLongSections["taste"], headings[7]) {
				fail("%q has %q second, want the other review section", your, headings[7])
			}
			for _, h := range headings {
				if slices.Contains(topicLongSections["taste"], h) || slices.Contains(topicLongSections["reviews"], h) {
					reviewSections++
				}
			}
		}
		if review == "" && reviewSections > 0 {
			t.Errorf("%s: %d review sections in a channel that reviews nothing", niche, reviewSections)
		}
		if review != "" && reviewSections == 0 {
			t.Errorf("%s: no review section in %d scripts of a review channel", niche, seed)
		}
		if len(seen) != len(subjects) {
			t.Errorf("%s: %d scripts name %d of its %d subjects: %v", niche, seed, len(seen), len(subjects), seen)
		}
		if dir := os.Getenv("TOPIC_DUMP"); dir != "" {
			name := filepath.Join(dir, strings.ReplaceAll(niche, " ", "-")+".md")
			if err := os.WriteFile(name, []byte(dump.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
