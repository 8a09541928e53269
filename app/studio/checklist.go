package studio

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"tubeagency/internal/store"
)

// ChecklistVersion is the version of the rule set below. Raise it whenever
// a rule changes, so packages checked by an older rule set are checked
// again (Resume does it at start).
const ChecklistVersion = 1

// Limits the checklist enforces.
const (
	MinDescriptionWords = 120
	MaxDescriptionWords = 250
	MinHashtags         = 2
	MaxHashtags         = 3
	MinTags             = 10
	MaxTags             = 15
	MinChapters         = 3  // YouTube's minimum
	MinChapterSeconds   = 10 // YouTube's minimum
	maxTagWords         = 6
	maxTagChars         = 50
)

// Rule is one named pre-publish rule. Its check reads a package and says
// whether it passes and, when not, what was found and what to do.
type Rule struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Step is the studio step whose output the rule judges; an AI answer for
	// that step is validated against it before it is saved.
	Step  string `json:"step"`
	check func(v *view) (state, msg string)
}

var rules = []Rule{
	{ID: "script.length", Label: "Script length fits the format", Step: StepScript, check: checkScriptLength},
	{ID: "script.repeats", Label: "No sentence is said twice", Step: StepScript, check: checkRepeats},
	{ID: "script.directions", Label: "Spoken text has no stage directions", Step: StepScript, check: checkDirections},
	{ID: "script.statistics", Label: "No statistics nobody gave", Step: StepScript, check: checkStatistics},
	{ID: "script.facts", Label: "Marked facts are filled in", Step: StepScript, check: checkFacts},
	{ID: "script.language", Label: "Script in the channel's language", Step: StepScript, check: languageOf("script")},
	{ID: "chapters.valid", Label: "Chapters work on YouTube", Step: StepDescription, check: checkChapters},
	{ID: "description.length", Label: "Description of 120–250 words", Step: StepDescription, check: checkDescriptionLength},
	{ID: "description.hashtags", Label: "2–3 hashtags in the description", Step: StepDescription, check: checkHashtags},
	{ID: "description.spacing", Label: "No runs of blank lines in the description", Step: StepDescription, check: checkSpacing},
	{ID: "description.language", Label: "Description in the channel's language", Step: StepDescription, check: languageOf("description")},
	{ID: "tags.count", Label: "10–15 tags", Step: StepTags, check: checkTagCount},
	{ID: "tags.length", Label: "Tags within YouTube's 500 characters", Step: StepTags, check: checkTagLength},
	{ID: "tags.natural", Label: "Tags read the way people search", Step: StepTags, check: checkTagOrder},
	{ID: "tags.audience", Label: "No audience sentence glued onto tags", Step: StepTags, check: checkTagAudience},
	{ID: "tags.language", Label: "Tags in the channel's language", Step: StepTags, check: languageOf("tags")},
	{ID: "title.length", Label: "Title of at most 100 characters", Step: StepTitles, check: checkTitleLength},
	{ID: "title.format", Label: "Title matches the format", Step: StepTitles, check: checkTitleFormat},
	{ID: "title.grammar", Label: "Title reads correctly", Step: StepTitles, check: checkTitleGrammar},
	{ID: "title.language", Label: "Title in the channel's language", Step: StepTitles, check: languageOf("title")},
	{ID: "thumbnail.text", Label: "Thumbnail text of 1–6 words", Step: StepThumbnail, check: checkThumbnail},
	{ID: "thumbnail.language", Label: "Thumbnail text in the channel's language", Step: StepThumbnail, check: languageOf("thumbnail")},
}

// Rules lists the checklist's rules in the order they are shown.
func Rules() []Rule { return slices.Clone(rules) }

// RuleIDs lists the ids of the rules.
func RuleIDs() []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.ID
	}
	return out
}

// Check evaluates the checklist on p as published on ch, applying the
// overrides recorded on p.
func Check(p store.Package, ch store.Channel) store.Checklist {
	v := newView(p, ch)
	over := map[string]bool{}
	for _, o := range p.Content.Overrides {
		over[o.Rule] = true
	}
	out := store.Checklist{Version: ChecklistVersion, Passed: true, Items: make([]store.CheckItem, 0, len(rules))}
	for _, r := range rules {
		state, msg := r.check(v)
		if state == store.CheckFail && over[r.ID] {
			state = store.CheckOverridden
		}
		if state == store.CheckFail {
			out.Passed = false
		}
		out.Items = append(out.Items, store.CheckItem{Rule: r.ID, Label: r.Label, State: state, Message: msg})
	}
	return out
}

