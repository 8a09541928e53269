// Package server is serve mode: the dashboard and the same API the desktop
// window binds, over HTTP, with events as server-sent events.
//
//	POST /api/call/{Method}   body: JSON array of arguments; answer: the result as JSON
//	GET  /api/events          text/event-stream of {name, data} events
//	GET  /                    the dashboard
//
// It listens on loopback unless a token is set. With a token every request
// needs "Authorization: Bearer <token>", or the cookie a browser gets by
// opening /?token=<token> once.
package server

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tubeagency/app/events"
)

// DefaultBodyLimit is the largest body of a call whose method has no
// limit of its own (Options.BodyLimit).
const DefaultBodyLimit = 1 << 20

// Options configure a Server.
type Options struct {
	// API is the object whose methods are callable (the app's bound object).
	API any
	// Hub is the event source streamed to /api/events.
	Hub *events.Hub
	// FormatError turns a method's error into a status and a JSON body.
	FormatError func(error) (int, any)
	// Static serves the dashboard; nil serves none.
	Static fs.FS
	// Token, when not empty, is required on every request. Without one,
	// only requests whose Host names this computer are served (see
	// hostAllowed).
	Token string
	// Host is the host part of the address the server listens on; a Host
	// header naming it is accepted besides 127.0.0.1, localhost and [::1].
	// Empty means only those.
	Host string
	// BodyLimit is the largest request body of a call to the named method.
	// Nil, or a result of zero or less, means DefaultBodyLimit.
	BodyLimit func(method string) int64
	// Handlers adds routes (for example /metrics and /healthz); they are
	// token-guarded like the rest.
	Handlers map[string]http.Handler
	// Logger gets request errors; nil means slog.Default().
	Logger *slog.Logger
	// Heartbeat is the SSE keep-alive interval; zero means 15 s.
	Heartbeat time.Duration
}

// Server is serve mode's HTTP handler.
type Server struct {
	opts Options
	disp *Dispatcher
	mux  *http.ServeMux
}

// New builds the handler.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.FormatError == nil {
		opts.FormatError = func(err error) (int, any) {
			return http.StatusInternalServerError, errBody(err.Error(), "internal")
		}
	}
	s := &Server{opts: opts, disp: NewDispatcher(opts.API), mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /api/call/{method}", s.handleCall)
	s.mux.HandleFunc("/api/call/{method}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, errBody("use POST with a JSON array of arguments", "method_not_allowed"))
	})
	s.mux.HandleFunc("GET /api/events", s.handleEvents)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errBody("no such endpoint: "+r.URL.Path, "unknown_endpoint"))
	})
	for path, h := range opts.Handlers {
		s.mux.Handle(path, h)
	}
	if opts.Static != nil {
		s.mux.Handle("/", http.FileServerFS(opts.Static))
	}
	return s
}

// ErrorBody is how every error reaches the frontend, from serve mode and
// (through the app's error formatter) from the desktop window alike: a
// code to branch on, a sentence to show, and, for input that failed
// validation, a sentence per field, keyed by the field's JSON path.
type ErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func errBody(msg, code string) ErrorBody {
	return ErrorBody{Code: code, Message: msg}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

const cookieName = "tubeagency_token"

// ServeHTTP checks who is asking, then routes: without a token, the Host
// must name this computer; with one, the token must be sent. Either way a
// request from another origin or site is refused.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if s.opts.Token == "" && !s.hostAllowed(r) {
		writeJSON(w, http.StatusForbidden, errBody("this server answers only to http://127.0.0.1, http://localhost or http://[::1] on its own port", "forbidden_host"))
		return
	}
	if s.opts.Token != "" {
		if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") {
			if s.tokenOK(q) {
				http.SetCookie(w, &http.Cookie{Name: cookieName, Value: q, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
				http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
				return
			}
		}
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tubeagency"`)
			writeJSON(w, http.StatusUnauthorized, errBody("missing or wrong token: send Authorization: Bearer <token>", "unauthorized"))
			return
		}
	}
	// A page on another site must not drive the API: cross-origin calls
	// are refused, and calls must be JSON, which browsers cannot send
	// cross-origin without a preflight this server never grants.
	if !originAllowed(r) || crossSite(r) {
		writeJSON(w, http.StatusForbidden, errBody("cross-origin requests are refused", "forbidden"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) tokenOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

func (s *Server) authorized(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return s.tokenOK(strings.TrimPrefix(h, "Bearer "))
	}
	if c, err := r.Cookie(cookieName); err == nil {
		return s.tokenOK(c.Value)
	}
	return false
}

func (s *Server) handleCall(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); r.ContentLength != 0 && !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, errBody("send the arguments as application/json", "unsupported_media_type"))
		return
	}
	name := r.PathValue("method")
	limit := int64(0)
	if s.opts.BodyLimit != nil {
		limit = s.opts.BodyLimit(name)
	}
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	if r.ContentLength > limit {
		writeJSON(w, http.StatusRequestEntityTooLarge, errBody(fmt.Sprintf("the request body is larger than %s allows (%d bytes)", name, limit), "too_large"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, errBody(fmt.Sprintf("the request body is larger than %s allows (%d bytes)", name, limit), "too_large"))
		return
	}
	result, callErr, err := s.disp.Call(name, body)
	var unknown ErrUnknownMethod
	var bad ErrBadArguments
	var badText *ErrBadText
	switch {
	case errors.As(err, &badText):
		writeJSON(w, http.StatusBadRequest, ErrorBody{Code: "bad_request", Message: badText.Error(), Fields: map[string]string{badText.Field: badText.Reason}})
		return
	case errors.As(err, &unknown):
		writeJSON(w, http.StatusNotFound, errBody(unknown.Error(), "unknown_method"))
		return
	case errors.As(err, &bad):
		writeJSON(w, http.StatusBadRequest, errBody(bad.Error(), "bad_request"))
		return
	case err != nil:
		writeJSON(w, http.StatusBadRequest, errBody(err.Error(), "bad_request"))
		return
	}
	if callErr != nil {
		status, body := s.opts.FormatError(callErr)
		if status >= 500 {
			s.opts.Logger.Warn("call failed", "method", name, "err", callErr)
		}
		writeJSON(w, status, body)
		return
	}
	if result == nil {
		result = map[string]bool{"ok": true}
	}
	writeJSON(w, http.StatusOK, result)
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok || s.opts.Hub == nil {
		writeJSON(w, http.StatusNotImplemented, errBody("events are not available", "unavailable"))
		return
	}
	ch, stop := s.opts.Hub.Subscribe(256)
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	tick := time.NewTicker(s.opts.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		case ev := <-ch:
			b, err := json.Marshal(ev)
			if err != nil {
				s.opts.Logger.Warn("encode event", "event", ev.Name, "err", err)
				continue
			}
			fmt.Fprintf(w, "data: %s\n\n", b)
			fl.Flush()
		}
	}
}
