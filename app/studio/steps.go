package studio

import (
	"context"
	"fmt"
	"hash/fnv"
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
	// onRestart is told when the text onDelta sent so far is void.
	onRestart func(providers.Restart)
	// startOver voids the text onDelta sent so far, saying why in note
	// (shown live and kept on the step).
	startOver func(note string)
	resp      *providers.Response
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
	return "" // the ideas step, without a topic: the niche is not a subject
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

// seed is the request seed of one attempt at a step: fixed per package,
// so a resumed run writes what the interrupted one would have, and never
// shared between packages, so packages without a topic do not all get the
// same cached ideas. A regeneration (NoCache) draws a fresh one.
func (r *stepRun) seed(task providers.Task, attempt int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%d", r.p.ID, task, attempt)
	if r.opts.NoCache {
		fmt.Fprintf(h, "\x00%d", r.s.cfg.Now().UnixNano())
	}
	return int64(h.Sum64() &^ (1 << 63))
}

// ask sends one request through the generator, streaming deltas. attempt
// numbers the tries at one step (it picks the seed).
func (r *stepRun) ask(ctx context.Context, task providers.Task, system, user string, maxTokens int, attempt int, with ...func(*providers.Request)) (providers.Response, error) {
	req := providers.Request{Task: task, System: system, User: user, MaxTokens: maxTokens, Temperature: 0.8,
		Channel: r.channel(), Topic: r.topic(), Seed: r.seed(task, attempt), Background: r.opts.Background, NoCache: r.opts.NoCache,
		OnDelta: r.onDelta, OnRestart: r.onRestart}
	for _, w := range with {
		w(&req)
	}
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
	user := r.about() + fmt.Sprintf(" Write 8 title options for a video about: %s.", r.topic()) + r.jsonAsk(StepTitles)
	var texts []string
	var resp providers.Response
	seen := map[string]bool{}
	for attempt := range 3 {
		var err error
		resp, err = r.ask(ctx, providers.TaskTitles, system, user, 600, attempt, r.structured(StepTitles))
		if err != nil {
			return nil, store.StepState{}, err
		}
		lines, jerr := decodeTitles(resp.Text)
		if jerr != nil {
			lines = cleanLines(resp.Text, 100) // the templates' plain lines
		}
		for _, t := range lines {
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
	options := scoreOptions(ctx, r.s.cfg.Scorer, r.p, r.ch, texts)
	pick := options[0].Text
	if used, err := r.channelTitles(ctx); err == nil {
		// The best option no other package of the channel already has:
		// two videos of one channel under one title help no one.
		for _, o := range options {
			if !used[strings.ToLower(o.Text)] {
				pick = o.Text
				break
			}
		}
	}
	return func(p *store.Package) {
		old := p.Content.Titles
		p.Content.Titles = options
		// Keep a title the user typed; replace one the pipeline picked.
		if p.Title == "" || containsTitle(old, p.Title) {
			p.Title = pick
		}
	}, stateOf(resp), nil
}

// channelTitles are the titles of the channel's other packages, lowercased.
func (r *stepRun) channelTitles(ctx context.Context) (map[string]bool, error) {
	rows, err := r.s.cfg.Store.ReadDB().QueryContext(ctx,
		`SELECT title FROM packages WHERE channel_id = ? AND id != ? AND NOT deleted AND title != ''`, r.p.ChannelID, r.p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	used := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		used[strings.ToLower(t)] = true // in Go: SQLite's lower() knows ASCII only
	}
	return used, rows.Err()
}

func (r *stepRun) script(ctx context.Context) (func(*store.Package), store.StepState, error) {
	tg := TargetFor(r.ch.Format)
	user := r.about() + fmt.Sprintf(" Write the script of the video %q about %s. Length: about %d words, %d to %d seconds spoken at %d words per minute.",
		r.title(), r.topic(), tg.Words, tg.MinSeconds, tg.MaxSeconds, tg.WordsPerMinute) + r.jsonAsk(StepScript)
	resp, err := r.ask(ctx, providers.TaskScript, system, user, tg.Words*3+400, 0, r.structured(StepScript))
	if err != nil {
		return nil, store.StepState{}, err
	}
	hook, sections, jerr := decodeScript(resp.Text)
	if jerr != nil {
		hook, sections = ParseScript(resp.Text) // the templates' plain text
	}
	if len(sections) == 0 && hook == "" {
		return nil, store.StepState{}, fmt.Errorf("script: %w: no hook and no sections", ErrThinAnswer)
	}
	// Models often write well short of a long-form length. Ask once to
	// expand a script under 60 % of the target (not the templates: they
	// would answer the same), and keep the longer of the two.
	if n := Words(SpokenText(hook, sections)); n < tg.Words*6/10 && resp.Provider != "templates" {
		// The page's live text restarts with the longer draft, rather than
		// running the two together.
		r.startOver(fmt.Sprintf("The first draft had %d words, under the %d this format needs, so a longer one was asked for.", n, tg.Words))
		expand := user + fmt.Sprintf("\n\nThis draft has only %d words. Expand it to about %d words, keeping its hook and headings and the same shape:\n\n%s",
			n, tg.Words, resp.Text)
		if more, err := r.ask(ctx, providers.TaskScript, system, expand, tg.Words*3+400, 1, r.structured(StepScript)); err == nil {
			h2, s2, jerr := decodeScript(more.Text)
			if jerr != nil {
				h2, s2 = ParseScript(more.Text)
			}
			if Words(SpokenText(h2, s2)) > n {
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
			p.Content.Description = Describe(p.Content.Description, p.Content.Hook, sections, r.ch.Language, r.ch.Format == store.FormatShorts)
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
	user := r.about() + fmt.Sprintf(" Write the YouTube description of the video %q. Sections: %s.", r.title(), strings.Join(heads, "; ")) +
		r.jsonAsk(StepDescription)
	resp, err := r.ask(ctx, providers.TaskDescription, system, user, 800, 0, r.structured(StepDescription))
	if err != nil {
		return nil, store.StepState{}, err
	}
	body, jerr := decodeDescription(resp.Text)
	if jerr != nil {
		body = resp.Text
	}
	desc := Describe(body, r.p.Content.Hook, chapterTimed(r.p.Content), r.ch.Language, r.ch.Format == store.FormatShorts)
	if strings.TrimSpace(desc) == "" {
		return nil, store.StepState{}, fmt.Errorf("description: %w", ErrThinAnswer)
	}
	return func(p *store.Package) { p.Content.Description = desc }, stateOf(resp), nil
}

func (r *stepRun) tags(ctx context.Context) (func(*store.Package), store.StepState, error) {
	user := r.about() + fmt.Sprintf(" Give the search tags for the video %q.", r.title()) + r.jsonAsk(StepTags)
	resp, err := r.ask(ctx, providers.TaskTags, system, user, 300, 0, r.structured(StepTags))
	if err != nil {
		return nil, store.StepState{}, err
	}
	tags, jerr := decodeTags(resp.Text)
	if jerr != nil {
		tags = ParseTags(resp.Text)
	}
	if len(tags) == 0 {
		return nil, store.StepState{}, fmt.Errorf("tags: %w: no tags in the answer", ErrThinAnswer)
	}
	return func(p *store.Package) { p.Content.Tags = tags }, stateOf(resp), nil
}

func (r *stepRun) thumbnail(ctx context.Context) (func(*store.Package), store.StepState, error) {
	user := r.about() + fmt.Sprintf(" Write the thumbnail text for the video %q.", r.title()) + r.jsonAsk(StepThumbnail)
	resp, err := r.ask(ctx, providers.TaskThumbnail, system, user, 80, 0, r.structured(StepThumbnail))
	if err != nil {
		return nil, store.StepState{}, err
	}
	thumb, jerr := decodeThumbnail(resp.Text)
	if jerr != nil {
		thumb = ParseThumbnail(resp.Text)
	}
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
	if slots := factSlot.FindAllString(text, -1); len(slots) > 0 {
		// A voice-over would read the placeholders aloud: wait for the facts.
		return nil, store.StepState{Status: StateSkipped, Error: fmt.Sprintf("The script has %s to fill in (%s): fill them in, then run the voice step.",
			plural(len(slots), "marked fact", "marked facts"), truncateWords(slots[0], 60))}, nil
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
	return func(p *store.Package) {
		p.Content.Voice = v
		// An engine speaks at its own pace: the chapters move to where the
		// recorded sections start, so each lies within the voice-over.
		if p.Content.Description != "" && SpokenText(p.Content.Hook, p.Content.Script) == text {
			p.Content.Description = Describe(p.Content.Description, p.Content.Hook, voiceTimed(p.Content.Script, v), r.ch.Language, r.ch.Format == store.FormatShorts)
		}
	}, store.StepState{Provider: res.Engine, Attempts: len(res.Skipped) + 1}, nil
}

// voiceTimed are sections timed as v speaks them: their times scaled so
// the script lasts as long as the voice-over. Without a voice-over (or a
// script without timings) they are sections as they are.
func voiceTimed(sections []store.ScriptSection, v *store.Voice) []store.ScriptSection {
	if v == nil || v.Seconds <= 0 || len(sections) == 0 {
		return sections
	}
	last := sections[len(sections)-1]
	total := last.Start + last.Seconds
	if total <= 0 {
		return sections
	}
	k := v.Seconds / total
	out := make([]store.ScriptSection, len(sections))
	for i, s := range sections {
		s.Start, s.Seconds = s.Start*k, s.Seconds*k
		out[i] = s
	}
	return out
}

// chapterTimed are the sections the description's chapters are timed
// from: as the voice-over speaks them when one is recorded for this
// script, else at the script's words per minute.
func chapterTimed(c store.PackageContent) []store.ScriptSection {
	if c.Steps[StepVoice].Status != StateDone {
		return c.Script
	}
	return voiceTimed(c.Script, c.Voice)
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
// Lines for the person filming rather than the viewer are kept apart as the
// section's notes: a line in square brackets ("[On screen: the three
// steps]"), a line starting "NOTE:" (or "NOTA:"), and square-bracketed
// pieces inside a spoken line. Fact slots ("[FACT: …]") stay in the spoken
// text, where the checklist asks for them to be filled in.
func ParseScript(text string) (string, []store.ScriptSection) {
	var hook string
	var sections []store.ScriptSection
	var cur *store.ScriptSection
	var body, notes []string
	flush := func() {
		t := strings.TrimSpace(strings.Join(body, "\n"))
		body = nil
		if cur == nil && (t != "" || len(notes) > 0) {
			cur = &store.ScriptSection{Heading: "Opening"}
		}
		if cur != nil {
			cur.Text = t
			cur.Spoken = store.SplitLines(t)
			cur.Notes = notes
			sections = append(sections, *cur)
			cur = nil
		}
		notes = nil
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
			spoken, note := splitNotes(raw)
			if note != "" {
				notes = append(notes, note)
			}
			if spoken != "" || note == "" {
				body = append(body, spoken)
			}
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

var (
	noteLineRe   = regexp.MustCompile(`(?i)^\s*(?:\*\*)?(NOTE|NOTA|NOTES|DIRECTION|ON SCREEN|ON-SCREEN|EN PANTALLA|NA TELA|B-ROLL)\s*:\s*(?:\*\*)?\s*(.+)$`)
	inlineNoteRe = regexp.MustCompile(`\s*\[([^\]]*)\]\s*`)
)

// splitNotes separates a script line into what is spoken and a note for
// the creator.
func splitNotes(line string) (spoken, note string) {
	t := strings.TrimSpace(line)
	if m := noteLineRe.FindStringSubmatch(t); m != nil {
		return "", strings.TrimSpace(m[2])
	}
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") && !factSlot.MatchString(t) && strings.Count(t, "[") == 1 {
		return "", strings.TrimSpace(t[1 : len(t)-1])
	}
	var ns []string
	spoken = inlineNoteRe.ReplaceAllStringFunc(line, func(m string) string {
		if factSlot.MatchString(m) {
			return m
		}
		inner := inlineNoteRe.FindStringSubmatch(m)[1]
		ns = append(ns, strings.TrimSpace(inner))
		return " "
	})
	if len(ns) == 0 {
		return line, ""
	}
	return strings.TrimRight(spoken, " "), strings.Join(ns, "; ")
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

// SpokenText is what the voice-over says: the hook, then every section's
// spoken lines. Notes are never part of it.
func SpokenText(hook string, sections []store.ScriptSection) string {
	parts := []string{}
	if strings.TrimSpace(hook) != "" {
		parts = append(parts, strings.TrimSpace(hook))
	}
	for _, s := range sections {
		if t := strings.Join(s.SpokenLines(), "\n\n"); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

// chapterWords are the heading above the chapters and the label of an
// unnamed section, by language.
var chapterWords = map[string][2]string{
	"en": {"Chapters", "Part %d"}, "es": {"Capítulos", "Parte %d"}, "pt": {"Capítulos", "Parte %d"},
	"fr": {"Chapitres", "Partie %d"}, "de": {"Kapitel", "Teil %d"}, "it": {"Capitoli", "Parte %d"},
}

// Chapters are the description's chapter lines timed from the script, as
// YouTube accepts them: the first at 0:00 (taking in the hook), at least
// three, each at least ten seconds long (a shorter section joins the
// chapter before it). None for Shorts, or when the script has too few
// parts; lang names unnamed sections.
func Chapters(hook string, sections []store.ScriptSection, lang string, shorts bool) []string {
	if shorts || len(sections) == 0 {
		return nil
	}
	words, ok := chapterWords[primaryLanguage(lang)]
	if !ok {
		words = chapterWords["en"]
	}
	type ch struct {
		at    int
		label string
	}
	var list []ch
	for i, s := range sections {
		label := strings.TrimSpace(s.Heading)
		if label == "" {
			label = fmt.Sprintf(words[1], i+1)
		}
		at := int(s.Start)
		if i == 0 {
			at = 0
		}
		// a chapter under ten seconds joins the one before it
		for len(list) > 1 && at-list[len(list)-1].at < MinChapterSeconds {
			list = list[:len(list)-1]
		}
		if len(list) > 0 && at-list[len(list)-1].at < MinChapterSeconds {
			continue // only the first chapter is left, and this section joins it
		}
		list = append(list, ch{at: at, label: label})
	}
	end := 0
	if n := len(sections); n > 0 {
		end = int(sections[n-1].Start + sections[n-1].Seconds)
	}
	for len(list) > 1 && end-list[len(list)-1].at < MinChapterSeconds {
		list = list[:len(list)-1]
	}
	if len(list) < MinChapters {
		return nil
	}
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = Clock(float64(c.at)) + " " + c.label
	}
	return out
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// Describe builds a description from a provider's text: its own chapter
// lines (and their heading) are replaced by Chapters timed from the script,
// so they match the voice-over; hashtag lines go last, runs of blank lines
// become one, and the whole fits YouTube's 5,000 characters.
func Describe(answer, hook string, sections []store.ScriptSection, lang string, shorts bool) string {
	var body, tags []string
	for _, line := range strings.Split(strings.ReplaceAll(answer, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if chapterRe.MatchString(line) || chapterHeadings[strings.ToLower(strings.Trim(t, "*#: "))] || chapterHeadings[strings.ToLower(strings.Trim(t, "*# "))] {
			continue
		}
		if hashtagOnly(t) {
			tags = append(tags, t)
			continue
		}
		body = append(body, strings.TrimRight(line, " \t"))
	}
	text := blankRuns.ReplaceAllString(strings.TrimSpace(strings.Join(body, "\n")), "\n\n")
	tail := ""
	if ch := Chapters(hook, sections, lang, shorts); len(ch) > 0 {
		words, ok := chapterWords[primaryLanguage(lang)]
		if !ok {
			words = chapterWords["en"]
		}
		tail += "\n\n" + words[0] + "\n" + strings.Join(ch, "\n")
	}
	if len(tags) > 0 {
		tail += "\n\n" + strings.Join(tags, " ")
	}
	room := maxDescription - utf8.RuneCountInString(tail)
	return strings.TrimSpace(truncateRunes(text, max(room, 0)) + tail)
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
// and empties, and keeps at most MaxTags within YouTube's 500 characters
// as YouTube counts them (TagChars).
func ParseTags(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		t = strings.TrimLeft(cleanLine(t), "#")
		t = strings.Join(strings.Fields(truncateRunes(t, 100)), " ")
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		if len(out) == MaxTags || TagChars(append(out, t)) > maxTags {
			break
		}
		seen[k] = true
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
