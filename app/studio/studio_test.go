package studio

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"tubeagency/app/events"
	"tubeagency/app/voice"
	"tubeagency/app/voice/espeak"
	"tubeagency/internal/store"
	"tubeagency/providers"
)

type recorder struct {
	mu  sync.Mutex
	evs []Progress
}

func (r *recorder) emit(name string, data any) {
	if name != events.Job {
		return
	}
	r.mu.Lock()
	r.evs = append(r.evs, data.(Progress))
	r.mu.Unlock()
}

func (r *recorder) statuses(step string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.evs {
		if e.Step == step && e.Delta == "" {
			out = append(out, e.Status)
		}
	}
	return out
}

func (r *recorder) deltas() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.evs {
		if e.Delta != "" {
			n++
		}
	}
	return n
}

func logTo(st *store.Store, kinds *[]string) ActivityLogger {
	return func(m *store.Mutation, channelID, kind, message string, data any) error {
		raw, _ := json.Marshal(data)
		stamp, err := st.Clock().Now()
		if err != nil {
			return err
		}
		_, err = store.PutRecord(m, store.ActivityEntity, store.Activity{Meta: store.Meta{ID: "a-" + kind + "-" + stamp},
			ChannelID: channelID, Kind: kind, Message: message, Data: raw})
		*kinds = append(*kinds, kind)
		return err
	}
}

