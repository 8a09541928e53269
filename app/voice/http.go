package voice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MaxAudio is the most audio one request may return: 200 MB, about 75
// minutes of 22 kHz 16-bit mono.
const MaxAudio = 200 << 20

// maxMessage bounds a service's error message as shown to the user.
const maxMessage = 300

// Key reads an engine's API key through get, trimmed; a missing or empty
// key is ErrNotConfigured with the words of missing (where to add it).
func Key(ctx context.Context, get func(context.Context) (string, error), missing string) (string, error) {
	if get != nil {
		if k, err := get(ctx); err == nil && strings.TrimSpace(k) != "" {
			return strings.TrimSpace(k), nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNotConfigured, missing)
}

// Call is one request of an engine to its speech service.
type Call struct {
	Engine string // names the engine in errors
	URL    string
	Body   any               // sent as JSON
	Header map[string]string // the key and what the service asks for
	Key    string            // scrubbed from every error
	// Message reads the service's error body; nil shows the body itself.
	Message func(body []byte) string
	Client  *http.Client // nil: one with a 5-minute timeout
}

// Post sends c and returns the audio of a 200 answer (up to MaxAudio). A
// failure is an error naming the engine and, for an error answer, the
// status and the service's message, never the key.
func Post(ctx context.Context, c Call) ([]byte, error) {
	body, err := json.Marshal(c.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: encode request: %w", c.Engine, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", c.Engine, Redact(err.Error(), c.Key))
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	hc := c.Client
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: unreachable: %s", c.Engine, Redact(err.Error(), c.Key))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAudio))
	if err != nil {
		return nil, fmt.Errorf("%s: read audio: %s", c.Engine, Redact(err.Error(), c.Key))
	}
	if resp.StatusCode != http.StatusOK {
		msg := ""
		if c.Message != nil {
			msg = c.Message(data)
		}
		if msg == "" {
			msg = strings.TrimSpace(string(data))
		}
		if r := []rune(msg); len(r) > maxMessage {
			msg = string(r[:maxMessage])
		}
		return nil, fmt.Errorf("%s: status %d: %s", c.Engine, resp.StatusCode, Redact(msg, c.Key))
	}
	return data, nil
}

// Redact replaces every occurrence of key in s.
func Redact(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[key]")
}
