// Package localmodel finds a model server running on this machine (Ollama,
// or llama.cpp's server), lists the models it has, and picks the one that
// suits the machine's memory, so the app can write offline with a real
// model instead of its templates. It speaks only HTTP to the servers and
// never downloads anything.
//
// Ollama answers GET /api/tags with its installed models and their sizes,
// and serves the OpenAI chat-completions API under /v1. llama.cpp's server
// answers GET /v1/models with the model it loaded and serves the same API
// under /v1. Detect probes both; Recommend picks by size; a Detector keeps
// the last result, runs detection again whenever the router health-checks
// the local provider (Provider), and says when the result changed.
package localmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server kinds.
const (
	KindOllama   = "ollama"
	KindLlamaCpp = "llama.cpp"
)

// Candidate is a place a local server may listen.
type Candidate struct {
	Kind string // KindOllama, KindLlamaCpp, or empty to try both
	URL  string // the server's root, without /v1
}

// DefaultCandidates are the servers' default addresses.
var DefaultCandidates = []Candidate{
	{Kind: KindOllama, URL: "http://127.0.0.1:11434"},
	{Kind: KindLlamaCpp, URL: "http://127.0.0.1:8080"},
}

// Model is one model a server has.
type Model struct {
	Name         string `json:"name"`          // what to send as "model"
	Bytes        int64  `json:"bytes"`         // size on disk (about what it needs in memory), 0 when unknown
	Parameters   string `json:"parameters"`    // "8.0B", when the server says
	Quantization string `json:"quantization"`  // "Q4_K_M", when the server says
	Embedding    bool   `json:"embedding"`     // an embedding model, which cannot write
	Recommended  bool   `json:"recommended"`   // the one Recommend picked
	FitsMemory   bool   `json:"fits_memory"`   // small enough for this machine's memory
	SizeLabel    string `json:"size_label"`    // "4.9 GB"
	ParamsNumber int64  `json:"params_number"` // parameter count, 0 when unknown
}

// Server is a local model server that answered.
type Server struct {
	Kind    string  `json:"kind"`
	URL     string  `json:"url"`      // the root
	BaseURL string  `json:"base_url"` // the OpenAI-compatible API root: URL + "/v1"
	Models  []Model `json:"models"`
}

// maxBody caps a model list.
const maxBody = 1 << 20

// Errors.
var (
	// ErrNotFound reports that no local server answered.
	ErrNotFound = errors.New("no local model server found")
)

// Detect probes the candidates at once and returns the servers that
// answered with their models, in the candidates' order. A server that does
// not answer within ctx (give it a second or two) is not there.
func Detect(ctx context.Context, client *http.Client, candidates []Candidate) []Server {
	if client == nil {
		client = &http.Client{}
	}
	found := make([]*Server, len(candidates))
	var wg sync.WaitGroup
	for i, c := range candidates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := probe(ctx, client, c)
			if err == nil {
				found[i] = &s
			}
		}()
	}
	wg.Wait()
	var out []Server
	for _, s := range found {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out
}

func probe(ctx context.Context, client *http.Client, c Candidate) (Server, error) {
	root := strings.TrimRight(c.URL, "/")
	s := Server{Kind: c.Kind, URL: root, BaseURL: root + "/v1"}
	var err error
	switch c.Kind {
	case KindOllama:
		s.Models, err = ollamaModels(ctx, client, root)
	case KindLlamaCpp:
		s.Models, err = llamaCppModels(ctx, client, root)
	case "":
		// an address the user typed: Ollama's list first, then the OpenAI one
		if s.Models, err = ollamaModels(ctx, client, root); err == nil {
			s.Kind = KindOllama
		} else if s.Models, err = llamaCppModels(ctx, client, root); err == nil {
			s.Kind = KindLlamaCpp
		}
	default:
		err = fmt.Errorf("unknown server kind %q", c.Kind)
	}
	return s, err
}

