package templates

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/providers"
)

var baking = providers.Channel{ID: "ch-1", Name: "Crumb", Niche: "home baking", Audience: "busy parents", Language: "en", Format: "long-form"}

func newProvider(t *testing.T, opts Options) *Provider {
	t.Helper()
	p, err := New(opts)
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	return p
}

func gen(t *testing.T, p *Provider, req providers.Request) string {
	t.Helper()
	resp, err := p.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("generate %s: %v", req.Task, err)
	}
	if resp.Provider != Name {
		t.Fatalf("provider = %q", resp.Provider)
	}
	return resp.Text
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestTitlesAreDistinctAcrossRuns presses "New set" five times on one
// topic, in each language and format: at least 80 % of the 40 titles must
// be new. (Across packages of a channel, whose subjects differ, the studio's
// corpus test asks 90 % of the chosen titles to differ.)
func TestTitlesAreDistinctAcrossRuns(t *testing.T) {
	topics := map[string]string{"en": "sourdough bread", "es": "pan de masa madre", "pt-BR": "pão de fermentação natural"}
	for lang, topic := range topics {
		for _, format := range []string{"long-form", "shorts"} {
			ch := baking
			ch.Language, ch.Format = lang, format
			for _, seeded := range []bool{true, false} {
				p := newProvider(t, Options{}) // a fresh counter: unseeded runs are reproducible too
				total, distinct := 0, map[string]bool{}
				for i := 1; i <= 5; i++ {
					req := providers.Request{Task: providers.TaskTitles, Channel: ch, Topic: topic}
					if seeded {
						req.Seed = int64(i)
					}
					ls := lines(gen(t, p, req))
					if len(ls) < DefaultCount {
						t.Fatalf("%s %s run %d gave %d titles: %q", lang, format, i, len(ls), ls)
					}
					for _, l := range ls {
						if strings.Contains(l, "%!") || strings.Contains(l, "{") {
							t.Fatalf("formatting error in title %q", l)
						}
						total++
						distinct[strings.ToLower(l)] = true
					}
				}
				ratio := float64(len(distinct)) / float64(total)
				t.Logf("%s %s seeded=%v: %d distinct of %d titles (%.1f%%)", lang, format, seeded, len(distinct), total, 100*ratio)
				if ratio < 0.80 {
					t.Fatalf("%s %s seeded=%v: only %.1f%% of titles distinct, want at least 80%%", lang, format, seeded, 100*ratio)
				}
			}
		}
	}
}

func TestSameSeedSameOutput(t *testing.T) {
	p := newProvider(t, Options{})
	req := providers.Request{Task: providers.TaskScript, Channel: baking, Topic: "sourdough", Seed: 42}
	if a, b := gen(t, p, req), gen(t, p, req); a != b {
		t.Fatalf("same seed gave different scripts:\n%s\n---\n%s", a, b)
	}
}

