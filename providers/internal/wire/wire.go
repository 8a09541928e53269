// Package wire holds what the HTTP provider clients share: turning a
// status and body into a *providers.Error, reading Retry-After, scrubbing
// secrets from provider messages and reading server-sent events.
package wire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tubeagency/providers"
)

// MaxBody bounds how much of a response body is read.
const MaxBody = 4 << 20

// RetryAfter reads a Retry-After header: delay seconds or an HTTP date.
// Zero when absent or unreadable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Scrub removes secret from msg and bounds its length, so a provider that
// echoes the key it was sent cannot leak it into errors or logs.
func Scrub(msg, secret string) string {
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// StatusError classifies a non-2xx answer. message is the provider's own
// error message (already scrubbed), empty when the body was not the
// provider's JSON (an HTML page from a proxy, for example).
func StatusError(provider string, status int, h http.Header, message string, now time.Time) *providers.Error {
	e := &providers.Error{Provider: provider, Status: status, Message: message}
	switch {
	case status == 401 || status == 403:
		e.Err = providers.ErrMisconfigured
		if e.Message == "" {
			e.Message = "the API key was rejected"
		}
	case status == 404:
		e.Err = providers.ErrMisconfigured
		if e.Message == "" {
			e.Message = "the endpoint or model was not found"
		}
	case status == 429:
		e.Err, e.Retryable = providers.ErrRateLimited, true
		e.RetryAfter = RetryAfter(h, now)
	case status == 408 || status >= 500:
		e.Err, e.Retryable = providers.ErrUnavailable, true
		e.RetryAfter = RetryAfter(h, now)
	default:
		e.Err = providers.ErrBadResponse
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// TransportError classifies an error from sending the request or reading
// the body. A cancelled or expired ctx is returned as ctx's error.
func TransportError(ctx context.Context, provider string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", provider, ctxErr)
	}
	msg := "the server could not be reached"
	network := false
	var ne net.Error
	var oe *net.OpError
	var dns *net.DNSError
	switch {
	case errors.As(err, &oe) && oe.Op == "dial", errors.As(err, &dns):
		msg = "the server refused the connection or could not be reached"
		network = true
	case errors.As(err, &ne) && ne.Timeout():
		msg = "the server did not answer in time"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		msg = "the connection closed before the answer was complete"
	}
	return &providers.Error{Provider: provider, Retryable: true, Err: providers.ErrUnavailable, Message: msg, Network: network}
}

// BadResponse reports an answer that is not what the wire format promises.
func BadResponse(provider, what string) error {
	return &providers.Error{Provider: provider, Retryable: true, Err: providers.ErrBadResponse, Message: what}
}

// Events reads server-sent events from r, calling fn with each event's
// name (empty when the stream has none) and data. It stops at the end of
// the stream or when fn returns done or an error.
func Events(r io.Reader, fn func(event, data string) (done bool, err error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxBody)
	var event string
	var data strings.Builder
	flush := func() (bool, error) {
		if data.Len() == 0 {
			event = ""
			return false, nil
		}
		done, err := fn(event, data.String())
		event = ""
		data.Reset()
		return done, err
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if done, err := flush(); done || err != nil {
				return err
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if _, err := flush(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF // the stream ended without its terminator
}