// get reads url's body, at most maxBody bytes.
func get(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(raw) > maxBody {
		return nil, fmt.Errorf("GET %s: the answer is over %d bytes", url, maxBody)
	}
	return raw, nil
}

// ollamaModels reads GET /api/tags.
func ollamaModels(ctx context.Context, client *http.Client, root string) ([]Model, error) {
	raw, err := get(ctx, client, root+"/api/tags")
	if err != nil {
		return nil, err
	}
	return parseOllamaTags(raw)
}

// parseOllamaTags decodes Ollama's {"models": [...]} (at most maxBody bytes).
func parseOllamaTags(raw []byte) ([]Model, error) {
	if len(raw) > maxBody {
		return nil, fmt.Errorf("the model list is over %d bytes", maxBody)
	}
	var tags struct {
		Models *[]struct {
			Name    string `json:"name"`
			Model   string `json:"model"`
			Size    int64  `json:"size"`
			Details struct {
				Family        string   `json:"family"`
				Families      []string `json:"families"`
				ParameterSize string   `json:"parameter_size"`
				Quantization  string   `json:"quantization_level"`
			} `json:"details"`
		} `json:"models"`
	}
	if err := json.Unmarshal(raw, &tags); err != nil {
		return nil, fmt.Errorf("not an Ollama model list: %w", err)
	}
	if tags.Models == nil {
		return nil, errors.New("not an Ollama model list")
	}
	var out []Model
	for _, m := range *tags.Models {
		name := m.Name
		if name == "" {
			name = m.Model
		}
		if name == "" {
			continue
		}
		embed := strings.Contains(strings.ToLower(name), "embed")
		for _, f := range append(m.Details.Families, m.Details.Family) {
			embed = embed || strings.HasSuffix(strings.ToLower(f), "bert")
		}
		out = append(out, Model{Name: name, Bytes: max(m.Size, 0), Parameters: m.Details.ParameterSize, Quantization: m.Details.Quantization,
			Embedding: embed, ParamsNumber: parseParams(m.Details.ParameterSize)})
	}
	return out, nil
}

// llamaCppModels reads GET /v1/models.
func llamaCppModels(ctx context.Context, client *http.Client, root string) ([]Model, error) {
	raw, err := get(ctx, client, root+"/v1/models")
	if err != nil {
		return nil, err
	}
	return parseModelList(raw)
}

