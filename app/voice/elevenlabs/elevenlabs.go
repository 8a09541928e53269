// Package elevenlabs speaks through the ElevenLabs text-to-speech API.
//
//	POST {BaseURL}/v1/text-to-speech/{voice_id}?output_format=pcm_22050
//	xi-api-key: <key>
//	{"text": "...", "model_id": "eleven_multilingual_v2"}
//
// The answer is raw 16-bit little-endian mono PCM, which the client wraps
// in a WAV header so the duration can be measured from the file.
package elevenlabs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"tubeagency/app/voice"
)

// Defaults.
const (
	DefaultBaseURL = "https://api.elevenlabs.io"
	DefaultVoiceID = "JBFqnCBsd6RMkjVDRZzb"
	DefaultModel   = "eleven_multilingual_v2"
	sampleRate     = 22050
)

// Client calls ElevenLabs. Key is required; other zero fields take defaults.
type Client struct {
	// Key returns the API key, read when needed so a key saved in Settings
	// applies at once. An empty key means not configured.
	Key func(ctx context.Context) (string, error)
	// BaseURL is the API root. Empty means DefaultBaseURL.
	BaseURL string
	// VoiceID picks the voice. Empty means DefaultVoiceID.
	VoiceID string
	// Model is the model id. Empty means DefaultModel.
	Model string
	// HTTP is the client. Nil means one with a 5-minute timeout.
	HTTP *http.Client
}

var _ voice.Engine = (*Client)(nil)

// Name is "elevenlabs".
func (c *Client) Name() string { return "elevenlabs" }

func (c *Client) key(ctx context.Context) (string, error) {
	return voice.Key(ctx, c.Key, "no ElevenLabs API key (Settings → Voice-over)")
}

// Available reports whether a key is set.
func (c *Client) Available(ctx context.Context) error {
	_, err := c.key(ctx)
	return err
}

// Synthesize asks ElevenLabs for PCM and returns it as WAV.
func (c *Client) Synthesize(ctx context.Context, req voice.Request) ([]byte, error) {
	key, err := c.key(ctx)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	voiceID := c.VoiceID
	if voiceID == "" {
		voiceID = DefaultVoiceID
	}
	model := c.Model
	if model == "" {
		model = DefaultModel
	}
	data, err := voice.Post(ctx, voice.Call{Engine: c.Name(), Key: key, Message: errorMessage, Client: c.HTTP,
		URL:    base + "/v1/text-to-speech/" + url.PathEscape(voiceID) + "?output_format=pcm_22050",
		Body:   map[string]any{"text": req.Text, "model_id": model},
		Header: map[string]string{"xi-api-key": key, "Accept": "audio/pcm"}})
	if err != nil {
		return nil, err
	}
	if len(data) < 2 {
		return nil, fmt.Errorf("elevenlabs: %w: empty audio", voice.ErrBadAudio)
	}
	if len(data)%2 == 1 {
		data = data[:len(data)-1] // a torn last sample
	}
	return voice.PCMToWAV(data, sampleRate, 1), nil
}

// errorMessage reads ElevenLabs' error body: {"detail": {"status", "message"}}
// or {"detail": "text"}.
func errorMessage(body []byte) string {
	var e struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Detail) == 0 {
		return ""
	}
	var d struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	var s string
	switch {
	case json.Unmarshal(e.Detail, &d) == nil && (d.Message != "" || d.Status != ""):
		return strings.TrimSpace(d.Status + ": " + d.Message)
	case json.Unmarshal(e.Detail, &s) == nil:
		return s
	}
	return ""
}
