package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/internal/store"
	"tubeagency/providers"
	"tubeagency/providers/openai"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

// partialTitles is the start of a titles answer that never finishes.
const partialTitles = `{"titles": ["Half a Title From the First Provider`

// breakingOpenAI is an OpenAI chat-completions server that answers every
// task well (as fakeOpenAI does, streamed when asked), except the titles:
// it streams partialTitles and then stalls until the client leaves, or
// closes the connection, as a provider that fails mid-stream.
func breakingOpenAI(t *testing.T, cut bool) *fakeOpenAI {
	return newFakeOpenAIWith(t, func(task string, n int, _ string) string { return goodAnswer(task, 1350) },
		func(task string, w http.ResponseWriter, r *http.Request) bool {
			if task != "titles" {
				return false
			}
			w.Header().Set("Content-Type", "text/event-stream")
			chunk, _ := json.Marshal(map[string]any{"model": "m", "choices": []any{map[string]any{"delta": map[string]string{"content": partialTitles}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
			if cut {
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
				return true
			}
			<-r.Context().Done()
			return true
		})
}

// liveView is what the Studio page shows of a step from the job events:
// it appends deltas and clears on a restart, and keeps every event.
type liveView struct {
	mu     sync.Mutex
	events []Progress
}

func (v *liveView) emit(name string, data any) {
	if ev, ok := data.(Progress); ok && name == "job" {
		v.mu.Lock()
		v.events = append(v.events, ev)
		v.mu.Unlock()
	}
}

// shown is the text the page shows for step after the events so far, and
// the step's events.
func (v *liveView) shown(step string) (string, []Progress) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var text strings.Builder
	var evs []Progress
	for _, ev := range v.events {
		if ev.Step != step {
			continue
		}
		evs = append(evs, ev)
		if ev.Restart {
			text.Reset()
		}
		text.WriteString(ev.Delta)
	}
	return text.String(), evs
}

// TestStudioStepRestartsCleanlyWhenAProviderFailsMidStream runs the real
// router over real OpenAI clients against two fake servers: the first
// streams part of the titles and then stalls (or cuts the connection), the
// second answers. The step's events tell the page to clear the partial
// text, and say who took over and why, before the second answer's deltas;
// what the page shows at the end is the second answer only, and the saved
// titles and step state are the second provider's.
func TestStudioStepRestartsCleanlyWhenAProviderFailsMidStream(t *testing.T) {
	for _, sc := range []struct {
		name   string
		cut    bool
		reason string
	}{
		{name: "stall", reason: "Fake A stopped sending its answer for more than"},
		{name: "cut", cut: true, reason: "Fake A broke off its answer partway."},
	} {
		t.Run(sc.name, func(t *testing.T) {
			a := breakingOpenAI(t, sc.cut)
			b := newFakeOpenAI(t, func(task string, n int, _ string) string { return goodAnswer(task, 1400) })
			tpl, err := templates.New(templates.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var entries []router.Entry
			for i, f := range []*fakeOpenAI{a, b} {
				entries = append(entries, router.Entry{Label: fmt.Sprintf("Fake %c", 'A'+i), Provider: openai.New(openai.Config{Name: fmt.Sprintf("fake%c", 'a'+i),
					BaseURL: f.srv.URL + "/v1", Model: "m", Key: func() (string, error) { return "sk-test", nil }})})
			}
			// A stall is noticed after the first-byte budget of a kind with
			// no samples yet (BudgetInitial): long enough that fake A's
			// first bytes are in well before it on a loaded machine, so A's
			// text is always shown before the switch; the last provider
			// before the templates waits up to BudgetMax.
			gen, err := router.New(router.Config{Providers: entries, Fallback: tpl, Deadline: time.Minute, MaxAttempts: 1,
				BudgetMin: 50 * time.Millisecond, BudgetInitial: 1500 * time.Millisecond, BudgetMax: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			st := openStore(t)
			ch := addChannel(t, st, "Crumb", store.FormatLong)
			var view liveView
			s := New(Config{Store: st, Generator: gen, Emit: view.emit})
			ctx := context.Background()
			p, err := s.Create(ctx, ch.ID, "meal prep for beginners")
			if err != nil {
				t.Fatal(err)
			}
			if p, err = s.Run(ctx, p.ID, RunOptions{SkipVoice: true}); err != nil {
				t.Fatal(err)
			}

			want := goodAnswer("titles", 0)
			text, evs := view.shown(StepTitles)
			if text != want {
				t.Fatalf("the page shows %q after the titles step, want fake B's answer only: %q", text, want)
			}
			restarts, firstB, partial := -1, -1, -1
			for i, ev := range evs {
				switch {
				case ev.Restart:
					if restarts >= 0 {
						t.Fatalf("two restarts: %+v", evs)
					}
					restarts = i
					if ev.Status != StateRunning || ev.Delta != "" || ev.Chars != 0 {
						t.Fatalf("restart event %+v: want a running step, no delta, no characters", ev)
					}
					if wantNote := "Switched to Fake B: " + sc.reason; !strings.HasPrefix(ev.Note, wantNote) {
						t.Fatalf("note %q, want it to start %q", ev.Note, wantNote)
					}
				case ev.Delta == partialTitles:
					partial = i
				case ev.Delta != "" && firstB < 0:
					firstB = i
					if ev.Chars != len(ev.Delta) {
						t.Fatalf("fake B's first delta counts %d characters, want %d (the count starts over)", ev.Chars, len(ev.Delta))
					}
				}
			}
			if partial < 0 || restarts < partial || firstB < restarts {
				t.Fatalf("events out of order: A's partial text at %d, restart at %d, B's first delta at %d: %+v", partial, restarts, firstB, evs)
			}
			last := evs[len(evs)-1]
			if last.Status != StateDone || last.Provider != "fakeb" || !strings.HasPrefix(last.Note, "Switched to Fake B: ") {
				t.Fatalf("done event %+v: want fakeb and the switch note", last)
			}

			// The saved result: B's titles, written by B, with the note.
			p, err = s.load(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			state := p.Content.Steps[StepTitles]
			if state.Provider != "fakeb" || state.Note != last.Note {
				t.Fatalf("titles step saved as %+v, want fakeb with note %q", state, last.Note)
			}
			var wantTitles titlesJSON
			if err := json.Unmarshal([]byte(want), &wantTitles); err != nil {
				t.Fatal(err)
			}
			if len(p.Content.Titles) != len(wantTitles.Titles) {
				t.Fatalf("saved %d titles, want fake B's %d: %+v", len(p.Content.Titles), len(wantTitles.Titles), p.Content.Titles)
			}
			for _, opt := range p.Content.Titles {
				if strings.Contains(opt.Text, "Half a Title") {
					t.Fatalf("fake A's partial title was saved: %+v", p.Content.Titles)
				}
			}
			if n := a.count("titles"); n != 1 {
				t.Fatalf("fake A was asked for titles %d times, want 1", n)
			}
			// No other step switched, so none carries a note.
			for _, step := range Steps {
				if st := p.Content.Steps[step]; step != StepTitles && st.Note != "" {
					t.Fatalf("step %s has note %q", step, st.Note)
				}
			}
		})
	}
}

// TestSwitchNote: who answers now and why, in plain words.
func TestSwitchNote(t *testing.T) {
	for _, c := range []struct {
		in   providers.Restart
		want string
	}{
		{providers.Restart{Label: "Claude", From: "Groq", Reason: "Groq broke off its answer partway."}, "Switched to Claude: Groq broke off its answer partway."},
		{providers.Restart{Label: "Local templates", From: "Claude"}, "Switched to Local templates: Claude stopped partway."},
		{providers.Restart{Label: "Groq", From: "Groq", Reason: "Groq answered with text that failed its checks, so it was asked again."},
			"Started over: Groq answered with text that failed its checks, so it was asked again."},
	} {
		if got := switchNote(c.in); got != c.want {
			t.Errorf("switchNote(%+v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestWithNotes: a step's note takes in what the generator said, once, and
// leaves out the templates' "answered instead" after a switch note that
// says so.
func TestWithNotes(t *testing.T) {
	for _, c := range []struct {
		note  string
		notes []string
		want  string
	}{
		{"", nil, ""},
		{"", []string{"Groq could not be reached.", "Local templates answered instead."}, "Groq could not be reached. Local templates answered instead."},
		{"Switched to Local templates: Groq broke off its answer partway.", []string{"Groq broke off its answer partway.", "Local templates answered instead."},
			"Switched to Local templates: Groq broke off its answer partway."},
		{"Switched to Claude: Groq broke off its answer partway.", []string{"OpenAI rejected the API key: check Settings → Providers."},
			"Switched to Claude: Groq broke off its answer partway. OpenAI rejected the API key: check Settings → Providers."},
	} {
		if got := withNotes(c.note, c.notes); got != c.want {
			t.Errorf("withNotes(%q, %q) = %q, want %q", c.note, c.notes, got, c.want)
		}
	}
}
