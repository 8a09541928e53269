package textutil_test

import (
	"reflect"
	"testing"

	"tubeagency/app/insights/textutil"
)

func TestWordsKeywordsNGrams(t *testing.T) {
	scenarios := []struct {
		in                string
		words, kw, ngrams []string
	}{
		{"How to Bake Sourdough Bread", []string{"how", "to", "bake", "sourdough", "bread"},
			[]string{"bake", "sourdough", "bread"}, []string{"bake", "bake sourdough", "sourdough", "sourdough bread", "bread"}},
		{"Don't STOP: 10 Air-Fryer tips!", []string{"dont", "stop", "10", "air", "fryer", "tips"},
			[]string{"stop", "air", "fryer", "tips"}, []string{"stop", "air", "air fryer", "fryer", "fryer tips", "tips"}},
		{"Café crème — café", []string{"café", "crème", "café"}, []string{"café", "crème"}, []string{"café", "café crème", "crème"}},
		{"Como fazer pão de queijo", []string{"como", "fazer", "pão", "de", "queijo"}, []string{"pão", "queijo"}, []string{"pão", "pão de queijo", "queijo"}},
		{"", nil, nil, nil},
	}
	for _, sc := range scenarios {
		if got := textutil.Words(sc.in); !reflect.DeepEqual(got, sc.words) {
			t.Errorf("Words(%q) = %q, want %q", sc.in, got, sc.words)
		}
		if got := textutil.Keywords(sc.in); !reflect.DeepEqual(got, sc.kw) {
			t.Errorf("Keywords(%q) = %q, want %q", sc.in, got, sc.kw)
		}
		if got := textutil.NGrams(sc.in); !reflect.DeepEqual(got, sc.ngrams) {
			t.Errorf("NGrams(%q) = %q, want %q", sc.in, got, sc.ngrams)
		}
	}
	if !textutil.IsStopword("the") || textutil.IsStopword("bread") {
		t.Error("stopwords")
	}
}

func TestStopwordsPerLanguage(t *testing.T) {
	scenarios := []struct {
		lang, title string
		want        []string
	}{
		{"en", "The best of the Chrono Trigger soundtrack", []string{"best", "chrono", "trigger", "soundtrack"}},
		{"es", "Cómo hacer tacos de pescado para la familia", []string{"tacos", "pescado", "familia"}},
		{"pt-BR", "Como economizar dinheiro com as finanças pessoais", []string{"economizar", "dinheiro", "finanças", "pessoais"}},
		// Spanish and Portuguese channels often mix in English words.
		{"pt", "The best receitas de bolo", []string{"best", "receitas", "bolo"}},
		// An unknown language uses every list.
		{"", "Receta de la abuela and the secret", []string{"receta", "abuela", "secret"}},
		{"fr", "Los mejores trucos", []string{"mejores", "trucos"}},
	}
	for _, sc := range scenarios {
		if got := textutil.For(sc.lang).Keywords(sc.title); !reflect.DeepEqual(got, sc.want) {
			t.Errorf("For(%q).Keywords(%q) = %q, want %q", sc.lang, sc.title, got, sc.want)
		}
	}
	// English stop words are not removed from English titles for being
	// Spanish ones: "con" stays a topic word in English.
	if got := textutil.For("en").Keywords("Con artists explained"); !reflect.DeepEqual(got, []string{"con", "artists", "explained"}) {
		t.Errorf("en keywords = %q", got)
	}
}

func TestPhrases(t *testing.T) {
	s := textutil.For("en")
	// Punctuation ends a phrase; stop words may sit inside one.
	got := s.Phrases("Chrono Trigger: the boy who saved time", 0)
	want := []string{"chrono", "chrono trigger", "trigger", "boy", "boy who saved", "boy who saved time", "saved", "saved time", "time"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Phrases = %q, want %q", got, want)
	}
	got = s.Phrases("Why Link to the Past still matters - a retrospective", 0)
	want = []string{"link", "link to the past", "link to the past still", "link to the past still matters", "past", "past still", "past still matters",
		"still", "still matters", "matters", "retrospective"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Phrases = %q, want %q", got, want)
	}
	got = s.Phrases("Super Mario Bros Wonder review", 0)
	want = []string{"super", "super mario", "super mario bros", "super mario bros wonder", "mario", "mario bros", "mario bros wonder",
		"mario bros wonder review", "bros", "bros wonder", "bros wonder review", "wonder", "wonder review", "review"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Phrases = %q, want %q", got, want)
	}
	if got := s.Phrases("a b 12", 0); got != nil {
		t.Errorf("Phrases of stop words = %q", got)
	}
}

// The fixture of the keyword bug: "chrono", "trigger" and "boy" appear only
// in the same two titles; they must become one entry, not four rows with
// identical numbers.
func TestCollapseKeepsPhrasesThatCoOccur(t *testing.T) {
	titles := []string{
		"Chrono Trigger boy plays the ending",
		"Why the Chrono Trigger boy still matters",
		"Chrono Cross was different",
		"Trigger warnings in games",
		"Ending explained",
	}
	s := textutil.For("en")
	terms := map[string][]int{}
	for i, title := range titles {
		for _, p := range s.Phrases(title, 0) {
			terms[p] = append(terms[p], i)
		}
	}
	var got []string
	for _, g := range textutil.Collapse(terms) {
		if len(g.Docs) >= 2 {
			got = append(got, g.Label())
		}
	}
	want := []string{"chrono", "chrono trigger boy", "ending", "trigger"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups of 2+ titles = %q, want %q", got, want)
	}
	// Words that always come together but not side by side share one entry.
	groups := textutil.Collapse(map[string][]int{"sourdough": {0, 2}, "oven": {0, 2}, "bread": {1}})
	if len(groups) != 2 || groups[1].Label() != "sourdough · oven" && groups[1].Label() != "oven · sourdough" {
		t.Errorf("groups = %+v", groups)
	}
}

// Index finds what counting every title's Phrases finds, keeping the
// phrases of at least minDocs titles.
func TestIndexAgreesWithPhrases(t *testing.T) {
	titles := []string{
		"Why Link to the Past still matters", "Link to the Past speedrun explained", "Chrono Trigger: the boy",
		"Ranking every Chrono Trigger boss", "Chrono Trigger boss rush", "Link to the Past still matters (again)",
		"pão de queijo fácil", "Pão de queijo de frigideira", "", "12 34", "Chrono Trigger - the boy #shorts",
		"Chrono-Trigger boy — again", "the the the chrono of the trigger", "ÉCLAIR au chocolat: ÉCLAIR au chocolat",
	}
	for _, minDocs := range []int{1, 2, 3} {
		s := textutil.For("")
		want := map[string][]int{}
		for i, title := range titles {
			for _, p := range s.Phrases(title, 0) {
				want[p] = append(want[p], i)
			}
		}
		for p, d := range want {
			if len(d) < minDocs {
				delete(want, p)
			}
		}
		if got := s.Index(titles, 0, minDocs); !reflect.DeepEqual(got, want) {
			t.Errorf("minDocs %d:\n got %v\nwant %v", minDocs, got, want)
		}
	}
}
