package studio

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"tubeagency/internal/store"
	"tubeagency/providers/templates"
)

// corpusChannels are the channels of the corpus test: one per language and
// format, in niches of different kinds, with audiences written the way
// users write them (long, with "for" and numbers in them).
var corpusChannels = []store.Channel{
	{Name: "Paycheck Plan", Niche: "personal finance", Language: "en", Format: store.FormatLong,
		Audience: "young professionals in their 20s who want to stop living paycheck to paycheck"},
	{Name: "Quick Crumbs", Niche: "home cooking", Language: "en", Format: store.FormatShorts,
		Audience: "busy parents cooking for kids on weeknights"},
	{Name: "Fuerza en Casa", Niche: "fitness en casa", Language: "es", Format: store.FormatLong,
		Audience: "adultos de 30 a 50 años que entrenan en casa sin material"},
	{Name: "Cocina Rápida", Niche: "cocina fácil", Language: "es-MX", Format: store.FormatShorts,
		Audience: "estudiantes con poco tiempo y poco dinero"},
	{Name: "Grana Certa", Niche: "finanças pessoais", Language: "pt-BR", Format: store.FormatLong,
		Audience: "jovens que querem sair das dívidas"},
	{Name: "Tech Rápido", Niche: "tecnologia", Language: "pt", Format: store.FormatShorts,
		Audience: "pessoas comuns que usam o celular para tudo"},
}

// otherKinds are channels in the niche kinds the corpus leaves out, and in
// a niche no kind covers: fewer packages each, the same checklist.
var otherKinds = []store.Channel{
	{Name: "Slow Roads", Niche: "budget travel", Language: "en", Format: store.FormatShorts, Audience: "students"},
	{Name: "Sawdust", Niche: "woodworking", Language: "en", Format: store.FormatLong, Audience: "weekend hobbyists with a small garage"},
	{Name: "Partida Rápida", Niche: "videojuegos retro", Language: "es", Format: store.FormatLong, Audience: "jugadores adultos"},
	{Name: "Jardim Vivo", Niche: "jardinagem", Language: "pt-BR", Format: store.FormatShorts, Audience: ""},
	// A niche and an audience as long as the rules allow, as users write
	// them: the niche is a list, the audience a paragraph.
	{Name: "Night Bus Stories: Urban Legends and Late-Night Folklore From Around the World, Retold",
		Niche: "urban legends, ghost stories and unexplained local mysteries told on the last night bus home", Language: "en", Format: store.FormatShorts,
		Audience: "night owls, commuters and insomniacs who like a slow-burning scare, a bit of local history and a story short enough to finish before their stop; mostly 18–34, listening on a phone with one earbud in, often in the small hours"},
}

// TestOfflinePackagesOfOtherKindsAreReady: 20 packages in each of the
// other niche kinds, and in a niche the templates know nothing about, are
// all ready.
func TestOfflinePackagesOfOtherKindsAreReady(t *testing.T) {
	for _, ch := range otherKinds {
		t.Run(ch.Niche, func(t *testing.T) {
			t.Parallel()
			for _, p := range writeCorpus(t, ch, 20) {
				if p.Status != store.StatusReady {
					t.Fatalf("package %q is %s:\n%s", p.Title, p.Status, missing(p))
				}
			}
		})
	}
}

// corpusSize is how many packages the corpus test writes per channel.
const corpusSize = 100

