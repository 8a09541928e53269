package studio

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"tubeagency/internal/store"
)

// fixture is a package that passes every rule: an English long-form video
// (or a Short) about meal prep with a full script, chapters timed from it, a
// 150-word description with two hashtags, twelve tags, a title and
// thumbnail text.
func fixture(format string) (store.Package, store.Channel) {
	ch := store.Channel{Meta: store.Meta{ID: "ch"}, Name: "Crumb", Niche: "home cooking", Language: "en", Audience: "busy parents who cook for their kids",
		Format: format}
	sentences, perSection := 20, 5
	if format == store.FormatShorts {
		sentences, perSection = 3, 3
	}
	var script []store.ScriptSection
	n := 0
	for s, h := range []string{"Plan the week", "Shop once", "Cook in batches", "Store it well", "Eat it up"}[:perSection] {
		var b []string
		for range sentences {
			n++
			b = append(b, fmt.Sprintf("Batch %d of the plan keeps the kitchen calm on a busy evening.", n))
		}
		script = append(script, store.ScriptSection{Heading: h, Text: strings.Join(b, " ")})
		_ = s
	}
	wpm := TargetFor(format).WordsPerMinute
	hook := "Meal prep gets easier once you plan the week."
	Time(hook, script, wpm)
	body := strings.TrimSpace(strings.Repeat("This video shows how to plan, shop and cook for the week without stress. ", 10))
	desc := Describe(body+"\n\n#mealprep #homecooking", hook, script, "en", format == store.FormatShorts)
	steps := map[string]store.StepState{}
	for _, s := range Steps {
		steps[s] = store.StepState{Status: StateDone}
	}
	p := store.Package{Meta: store.Meta{ID: "p"}, ChannelID: ch.ID, Topic: "meal prep", Title: "Meal Prep for Busy Parents: The Practical Guide",
		Content: store.PackageContent{Hook: hook, Script: script, WordsPerMinute: wpm, Description: desc,
			Tags: []string{"meal prep", "meal prep for beginners", "meal prep tips", "weekly meal prep", "batch cooking", "home cooking",
				"cooking for beginners", "easy recipes", "kitchen tips", "meal ideas", "healthy meal prep", "meal prep 2026"},
			Thumbnail: "MEAL PREP, SIMPLIFIED", Steps: steps}}
	return p, ch
}

func state(c store.Checklist, rule string) store.CheckItem {
	for _, it := range c.Items {
		if it.Rule == rule {
			return it
		}
	}
	return store.CheckItem{}
}

func TestFixturePassesEveryRule(t *testing.T) {
	for _, format := range []string{store.FormatLong, store.FormatShorts} {
		p, ch := fixture(format)
		c := Check(p, ch)
		if !c.Passed {
			t.Fatalf("%s fixture fails:\n%s", format, missing(store.Package{Content: store.PackageContent{Checklist: &c}}))
		}
		if len(c.Items) != len(Rules()) || c.Version != ChecklistVersion {
			t.Fatalf("%d items, version %d", len(c.Items), c.Version)
		}
		Settle(&p, ch)
		if p.Status != store.StatusReady {
			t.Fatalf("%s fixture settles as %s", format, p.Status)
		}
	}
}

