// Package providers is the vocabulary of AI text generation in Tube Agency:
// the Provider interface every client implements, the request and response
// shapes, and the errors callers branch on. The router in providers/router
// picks a provider per request; providers/openai, providers/anthropic and
// providers/templates implement Provider.
package providers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Task is the kind of text asked for. It selects a template offline and a
// cache TTL class.
type Task string

// Tasks. Every provider, the local templates included, answers each task
// in one plain-text shape, which callers parse leniently (numbering,
// bullets and quotes around lines are ignored):
//
//	ideas        one idea per line
//	titles       one title per line
//	script       a first line "HOOK: <hook>", then sections, each a line
//	             "## <heading>" followed by its paragraphs
//	description  free text; chapters as lines "0:00 <chapter>"
//	tags         comma-separated tags
//	thumbnail    one line of at most 6 words
const (
	TaskIdeas       Task = "ideas"
	TaskTitles      Task = "titles"
	TaskScript      Task = "script"
	TaskDescription Task = "description"
	TaskTags        Task = "tags"
	TaskThumbnail   Task = "thumbnail"
	TaskTrends      Task = "trends"
	TaskAnalytics   Task = "analytics"
	TaskChannelMeta Task = "channel_meta"
)

// Channel is what a provider knows of the channel it writes for.
type Channel struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Niche    string `json:"niche"`
	Audience string `json:"audience"`
	Language string `json:"language"`
	Format   string `json:"format"` // "long-form" or "shorts"
}

// Request is one generation.
type Request struct {
	Task        Task
	System      string
	User        string
	MaxTokens   int
	Temperature float64
	// Channel and Topic let the local templates answer without a model.
	Channel Channel
	Topic   string
	// Seed varies template output; zero means derived from the request.
	Seed int64
	// Background requests may wait for a rate-limit token within their
	// deadline; interactive ones move on to the next provider instead.
	Background bool
	// NoCache bypasses the cache ("Regenerate").
	NoCache bool
	// OnDelta, when set, receives streamed text as it arrives.
	OnDelta func(text string)
	// OnRestart, when set, is called when an attempt that already streamed
	// text through OnDelta failed and another attempt (or provider) starts
	// over: drop what OnDelta delivered so far.
	OnRestart func()
}

// Usage counts tokens.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Response is a generation's result.
type Response struct {
	Text     string        `json:"text"`
	Usage    Usage         `json:"usage"`
	Provider string        `json:"provider"` // which provider answered
	Model    string        `json:"model"`
	Attempts int           `json:"attempts"` // tries across all providers
	Cached   bool          `json:"cached"`
	Fallback bool          `json:"fallback"` // answered by a provider other than the first choice
	Latency  time.Duration `json:"latency"`
	// Notes are sentences for the user about what happened on the way,
	// such as a provider that rejected its API key. Never secrets.
	Notes []string `json:"notes,omitempty"`
}

// Provider generates text. Implementations must honour ctx's deadline and
// must not retry: the router owns retries.
type Provider interface {
	Name() string
	Generate(ctx context.Context, req Request) (Response, error)
}

// HealthChecker is a Provider that can tell cheaply whether it answers
// (listing models, for example) without generating. The router calls it on
// its health interval.
type HealthChecker interface {
	Check(ctx context.Context) error
}

// Sentinel errors.
var (
	ErrRateLimited   = errors.New("rate limited")
	ErrUnavailable   = errors.New("provider unavailable")
	ErrMisconfigured = errors.New("provider misconfigured")
	ErrBadResponse   = errors.New("bad response from provider")
)

// Error is a provider failure with what the router branches on.
type Error struct {
	Provider   string
	Status     int           // HTTP status, 0 when none
	Retryable  bool          // worth another attempt
	RetryAfter time.Duration // from a Retry-After header, 0 when none
	Err        error         // one of the sentinels, or the cause
	Message    string        // the provider's own message, without secrets
	Network    bool          // the request never reached the provider (refused, DNS, no route)
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: status %d: %s", e.Provider, e.Status, msg)
	}
	return e.Provider + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }
