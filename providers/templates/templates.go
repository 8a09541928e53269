// Package templates is the provider that always answers: text/template
// files embedded in the binary turn a channel's niche, audience, language
// and format plus a topic into ideas, titles, a script, a description,
// tags and thumbnail text, in the plain-text shapes providers.Task
// documents. Output varies with a seed. The built-in files write English,
// Spanish and Portuguese (by the channel's language code); other
// languages get English text with a call to action in French or German
// where one exists.
//
// Users override a template by putting a file of the same name (for
// example titles.tmpl) in the override folder, <data-dir>/templates;
// WriteExamples puts copies of the built-in files in its examples/
// subfolder to start from. docs/TEMPLATES.md lists what a template sees.
// Watch reloads the folder live (through internal/fswatch). A file that
// does not parse, or fails when run, keeps the last good version of that
// template in use and is reported by Errors until it is fixed or removed:
// nothing crashes.
package templates

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"tubeagency/internal/fswatch"
	"tubeagency/providers"
)

//go:embed files/*.tmpl
var embedded embed.FS

// Name is the provider's name.
const Name = "templates"

// DefaultCount is how many lines list tasks (titles, ideas) produce.
const DefaultCount = 8

// files maps each task to its template file.
var files = map[providers.Task]string{
	providers.TaskTitles:      "titles.tmpl",
	providers.TaskIdeas:       "ideas.tmpl",
	providers.TaskScript:      "script.tmpl",
	providers.TaskDescription: "description.tmpl",
	providers.TaskTags:        "tags.tmpl",
	providers.TaskThumbnail:   "thumbnail.tmpl",
	providers.TaskTrends:      "general.tmpl",
	providers.TaskAnalytics:   "general.tmpl",
	providers.TaskChannelMeta: "general.tmpl",
}

// FileError is a template file that failed to load or run; the last good
// version stays in use.
type FileError struct {
	File    string    `json:"file"`
	Message string    `json:"message"`
	At      time.Time `json:"at,omitzero"`
}

// Options configure New. The zero value uses only the embedded templates.
type Options struct {
	// Dir is the override folder. Empty means no overrides.
	Dir string
	// Now stamps errors and the year used in titles. Nil means time.Now.
	Now func() time.Time
	// OnReload, when set, is called after every reload with the current
	// errors (empty when all files are good). Watch calls it from its own
	// goroutine. Calls never overlap and come in the order of the changes
	// they tell, so the last call holds the errors in force. It must not
	// call Reload.
	OnReload func(errs []FileError)
}

// Provider answers every task from templates. It is safe for concurrent use.
type Provider struct {
	opts    Options
	builtin map[string]*template.Template
	counter atomic.Uint64

	// changeMu orders changes to the set in use with their OnReload
	// calls: a reload holds it from its first read to its OnReload, so a
	// reload that read older files never commits after one that read newer.
	changeMu sync.Mutex
	mu       sync.RWMutex
	active   map[string]*template.Template // file → template in use
	errs     map[string]FileError
}

var _ providers.Provider = (*Provider)(nil)

// New parses the embedded templates and loads overrides from opts.Dir.
func New(opts Options) (*Provider, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Provider{opts: opts, builtin: map[string]*template.Template{}, active: map[string]*template.Template{}, errs: map[string]FileError{}}
	entries, err := fs.ReadDir(embedded, "files")
	if err != nil {
		return nil, fmt.Errorf("read embedded templates: %w", err)
	}
	for _, e := range entries {
		body, err := fs.ReadFile(embedded, "files/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read embedded template %s: %w", e.Name(), err)
		}
		t, err := parse(e.Name(), string(body))
		if err != nil {
			return nil, fmt.Errorf("parse embedded template %s: %w", e.Name(), err)
		}
		p.builtin[e.Name()] = t
		p.active[e.Name()] = t
	}
	p.Reload()
	return p, nil
}

