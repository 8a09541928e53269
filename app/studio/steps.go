package studio

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"tubeagency/app/voice"
	"tubeagency/internal/store"
	"tubeagency/providers"
)

// Format targets: Shorts run 30–60 s, long-form 8–12 min. The script asks
// for the middle of the range at the stated words per minute.
const (
	ShortsWPM       = 160
	LongFormWPM     = 150
	ShortsSeconds   = 45
	LongFormSeconds = 10 * 60
	MinTitles       = 5
	maxTags         = 500 // YouTube's limit on all tags' characters
	maxDescription  = 5000
	maxThumbWords   = 6
)

// Target is the script length a format asks for.
type Target struct {
	WordsPerMinute int
	MinSeconds     int
	MaxSeconds     int
	Words          int // words for the middle of the range
}

// TargetFor returns the script target of a channel format.
func TargetFor(format string) Target {
	if format == store.FormatShorts {
		return Target{WordsPerMinute: ShortsWPM, MinSeconds: 30, MaxSeconds: 60, Words: ShortsWPM * ShortsSeconds / 60}
	}
	return Target{WordsPerMinute: LongFormWPM, MinSeconds: 8 * 60, MaxSeconds: 12 * 60, Words: LongFormWPM * LongFormSeconds / 60}
}

type stepRun struct {
	s       *Studio
	ch      store.Channel
	p       store.Package
	opts    RunOptions
	gen     Generator
	onDelta func(string)
	resp    *providers.Response
}

func (r *stepRun) channel() providers.Channel {
	return providers.Channel{ID: r.ch.ID, Name: r.ch.Name, Niche: r.ch.Niche, Audience: r.ch.Audience,
		Language: r.ch.Language, Format: r.ch.Format}
}

func (r *stepRun) topic() string {
	if r.p.Topic != "" {
		return r.p.Topic
	}
	if len(r.p.Content.Ideas) > 0 {
		return r.p.Content.Ideas[0]
	}
	return r.ch.Niche
}

func (r *stepRun) title() string {
	if r.p.Title != "" {
		return r.p.Title
	}
	if len(r.p.Content.Titles) > 0 {
		return r.p.Content.Titles[0].Text
	}
	return r.topic()
}

// ask sends one request through the generator, streaming deltas.
func (r *stepRun) ask(ctx context.Context, task providers.Task, system, user string, maxTokens int, seed int64) (providers.Response, error) {
	req := providers.Request{Task: task, System: system, User: user, MaxTokens: maxTokens, Temperature: 0.8,
		Channel: r.channel(), Topic: r.topic(), Seed: seed, Background: r.opts.Background, NoCache: r.opts.NoCache,
		OnDelta: r.onDelta}
	resp, err := r.gen.Generate(ctx, req)
	if err != nil {
		return resp, err
	}
	r.resp = &resp
	return resp, nil
}

func stateOf(resp providers.Response) store.StepState {
	return store.StepState{Provider: resp.Provider, Attempts: resp.Attempts, Cached: resp.Cached}
}

func (r *stepRun) do(ctx context.Context, step string) (func(*store.Package), store.StepState, error) {
	if err := ctx.Err(); err != nil {
		return nil, store.StepState{}, err
	}
	switch step {
	case StepIdeas:
		return r.ideas(ctx)
	case StepTitles:
		return r.titles(ctx)
	case StepScript:
		return r.script(ctx)
	case StepDescription:
		return r.description(ctx)
	case StepTags:
		return r.tags(ctx)
	case StepThumbnail:
		return r.thumbnail(ctx)
	case StepVoice:
		return r.voice(ctx)
	}
	return nil, store.StepState{}, fmt.Errorf("%w: %q", ErrUnknownStep, step)
}

const system = "You are a YouTube strategist and scriptwriter. Answer in the exact plain-text shape asked for, with no preamble."

func (r *stepRun) about() string {
	s := fmt.Sprintf("Channel %q, niche: %s, format: %s, language: %s.", r.ch.Name, r.ch.Niche, r.ch.Format, r.ch.Language)
	if r.ch.Audience != "" {
		s += " Audience: " + r.ch.Audience + "."
	}
	return s
}

