package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tubeagency/internal/store"
)

func TestParseScript(t *testing.T) {
	scenarios := []struct {
		name     string
		in       string
		hook     string
		headings []string
	}{
		{name: "documented shape", in: "HOOK: Wait.\n## One\nA b c.\n## Two\nD e.", hook: "Wait.", headings: []string{"One", "Two"}},
		{name: "bold hook and deeper headings", in: "**HOOK:** \"Look here\"\n\n### **Intro**\nText\n#### Outro\nMore", hook: "Look here", headings: []string{"Intro", "Outro"}},
		{name: "text before any heading", in: "Hook: hi\nSome opening words.\n## Main\nBody", hook: "hi", headings: []string{"Opening", "Main"}},
		{name: "empty sections dropped", in: "## Empty\n\n## Full\nwords", headings: []string{"Full"}},
		{name: "windows line ends", in: "HOOK: x\r\n## A\r\ny\r\n", hook: "x", headings: []string{"A"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			hook, secs := ParseScript(sc.in)
			var heads []string
			for _, s := range secs {
				heads = append(heads, s.Heading)
				if s.Text == "" {
					t.Errorf("section %q has no text", s.Heading)
				}
			}
			if hook != sc.hook || strings.Join(heads, "|") != strings.Join(sc.headings, "|") {
				t.Fatalf("hook %q headings %q, want %q %q", hook, heads, sc.hook, sc.headings)
			}
		})
	}
}

func TestParseTagsAndThumbnail(t *testing.T) {
	var parts []string
	for i := range 8 {
		parts = append(parts, fmt.Sprintf("%d%s", i, strings.Repeat("x", 98)))
	}
	many := strings.Join(parts, ",")
	scenarios := []struct {
		name string
		in   string
		want int
	}{
		{name: "commas", in: "a, b, c", want: 3},
		{name: "lines and hashes", in: "#a\n#b\n- c", want: 3},
		{name: "duplicates ignoring case", in: "Coffee, coffee, COFFEE", want: 1},
		{name: "500 character budget", in: many, want: 5},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if got := ParseTags(sc.in); len(got) != sc.want {
				t.Fatalf("%q → %q, want %d tags", sc.in, got, sc.want)
			}
		})
	}
	if got := ParseThumbnail("\n\n1. \"One two three four five six seven\"\nsecond"); got != "One two three four five six" {
		t.Fatalf("thumbnail %q", got)
	}
}

func TestDescribeTimesChaptersFromTheScript(t *testing.T) {
	secs := []store.ScriptSection{{Heading: "A", Text: strings.Repeat("w ", 150)}, {Heading: "B", Text: strings.Repeat("w ", 20)},
		{Heading: "C", Text: strings.Repeat("w ", 300)}, {Heading: "", Text: strings.Repeat("w ", 100)}, {Heading: "E", Text: "w w"}}
	Time("hook words here", secs, 150)
	d := Describe("Intro text\n\n\n\n#one #two\n0:00 Bogus\n0:30 Bogus two\nChapters:", "hook words here", secs, "en", false)
	// B (8 s) joins A; E (under a second) joins the unnamed part; the hook
	// is inside the first chapter, which starts at 0:00.
	want := "Intro text\n\nChapters\n0:00 A\n1:09 C\n3:09 Part 4\n\n#one #two"
	if d != want {
		t.Fatalf("description:\n%s\nwant:\n%s", d, want)
	}
	if es := Describe("Texto", "hook words here", secs, "es-MX", false); !strings.Contains(es, "\n\nCapítulos\n0:00 A\n") || !strings.Contains(es, "Parte 4") {
		t.Fatalf("spanish chapters:\n%s", es)
	}
	if sh := Describe("Text\n0:00 Intro\n0:15 More", "hook", secs, "en", true); sh != "Text" {
		t.Fatalf("a Short got chapters: %q", sh)
	}
	if few := Describe("Text", "", secs[:2], "en", false); few != "Text" {
		t.Fatalf("fewer than three chapters were written: %q", few)
	}
	huge := Describe(strings.Repeat("y", 6000), "", secs, "en", false)
	if n := len([]rune(huge)); n > 5000 || !strings.HasSuffix(huge, "Part 4") {
		t.Fatalf("description of %d characters, or chapters cut", n)
	}
	if Clock(3725) != "1:02:05" || Clock(65) != "1:05" {
		t.Fatal("clock format")
	}
}

