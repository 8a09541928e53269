// Package studio builds a video package in persisted steps: ideas, scored
// title options, a timed script, a description with chapters, tags,
// thumbnail text and a voice-over.
//
// Each step asks a Generator (the provider router, which falls back to
// local templates offline), parses the plain-text answer leniently, and
// saves its result at once through the store's outbox, so a cancelled or
// interrupted run leaves every finished step in place and Run resumes at
// the first unfinished one.
package studio

import (
	"context"
	"errors"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/voice"
	"tubeagency/internal/store"
	"tubeagency/providers"
)

// Step names, in pipeline order.
const (
	StepIdeas       = "ideas"
	StepTitles      = "titles"
	StepScript      = "script"
	StepDescription = "description"
	StepTags        = "tags"
	StepThumbnail   = "thumbnail"
	StepVoice       = "voice"
)

// Steps lists the steps in the order Run performs them.
var Steps = []string{StepIdeas, StepTitles, StepScript, StepDescription, StepTags, StepThumbnail, StepVoice}

// Step states, as saved in store.StepState.Status.
const (
	StatePending   = "pending"
	StateRunning   = "running"
	StateDone      = "done"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
	StateSkipped   = "skipped"
)

// Sentinel errors.
var (
	// ErrBusy reports a package that is already being generated.
	ErrBusy = errors.New("this package is already being generated: wait for it to finish or cancel it")
	// ErrCancelled reports a run stopped by Cancel or its context.
	ErrCancelled = errors.New("generation cancelled")
	// ErrUnknownStep reports a step name outside Steps.
	ErrUnknownStep = errors.New("unknown step")
	// ErrThinAnswer reports an answer too poor to use after retries (for
	// example fewer than five titles).
	ErrThinAnswer = errors.New("the answer was too short to use")
	// ErrNeedsEarlierStep reports a step run before the steps it builds on.
	ErrNeedsEarlierStep = errors.New("an earlier step has not finished")
	// ErrMoved, as the cause of a run's cancelled context
	// (context.WithCancelCause), stops the run without saving the step it
	// was in: the package's work moved to another device, whose saves this
	// device's "cancelled" must not overwrite.
	ErrMoved = errors.New("the work on this package moved to another device")
)

// Generator produces text for one request: the provider router.
type Generator interface {
	Generate(ctx context.Context, req providers.Request) (providers.Response, error)
}

// Score is a title's predicted performance.
type Score struct {
	Value    float64  `json:"value"` // 0–100
	Features []string `json:"features,omitempty"`
}

// TitleScorer predicts how well a title will do on a channel.
type TitleScorer interface {
	ScoreTitle(ctx context.Context, channelID, title, thumbnail string) (Score, error)
}

// TrendSource lists what is trending for a channel's niche, newest first.
type TrendSource interface {
	Trends(ctx context.Context, channelID string) ([]string, error)
}

// Voicer writes a voice-over file: *voice.Chain.
type Voicer interface {
	Synthesize(ctx context.Context, req voice.Request, path string) (voice.Result, error)
}

// ActivityLogger records an activity entry inside a mutation.
type ActivityLogger func(m *store.Mutation, channelID, kind, message string, data any) error

// Config wires a Studio. Store and Generator are required.
type Config struct {
	Store     *store.Store
	Generator Generator
	// Scorer scores titles. Nil means HeuristicScorer.
	Scorer TitleScorer
	// Trends feeds the ideas step. Nil means ideas come from the niche alone.
	Trends TrendSource
	// Voice writes voice-overs. Nil means the voice step fails with
	// voice.ErrNoEngine's message.
	Voice Voicer
	// AudioDir is where voice-overs are written. Empty means "audio" under
	// the database's folder.
	AudioDir string
	// Emit receives job progress events. Nil discards them.
	Emit events.Emitter
	// LogActivity records finished and failed runs. Nil records nothing.
	LogActivity ActivityLogger
	// Now is the clock. Nil means the store's clock.
	Now func() time.Time
}