func (r *stepRun) ideas(ctx context.Context) (func(*store.Package), store.StepState, error) {
	user := r.about()
	if r.s.cfg.Trends != nil {
		// Trends are a bonus: when they cannot be read, ideas come from the niche.
		if trends, err := r.s.cfg.Trends.Trends(ctx, r.ch.ID); err == nil && len(trends) > 0 {
			user += " Trending now: " + strings.Join(trends[:min(len(trends), 8)], "; ") + "."
		}
	}
	if r.p.Topic != "" {
		user += " Focus on this topic: " + r.p.Topic + "."
	}
	user += " Give 8 video ideas, one per line."
	resp, err := r.ask(ctx, providers.TaskIdeas, system, user, 400, 0)
	if err != nil {
		return nil, store.StepState{}, err
	}
	ideas := cleanLines(resp.Text, 300)
	if len(ideas) == 0 {
		return nil, store.StepState{}, fmt.Errorf("ideas: %w: no ideas in the answer", ErrThinAnswer)
	}
	return func(p *store.Package) {
		p.Content.Ideas = ideas
		if p.Topic == "" {
			p.Topic = truncateRunes(ideas[0], 200)
		}
	}, stateOf(resp), nil
}

func (r *stepRun) titles(ctx context.Context) (func(*store.Package), store.StepState, error) {
	user := r.about() + fmt.Sprintf(" Write 8 title options for a video about: %s. At most 100 characters each, one per line.", r.topic())
	var texts []string
	var resp providers.Response
	seen := map[string]bool{}
	for attempt := range 3 {
		var err error
		resp, err = r.ask(ctx, providers.TaskTitles, system, user, 400, int64(attempt))
		if err != nil {
			return nil, store.StepState{}, err
		}
		for _, t := range cleanLines(resp.Text, 100) {
			k := strings.ToLower(t)
			if !seen[k] {
				seen[k] = true
				texts = append(texts, t)
			}
		}
		if len(texts) >= MinTitles {
			break
		}
		// Too few: ask again for a different set, this time not from the cache.
		r.opts.NoCache = true
	}
	if len(texts) < MinTitles {
		return nil, store.StepState{}, fmt.Errorf("titles: %w: %d of the %d options needed", ErrThinAnswer, len(texts), MinTitles)
	}
	options := make([]store.TitleOption, 0, len(texts))
	for _, t := range texts {
		sc, err := r.s.cfg.Scorer.ScoreTitle(ctx, r.ch.ID, t, r.p.Content.Thumbnail)
		if err != nil {
			// A scorer that cannot answer leaves the heuristic's view.
			sc, _ = HeuristicScorer{}.ScoreTitle(ctx, r.ch.ID, t, r.p.Content.Thumbnail)
		}
		options = append(options, store.TitleOption{Text: t, Score: clamp(sc.Value, 0, 100), Features: sc.Features})
	}
	sortTitles(options)
	return func(p *store.Package) {
		old := p.Content.Titles
		p.Content.Titles = options
		// Keep a title the user typed; replace one the pipeline picked.
		if p.Title == "" || containsTitle(old, p.Title) {
			p.Title = options[0].Text
		}
	}, stateOf(resp), nil
}