func TestHeuristicScorer(t *testing.T) {
	scenarios := []struct {
		title   string
		atLeast float64
		atMost  float64
		feature string
	}{
		{title: "7 espresso mistakes nobody tells you about (fix them fast)", atLeast: 75, feature: "has a number"},
		{title: "coffee", atMost: 50, feature: "short"},
		{title: "WHY YOUR ESPRESSO TASTES BAD AND HOW TO FIX IT FOREVER", atMost: 75, feature: "mostly capitals"},
		{title: strings.Repeat("very long title ", 6), atMost: 40, feature: "longer than 70 characters: cut off in search"},
	}
	for _, sc := range scenarios {
		t.Run(sc.title, func(t *testing.T) {
			s, err := HeuristicScorer{}.ScoreTitle(context.Background(), "c", sc.title, "")
			if err != nil {
				t.Fatal(err)
			}
			if sc.atLeast > 0 && s.Value < sc.atLeast || sc.atMost > 0 && s.Value > sc.atMost {
				t.Fatalf("score %v outside [%v, %v] (%v)", s.Value, sc.atLeast, sc.atMost, s.Features)
			}
			found := false
			for _, f := range s.Features {
				found = found || f == sc.feature
			}
			if !found {
				t.Fatalf("features %v lack %q", s.Features, sc.feature)
			}
		})
	}
}

func TestExportMarkdownAndJSON(t *testing.T) {
	p := store.Package{Meta: store.Meta{ID: "p1"}, Topic: "grinders", Title: "Best | grinder", Status: store.StatusReady,
		Content: store.PackageContent{Titles: []store.TitleOption{{Text: "Best | grinder", Score: 81}}, Hook: "Listen.",
			Script: []store.ScriptSection{{Heading: "Part", Text: "Words here.", Notes: []string{"Show the grinder"}, Start: 1, Seconds: 2}}, WordsPerMinute: 150,
			Description: "Desc", Tags: []string{"a", "b"}, Thumbnail: "Big text", Voice: &store.Voice{File: "p1.wav", Engine: "espeak-ng", Seconds: 3},
			Overrides: []store.Override{{Rule: "tags.count", Reason: "two tags are enough here"}}}}
	p.Content.Steps = map[string]store.StepState{}
	for _, st := range Steps {
		p.Content.Steps[st] = store.StepState{Status: StateDone}
	}
	e := ExportOf(p, store.Channel{Name: "Crema", Format: store.FormatLong, Language: "en"})
	md := e.Markdown()
	// The stored "ready" is not what the checklist says: the export says outline, and why.
	if e.Status != store.StatusOutline || e.Checklist.Passed {
		t.Fatalf("export status %q, checklist passed %v", e.Status, e.Checklist.Passed)
	}
	for _, want := range []string{"# Best | grinder", "| 81 | Best \\| grinder |", "**Hook (0:00):** Listen.", "### Part (0:00, 1 s)", "## Tags\n\na, b",
		"p1.wav, 0:03 (espeak-ng)", "- Status: outline (", "## Checklist", "- [ ] Script length fits the format: The script runs 0:01",
		"- [x] 10–15 tags (overridden: two tags are enough here)", "> Note (not spoken): Show the grinder"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	b, err := e.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Export
	if err := json.Unmarshal(b, &back); err != nil || back.Title != p.Title || len(back.Script) != 1 || back.Voice.File != "p1.wav" {
		t.Fatalf("json round trip: %+v %v", back, err)
	}
	empty, _ := ExportOf(store.Package{}, store.Channel{}).JSON()
	if strings.Contains(string(empty), "null") {
		t.Fatalf("empty export has nulls: %s", empty)
	}
}

func TestTruncateWords(t *testing.T) {
	scenarios := []struct {
		in   string
		n    int
		want string
	}{
		{"short title", 100, "short title"},
		{"Ranked From Useless To Essential (vertical, Under 60 Seconds)", 45, "Ranked From Useless To Essential"},
		{"Alpha beta gamma | delta epsilon zeta", 20, "Alpha beta gamma"},
		{"Supercalifragilisticexpialidocious", 10, "Supercalif"},
	}
	for _, sc := range scenarios {
		got := truncateWords(sc.in, sc.n)
		if got != sc.want || len([]rune(got)) > sc.n {
			t.Errorf("truncateWords(%q, %d) = %q, want %q", sc.in, sc.n, got, sc.want)
		}
	}
}
