package studio

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"tubeagency/internal/store"
)

// fixedScorer scores every title the same, optionally calibrated, and
// remembers what it was asked.
type fixedScorer struct {
	value      float64
	calibrated bool
	err        error
	asked      []string
}

func (f *fixedScorer) ScoreTitle(_ context.Context, _, title, _ string) (Score, error) {
	f.asked = append(f.asked, title)
	return Score{Value: f.value, Calibrated: f.calibrated}, f.err
}

func TestScoreIsHonest(t *testing.T) {
	ctx := context.Background()
	ch := store.Channel{Meta: store.Meta{ID: "c"}, Niche: "retro gaming", Audience: "gamers in their 20s", Language: "en", Format: store.FormatLong}
	p := store.Package{Topic: "Super Mario 64 speedruns"}

	t.Run("numbers from the topic or audience earn no bonus", func(t *testing.T) {
		opts := scoreOptions(ctx, HeuristicScorer{}, p, ch, []string{"Super Mario 64 Speedruns for Gamers in Their 20s", "7 Super Mario 64 Speedrun Tricks"})
		for _, o := range opts {
			has := slices.Contains(o.Features, "has a number")
			if strings.HasPrefix(o.Text, "7 ") != has {
				t.Errorf("%q: has-a-number bonus %v, features %v", o.Text, has, o.Features)
			}
			if o.Calibrated {
				t.Errorf("%q: heuristic score marked calibrated", o.Text)
			}
		}
		if got := maskInputNumbers("Mario 64 in 7 Days, Age 20", "super mario 64", "in their 20s"); got != "Mario xx in 7 Days, Age xx" {
			t.Fatalf("masked %q", got)
		}
	})
	t.Run("checklist failures cost points and say why", func(t *testing.T) {
		sc := &fixedScorer{value: 70}
		opts := scoreOptions(ctx, sc, p, ch, []string{"Super Mario 64 Speedruns #shorts", "Super Mario 64 Speedruns, Explained"})
		if opts[0].Text != "Super Mario 64 Speedruns, Explained" || opts[0].Score != 70 || opts[1].Score != 70-titlePenalty {
			t.Fatalf("options %+v", opts)
		}
		if !slices.ContainsFunc(opts[1].Features, func(f string) bool { return strings.Contains(f, "fails the checklist: title matches the format") }) {
			t.Fatalf("features %v", opts[1].Features)
		}
		if !slices.Contains(sc.asked, "Super Mario xx Speedruns #shorts") {
			t.Fatalf("the scorer saw %q, not the masked title", sc.asked)
		}
	})
	t.Run("ties go to the title about the topic", func(t *testing.T) {
		opts := scoreOptions(ctx, &fixedScorer{value: 60}, p, ch, []string{"The Best Games of the Decade", "Super Mario 64 Speedruns, Explained", "Speedruns, Explained"})
		if got := []string{opts[0].Text, opts[1].Text, opts[2].Text}; got[0] != "Super Mario 64 Speedruns, Explained" || got[1] != "Speedruns, Explained" {
			t.Fatalf("order %q", got)
		}
	})
	t.Run("a calibrated model says so; a failing one leaves the heuristic, uncalibrated", func(t *testing.T) {
		if o := scoreOptions(ctx, &fixedScorer{value: 55, calibrated: true}, p, ch, []string{"Super Mario 64 Speedruns, Explained"}); !o[0].Calibrated || o[0].Score != 55 {
			t.Fatalf("%+v", o)
		}
		o := scoreOptions(ctx, &fixedScorer{err: errors.New("no model")}, p, ch, []string{"Super Mario 64 Speedruns, Explained"})
		if o[0].Calibrated || o[0].Score == 0 {
			t.Fatalf("%+v", o)
		}
	})
}

func TestParseScriptKeepsNotesApart(t *testing.T) {
	hook, secs := ParseScript("HOOK: Look.\n## One\nSay this. [show the jar]\nNOTE: close-up of the jar\n[On screen: three steps]\nAnd this [FACT: the shelf life] too.\n## Two\nNOTA: plano detalle\nDi esto.")
	if hook != "Look." || len(secs) != 2 {
		t.Fatalf("hook %q sections %d", hook, len(secs))
	}
	one := secs[0]
	if one.Text != "Say this.\nAnd this [FACT: the shelf life] too." || len(one.Spoken) != 2 {
		t.Fatalf("spoken %q / %q", one.Text, one.Spoken)
	}
	if strings.Join(one.Notes, "|") != "show the jar|close-up of the jar|On screen: three steps" {
		t.Fatalf("notes %q", one.Notes)
	}
	if secs[1].Text != "Di esto." || len(secs[1].Notes) != 1 {
		t.Fatalf("second section %+v", secs[1])
	}
	if got := SpokenText(hook, secs); strings.Contains(got, "jar") || strings.Contains(got, "plano") {
		t.Fatalf("notes reached the spoken text: %q", got)
	}
}

func TestDetectLanguage(t *testing.T) {
	cases := []struct {
		text, want string
		sure       bool
	}{
		{"This is the part of the video where you learn what to do with it.", "en", true},
		{"Este es el momento en que aprendes qué hacer con los datos y por qué.", "es", true},
		{"Este é o momento em que você aprende o que fazer com os dados e por quê.", "pt", true},
		{"9 dicas honestas para seus backups que ninguém te conta", "pt", true},
		{"Meal prep, batch cooking", "", false},
		{"Sourdough Baking: 5 Mistakes", "", false},
		{"C'est le moment où vous apprenez ce que vous devez faire avec les données.", "fr", true},
	}
	for _, c := range cases {
		got, sure := detectLanguage(c.text, 2)
		if sure != c.sure || sure && got != c.want {
			t.Errorf("%q: %s sure=%v, want %s sure=%v", c.text, got, sure, c.want, c.sure)
		}
	}
}
