package localmodel

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/providers"
)

const gb = int64(1) << 30

// fakeServer is a local model server: Ollama (/api/tags and the OpenAI API
// under /v1) or llama.cpp's server (/v1/models with "meta", /health and the
// OpenAI API), recording the model each chat request named.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	models []string // asked for in chat requests
}

func newOllama(t *testing.T, tags string) *fakeServer {
	f := &fakeServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tags", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, tags)
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"llama3.1:8b","object":"model","created":1700000000,"owned_by":"library"}]}`)
	})
	mux.HandleFunc("POST /v1/chat/completions", f.chat)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func newLlamaCpp(t *testing.T) *fakeServer {
	f := &fakeServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf","object":"model","created":1700000000,"owned_by":"llamacpp",
			"meta":{"vocab_type":2,"n_vocab":152064,"n_ctx_train":32768,"n_embd":3584,"n_params":7615616512,"size":4677120000}}]}`)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"status":"ok"}`) })
	mux.HandleFunc("POST /v1/chat/completions", f.chat)
	mux.HandleFunc("/api/tags", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"code":404,"message":"File Not Found","type":"not_found_error"}}`)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) chat(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Model string `json:"model"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	f.models = append(f.models, body.Model)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"model":%q,"choices":[{"message":{"role":"assistant","content":"Local answer"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2}}`, body.Model)
}

func (f *fakeServer) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.models...)
}

const ollamaTags = `{"models":[
 {"name":"llama3.1:8b","model":"llama3.1:8b","modified_at":"2026-01-02T10:00:00Z","size":4920753328,"digest":"46e0c10c039e",
  "details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"8.0B","quantization_level":"Q4_K_M"}},
 {"name":"qwen2.5:14b","model":"qwen2.5:14b","size":8988124069,"details":{"family":"qwen2","parameter_size":"14.8B","quantization_level":"Q4_K_M"}},
 {"name":"llama3.2:1b","model":"llama3.2:1b","size":1321098329,"details":{"family":"llama","parameter_size":"1.2B","quantization_level":"Q8_0"}},
 {"name":"nomic-embed-text:latest","model":"nomic-embed-text:latest","size":274302450,"details":{"family":"nomic-bert","families":["nomic-bert"],"parameter_size":"137M","quantization_level":"F16"}}
]}`

// deadURL is an address where nothing listens.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestDetectFindsBothServersAndTheirModels(t *testing.T) {
	ol, lc := newOllama(t, ollamaTags), newLlamaCpp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := Detect(ctx, nil, []Candidate{{KindOllama, ol.URL}, {KindLlamaCpp, lc.URL}, {KindOllama, deadURL(t)}, {KindLlamaCpp, ol.URL + "/nothing"}})
	if len(got) != 2 || got[0].Kind != KindOllama || got[1].Kind != KindLlamaCpp {
		t.Fatalf("servers %+v", got)
	}
	o := got[0]
	if o.BaseURL != ol.URL+"/v1" || len(o.Models) != 4 || o.Models[0].Name != "llama3.1:8b" || o.Models[0].Bytes != 4920753328 ||
		o.Models[0].Parameters != "8.0B" || o.Models[0].ParamsNumber != 8_000_000_000 || !o.Models[3].Embedding {
		t.Fatalf("ollama %+v", o)
	}
	l := got[1]
	if len(l.Models) != 1 || l.Models[0].Name != "/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf" || l.Models[0].Bytes != 4677120000 || l.Models[0].Parameters != "7.6B" {
		t.Fatalf("llama.cpp %+v", l)
	}
	// an address the user typed is probed as either kind
	auto := Detect(ctx, nil, []Candidate{CandidateFor(lc.URL + "/v1/"), CandidateFor(ol.URL + "/v1")})
	if len(auto) != 2 || auto[0].Kind != KindLlamaCpp || auto[1].Kind != KindOllama {
		t.Fatalf("auto %+v", auto)
	}
}

func TestDetectIgnoresWhatIsNotAModelServer(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>router login</html>") }))
	defer html.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"models":[`+strings.Repeat(`{"name":"x","size":1},`, 100_000)+`{"name":"y"}]}`)
	}))
	defer huge.Close()
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	defer empty.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got := Detect(ctx, nil, []Candidate{{KindOllama, html.URL}, {KindOllama, huge.URL}, {KindLlamaCpp, empty.URL}, {"", empty.URL}, {KindOllama, hang.URL}, {"lmstudio", empty.URL}})
	if len(got) != 0 {
		t.Fatalf("found %+v", got)
	}
}

func TestRecommendBySize(t *testing.T) {
	ol := newOllama(t, ollamaTags)
	servers := Detect(context.Background(), nil, []Candidate{{KindOllama, ol.URL}})
	models := servers[0].Models
	for _, c := range []struct {
		ram  int64
		want string
	}{
		{32 * gb, "qwen2.5:14b"}, // 16 GB budget: the largest that fits
		{16 * gb, "llama3.1:8b"}, // 8 GB budget
		{8 * gb, "llama3.2:1b"},  // 4 GB budget
		{2 * gb, "llama3.2:1b"},  // nothing fits: the smallest that can write, never the embedder
		{0, "llama3.2:1b"},       // unknown memory: budget for 8 GB
	} {
		out, best, ok := Recommend(models, uint64(c.ram))
		if !ok || best.Name != c.want || !out[0].Recommended || out[0].Name != c.want {
			t.Errorf("%d GB: %+v (ok %v)", c.ram/gb, best, ok)
		}
		if best.SizeLabel == "" {
			t.Errorf("no size label: %+v", best)
		}
	}
	if _, _, ok := Recommend([]Model{{Name: "nomic-embed-text", Embedding: true}}, uint64(16*gb)); ok {
		t.Fatal("an embedding model was recommended")
	}
	for ram, want := range map[int64]string{64 * gb: "qwen2.5:14b", 16 * gb: "llama3.1:8b", 8 * gb: "llama3.2:3b", 4 * gb: "llama3.2:1b"} {
		if got := Suggestion(uint64(ram)); got != want {
			t.Errorf("suggestion for %d GB: %s, want %s", ram/gb, got, want)
		}
	}
	if h := InstallHelp(uint64(16 * gb)); strings.Count(h, "\n") != 1 || !strings.Contains(h, "ollama pull llama3.1:8b") {
		t.Fatalf("help %q", h)
	}
}

// TestDetectorAndProvider: the provider writes through the server found,
// with the user's model when that server has it, else the recommended one;
// its health check detects again, so a server going away or coming back
// is noticed and reported once per change.
func TestDetectorAndProvider(t *testing.T) {
	ol := newOllama(t, ollamaTags)
	lc := newLlamaCpp(t)
	var changes []Status
	var mu sync.Mutex
	det := NewDetector(Options{Candidates: []Candidate{{KindOllama, ol.URL}}, RAM: func() uint64 { return uint64(16 * gb) },
		OnChange: func(s Status) { mu.Lock(); changes = append(changes, s); mu.Unlock() }})
	p := NewProvider(ProviderConfig{Name: "local", BaseURL: "http://127.0.0.1:1/v1", Model: "mistral"}, det)
	if base, model := p.Target(); base != "http://127.0.0.1:1/v1" || model != "mistral" {
		t.Fatalf("before detection: %s %s", base, model)
	}
	ctx := context.Background()
	if err := p.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if !det.Usable() || det.Last().Model != "llama3.1:8b" || det.Last().Help != "" {
		t.Fatalf("status %+v", det.Last())
	}
	resp, err := p.Generate(ctx, providers.Request{Task: providers.TaskTitles, User: "titles", MaxTokens: 50})
	if err != nil || resp.Text != "Local answer" || resp.Provider != "local" {
		t.Fatalf("generate: %+v %v", resp, err)
	}
	p2 := NewProvider(ProviderConfig{Name: "local", Model: "qwen2.5:14b"}, det)
	if _, err := p2.Generate(ctx, providers.Request{Task: providers.TaskTitles, User: "titles"}); err != nil {
		t.Fatal(err)
	}
	if got := ol.asked(); len(got) != 2 || got[0] != "llama3.1:8b" || got[1] != "qwen2.5:14b" {
		t.Fatalf("models asked for %v: want the recommended one, then the user's installed choice", got)
	}
	// the server goes away: the next health check notices
	ol.Close()
	if err := p.Check(ctx); err == nil {
		t.Fatal("a health check passed with the server gone")
	}
	if det.Usable() || det.Last().Help == "" {
		t.Fatalf("status after the server left: %+v", det.Last())
	}
	// llama.cpp appears at another address the user set
	det.SetCandidates([]Candidate{CandidateFor(lc.URL + "/v1")})
	if err := p.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if base, model := p.Target(); base != lc.URL+"/v1" || model != "/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf" {
		t.Fatalf("target %s %s", base, model)
	}
	det.Detect(ctx) // nothing changed: no report
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 3 || !changes[0].Found || changes[1].Found || changes[2].Server.Kind != KindLlamaCpp {
		t.Fatalf("%d changes reported: %+v", len(changes), changes)
	}
}

func TestParseMeminfo(t *testing.T) {
	in := "MemFree:  123 kB\nMemTotal:       16314444 kB\nBuffers: 1 kB\n"
	if got := parseMeminfo(bufio.NewScanner(strings.NewReader(in))); got != 16314444<<10 {
		t.Fatalf("got %d", got)
	}
	if got := parseMeminfo(bufio.NewScanner(strings.NewReader("nothing\n"))); got != 0 {
		t.Fatalf("got %d", got)
	}
	if TotalRAM() == 0 {
		t.Fatal("this machine's memory reads as zero")
	}
}

// FuzzModelLists feeds arbitrary bodies to both model-list decoders: no
// panic, no negative size, and Recommend copes with whatever they return.
func FuzzModelLists(f *testing.F) {
	f.Add([]byte(ollamaTags))
	f.Add([]byte(`{"object":"list","data":[{"id":"m.gguf","meta":{"n_params":-5,"size":-1}}]}`))
	f.Add([]byte(`{"models":[{"name":"","model":""},{"name":"x","size":-9,"details":{"parameter_size":"-1B"}}]}`))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, parse := range []func([]byte) ([]Model, error){parseOllamaTags, parseModelList} {
			models, err := parse(raw)
			if err != nil {
				continue
			}
			for _, m := range models {
				if m.Name == "" || m.Bytes < 0 || m.ParamsNumber < 0 {
					t.Fatalf("model %+v", m)
				}
			}
			out, best, ok := Recommend(models, 16<<30)
			if len(out) != len(models) || ok && (best.Embedding || !out[0].Recommended) {
				t.Fatalf("recommend %+v from %+v", best, models)
			}
		}
	})
}

func TestDetectorLoopStartsAndStops(t *testing.T) {
	ol := newOllama(t, ollamaTags)
	found := make(chan Status, 4)
	det := NewDetector(Options{Candidates: []Candidate{{KindOllama, ol.URL}}, OnChange: func(s Status) { found <- s }})
	det.Start(context.Background(), time.Hour) // the first detection runs at once
	select {
	case s := <-found:
		if !s.Found {
			t.Fatalf("%+v", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not detect at start")
	}
	det.Stop()
	det.Stop() // twice is fine
}
