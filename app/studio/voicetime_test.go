package studio

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"tubeagency/app/voice"
	"tubeagency/app/voice/espeak"
	"tubeagency/internal/store"
	"tubeagency/providers/templates"
)

var chapterLine = regexp.MustCompile(`(?m)^(\d+:\d{2}) (.+)$`)

// TestVoicedLongFormChaptersFollowTheVoiceOver: espeak-ng speaks at its own
// pace, not at the script's words per minute; after the voice step the
// description's chapters start where the recorded sections do, every one
// inside the voice-over and at least ten seconds long, so a voiced
// long-form package written offline is ready, not an outline.
func TestVoicedLongFormChaptersFollowTheVoiceOver(t *testing.T) {
	chain := &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}}
	if len(chain.Available(context.Background())) == 0 {
		t.Fatal("espeak-ng is not installed: apt-get install espeak-ng")
	}
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ch := addChannel(t, st, "Crumb", store.FormatLong)
	s := New(Config{Store: st, Generator: tpl, Voice: chain, AudioDir: t.TempDir()})
	ctx := context.Background()
	p, err := s.Create(ctx, ch.ID, "sourdough starter")
	if err != nil {
		t.Fatal(err)
	}
	if p, err = s.Run(ctx, p.ID, RunOptions{SkipVoice: true}); err != nil {
		t.Fatal(err)
	}
	before := chapterLine.FindAllStringSubmatch(p.Content.Description, -1)
	if p, err = s.RunStep(ctx, p.ID, StepVoice, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	v := p.Content.Voice
	if v == nil || v.Seconds <= 0 {
		t.Fatalf("no voice-over: %+v", p.Content.Steps[StepVoice])
	}
	if p.Status != store.StatusReady {
		t.Fatalf("status %s with a %.0f s voice-over, missing:\n%s", p.Status, v.Seconds, missing(p))
	}
	after := chapterLine.FindAllStringSubmatch(p.Content.Description, -1)
	if len(after) != len(before) || len(after) < MinChapters {
		t.Fatalf("chapters %v, were %v", after, before)
	}
	script := p.Content.Script[len(p.Content.Script)-1]
	k := v.Seconds / (script.Start + script.Seconds)
	for i, m := range after {
		at := clockSeconds(m[1])
		if m[2] != before[i][2] {
			t.Fatalf("chapter %d is %q, was %q", i, m[2], before[i][2])
		}
		// each chapter moved by the voice's pace, to the second
		if want := int(float64(clockSeconds(before[i][1])) * k); i > 0 && (at < want-1 || at > want+1) {
			t.Fatalf("chapter %q at %d s, want about %d s (pace %.2f)", m[0], at, want, k)
		}
		if float64(at) > v.Seconds-MinChapterSeconds {
			t.Fatalf("chapter %q starts %.0f s before the voice-over ends", m[0], v.Seconds-float64(at))
		}
	}
	if strings.Count(p.Content.Description, "\nChapters\n") != 1 {
		t.Fatalf("description:\n%s", p.Content.Description)
	}
}

// TestUncoveredLanguageFailsWithWhatToDo: a French channel (made on a
// device with an AI provider, synced here) run with the offline templates
// alone gets no English text: the first step fails with a sentence that
// says what to do, and nothing is written.
func TestUncoveredLanguageFailsWithWhatToDo(t *testing.T) {
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ch := addChannel(t, st, "Cuisine", store.FormatLong)
	ch.Language = "fr-CA"
	if err := st.Mutate(context.Background(), func(m *store.Mutation) error {
		_, err := store.PutRecord(m, store.ChannelEntity, ch)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Store: st, Generator: tpl})
	ctx := context.Background()
	p, err := s.Create(ctx, ch.ID, "pain au levain")
	if err != nil {
		t.Fatal(err)
	}
	p, err = s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
	if !errors.Is(err, templates.ErrLanguage) {
		t.Fatalf("run: %v, want the templates' language error", err)
	}
	got := p.Content.Steps[StepIdeas]
	if got.Status != StateFailed || !strings.Contains(got.Error, `not "fr"`) || !strings.Contains(got.Error, "Settings → Providers") {
		t.Fatalf("ideas step %+v", got)
	}
	if len(p.Content.Ideas) != 0 || len(p.Content.Titles) != 0 || len(p.Content.Script) != 0 || p.Status != store.StatusIdea {
		t.Fatalf("text was written for a language nothing writes: %+v", p.Content)
	}
}