// writeCorpus runs the real pipeline, offline (the templates answer every
// step), for n packages of ch without a topic, as the autopilot does.
func writeCorpus(tb testing.TB, ch store.Channel, n int) []store.Package {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "corpus.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	ch.ID = "ch-corpus"
	err = st.Mutate(context.Background(), func(m *store.Mutation) error {
		_, err := store.PutRecord(m, store.ChannelEntity, ch)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	s := New(Config{Store: st, Generator: tpl})
	out := make([]store.Package, 0, n)
	for i := range n {
		// A package's id seeds what the templates write for it: fixed
		// ids make the corpus the same sample on every run, so a template
		// slip fails every run instead of one run in many.
		p, err := NewPackage(fmt.Sprintf("corpus-%s-%s-%03d", ch.Language, ch.Format, i), ch.ID, "")
		if err != nil {
			tb.Fatal(err)
		}
		err = st.Mutate(context.Background(), func(m *store.Mutation) error {
			p, err = store.PutRecord(m, store.PackageEntity, p)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
		if p, err = s.Run(context.Background(), p.ID, RunOptions{SkipVoice: true, Source: SourceAutopilot}); err != nil {
			tb.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// shingles are the 5-word shingles of text, lower case, punctuation aside.
func shingles(text string) map[string]bool {
	w := strings.Fields(normSentence(text))
	out := map[string]bool{}
	for i := 0; i+5 <= len(w); i++ {
		out[strings.Join(w[i:i+5], " ")] = true
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// TestOfflineCorpusPassesTheChecklist writes 100 packages offline per
// language and format and checks them (checkCorpus).
func TestOfflineCorpusPassesTheChecklist(t *testing.T) {
	for _, ch := range corpusChannels {
		t.Run(primaryLanguage(ch.Language)+"/"+ch.Format, func(t *testing.T) {
			t.Parallel() // each channel has its own database
			checkCorpus(t, ch)
		})
	}
}

// storyChannels are story channels (legends, mysteries, true crime) in
// each language and format, niches and audiences as users write them.
var storyChannels = []store.Channel{
	{Name: "Night Bus Stories", Niche: "urban legends", Language: "en", Format: store.FormatShorts, Audience: "night owls who like a slow-burning scare"},
	{Name: "Cold Files", Niche: "unsolved mysteries and true crime", Language: "en", Format: store.FormatLong, Audience: "people who like a careful, respectful telling"},
	{Name: "Leyendas de Medianoche", Niche: "leyendas urbanas", Language: "es", Format: store.FormatShorts, Audience: "jóvenes a los que les gusta pasar miedo"},
	{Name: "Expediente Abierto", Niche: "historias de terror y misterios sin resolver", Language: "es-MX", Format: store.FormatLong, Audience: ""},
	{Name: "Lendas da Madrugada", Niche: "lendas urbanas", Language: "pt-BR", Format: store.FormatShorts, Audience: "quem gosta de histórias de arrepiar"},
	{Name: "Caso Aberto", Niche: "histórias de assombração e folclore brasileiro", Language: "pt", Format: store.FormatLong, Audience: "curiosos"},
}

// TestOfflineStoryCorpusPassesTheChecklist holds story channels to what
// TestOfflineCorpusPassesTheChecklist holds the others: 100 packages each,
// all ready, titles distinct, scripts unlike each other.
func TestOfflineStoryCorpusPassesTheChecklist(t *testing.T) {
	for _, ch := range storyChannels {
		t.Run(primaryLanguage(ch.Language)+"/"+ch.Format, func(t *testing.T) {
			t.Parallel() // each channel has its own database
			checkCorpus(t, ch)
		})
	}
}

// topicChannels are topic channels (reviews, "X explained", facts: niches
// one watches or learns about rather than practises) in each language and
// format, niches and audiences as users write them.
var topicChannels = []store.Channel{
	{Name: "Second Screening", Niche: "movie reviews", Language: "en", Format: store.FormatShorts, Audience: "film fans who want a quick, honest take"},
	{Name: "Plain Science", Niche: "science explained", Language: "en", Format: store.FormatLong, Audience: "curious teens"},
	{Name: "Butaca Crítica", Niche: "reseñas de películas", Language: "es", Format: store.FormatShorts, Audience: "cinéfilos"},
	{Name: "Cosmos de Bolsillo", Niche: "datos curiosos del espacio", Language: "es-MX", Format: store.FormatLong, Audience: ""},
	{Name: "Ciência de Bolso", Niche: "curiosidades de ciência", Language: "pt-BR", Format: store.FormatShorts, Audience: "curiosos"},
	{Name: "Estante Aberta", Niche: "resenhas de livros", Language: "pt", Format: store.FormatLong, Audience: "leitores que querem a próxima leitura"},
}

// TestOfflineTopicCorpusPassesTheChecklist holds topic channels to what
// TestOfflineCorpusPassesTheChecklist holds the others: 100 packages each,
// all ready, titles distinct, scripts unlike each other.
func TestOfflineTopicCorpusPassesTheChecklist(t *testing.T) {
	for _, ch := range topicChannels {
		t.Run(primaryLanguage(ch.Language)+"/"+ch.Format, func(t *testing.T) {
			t.Parallel() // each channel has its own database
			checkCorpus(t, ch)
		})
	}
}

// checkCorpus writes corpusSize packages of ch offline (20 with -short)
// and checks what the corpus tests ask of them: every one passes the
// checklist (so it is ready), at least 90 % of the chosen titles differ,
// the scripts share on average less than 0.2 of their 5-word shingles
// (Jaccard), and no script says a sentence twice.
func checkCorpus(t *testing.T, ch store.Channel) {
	n := corpusSize
	if testing.Short() {
		n = 20
	}
	pkgs := writeCorpus(t, ch, n)
	titles := map[string]int{}
	var sh []map[string]bool
	words := []int{}
	failed := map[string]int{}
	example := map[string]string{}
	for _, p := range pkgs {
		for _, it := range p.Content.Checklist.Missing() {
			failed[it.Rule]++
			if example[it.Rule] == "" {
				example[it.Rule] = fmt.Sprintf("%q: %s", p.Title, it.Message)
			}
		}
		if p.Status != store.StatusReady && len(p.Content.Checklist.Missing()) == 0 {
			t.Errorf("package %q is %s with nothing missing", p.Title, p.Status)
		}
		titles[strings.ToLower(p.Title)]++
		spoken := SpokenText(p.Content.Hook, p.Content.Script)
		words = append(words, Words(spoken))
		sh = append(sh, shingles(spoken))
		seen := map[string]bool{}
		for _, s := range sentences(spoken) {
			k := normSentence(s)
			if seen[k] {
				t.Fatalf("package %q says %q twice", p.Title, s)
			}
			seen[k] = true
		}
	}
	for rule, n := range failed {
		t.Errorf("%d of %d packages fail %s, e.g. %s", n, len(pkgs), rule, example[rule])
	}
	sum, pairs := 0.0, 0
	for i := range sh {
		for j := i + 1; j < len(sh); j++ {
			sum += jaccard(sh[i], sh[j])
			pairs++
		}
	}
	mean := sum / float64(pairs)
	sort.Ints(words)
	distinct := float64(len(titles)) / float64(len(pkgs))
	t.Logf("%d packages: %.0f%% distinct titles, mean pairwise 5-gram Jaccard %.3f, spoken words min %d median %d max %d",
		len(pkgs), 100*distinct, mean, words[0], words[len(words)/2], words[len(words)-1])
	if os.Getenv("CORPUS_TITLES") != "" {
		for k, c := range titles {
			t.Logf("%dx %s", c, k)
		}
	}
	if distinct < 0.9 {
		var dup []string
		for k, c := range titles {
			if c > 1 {
				dup = append(dup, fmt.Sprintf("%dx %s", c, k))
			}
		}
		t.Fatalf("only %.0f%% of chosen titles distinct; repeated: %v", 100*distinct, dup)
	}
	if mean >= 0.2 {
		t.Fatalf("mean pairwise 5-gram Jaccard %.3f, want < 0.2", mean)
	}
	if dir := os.Getenv("CORPUS_DUMP"); dir != "" {
		dumpCorpus(t, dir, ch, pkgs)
	}
}

// dumpCorpus writes the packages as Markdown, for reading them as a
// creator would (CORPUS_DUMP=<dir>).
func dumpCorpus(t *testing.T, dir string, ch store.Channel, pkgs []store.Package) {
	var b strings.Builder
	for _, p := range pkgs {
		b.WriteString(ExportOf(p, ch).Markdown())
		b.WriteString("\n\n---\n\n")
	}
	name := filepath.Join(dir, primaryLanguage(ch.Language)+"-"+ch.Format+".md")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
