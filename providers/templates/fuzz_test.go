package templates

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tubeagency/providers"
)

// FuzzTemplateLoad writes arbitrary text as a user's override and loads
// it: Reload must report a bad file rather than crash, and Generate must
// still answer, from the override when it works and from the built-in
// template when it does not.
func FuzzTemplateLoad(f *testing.F) {
	entries, err := fs.ReadDir(embedded, "files")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		body, err := fs.ReadFile(embedded, "files/"+e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(len(e.Name())), string(body))
	}
	for _, s := range []string{"", "{{", "{{ .Nope }}", "{{ range .R.Seq 1000000000 }}x{{ end }}", "{{ .Fill \"{s} {v:a|b} {de:s} {x\" }}",
		"{{ template \"t\" . }}{{ define \"t\" }}{{ template \"t\" . }}{{ end }}", "{{ index .Subjects 99 }}", "{{ .R.Nums -5 -2 }}",
		"{{ range .R.Seq 1000 }}{{ range $.R.Seq 1000 }}" + strings.Repeat("0123456789", 200) + "{{ end }}{{ end }}",
		"{{ range .R.Seq 200 }}{{ range $.R.Seq 200 }}{{ range $.R.Seq 200 }}{{ range $.R.Seq 200 }}{{ end }}{{ end }}{{ end }}{{ end }}", "HOOK: {{ .Say 3 \"a\" \"b\" }}\n## x\n{{ .With \"nope\" }}"} {
		f.Add(uint8(0), s)
		f.Add(uint8(1), s)
	}
	names := []string{"titles.tmpl", "script.en.tmpl", "description.es.tmpl", "tags.pt.tmpl", "thumbnail.fr.tmpl", "ideas.tmpl", "general.tmpl"}
	tasks := map[string]providers.Task{"titles.tmpl": providers.TaskTitles, "script.en.tmpl": providers.TaskScript, "description.es.tmpl": providers.TaskDescription,
		"tags.pt.tmpl": providers.TaskTags, "thumbnail.fr.tmpl": providers.TaskThumbnail, "ideas.tmpl": providers.TaskIdeas, "general.tmpl": providers.TaskTrends}
	langs := map[string]string{"script.en.tmpl": "en", "description.es.tmpl": "es", "tags.pt.tmpl": "pt", "thumbnail.fr.tmpl": "fr"}
	// One provider and override folder for the whole run: each input
	// replaces the one override file, as a user editing it would.
	dir := f.TempDir()
	p, err := New(Options{Dir: dir})
	if err != nil {
		f.Fatal(err) // the built-in files never fail
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		if len(body) > 64<<10 {
			return // a template file is a few kilobytes
		}
		name := names[int(which)%len(names)]
		for _, n := range names {
			_ = os.Remove(filepath.Join(dir, n))
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		errs := p.Reload()
		for _, e := range errs {
			if e.File != name || e.Message == "" {
				t.Fatalf("error %+v for a file named %s", e, name)
			}
		}
		lang := langs[name]
		if lang == "" {
			lang = "en"
		}
		resp, err := p.Generate(context.Background(), providers.Request{Task: tasks[name], Topic: "sourdough bread", Seed: 1,
			Channel: providers.Channel{ID: "c", Niche: "home baking", Audience: "busy parents", Language: lang, Format: "long-form"}})
		if lang == "fr" && len(errs) > 0 {
			return // a broken French file leaves French uncovered
		}
		if err != nil && lang != "fr" {
			t.Fatalf("generate after loading %s: %v", name, err)
		}
		if err == nil && len(resp.Text) > MaxOutput+1 {
			t.Fatalf("%d bytes of output", len(resp.Text))
		}
	})
}
