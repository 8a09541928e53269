// Package templates is the provider that answers without a model:
// text/template files embedded in the binary turn a channel's niche,
// audience, language and format plus a topic into ideas, titles, a script,
// a description, tags and thumbnail text, in the plain-text shapes
// providers.Task documents. Output varies with a seed.
//
// Each content task has one file per language, named <task>.<lang>.tmpl
// (script.es.tmpl). The built-in files write English, Spanish and
// Portuguese; for any other language Generate returns a *LanguageError
// rather than text in the wrong language, and Covers says so beforehand.
//
// Users override a template by putting a file of the same name (for
// example titles.es.tmpl, or titles.tmpl for every language) in the
// override folder, <data-dir>/templates;
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
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	tparse "text/template/parse"
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

// bases maps each content task to its template's base name: the file is
// <base>.<lang>.tmpl, or <base>.tmpl for an override that serves every
// language.
var bases = map[providers.Task]string{
	providers.TaskTitles:      "titles",
	providers.TaskIdeas:       "ideas",
	providers.TaskScript:      "script",
	providers.TaskDescription: "description",
	providers.TaskTags:        "tags",
	providers.TaskThumbnail:   "thumbnail",
}

// generalFile answers the other tasks (trends, analytics, channel
// metadata) in every language.
const generalFile = "general.tmpl"

// ErrLanguage reports a language the templates do not write.
var ErrLanguage = errors.New("the offline templates do not write this language")

// LanguageError is a content task asked in a language no template covers.
type LanguageError struct {
	Lang    string   // the primary subtag asked for ("fr")
	Covered []string // the languages the templates write
}

func (e *LanguageError) Error() string {
	return fmt.Sprintf("the offline templates write %s, not %q: turn on an AI provider or a local model (Settings → Providers) for this channel",
		strings.Join(e.Covered, ", "), e.Lang)
}

func (e *LanguageError) Unwrap() error { return ErrLanguage }

// fileLang splits "script.es.tmpl" into "script" and "es"; "script.tmpl"
// gives an empty language.
func fileLang(name string) (base, lang string) {
	stem := strings.TrimSuffix(name, ".tmpl")
	if b, l, ok := strings.Cut(stem, "."); ok {
		return b, l
	}
	return stem, ""
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
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(body)
	if err != nil {
		return nil, err
	}
	if err := noRecursion(t); err != nil {
		return nil, err
	}
	return t, nil
}

