// Package fake serves the OpenAI chat completions and Anthropic Messages
// wire formats from httptest servers that can be told to fail the way real
// servers do: error statuses with the providers' real error bodies, HTML
// pages from proxies, Retry-After and rate-limit reset headers, hangs,
// connection resets, slow headers, slow and stalled bodies, malformed,
// empty and truncated bodies, streams that break off or stall, and model
// lists (health checks) that are garbled, empty or stall. Tests and
// benchmarks of the clients and the router use it.
//
// New starts a real loopback server. NewInProcess serves the same handler
// through an in-memory transport (HTTPClient) instead of a socket, so a
// test can run the real clients inside a testing/synctest bubble, where
// the clock is virtual: a hang or a slow body then costs no real time.
package fake

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults a server can be told to answer with.
const (
	OK           = "ok"
	Status500    = "500"
	HTML502      = "502-html"
	Status503    = "503"
	Status429    = "429"
	Status401    = "401"
	Status529    = "529" // Anthropic's overloaded_error
	Hang         = "hang"
	Malformed    = "malformed-json"
	Truncated    = "truncated"
	EmptyChoices = "empty-choices"
	SlowHeaders  = "slow-headers"
	BrokenStream = "broken-stream"
	StreamError  = "stream-error" // a stream that starts, then reports an error event
	Reset        = "reset"        // the connection closes before any answer
	SlowBody     = "slow-body"    // the answer starts, pauses for the slow time, then ends
	Stall        = "stall"        // the answer starts, then nothing more until the client leaves
)

// Faults of the model list (health checks), set with FailChecks.
const (
	CheckFollow  = ""              // fail as generation does: 401 for Status401, 503 for any other fault
	CheckOK      = "check-ok"      // a good model list whatever generation does
	CheckGarbage = "check-garbage" // 200 with a body that is not JSON
	CheckEmpty   = "check-empty"   // 200 with an empty body
	CheckWrong   = "check-wrong"   // 200 with JSON that is not a model list
	CheckStall   = "check-stall"   // 200, the list starts, then nothing more
)

// Format is the wire format a server speaks.
type Format int

// Formats.
const (
	OpenAI Format = iota
	Anthropic
)

// Server is a fake provider endpoint.
type Server struct {
	*httptest.Server
	format Format
	calls  atomic.Int64
	checks atomic.Int64

	// URL is the base URL to configure clients with.
	URL string

	mu         sync.Mutex
	fault      string
	checkFault string
	text       string
	retryAfter string
	headers    http.Header
	slow       time.Duration
	latency    time.Duration
	echoKey    bool
	lastKey    string
	lastBody   []byte
}

// New starts a loopback server speaking format that answers text.
func New(format Format, text string) *Server {
	s := newServer(format, text)
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.Server.URL
	return s
}

// NewInProcess returns a server speaking format that answers text without
// listening anywhere: clients reach it through HTTPClient.
func NewInProcess(format Format, text string) *Server {
	s := newServer(format, text)
	s.URL = "http://fake.invalid"
	return s
}

func newServer(format Format, text string) *Server {
	return &Server{format: format, fault: OK, text: text, retryAfter: "1", slow: 2 * time.Second, headers: http.Header{}}
}

// HTTPClient is a client that reaches this server in process, through an
// in-memory transport: no socket, and every wait of the server or the
// client runs on the caller's clock (virtual inside a synctest bubble).
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: pipeTransport{http.HandlerFunc(s.handle)}}
}

// Close stops a loopback server; it does nothing for an in-process one.
func (s *Server) Close() {
	if s.Server != nil {
		s.Server.Close()
	}
}

// FailChecks makes the model list (health checks) fail with fault, one of
// the Check* faults, whatever generation does; CheckFollow (the default)
// makes it fail as generation does.
func (s *Server) FailChecks(fault string) {
	s.mu.Lock()
	s.checkFault = fault
	s.mu.Unlock()
}

// SetHeader adds a header to every later answer, such as a rate-limit
// reset sent with 429s. An empty value removes it.
func (s *Server) SetHeader(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == "" {
		s.headers.Del(key)
		return
	}
	s.headers.Set(key, value)
}

