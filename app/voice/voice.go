// Package voice turns a script into a voice-over file.
//
// An Engine synthesises speech as WAV audio; engines live in subpackages
// named after what they wrap (elevenlabs, openai, espeak). A Chain tries
// its engines in order, skipping those that are not set up (no API key, no
// binary) and moving on when one fails, writes the audio into a folder of
// the data directory and measures its duration from the file it wrote.
package voice

import (
	"tubeagency/internal/atomicfile"

	"context"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors.
var (
	// ErrNotConfigured reports an engine that cannot run here: no API key,
	// or its program is not installed.
	ErrNotConfigured = errors.New("voice engine not configured")
	// ErrNoEngine reports that no engine of a chain is set up.
	ErrNoEngine = errors.New("no voice engine is available: add an ElevenLabs key in Settings → Voice-over or an OpenAI key in Settings → Providers, or install espeak-ng (on Debian: sudo apt install espeak-ng)")
	// ErrBadAudio reports audio that is not a WAV file this package can read.
	ErrBadAudio = errors.New("audio is not a readable WAV file")
	// ErrEmptyText reports a request with nothing to say.
	ErrEmptyText = errors.New("nothing to voice: the script is empty")
)

// Request is one text to speak.
type Request struct {
	Text string
	// Language is a BCP 47 code such as "en" or "pt-BR"; empty means "en".
	Language string
	// WordsPerMinute is the speaking rate the script was timed at; zero
	// means the engine's default.
	WordsPerMinute int
}

// Engine synthesises speech. Implementations return a complete WAV file.
type Engine interface {
	Name() string
	// Available returns nil when the engine can run, or an error wrapping
	// ErrNotConfigured that says what is missing.
	Available(ctx context.Context) error
	Synthesize(ctx context.Context, req Request) ([]byte, error)
}

// Result is a written voice-over.
type Result struct {
	Path     string  `json:"path"`
	Engine   string  `json:"engine"`
	Seconds  float64 `json:"seconds"`
	Bytes    int64   `json:"bytes"`
	MimeType string  `json:"mime_type"`
	// Skipped lists engines that were tried first and why they were passed over.
	Skipped []string `json:"skipped,omitempty"`
}

// Chain tries engines in order. The zero value has no engines and reports
// ErrNoEngine.
type Chain struct {
	Engines []Engine
}

// Synthesize speaks req with the first engine that works and writes the
// audio to path (atomically: a reader never sees half a file). The
// duration comes from the written file's WAV header and data size.
func (c *Chain) Synthesize(ctx context.Context, req Request, path string) (Result, error) {
	if strings.TrimSpace(req.Text) == "" {
		return Result{}, ErrEmptyText
	}
	if req.Language == "" {
		req.Language = "en"
	}
	var skipped []string
	var failures []error
	tried := 0
	for _, e := range c.Engines {
		if err := e.Available(ctx); err != nil {
			skipped = append(skipped, e.Name()+": "+err.Error())
			continue
		}
		tried++
		audio, err := e.Synthesize(ctx, req)
		if err == nil {
			var info WAVInfo
			info, err = ParseWAV(audio)
			if err == nil && info.DataBytes == 0 {
				err = fmt.Errorf("%w: no samples", ErrBadAudio)
			}
			if err == nil {
				if err := writeAtomic(path, audio); err != nil {
					return Result{}, err
				}
				written, err := ReadWAVFile(path)
				if err != nil {
					return Result{}, err
				}
				return Result{Path: path, Engine: e.Name(), Seconds: written.Seconds, Bytes: int64(len(audio)),
					MimeType: "audio/wav", Skipped: skipped}, nil
			}
		}
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		skipped = append(skipped, e.Name()+": "+err.Error())
		failures = append(failures, fmt.Errorf("%s: %w", e.Name(), err))
	}
	if tried == 0 {
		return Result{}, ErrNoEngine
	}
	return Result{}, fmt.Errorf("voice-over: every engine failed: %w", errors.Join(failures...))
}

// Available reports the names of the engines that can run now.
func (c *Chain) Available(ctx context.Context) []string {
	var names []string
	for _, e := range c.Engines {
		if e.Available(ctx) == nil {
			names = append(names, e.Name())
		}
	}
	return names
}

func writeAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("write voice-over: %w", err)
	}
	return nil
}
