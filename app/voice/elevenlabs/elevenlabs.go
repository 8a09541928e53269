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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tubeagency/app/voice"
)

// Defaults.
const (
	DefaultBaseURL = "https://api.elevenlabs.io"
	DefaultVoiceID = "JBFqnCBsd6RMkjVDRZzb"
	DefaultModel   = "eleven_multilingual_v2"
	sampleRate     = 22050
	maxAudio       = 200 << 20
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
	if c.Key == nil {
		return "", fmt.Errorf("%w: no ElevenLabs API key (Settings → Voice-over)", voice.ErrNotConfigured)
	}
	k, err := c.Key(ctx)
	if err != nil || strings.TrimSpace(k) == "" {
		return "", fmt.Errorf("%w: no ElevenLabs API key (Settings → Voice-over)", voice.ErrNotConfigured)
	}
	return strings.TrimSpace(k), nil
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
	body, _ := json.Marshal(map[string]any{"text": req.Text, "model_id": model})
	u := base + "/v1/text-to-speech/" + url.PathEscape(voiceID) + "?output_format=pcm_22050"
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("elevenlabs: %w", err)
	}
	hreq.Header.Set("xi-api-key", key)
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "audio/pcm")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("elevenlabs: unreachable: %w", redact(err, key))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAudio))
	if err != nil {
		return nil, fmt.Errorf("elevenlabs: read audio: %w", redact(err, key))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("elevenlabs: status %d: %s", resp.StatusCode, errorMessage(data, key))
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
// or {"detail": "text"}, never echoing the key.
func errorMessage(body []byte, key string) string {
	var e struct {
		Detail json.RawMessage `json:"detail"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil && len(e.Detail) > 0 {
		var d struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(e.Detail, &d) == nil && (d.Message != "" || d.Status != ""):
			msg = strings.TrimSpace(d.Status + ": " + d.Message)
		case json.Unmarshal(e.Detail, &s) == nil:
			msg = s
		}
	}
	if msg == "" {
		msg = strings.TrimSpace(string(body))
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "[key]")
	}
	return msg
}

func redact(err error, key string) error {
	if key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), key, "[key]"))
}
