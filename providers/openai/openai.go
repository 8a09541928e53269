// Package openai is a client for the OpenAI chat completions wire format,
// which Groq, GitHub Models, OpenAI, Together and local model servers
// (Ollama, llama.cpp's server) all speak at their own base URLs.
//
// It is a lean net/http client rather than the official openai-go SDK on
// purpose: the router is the only retry loop and owns deadlines, so the
// client needs none of the SDK's retry, pagination or option machinery;
// one request shape and two response shapes (whole and streamed) are all
// Tube Agency uses; and keeping the hot path to one JSON encode and decode
// keeps the router's overhead measurable in microseconds (see
// docs/BENCHMARKS.md). Error bodies are mapped onto *providers.Error with
// the API key scrubbed from any message the server echoes.
package openai

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/internal/wire"
)

// Base URLs of the services that speak this format.
const (
	GroqURL         = "https://api.groq.com/openai/v1"
	GitHubModelsURL = "https://models.github.ai/inference"
	OpenAIURL       = "https://api.openai.com/v1"
	TogetherURL     = "https://api.together.xyz/v1"
	OllamaURL       = "http://127.0.0.1:11434/v1"
)

// Config configures a Client. Name and BaseURL are required.
type Config struct {
	// Name identifies the provider in responses and errors ("groq").
	Name string
	// BaseURL is the API root, without the trailing /chat/completions.
	BaseURL string
	// Model is sent with every request.
	Model string
	// Key returns the API key at call time, so a key changed in Settings
	// applies at once. Nil or an empty key sends no Authorization header
	// (local servers need none).
	Key func() (string, error)
	// HTTPClient sends requests. Nil means a client with no timeout of its
	// own: the caller's ctx bounds every call.
	HTTPClient *http.Client
	// Now is the clock for Retry-After dates. Nil means time.Now.
	Now func() time.Time
	// ModelsURL is what Check lists to prove the endpoint answers. Empty
	// means BaseURL + "/models", except for GitHub Models, whose list is
	// at https://models.github.ai/catalog/models.
	ModelsURL string
}

// Client generates text through one OpenAI-compatible endpoint.
type Client struct {
	cfg            Config
	url            string
	newTokensField bool // send max_completion_tokens (api.openai.com)
	ep             wire.Endpoint
}

var _ providers.Provider = (*Client)(nil)
var _ providers.HealthChecker = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Key == nil {
		cfg.Key = func() (string, error) { return "", nil }
	}
	c := &Client{cfg: cfg, url: strings.TrimRight(cfg.BaseURL, "/")}
	c.ep = wire.Endpoint{Provider: cfg.Name, Client: cfg.HTTPClient, Key: cfg.Key, Now: cfg.Now, ErrorMessage: errorMessage,
		Header: func(h http.Header, key string) {
			if key != "" {
				h.Set("Authorization", "Bearer "+key)
			}
		}}
	c.newTokensField = strings.HasPrefix(c.url, "https://api.openai.com/")
	if c.cfg.ModelsURL == "" {
		c.cfg.ModelsURL = c.url + "/models"
		if strings.HasSuffix(c.url, "://models.github.ai/inference") {
			c.cfg.ModelsURL = strings.TrimSuffix(c.url, "/inference") + "/catalog/models"
		}
	}
	return c
}

// Name is the provider's name.
func (c *Client) Name() string { return c.cfg.Name }

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []message       `json:"messages"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	MaxCompletion  int             `json:"max_completion_tokens,omitempty"`
	Temperature    *float64        `json:"temperature,omitempty"`
	Stream         bool            `json:"stream,omitempty"`
	StreamOptions  *streamOptions  `json:"stream_options,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
}