func TestPipelineBuildsEveryStepAndSavesThem(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
	gen := newGen()
	rec := &recorder{}
	var kinds []string
	audio := filepath.Join(t.TempDir(), "audio")
	s := New(Config{Store: st, Generator: gen, Voice: &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}},
		AudioDir: audio, Emit: rec.emit, LogActivity: logTo(st, &kinds)})
	ctx := context.Background()
	p, err := s.Create(ctx, ch.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err = s.Run(ctx, p.ID, RunOptions{Source: "studio"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != store.StatusReady {
		t.Fatalf("status %q, want ready; missing:\n%s", p.Status, missing(p))
	}
	for _, step := range Steps {
		if got := p.Content.Steps[step].Status; got != StateDone {
			t.Errorf("step %s is %q, want done", step, got)
		}
		if got := rec.statuses(step); len(got) != 2 || got[0] != StateRunning || got[1] != StateDone {
			t.Errorf("step %s events %v, want running then done", step, got)
		}
	}
	if p.Topic != "Why home espresso beats the café" {
		t.Errorf("topic %q: want the first idea, cleaned", p.Topic)
	}
	if len(p.Content.Ideas) != 3 || p.Content.Ideas[2] != "The one tool that matters" {
		t.Errorf("ideas %q", p.Content.Ideas)
	}
	if len(p.Content.Titles) < MinTitles || p.Title != p.Content.Titles[0].Text {
		t.Fatalf("titles %+v, title %q", p.Content.Titles, p.Title)
	}
	for i := 1; i < len(p.Content.Titles); i++ {
		if p.Content.Titles[i].Score > p.Content.Titles[i-1].Score {
			t.Fatalf("titles not best first: %+v", p.Content.Titles)
		}
	}
	if !strings.HasPrefix(p.Content.Hook, "You are making") || len(p.Content.Script) != 4 || p.Content.WordsPerMinute != ShortsWPM {
		t.Fatalf("script: hook %q, %d sections, %d wpm", p.Content.Hook, len(p.Content.Script), p.Content.WordsPerMinute)
	}
	// 24 words per section at 160 wpm is 9 s; each starts where the last ended.
	for i, sec := range p.Content.Script {
		if sec.Seconds != 9 {
			t.Errorf("section %d lasts %v s, want 9", i, sec.Seconds)
		}
		if i > 0 && sec.Start != round1(p.Content.Script[i-1].Start+9) {
			t.Errorf("section %d starts at %v", i, sec.Start)
		}
		if len(sec.Spoken) != 1 || sec.Spoken[0] != sec.Text {
			t.Errorf("section %d spoken lines %q, want its text", i, sec.Spoken)
		}
	}
	if strings.Contains(p.Content.Description, "Wrong chapter") || strings.Contains(p.Content.Description, "0:00") ||
		!strings.HasSuffix(p.Content.Description, "#espresso #homeespresso") {
		t.Errorf("a Short's description kept chapters, or lost its hashtags:\n%s", p.Content.Description)
	}
	if strings.Join(p.Content.Tags, "|") != "espresso|home espresso|barista tips|coffee|espresso machine|latte art|milk frothing|coffee grinder|pour over|coffee beans|espresso shots" {
		t.Errorf("tags %q", p.Content.Tags)
	}
	if c := p.Content.Checklist; c == nil || !c.Passed || c.Version != ChecklistVersion || len(c.Items) != len(Rules()) {
		t.Errorf("checklist %+v", c)
	}
	if p.Content.Thumbnail != "Stop ruining your espresso shots today" {
		t.Errorf("thumbnail %q", p.Content.Thumbnail)
	}
	v := p.Content.Voice
	if v == nil || v.Engine != "espeak-ng" || v.File != p.ID+".wav" {
		t.Fatalf("voice %+v", v)
	}
	info, err := voice.ReadWAVFile(filepath.Join(audio, v.File))
	if err != nil || info.Seconds != v.Seconds {
		t.Fatalf("wav %+v err %v, metadata says %v s", info, err, v.Seconds)
	}
	if rec.deltas() == 0 {
		t.Error("no streamed progress was emitted")
	}
	// The stored row is what Run returned, and every step went through the outbox.
	got, err := store.Get[store.Package](ctx, st.ReadDB(), store.PackageEntity, p.ID)
	if err != nil || got.Title != p.Title || got.Content.Voice == nil || got.HLC != p.HLC || got.UpdatedAt != p.UpdatedAt ||
		got.CreatedAt != p.CreatedAt || got.CreatedAt == 0 {
		t.Fatalf("stored %+v err %v; Run returned %+v", got.Meta, err, p.Meta)
	}
	out, _ := st.Outbox(ctx, st.ReadDB(), 0, 1000)
	n := 0
	for _, e := range out {
		if e.Entity == "packages" && e.RowID == p.ID {
			n++
			if strings.Contains(e.Payload, "RIFF") {
				t.Fatal("audio bytes reached the synced row")
			}
		}
	}
	if n != 1+len(Steps) {
		t.Errorf("%d outbox entries for the package, want %d (create + one per step)", n, 1+len(Steps))
	}
	if len(kinds) != 1 || kinds[0] != "studio.ready" {
		t.Errorf("activity %v, want one studio.ready", kinds)
	}
}

func TestCancelMidPipelineLeavesConsistentStateAndResumes(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatLong)
	gen := newGen()
	gen.block = providers.TaskScript
	rec := &recorder{}
	s := New(Config{Store: st, Generator: gen, Emit: rec.emit})
	ctx := context.Background()
	p, _ := s.Create(ctx, ch.ID, "dialing in a new grinder")
	done := make(chan error, 1)
	go func() {
		_, err := s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
		done <- err
	}()
	<-gen.blocked
	if _, err := s.Run(ctx, p.ID, RunOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("second run while busy: %v, want ErrBusy", err)
	}
	if !s.Cancel(p.ID) {
		t.Fatal("Cancel found no run")
	}
	if err := <-done; !errors.Is(err, ErrCancelled) {
		t.Fatalf("run ended with %v, want ErrCancelled", err)
	}
	mid, err := store.Get[store.Package](ctx, st.ReadDB(), store.PackageEntity, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.Content.Steps[StepIdeas].Status != StateDone || mid.Content.Steps[StepTitles].Status != StateDone {
		t.Fatalf("finished steps lost: %+v", mid.Content.Steps)
	}
	if s := mid.Content.Steps[StepScript]; s.Status != StateCancelled || s.Error == "" {
		t.Fatalf("script step %+v, want cancelled with a message", s)
	}
	if mid.Content.Hook != "" || len(mid.Content.Script) != 0 || mid.Content.Description != "" || mid.Status != store.StatusIdea {
		t.Fatalf("half a step leaked into the package: %+v", mid)
	}
	if len(mid.Content.Titles) < MinTitles || mid.Title == "" {
		t.Fatalf("titles lost: %+v", mid.Content.Titles)
	}
	if got := rec.statuses(StepScript); got[len(got)-1] != StateCancelled {
		t.Fatalf("script events %v, want cancelled last", got)
	}
	if len(s.Running()) != 0 {
		t.Fatalf("still running: %v", s.Running())
	}

	// Resume: only the unfinished steps run.
	gen.mu.Lock()
	gen.block = ""
	gen.mu.Unlock()
	ideasBefore, titlesBefore := gen.count(providers.TaskIdeas), gen.count(providers.TaskTitles)
	final, err := s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != store.StatusReady || final.Content.Steps[StepVoice].Status != StateSkipped {
		t.Fatalf("after resume: status %q steps %+v; missing:\n%s", final.Status, final.Content.Steps, missing(final))
	}
	if gen.count(providers.TaskIdeas) != ideasBefore || gen.count(providers.TaskTitles) != titlesBefore {
		t.Fatal("resume redid finished steps")
	}
	if final.Title != mid.Title || final.Topic != "dialing in a new grinder" {
		t.Fatalf("resume changed earlier results: %q/%q", final.Title, final.Topic)
	}
	// Long-form: 1,320 words at 150 wpm plus the hook, inside what was asked.
	if secs := ScriptSeconds(final.Content.Hook, final.Content.Script, final.Content.WordsPerMinute); secs < 8*60 || secs > 12*60 {
		t.Fatalf("script lasts %.1f s", secs)
	}
	if !strings.Contains(final.Content.Description, "\n\nChapters\n0:00 The setup\n") {
		t.Fatalf("description chapters:\n%s", final.Content.Description)
	}
}

func TestRegenerateOneStepAlone(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatLong)
	gen := newGen()
	s := New(Config{Store: st, Generator: gen})
	ctx := context.Background()
	p, _ := s.Create(ctx, ch.ID, "milk steaming")
	p, err := s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
	if err != nil {
		t.Fatal(err)
	}
	before := p
	scripts := gen.count(providers.TaskScript)
	if gen.noCache[providers.TaskTags] {
		t.Fatal("a first run bypassed the cache")
	}
	after, err := s.RunStep(ctx, p.ID, StepTags, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !gen.noCache[providers.TaskTags] || gen.count(providers.TaskTags) != 2 {
		t.Fatalf("regenerate did not bypass the cache: %v calls", gen.count(providers.TaskTags))
	}
	if gen.count(providers.TaskScript) != scripts || after.Content.Description != before.Content.Description || after.Title != before.Title {
		t.Fatal("regenerating tags touched other steps")
	}
	if after.HLC <= before.HLC {
		t.Fatal("regenerated package was not written")
	}
	// A new script re-times the description's chapters and outdates a recorded voice-over.
	err = st.Mutate(ctx, func(m *store.Mutation) error {
		cur, err := readPackage(ctx, m.Tx(), p.ID)
		if err != nil {
			return err
		}
		cur.Content.Steps[StepVoice] = store.StepState{Status: StateDone, Provider: "espeak-ng"}
		cur.Content.Voice = &store.Voice{File: p.ID + ".wav", Engine: "espeak-ng", Seconds: 60}
		_, err = putPackage(m, cur)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	gen.words = 400 // the new script is longer: chapters move
	after, err = s.RunStep(ctx, p.ID, StepScript, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := after.Content.Steps[StepVoice]; v.Status != StatePending || !strings.Contains(v.Error, "script changed") || after.Status == store.StatusReady {
		t.Fatalf("voice step %+v, status %s: want pending again after a new script", v, after.Status)
	}
	if !strings.Contains(after.Content.Description, Clock(after.Content.Script[1].Start)+" The mistake") ||
		strings.Count(after.Content.Description, "Chapters") != 1 {
		t.Fatalf("chapters not re-timed:\n%s", after.Content.Description)
	}
	if _, err := s.RunStep(ctx, p.ID, "music", RunOptions{}); !errors.Is(err, ErrUnknownStep) {
		t.Fatalf("unknown step: %v", err)
	}
}

func TestUserEditsSurviveAStepSave(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatLong)
	gen := newGen()
	gen.block = providers.TaskTags
	s := New(Config{Store: st, Generator: gen})
	ctx := context.Background()
	p, _ := s.Create(ctx, ch.ID, "latte art")
	done := make(chan error, 1)
	go func() { _, err := s.Run(ctx, p.ID, RunOptions{SkipVoice: true}); done <- err }()
	<-gen.blocked
	// The user renames the package while tags are being generated.
	err := st.Mutate(ctx, func(m *store.Mutation) error {
		cur, err := store.Get[store.Package](ctx, m.Tx(), store.PackageEntity, p.ID)
		if err != nil {
			return err
		}
		cur.Title = "My own title"
		_, err = store.PutRecord(m, store.PackageEntity, cur)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Cancel(p.ID)
	<-done
	gen.mu.Lock()
	gen.block = ""
	gen.mu.Unlock()
	final, err := s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
	if err != nil {
		t.Fatal(err)
	}
	if final.Title != "My own title" {
		t.Fatalf("title %q: the pipeline overwrote the user's edit", final.Title)
	}
}

func TestStepFailureIsSavedWithASentence(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
	gen := newGen()
	gen.fail[providers.TaskTags] = &providers.Error{Provider: "groq", Status: 503, Err: providers.ErrUnavailable, Message: "overloaded"}
	var kinds []string
	s := New(Config{Store: st, Generator: gen, LogActivity: logTo(st, &kinds)})
	ctx := context.Background()
	p, _ := s.Create(ctx, ch.ID, "")
	got, err := s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
	if !errors.Is(err, providers.ErrUnavailable) {
		t.Fatalf("err %v", err)
	}
	tags := got.Content.Steps[StepTags]
	if tags.Status != StateFailed || !strings.Contains(tags.Error, "groq") || !strings.Contains(tags.Error, "Settings") {
		t.Fatalf("tags step %+v", tags)
	}
	if got.Content.Steps[StepDescription].Status != StateDone || got.Content.Steps[StepThumbnail].Status != StatePending {
		t.Fatalf("steps %+v", got.Content.Steps)
	}
	if len(kinds) != 1 || kinds[0] != "studio.failed" {
		t.Fatalf("activity %v", kinds)
	}
}

func TestVoiceStepWithoutAnyEngineSaysWhatToDo(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
	s := New(Config{Store: st, Generator: newGen(), Voice: &voice.Chain{Engines: []voice.Engine{&espeak.Client{Binary: "no-such-espeak"}}}})
	ctx := context.Background()
	p, _ := s.Create(ctx, ch.ID, "")
	got, err := s.Run(ctx, p.ID, RunOptions{})
	if !errors.Is(err, voice.ErrNoEngine) {
		t.Fatalf("err %v", err)
	}
	if v := got.Content.Steps[StepVoice]; v.Status != StateFailed || !strings.Contains(v.Error, "install espeak-ng") {
		t.Fatalf("voice step %+v", v)
	}
	if got.Status != store.StatusScripted || got.Content.Voice != nil {
		t.Fatalf("status %q voice %+v", got.Status, got.Content.Voice)
	}
	if entries, _ := os.ReadDir(s.AudioDir()); len(entries) != 0 {
		t.Fatalf("audio folder has %d files", len(entries))
	}
}

func TestTooFewTitlesAsksAgainThenFails(t *testing.T) {
	scenarios := []struct {
		name     string
		perCall  int
		wantErr  error
		wantCall int
	}{
		{name: "enough at once", perCall: 8, wantCall: 1},
		{name: "three per call, merged after asking again", perCall: 3, wantCall: 2}, // seeds differ, so lines differ
		{name: "none", perCall: 0, wantErr: ErrThinAnswer, wantCall: 3},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			st := openStore(t)
			ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
			gen := newGen()
			gen.titles = sc.perCall
			s := New(Config{Store: st, Generator: gen})
			p, _ := s.Create(context.Background(), ch.ID, "tamping")
			got, err := s.Run(context.Background(), p.ID, RunOptions{SkipVoice: true})
			if !errors.Is(err, sc.wantErr) {
				t.Fatalf("err %v, want %v", err, sc.wantErr)
			}
			if sc.wantErr == nil && len(got.Content.Titles) < MinTitles {
				t.Fatalf("%d titles", len(got.Content.Titles))
			}
			if gen.count(providers.TaskTitles) != sc.wantCall {
				t.Fatalf("asked %d times, want %d", gen.count(providers.TaskTitles), sc.wantCall)
			}
		})
	}
}

type trendsFake struct {
	trends []string
	err    error
}

func (f trendsFake) Trends(context.Context, string) ([]string, error) { return f.trends, f.err }

// recordingGen remembers the ideas request it was sent.
type recordingGen struct {
	*scriptedGen
	ideasPrompt string
}

func (g *recordingGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	if req.Task == providers.TaskIdeas {
		g.ideasPrompt = req.User
	}
	return g.scriptedGen.Generate(ctx, req)
}

func TestIdeasUseTrendsWhenAvailable(t *testing.T) {
	scenarios := []struct {
		name   string
		trends TrendSource
		want   string
		absent string
	}{
		{name: "trends", trends: trendsFake{trends: []string{"cold brew", "latte art"}}, want: "Trending now: cold brew; latte art."},
		{name: "trend source failing", trends: trendsFake{err: errors.New("no data")}, absent: "Trending"},
		{name: "no trend source", absent: "Trending"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			st := openStore(t)
			ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
			gen := &recordingGen{scriptedGen: newGen()}
			s := New(Config{Store: st, Generator: gen, Trends: sc.trends})
			p, _ := s.Create(context.Background(), ch.ID, "")
			if _, err := s.RunStep(context.Background(), p.ID, StepIdeas, RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if sc.want != "" && !strings.Contains(gen.ideasPrompt, sc.want) || sc.absent != "" && strings.Contains(gen.ideasPrompt, sc.absent) {
				t.Fatalf("prompt %q", gen.ideasPrompt)
			}
			if !strings.Contains(gen.ideasPrompt, "home espresso") {
				t.Fatalf("prompt lacks the niche: %q", gen.ideasPrompt)
			}
		})
	}
}

func TestShortLongFormScriptIsExpandedOnce(t *testing.T) {
	scenarios := []struct {
		name      string
		format    string
		expandTo  int
		wantCalls int
		wantWords int // per section
	}{
		{name: "long-form far too short is expanded", format: store.FormatLong, expandTo: 360, wantCalls: 2, wantWords: 360},
		{name: "an expansion that is not longer is dropped", format: store.FormatLong, expandTo: 10, wantCalls: 2, wantWords: 40},
		{name: "shorts at length is left alone", format: store.FormatShorts, expandTo: 360, wantCalls: 1, wantWords: 40},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			st := openStore(t)
			ch := addChannel(t, st, "Crema Lab", sc.format)
			gen := newGen()
			gen.words, gen.expandTo = 40, sc.expandTo
			var mu sync.Mutex
			var restarts []Progress
			s := New(Config{Store: st, Generator: gen, Emit: func(name string, data any) {
				if ev, ok := data.(Progress); ok && ev.Restart && ev.Step == StepScript {
					mu.Lock()
					restarts = append(restarts, ev)
					mu.Unlock()
				}
			}})
			p, _ := s.Create(context.Background(), ch.ID, "grinders")
			p, err := s.Run(context.Background(), p.ID, RunOptions{SkipVoice: true})
			if err != nil {
				t.Fatal(err)
			}
			if gen.count(providers.TaskScript) != sc.wantCalls {
				t.Fatalf("%d script requests, want %d", gen.count(providers.TaskScript), sc.wantCalls)
			}
			// Asking for a longer draft restarts the live text, saying why,
			// and the step keeps the note.
			mu.Lock()
			defer mu.Unlock()
			expanded := sc.wantCalls == 2
			if expanded != (len(restarts) == 1) || expanded && !strings.Contains(restarts[0].Note, "The first draft had 172 words, under the 1500") {
				t.Fatalf("restart events of the script step: %+v", restarts)
			}
			if note := p.Content.Steps[StepScript].Note; expanded != strings.Contains(note, "The first draft had") {
				t.Fatalf("script step note %q", note)
			}
			if got := Words(p.Content.Script[0].Text); got != sc.wantWords {
				t.Fatalf("first section has %d words, want %d", got, sc.wantWords)
			}
		})
	}
}
