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
	"strings"
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
	// Background says whether anyone waits for the answer. False (the
	// zero value) is an interactive request: someone is looking at the
	// screen, so the router never sleeps for it while another provider can
	// answer, sends nothing to a provider in a cooldown, moves to the next
	// provider at the first retryable failure and retries a failing one
	// only when no other is left. True is background work (the autopilot):
	// it may wait for a rate-limit token or for a cooldown to end within
	// its deadline when no other provider can answer, and retries a
	// failing provider in place before moving on.
	Background bool
	// NoCache bypasses the cache ("Regenerate").
	NoCache bool
	// OnDelta, when set, receives streamed text as it arrives.
	OnDelta func(text string)
	// OnRestart, when set, is called when the text OnDelta delivered so
	// far is void: an attempt that had streamed part of its answer failed
	// and another attempt (another provider, the same one again, or the
	// local templates) starts over. The caller clears what it showed; the
	// answer that follows through OnDelta is the whole answer.
	OnRestart func(Restart)
	// JSON asks for the answer as one JSON object (the shape is described in
	// User). OpenAI-compatible servers get response_format json_object. The
	// local templates ignore it and answer in the task's plain-text shape.
	JSON bool
	// Validate, when set, judges an answer before it is accepted: nil
	// accepts it, an *Invalid lists what is wrong with a readable answer,
	// any other error says it cannot be read at all. Model providers run it
	// through Repair: a readable answer that fails is sent back once with
	// its problems listed; an answer that still fails, or cannot be read,
	// is a non-retryable ErrBadResponse, so the router moves on to the next
	// provider. The local templates do not call it.
	Validate func(text string) error
}

// Restart tells a streaming caller who starts over after an attempt
// failed partway, so it can clear the partial text and say "switched to
// Anthropic".
type Restart struct {
	// Provider is the name of the provider that answers now ("templates"
	// for the local templates).
	Provider string `json:"provider"`
	// Label is its name for people ("Anthropic", "Local templates").
	Label string `json:"label"`
	// From is the label of the provider whose partial answer is void.
	From string `json:"from"`
	// Reason says in plain words why that answer stopped.
	Reason string `json:"reason"`
}

type progressKey struct{}

type restartKey struct{}

// WithRestart returns a context that carries fn. A Provider that asks its
// model again within one Generate call (Repair) calls the function of its
// ctx (see Restarted) before the second answer streams, so the caller drops
// the first answer's text. reason says in plain words why it was dropped,
// after the provider's name ("answered with text that failed its checks").
func WithRestart(ctx context.Context, fn func(reason string)) context.Context {
	return context.WithValue(ctx, restartKey{}, fn)
}

// Restarted is the restart function ctx carries, or nil.
func Restarted(ctx context.Context) func(reason string) {
	if fn, ok := ctx.Value(restartKey{}).(func(string)); ok {
		return fn
	}
	return nil
}

// WithProgress returns a context that carries fn. A Provider calls the
// function of its ctx (see Progress) each time its answer makes progress:
// when bytes of the answer arrive. The router uses it to tell a provider
// that has not started answering, or went quiet partway, from one that is
// still writing.
func WithProgress(ctx context.Context, fn func()) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// Progress is the progress function ctx carries, or a function that does
// nothing. Providers that cannot report progress are judged on their whole
// answer.
func Progress(ctx context.Context) func() {
	if fn, ok := ctx.Value(progressKey{}).(func()); ok && fn != nil {
		return fn
	}
	return func() {}
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
	Provider  string
	Status    int  // HTTP status, 0 when none
	Retryable bool // worth another attempt
	// RetryAfter is how long the provider asked to be left alone, from
	// Retry-After or, on a 429, its rate-limit reset headers
	// (x-ratelimit-reset-*, anthropic-ratelimit-*-reset). 0 when it named
	// no time.
	RetryAfter time.Duration
	Err        error  // one of the sentinels, or the cause
	Message    string // the provider's own message, without secrets
	Network    bool   // the request never reached the provider (refused, DNS, no route)
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

// Invalid is an answer that could be read but fails checks: Problems are
// sentences naming each one, sent back to the model in the repair request.
type Invalid struct {
	Problems []string
}

func (e *Invalid) Error() string {
	return fmt.Sprintf("the answer fails %d checks: %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// Repair runs generate on req and, when req.Validate is set, holds the
// answer to it: an answer that passes is returned; one that can be read
// but fails (an *Invalid) is asked for again once, with the list of
// problems added to the request; one that still fails, or that cannot be
// read, becomes a non-retryable *Error wrapping ErrBadResponse naming
// provider, so the router tries the next provider. The response of a
// repaired answer counts both calls in Attempts and its usage.
func Repair(ctx context.Context, req Request, provider string, generate func(context.Context, Request) (Response, error)) (Response, error) {
	resp, err := generate(ctx, req)
	if err != nil || req.Validate == nil {
		return resp, err
	}
	verr := req.Validate(resp.Text)
	if verr == nil {
		return resp, nil
	}
	var inv *Invalid
	if !errors.As(verr, &inv) {
		return Response{}, &Error{Provider: provider, Err: ErrBadResponse, Message: "the answer was not the JSON asked for: " + verr.Error()}
	}
	// The first answer streamed out is dropped: through the router, the
	// router tells the caller; called directly, OnRestart does.
	const why = "answered with text that failed its checks, so it was asked again."
	if fn := Restarted(ctx); fn != nil {
		fn(why)
	} else if req.OnRestart != nil {
		req.OnRestart(Restart{Provider: provider, Label: provider, From: provider, Reason: provider + " " + why})
	}
	fix := req
	fix.User = req.User + "\n\nYour previous answer did not pass these checks:\n- " + strings.Join(inv.Problems, "\n- ") +
		"\nAnswer again with the whole corrected JSON object and nothing else."
	fixed, err := generate(ctx, fix)
	if err != nil {
		return Response{}, err
	}
	if verr := req.Validate(fixed.Text); verr != nil {
		return Response{}, &Error{Provider: provider, Err: ErrBadResponse, Message: "the answer still failed after one repair: " + verr.Error()}
	}
	fixed.Attempts = max(resp.Attempts, 1) + max(fixed.Attempts, 1)
	fixed.Usage.InputTokens += resp.Usage.InputTokens
	fixed.Usage.OutputTokens += resp.Usage.OutputTokens
	return fixed, nil
}