// TestEachRuleFailsAndPasses gives every rule a fixture it fails (with the
// message a user reads) and one it passes, each a small change to a package
// that passes everything.
func TestEachRuleFailsAndPasses(t *testing.T) {
	long, shorts := store.FormatLong, store.FormatShorts
	scenarios := []struct {
		rule   string
		format string
		lang   string
		edit   func(p *store.Package, ch *store.Channel)
		fail   bool
		msg    string // part of the message when it fails
	}{
		{"script.length", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Script = p.Content.Script[:1] }, true, "add about"},
		{"script.length", shorts, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Text += strings.Repeat(" more words here", 30)
		}, true, "cut about"},
		{"script.length", long, "", func(p *store.Package, ch *store.Channel) {}, false, ""},
		{"script.repeats", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[2].Text += " Batch 3 of the plan keeps the kitchen calm on a busy evening."
		}, true, "is said 2 times"},
		{"script.repeats", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Script[2].Text += " Let's go. Let's go." }, false, ""},
		{"script.directions", shorts, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Text += " Show your hands doing the step, not a talking head."
		}, true, "move it to the section's notes"},
		{"script.directions", shorts, "", func(p *store.Package, ch *store.Channel) { p.Content.Script[1].Text += " [Cut to the fridge]" }, true, "Cut to the fridge"},
		{"script.directions", shorts, "pt", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[1].Text += " Explique cada passo com um exemplo na tela."
		}, true, "na tela"},
		{"script.directions", shorts, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Notes = []string{"On screen: the shopping list"} // notes are never spoken
			p.Content.Script[1].Text += " Show your family the plan on the fridge."
		}, true, "Show your family"},
		{"script.directions", shorts, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Notes = []string{"On screen: the shopping list"}
		}, false, ""},
		{"script.statistics", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Hook = "88% of busy parents get meal prep wrong."
		}, true, "88%"},
		{"script.statistics", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[1].Text += " Studies show that planning saves money."
		}, true, "Studies show"},
		{"script.statistics", long, "", func(p *store.Package, ch *store.Channel) {
			p.Topic = "why 88% of meal plans fail"
			p.Content.Hook = "88% of meal plans fail, and here is why."
		}, false, ""},
		{"script.facts", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Text += " [FACT: how long cooked rice keeps in the fridge, with a source]"
		}, true, "1 fact is marked"},
		{"script.facts", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Text += " Cooked rice keeps for four days in the fridge, says the food safety agency."
		}, false, ""},
		{"script.language", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Script[0].Text += " Esto es lo que pasa cuando no hay un plan y todo se hace con prisa en la cocina."
			for i := range p.Content.Script {
				p.Content.Script[i].Text = strings.ReplaceAll(p.Content.Script[i].Text, "of the plan keeps the kitchen calm on a busy evening", "del plan deja la cocina en calma por la tarde")
			}
		}, true, "reads as Spanish"},
		{"chapters.valid", shorts, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = "0:00 Intro\n0:20 Tip\n" + p.Content.Description
		}, true, "Shorts have no chapters"},
		{"chapters.valid", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.Replace(p.Content.Description, "0:00 Plan the week", "0:05 Plan the week", 1)
		}, true, "needs it at 0:00"},
		{"chapters.valid", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.Replace(p.Content.Description, "0:00 Plan the week", "0:00 Intro\n0:04 Plan the week", 1)
		}, true, "lasts 4 seconds"},
		{"chapters.valid", long, "", func(p *store.Package, ch *store.Channel) {
			lines := strings.Split(p.Content.Description, "\n")
			var keep []string
			for _, l := range lines {
				if !chapterLineRe.MatchString(l) || strings.HasPrefix(l, "0:00") || strings.Contains(l, "Shop once") {
					keep = append(keep, l)
				}
			}
			p.Content.Description = strings.Join(keep, "\n")
		}, true, "at least 3"},
		{"chapters.valid", long, "es", func(p *store.Package, ch *store.Channel) {}, true, "is in English"},
		{"chapters.valid", long, "es", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.Replace(p.Content.Description, "Chapters", "Capítulos", 1)
			p.Content.Description = strings.Replace(p.Content.Description, "Shop once", "Step 2", 1)
		}, true, "labelled in English"},
		{"chapters.valid", long, "es", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.NewReplacer("Chapters", "Capítulos", "Plan the week", "Planifica la semana", "Shop once", "Compra una vez",
				"Cook in batches", "Cocina por lotes", "Store it well", "Guárdalo bien", "Eat it up", "A comer").Replace(p.Content.Description)
		}, false, ""},
		{"chapters.valid", shorts, "", func(p *store.Package, ch *store.Channel) {}, false, ""},
		{"description.length", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = Describe("A short note. #mealprep #homecooking", p.Content.Hook, p.Content.Script, "en", false)
		}, true, "has 3 words"},
		{"description.length", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.Repeat("word ", 300) + "\n#mealprep #homecooking"
		}, true, "has 300 words"},
		{"description.hashtags", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.ReplaceAll(p.Content.Description, "#mealprep #homecooking", "#mealprep")
		}, true, "1 hashtag"},
		{"description.hashtags", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description += " #a #b #c"
		}, true, "5 hashtags"},
		{"description.hashtags", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Description += " #dinner" }, false, ""},
		{"description.spacing", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.Replace(p.Content.Description, "\n\n", "\n\n\n\n", 1)
		}, true, "blank lines in a row"},
		{"description.language", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Description = strings.Repeat("Este vídeo muestra cómo planificar la semana y cocinar sin prisa. ", 12) + "\n#mealprep #homecooking"
		}, true, "reads as Spanish"},
		{"tags.count", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Tags = p.Content.Tags[:4] }, true, "4 tags"},
		{"tags.count", long, "", func(p *store.Package, ch *store.Channel) {
			for i := range 6 {
				p.Content.Tags = append(p.Content.Tags, fmt.Sprintf("extra tag %d", i))
			}
		}, true, "18 tags"},
		{"tags.length", long, "", func(p *store.Package, ch *store.Channel) {
			for i := range p.Content.Tags {
				p.Content.Tags[i] = fmt.Sprintf("very long meal prep tag number %d for search", i)
			}
		}, true, "of YouTube's 500"},
		{"tags.natural", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Tags[2] = "tutorial home cooking" }, true, "home cooking tutorial"},
		{"tags.natural", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Tags[3] = "Meal Prep" }, true, "twice"},
		{"tags.natural", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Tags[4] = "batch cooking 2026" }, true, "carry a year"},
		{"tags.natural", long, "es", func(p *store.Package, ch *store.Channel) { p.Content.Tags[2] = "consejos cocina" }, true, "consejos de cocina"},
		{"tags.natural", long, "es", func(p *store.Package, ch *store.Channel) { p.Content.Tags[2] = "consejos de cocina" }, false, ""},
		{"tags.audience", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Tags[1] = "meal prep for busy parents who cook for their kids"
		}, true, "audience description"},
		{"tags.audience", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Tags[1] = "meal prep for busy parents" }, false, ""},
		{"tags.language", long, "", func(p *store.Package, ch *store.Channel) {
			p.Content.Tags = []string{"comida para la semana", "cómo cocinar con poco tiempo", "recetas de la abuela", "cocina en casa", "ideas para el táper",
				"comer bien sin prisa", "cocina de la semana", "platos para los niños", "recetas con arroz", "la cena de hoy"}
		}, true, "reads as Spanish"},
		{"title.length", long, "", func(p *store.Package, ch *store.Channel) { p.Title = strings.Repeat("Meal prep ", 11) }, true, "characters: YouTube allows 100"},
		{"title.length", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "" }, true, "No title yet"},
		{"title.format", shorts, "", func(p *store.Package, ch *store.Channel) { p.Title = "Meal Prep Explained in 9 Minutes" }, true, "9 Minutes"},
		{"title.format", shorts, "", func(p *store.Package, ch *store.Channel) { p.Title = "Meal Prep: The Complete Guide" }, true, "Complete Guide"},
		{"title.format", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "Meal Prep Tips #shorts" }, true, "#shorts"},
		{"title.format", shorts, "", func(p *store.Package, ch *store.Channel) { p.Title = "One Meal Prep Fix #shorts" }, false, ""},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "3 Things You Never Tell You" }, true, "who tells whom"},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "Meal Prep: Things Everyone Never Tell You" }, true, "does not agree"},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) {
			p.Title = "Why Home Cooking Still Matters in Home Cooking"
		}, true, "appears twice"},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) {
			p.Title = "8 Genius Meal Prep Ideas for Busy Parents Who Cook for Their Kids"
		}, true, "whole audience description"},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "The Meal Prep Guide for" }, true, "as if cut off"},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "Meal Prep (the Easy Way" }, true, "not closed"},
		{"title.grammar", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "Meal Prep: Things Everyone Tells You" }, false, ""},
		{"title.language", long, "", func(p *store.Package, ch *store.Channel) { p.Title = "Cómo hacer el meal prep de la semana" }, true, "reads as Spanish"},
		{"title.language", long, "fr", func(p *store.Package, ch *store.Channel) { p.Title = "Why Meal Prep Is Worth It for You" }, true, "reads as English"},
		{"thumbnail.text", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Thumbnail = "ONE TWO THREE FOUR FIVE SIX SEVEN" }, true, "7 words"},
		{"thumbnail.text", long, "", func(p *store.Package, ch *store.Channel) {
			p.Title = "Meal Prep, Simplified"
		}, true, "repeats the title"},
		{"thumbnail.language", long, "", func(p *store.Package, ch *store.Channel) { p.Content.Thumbnail = "LO QUE NADIE TE DICE" }, true, "reads as Spanish"},
		{"thumbnail.language", long, "es", func(p *store.Package, ch *store.Channel) { p.Content.Thumbnail = "LO QUE NADIE TE DICE" }, false, ""},
	}
	seen := map[string][2]bool{}
	for i, sc := range scenarios {
		t.Run(fmt.Sprintf("%02d_%s", i, sc.rule), func(t *testing.T) {
			p, ch := fixture(sc.format)
			if sc.lang != "" {
				ch.Language = sc.lang
			}
			sc.edit(&p, &ch)
			c := Check(p, ch)
			it := state(c, sc.rule)
			if it.Rule == "" {
				t.Fatalf("no item for %s", sc.rule)
			}
			switch {
			case sc.fail && it.State != store.CheckFail:
				t.Fatalf("%s is %s, want fail", sc.rule, it.State)
			case sc.fail && !strings.Contains(it.Message, sc.msg):
				t.Fatalf("%s message %q lacks %q", sc.rule, it.Message, sc.msg)
			case !sc.fail && it.State == store.CheckFail:
				t.Fatalf("%s fails: %s", sc.rule, it.Message)
			}
			if sc.fail {
				// the user may publish anyway: the override is kept and counts
				p.Content.Overrides = append(p.Content.Overrides, store.Override{Rule: sc.rule, Reason: "I know", At: 1})
				if got := state(Check(p, ch), sc.rule); got.State != store.CheckOverridden {
					t.Fatalf("override of %s: %s", sc.rule, got.State)
				}
			}
		})
		s := seen[sc.rule]
		if sc.fail {
			s[0] = true
		} else {
			s[1] = true
		}
		seen[sc.rule] = s
	}
	// every rule has a failing fixture here; the passing one is the fixture
	// itself (TestFixturePassesEveryRule) or an edit above
	for _, id := range RuleIDs() {
		if !seen[id][0] {
			t.Errorf("rule %s has no failing fixture", id)
		}
	}
}

