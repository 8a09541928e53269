package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// fakeOpenAI is an OpenAI chat-completions server: it answers each task
// (recognised from the prompt) with what answer returns for the n-th
// request of that task, whole or streamed as server-sent events, as the
// client asked, and records every request.
type fakeOpenAI struct {
	t      *testing.T
	srv    *httptest.Server
	answer func(task string, n int, prompt string) string
	// intercept, when set, may answer a request itself (and report true)
	// instead of the answer: a stream that breaks off, say.
	intercept func(task string, w http.ResponseWriter, r *http.Request) bool

	mu    sync.Mutex
	calls map[string][]fakeCall
}

type fakeCall struct {
	prompt     string
	jsonFormat bool
}

func newFakeOpenAI(t *testing.T, answer func(task string, n int, prompt string) string) *fakeOpenAI {
	return newFakeOpenAIWith(t, answer, nil)
}

func newFakeOpenAIWith(t *testing.T, answer func(task string, n int, prompt string) string,
	intercept func(task string, w http.ResponseWriter, r *http.Request) bool) *fakeOpenAI {
	f := &fakeOpenAI{t: t, answer: answer, intercept: intercept, calls: map[string][]fakeCall{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// taskOf tells the studio's requests apart by their prompts.
func taskOf(prompt string) string {
	switch {
	case strings.Contains(prompt, "video ideas"):
		return "ideas"
	case strings.Contains(prompt, "title options"):
		return "titles"
	case strings.Contains(prompt, "Write the script"):
		return "script"
	case strings.Contains(prompt, "YouTube description"):
		return "description"
	case strings.Contains(prompt, "search tags"):
		return "tags"
	case strings.Contains(prompt, "thumbnail text"):
		return "thumbnail"
	}
	return "other"
}

func (f *fakeOpenAI) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"message":"no such route","type":"invalid_request_error"}}`)
		return
	}
	var body struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
		ResponseFormat *struct {
			Type string `json:"type"`
		} `json:"response_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Messages) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"bad request body","type":"invalid_request_error"}}`)
		return
	}
	prompt := body.Messages[len(body.Messages)-1].Content
	task := taskOf(prompt)
	f.mu.Lock()
	f.calls[task] = append(f.calls[task], fakeCall{prompt: prompt, jsonFormat: body.ResponseFormat != nil && body.ResponseFormat.Type == "json_object"})
	n := len(f.calls[task])
	f.mu.Unlock()
	if f.intercept != nil && f.intercept(task, w, r) {
		return
	}
	text := f.answer(task, n, prompt)
	if !body.Stream {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"model": body.Model, "choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": text},
			"finish_reason": "stop"}}, "usage": map[string]int{"prompt_tokens": 100, "completion_tokens": 50}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for len(text) > 0 {
		n := min(len(text), 200)
		chunk, _ := json.Marshal(map[string]any{"model": body.Model, "choices": []any{map[string]any{"delta": map[string]string{"content": text[:n]}}}})
		fmt.Fprintf(w, "data: %s\n\n", chunk)
		text = text[n:]
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func (f *fakeOpenAI) count(task string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[task])
}

func (f *fakeOpenAI) call(task string, i int) fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[task][i]
}