// stepProblems runs the rules of one step on p and returns the messages of
// those that fail, for a repair request. Overrides do not apply: a model's
// answer should pass on its own.
func stepProblems(step string, p store.Package, ch store.Channel) []string {
	v := newView(p, ch)
	var out []string
	for _, r := range rules {
		if r.Step != step {
			continue
		}
		if state, msg := r.check(v); state == store.CheckFail {
			out = append(out, r.Label+": "+msg)
		}
	}
	return out
}

// ---- the package as the rules read it ----

type chapter struct {
	at    int // seconds
	label string
	line  string
}

type view struct {
	p        store.Package
	ch       store.Channel
	lang     string
	shorts   bool
	target   Target
	wpm      int
	spoken   []string // hook, then every section's spoken lines
	notes    []string
	input    string // what the user typed: topic, niche, audience (numbers from here are theirs)
	desc     string
	body     string // the description without chapter lines, their heading and hashtags
	chapters []chapter
	hashtags []string
	seconds  float64 // the script's spoken length
}

var (
	chapterLineRe = regexp.MustCompile(`^\s*((?:\d+:)?\d{1,2}:\d{2})\s+(.*\S)\s*$`)
	hashtagRe     = regexp.MustCompile(`(?:^|[\s(])#([\p{L}\p{N}_]+)`)
)

// chapterHeadings are the words a description puts above its chapters.
var chapterHeadings = map[string]bool{"chapters": true, "chapters:": true, "capítulos": true, "capítulos:": true, "chapitres": true,
	"chapitres :": true, "chapitres:": true, "kapitel": true, "kapitel:": true, "capitoli": true, "capitoli:": true, "timestamps": true, "timestamps:": true}

func newView(p store.Package, ch store.Channel) *view {
	v := &view{p: p, ch: ch, lang: primaryLanguage(ch.Language), shorts: ch.Format == store.FormatShorts, target: TargetFor(ch.Format)}
	v.wpm = p.Content.WordsPerMinute
	if v.wpm <= 0 {
		v.wpm = v.target.WordsPerMinute
	}
	if h := strings.TrimSpace(p.Content.Hook); h != "" {
		v.spoken = append(v.spoken, h)
	}
	for _, s := range p.Content.Script {
		v.spoken = append(v.spoken, s.SpokenLines()...)
		v.notes = append(v.notes, s.Notes...)
	}
	v.seconds = float64(Words(strings.Join(v.spoken, " "))) * 60 / float64(v.wpm)
	v.input = strings.ToLower(strings.Join([]string{p.Topic, ch.Niche, ch.Audience}, " \n "))
	v.desc = p.Content.Description
	var body []string
	for _, line := range strings.Split(strings.ReplaceAll(v.desc, "\r\n", "\n"), "\n") {
		if m := chapterLineRe.FindStringSubmatch(line); m != nil {
			v.chapters = append(v.chapters, chapter{at: clockSeconds(m[1]), label: m[2], line: strings.TrimSpace(line)})
			continue
		}
		t := strings.TrimSpace(line)
		if chapterHeadings[strings.ToLower(t)] {
			continue
		}
		for _, m := range hashtagRe.FindAllStringSubmatch(line, -1) {
			v.hashtags = append(v.hashtags, strings.ToLower(m[1]))
		}
		if hashtagOnly(t) {
			continue
		}
		body = append(body, line)
	}
	v.body = strings.TrimSpace(strings.Join(body, "\n"))
	return v
}

func hashtagOnly(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	for _, w := range f {
		if !strings.HasPrefix(w, "#") {
			return false
		}
	}
	return true
}

func clockSeconds(s string) int {
	parts := strings.Split(s, ":")
	total := 0
	for _, p := range parts {
		n, _ := strconv.Atoi(p)
		total = total*60 + n
	}
	return total
}

