package fake

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// pipeTransport serves requests with a handler in process: the handler runs
// in its own goroutine and writes into an io.Pipe that is the response
// body, so the client sees headers as soon as the handler writes them and
// each body write as it happens, exactly as over a socket. The request's
// context ends the exchange: waiting for headers returns its error, and a
// read of the body fails with it. Hijacking the connection and closing it
// cuts the body short (io.ErrUnexpectedEOF) or, before any header, makes
// the request fail with io.EOF, as a reset connection does.
type pipeTransport struct{ h http.Handler }

func (t pipeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	srv := req.Clone(ctx)
	if srv.Body == nil {
		srv.Body = http.NoBody
	}
	go func() {
		defer func() {
			w.WriteHeader(http.StatusOK) // a handler that wrote nothing answers 200
			pw.Close()
		}()
		t.h.ServeHTTP(w, srv)
	}()
	select {
	case <-w.ready:
	case <-ctx.Done():
		pr.CloseWithError(ctx.Err())
		return nil, ctx.Err()
	}
	if w.reset {
		pr.Close()
		return nil, io.EOF
	}
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	return &http.Response{
		Status: http.StatusText(w.status), StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.sent, Body: &pipeBody{ctx: ctx, pr: pr, stop: stop}, ContentLength: -1, Request: req,
	}, nil
}

// pipeWriter is the handler's side: an http.ResponseWriter, http.Flusher
// and http.Hijacker over the pipe.
type pipeWriter struct {
	header http.Header
	pw     *io.PipeWriter

	mu     sync.Mutex
	wrote  bool
	reset  bool // hijacked and closed before any header
	status int
	sent   http.Header
	ready  chan struct{} // closed once the status and headers are known
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wrote {
		return
	}
	w.wrote, w.status, w.sent = true, code, w.header.Clone()
	close(w.ready)
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(p)
}

func (w *pipeWriter) Flush() { w.WriteHeader(http.StatusOK) }

func (w *pipeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c := &pipeConn{w: w}
	return c, bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c)), nil
}

// hangUp closes the connection: before any header the request fails, after
// them the body ends early.
func (w *pipeWriter) hangUp() {
	w.mu.Lock()
	if !w.wrote {
		w.wrote, w.reset = true, true
		close(w.ready)
	}
	w.mu.Unlock()
	w.pw.CloseWithError(io.ErrUnexpectedEOF)
}

var errHijacked = errors.New("fake: hijacked connection")

// pipeConn is the hijacked connection: closing it hangs up.
type pipeConn struct{ w *pipeWriter }

func (c *pipeConn) Read([]byte) (int, error)         { return 0, errHijacked }
func (c *pipeConn) Write(p []byte) (int, error)      { return c.w.pw.Write(p) }
func (c *pipeConn) Close() error                     { c.w.hangUp(); return nil }
func (c *pipeConn) LocalAddr() net.Addr              { return pipeAddr{} }
func (c *pipeConn) RemoteAddr() net.Addr             { return pipeAddr{} }
func (c *pipeConn) SetDeadline(time.Time) error      { return nil }
func (c *pipeConn) SetReadDeadline(time.Time) error  { return nil }
func (c *pipeConn) SetWriteDeadline(time.Time) error { return nil }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "fake" }

// pipeBody is the client's side of the body.
type pipeBody struct {
	ctx  context.Context
	pr   *io.PipeReader
	stop func() bool
}

// Read reads the body. A handler that ends because the request did (a
// hang or a stall) closes the pipe as it returns; the reader then sees the
// request's error, as over a socket, not a clean end of the body.
func (b *pipeBody) Read(p []byte) (int, error) {
	n, err := b.pr.Read(p)
	if err == io.EOF && b.ctx.Err() != nil {
		err = b.ctx.Err()
	}
	return n, err
}

func (b *pipeBody) Close() error {
	b.stop()
	return b.pr.Close()
}