// TestStatusFollowsTheChecklist: ready needs every step done and the
// checklist passed (or overridden); an unfinished package keeps its
// progress status; published stays published.
func TestStatusFollowsTheChecklist(t *testing.T) {
	p, ch := fixture(store.FormatLong)
	Settle(&p, ch)
	if p.Status != store.StatusReady {
		t.Fatalf("status %s", p.Status)
	}
	p.Content.Tags = p.Content.Tags[:3]
	Settle(&p, ch)
	if p.Status != store.StatusOutline || !slices.ContainsFunc(p.Content.Checklist.Missing(), func(it store.CheckItem) bool { return it.Rule == "tags.count" }) {
		t.Fatalf("status %s, missing %v", p.Status, p.Content.Checklist.Missing())
	}
	p.Content.Steps[StepVoice] = store.StepState{Status: StatePending}
	Settle(&p, ch)
	if p.Status != store.StatusScripted {
		t.Fatalf("a package with a pending step is %s", p.Status)
	}
	p.Status = store.StatusPublished
	Settle(&p, ch)
	if p.Status != store.StatusPublished {
		t.Fatalf("published became %s", p.Status)
	}
	// an old package, written before Spoken existed: its text reads as spoken
	old := store.ScriptSection{Heading: "Old", Text: "First line.\n\nSecond line."}
	if got := old.SpokenLines(); len(got) != 2 || got[1] != "Second line." {
		t.Fatalf("spoken lines of an old section: %q", got)
	}
}
