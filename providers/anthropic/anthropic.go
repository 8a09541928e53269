// Package anthropic is a client for Anthropic's Messages API.
//
// Like providers/openai it is a lean net/http client rather than the
// official anthropic-sdk-go: the router owns retries and deadlines, Tube
// Agency sends one shape of request, and a direct encode/decode keeps the
// per-call overhead small and easy to measure. Error bodies
// ({"type":"error","error":{"type":…,"message":…}}) become
// *providers.Error; 529 "overloaded" is retryable like 503.
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/internal/wire"
)

// DefaultURL is Anthropic's API root.
const DefaultURL = "https://api.anthropic.com"

// APIVersion is the anthropic-version header sent with every request.
const APIVersion = "2023-06-01"

// DefaultMaxTokens is sent when a request sets none: the API requires it.
const DefaultMaxTokens = 1024

// Config configures a Client.
type Config struct {
	// Name identifies the provider ("anthropic"). Empty means "anthropic".
	Name string
	// BaseURL is the API root without /v1. Empty means DefaultURL.
	BaseURL string
	// Model is sent with every request.
	Model string
	// Key returns the API key at call time. Nil sends none.
	Key func() (string, error)
	// HTTPClient sends requests. Nil means a client bounded only by ctx.
	HTTPClient *http.Client
	// Now is the clock for Retry-After dates. Nil means time.Now.
	Now func() time.Time
}

// Client generates text through the Messages API.
type Client struct {
	cfg Config
	url string
	ep  wire.Endpoint
}

var _ providers.Provider = (*Client)(nil)
var _ providers.HealthChecker = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.Name == "" {
		cfg.Name = "anthropic"
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Key == nil {
		cfg.Key = func() (string, error) { return "", nil }
	}
	return &Client{cfg: cfg, url: strings.TrimRight(cfg.BaseURL, "/"),
		ep: wire.Endpoint{Provider: cfg.Name, Client: cfg.HTTPClient, Key: cfg.Key, Now: cfg.Now, ErrorMessage: errorMessage,
			Header: func(h http.Header, key string) {
				h.Set("anthropic-version", APIVersion)
				if key != "" {
					h.Set("x-api-key", key)
				}
			}}}
}

// Name is the provider's name.
func (c *Client) Name() string { return c.cfg.Name }

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type messagesRequest struct {
	Model       string    `json:"model"`
	MaxTokens   int       `json:"max_tokens"`
	System      string    `json:"system,omitempty"`
	Messages    []message `json:"messages"`
	Temperature *float64  `json:"temperature,omitempty"`
	Stream      bool      `json:"stream,omitempty"`
}

type usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

type messagesResponse struct {
	Type    string `json:"type"`
	Model   string `json:"model"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	Usage *usage `json:"usage"`
}

type apiError struct {
	Type  string `json:"type"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type streamEvent struct {
	Type    string            `json:"type"`
	Message *messagesResponse `json:"message"`
	Delta   *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"delta"`
	Usage *usage `json:"usage"`
}

// Generate sends one message. It streams when req.OnDelta is set.
// With req.Validate it repairs a failing answer once (providers.Repair);
// the Messages API has no JSON mode, so req.JSON relies on the prompt.
func (c *Client) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	return providers.Repair(ctx, req, c.cfg.Name, c.generate)
}

func (c *Client) generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	start := time.Now()
	body := messagesRequest{Model: c.cfg.Model, MaxTokens: req.MaxTokens, System: req.System,
		Messages: []message{{Role: "user", Content: req.User}}, Stream: req.OnDelta != nil}
	if body.MaxTokens <= 0 {
		body.MaxTokens = DefaultMaxTokens
	}
	if req.Temperature > 0 {
		t := min(req.Temperature, 1) // the Messages API accepts 0 to 1
		body.Temperature = &t
	}
	resp, err := c.ep.Post(ctx, c.url+"/v1/messages", body, body.Stream)
	if err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Status == 529 { // overloaded_error
			pe.Err, pe.Retryable = providers.ErrUnavailable, true
		}
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
	var mr messagesResponse
	if err := wire.DecodeWhole(ctx, c.cfg.Name, r, &mr); err != nil {
		return err
	}
	var text strings.Builder
	for _, block := range mr.Content {
		if block.Type == "text" {
			text.WriteString(block.Text)
		}
	}
	if strings.TrimSpace(text.String()) == "" {
		return wire.BadResponse(c.cfg.Name, "the answer had no text")
	}
	out.Text = text.String()
	if mr.Model != "" {
		out.Model = mr.Model
	}
	if mr.Usage != nil {
		out.Usage = providers.Usage{InputTokens: mr.Usage.InputTokens, OutputTokens: mr.Usage.OutputTokens}
	}
	if onDelta != nil {
		onDelta(out.Text)
	}
	return nil
}

func (c *Client) readStream(ctx context.Context, r io.Reader, onDelta func(string), out *providers.Response) error {
	text, err := wire.ReadStream(ctx, c.cfg.Name, r, onDelta, func(_, data string) (string, bool, error) {
		var ev streamEvent
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return "", false, wire.BadResponse(c.cfg.Name, "a streamed event was not valid JSON")
		}
		switch ev.Type {
		case "message_start":
			if ev.Message != nil {
				if ev.Message.Model != "" {
					out.Model = ev.Message.Model
				}
				if ev.Message.Usage != nil {
					out.Usage.InputTokens = ev.Message.Usage.InputTokens
				}
			}
		case "content_block_delta":
			if ev.Delta != nil && ev.Delta.Type == "text_delta" {
				return ev.Delta.Text, false, nil
			}
		case "message_delta":
			if ev.Usage != nil {
				out.Usage.OutputTokens = ev.Usage.OutputTokens
			}
		case "message_stop":
			return "", true, nil
		case "error":
			return "", false, wire.StreamError(c.cfg.Name)
		}
		return "", false, nil
	})
	if err != nil {
		return err
	}
	out.Text = text
	return nil
}

func errorMessage(raw []byte, key string) string {
	var ae apiError
	if json.Unmarshal(raw, &ae) != nil || ae.Error == nil {
		return ""
	}
	return wire.Scrub(ae.Error.Message, key)
}

// Check lists the models, which proves the endpoint answers and the key is
// accepted, without generating. The list must arrive whole within ctx and
// be a JSON model list: a 200 with an empty, garbled or stalled body fails.
func (c *Client) Check(ctx context.Context) error { return c.ep.Check(ctx, c.url+"/v1/models") }