// goodAnswer is a valid structured answer for each task of an English
// long-form video about meal prep; words is the length of the script.
func goodAnswer(task string, words int) string {
	switch task {
	case "ideas":
		return "Meal prep for beginners: where to start\nBatch cooking on a budget\nWeeknight dinners in one afternoon"
	case "titles":
		b, _ := json.Marshal(titlesJSON{Titles: []string{"Meal Prep for Busy Parents: The Practical Guide", "7 Meal Prep Mistakes Beginners Make",
			"The Simple Way to Start Meal Prep", "Meal Prep Explained: The Parts That Matter", "What a Month of Meal Prep Taught Me",
			"Before You Start Meal Prep: 5 Things to Know", "Meal Prep on a Budget: What to Buy and What to Skip", "Is Meal Prep Worth It for Busy Parents?"}})
		return string(b)
	case "script":
		var v scriptJSON
		v.Hook = "Meal prep gets easier once you plan the week."
		n := 0
		for _, h := range []string{"Plan the week", "Shop once", "Cook in batches", "Store it well", "Eat it up"} {
			var spoken []string
			for n < words*(len(v.Sections)+1)/5/13 {
				n++
				spoken = append(spoken, fmt.Sprintf("Batch %d of the plan keeps the kitchen calm on a busy evening.", n))
			}
			v.Sections = append(v.Sections, struct {
				Heading string   `json:"heading"`
				Spoken  []string `json:"spoken"`
				Notes   []string `json:"notes"`
			}{Heading: h, Spoken: []string{strings.Join(spoken, " ")}, Notes: []string{"Show the fridge on screen"}})
		}
		b, _ := json.Marshal(v)
		return "Here is the script:\n```json\n" + string(b) + "\n```"
	case "description":
		b, _ := json.Marshal(descriptionJSON{Description: strings.TrimSpace(strings.Repeat("This video shows how to plan, shop and cook for the week without stress. ", 10)),
			Hashtags: []string{"#mealprep", "homecooking"}})
		return string(b)
	case "tags":
		b, _ := json.Marshal(tagsJSON{Tags: []string{"meal prep", "meal prep for beginners", "meal prep tips", "weekly meal prep", "batch cooking",
			"home cooking", "cooking for beginners", "easy recipes", "kitchen tips", "meal ideas", "healthy meal prep"}})
		return string(b)
	case "thumbnail":
		return `{"thumbnail": "MEAL PREP, SIMPLIFIED"}`
	}
	return "{}"
}