func (r *stepRun) script(ctx context.Context) (func(*store.Package), store.StepState, error) {
	tg := TargetFor(r.ch.Format)
	user := r.about() + fmt.Sprintf(" Write the script of the video %q about %s. Length: about %d words, %d to %d seconds spoken at %d words per minute."+
		" First line \"HOOK: <hook>\", then sections, each a line \"## <heading>\" followed by its paragraphs.",
		r.title(), r.topic(), tg.Words, tg.MinSeconds, tg.MaxSeconds, tg.WordsPerMinute)
	resp, err := r.ask(ctx, providers.TaskScript, system, user, tg.Words*2+200, 0)
	if err != nil {
		return nil, store.StepState{}, err
	}
	hook, sections := ParseScript(resp.Text)
	if len(sections) == 0 && hook == "" {
		return nil, store.StepState{}, fmt.Errorf("script: %w: no hook and no sections", ErrThinAnswer)
	}
	// Models often write well short of a long-form length. Ask once to
	// expand a script under 60 % of the target (not the templates: they
	// would answer the same), and keep the longer of the two.
	if n := Words(SpokenText(hook, sections)); n < tg.Words*6/10 && resp.Provider != "templates" {
		expand := user + fmt.Sprintf("\n\nThis draft has only %d words. Expand it to about %d words, keeping its hook and headings and the same shape:\n\n%s",
			n, tg.Words, resp.Text)
		if more, err := r.ask(ctx, providers.TaskScript, system, expand, tg.Words*2+200, 1); err == nil {
			if h2, s2 := ParseScript(more.Text); Words(SpokenText(h2, s2)) > n {
				more.Attempts += resp.Attempts
				hook, sections, resp = h2, s2, more
			}
		} else if ctx.Err() != nil {
			return nil, store.StepState{}, err
		}
	}
	Time(hook, sections, tg.WordsPerMinute)
	return func(p *store.Package) {
		p.Content.Hook = truncateRunes(hook, 2000)
		p.Content.Script = sections
		p.Content.WordsPerMinute = tg.WordsPerMinute
		// A new script moves the chapters and outdates the voice-over: the
		// chapters are re-timed here, and a recorded voice step goes back to
		// pending, saying why, so the package is not "ready" with audio of
		// another script.
		if p.Content.Description != "" {
			p.Content.Description = Describe(p.Content.Description, p.Content.Hook, sections)
		}
		if st := p.Content.Steps[StepVoice]; st.Status == StateDone {
			p.Content.Steps[StepVoice] = store.StepState{Status: StatePending, Error: "The script changed: run the voice step again to match it."}
		}
	}, stateOf(resp), nil
}

func (r *stepRun) description(ctx context.Context) (func(*store.Package), store.StepState, error) {
	if len(r.p.Content.Script) == 0 {
		return nil, store.StepState{}, fmt.Errorf("description: %w: write the script first", ErrNeedsEarlierStep)
	}
	var heads []string
	for _, s := range r.p.Content.Script {
		heads = append(heads, s.Heading)
	}
	user := r.about() + fmt.Sprintf(" Write the YouTube description of the video %q. Sections: %s. Put chapters as lines \"0:00 <chapter>\".",
		r.title(), strings.Join(heads, "; "))
	resp, err := r.ask(ctx, providers.TaskDescription, system, user, 600, 0)
	if err != nil {
		return nil, store.StepState{}, err
	}
	desc := Describe(resp.Text, r.p.Content.Hook, r.p.Content.Script)
	if strings.TrimSpace(desc) == "" {
		return nil, store.StepState{}, fmt.Errorf("description: %w", ErrThinAnswer)
	}
	return func(p *store.Package) { p.Content.Description = desc }, stateOf(resp), nil
}

func (r *stepRun) tags(ctx context.Context) (func(*store.Package), store.StepState, error) {
	user := r.about() + fmt.Sprintf(" Give up to 15 search tags for the video %q, comma-separated.", r.title())
	resp, err := r.ask(ctx, providers.TaskTags, system, user, 200, 0)
	if err != nil {
		return nil, store.StepState{}, err
	}
	tags := ParseTags(resp.Text)
	if len(tags) == 0 {
		return nil, store.StepState{}, fmt.Errorf("tags: %w: no tags in the answer", ErrThinAnswer)
	}
	return func(p *store.Package) { p.Content.Tags = tags }, stateOf(resp), nil
}

func (r *stepRun) thumbnail(ctx context.Context) (func(*store.Package), store.StepState, error) {
	user := r.about() + fmt.Sprintf(" Write the thumbnail text for the video %q: one line of at most 6 words.", r.title())
	resp, err := r.ask(ctx, providers.TaskThumbnail, system, user, 40, 0)
	if err != nil {
		return nil, store.StepState{}, err
	}
	thumb := ParseThumbnail(resp.Text)
	if thumb == "" {
		return nil, store.StepState{}, fmt.Errorf("thumbnail: %w", ErrThinAnswer)
	}
	return func(p *store.Package) { p.Content.Thumbnail = thumb }, stateOf(resp), nil
}

