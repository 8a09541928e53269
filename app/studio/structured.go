package studio

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tubeagency/internal/store"
	"tubeagency/providers"
)

// Structured answers. Each step asks an AI provider for one JSON object
// with the fields the checklist judges, validates it against the rules of
// that step before accepting it (providers.Request.Validate), and the
// provider repairs a failing answer once with the list of failed rules
// (providers.Repair) before the router moves on to the next provider. The
// local templates answer in the plain-text shapes instead, which the steps
// still read.

// maxStructured caps the JSON answer a step decodes (a long-form script is
// about 10 KB).
const maxStructured = 256 << 10

// Errors of decodeObject.
var (
	errNoObject   = errors.New("no JSON object in the answer")
	errTooLarge   = fmt.Errorf("the answer is over the %d bytes a step reads", maxStructured)
	errEmptyField = errors.New("the JSON object lacks the fields asked for")
)

// decodeObject decodes the JSON object of a model's answer into v: the
// answer may wrap it in a ``` fence or a sentence. Answers over
// maxStructured are refused unread.
func decodeObject(text string, v any) error {
	if len(text) > maxStructured {
		return errTooLarge
	}
	t := strings.TrimSpace(text)
	if i := strings.Index(t, "```"); i >= 0 {
		rest := strings.TrimPrefix(strings.TrimPrefix(t[i+3:], "json"), "JSON")
		if j := strings.Index(rest, "```"); j >= 0 {
			rest = rest[:j]
		}
		t = rest
	}
	start, end := strings.IndexByte(t, '{'), strings.LastIndexByte(t, '}')
	if start < 0 || end < start {
		return errNoObject
	}
	if err := json.Unmarshal([]byte(t[start:end+1]), v); err != nil {
		return fmt.Errorf("the JSON object does not decode: %w", err)
	}
	return nil
}

type titlesJSON struct {
	Titles []string `json:"titles"`
}

type scriptJSON struct {
	Hook     string `json:"hook"`
	Sections []struct {
		Heading string   `json:"heading"`
		Spoken  []string `json:"spoken"`
		Notes   []string `json:"notes"`
	} `json:"sections"`
}

type descriptionJSON struct {
	Description string   `json:"description"`
	Hashtags    []string `json:"hashtags"`
}

type tagsJSON struct {
	Tags []string `json:"tags"`
}

type thumbnailJSON struct {
	Thumbnail string `json:"thumbnail"`
}

// decodeTitles reads {"titles": [...]}, cleaned like plain-text lines.
func decodeTitles(text string) ([]string, error) {
	var v titlesJSON
	if err := decodeObject(text, &v); err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range v.Titles {
		t = cleanLine(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, truncateWords(t, 100))
	}
	if len(out) == 0 {
		return nil, errEmptyField
	}
	return out, nil
}

// decodeScript reads {"hook", "sections": [{"heading", "spoken", "notes"}]}.
// A bracketed direction a model left in a spoken line moves to the notes.
func decodeScript(text string) (string, []store.ScriptSection, error) {
	var v scriptJSON
	if err := decodeObject(text, &v); err != nil {
		return "", nil, err
	}
	var out []store.ScriptSection
	for _, s := range v.Sections {
		sec := store.ScriptSection{Heading: truncateRunes(strings.TrimSpace(s.Heading), 200)}
		for _, line := range s.Spoken {
			spoken, note := splitNotes(line)
			if note != "" {
				sec.Notes = append(sec.Notes, note)
			}
			if spoken = strings.TrimSpace(spoken); spoken != "" {
				sec.Spoken = append(sec.Spoken, spoken)
			}
		}
		for _, n := range s.Notes {
			if n = strings.TrimSpace(n); n != "" {
				sec.Notes = append(sec.Notes, truncateRunes(n, 500))
			}
		}
		sec.Text = strings.Join(sec.Spoken, "\n\n")
		if sec.Text != "" {
			out = append(out, sec)
		}
	}
	hook := cleanLine(v.Hook)
	if len(out) == 0 {
		return "", nil, errEmptyField
	}
	return truncateRunes(hook, 2000), out, nil
}

// decodeDescription reads {"description", "hashtags"} as description text
// with the hashtags on its last line.
func decodeDescription(text string) (string, error) {
	var v descriptionJSON
	if err := decodeObject(text, &v); err != nil {
		return "", err
	}
	body := strings.TrimSpace(v.Description)
	if body == "" {
		return "", errEmptyField
	}
	var tags []string
	for _, h := range v.Hashtags {
		h = strings.Join(strings.Fields(h), "")
		if h = strings.TrimLeft(h, "#"); h != "" && !strings.Contains(body, "#"+h) {
			tags = append(tags, "#"+h)
		}
	}
	if len(tags) > 0 {
		body += "\n\n" + strings.Join(tags, " ")
	}
	return body, nil
}

// decodeTags reads {"tags": [...]} as ParseTags would read the list.
func decodeTags(text string) ([]string, error) {
	var v tagsJSON
	if err := decodeObject(text, &v); err != nil {
		return nil, err
	}
	tags := ParseTags(strings.Join(v.Tags, "\n"))
	if len(tags) == 0 {
		return nil, errEmptyField
	}
	return tags, nil
}