// SetLatency makes good answers wait d before their first byte, as a
// model does while it thinks.
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// Fail makes every later request fail with fault (OK to recover).
func (s *Server) Fail(fault string) {
	s.mu.Lock()
	s.fault = fault
	s.mu.Unlock()
}

// SetRetryAfter sets the Retry-After header sent with 429 and 503.
func (s *Server) SetRetryAfter(v string) { s.mu.Lock(); s.retryAfter = v; s.mu.Unlock() }

// SetSlow sets how long SlowHeaders waits before answering and SlowBody
// pauses partway.
func (s *Server) SetSlow(d time.Duration) { s.mu.Lock(); s.slow = d; s.mu.Unlock() }

// EchoKey makes 401 answers quote the key they received, as some real
// servers do, to prove clients scrub it.
func (s *Server) EchoKey() { s.mu.Lock(); s.echoKey = true; s.mu.Unlock() }

// Calls is how many generation requests arrived.
func (s *Server) Calls() int { return int(s.calls.Load()) }

// Checks is how many model-list (health) requests arrived.
func (s *Server) Checks() int { return int(s.checks.Load()) }

// LastKey is the API key of the last request.
func (s *Server) LastKey() string { s.mu.Lock(); defer s.mu.Unlock(); return s.lastKey }

// LastBody is the body of the last generation request.
func (s *Server) LastBody() []byte { s.mu.Lock(); defer s.mu.Unlock(); return s.lastBody }

// RefusedURL is an address where nothing listens: connecting is refused.
func RefusedURL() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// wait waits d or until the request ends; it reports whether d passed.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}