// structuredRouter is the real router over real OpenAI clients pointed at
// the fakes, in order, with the templates as the fallback.
func structuredRouter(t *testing.T, fakes ...*fakeOpenAI) *router.Router {
	t.Helper()
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var entries []router.Entry
	for i, f := range fakes {
		entries = append(entries, router.Entry{Provider: openai.New(openai.Config{Name: fmt.Sprintf("fake%c", 'A'+i), BaseURL: f.srv.URL + "/v1", Model: "m",
			Key: func() (string, error) { return "sk-test", nil }})})
	}
	r, err := router.New(router.Config{Providers: entries, Fallback: tpl, Deadline: 30 * time.Second, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStructuredAnswersAreValidatedRepairedOrPassedOn runs the pipeline
// against fake OpenAI servers through the real router and clients: a valid
// JSON answer is accepted as is; one that fails the checklist is sent back
// once with the failed rules and the repair is accepted; garbage, and a
// repair that still fails, fall through to the next provider.
func TestStructuredAnswersAreValidatedRepairedOrPassedOn(t *testing.T) {
	scenarios := []struct {
		name         string
		a            func(task string, n int, prompt string) string
		wantScriptBy string
		wantACalls   int // script requests to A
		wantBCalls   int // script requests to B
	}{
		{name: "valid JSON is accepted", a: func(task string, n int, _ string) string { return goodAnswer(task, 1350) },
			wantScriptBy: "fakeA", wantACalls: 1},
		{name: "a checklist failure is repaired once", a: func(task string, n int, prompt string) string {
			if task == "script" && n == 1 {
				return goodAnswer(task, 300) // far too short for long-form
			}
			return goodAnswer(task, 1350)
		}, wantScriptBy: "fakeA", wantACalls: 2},
		{name: "garbage falls through to the next provider", a: func(task string, n int, _ string) string {
			if task == "script" {
				return "<html><body>502 Bad Gateway</body></html>"
			}
			return goodAnswer(task, 1350)
		}, wantScriptBy: "fakeB", wantACalls: 1, wantBCalls: 1},
		{name: "a repair that still fails falls through", a: func(task string, n int, _ string) string {
			if task == "script" {
				return goodAnswer(task, 300)
			}
			return goodAnswer(task, 1350)
		}, wantScriptBy: "fakeB", wantACalls: 2, wantBCalls: 1},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			a := newFakeOpenAI(t, sc.a)
			b := newFakeOpenAI(t, func(task string, n int, _ string) string { return goodAnswer(task, 1400) })
			st := openStore(t)
			ch := addChannel(t, st, "Crumb", store.FormatLong)
			s := New(Config{Store: st, Generator: structuredRouter(t, a, b)})
			ctx := context.Background()
			p, err := s.Create(ctx, ch.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if p, err = s.Run(ctx, p.ID, RunOptions{SkipVoice: true}); err != nil {
				t.Fatal(err)
			}
			if p.Status != store.StatusReady {
				t.Fatalf("status %s, missing:\n%s", p.Status, missing(p))
			}
			if got := p.Content.Steps[StepScript].Provider; got != sc.wantScriptBy {
				t.Fatalf("script written by %s, want %s", got, sc.wantScriptBy)
			}
			if a.count("script") != sc.wantACalls || b.count("script") != sc.wantBCalls {
				t.Fatalf("script requests: A %d, B %d; want %d and %d", a.count("script"), b.count("script"), sc.wantACalls, sc.wantBCalls)
			}
			for _, task := range []string{"titles", "script", "description", "tags", "thumbnail"} {
				// after a bad answer the router may prefer B for the rest
				f := a
				if a.count(task) == 0 {
					f = b
				}
				if c := f.call(task, 0); !c.jsonFormat || !strings.Contains(c.prompt, "Answer with {") {
					t.Fatalf("%s was not asked as JSON: %+v", task, c)
				}
			}
			if sc.wantACalls == 2 {
				repair := a.call("script", 1).prompt
				if !strings.Contains(repair, "did not pass these checks:\n- Script length fits the format: The script runs") {
					t.Fatalf("the repair request does not list the failed rule:\n%s", repair[max(0, len(repair)-600):])
				}
			}
			sec := p.Content.Script[0]
			if len(sec.Notes) != 1 || strings.Contains(sec.Text, "fridge on screen") || len(sec.Spoken) == 0 {
				t.Fatalf("notes and spoken lines mixed up: %+v", sec)
			}
			if p.Title != "Meal Prep for Busy Parents: The Practical Guide" && !strings.Contains(p.Title, "Meal Prep") {
				t.Fatalf("title %q", p.Title)
			}
			if !strings.HasSuffix(p.Content.Description, "#mealprep #homecooking") || !strings.Contains(p.Content.Description, "\n\nChapters\n0:00 Plan the week\n") {
				t.Fatalf("description:\n%s", p.Content.Description)
			}
		})
	}
}

// FuzzDecodeStructured feeds arbitrary answers to the structured decoders:
// none may panic, and none reads an answer over its size cap.
func FuzzDecodeStructured(f *testing.F) {
	for _, task := range []string{"titles", "script", "description", "tags", "thumbnail"} {
		f.Add(goodAnswer(task, 200))
	}
	for _, s := range []string{"", "{", "}{", "```json\n{\"titles\": [1, 2]}\n```", `{"sections": [{"spoken": [null, "[FACT: x]", "[note] said"]}]}`,
		`{"hashtags": ["#", " # a b "], "description": " "}`, `{"tags": ["` + strings.Repeat("x", 200) + `"]}`, "```", "``````json{}```",
		`{"thumbnail": "\u0000\u0000"}`, strings.Repeat("{", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		titles, err := decodeTitles(text)
		if err == nil && len(titles) == 0 {
			t.Fatal("titles decoded to nothing without an error")
		}
		hook, secs, err := decodeScript(text)
		if err == nil {
			if len(secs) == 0 {
				t.Fatal("a script decoded to no sections without an error")
			}
			for _, s := range secs {
				if s.Text == "" || strings.Join(s.Spoken, "\n\n") != s.Text {
					t.Fatalf("section %+v: text and spoken lines disagree", s)
				}
			}
			_ = hook
		}
		_, _ = decodeDescription(text)
		if tags, err := decodeTags(text); err == nil && TagChars(tags) > 500 {
			t.Fatalf("tags over 500 characters: %d", TagChars(tags))
		}
		_, _ = decodeThumbnail(text)
		if len(text) > maxStructured {
			if err := decodeObject(text, &struct{}{}); err != errTooLarge {
				t.Fatalf("an answer of %d bytes was read: %v", len(text), err)
			}
		}
	})
}

var _ providers.Provider = (*templates.Provider)(nil)