func (r *stepRun) voice(ctx context.Context) (func(*store.Package), store.StepState, error) {
	text := SpokenText(r.p.Content.Hook, r.p.Content.Script)
	if strings.TrimSpace(text) == "" {
		return nil, store.StepState{}, fmt.Errorf("voice-over: %w: write the script first", ErrNeedsEarlierStep)
	}
	if r.s.cfg.Voice == nil {
		return nil, store.StepState{}, voice.ErrNoEngine
	}
	wpm := r.p.Content.WordsPerMinute
	if wpm == 0 {
		wpm = TargetFor(r.ch.Format).WordsPerMinute
	}
	file := r.p.ID + ".wav"
	res, err := r.s.cfg.Voice.Synthesize(ctx, voice.Request{Text: text, Language: r.ch.Language, WordsPerMinute: wpm},
		filepath.Join(r.s.cfg.AudioDir, file))
	if err != nil {
		return nil, store.StepState{}, err
	}
	v := &store.Voice{File: file, Engine: res.Engine, Seconds: res.Seconds, Bytes: res.Bytes, MimeType: res.MimeType}
	return func(p *store.Package) { p.Content.Voice = v }, store.StepState{Provider: res.Engine, Attempts: len(res.Skipped) + 1}, nil
}

// ---- parsing, leniently ----

var (
	bulletRe  = regexp.MustCompile(`^\s*(?:[-*•–]+|\d+\s*[.):-]|\(\d+\))\s*`)
	chapterRe = regexp.MustCompile(`^\s*(?:\d+:)?\d{1,2}:\d{2}\b`)
)

// cleanLines splits an answer into items: one a line, numbering, bullets,
// surrounding quotes and markdown emphasis removed, empty lines dropped,
// each at most max characters.
func cleanLines(text string, max int) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = cleanLine(line)
		if line == "" {
			continue
		}
		out = append(out, truncateWords(line, max))
	}
	return out
}

// truncateWords shortens s to at most n characters, cutting at the last
// space that fits (and dropping a dangling opening bracket or separator)
// rather than in the middle of a word.
func truncateWords(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n+1]
	cut := strings.LastIndex(string(r), " ")
	if cut <= 0 {
		return truncateRunes(s, n)
	}
	out := strings.TrimSpace(string(r)[:cut])
	for {
		trimmed := strings.TrimRight(out, " ([{|-–—:,;")
		if i := strings.LastIndexAny(trimmed, "([{"); i >= 0 && !strings.ContainsAny(trimmed[i:], ")]}") {
			trimmed = strings.TrimSpace(trimmed[:i])
		}
		if trimmed == out || trimmed == "" {
			break
		}
		out = trimmed
	}
	return out
}

func cleanLine(line string) string {
	line = strings.TrimSpace(line)
	line = bulletRe.ReplaceAllString(line, "")
	line = strings.Trim(line, "*_ \t")
	line = strings.Trim(line, `"“”'`)
	return strings.TrimSpace(line)
}

// ParseScript reads "HOOK: …" and "## heading" sections. Text before the
// first heading (other than the hook) becomes an untitled opening section.
func ParseScript(text string) (string, []store.ScriptSection) {
	var hook string
	var sections []store.ScriptSection
	var cur *store.ScriptSection
	var body []string
	flush := func() {
		t := strings.TrimSpace(strings.Join(body, "\n"))
		body = nil
		if cur != nil {
			cur.Text = t
			sections = append(sections, *cur)
			cur = nil
		} else if t != "" {
			sections = append(sections, store.ScriptSection{Heading: "Opening", Text: t})
		}
	}
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		upper := strings.ToUpper(strings.Trim(line, "*_ "))
		switch {
		case hook == "" && strings.HasPrefix(upper, "HOOK:"):
			hook = cleanLine(strings.TrimSpace(strings.Trim(line, "*_ ")[len("HOOK:"):]))
		case strings.HasPrefix(line, "#"):
			flush()
			h := strings.TrimSpace(strings.TrimLeft(line, "#"))
			cur = &store.ScriptSection{Heading: truncateRunes(strings.Trim(h, "*_ "), 200)}
		default:
			body = append(body, raw)
		}
	}
	flush()
	// Drop empty sections a model left behind, keeping their headings out of chapters.
	out := sections[:0]
	for _, s := range sections {
		if s.Text != "" {
			out = append(out, s)
		}
	}
	return hook, out
}