func parse(name, body string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Funcs(funcs).Parse(body)
}

var funcs = template.FuncMap{
	"title":  titleCase,
	"upper":  strings.ToUpper,
	"lower":  strings.ToLower,
	"hasAny": strings.ContainsAny,
	"add":    func(a, b int) int { return a + b },
	"mod": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a % b
	},
	"list": func(items ...string) []string { return items },
	"capfirst": func(s string) string {
		r := []rune(s)
		if len(r) > 0 {
			r[0] = unicode.ToUpper(r[0])
		}
		return string(r)
	},
	"firstWord": func(s string) string {
		if f := strings.Fields(s); len(f) > 0 {
			return f[0]
		}
		return s
	},
	"lastWord": func(s string) string {
		if f := strings.Fields(s); len(f) > 0 {
			return f[len(f)-1]
		}
		return s
	},
}

// minorWords stay lower case inside a title, as headline style has it.
var minorWords = map[string]bool{"a": true, "an": true, "the": true, "and": true, "but": true, "or": true, "nor": true,
	"for": true, "so": true, "yet": true, "at": true, "by": true, "in": true, "of": true, "on": true, "to": true,
	"up": true, "as": true, "vs": true, "via": true, "per": true, "from": true, "into": true, "with": true}

// titleCase capitalises each word of s, headline style: minor words stay
// lower case except first and last, and a word that already has a capital
// ("iPhone", "AI") is kept as written.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if strings.ToLower(w) != w {
			continue
		}
		if i > 0 && i < len(words)-1 && minorWords[w] {
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// Name is "templates".
func (p *Provider) Name() string { return Name }

// Dir is the override folder, empty when none.
func (p *Provider) Dir() string { return p.opts.Dir }

// Errors lists the template files that failed, by file name.
func (p *Provider) Errors() []FileError {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]FileError, 0, len(p.errs))
	for _, e := range p.errs {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// Reload reads the override folder again. A file that parses replaces the
// template in use; one that does not keeps the last good version and is
// recorded in Errors; a removed file goes back to the embedded version.
// An empty file changes nothing: editors and os.WriteFile truncate a file
// before they write it, and a reload that lands in between must not put
// an empty template (or an error) in place of the one in use.
func (p *Provider) Reload() []FileError {
	p.changeMu.Lock()
	defer p.changeMu.Unlock()
	next := map[string]*template.Template{}
	p.mu.RLock()
	for name, t := range p.active {
		next[name] = t
	}
	prevErrs := make(map[string]FileError, len(p.errs))
	for name, e := range p.errs {
		prevErrs[name] = e
	}
	p.mu.RUnlock()
	errs := map[string]FileError{}
	present := map[string]bool{}
	if p.opts.Dir != "" {
		for name := range p.builtin {
			body, err := os.ReadFile(filepath.Join(p.opts.Dir, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			present[name] = true
			if err == nil && len(body) == 0 {
				if prev, ok := prevErrs[name]; ok {
					errs[name] = prev
				}
				continue // next[name] is the template in use
			}
			if err != nil {
				errs[name] = FileError{File: name, Message: "cannot be read: " + err.Error(), At: p.opts.Now()}
				continue
			}
			t, err := parse(name, string(body))
			if err == nil {
				err = trial(t) // a template that parses but fails on real data is broken too
			}
			if err != nil {
				errs[name] = FileError{File: name, Message: cleanTemplateError(err), At: p.opts.Now()}
				continue
			}
			next[name] = t
		}
	}
	for name, t := range p.builtin {
		if !present[name] {
			next[name] = t
		}
	}
	p.mu.Lock()
	p.active = next
	p.errs = errs
	p.mu.Unlock()
	list := p.Errors()
	if p.opts.OnReload != nil {
		p.opts.OnReload(list)
	}
	return list
}

// trial runs t on a sample channel in both formats and each language the
// built-in templates have branches for.
func trial(t *template.Template) error {
	for _, lang := range []string{"en", "es", "pt"} {
		for _, format := range []string{"long-form", "shorts"} {
			d := newData(providers.Request{Topic: "sample topic", Channel: providers.Channel{Name: "Sample", Niche: "sample niche",
				Audience: "viewers", Language: lang, Format: format}}, 1, 2026)
			if err := t.Execute(&bytes.Buffer{}, d); err != nil {
				return err
			}
		}
	}
	return nil
}

var templateErrPrefix = regexp.MustCompile(`^template: [^:]+:(\d+)(?::\d+)?: (?:executing "[^"]*" )?`)

// cleanTemplateError turns `template: titles.tmpl:3:5: executing
// "titles.tmpl" at <.X>: …` into `line 3: at <.X>: …`; the file is named
// next to it already.
func cleanTemplateError(err error) string {
	return templateErrPrefix.ReplaceAllString(err.Error(), "line $1: ")
}

// ExamplesDir is the subfolder of the override folder that holds copies of
// the built-in templates to start an override from.
const ExamplesDir = "examples"

// WriteExamples copies the built-in templates into <Dir>/examples,
// replacing older copies, so users edit from the version they run. Files
// there are never loaded: copy one up a level to override it.
func (p *Provider) WriteExamples() error {
	if p.opts.Dir == "" {
		return errors.New("write template examples: no override folder")
	}
	dir := filepath.Join(p.opts.Dir, ExamplesDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write template examples: %w", err)
	}
	entries, err := fs.ReadDir(embedded, "files")
	if err != nil {
		return fmt.Errorf("write template examples: %w", err)
	}
	for _, e := range entries {
		body, err := fs.ReadFile(embedded, "files/"+e.Name())
		if err != nil {
			return fmt.Errorf("write template examples: %w", err)
		}
		path := filepath.Join(dir, e.Name())
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, body) {
			continue
		}
		if err := os.WriteFile(path, body, 0o600); err != nil {
			return fmt.Errorf("write template examples: %w", err)
		}
	}
	return nil
}

// Watch reloads the override folder whenever a .tmpl file in it changes,
// once per burst of changes that has been quiet for debounce (zero:
// fswatch.DefaultDebounce), until ctx ends or the returned watcher is
// stopped. It creates the folder when missing, and again when it is
// deleted while watched (the built-in templates are back in use until
// files reappear). The watch is in place when Watch returns, after one
// reload for changes made before it. onErr receives problems with the
// watch itself (nil drops them).
func (p *Provider) Watch(ctx context.Context, debounce time.Duration, onErr func(error)) (*fswatch.Watcher, error) {
	if p.opts.Dir == "" {
		return nil, errors.New("watch templates: no override folder")
	}
	w, err := fswatch.New(fswatch.Options{
		Dir:      p.opts.Dir,
		Create:   true,
		Match:    func(name string) bool { return strings.HasSuffix(name, ".tmpl") },
		Debounce: debounce,
		OnChange: func() { p.Reload() },
		OnError:  onErr,
	})
	if err != nil {
		return nil, fmt.Errorf("watch templates: %w", err)
	}
	p.Reload() // files may have changed before the watch began
	w.Start(ctx)
	return w, nil
}

// Generate answers req from the template of its task.
func (p *Provider) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return providers.Response{}, err
	}
	file, ok := files[req.Task]
	if !ok {
		file = "general.tmpl"
	}
	seed := uint64(req.Seed)
	if seed == 0 {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s\x00%s\x00%s", req.Channel.ID, req.Task, req.Topic)
		seed = h.Sum64() ^ p.counter.Add(1)*0x9e3779b97f4a7c15
	}
	p.mu.RLock()
	t := p.active[file]
	p.mu.RUnlock()
	text, err := run(t, req, seed, p.opts.Now().Year())
	if err != nil {
		// the override broke at run time on this input: record it and use the embedded one
		p.changeMu.Lock()
		p.mu.Lock()
		if p.active[file] == t { // not replaced by a reload meanwhile
			p.errs[file] = FileError{File: file, Message: cleanTemplateError(err), At: p.opts.Now()}
			p.active[file] = p.builtin[file]
		}
		p.mu.Unlock()
		if p.opts.OnReload != nil {
			p.opts.OnReload(p.Errors())
		}
		p.changeMu.Unlock()
		if text, err = run(p.builtin[file], req, seed, p.opts.Now().Year()); err != nil {
			return providers.Response{}, fmt.Errorf("templates: %s: %w", file, err)
		}
	}
	if req.Task == providers.TaskTitles || req.Task == providers.TaskIdeas {
		text = fillUniqueLines(text, func(try uint64) (string, error) {
			return run(p.activeOr(file), req, seed+try*0x9e3779b97f4a7c15, p.opts.Now().Year())
		})
	}
	if req.OnDelta != nil {
		req.OnDelta(text)
	}
	return providers.Response{Text: text, Provider: Name, Model: file, Latency: time.Since(start)}, nil
}