// noRecursion refuses a template that calls itself, directly or through
// others ({{ define "a" }}{{ template "a" . }}{{ end }}). text/template
// would stop it only 100,000 calls deep, after hundreds of megabytes of
// stack; a template that writes a video's text needs no recursion.
func noRecursion(t *template.Template) error {
	calls := map[string][]string{}
	for _, d := range t.Templates() {
		if d.Tree == nil || d.Tree.Root == nil {
			continue
		}
		var walk func(n tparse.Node)
		walk = func(n tparse.Node) {
			switch n := n.(type) {
			case *tparse.ListNode:
				if n == nil {
					return
				}
				for _, c := range n.Nodes {
					walk(c)
				}
			case *tparse.TemplateNode:
				calls[d.Name()] = append(calls[d.Name()], n.Name)
			case *tparse.IfNode:
				walk(n.List)
				walk(n.ElseList)
			case *tparse.RangeNode:
				walk(n.List)
				walk(n.ElseList)
			case *tparse.WithNode:
				walk(n.List)
				walk(n.ElseList)
			}
		}
		walk(d.Tree.Root)
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case onPath:
			return fmt.Errorf("template %q calls itself (%s): recursion is not allowed", name, strings.Join(append(path, name), " → "))
		case done:
			return nil
		}
		state[name] = onPath
		for _, c := range calls[name] {
			if err := visit(c, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = done
		return nil
	}
	names := slices.Sorted(maps.Keys(calls))
	for _, name := range names {
		if err := visit(name, nil); err != nil {
			return err
		}
	}
	return nil
}

var funcs = template.FuncMap{
	"title":  titleCase,
	"upper":  strings.ToUpper,
	"lower":  strings.ToLower,
	"hasAny": strings.ContainsAny,
	"has":    func(s, substr string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(substr)) },
	"add":    func(a, b int) int { return a + b },
	"mod": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a % b
	},
	"list":    func(items ...string) []string { return items },
	"append":  func(list []string, items ...string) []string { return append(slices.Clone(list), items...) },
	"prepend": func(list []string, items ...string) []string { return append(slices.Clone(items), list...) },
	"hashtag": hashtag,
	"split":   strings.Split,
	"sub":     func(a, b int) int { return a - b },
	"fitTags": fitTags,
	"fill":    fillTags,
	"either": func(cond bool, a, b string) string {
		if cond {
			return a
		}
		return b
	},
	"capfirst": capFirst,
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
		for _, name := range p.overrideNames() {
			body, err := readCapped(filepath.Join(p.opts.Dir, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			present[name] = true
			if errors.Is(err, errFileTooLarge) {
				errs[name] = FileError{File: name, Message: err.Error(), At: p.opts.Now()}
				continue
			}
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
				err = trial(name, t) // a template that parses but fails on real data is broken too
			}
			if err != nil {
				errs[name] = FileError{File: name, Message: cleanTemplateError(err), At: p.opts.Now()}
				continue
			}
			next[name] = t
		}
	}
	for _, name := range p.overrideNames() {
		if present[name] {
			continue
		}
		if t, ok := p.builtin[name]; ok {
			next[name] = t
		} else {
			delete(next, name) // an every-language override that was removed
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

// langFileRe names a task's template in one language: script.fr.tmpl.
var langFileRe = regexp.MustCompile(`^(ideas|titles|script|description|tags|thumbnail)\.[a-z]{2,3}\.tmpl$`)

// overrideNames are the file names an override may have: every built-in
// file, <base>.tmpl for each task (serving every language), and the files
// of a language the built-in ones lack (script.fr.tmpl) found in the
// override folder or loaded before.
func (p *Provider) overrideNames() []string {
	set := map[string]bool{}
	for name := range p.builtin {
		set[name] = true
	}
	for _, b := range bases {
		set[b+".tmpl"] = true
	}
	p.mu.RLock()
	for name := range p.active {
		set[name] = true
	}
	p.mu.RUnlock()
	if p.opts.Dir != "" {
		if entries, err := os.ReadDir(p.opts.Dir); err == nil {
			for _, e := range entries {
				if !e.IsDir() && langFileRe.MatchString(e.Name()) {
					set[e.Name()] = true
				}
			}
		}
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Languages lists the languages the templates write, built-in and
// overridden: those with a file for every content task.
func (p *Provider) Languages() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.languages()
}

// languages is Languages with p.mu held.
func (p *Provider) languages() []string {
	count := map[string]int{}
	for name := range p.active {
		if base, lang := fileLang(name); lang != "" && slices.Contains(baseNames(), base) {
			count[lang]++
		}
	}
	var out []string
	for lang, n := range count {
		if n == len(bases) {
			out = append(out, lang)
		}
	}
	sort.Strings(out)
	return out
}

// Covers reports whether the templates write language (a code such as
// "pt-BR"): a file for every content task in that language, or an
// every-language override for each task that lacks one.
func (p *Provider) Covers(language string) bool {
	lang := primary(language)
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, b := range bases {
		if p.active[b+"."+lang+".tmpl"] == nil && p.active[b+".tmpl"] == nil {
			return false
		}
	}
	return true
}

func baseNames() []string {
	out := make([]string, 0, len(bases))
	for _, b := range bases {
		out = append(out, b)
	}
	return out
}

// primary is the lower-case primary subtag of a language code, "en" when
// empty.
func primary(code string) string {
	l, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(code)), "-")
	l, _, _ = strings.Cut(l, "_")
	if l == "" {
		return "en"
	}
	return l
}

// trial runs t on a sample channel in both formats and each of its
// languages: the one in its name, or every built-in one.
func trial(name string, t *template.Template) error {
	langs := []string{"en", "es", "pt"}
	if _, lang := fileLang(name); lang != "" {
		langs = []string{lang}
	}
	for _, lang := range langs {
		for _, format := range []string{"long-form", "shorts"} {
			d := newData(providers.Request{Topic: "sample topic", Channel: providers.Channel{Name: "Sample", Niche: "sample niche",
				Audience: "viewers", Language: lang, Format: format}}, 1, 2026)
			if err := t.Execute(&cappedBuffer{max: MaxOutput}, d); err != nil {
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
	file, err := p.resolve(req.Task, req.Channel.Language)
	if err != nil {
		return providers.Response{}, err
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
			if b := p.builtin[file]; b != nil {
				p.active[file] = b
			} else {
				delete(p.active, file)
			}
		}
		p.mu.Unlock()
		if p.opts.OnReload != nil {
			p.opts.OnReload(p.Errors())
		}
		p.changeMu.Unlock()
		builtin := p.builtin[file]
		if builtin == nil {
			// an every-language override broke, and there is no built-in file of
			// that name: the language's own built-in file answers
			file = bases[req.Task] + "." + primary(req.Channel.Language) + ".tmpl"
			builtin = p.builtin[file]
		}
		if builtin == nil {
			return providers.Response{}, &LanguageError{Lang: primary(req.Channel.Language), Covered: p.Languages()}
		}
		if text, err = run(builtin, req, seed, p.opts.Now().Year()); err != nil {
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

// resolve finds the file that answers task in language: the language's
// own override, else an every-language override, else the language's
// built-in file; general.tmpl for tasks that are not content.
func (p *Provider) resolve(task providers.Task, language string) (string, error) {
	base, ok := bases[task]
	if !ok {
		return generalFile, nil
	}
	lang := primary(language)
	own, every := base+"."+lang+".tmpl", base+".tmpl"
	p.mu.RLock()
	defer p.mu.RUnlock()
	switch {
	case p.active[own] != nil && p.active[own] != p.builtin[own]:
		return own, nil // the language's own override
	case p.active[every] != nil:
		return every, nil // an override for every language
	case p.active[own] != nil:
		return own, nil
	}
	return "", &LanguageError{Lang: lang, Covered: p.languages()}
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
	buf := &cappedBuffer{max: MaxOutput}
	if err := t.Execute(buf, newData(req, seed, year)); err != nil {
		return "", err
	}
	return tidy(req.Task, buf.String()), nil
}

// MaxFile caps the size of a user's template file. The built-in ones are
// under 50 KB; a larger file is refused (reported in Errors, the last good
// version stays in use) without being read into memory whole.
const MaxFile = 256 << 10

var errFileTooLarge = fmt.Errorf("is larger than %d KB: a template file is a few kilobytes, so this is probably not one", MaxFile>>10)

// readCapped reads the file at path when it is at most MaxFile bytes long.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxFile {
		return nil, errFileTooLarge
	}
	return body, nil
}

// MaxOutput caps what one template run may write (a script is about 10 KB).
const MaxOutput = 1 << 20

// errTooLong stops a template that writes more than MaxOutput.
var errTooLong = fmt.Errorf("the template wrote more than %d bytes", MaxOutput)

// cappedBuffer is a bytes.Buffer that refuses to grow past max.
type cappedBuffer struct {
	bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
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

// Data is what a template sees. docs/TEMPLATES.md describes each field
// and the placeholders Fill replaces.
type Data struct {
	Channel  providers.Channel
	Topic    string   // the request's topic as written, or Subject when none was given
	NoTopic  bool     // no topic was given: Subject is one of Subjects
	Subject  string   // what the video is about, as a headline names it: "emergency fund"
	Your     string   // the subject as the narration says it: "your emergency fund", "tu fondo de emergencia"
	Mine     string   // the subject in the first person: "my emergency fund", "mi fondo de emergencia"
	Plural   bool     // the subject takes a plural verb
	Doing    bool     // the subject is an activity one can try, learn or start
	Idea     string   // the topic when it is a whole video idea (a sentence), without format notes
	Question string   // the topic when it is a question ("why ice floats"), without "?"
	HowTo    string   // the topic when it is a how-to ("how to start a podcast"), without "?"
	Niche    string   // the channel's niche, or a short label of it when the niche is a list or a sentence: "urban legends"
	Kind     string   // the niche's kind: finance, cooking, tech, fitness, history, gaming, travel, story, topic or general
	About    string   // a topic niche's subject: "movies" for "movie reviews", "science" for "science explained"; Niche otherwise
	Review   string   // one review, when a topic niche reviews things: "movie review", "reseña"; empty otherwise
	Subjects []string // subjects that fit the niche, in seeded order (the first is Subject when no topic was given)
	Audience string   // the channel's audience as written, "viewers" when none
	Who      string   // a short label for the audience: "busy parents", or "beginners"
	Next     string   // "the next time you cook", by kind
	Result   string   // "a dish you're proud of", by kind
	Gear     string   // what people buy instead of practising: "gadgets", by kind
	Lang     string   // primary language subtag, lower case: "en", "es", "pt"
	Format   string
	Shorts   bool
	Count    int
	Year     int
	CTA      string // a call to action in the channel's language
	R        *Rand

	niche string // the niche as written, for reading topics and finding subjects
}

func newData(req providers.Request, seed uint64, year int) Data {
	ch := req.Channel
	d := Data{Channel: ch, Topic: strings.TrimSpace(req.Topic), Niche: strings.TrimSpace(ch.Niche), Audience: strings.TrimSpace(ch.Audience),
		Format: ch.Format, Shorts: strings.EqualFold(ch.Format, "shorts"), Count: DefaultCount, Year: year,
		R: &Rand{r: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}}
	d.Lang = primary(ch.Language)
	if d.Niche == "" {
		d.Niche = map[string]string{"es": "tu nicho", "pt": "seu nicho"}[d.Lang]
		if d.Niche == "" {
			d.Niche = "your niche"
		}
	}
	if d.Audience == "" {
		d.Audience = "viewers"
	}
	d.Kind = nicheKind(d.Niche)
	d.niche = d.Niche
	d.Who = audienceLabel(ch.Audience, d.Lang)
	vocab, ok := kindVocab[d.Lang]
	if !ok {
		vocab = kindVocab["en"]
	}
	v := vocab[d.Kind]
	d.Next, d.Result, d.Gear = v[0], v[1], v[2]
	pool := subjectsFor(d.Lang, d.niche)
	if len(pool) == 0 {
		pool = subjectsFor("en", d.niche)
	}
	for _, i := range d.R.r.Perm(len(pool)) {
		d.Subjects = append(d.Subjects, pool[i].Bare)
	}
	var sub subject
	if d.Topic == "" {
		d.NoTopic = true
		sub = lookupSubject(d.Lang, d.niche, d.Subjects[0])
	} else {
		f := readTopic(d.Topic, d.niche, d.Lang)
		d.Idea, d.Question, d.HowTo = f.Idea, f.Question, f.HowTo
		sub = lookupSubject(d.Lang, d.niche, f.Subject)
		if f.Subject == d.niche && (f.Question != "" || f.Idea != "") {
			sub.Your = f.Subject
		}
	}
	d.Subject, d.Your, d.Plural, d.Doing = sub.Bare, sub.Your, sub.Plural, sub.Doing
	d.Mine = mine(d.Your, d.Lang)
	if d.Topic == "" {
		d.Topic = d.Subject
	}
	d.Niche = nicheLabel(d.niche)
	d.About = d.Niche
	if d.Kind == KindTopic {
		d.About, _, d.Review = topicLabel(d.niche, d.Lang)
	}
	if d.Kind == KindStory {
		d.CTA = d.R.Pick(storyCTAs(d.Lang)...)
	} else {
		d.CTA = d.R.Pick(ctas(d.Lang)...)
	}
	return d
}

// Say picks n different sentences from items, keeping the order they are
// written in (so a pool reads as a small argument), fills their
// placeholders and joins them into paragraphs of at most four sentences (a
// blank line between paragraphs): one spoken block of a script section.
func (d Data) Say(n int, items ...string) string {
	idx := d.R.Nums(len(items), n)
	slices.Sort(idx)
	picked := make([]string, len(idx))
	for i, j := range idx {
		picked[i] = items[j]
	}
	var b strings.Builder
	for i, it := range picked {
		switch {
		case i == 0:
		case i%4 == 0:
			b.WriteString("\n\n")
		default:
			b.WriteByte(' ')
		}
		b.WriteString(d.Fill(it))
	}
	return b.String()
}

// SayList is Say over a list built in the template: a story script
// defines its pools once and deals fewer sentences from them in a Short
// than in a long-form video.
func (d Data) SayList(n int, items []string) string { return d.Say(n, items...) }

// With is d about another subject of the niche (bare, as in Subjects):
// ideas that each name a different subject fill their text with it.
func (d Data) With(bare string) Data {
	sub := lookupSubject(d.Lang, d.niche, bare)
	d.Subject, d.Your, d.Plural, d.Doing = sub.Bare, sub.Your, sub.Plural, sub.Doing
	d.Mine = mine(d.Your, d.Lang)
	d.Question, d.HowTo, d.Idea = "", "", ""
	return d
}

// Adjunct reports whether the bare subject reads well as a noun before
// another noun, as English titles put it: "dog training setup" makes
// "Dog Training Setup Mistakes", while "first dog training project",
// "dog training on a budget" and plural subjects do not ("One Dog Training
// Tools Change"), so titles say "Mistakes With …" for them. Other languages
// put the subject after the noun ("errores de …") and never ask.
func (d Data) Adjunct() bool {
	if d.Plural {
		return false
	}
	w := strings.Fields(strings.ToLower(d.Subject))
	if len(w) == 0 {
		return false
	}
	switch w[0] {
	case "first", "my", "your", "the", "a", "an":
		return false
	}
	for _, x := range w[1:] {
		switch x {
		case "on", "for", "with", "without", "in", "of", "at", "to", "from", "and", "vs":
			return false
		}
	}
	return true
}

var mineWords = map[string]map[string]string{
	"en": {"your": "my"},
	"es": {"tu": "mi", "tus": "mis"},
	"pt": {"seu": "meu", "sua": "minha", "seus": "meus", "suas": "minhas"},
}

// mine puts a phrase in the first person: "your emergency fund" → "my
// emergency fund", "la deuda de tu tarjeta" → "la deuda de mi tarjeta".
func mine(your, lang string) string {
	m := mineWords[lang]
	w := strings.Fields(your)
	for i, x := range w {
		if r, ok := m[strings.ToLower(x)]; ok {
			w[i] = r
		}
	}
	return strings.Join(w, " ")
}

var placeholderRe = regexp.MustCompile(`\{([a-zA-Z]+)(?::([^{}]*))?\}`)

// Fill replaces the placeholders of a sentence written for any subject:
//
//	{s} {S}  the subject as the narration says it (Your), capitalised with S
//	{m} {M}  the same in the first person (Mine)
//	{b} {B}  the bare subject, capitalised with B
//	{who} {next} {result} {gear} {n}   Who, Next, Result, Gear, the niche
//	{about} {r}  About and Review (a topic niche's subject, one review)
//	{q} {Q} {h} {H}   the question and the how-to, capitalised with Q and H
//	{v:is|are}   the first form for a singular subject, the second for a plural one
//	{de:s} {em:s} {a:s} {por:s}   "de" + {s} with Spanish and Portuguese
//	             contractions ("del", "da", "no", "ao", "pelo"); also with b and m
//
// An unknown placeholder is left as written, so a typo shows in the text.
func (d Data) Fill(text string) string {
	val := func(key string) (string, bool) {
		switch key {
		case "s":
			return d.Your, true
		case "S":
			return capFirst(d.Your), true
		case "m":
			return d.Mine, true
		case "M":
			return capFirst(d.Mine), true
		case "b":
			return d.Subject, true
		case "B":
			return capFirst(d.Subject), true
		case "who":
			return d.Who, true
		case "next":
			return d.Next, true
		case "result":
			return d.Result, true
		case "gear":
			return d.Gear, true
		case "n":
			return lowerFirst(d.Niche), true
		case "about":
			return d.About, true
		case "r":
			return d.Review, true
		case "q":
			return d.Question, true
		case "Q":
			return capFirst(d.Question), true
		case "h":
			return lowerFirst(d.HowTo), true
		case "H":
			return capFirst(d.HowTo), true
		}
		return "", false
	}
	return placeholderRe.ReplaceAllStringFunc(text, func(tok string) string {
		m := placeholderRe.FindStringSubmatch(tok)
		key, arg := m[1], m[2]
		switch key {
		case "v":
			one, many, ok := strings.Cut(arg, "|")
			if !ok {
				return tok
			}
			if d.Plural {
				return many
			}
			return one
		case "de", "em", "a", "por":
			v, ok := val(arg)
			if !ok {
				return tok
			}
			return contract(key, v)
		}
		if arg != "" {
			return tok
		}
		if v, ok := val(key); ok {
			return v
		}
		return tok
	})
}

// fitTags keeps the tags people search with: no more than six words or 50
// characters each, no repeats (ignoring case), at most 15.
func fitTags(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range list {
		t = strings.Join(strings.Fields(t), " ")
		k := strings.ToLower(t)
		if t == "" || seen[k] || len(strings.Fields(t)) > 6 || utf8.RuneCountInString(t) > 50 || len(out) == 15 {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// fillTags fits list (see fitTags) and appends items of more, in order,
// while fewer than n tags fit: a long subject or niche makes some tags too
// long to keep, and the checklist asks for at least ten.
func fillTags(list []string, n int, more ...string) []string {
	out := fitTags(list)
	for _, m := range more {
		if len(out) >= n {
			break
		}
		out = fitTags(append(out, m))
	}
	return out
}

// hashtag makes a hashtag of a phrase: "#emergencyfund", "#fondodeemergencia";
// letters and digits only, lower case, at most 30 characters.
func hashtag(phrase string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(phrase) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	t := []rune(b.String())
	if len(t) > 30 {
		t = t[:30]
	}
	return "#" + string(t)
}

// contractions join a preposition with the article that follows it, in
// Spanish ("de el" → "del") and Portuguese ("de a" → "da", "em o" → "no").
var contractions = map[string]map[string]string{
	"de":  {"el": "del", "o": "do", "a": "da", "os": "dos", "as": "das"},
	"em":  {"o": "no", "a": "na", "os": "nos", "as": "nas", "um": "num", "uma": "numa"},
	"a":   {"el": "al", "o": "ao", "a": "à", "os": "aos", "as": "às"},
	"por": {"o": "pelo", "a": "pela", "os": "pelos", "as": "pelas"},
}

func contract(prep, phrase string) string {
	first, rest, _ := strings.Cut(phrase, " ")
	if c, ok := contractions[prep][first]; ok && rest != "" {
		return c + " " + rest
	}
	return prep + " " + phrase
}

func capFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
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
		return []string{"Subscribe for more, and tell me in the comments what you want to see next.", "If this helped, like the video and share it with someone who needs it.", "If you want the next step, subscribe so you don't miss it."}
	}
}

// Rand is the seeded randomness a template uses. It also bounds the work of
// a template: after maxLists lists (Seq, Nums, Deal) in one run, the next
// ones are empty, so loops nested inside loops end.
type Rand struct {
	r     *rand.Rand
	lists int
}

// maxLists is how many lists one template run may make.
const maxLists = 10_000

// spend counts one list; false when the run has made too many.
func (r *Rand) spend() bool {
	r.lists++
	return r.lists <= maxLists
}

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
	if !r.spend() {
		return nil
	}
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

// Nums returns k different whole numbers from [0, n), in seeded order.
func (r *Rand) Nums(n, k int) []int {
	if !r.spend() {
		return nil
	}
	p := r.r.Perm(min(max(n, 0), maxItems))
	return p[:min(max(k, 0), len(p))]
}

// DealList is Deal over a list built in the template.
func (r *Rand) DealList(n int, items []string) []string { return r.Deal(n, items...) }

// Seq returns n items (at most maxItems) to range over.
func (r *Rand) Seq(n int) []int {
	if !r.spend() {
		return nil
	}
	return make([]int, min(max(n, 0), maxItems))
}

// maxItems caps the lists Seq and Nums make, so a template cannot ask for a
// billion items.
const maxItems = 200