// Words counts the words of s.
func Words(s string) int { return len(strings.Fields(s)) }

// Time sets each section's start and length at wpm words per minute, the
// hook spoken first.
func Time(hook string, sections []store.ScriptSection, wpm int) {
	if wpm <= 0 {
		wpm = LongFormWPM
	}
	at := float64(Words(hook)) * 60 / float64(wpm)
	for i := range sections {
		secs := float64(Words(sections[i].Text)) * 60 / float64(wpm)
		sections[i].Start = round1(at)
		sections[i].Seconds = round1(secs)
		at += secs
	}
}

// ScriptSeconds is the spoken length of hook and sections at wpm.
func ScriptSeconds(hook string, sections []store.ScriptSection, wpm int) float64 {
	if wpm <= 0 {
		wpm = LongFormWPM
	}
	return float64(Words(SpokenText(hook, sections))) * 60 / float64(wpm)
}

// SpokenText is what the voice-over says: the hook, then every section's text.
func SpokenText(hook string, sections []store.ScriptSection) string {
	parts := []string{}
	if strings.TrimSpace(hook) != "" {
		parts = append(parts, strings.TrimSpace(hook))
	}
	for _, s := range sections {
		if t := strings.TrimSpace(s.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

// Describe builds a description from a provider's text: its own chapter
// lines are replaced by chapters timed from the script, so they match the
// voice-over; YouTube wants the first at 0:00.
func Describe(answer, hook string, sections []store.ScriptSection) string {
	var body []string
	for _, line := range strings.Split(answer, "\n") {
		if chapterRe.MatchString(line) || strings.EqualFold(strings.Trim(strings.TrimSpace(line), "*#: "), "chapters") {
			continue
		}
		body = append(body, strings.TrimRight(line, " \t"))
	}
	text := strings.TrimSpace(strings.Join(body, "\n"))
	var ch []string
	if len(sections) > 0 {
		first := "Intro"
		if strings.TrimSpace(hook) == "" && sections[0].Heading != "" {
			first = sections[0].Heading
		}
		ch = append(ch, "0:00 "+first)
		for i, s := range sections {
			if i == 0 && strings.TrimSpace(hook) == "" {
				continue
			}
			heading := s.Heading
			if heading == "" {
				heading = fmt.Sprintf("Part %d", i+1)
			}
			ch = append(ch, Clock(s.Start)+" "+heading)
		}
	}
	chapters := ""
	if len(ch) > 0 {
		chapters = "\n\nChapters\n" + strings.Join(ch, "\n")
	}
	room := maxDescription - utf8.RuneCountInString(chapters)
	return strings.TrimSpace(truncateRunes(text, max(room, 0)) + chapters)
}

// Clock formats seconds as m:ss or h:mm:ss.
func Clock(seconds float64) string {
	s := int(seconds)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// ParseTags splits comma- or line-separated tags, drops '#', duplicates
// and empties, and keeps within YouTube's 500 characters.
func ParseTags(text string) []string {
	seen := map[string]bool{}
	var out []string
	total := 0
	for _, t := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		t = strings.TrimLeft(cleanLine(t), "#")
		t = strings.TrimSpace(truncateRunes(t, 100))
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		n := utf8.RuneCountInString(t)
		if total+n > maxTags {
			break
		}
		seen[k] = true
		total += n
		out = append(out, t)
	}
	return out
}

// ParseThumbnail takes the first non-empty line, at most six words.
func ParseThumbnail(text string) string {
	lines := cleanLines(text, 100)
	if len(lines) == 0 {
		return ""
	}
	w := strings.Fields(lines[0])
	if len(w) > maxThumbWords {
		w = w[:maxThumbWords]
	}
	return truncateRunes(strings.Join(w, " "), 100)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

func round1(x float64) float64 { return float64(int(x*10+0.5)) / 10 }

func clamp(x, lo, hi float64) float64 {
	if x != x {
		return lo
	}
	return min(max(x, lo), hi)
}

func containsTitle(opts []store.TitleOption, t string) bool {
	for _, o := range opts {
		if o.Text == t {
			return true
		}
	}
	return false
}