func TestOutputUsesChannel(t *testing.T) {
	p := newProvider(t, Options{})
	shorts := baking
	shorts.Format = "shorts"
	spanish := baking
	spanish.Language, spanish.Niche, spanish.Audience = "es-MX", "repostería casera", "padres ocupados que cocinan para sus hijos"
	portugueseShorts := baking
	portugueseShorts.Language, portugueseShorts.Format, portugueseShorts.Niche = "pt-BR", "shorts", "culinária"
	history := baking
	history.Niche = "ancient history"
	hashtags := func(s string) int { return strings.Count(s, " #") + strings.Count(s, "\n#") }
	scenarios := []struct {
		name    string
		task    providers.Task
		channel providers.Channel
		topic   string
		check   func(text string) bool
	}{
		{"long-form script: hook, opening, seven parts, mistakes, example, recap", providers.TaskScript, baking, "sourdough bread", func(s string) bool {
			return strings.HasPrefix(s, "HOOK: ") && strings.Count(s, "\n## ") == 11 && strings.Contains(s, "your sourdough bread")
		}},
		{"long-form script lasts 8 to 12 minutes at 150 words a minute", providers.TaskScript, baking, "sourdough bread", func(s string) bool {
			w := spokenWords(s)
			return w >= 1200 && w <= 1800
		}},
		{"notes for the creator are marked, never spoken", providers.TaskScript, baking, "sourdough bread", func(s string) bool {
			return strings.Contains(s, "\nNOTE: ") && !strings.Contains(strings.ToLower(s), "on screen:")
		}},
		{"shorts script lasts 30 to 60 seconds at 160 words a minute", providers.TaskScript, shorts, "sourdough bread", func(s string) bool {
			w := spokenWords(s)
			return strings.HasPrefix(s, "HOOK: ") && strings.Count(s, "\n## ") == 3 && w >= 80 && w <= 160
		}},
		{"long description: no chapters of its own, two hashtags", providers.TaskDescription, baking, "sourdough bread", func(s string) bool {
			return !strings.Contains(s, "0:00") && hashtags(s) == 2 && strings.Contains(s, "#sourdoughbread #homebaking") && !strings.Contains(s, "\n\n\n")
		}},
		{"shorts description says #shorts", providers.TaskDescription, shorts, "sourdough bread", func(s string) bool {
			return !strings.Contains(s, "0:00") && strings.HasSuffix(strings.TrimSpace(s), "#shorts") && hashtags(s) == 3
		}},
		{"tags: the subject first, then broader, never the audience", providers.TaskTags, baking, "sourdough bread", func(s string) bool {
			n := len(strings.Split(s, ","))
			return strings.HasPrefix(s, "sourdough bread, ") && n >= 10 && n <= 15 && !strings.Contains(s, "busy parents")
		}},
		{"shorts tags say shorts", providers.TaskTags, shorts, "sourdough bread", func(s string) bool { return strings.HasSuffix(strings.TrimSpace(s), ", shorts") }},
		{"thumbnail is at most 6 words about the subject", providers.TaskThumbnail, baking, "sourdough bread", func(s string) bool {
			return len(lines(s)) == 1 && len(strings.Fields(s)) <= 6 && strings.Contains(s, "SOURDOUGH")
		}},
		{"spanish titles name the subject", providers.TaskTitles, spanish, "pan de masa madre", func(s string) bool {
			return strings.Count(strings.ToLower(s), "pan de masa madre") >= 6
		}},
		{"spanish script speaks Spanish to the viewer", providers.TaskScript, spanish, "pan de masa madre", func(s string) bool {
			return strings.Contains(s, "tu pan de masa madre") && (strings.Contains(s, "Suscríbete") || strings.Contains(s, "dale like")) &&
				strings.Count(s, "\n## ") == 11 && spokenWords(s) >= 1200
		}},
		{"spanish ideas", providers.TaskIdeas, spanish, "", func(s string) bool {
			return len(lines(s)) >= 8 && !strings.Contains(s, " the ") && !strings.Contains(strings.ToLower(s), "repostería casera")
		}},
		{"portuguese shorts script", providers.TaskScript, portugueseShorts, "", func(s string) bool {
			return strings.Count(s, "\n## ") == 3 && (strings.Contains(s, "Inscreva-se") || strings.Contains(s, "deixe o like"))
		}},
		{"portuguese thumbnail", providers.TaskThumbnail, portugueseShorts, "", func(s string) bool {
			return len(lines(s)) == 1 && len(strings.Fields(s)) <= 6 && !strings.Contains(s, "STOP")
		}},
		{"a question is answered as an outline with fact slots", providers.TaskScript, baking, "why does bread go stale", func(s string) bool {
			return strings.Contains(s, "## The short answer\n[FACT: ") && strings.Contains(s, "## What it depends on") && strings.Count(s, "[FACT: ") >= 5
		}},
		{"a Spanish question leaves DATO slots", providers.TaskScript, spanish, "¿por qué se pone dura la masa?", func(s string) bool {
			return strings.Contains(s, "## La respuesta corta\n[DATO: ") && !strings.Contains(s, "[FACT")
		}},
		{"a history subject leaves fact slots instead of inventing", providers.TaskScript, history, "", func(s string) bool {
			return strings.Count(s, "[FACT: ") >= 8
		}},
		{"trends summary names the channel", providers.TaskTrends, baking, "sourdough bread", func(s string) bool { return strings.Contains(s, "Crumb") }},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			text := gen(t, p, providers.Request{Task: sc.task, Channel: sc.channel, Topic: sc.topic, Seed: 3})
			if !sc.check(text) {
				t.Fatalf("unexpected %s output:\n%s", sc.task, text)
			}
			if strings.Contains(text, "%!") || strings.Contains(text, "<no value>") || strings.ContainsAny(text, "{}") {
				t.Fatalf("formatting error:\n%s", text)
			}
		})
	}
}

