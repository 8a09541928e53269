package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"tubeagency/providers"
)

// MaxErrorBody is the most of an error answer read for its message.
const MaxErrorBody = 64 << 10

// Endpoint is the plumbing every provider client shares: how to reach
// one provider, authenticate and read its error bodies. The clients keep
// only their own request and answer shapes.
type Endpoint struct {
	// Provider names the provider in errors.
	Provider string
	// Client sends requests; the caller's ctx bounds each one.
	Client *http.Client
	// Key returns the API key at call time, "" for none.
	Key func() (string, error)
	// Header sets the provider's headers on every request: the key (when
	// not empty) and any fixed ones, such as an API version.
	Header func(h http.Header, key string)
	// ErrorMessage reads the provider's message from an error body,
	// scrubbed of key; "" when the body is not the provider's JSON.
	ErrorMessage func(raw []byte, key string) string
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time
}

// request builds one request with the provider's headers. body, when not
// nil, is sent as JSON.
func (e Endpoint) request(ctx context.Context, method, url string, body any) (*http.Request, string, error) {
	key, err := e.Key()
	if err != nil {
		return nil, "", &providers.Error{Provider: e.Provider, Err: providers.ErrMisconfigured, Message: "no API key is set"}
	}
	var r io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, "", fmt.Errorf("%s: encode request: %w", e.Provider, err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, "", &providers.Error{Provider: e.Provider, Err: providers.ErrMisconfigured, Message: "the base URL is not valid"}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	e.Header(req.Header, key)
	return req, key, nil
}

// Post sends body as JSON to url and returns the answer of a 2xx status,
// its body reporting every read to the router (providers.Progress); the
// caller closes it. stream asks for server-sent events. Any other status
// becomes a *providers.Error carrying the provider's message, a failed
// send a transport error.
func (e Endpoint) Post(ctx context.Context, url string, body any, stream bool) (*http.Response, error) {
	req, key, err := e.request(ctx, http.MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		return nil, TransportError(ctx, e.Provider, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
		return nil, StatusError(e.Provider, resp.StatusCode, resp.Header, e.ErrorMessage(raw, key), e.Now())
	}
	resp.Body = ProgressBody(resp.Body, providers.Progress(ctx))
	return resp, nil
}

// Check lists the models at url, which proves the endpoint answers and the
// key is accepted without generating (see CheckResponse).
func (e Endpoint) Check(ctx context.Context, url string) error {
	req, key, err := e.request(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		return TransportError(ctx, e.Provider, err)
	}
	defer resp.Body.Close()
	return CheckResponse(ctx, e.Provider, resp, e.Now(), func(raw []byte) string { return e.ErrorMessage(raw, key) })
}

// ReadWhole reads a whole (not streamed) answer, up to MaxBody.
func ReadWhole(ctx context.Context, provider string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBody))
	if err != nil {
		return nil, TransportError(ctx, provider, err)
	}
	return raw, nil
}

// ReadAnswer reads a 2xx answer: as server-sent events when a stream was
// asked for and the server sent one, whole otherwise (a server may answer
// a stream request with one JSON body).
func ReadAnswer(resp *http.Response, stream bool, readStream, readWhole func(io.Reader) error) error {
	if stream && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return readStream(resp.Body)
	}
	return readWhole(resp.Body)
}

// DecodeWhole reads a whole answer (up to MaxBody) into v.
func DecodeWhole(ctx context.Context, provider string, r io.Reader, v any) error {
	raw, err := ReadWhole(ctx, provider, r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return BadResponse(provider, "the answer was not valid JSON (it may have been cut off)")
	}
	return nil
}

// ReadStream reads an answer streamed as server-sent events. event reads
// one event and returns the text it adds (may be empty) and whether the
// stream is done; ReadStream passes each piece to onDelta and returns the
// whole text. A stream cut short, a failed read or a stream without text
// becomes a *providers.Error.
func ReadStream(ctx context.Context, provider string, r io.Reader, onDelta func(string),
	event func(name, data string) (delta string, done bool, err error)) (string, error) {
	var text strings.Builder
	err := Events(r, func(name, data string) (bool, error) {
		d, done, err := event(name, data)
		if err != nil {
			return false, err
		}
		if d != "" {
			text.WriteString(d)
			onDelta(d)
		}
		return done, nil
	})
	if err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) {
			return "", err
		}
		if errors.Is(err, io.ErrUnexpectedEOF) && ctx.Err() == nil {
			return "", BadResponse(provider, "the stream ended before it was complete")
		}
		return "", TransportError(ctx, provider, err)
	}
	if strings.TrimSpace(text.String()) == "" {
		return "", BadResponse(provider, "the answer had no text")
	}
	return text.String(), nil
}

// StreamError is the error a stream reports in one of its events.
func StreamError(provider string) error {
	return &providers.Error{Provider: provider, Retryable: true, Err: providers.ErrUnavailable, Message: "the stream ended with an error"}
}