// hangUp closes the connection under w at once, as a server that resets it.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if s.format == Anthropic {
		key = r.Header.Get("x-api-key")
	}
	s.mu.Lock()
	fault, checkFault, text, retryAfter, slow, latency, echo := s.fault, s.checkFault, s.text, s.retryAfter, s.slow, s.latency, s.echoKey
	for k, v := range s.headers {
		w.Header()[k] = append([]string(nil), v...)
	}
	s.lastKey = key
	s.mu.Unlock()

	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/models") {
		s.checks.Add(1)
		s.handleCheck(w, r, fault, checkFault, key, echo)
		return
	}
	s.calls.Add(1)
	var body struct {
		Stream bool `json:"stream"`
	}
	raw := make([]byte, 0, 512)
	buf := make([]byte, 512)
	for {
		n, err := r.Body.Read(buf)
		raw = append(raw, buf[:n]...)
		if err != nil {
			break
		}
	}
	s.mu.Lock()
	s.lastBody = raw
	s.mu.Unlock()
	_ = json.Unmarshal(raw, &body)

	switch fault {
	case Status500:
		s.writeError(w, 500, "server_error", "The server had an error while processing your request.", "", key, false)
	case HTML502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>")
	case Status503:
		s.writeError(w, 503, "service_unavailable", "Service temporarily unavailable", retryAfter, key, false)
	case Status529:
		s.writeError(w, 529, "overloaded_error", "Overloaded", "", key, false)
	case Status429:
		s.writeError(w, 429, "rate_limit_exceeded", "Rate limit reached for requests", retryAfter, key, false)
	case Status401:
		s.writeError(w, 401, "invalid_api_key", "Incorrect API key provided", "", key, echo)
	case Hang:
		<-r.Context().Done()
	case Reset:
		hangUp(w)
	case SlowHeaders:
		if !wait(r, slow) {
			return
		}
		s.writeOK(w, text, false, nil)
	case SlowBody:
		s.writeOK(w, text, body.Stream, func() bool { return wait(r, slow) })
	case Stall:
		s.writeOK(w, text, body.Stream, func() bool { <-r.Context().Done(); return false })
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","choices":[{"message":{"content":"half`+"\x00"+`"}`)
	case EmptyChoices:
		w.Header().Set("Content-Type", "application/json")
		if s.format == Anthropic {
			fmt.Fprint(w, `{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"fake","stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":0}}`)
		} else {
			fmt.Fprint(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"fake","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":0,"total_tokens":5}}`)
		}
	case Truncated:
		full := s.okBody(text)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(full)))
		w.WriteHeader(200)
		w.Write([]byte(full[:len(full)/2]))
		hangUp(w)
	case StreamError:
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		if s.format == Anthropic {
			fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"fake\",\"usage\":{\"input_tokens\":3}}}\n\n")
			fmt.Fprint(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Half\"}}\n\n")
			fmt.Fprint(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
		} else {
			fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Half\"}}]}\n\n")
			fmt.Fprint(w, "data: {\"error\":{\"message\":\"The server had an error while streaming\",\"type\":\"server_error\"}}\n\n")
		}
	case BrokenStream:
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		if s.format == Anthropic {
			fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"fake\",\"usage\":{\"input_tokens\":3}}}\n\n")
			fmt.Fprint(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Half\"}}\n\n")
		} else {
			fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Half\"}}]}\n\n")
		}
		w.(http.Flusher).Flush()
		hangUp(w)
	default:
		if !wait(r, latency) {
			return
		}
		s.writeOK(w, text, body.Stream, nil)
	}
}

// handleCheck answers a model list request.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request, fault, checkFault, key string, echo bool) {
	const list = `{"object":"list","data":[{"id":"fake-model","object":"model","created":1,"owned_by":"fake"}]}`
	switch checkFault {
	case CheckGarbage:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "<html>\x00\x01 not a model list")
		return
	case CheckEmpty:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		return
	case CheckWrong:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
		return
	case CheckStall:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, list[:len(list)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		<-r.Context().Done()
		return
	case CheckOK:
	default:
		switch fault {
		case OK:
		case Status401:
			s.writeError(w, 401, "invalid_api_key", "Incorrect API key provided", "", key, echo)
			return
		default:
			s.writeError(w, 503, "server_error", "Service unavailable", "", key, false)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, list)
}

func (s *Server) writeError(w http.ResponseWriter, status int, typ, msg, retryAfter, key string, echo bool) {
	if echo {
		msg += ": " + key
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if s.format == Anthropic {
		b, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": typ, "message": msg}})
		w.Write(b)
		return
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": typ}})
	w.Write(b)
}

func (s *Server) okBody(text string) string {
	t, _ := json.Marshal(text)
	if s.format == Anthropic {
		return `{"id":"msg_01","type":"message","role":"assistant","model":"fake-model","content":[{"type":"text","text":` + string(t) +
			`}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":34}}`
	}
	return `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"fake-model","choices":[{"index":0,"message":{"role":"assistant","content":` +
		string(t) + `},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}`
}

// writeOK writes a good answer, streamed when stream is set. pause, when
// set, runs after the first part of the answer went out (the first delta
// of a stream, half of a whole body); the rest follows only if it returns
// true.
func (s *Server) writeOK(w http.ResponseWriter, text string, stream bool, pause func() bool) {
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	if !stream {
		body := s.okBody(text)
		w.Header().Set("Content-Type", "application/json")
		if pause == nil {
			fmt.Fprint(w, body)
			return
		}
		fmt.Fprint(w, body[:len(body)/2])
		flush()
		if pause() {
			fmt.Fprint(w, body[len(body)/2:])
		}
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	words := strings.SplitAfter(text, " ")
	if s.format == Anthropic {
		fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"fake-model\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n")
		fmt.Fprint(w, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
		fmt.Fprint(w, "event: ping\ndata: {\"type\": \"ping\"}\n\n")
		for i, word := range words {
			d, _ := json.Marshal(word)
			fmt.Fprintf(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%s}}\n\n", d)
			flush()
			if i == 0 && pause != nil && !pause() {
				return
			}
		}
		fmt.Fprint(w, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
		fmt.Fprint(w, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":34}}\n\n")
		fmt.Fprint(w, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
		return
	}
	for i, word := range words {
		d, _ := json.Marshal(word)
		role := ""
		if i == 0 {
			role = `"role":"assistant",`
		}
		fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":{%s\"content\":%s},\"finish_reason\":null}]}\n\n", role, d)
		flush()
		if i == 0 && pause != nil && !pause() {
			return
		}
	}
	fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
	fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"fake-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}\n\n")
	fmt.Fprint(w, "data: [DONE]\n\n")
}