// decodeThumbnail reads {"thumbnail": "..."}.
func decodeThumbnail(text string) (string, error) {
	var v thumbnailJSON
	if err := decodeObject(text, &v); err != nil {
		return "", err
	}
	if t := ParseThumbnail(v.Thumbnail); t != "" {
		return t, nil
	}
	return "", errEmptyField
}

// invalid turns checklist problems into the answer's verdict.
func invalid(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &providers.Invalid{Problems: problems}
}

// validator is the Validate function of one step's structured request: it
// decodes the answer, puts it into a copy of the package and runs the rules
// of that step on it.
func (r *stepRun) validator(step string) func(text string) error {
	return func(text string) error {
		cand := r.p
		switch step {
		case StepTitles:
			titles, err := decodeTitles(text)
			if err != nil {
				return err
			}
			var ok int
			var problems []string
			for _, t := range titles {
				cand.Title = t
				if p := stepProblems(StepTitles, cand, r.ch); len(p) > 0 {
					problems = append(problems, fmt.Sprintf("title %q: %s", t, strings.Join(p, "; ")))
				} else {
					ok++
				}
			}
			if ok >= MinTitles {
				return nil // the failing options are dropped when scored
			}
			return invalid(append(problems, fmt.Sprintf("only %d of the titles pass; write at least %d that do", ok, MinTitles)))
		case StepScript:
			hook, sections, err := decodeScript(text)
			if err != nil {
				return err
			}
			Time(hook, sections, TargetFor(r.ch.Format).WordsPerMinute)
			cand.Content.Hook, cand.Content.Script = hook, sections
			cand.Content.WordsPerMinute = TargetFor(r.ch.Format).WordsPerMinute
		case StepDescription:
			body, err := decodeDescription(text)
			if err != nil {
				return err
			}
			cand.Content.Description = Describe(body, cand.Content.Hook, chapterTimed(cand.Content), r.ch.Language, r.ch.Format == store.FormatShorts)
		case StepTags:
			tags, err := decodeTags(text)
			if err != nil {
				return err
			}
			cand.Content.Tags = tags
		case StepThumbnail:
			thumb, err := decodeThumbnail(text)
			if err != nil {
				return err
			}
			cand.Content.Thumbnail = thumb
		}
		return invalid(stepProblems(step, cand, r.ch))
	}
}

// structured marks a request as asking for the JSON of step, validated
// against the checklist.
func (r *stepRun) structured(step string) func(*providers.Request) {
	return func(req *providers.Request) {
		req.JSON = true
		req.Validate = r.validator(step)
		req.System = systemJSON
	}
}

const systemJSON = "You are a YouTube strategist and scriptwriter. Answer with one JSON object in exactly the shape asked for, and nothing else."

// language names the channel's language for a prompt.
func (r *stepRun) language() string {
	l := primaryLanguage(r.ch.Language)
	if n, ok := languageNames[l]; ok {
		return n
	}
	return r.ch.Language
}

// jsonAsk is the part of a prompt that asks for a step's JSON and states the
// checklist rules its answer must pass.
func (r *stepRun) jsonAsk(step string) string {
	shorts := r.ch.Format == store.FormatShorts
	lang := r.language()
	switch step {
	case StepTitles:
		format := "It is a long-form video: never write #shorts or promise under a minute."
		if shorts {
			format = "It is a Short (under a minute): never promise minutes, hours or a complete guide."
		}
		return fmt.Sprintf(` Answer with {"titles": ["…", …]}: 8 titles in %s, each at most 100 characters, grammatical, not repeating a phrase, not carrying the audience description. %s Use a number only when it is true of the video.`, lang, format)
	case StepScript:
		tg := TargetFor(r.ch.Format)
		lo, hi := tg.MinSeconds*tg.WordsPerMinute/60, tg.MaxSeconds*tg.WordsPerMinute/60
		parts := "at least 4 sections, each long enough to be a chapter (over 10 seconds spoken)"
		if shorts {
			parts = "2 to 4 short sections"
		}
		return fmt.Sprintf(` Answer with {"hook": "…", "sections": [{"heading": "…", "spoken": ["paragraph", …], "notes": ["…"]}]} in %s, %s. "spoken" holds only what the narrator says to the viewer, between %d and %d words in all (aim for %d); directions for filming and on-screen text go in "notes", never in "spoken". Say every sentence once. No statistics, percentages or studies that are not given above.`, lang, parts, lo, hi, tg.Words)
	case StepDescription:
		chapters := "Do not write chapter timestamps: they are added from the script."
		return fmt.Sprintf(` Answer with {"description": "…", "hashtags": ["#…", "#…"]}: the description in %s, %d to %d words in short paragraphs with single blank lines between them; 2 or 3 hashtags naming the subject. %s No statistics that are not given above.`, lang, MinDescriptionWords, MaxDescriptionWords, chapters)
	case StepTags:
		return fmt.Sprintf(` Answer with {"tags": ["…", …]}: %d to %d tags in %s, each a search term of at most 6 words written the way people type it (subject first, "home cooking tutorial" not "tutorial home cooking"), under 450 characters in all, never the audience description, at most one with a year.`, MinTags, MaxTags, lang)
	case StepThumbnail:
		return fmt.Sprintf(` Answer with {"thumbnail": "…"}: 1 to 6 words in %s that say something the title does not.`, lang)
	}
	return ""
}
