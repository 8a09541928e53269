// Package openai speaks through OpenAI's text-to-speech endpoint.
//
//	POST {BaseURL}/v1/audio/speech
//	Authorization: Bearer <key>
//	{"model": "gpt-4o-mini-tts", "input": "...", "voice": "alloy", "response_format": "wav"}
//
// The answer is a WAV file; errors are {"error": {"message", "type", "code"}}.
package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"tubeagency/app/voice"
)

// Defaults.
const (
	DefaultBaseURL = "https://api.openai.com"
	DefaultModel   = "gpt-4o-mini-tts"
	DefaultVoice   = "alloy"
	maxInput       = 4096 // characters per request, OpenAI's limit
)

// Client calls OpenAI TTS. Key is required; other zero fields take defaults.
type Client struct {
	// Key returns the API key when needed. An empty key means not configured.
	Key func(ctx context.Context) (string, error)
	// BaseURL is the API root. Empty means DefaultBaseURL.
	BaseURL string
	// Model is the TTS model. Empty means DefaultModel.
	Model string
	// Voice is the voice name. Empty means DefaultVoice.
	Voice string
	// HTTP is the client. Nil means one with a 5-minute timeout.
	HTTP *http.Client
}

var _ voice.Engine = (*Client)(nil)

// Name is "openai-tts".
func (c *Client) Name() string { return "openai-tts" }

func (c *Client) key(ctx context.Context) (string, error) {
	return voice.Key(ctx, c.Key, "no OpenAI API key (Settings → Providers)")
}

// Available reports whether a key is set.
func (c *Client) Available(ctx context.Context) error {
	_, err := c.key(ctx)
	return err
}

// Synthesize asks for WAV audio. Text longer than one request allows is
// spoken in parts, cut at sentence ends, and the parts' samples joined.
func (c *Client) Synthesize(ctx context.Context, req voice.Request) ([]byte, error) {
	key, err := c.key(ctx)
	if err != nil {
		return nil, err
	}
	var pcm []byte
	var first voice.WAVInfo
	var header []byte
	for i, part := range split(req.Text, maxInput) {
		wav, err := c.speak(ctx, key, part, req)
		if err != nil {
			return nil, err
		}
		info, err := voice.ParseWAV(wav)
		if err != nil {
			return nil, fmt.Errorf("openai-tts: %w", err)
		}
		if i == 0 {
			first = info
			header = wav
		} else if info.SampleRate != first.SampleRate || info.Channels != first.Channels || info.BitsPerSample != first.BitsPerSample {
			return nil, fmt.Errorf("openai-tts: %w: parts differ in format", voice.ErrBadAudio)
		}
		pcm = append(pcm, wav[len(wav)-int(info.DataBytes):]...)
	}
	if len(header) == 0 {
		return nil, voice.ErrEmptyText
	}
	if first.BitsPerSample != 16 {
		return header, nil
	}
	return voice.PCMToWAV(pcm, first.SampleRate, first.Channels), nil
}

func (c *Client) speak(ctx context.Context, key, text string, req voice.Request) ([]byte, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	model, vc := c.Model, c.Voice
	if model == "" {
		model = DefaultModel
	}
	if vc == "" {
		vc = DefaultVoice
	}
	payload := map[string]any{"model": model, "input": text, "voice": vc, "response_format": "wav"}
	if req.WordsPerMinute > 0 {
		// OpenAI's natural pace is about 150 words per minute.
		payload["speed"] = min(max(float64(req.WordsPerMinute)/150, 0.25), 4)
	}
	return voice.Post(ctx, voice.Call{Engine: c.Name(), URL: base + "/v1/audio/speech", Body: payload, Key: key,
		Header: map[string]string{"Authorization": "Bearer " + key}, Message: errorMessage, Client: c.HTTP})
}

// errorMessage reads OpenAI's {"error": {"message", "type", "code"}}.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil {
		return e.Error.Message
	}
	return ""
}

// split cuts text into parts of at most n bytes, preferring sentence ends.
func split(text string, n int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for len(text) > n {
		cut := strings.LastIndexAny(text[:n], ".!?\n")
		if cut < n/2 {
			cut = strings.LastIndexByte(text[:n], ' ')
		}
		if cut <= 0 {
			cut = n - 1
		}
		parts = append(parts, strings.TrimSpace(text[:cut+1]))
		text = strings.TrimSpace(text[cut+1:])
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}