// TestUncoveredLanguageIsRefused: a French channel gets no English text
// from the templates, but an error that names the languages they write.
func TestUncoveredLanguageIsRefused(t *testing.T) {
	p := newProvider(t, Options{})
	french := baking
	french.Language = "fr-CA"
	_, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskScript, Channel: french, Topic: "pain au levain"})
	var le *LanguageError
	if !errors.As(err, &le) || !errors.Is(err, ErrLanguage) || le.Lang != "fr" || strings.Join(le.Covered, ",") != "en,es,pt" {
		t.Fatalf("err %v (%+v)", err, le)
	}
	if !strings.Contains(err.Error(), "Settings → Providers") {
		t.Fatalf("the message does not say what to do: %v", err)
	}
	if p.Covers("fr") || !p.Covers("pt-BR") || !p.Covers("ES") || !p.Covers("") {
		t.Fatal("Covers disagrees with the built-in files")
	}
	// a summary is not content: it answers in any language
	if _, err := p.Generate(context.Background(), providers.Request{Task: providers.TaskTrends, Channel: french}); err != nil {
		t.Fatal(err)
	}
	// an override for every language covers French too
	dir := t.TempDir()
	q := newProvider(t, Options{Dir: dir})
	for _, base := range []string{"ideas", "titles", "script", "description", "tags", "thumbnail"} {
		if err := os.WriteFile(filepath.Join(dir, base+".fr.tmpl"), []byte("HOOK: Bonjour {{ .Subject }}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if errs := q.Reload(); len(errs) != 0 || !q.Covers("fr") || strings.Join(q.Languages(), ",") != "en,es,fr,pt" {
		t.Fatalf("French overrides: errors %v, languages %v", errs, q.Languages())
	}
}

func TestOverrideBrokenAndRemoved(t *testing.T) {
	dir := t.TempDir()
	var reloads [][]FileError
	p := newProvider(t, Options{Dir: dir, OnReload: func(errs []FileError) { reloads = append(reloads, errs) }})
	req := providers.Request{Task: providers.TaskThumbnail, Channel: baking, Topic: "sourdough", Seed: 1}
	builtin := gen(t, p, req)

	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "thumbnail.tmpl"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`MY {{ upper .Niche }}`)
	if errs := p.Reload(); len(errs) != 0 {
		t.Fatalf("good override reported errors: %v", errs)
	}
	if got := gen(t, p, req); got != "MY HOME BAKING\n" {
		t.Fatalf("override not used: %q", got)
	}

	write(`{{ .Niche `) // does not parse
	errs := p.Reload()
	if len(errs) != 1 || errs[0].File != "thumbnail.tmpl" || !strings.HasPrefix(errs[0].Message, "line 1: ") {
		t.Fatalf("broken file errors = %+v", errs)
	}
	if got := gen(t, p, req); got != "MY HOME BAKING\n" {
		t.Fatalf("broken file did not keep the last good version: %q", got)
	}

	write(`{{ .NoSuchField }}`) // parses, fails when run
	if errs := p.Reload(); len(errs) != 1 || !strings.HasPrefix(errs[0].Message, "line 1: at <.NoSuchField>") {
		t.Fatalf("failing file errors = %+v", errs)
	}
	if got := gen(t, p, req); got != "MY HOME BAKING\n" {
		t.Fatalf("failing file replaced the last good version: %q", got)
	}

	if err := os.Remove(filepath.Join(dir, "thumbnail.tmpl")); err != nil {
		t.Fatal(err)
	}
	if errs := p.Reload(); len(errs) != 0 {
		t.Fatalf("removed file still reported: %v", errs)
	}
	if got := gen(t, p, req); got != builtin {
		t.Fatalf("removed override did not restore the built-in: %q want %q", got, builtin)
	}
	if len(reloads) != 5 { // New + 4 reloads
		t.Fatalf("OnReload called %d times, want 5", len(reloads))
	}
}

func TestWatchReloadsOnFileChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "templates")
	reloaded := make(chan []FileError, 16)
	p := newProvider(t, Options{Dir: dir, OnReload: func(errs []FileError) { reloaded <- errs }})
	<-reloaded // the reload New does
	w, err := p.Watch(t.Context(), 10*time.Millisecond, func(err error) { t.Errorf("watch: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("Watch did not make the folder: %v", err)
	}
	select {
	case <-reloaded: // the reload Watch does once it watches
	default:
		t.Fatal("Watch returned before its reload")
	}
	req := providers.Request{Task: providers.TaskThumbnail, Channel: baking, Seed: 1}

	// A change can take more than one reload (a writer that truncates, then
	// writes); wait for the one that leaves the folder's final state.
	wait := func(want string, wantErrs int) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case errs := <-reloaded:
				if len(errs) == wantErrs && gen(t, p, req) == want {
					return
				}
			case <-deadline:
				t.Fatalf("no reload left %q with %d errors within 10 s: %q, %v", want, wantErrs, gen(t, p, req), p.Errors())
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "thumbnail.tmpl"), []byte(`LIVE {{ .Channel.Name }}`), 0o600); err != nil {
		t.Fatal(err)
	}
	wait("LIVE Crumb\n", 0)
	if err := os.WriteFile(filepath.Join(dir, "thumbnail.tmpl"), []byte(`{{ if }}`), 0o600); err != nil {
		t.Fatal(err)
	}
	wait("LIVE Crumb\n", 1) // the broken edit keeps the last good version
	if errs := p.Errors(); len(errs) != 1 || errs[0].File != "thumbnail.tmpl" {
		t.Fatalf("errors = %v", errs)
	}
}

// Editors and os.WriteFile truncate before they write: a reload that
// lands in between keeps the template in use and its error, if any.
func TestEmptyFileIsAWriteInProgress(t *testing.T) {
	dir := t.TempDir()
	p := newProvider(t, Options{Dir: dir})
	req := providers.Request{Task: providers.TaskThumbnail, Channel: baking, Seed: 1}
	builtin := gen(t, p, req)
	path := filepath.Join(dir, "thumbnail.tmpl")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	if errs := p.Reload(); len(errs) != 0 || gen(t, p, req) != builtin {
		t.Fatalf("an empty new file: errors %v, output %q", errs, gen(t, p, req))
	}
	write("MINE {{ .Channel.Name }}")
	p.Reload()
	write("")
	if errs := p.Reload(); len(errs) != 0 || gen(t, p, req) != "MINE Crumb\n" {
		t.Fatalf("an emptied override: errors %v, output %q", errs, gen(t, p, req))
	}
	write("{{ .Nope ")
	p.Reload()
	write("")
	if errs := p.Reload(); len(errs) != 1 || gen(t, p, req) != "MINE Crumb\n" {
		t.Fatalf("a broken file emptied: errors %v, output %q", errs, gen(t, p, req))
	}
	write("FIXED")
	if errs := p.Reload(); len(errs) != 0 || gen(t, p, req) != "FIXED\n" {
		t.Fatalf("written after the truncate: errors %v, output %q", errs, gen(t, p, req))
	}
}