// fillUniqueLines tops a list of options (whose repeats tidy dropped) back
// up to DefaultCount distinct lines from further seeded runs (at most
// twelve), so picking the same pattern twice never shortens the list.
func fillUniqueLines(text string, more func(try uint64) (string, error)) string {
	var out []string
	seen := map[string]bool{}
	want := 0
	add := func(text string, limit int) {
		for _, l := range strings.Split(text, "\n") {
			k := strings.ToLower(strings.TrimSpace(l))
			if k == "" || seen[k] || (limit > 0 && len(out) >= limit) {
				continue
			}
			seen[k] = true
			out = append(out, strings.TrimSpace(l))
		}
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			want++
		}
	}
	// tidy has already dropped repeats, so a short list is topped up to
	// the number of options a list task promises.
	want = max(want, DefaultCount)
	add(text, 0)
	for try := uint64(1); len(out) < want && try <= 12; try++ {
		extra, err := more(try)
		if err != nil {
			break
		}
		add(extra, want)
	}
	return strings.Join(out, "\n") + "\n"
}

// activeOr is the template in use for file.
func (p *Provider) activeOr(file string) *template.Template {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.active[file]
}

func run(t *template.Template, req providers.Request, seed uint64, year int) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("template panicked: %v", r)
		}
	}()
	var buf bytes.Buffer
	if err := t.Execute(&buf, newData(req, seed, year)); err != nil {
		return "", err
	}
	return tidy(req.Task, buf.String()), nil
}

