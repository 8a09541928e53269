// Package httpcap caps how much of an HTTP answer a client reads. Clients
// generated for remote APIs (YouTube Data and Analytics through
// google.golang.org/api) decode whole bodies; wrapping their transport
// makes an endless or oversized answer an error instead of memory.
package httpcap

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is returned by a capped body's Read once the answer runs
// past its cap.
var ErrTooLarge = errors.New("the answer is larger than this client accepts")

// Transport caps every response body it passes on at Max bytes.
type Transport struct {
	// Base sends the requests. Nil means http.DefaultTransport.
	Base http.RoundTripper
	// Max is the most bytes a body may hold. Zero or less means 32 MiB.
	Max int64
	// MaxFor, when set, gives a request's own cap (e.g. larger for
	// downloads); a result of zero or less means Max.
	MaxFor func(*http.Request) int64
}

// DefaultMax is the cap when Transport.Max is zero.
const DefaultMax = 32 << 20

// Client returns an *http.Client whose answers are capped at max bytes,
// sending through base (nil: http.DefaultTransport).
func Client(base http.RoundTripper, max int64) *http.Client {
	return &http.Client{Transport: &Transport{Base: base, Max: max}}
}

// RoundTrip sends req and wraps the answer's body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	max := t.Max
	if t.MaxFor != nil {
		if m := t.MaxFor(req); m > 0 {
			max = m
		}
	}
	if max <= 0 {
		max = DefaultMax
	}
	if resp.ContentLength > max {
		resp.Body.Close()
		// The query is left out: API keys travel in it.
		return nil, fmt.Errorf("%s %s%s: %w (%d bytes, the cap is %d)", req.Method, req.URL.Host, req.URL.Path, ErrTooLarge, resp.ContentLength, max)
	}
	resp.Body = &body{rc: resp.Body, left: max}
	return resp, nil
}

type body struct {
	rc   io.ReadCloser
	left int64 // bytes still allowed
}

func (b *body) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	// Read one byte past the cap to tell "exactly max" from "more".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = -1
		return n, ErrTooLarge
	}
	b.left -= int64(n)
	return n, err
}

func (b *body) Close() error { return b.rc.Close() }