func TestGenerateHonoursCancelledContext(t *testing.T) {
	p := newProvider(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Generate(ctx, providers.Request{Task: providers.TaskTitles, Channel: baking}); err == nil {
		t.Fatal("cancelled context generated anyway")
	}
}

func BenchmarkPackage(b *testing.B) {
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	tasks := []providers.Task{providers.TaskTitles, providers.TaskScript, providers.TaskDescription, providers.TaskTags, providers.TaskThumbnail}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for _, task := range tasks {
			if _, err := p.Generate(ctx, providers.Request{Task: task, Channel: baking, Topic: "sourdough", Seed: int64(i + 1)}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestWriteExamplesAreNotLoaded(t *testing.T) {
	dir := t.TempDir()
	p := newProvider(t, Options{Dir: dir})
	if err := p.WriteExamples(); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(dir, ExamplesDir, "titles.en.tmpl"))
	if err != nil || !strings.Contains(string(body), "$.R.Pick") {
		t.Fatalf("example titles.en.tmpl: %v", err)
	}
	// an edited example is not an override, and is refreshed on the next write
	if err := os.WriteFile(filepath.Join(dir, ExamplesDir, "thumbnail.en.tmpl"), []byte("EXAMPLE {{ .Nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if errs := p.Reload(); len(errs) != 0 {
		t.Fatalf("examples were loaded: %v", errs)
	}
	if err := p.WriteExamples(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ExamplesDir, "thumbnail.en.tmpl")); strings.Contains(string(b), "EXAMPLE") {
		t.Fatal("example not refreshed")
	}
	// copying an example up a level overrides with the same output
	req := providers.Request{Task: providers.TaskTitles, Channel: baking, Topic: "rye", Seed: 9}
	before := gen(t, p, req)
	if err := os.WriteFile(filepath.Join(dir, "titles.en.tmpl"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	if errs := p.Reload(); len(errs) != 0 {
		t.Fatal(errs)
	}
	if after := gen(t, p, req); after != before {
		t.Fatalf("a copied example changed the output:\n%s\n%s", before, after)
	}
}

func TestTitleListsNeverRepeatAnOption(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range []providers.Task{providers.TaskTitles, providers.TaskIdeas} {
		for run := 0; run < 300; run++ {
			resp, err := p.Generate(context.Background(), providers.Request{Task: task, Channel: providers.Channel{ID: "c", Niche: "home baking", Audience: "busy parents", Language: "en", Format: "long-form"}, Topic: "sourdough starter"})
			if err != nil {
				t.Fatal(err)
			}
			lines := providers.Lines(resp.Text)
			if len(lines) < DefaultCount {
				t.Fatalf("%s run %d: only %d options: %q", task, run, len(lines), resp.Text)
			}
			seen := map[string]bool{}
			for _, l := range lines {
				if seen[strings.ToLower(l)] {
					t.Fatalf("%s run %d repeats %q", task, run, l)
				}
				seen[strings.ToLower(l)] = true
			}
		}
	}
}

// spokenWords counts the words a voice reads: the hook and the sections'
// text, not the "## " headings.
func spokenWords(script string) int {
	n := 0
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "NOTE:") {
			continue
		}
		n += len(strings.Fields(strings.TrimPrefix(line, "HOOK:")))
	}
	return n
}

// A reload that read the folder before a change must not commit after the
// reload that read the change: the last reload always reads last.
func TestConcurrentReloadsEndOnTheLatestFiles(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var told [][]FileError
	p := newProvider(t, Options{Dir: dir, OnReload: func(errs []FileError) {
		mu.Lock()
		told = append(told, errs)
		mu.Unlock()
	}})
	path := filepath.Join(dir, "thumbnail.tmpl")
	req := providers.Request{Task: providers.TaskThumbnail, Channel: baking, Seed: 1}
	for i := range 200 {
		if err := os.WriteFile(path, []byte(fmt.Sprintf("old %d", i)), 0o600); err != nil {
			t.Fatal(err)
		}
		broken := i%2 == 1 // every other round ends on a broken file: the last word must be its error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			p.Reload()
		}()
		go func() {
			defer wg.Done()
			body := fmt.Sprintf("new %d", i)
			if broken {
				body = "{{ .Nope "
			}
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Error(err)
			}
			p.Reload()
		}()
		wg.Wait()
		mu.Lock()
		last := told[len(told)-1]
		mu.Unlock()
		if broken {
			if len(last) != 1 || len(p.Errors()) != 1 {
				t.Fatalf("round %d: the last OnReload told %v, Errors %v; want the broken file", i, last, p.Errors())
			}
			continue
		}
		if got, want := gen(t, p, req), fmt.Sprintf("new %d\n", i); got != want || len(last) != 0 || len(p.Errors()) != 0 {
			t.Fatalf("round %d: template gives %q, want %q; last OnReload told %v, Errors %v", i, got, want, last, p.Errors())
		}
	}
}

// TestOversizedFileIsRefused: a file over MaxFile (a log or a video saved
// under a template's name) is reported without being loaded, and the last
// good version stays in use; at the cap exactly it is read.
func TestOversizedFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	p := newProvider(t, Options{Dir: dir})
	req := providers.Request{Task: providers.TaskThumbnail, Channel: baking, Seed: 1}
	path := filepath.Join(dir, "thumbnail.tmpl")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("MINE")
	if errs := p.Reload(); len(errs) != 0 || gen(t, p, req) != "MINE\n" {
		t.Fatalf("a good override: errors %v", errs)
	}
	write("BIG " + strings.Repeat("x", MaxFile-3)) // one byte over
	errs := p.Reload()
	if len(errs) != 1 || errs[0].File != "thumbnail.tmpl" || !strings.Contains(errs[0].Message, "larger than 256 KB") {
		t.Fatalf("an oversized file: errors %+v", errs)
	}
	if got := gen(t, p, req); got != "MINE\n" {
		t.Fatalf("an oversized file replaced the last good version: %q", got)
	}
	write("{{/* at the cap */}}OK" + strings.Repeat(" ", MaxFile-22))
	if errs := p.Reload(); len(errs) != 0 || gen(t, p, req) != "OK\n" {
		t.Fatalf("a file of exactly MaxFile bytes: errors %v, output %q", errs, gen(t, p, req))
	}
}