// responseFormat asks for a JSON object ({"type": "json_object"}), which
// OpenAI, Groq, Together, GitHub Models, Ollama and llama.cpp's server
// understand.
type responseFormat struct {
	Type string `json:"type"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type chatResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

type errorBody struct {
	Error json.RawMessage `json:"error"`
}

// Generate sends one chat completion. It streams when req.OnDelta is set.
// With req.JSON it asks for a JSON object (response_format), and with
// req.Validate it repairs a failing answer once (providers.Repair).
func (c *Client) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	return providers.Repair(ctx, req, c.cfg.Name, c.generate)
}

func (c *Client) generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	start := time.Now()
	body := chatRequest{Model: c.cfg.Model, Stream: req.OnDelta != nil}
	if c.newTokensField {
		body.MaxCompletion = req.MaxTokens // OpenAI's newer models refuse max_tokens
	} else {
		body.MaxTokens = req.MaxTokens
	}
	if req.System != "" {
		body.Messages = append(body.Messages, message{Role: "system", Content: req.System})
	}
	body.Messages = append(body.Messages, message{Role: "user", Content: req.User})
	if req.Temperature > 0 {
		t := req.Temperature
		body.Temperature = &t
	}
	if body.Stream {
		body.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	if req.JSON {
		body.ResponseFormat = &responseFormat{Type: "json_object"}
	}
	resp, err := c.ep.Post(ctx, c.url+"/chat/completions", body, body.Stream)
	if err != nil {
		return providers.Response{}, err
	}
	defer resp.Body.Close()
	out := providers.Response{Provider: c.cfg.Name, Model: c.cfg.Model}
	err = wire.ReadAnswer(resp, body.Stream,
		func(r io.Reader) error { return c.readStream(ctx, r, req.OnDelta, &out) },
		func(r io.Reader) error { return c.readWhole(ctx, r, req.OnDelta, &out) })
	if err != nil {
		return providers.Response{}, err
	}
	out.Latency = time.Since(start)
	return out, nil
}

func (c *Client) readWhole(ctx context.Context, r io.Reader, onDelta func(string), out *providers.Response) error {
	var cr chatResponse
	if err := wire.DecodeWhole(ctx, c.cfg.Name, r, &cr); err != nil {
		return err
	}
	if len(cr.Choices) == 0 || cr.Choices[0].Message.Content == nil {
		return wire.BadResponse(c.cfg.Name, "the answer had no choices")
	}
	text := *cr.Choices[0].Message.Content
	if strings.TrimSpace(text) == "" {
		return wire.BadResponse(c.cfg.Name, "the answer was empty")
	}
	out.Text = text
	if cr.Model != "" {
		out.Model = cr.Model
	}
	if cr.Usage != nil {
		out.Usage = providers.Usage{InputTokens: cr.Usage.PromptTokens, OutputTokens: cr.Usage.CompletionTokens}
	}
	if onDelta != nil {
		onDelta(text)
	}
	return nil
}

func (c *Client) readStream(ctx context.Context, r io.Reader, onDelta func(string), out *providers.Response) error {
	text, err := wire.ReadStream(ctx, c.cfg.Name, r, onDelta, func(_, data string) (string, bool, error) {
		if data == "[DONE]" {
			return "", true, nil
		}
		var chunk struct {
			chatResponse
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			return "", false, wire.BadResponse(c.cfg.Name, "a streamed chunk was not valid JSON")
		}
		if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
			return "", false, wire.StreamError(c.cfg.Name)
		}
		if chunk.Model != "" {
			out.Model = chunk.Model
		}
		if chunk.Usage != nil {
			out.Usage = providers.Usage{InputTokens: chunk.Usage.PromptTokens, OutputTokens: chunk.Usage.CompletionTokens}
		}
		if len(chunk.Choices) > 0 {
			return chunk.Choices[0].Delta.Content, false, nil
		}
		return "", false, nil
	})
	if err != nil {
		return err
	}
	out.Text = text
	return nil
}

// errorMessage reads {"error":{"message":…}} or {"error":"…"} from raw,
// empty when raw is not such a body (an HTML error page, for example).
func errorMessage(raw []byte, key string) string {
	var eb errorBody
	if json.Unmarshal(raw, &eb) != nil || len(eb.Error) == 0 {
		return ""
	}
	var obj struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(eb.Error, &obj) == nil && obj.Message != "" {
		return wire.Scrub(obj.Message, key)
	}
	var s string
	if json.Unmarshal(eb.Error, &s) == nil {
		return wire.Scrub(s, key)
	}
	return ""
}

// Check lists the models, which proves the endpoint answers and the key
// is accepted, without generating. The list must arrive whole within ctx
// and be a JSON model list: a 200 with an empty, garbled or stalled body
// fails.
func (c *Client) Check(ctx context.Context) error { return c.ep.Check(ctx, c.cfg.ModelsURL) }
