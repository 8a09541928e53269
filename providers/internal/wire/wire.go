// Package wire holds what the HTTP provider clients share: turning a
// status and body into a *providers.Error, reading Retry-After and the
// providers' rate-limit reset headers, scrubbing secrets from provider
// messages, reporting the progress of a body, reading server-sent events
// and checking a model list.
package wire

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tubeagency/providers"
)

// MaxBody bounds how much of a response body is read.
const MaxBody = 4 << 20

// MaxWait caps what a provider may ask the router to wait, so a header
// with an absurd value cannot park a provider for longer than a day.
const MaxWait = 24 * time.Hour

// RetryAfter reads a Retry-After header: delay seconds or an HTTP date.
// Zero when absent or unreadable; at most MaxWait.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return seconds(secs)
	}
	if t, err := http.ParseTime(v); err == nil {
		return capWait(t.Sub(now))
	}
	return 0
}

// seconds turns a number of seconds into a wait in [0, MaxWait]; NaN is 0.
func seconds(secs float64) time.Duration {
	if !(secs > 0) { // also false for NaN
		return 0
	}
	if secs >= MaxWait.Seconds() {
		return MaxWait
	}
	return time.Duration(secs * float64(time.Second))
}

func capWait(d time.Duration) time.Duration { return min(max(d, 0), MaxWait) }

// rateLimits are the reset headers of the limits providers report, each
// with the header holding how much of that limit is left: OpenAI, Groq and
// Together send the x-ratelimit-* pair (a reset such as "1s", "6m0s" or
// "2m59.56s"), Anthropic the anthropic-ratelimit-* ones (an RFC 3339 time).
var rateLimits = [][2]string{
	{"X-Ratelimit-Reset-Requests", "X-Ratelimit-Remaining-Requests"},
	{"X-Ratelimit-Reset-Tokens", "X-Ratelimit-Remaining-Tokens"},
	{"Anthropic-Ratelimit-Requests-Reset", "Anthropic-Ratelimit-Requests-Remaining"},
	{"Anthropic-Ratelimit-Tokens-Reset", "Anthropic-Ratelimit-Tokens-Remaining"},
	{"Anthropic-Ratelimit-Input-Tokens-Reset", "Anthropic-Ratelimit-Input-Tokens-Remaining"},
	{"Anthropic-Ratelimit-Output-Tokens-Reset", "Anthropic-Ratelimit-Output-Tokens-Remaining"},
}

// RateLimitReset reads how long until the provider's spent rate limit
// resets, from its x-ratelimit-reset-* or anthropic-ratelimit-*-reset
// headers. When a limit reports nothing remaining, the latest reset among
// such limits counts (the request needs all of them); when none says so,
// the earliest reset does. Zero when no header is readable; at most MaxWait.
func RateLimitReset(h http.Header, now time.Time) time.Duration {
	var spent, any time.Duration
	for _, l := range rateLimits {
		v := h.Get(l[0])
		if v == "" {
			continue
		}
		d := ParseReset(v, now)
		if d <= 0 {
			continue
		}
		if rem := strings.TrimSpace(h.Get(l[1])); rem != "" {
			if n, err := strconv.ParseFloat(rem, 64); err == nil && n <= 0 {
				spent = max(spent, d)
			}
		}
		if any == 0 || d < any {
			any = d
		}
	}
	if spent > 0 {
		return spent
	}
	return any
}

// ParseReset reads one rate-limit reset value: a Go-style duration ("1s",
// "6m0s", "2m59.56s", "20ms"), optionally led by days ("1d2h"), a number of
// seconds, a Unix time in seconds, or an RFC 3339 time. Zero when
// unreadable or in the past; at most MaxWait.
func ParseReset(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 64 {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n > 1e9 { // a Unix time, not a delay
			return seconds(n - float64(now.UnixNano())/1e9)
		}
		return seconds(n)
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return capWait(t.Sub(now))
	}
	if i := strings.IndexByte(v, 'd'); i > 0 { // "1d2h3m": a day or more is MaxWait
		n, err := strconv.Atoi(v[:i])
		switch {
		case err != nil || n < 0:
			return 0
		case n >= 1:
			return MaxWait
		}
		v = v[i+1:]
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0
	}
	return capWait(d)
}

// Wait is how long a failed answer asks the client to stay away: for a
// 429, Retry-After or else the rate-limit reset headers; for 503 and
// other server errors, Retry-After only. Zero when the answer names no time.
func Wait(status int, h http.Header, now time.Time) time.Duration {
	if d := RetryAfter(h, now); d > 0 {
		return d
	}
	if status == http.StatusTooManyRequests {
		return RateLimitReset(h, now)
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
	if secret != "" { // again: folding whitespace may have formed it
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	if len(msg) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
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
		e.RetryAfter = Wait(status, h, now)
	case status == 408 || status >= 500:
		e.Err, e.Retryable = providers.ErrUnavailable, true
		e.RetryAfter = Wait(status, h, now)
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

// ProgressBody wraps a response body so that every read that returns
// bytes calls progress (see providers.Progress).
func ProgressBody(body io.ReadCloser, progress func()) io.ReadCloser {
	return &progressBody{ReadCloser: body, progress: progress}
}

type progressBody struct {
	io.ReadCloser
	progress func()
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.progress()
	}
	return n, err
}

// MaxModelList bounds how much of a model list a health check reads.
const MaxModelList = 1 << 20

// ModelList checks a model list, the body of a health check: the OpenAI
// and Anthropic shape {"data":[…]} or a bare JSON array (GitHub Models'
// catalog). It returns how many models it names, or an error saying what
// is wrong: an empty body, something other than JSON, or JSON of another
// shape.
func ModelList(raw []byte) (int, error) {
	trimmed := bytes.Trim(raw, " \t\r\n") // JSON's whitespace, not Unicode's
	if len(trimmed) == 0 {
		return 0, errors.New("the model list was empty")
	}
	if !json.Valid(trimmed) {
		return 0, errors.New("the model list was not valid JSON")
	}
	notList := errors.New("the answer was not a model list")
	var list []json.RawMessage
	if trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return 0, notList
		}
		return len(list), nil
	}
	var obj struct {
		Data *[]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(trimmed, &obj); err != nil || obj.Data == nil {
		return 0, notList
	}
	return len(*obj.Data), nil
}

// CheckResponse reads a health check's answer: a non-2xx status becomes a
// *providers.Error like any other; a 2xx body must arrive whole before ctx
// ends and be a model list (see ModelList). message reads the provider's
// own error message from an error body.
func CheckResponse(ctx context.Context, provider string, resp *http.Response, now time.Time, message func([]byte) string) error {
	if resp.StatusCode/100 != 2 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return StatusError(provider, resp.StatusCode, resp.Header, message(raw), now)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxModelList+1))
	if err != nil {
		if ctx.Err() != nil {
			return &providers.Error{Provider: provider, Retryable: true, Err: providers.ErrUnavailable,
				Message: "the model list did not arrive in time"}
		}
		return TransportError(ctx, provider, err)
	}
	if len(raw) > MaxModelList {
		return BadResponse(provider, "the model list was larger than 1 MiB")
	}
	if _, err := ModelList(raw); err != nil {
		return BadResponse(provider, err.Error())
	}
	return nil
}