// sentences splits text into sentences at . ! ? … followed by a space or
// the end; text inside a fact slot stays whole.
func sentences(text string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	runes := []rune(text)
	for i, r := range runes {
		cur.WriteRune(r)
		switch r {
		case '[':
			depth++
		case ']':
			depth = max(depth-1, 0)
		case '.', '!', '?', '…':
			if depth == 0 && (i == len(runes)-1 || unicode.IsSpace(runes[i+1])) {
				if s := strings.TrimSpace(cur.String()); s != "" {
					out = append(out, s)
				}
				cur.Reset()
			}
		case '\n':
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// normSentence is a sentence reduced to lower-case words, for comparing.
func normSentence(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

func quote(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		s = truncateWords(s, n) + "…"
	}
	return "“" + s + "”"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ---- script ----

func checkScriptLength(v *view) (string, string) {
	if len(v.spoken) == 0 {
		return store.CheckFail, "No script yet: run the script step."
	}
	words := Words(strings.Join(v.spoken, " "))
	minWords := v.target.MinSeconds * v.wpm / 60
	maxWords := v.target.MaxSeconds * v.wpm / 60
	kind := "A long-form video"
	if v.shorts {
		kind = "A Short"
	}
	switch {
	case v.seconds < float64(v.target.MinSeconds):
		return store.CheckFail, fmt.Sprintf("The script runs %s (%d words). %s needs %s–%s, about %d–%d words at %d words per minute: add about %d words.",
			Clock(v.seconds), words, kind, Clock(float64(v.target.MinSeconds)), Clock(float64(v.target.MaxSeconds)), minWords, maxWords, v.wpm, minWords-words)
	case v.seconds > float64(v.target.MaxSeconds):
		return store.CheckFail, fmt.Sprintf("The script runs %s (%d words). %s needs %s–%s, about %d–%d words at %d words per minute: cut about %d words.",
			Clock(v.seconds), words, kind, Clock(float64(v.target.MinSeconds)), Clock(float64(v.target.MaxSeconds)), minWords, maxWords, v.wpm, words-maxWords)
	}
	return store.CheckPass, ""
}

func checkRepeats(v *view) (string, string) {
	count := map[string]int{}
	first := map[string]string{}
	var order []string
	for _, line := range v.spoken {
		for _, s := range sentences(line) {
			k := normSentence(s)
			if len(strings.Fields(k)) < 4 {
				continue // "Let's go." twice is fine
			}
			if count[k] == 0 {
				first[k] = s
				order = append(order, k)
			}
			count[k]++
		}
	}
	var rep []string
	for _, k := range order {
		if count[k] > 1 {
			rep = append(rep, fmt.Sprintf("%s is said %d times", quote(first[k], 60), count[k]))
		}
	}
	if len(rep) == 0 {
		return store.CheckPass, ""
	}
	more := ""
	if len(rep) > 2 {
		more = fmt.Sprintf(" (and %d more)", len(rep)-2)
		rep = rep[:2]
	}
	return store.CheckFail, strings.Join(rep, "; ") + more + ": say each once."
}

// directionPhrases are words meant for the person filming, not for the
// viewer: some in any language, the rest by the channel's (English for a
// language without a list). directionStarts open a line addressed to the
// person filming.
var (
	directionPhrases = map[string][]string{
		"":   {"b-roll", "broll", "talking head", "voice-over", "voiceover", "jump cut", "lower third"},
		"en": {"on screen", "on-screen", "cut to", "cutaway", "close-up", "closeup", "zoom in", "zoom out", "camera angle", "each shot", "every shot", "each scene", "every scene", "pan to", "pan across"},
		"es": {"en pantalla", "cada plano", "primer plano", "plano corto", "plano general", "plano detalle", "voz en off", "toma de recurso", "explica cada", "resume los pasos"},
		"pt": {"na tela", "cada cena", "narração em off", "imagem de apoio", "explique cada", "resuma os passos"},
	}
	directionStarts = map[string][]string{
		"en": {"show", "film", "record", "insert", "display"},
		"es": {"muestra", "enseña", "graba", "inserta"},
		"pt": {"mostre", "grave", "insira"},
	}
	bracketDirection = regexp.MustCompile(`(?i)\(\s*(pause|beat|music|sfx|sound|b-roll|cut|broll|música|pausa|corte|transition|transición|transição)\b[^)]*\)`)
)

// factSlot is a place a template left for a fact only the creator knows.
var factSlot = regexp.MustCompile(`\[(?:FACT|DATO|DADO|FAIT|FAKT)\b[^\]]*\]`)

// isDirection reports whether a spoken sentence (fact slots removed) is
// meant for the person filming.
func isDirection(sentence, lang string) bool {
	if strings.Contains(sentence, "[") {
		return true // a bracket left once fact slots are gone is a note
	}
	if strings.Contains(sentence, "(") && bracketDirection.MatchString(sentence) {
		return true
	}
	l := strings.ToLower(sentence)
	if _, ok := directionPhrases[lang]; !ok {
		lang = "en"
	}
	for _, group := range []string{"", lang} {
		for _, p := range directionPhrases[group] {
			if hasPhrase(l, p) {
				return true
			}
		}
	}
	first := strings.TrimLeft(l, " \t\"“¿¡")
	for _, w := range directionStarts[lang] {
		if strings.HasPrefix(first, w) && (len(first) == len(w) || !unicode.IsLetter(rune(first[len(w)]))) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether phrase occurs in s between word boundaries.
func hasPhrase(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (start == 0 || !unicode.IsLetter(before)) && (end == len(s) || !unicode.IsLetter(after)) {
			return true
		}
		i = start + 1
	}
}

func checkDirections(v *view) (string, string) {
	var found []string
	for _, line := range v.spoken {
		probe := factSlot.ReplaceAllString(line, "")
		for _, s := range sentences(probe) {
			if isDirection(s, v.lang) {
				found = append(found, quote(s, 70))
			}
		}
	}
	if len(found) == 0 {
		return store.CheckPass, ""
	}
	return store.CheckFail, fmt.Sprintf("%s the person filming what to do, and the voice-over would read it aloud (%s): move it to the section's notes.",
		plural(len(found), "line tells", "lines tell"), strings.Join(found[:min(2, len(found))], "; "))
}

var statisticPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(\d+(?:[.,]\d+)?)\s*(%|per ?cent\b|por ciento\b|por cento\b)`),
	regexp.MustCompile(`(?i)\b(\d+)\s+(?:out of|in every|in|de cada|em cada|a cada)\s+\d+\s+\p{L}+`),
	regexp.MustCompile(`(?i)\b(\d+(?:[.,]\d+)?)\s*(?:x|times)\s+(?:more|less|faster|slower|better|likelier|more likely)\b`),
	regexp.MustCompile(`(?i)\b(studies|research|scientists|experts|surveys?|data) (shows?|says?|proves?|found|suggests?)\b`),
	regexp.MustCompile(`(?i)\b(los |las )?(estudios|investigaciones|expertos|científicos|encuestas) (muestran|demuestran|dicen|confirman)\b`),
	regexp.MustCompile(`(?i)\b(os |as )?(estudos|pesquisas|especialistas|cientistas) (mostram|comprovam|dizem|confirmam)\b`),
}

// statisticWords are the words the study patterns need, to skip them on
// text without any.
var statisticWords = []string{"stud", "research", "scien", "expert", "survey", "data", "estudi", "investigacion", "encuesta", "estudo",
	"pesquisa", "especialista", "cientista", "científic"}

func checkStatistics(v *view) (string, string) {
	var found []string
	texts := append(append([]string{}, v.spoken...), v.p.Title, v.body)
	for _, t := range texts {
		digits := strings.IndexFunc(t, unicode.IsDigit) >= 0
		lt := strings.ToLower(t)
		words := slices.ContainsFunc(statisticWords, func(w string) bool { return strings.Contains(lt, w) })
		for i, re := range statisticPatterns {
			if i < 3 && !digits || i >= 3 && !words {
				continue
			}
			for _, m := range re.FindAllStringSubmatch(t, -1) {
				claim := strings.ToLower(strings.TrimSpace(m[0]))
				if len(m) > 1 && m[1] != "" && unicode.IsDigit([]rune(m[1])[0]) && strings.Contains(v.input, strings.ToLower(m[1])) {
					continue // the user's own number
				}
				if strings.Contains(v.input, claim) {
					continue
				}
				found = append(found, quote(m[0], 50))
			}
		}
	}
	if len(found) == 0 {
		return store.CheckPass, ""
	}
	return store.CheckFail, fmt.Sprintf("%s a statistic or study nobody gave (%s): name the source in the script and override this rule, or remove it.",
		map[bool]string{true: "There is", false: fmt.Sprintf("There are %d places with", len(found))}[len(found) == 1], strings.Join(found[:min(3, len(found))], ", "))
}

func checkFacts(v *view) (string, string) {
	var slots []string
	for _, line := range v.spoken {
		slots = append(slots, factSlot.FindAllString(line, -1)...)
	}
	if len(slots) == 0 {
		return store.CheckPass, ""
	}
	return store.CheckFail, fmt.Sprintf("%s marked for you to fill in, such as %s: replace each with the fact (and say where it comes from).",
		plural(len(slots), "fact is", "facts are"), quote(slots[0], 80))
}

// ---- description ----

// englishChapterWords betray chapter labels left in English.
var englishChapterWords = regexp.MustCompile(`(?i)\b(intro|introduction|chapters|recap|outro|summary|conclusion|call to action|step|common mistakes|part)\b`)

func checkChapters(v *view) (string, string) {
	if v.shorts {
		if len(v.chapters) > 0 {
			return store.CheckFail, fmt.Sprintf("Shorts have no chapters: remove the %s (%s).", plural(len(v.chapters), "timestamp", "timestamps"), quote(v.chapters[0].line, 40))
		}
		return store.CheckNA, ""
	}
	if strings.TrimSpace(v.desc) == "" {
		return store.CheckFail, "No description yet: run the description step."
	}
	c := v.chapters
	switch {
	case len(c) == 0:
		return store.CheckFail, fmt.Sprintf("No chapters: YouTube needs at least %d, the first at 0:00, each at least %d seconds.", MinChapters, MinChapterSeconds)
	case c[0].at != 0:
		return store.CheckFail, fmt.Sprintf("The first chapter starts at %s: YouTube needs it at 0:00.", Clock(float64(c[0].at)))
	case len(c) < MinChapters:
		return store.CheckFail, fmt.Sprintf("Only %s: YouTube shows chapters only when there are at least %d.", plural(len(c), "chapter", "chapters"), MinChapters)
	}
	end := v.seconds
	if vo := v.p.Content.Voice; vo != nil && vo.Seconds > 0 {
		end = vo.Seconds
	}
	for i := range c {
		next := end
		if i+1 < len(c) {
			next = float64(c[i+1].at)
		}
		if i+1 < len(c) && c[i+1].at <= c[i].at {
			return store.CheckFail, fmt.Sprintf("%s comes after %s: chapters must go forward in time.", quote(c[i+1].line, 40), quote(c[i].line, 40))
		}
		if next-float64(c[i].at) < MinChapterSeconds && (i+1 < len(c) || end > 0) {
			return store.CheckFail, fmt.Sprintf("%s lasts %.0f seconds: YouTube needs every chapter to last at least %d seconds; merge it with its neighbour.",
				quote(c[i].line, 40), max(next-float64(c[i].at), 0), MinChapterSeconds)
		}
	}
	if v.lang != "en" {
		for _, ch := range c {
			if m := englishChapterWords.FindString(ch.label); m != "" {
				return store.CheckFail, fmt.Sprintf("Chapter %s is labelled in English (%q): write the labels in %s.", quote(ch.line, 40), m, languageName(v.lang))
			}
		}
		for _, line := range strings.Split(v.desc, "\n") {
			if t := strings.ToLower(strings.TrimSpace(line)); t == "chapters" || t == "chapters:" {
				return store.CheckFail, fmt.Sprintf("The heading above the chapters is in English (%q): write it in %s.", strings.TrimSpace(line), languageName(v.lang))
			}
		}
	}
	return store.CheckPass, ""
}

func checkDescriptionLength(v *view) (string, string) {
	if strings.TrimSpace(v.desc) == "" {
		return store.CheckFail, "No description yet: run the description step."
	}
	n := 0
	for _, w := range strings.Fields(v.body) {
		if !strings.HasPrefix(w, "#") {
			n++
		}
	}
	switch {
	case n < MinDescriptionWords:
		return store.CheckFail, fmt.Sprintf("The description has %d words (chapters and hashtags aside): write %d–%d, so search and viewers learn what the video covers.",
			n, MinDescriptionWords, MaxDescriptionWords)
	case n > MaxDescriptionWords:
		return store.CheckFail, fmt.Sprintf("The description has %d words (chapters and hashtags aside): keep it to %d–%d.", n, MinDescriptionWords, MaxDescriptionWords)
	}
	return store.CheckPass, ""
}

func checkHashtags(v *view) (string, string) {
	if strings.TrimSpace(v.desc) == "" {
		return store.CheckFail, "No description yet: run the description step."
	}
	uniq := slices.Compact(slices.Sorted(slices.Values(v.hashtags)))
	switch n := len(uniq); {
	case n < MinHashtags:
		return store.CheckFail, fmt.Sprintf("The description has %s: add %d–%d (YouTube shows the first three above the title).", plural(n, "hashtag", "hashtags"), MinHashtags, MaxHashtags)
	case n > MaxHashtags:
		return store.CheckFail, fmt.Sprintf("The description has %d hashtags: keep %d–%d, the ones that name the video's subject.", n, MinHashtags, MaxHashtags)
	}
	return store.CheckPass, ""
}

var blankRun = regexp.MustCompile(`\n[ \t]*\n[ \t]*\n`)

func checkSpacing(v *view) (string, string) {
	loc := blankRun.FindStringIndex(strings.ReplaceAll(v.desc, "\r\n", "\n"))
	if loc == nil {
		return store.CheckPass, ""
	}
	before := strings.TrimSpace(v.desc[:loc[0]])
	if i := strings.LastIndex(before, "\n"); i >= 0 {
		before = before[i+1:]
	}
	return store.CheckFail, fmt.Sprintf("The description has two or more blank lines in a row after %s: keep one between paragraphs.", quote(before, 40))
}

// ---- tags ----

func checkTagCount(v *view) (string, string) {
	switch n := len(v.p.Content.Tags); {
	case n == 0:
		return store.CheckFail, "No tags yet: run the tags step."
	case n < MinTags:
		return store.CheckFail, fmt.Sprintf("%s: add %d–%d, from the exact subject to broader searches.", plural(n, "tag", "tags"), MinTags-n, MaxTags-n)
	case n > MaxTags:
		return store.CheckFail, fmt.Sprintf("%d tags: keep the %d that describe this video best.", n, MaxTags)
	}
	return store.CheckPass, ""
}

// TagChars counts tags as YouTube does against its 500-character limit: a
// comma between tags, and quotes around a tag with a space.
func TagChars(tags []string) int {
	n := 0
	for i, t := range tags {
		n += utf8.RuneCountInString(t)
		if strings.ContainsRune(t, ' ') {
			n += 2
		}
		if i > 0 {
			n++
		}
	}
	return n
}

func checkTagLength(v *view) (string, string) {
	if len(v.p.Content.Tags) == 0 {
		return store.CheckFail, "No tags yet: run the tags step."
	}
	if n := TagChars(v.p.Content.Tags); n > maxTags {
		return store.CheckFail, fmt.Sprintf("The tags take %d of YouTube's %d characters (counting commas and the quotes around tags with spaces): drop the least specific.", n, maxTags)
	}
	return store.CheckPass, ""
}

// modifierFirst words read wrong at the start of an English tag:
// "tutorial home cooking" is searched as "home cooking tutorial".
var modifierFirst = map[string]bool{"tutorial": true, "guide": true, "tips": true, "explained": true, "basics": true, "ideas": true,
	"hacks": true, "review": true, "mistakes": true, "tricks": true, "shorts": false}

// linkedModifiers open Spanish and Portuguese tags, followed by a
// preposition: "consejos de cocina", not "consejos cocina".
var linkedModifiers = map[string]bool{"tutorial": true, "guía": true, "guia": true, "consejos": true, "dicas": true, "trucos": true,
	"truques": true, "ideas": true, "ideias": true, "errores": true, "erros": true, "básicos": true, "curso": true}

var linkWords = map[string]bool{"de": true, "del": true, "da": true, "do": true, "das": true, "dos": true, "para": true, "sobre": true,
	"em": true, "en": true, "con": true, "com": true, "y": true, "e": true}

var yearRe = regexp.MustCompile(`\b(19|20)\d\d\b`)

func checkTagOrder(v *view) (string, string) {
	tags := v.p.Content.Tags
	if len(tags) == 0 {
		return store.CheckFail, "No tags yet: run the tags step."
	}
	seen := map[string]bool{}
	years := 0
	for _, t := range tags {
		k := strings.ToLower(strings.Join(strings.Fields(t), " "))
		if seen[k] {
			return store.CheckFail, fmt.Sprintf("%s is there twice: keep one.", quote(t, 40))
		}
		seen[k] = true
		if yearRe.MatchString(t) {
			years++
		}
		w := strings.Fields(k)
		if len(w) < 2 {
			continue
		}
		switch v.lang {
		case "es", "pt":
			if linkedModifiers[w[0]] && !linkWords[w[1]] {
				return store.CheckFail, fmt.Sprintf("%s does not read the way people search: write %s.", quote(t, 40), quote(w[0]+" "+map[string]string{"es": "de", "pt": "de"}[v.lang]+" "+strings.Join(w[1:], " "), 40))
			}
		default:
			if modifierFirst[w[0]] {
				return store.CheckFail, fmt.Sprintf("%s does not read the way people search: write %s.", quote(t, 40), quote(strings.Join(w[1:], " ")+" "+w[0], 40))
			}
		}
	}
	if years > 1 {
		return store.CheckFail, fmt.Sprintf("%d tags carry a year: keep it on one at most, so the video does not look dated next year.", years)
	}
	return store.CheckPass, ""
}

func checkTagAudience(v *view) (string, string) {
	tags := v.p.Content.Tags
	if len(tags) == 0 {
		return store.CheckFail, "No tags yet: run the tags step."
	}
	aud := strings.ToLower(strings.Join(strings.Fields(v.ch.Audience), " "))
	for _, t := range tags {
		lt := strings.ToLower(t)
		if len(strings.Fields(aud)) >= 3 && strings.Contains(lt, aud) {
			return store.CheckFail, fmt.Sprintf("%s carries the channel's audience description: nobody searches for that; tag the subject alone.", quote(t, 50))
		}
		if len(strings.Fields(t)) > maxTagWords || utf8.RuneCountInString(t) > maxTagChars {
			return store.CheckFail, fmt.Sprintf("%s is a sentence, not a search term: keep tags to %d words and %d characters.", quote(t, 50), maxTagWords, maxTagChars)
		}
	}
	return store.CheckPass, ""
}

// ---- title ----

func checkTitleLength(v *view) (string, string) {
	t := strings.TrimSpace(v.p.Title)
	switch n := utf8.RuneCountInString(t); {
	case n == 0:
		return store.CheckFail, "No title yet: run the titles step or type one."
	case n > 100:
		return store.CheckFail, fmt.Sprintf("The title has %d characters: YouTube allows 100 (and shows about 70 in search).", n)
	}
	return store.CheckPass, ""
}

var (
	shortsTitleBad = regexp.MustCompile(`(?i)(\b\d+\s*(minutes?|mins?|minutos?|hours?|horas?|heures?|minuten|stunden)\b|\b(full|complete|ultimate) guide\b|\bdeep dive\b|\bguía completa\b|\bguia completo\b|\bcurso completo\b)`)
	longTitleBad   = regexp.MustCompile(`(?i)(#shorts?\b|\b(in|en|em) (60|30) (seconds|segundos)\b|\bunder a minute\b|\bmenos de un minuto\b|\bmenos de um minuto\b)`)
)

func checkTitleFormat(v *view) (string, string) {
	t := v.p.Title
	if strings.TrimSpace(t) == "" {
		return store.CheckFail, "No title yet: run the titles step or type one."
	}
	if v.shorts {
		if m := shortsTitleBad.FindString(t); m != "" {
			return store.CheckFail, fmt.Sprintf("A Short lasts under a minute, so %q in its title misleads viewers: promise what 60 seconds can show.", m)
		}
		return store.CheckPass, ""
	}
	if m := longTitleBad.FindString(t); m != "" {
		return store.CheckFail, fmt.Sprintf("%q belongs on a Short, and this is a long-form video: drop it.", m)
	}
	return store.CheckPass, ""
}

var (
	singularSubjectPlural = regexp.MustCompile(`(?i)\b(everyone|everybody|nobody|no one|someone|each)\s+(?:never\s+|always\s+|still\s+)?(tell|make|get|know|wish|learn|overlook|do|need|say|want)\b`)
	pluralSubjectSingular = regexp.MustCompile(`(?i)\b(most people|beginners|pros|experts|people|they|we|you|i)\s+(?:never\s+|always\s+|still\s+)?(tells|makes|gets|knows|wishes|learns|overlooks|does|needs|says|wants)\b`)
	youTellYou            = regexp.MustCompile(`(?i)\b(you|i)\b[^:|—(]*\b(tell|tells) (you|me)\b`)
	danglingEnd           = map[string]bool{"for": true, "of": true, "the": true, "and": true, "to": true, "with": true, "a": true, "an": true, "in": true,
		"on": true, "de": true, "para": true, "con": true, "y": true, "e": true, "com": true, "em": true, "do": true, "da": true, "del": true, "el": true, "la": true, "o": true}
)

func checkTitleGrammar(v *view) (string, string) {
	t := strings.TrimSpace(v.p.Title)
	if t == "" {
		return store.CheckFail, "No title yet: run the titles step or type one."
	}
	if msg := titleGrammar(t, v.lang, v.ch.Audience); msg != "" {
		return store.CheckFail, msg
	}
	return store.CheckPass, ""
}

// titleGrammar returns what reads wrong in title, empty when nothing does.
func titleGrammar(t, lang, audience string) string {
	lt := strings.ToLower(t)
	if lang == "en" {
		if m := singularSubjectPlural.FindString(t); m != "" {
			return fmt.Sprintf("%q: the verb does not agree with its subject (everyone tells, most people tell).", m)
		}
		if m := pluralSubjectSingular.FindString(t); m != "" {
			return fmt.Sprintf("%q: the verb does not agree with its subject (everyone tells, most people tell).", m)
		}
		if m := youTellYou.FindString(t); m != "" {
			return fmt.Sprintf("%q does not make sense: who tells whom?", m)
		}
	}
	words := strings.FieldsFunc(lt, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
	for i := 1; i < len(words); i++ {
		if words[i] == words[i-1] && !unicode.IsDigit([]rune(words[i])[0]) {
			return fmt.Sprintf("%q is written twice in a row.", words[i])
		}
	}
	// the same two-word phrase twice: "Why Personal Finance Matters in Personal Finance"
	pairs := map[string]bool{}
	for i := 1; i < len(words); i++ {
		if stopwordIndex[words[i-1]] != nil || stopwordIndex[words[i]] != nil {
			continue
		}
		p := words[i-1] + " " + words[i]
		if pairs[p] {
			return fmt.Sprintf("%q appears twice: say it once.", p)
		}
		pairs[p] = true
	}
	aud := strings.ToLower(strings.Join(strings.Fields(audience), " "))
	if len(strings.Fields(aud)) >= 4 && strings.Contains(lt, aud) {
		return "The title carries the channel's whole audience description: name the viewer in two or three words, or not at all."
	}
	if len(words) > 0 && danglingEnd[words[len(words)-1]] && !strings.HasSuffix(t, "?") {
		return fmt.Sprintf("The title ends on %q, as if cut off.", words[len(words)-1])
	}
	if strings.Count(t, "(") != strings.Count(t, ")") || strings.Count(t, "[") != strings.Count(t, "]") {
		return "A bracket in the title is not closed."
	}
	if strings.HasSuffix(t, ":") || strings.HasSuffix(t, "—") || strings.HasSuffix(t, "|") || strings.HasSuffix(t, "-") {
		return "The title ends on a separator, as if cut off."
	}
	return ""
}

// ---- thumbnail ----

func checkThumbnail(v *view) (string, string) {
	t := strings.TrimSpace(v.p.Content.Thumbnail)
	n := len(strings.Fields(t))
	switch {
	case n == 0:
		return store.CheckFail, "No thumbnail text yet: run the thumbnail step or type one."
	case n > maxThumbWords:
		return store.CheckFail, fmt.Sprintf("The thumbnail text has %d words: at most %d read at a glance on a phone.", n, maxThumbWords)
	case strings.EqualFold(t, strings.TrimSpace(v.p.Title)):
		return store.CheckFail, "The thumbnail repeats the title word for word: say something the title does not."
	}
	return store.CheckPass, ""
}

// ---- language ----

// languageOf checks that one field is not written in another language than
// the channel's. Fields too short or too plain to tell pass.
func languageOf(field string) func(v *view) (string, string) {
	return func(v *view) (string, string) {
		var text string
		min := 2
		switch field {
		case "script":
			text, min = strings.Join(v.spoken, " "), 6
		case "description":
			text = v.body
			for _, c := range v.chapters {
				text += "\n" + c.label
			}
			min = 4
		case "tags":
			text = strings.Join(v.p.Content.Tags, " , ")
			min = 3
		case "title":
			text = v.p.Title
		case "thumbnail":
			text = v.p.Content.Thumbnail
		}
		if strings.TrimSpace(text) == "" {
			return store.CheckNA, ""
		}
		got, sure := detectLanguage(text, min)
		if sure && got != v.lang {
			return store.CheckFail, fmt.Sprintf("The %s reads as %s, and the channel is in %s: write it in %s.", field, languageName(got), languageName(v.lang), languageName(v.lang))
		}
		return store.CheckPass, ""
	}
}