// tidy drops blank lines of list answers and repeated lines.
func tidy(task providers.Task, s string) string {
	if task != providers.TaskTitles && task != providers.TaskIdeas {
		return strings.TrimSpace(s) + "\n"
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if task == providers.TaskTitles {
			line = fitTitle(line)
		}
		if line == "" || seen[strings.ToLower(line)] {
			continue
		}
		seen[strings.ToLower(line)] = true
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

// maxTitle is YouTube's limit on a title, in characters.
const maxTitle = 100

// fitTitle shortens a title over maxTitle by dropping its trailing parts
// (" | …", " — …", " (…)", " #…", ": …") while it is too long, and cuts at
// a word only when no such part is left, so no title ends mid-word.
func fitTitle(title string) string {
	for utf8.RuneCountInString(title) > maxTitle {
		cut := -1
		for _, sep := range []string{" | ", " — ", " (", " #", " ⚡", ": "} {
			if i := strings.LastIndex(title, sep); i > cut {
				cut = i
			}
		}
		if cut <= 0 {
			r := []rune(title)[:maxTitle]
			if i := strings.LastIndex(string(r), " "); i > 0 {
				return strings.TrimRight(string(r)[:i], " ,;:—|-")
			}
			return string(r)
		}
		title = strings.TrimSpace(title[:cut])
	}
	return title
}

// Data is what a template sees.
type Data struct {
	Channel  providers.Channel
	Topic    string // the request's topic, or the niche when empty
	Subject  string // the topic as a noun phrase: "starting a podcast" for "how to start a podcast"
	Idea     string // the topic when it is a whole video idea (a sentence), without format notes
	Question string // the topic when it is a question ("why ice floats"), without "?"
	HowTo    string // the topic when it is a how-to ("how to start a podcast"), without "?"
	Niche    string
	Audience string // "viewers" when the channel names none
	Lang     string // primary language subtag, lower case: "en", "es", "pt"
	Format   string
	Shorts   bool
	Count    int
	Year     int
	CTA      string // a call to action in the channel's language
	R        *Rand
}

func newData(req providers.Request, seed uint64, year int) Data {
	ch := req.Channel
	d := Data{Channel: ch, Topic: strings.TrimSpace(req.Topic), Niche: strings.TrimSpace(ch.Niche), Audience: strings.TrimSpace(ch.Audience),
		Format: ch.Format, Shorts: strings.EqualFold(ch.Format, "shorts"), Count: DefaultCount, Year: year,
		R: &Rand{r: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}}
	if d.Niche == "" {
		d.Niche = "your niche"
	}
	if d.Topic == "" {
		d.Topic = d.Niche
	}
	if d.Audience == "" {
		d.Audience = "viewers"
	}
	lang, _, _ := strings.Cut(strings.ToLower(ch.Language), "-")
	d.Lang = lang
	if d.Lang == "" {
		d.Lang = "en"
	}
	f := readTopic(d.Topic, d.Niche, d.Lang)
	d.Subject, d.Idea, d.Question, d.HowTo = f.Subject, f.Idea, f.Question, f.HowTo
	d.CTA = d.R.Pick(ctas(d.Lang)...)
	return d
}

func ctas(lang string) []string {
	switch lang {
	case "es":
		return []string{"Suscríbete para más y cuéntame en los comentarios qué quieres ver.", "Si te sirvió, dale like y compártelo con alguien que lo necesite."}
	case "pt":
		return []string{"Inscreva-se para mais e conte nos comentários o que você quer ver.", "Se ajudou, deixe o like e compartilhe com quem precisa."}
	case "fr":
		return []string{"Abonne-toi pour la suite et dis-moi en commentaire ce que tu veux voir.", "Si ça t'a aidé, like et partage la vidéo."}
	case "de":
		return []string{"Abonniere für mehr und schreib mir in die Kommentare, was du sehen willst.", "Wenn es geholfen hat, lass ein Like da und teile das Video."}
	default:
		return []string{"Subscribe for more, and tell me in the comments what you want to see next.", "If this helped, like the video and share it with someone who needs it.", "Watch the next video on screen to keep going."}
	}
}

// Rand is the seeded randomness a template uses.
type Rand struct{ r *rand.Rand }

// Pick returns one of items.
func (r *Rand) Pick(items ...string) string {
	if len(items) == 0 {
		return ""
	}
	return items[r.r.IntN(len(items))]
}

// Int returns a number in [lo, hi].
func (r *Rand) Int(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.r.IntN(hi-lo+1)
}

// Chance is true pct percent of the time.
func (r *Rand) Chance(pct int) bool { return r.r.IntN(100) < pct }

// Deal returns n different items (all of them when there are fewer), in
// seeded order: sentences of one paragraph never repeat.
func (r *Rand) Deal(n int, items ...string) []string {
	idx := r.r.Perm(len(items))
	if n > len(items) {
		n = len(items)
	}
	out := make([]string, 0, max(n, 0))
	for _, i := range idx[:max(n, 0)] {
		out = append(out, items[i])
	}
	return out
}

// Seq returns n items to range over.
func (r *Rand) Seq(n int) []int {
	if n < 0 {
		n = 0
	}
	return make([]int, n)
}