// TestRecursiveTemplateIsRefused: a template that calls itself, directly
// or through another, is reported when loaded (never run 100,000 calls
// deep), and the last good version stays in use; one that calls another
// without a cycle loads.
func TestRecursiveTemplateIsRefused(t *testing.T) {
	dir := t.TempDir()
	p := newProvider(t, Options{Dir: dir})
	req := providers.Request{Task: providers.TaskThumbnail, Channel: baking, Seed: 1}
	path := filepath.Join(dir, "thumbnail.tmpl")
	for _, sc := range []struct{ body, err string }{
		{`{{ define "a" }}A{{ end }}{{ define "b" }}{{ template "a" . }}B{{ end }}{{ template "b" . }}`, ""},
		{`{{ template "t" . }}{{ define "t" }}{{ template "t" . }}{{ end }}`, `template "t" calls itself (t → t)`},
		{`{{ define "a" }}{{ if .Topic }}{{ template "b" . }}{{ end }}{{ end }}{{ define "b" }}{{ range .Subjects }}{{ template "a" $ }}{{ end }}{{ end }}{{ template "a" . }}`,
			`template "a" calls itself (a → b → a)`},
		{`{{ define "x" }}{{ with .Topic }}{{ template "thumbnail.tmpl" $ }}{{ end }}{{ end }}{{ template "x" . }}`, `calls itself`},
	} {
		if err := os.WriteFile(path, []byte(sc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		errs := p.Reload()
		if sc.err == "" {
			if len(errs) != 0 || gen(t, p, req) != "AB\n" {
				t.Fatalf("%s: errors %v, output %q", sc.body, errs, gen(t, p, req))
			}
			continue
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Message, sc.err) {
			t.Fatalf("%s: errors %+v, want %q", sc.body, errs, sc.err)
		}
		if got := gen(t, p, req); got != "AB\n" {
			t.Fatalf("%s: the last good version was replaced: %q", sc.body, got)
		}
	}
}

// TestTitlesUseASubjectAsANounOnlyWhenItIsOne: a plural subject, one
// with a preposition and one starting "first" never stand before another
// noun ("One Dog Training Tools Change", "3 Dog Training on a Budget
// Mistakes", "One First Dog Training Project Change"), and a subject with
// "on a budget" is not put on a budget again.
func TestTitlesUseASubjectAsANounOnlyWhenItIsOne(t *testing.T) {
	p := newProvider(t, Options{})
	bad := regexp.MustCompile(`(?i)\bone (?:\w+ )*(?:tools|budget|project) change\b|on a budget (?:tips|mistakes|habits|change|on a budget)\b|\b(?:\d+|one|about|with) first\b|\btips for .* for beginners`)
	for _, topic := range []string{"dog training tools", "dog training on a budget", "first dog training project"} {
		seen := false
		for run := 0; run < 200; run++ {
			for _, format := range []string{"shorts", "long-form"} {
				req := providers.Request{Task: providers.TaskTitles, Seed: int64(run) + 1,
					Channel: providers.Channel{ID: "c", Niche: "dog training", Audience: "new dog owners", Language: "en", Format: format}, Topic: topic}
				for _, l := range lines(gen(t, p, req)) {
					if bad.MatchString(l) {
						t.Fatalf("%s, run %d: %q", topic, run, l)
					}
					seen = seen || strings.Contains(strings.ToLower(l), topic)
				}
			}
		}
		if !seen {
			t.Fatalf("%q is in no title", topic)
		}
	}
}