// parseModelList decodes an OpenAI {"object": "list", "data": [...]},
// whose entries llama.cpp's server extends with "meta" (n_params, size).
func parseModelList(raw []byte) ([]Model, error) {
	if len(raw) > maxBody {
		return nil, fmt.Errorf("the model list is over %d bytes", maxBody)
	}
	var list struct {
		Data *[]struct {
			ID   string `json:"id"`
			Meta *struct {
				NParams int64 `json:"n_params"`
				Size    int64 `json:"size"`
			} `json:"meta"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("not an OpenAI model list: %w", err)
	}
	if list.Data == nil {
		return nil, errors.New("not an OpenAI model list")
	}
	var out []Model
	for _, m := range *list.Data {
		if m.ID == "" {
			continue
		}
		mod := Model{Name: m.ID, Embedding: strings.Contains(strings.ToLower(m.ID), "embed")}
		if m.Meta != nil {
			mod.Bytes, mod.ParamsNumber = max(m.Meta.Size, 0), max(m.Meta.NParams, 0)
			if mod.ParamsNumber > 0 {
				mod.Parameters = fmt.Sprintf("%.1fB", float64(mod.ParamsNumber)/1e9)
			}
		}
		out = append(out, mod)
	}
	return out, nil
}

// parseParams reads "8.0B", "360M" or "1.5b" as a parameter count.
func parseParams(s string) int64 {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "B"):
		mult = 1e9
	case strings.HasSuffix(s, "M"):
		mult = 1e6
	case strings.HasSuffix(s, "K"):
		mult = 1e3
	default:
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-1]), 64)
	if err != nil || f < 0 {
		return 0
	}
	return int64(f * mult)
}

// Budget is how much of the machine's memory a model may take: half of it,
// leaving the rest to the system, the app and the context the model needs
// while it writes. Zero RAM (unknown) gives a budget for 8 GB.
func Budget(ramBytes uint64) int64 {
	if ramBytes == 0 {
		ramBytes = 8 << 30
	}
	return int64(ramBytes / 2)
}

// Recommend marks, among models, the one to write with on a machine with
// ramBytes of memory: the largest that fits the budget (Budget), as a
// bigger model writes better; when none fits, or sizes are unknown, the
// smallest known. Embedding models never write. It returns the chosen model
// and false when there is none.
func Recommend(models []Model, ramBytes uint64) ([]Model, Model, bool) {
	budget := Budget(ramBytes)
	out := make([]Model, len(models))
	copy(out, models)
	best := -1
	for i := range out {
		m := &out[i]
		m.SizeLabel = sizeLabel(m.Bytes)
		m.FitsMemory = m.Bytes > 0 && m.Bytes <= budget
		if m.Embedding {
			continue
		}
		switch {
		case best < 0:
			best = i
		case m.FitsMemory && (!out[best].FitsMemory || m.Bytes > out[best].Bytes):
			best = i
		case !m.FitsMemory && !out[best].FitsMemory && m.Bytes > 0 && (out[best].Bytes == 0 || m.Bytes < out[best].Bytes):
			best = i
		}
	}
	if best < 0 {
		return out, Model{}, false
	}
	out[best].Recommended = true
	sort.SliceStable(out, func(i, j int) bool { return out[i].Recommended && !out[j].Recommended })
	return out, out[0], true
}

// Suggestion is the model to install when a server has none that can
// write, by the machine's memory: Ollama names that exist in its library.
func Suggestion(ramBytes uint64) string {
	switch b := Budget(ramBytes); {
	case b >= 12<<30:
		return "qwen2.5:14b"
	case b >= 6<<30:
		return "llama3.1:8b"
	case b >= 3<<30:
		return "llama3.2:3b"
	default:
		return "llama3.2:1b"
	}
}

// InstallHelp says in two lines how to get a local model, for Settings and
// the empty state.
func InstallHelp(ramBytes uint64) string {
	return fmt.Sprintf("Write offline with a real model: install Ollama from ollama.com and run \"ollama pull %s\" (suits this computer's memory), "+
		"or start llama.cpp's server on port 8080.\nTube Agency finds it on its own and puts it first; the built-in templates answer until then.",
		Suggestion(ramBytes))
}

func sizeLabel(b int64) string {
	switch {
	case b <= 0:
		return ""
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(b)/(1<<30))
	default:
		return fmt.Sprintf("%d MB", b>>20)
	}
}

// Status is what the app shows about local models.
type Status struct {
	Found     bool      `json:"found"`
	Server    *Server   `json:"server,omitempty"` // the first server that answered, its models best first
	Model     string    `json:"model,omitempty"`  // the recommended model, empty when none can write
	RAMBytes  uint64    `json:"ram_bytes"`
	Help      string    `json:"help,omitempty"`      // how to install a model, when none is usable
	CheckedAt time.Time `json:"checked_at,omitzero"` // zero until the first check
}

// CandidateFor is the candidate for an OpenAI-compatible address the user
// set ("http://192.168.1.20:11434/v1"): its root, either kind.
func CandidateFor(baseURL string) Candidate {
	root := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	root = strings.TrimSuffix(root, "/v1")
	return Candidate{URL: root}
}

// WithCandidate is cands with c added unless one has the same address.
func WithCandidate(cands []Candidate, c Candidate) []Candidate {
	for _, x := range cands {
		if strings.TrimRight(x.URL, "/") == strings.TrimRight(c.URL, "/") {
			return cands
		}
	}
	return append(append([]Candidate{}, cands...), c)
}
