// Package supabase is the sync Remote for a Supabase project: PostgREST
// through postgrest-go for rows, GoTrue through gotrue-go for sign-up,
// sign-in and token refresh.
//
// The libraries have no context, no timeouts and lose the HTTP status of a
// failure, and supabase-go's token refresh races with requests. So every
// call builds fresh library clients on a transport of ours that binds the
// call's context (with a deadline), records the status, error code and
// Retry-After of the answer, and caps how much of an answer is read
// (Config.MaxResponseBytes). The client refreshes the token itself, before
// it expires or after a 401, one refresh at a time (callers that need one
// meanwhile wait for its result); EnableTokenAutoRefresh is never used.
//
// The session sits behind its own read-write mutex, which is never held
// across a request: UserID and Session answer at once while a request or a
// refresh waits on the network.
package supabase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/supabase-community/gotrue-go"
	"github.com/supabase-community/gotrue-go/types"
	"github.com/supabase-community/postgrest-go"
	supa "github.com/supabase-community/supabase-go"

	cloudsync "tubeagency/sync"
)

var _ cloudsync.Remote = (*Client)(nil)

// Errors of sign-in and configuration.
var (
	// ErrInsecureURL refuses a project URL that is not https (plain http is
	// allowed only for loopback addresses).
	ErrInsecureURL = errors.New("the Supabase URL must start with https:// (http:// is allowed only for localhost)")
	// ErrInvalidCredentials is a wrong email or password.
	ErrInvalidCredentials = errors.New("wrong email or password")
	// ErrUserExists is a sign-up with an email already registered.
	ErrUserExists = errors.New("an account with this email already exists: sign in instead")
	// ErrWeakPassword is a password the server refused.
	ErrWeakPassword = errors.New("the password is too weak: use at least 6 characters")
	// ErrConfirmEmail means sign-up worked but the project wants the email
	// confirmed before the first sign-in.
	ErrConfirmEmail = errors.New("check your inbox and confirm your email, then sign in")
)

// Config configures New. URL and AnonKey are required.
type Config struct {
	// URL is the project URL, e.g. https://abcd.supabase.co.
	URL string
	// AnonKey is the project's public (anon) API key.
	AnonKey string
	// Timeout bounds each request, body included. Zero means 20 s.
	Timeout time.Duration
	// Transport carries the requests. Nil means a transport with dial,
	// TLS and header timeouts and keep-alive.
	Transport http.RoundTripper
	// Now is the clock used to refresh tokens before they expire. Nil means
	// time.Now.
	Now func() time.Time
	// RefreshMargin is how long before expiry a token is refreshed. Zero
	// means 60 s.
	RefreshMargin time.Duration
	// MaxResponseBytes caps how much of a successful answer is read; a
	// larger one fails with cloudsync.ErrResponseTooLarge (the syncer then
	// asks for smaller pages). Zero means DefaultMaxResponseBytes. Error
	// answers are read up to 64 KiB, enough for any error body.
	MaxResponseBytes int64
	// OnSession receives every new session (sign-in, sign-up, refresh), so
	// the caller can keep it (refresh tokens rotate). Calls come one at a
	// time, newest last, outside the session lock; it may call UserID and
	// Session but should not make requests.
	OnSession func(Session)
}

// DefaultMaxResponseBytes is the default cap on a successful answer: a pull
// page of 1,000 rows is usually well under 1 MiB, and a page of the largest
// packages fits.
const DefaultMaxResponseBytes = 32 << 20

// maxErrorBody caps how much of an error answer is read.
const maxErrorBody = 64 << 10

// Session is a signed-in user's tokens. It is a secret: keep it in the
// keyring, never in logs or the database.
type Session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    int64  `json:"expires_at"` // unix seconds
	UserID       string `json:"user_id"`
	Email        string `json:"email"`
}

// Client talks to one Supabase project. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    string
	restURL string
	authURL string

	// mu guards the session fields; it is never held across I/O.
	mu         gosync.RWMutex
	session    *Session
	gen        int64         // bumped by every sign-in, sign-out and restore
	refreshing chan struct{} // closed when the refresh in flight ends; nil when none

	// saveMu orders OnSession calls (they may write the keyring); the
	// session lock is not held meanwhile.
	saveMu  gosync.Mutex
	savedAt int64 // the sequence number of the last session handed over
	seq     int64 // guarded by mu: numbers sessions as they are set
}

// ValidateURL checks and normalises a project URL: https, or http on a
// loopback host; no path, query or credentials.
func ValidateURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the Supabase URL is not a web address such as https://abcd.supabase.co")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("the Supabase URL must be just the project address, such as https://abcd.supabase.co")
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
			return "", ErrInsecureURL
		}
	default:
		return "", ErrInsecureURL
	}
	return u.Scheme + "://" + u.Host, nil
}

// New checks cfg and returns a signed-out client.
func New(cfg Config) (*Client, error) {
	base, err := ValidateURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.AnonKey) == "" {
		return nil, errors.New("the Supabase anon key is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Transport == nil {
		cfg.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: cfg.Timeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ForceAttemptHTTP2:     true,
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshMargin <= 0 {
		cfg.RefreshMargin = 60 * time.Second
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	return &Client{cfg: cfg, base: base, restURL: base + supa.REST_URL, authURL: base + supa.AUTH_URL}, nil
}

// URL is the normalised project URL.
func (c *Client) URL() string { return c.base }

// Restore signs in with a saved session (no request is made; an expired
// token is refreshed before the next call).
func (c *Client) Restore(s Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.session = &s
	c.gen++
}

// Session returns the current session, if signed in.
func (c *Client) Session() (Session, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.session == nil {
		return Session{}, false
	}
	return *c.session, true
}

// UserID is the signed-in user's id (kept since sign-in), "" when signed
// out. It never waits for a request.
func (c *Client) UserID() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.session == nil {
		return ""
	}
	return c.session.UserID
}

// recorder is the transport under each library call: it binds the call's
// context and keeps what the libraries throw away: the status, the error
// code and message, and Retry-After. It also closes error bodies, which
// postgrest-go leaves open.
type recorder struct {
	ctx        context.Context
	base       http.RoundTripper
	now        func() time.Time
	limit      int64 // cap on a successful answer's body
	status     int
	code       string
	message    string
	retryAfter time.Duration
	tooLarge   bool
}

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err != nil {
		return nil, err
	}
	t.status = resp.StatusCode
	if resp.StatusCode >= 400 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		t.code, t.message = parseErrorBody(body)
		if t.message == "" {
			t.message = http.StatusText(resp.StatusCode)
		}
		t.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), t.now())
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	if resp.ContentLength > t.limit {
		resp.Body.Close()
		t.tooLarge = true
		return nil, cloudsync.ErrResponseTooLarge
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.limit, hit: &t.tooLarge}
	return resp, nil
}

// cappedBody fails with ErrResponseTooLarge once more than its limit is
// read, instead of letting a library read an answer of any size.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	hit  *bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more than the cap tells a body that ends exactly at it
		// from a larger one.
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		*b.hit = true
		return 0, cloudsync.ErrResponseTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// parseErrorBody reads PostgREST's {"code","message"} or GoTrue's
// {"error_code","msg"} / {"error","error_description"}.
func parseErrorBody(body []byte) (code, message string) {
	var b struct {
		Code             any    `json:"code"`
		Message          string `json:"message"`
		ErrorCode        string `json:"error_code"`
		Msg              string `json:"msg"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return "", ""
	}
	if s, ok := b.Code.(string); ok {
		code = s
	}
	if b.ErrorCode != "" {
		code = b.ErrorCode
	} else if code == "" && b.Error != "" {
		code = b.Error
	}
	for _, m := range []string{b.Message, b.Msg, b.ErrorDescription} {
		if m != "" {
			return code, m
		}
	}
	return code, ""
}

// maxRetryAfter caps a server's Retry-After: a longer wait (or a value
// that would overflow) is taken as this long.
const maxRetryAfter = time.Hour

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; a value
// in the past, malformed or negative is 0, and anything longer than an hour
// is an hour.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return min(time.Duration(min(n, int64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// callError turns a failed library call into a *cloudsync.Error using
// what the recorder saw. A status below 400 with an error means the answer
// broke off: that counts as no answer, unless it was cut at the size cap.
func callError(op string, rec *recorder, err error) *cloudsync.Error {
	if rec.tooLarge {
		return &cloudsync.Error{Op: op, Status: rec.status, Code: "response_too_large", Err: cloudsync.ErrResponseTooLarge,
			Message: fmt.Sprintf("the answer was larger than %d MiB", max(1, rec.limit>>20))}
	}
	if rec.status < 400 {
		return &cloudsync.Error{Op: op, Err: err}
	}
	return &cloudsync.Error{Op: op, Status: rec.status, Code: rec.code, Message: rec.message,
		Permanent: cloudsync.Classify(rec.status, rec.code), RetryAfter: rec.retryAfter}
}

func (c *Client) recorder(ctx context.Context) *recorder {
	return &recorder{ctx: ctx, base: c.cfg.Transport, now: c.cfg.Now, limit: c.cfg.MaxResponseBytes}
}

// authClient builds a GoTrue client whose requests go through rec.
func (c *Client) authClient(rec *recorder, token string) gotrue.Client {
	a := gotrue.New("unused", c.cfg.AnonKey).WithCustomGoTrueURL(c.authURL).
		WithClient(http.Client{Transport: rec, Timeout: c.cfg.Timeout})
	if token != "" {
		a = a.WithToken(token)
	}
	return a
}

// Probe asks GoTrue's health endpoint whether the project answers.
func (c *Client) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	if _, err := c.authClient(rec, "").HealthCheck(); err != nil {
		return callError("probe", rec, err)
	}
	return nil
}

func (c *Client) sessionFrom(s types.Session) Session {
	exp := s.ExpiresAt
	if exp == 0 && s.ExpiresIn > 0 {
		exp = c.cfg.Now().Add(time.Duration(s.ExpiresIn) * time.Second).Unix()
	}
	return Session{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, ExpiresAt: exp,
		UserID: s.User.ID.String(), Email: s.User.Email}
}

// setSession installs s (when gen still matches: no sign-in or sign-out
// happened meanwhile) and hands it to OnSession, outside the session lock.
func (c *Client) setSession(s Session, gen int64, bump bool) bool {
	c.mu.Lock()
	if gen >= 0 && c.gen != gen {
		c.mu.Unlock()
		return false
	}
	c.session = &s
	if bump {
		c.gen++
	}
	c.seq++
	seq := c.seq
	c.mu.Unlock()
	c.handOver(s, seq)
	return true
}

// handOver calls OnSession for the session numbered seq unless a newer one
// was handed over already, so the keeper always ends with the newest.
func (c *Client) handOver(s Session, seq int64) {
	if c.cfg.OnSession == nil {
		return
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if seq <= c.savedAt {
		return
	}
	c.savedAt = seq
	c.cfg.OnSession(s)
}

// SignIn signs in with email and password.
func (c *Client) SignIn(ctx context.Context, email, password string) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	resp, err := c.authClient(rec, "").SignInWithEmailPassword(email, password)
	if err != nil {
		if rec.status == 400 && (rec.code == "invalid_credentials" || rec.code == "invalid_grant") {
			return Session{}, ErrInvalidCredentials
		}
		return Session{}, c.authError("sign in", rec, err)
	}
	s := c.sessionFrom(resp.Session)
	c.setSession(s, -1, true)
	return s, nil
}

// SignUp creates an account and signs in when the project confirms
// accounts automatically; otherwise it returns ErrConfirmEmail.
func (c *Client) SignUp(ctx context.Context, email, password string) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	resp, err := c.authClient(rec, "").Signup(types.SignupRequest{Email: email, Password: password})
	if err != nil {
		switch rec.code {
		case "user_already_exists", "email_exists":
			return Session{}, ErrUserExists
		case "weak_password":
			return Session{}, ErrWeakPassword
		}
		return Session{}, c.authError("sign up", rec, err)
	}
	if resp.Session.AccessToken == "" {
		return Session{}, ErrConfirmEmail
	}
	s := c.sessionFrom(resp.Session)
	c.setSession(s, -1, true)
	return s, nil
}

func (c *Client) authError(op string, rec *recorder, err error) *cloudsync.Error {
	e := callError(op, rec, err)
	e.Permanent = false // never a reason to dead-letter a row
	return e
}

// SignOut revokes the session on the server when it can and forgets it
// locally in any case (at once: the request to revoke it comes after).
func (c *Client) SignOut(ctx context.Context) error {
	c.mu.Lock()
	if c.session == nil {
		c.mu.Unlock()
		return nil
	}
	token := c.session.AccessToken
	c.session = nil
	c.gen++
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	if err := c.authClient(rec, token).Logout(); err != nil {
		return c.authError("sign out", rec, err)
	}
	return nil
}

// token returns the access token to send, refreshing it first when it
// expires within the refresh margin.
func (c *Client) token(ctx context.Context) (Session, error) {
	c.mu.RLock()
	s := c.session
	c.mu.RUnlock()
	if s == nil {
		return Session{}, cloudsync.ErrSignedOut
	}
	if c.cfg.Now().Add(c.cfg.RefreshMargin).Unix() < s.ExpiresAt {
		return *s, nil
	}
	return c.refresh(ctx, s.AccessToken)
}

// refresh trades the refresh token for a new session, unless the session
// has moved on from the access token used already (another caller
// refreshed it). One refresh runs at a time and no lock is held while it
// waits on the network: other callers wait for its result or their context.
func (c *Client) refresh(ctx context.Context, used string) (Session, error) {
	for {
		c.mu.Lock()
		switch {
		case c.session == nil:
			c.mu.Unlock()
			return Session{}, cloudsync.ErrSignedOut
		case c.session.AccessToken != used:
			s := *c.session
			c.mu.Unlock()
			return s, nil
		case c.refreshing != nil:
			wait := c.refreshing
			c.mu.Unlock()
			select {
			case <-wait:
				continue // look again: refreshed, or try ourselves
			case <-ctx.Done():
				return Session{}, &cloudsync.Error{Op: "refresh session", Err: ctx.Err()}
			}
		}
		done := make(chan struct{})
		c.refreshing = done
		gen, refreshToken := c.gen, c.session.RefreshToken
		c.mu.Unlock()

		s, err := c.requestRefresh(ctx, refreshToken)
		c.mu.Lock()
		c.refreshing = nil
		close(done)
		c.mu.Unlock()
		if err != nil {
			return Session{}, err
		}
		if !c.setSession(s, gen, false) {
			return Session{}, cloudsync.ErrSignedOut // signed out (or in again) meanwhile
		}
		return s, nil
	}
}

// requestRefresh asks GoTrue for a new session.
func (c *Client) requestRefresh(ctx context.Context, refreshToken string) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	resp, err := c.authClient(rec, "").RefreshToken(refreshToken)
	if err != nil {
		e := c.authError("refresh session", rec, err)
		if rec.status >= 400 && rec.status < 500 && rec.status != http.StatusTooManyRequests && rec.status != http.StatusRequestTimeout {
			e.Err = cloudsync.ErrSessionExpired
		}
		return Session{}, e
	}
	return c.sessionFrom(resp.Session), nil
}

// rest runs one PostgREST call with a fresh client: refreshes the token
// first when it is about to expire, and once more after a 401.
func (c *Client) rest(ctx context.Context, op string, fn func(pc *postgrest.Client, s Session) error) error {
	s, err := c.token(ctx)
	if err != nil {
		return err
	}
	err = c.once(ctx, op, s, fn)
	var e *cloudsync.Error
	if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
		if s, err = c.refresh(ctx, s.AccessToken); err != nil {
			return err
		}
		err = c.once(ctx, op, s, fn)
	}
	return err
}

func (c *Client) once(ctx context.Context, op string, s Session, fn func(pc *postgrest.Client, s Session) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	pc := postgrest.NewClient(c.restURL, "public", map[string]string{
		"apikey":        c.cfg.AnonKey,
		"Authorization": "Bearer " + s.AccessToken,
	})
	if pc.ClientError != nil {
		return &cloudsync.Error{Op: op, Err: pc.ClientError, Permanent: true}
	}
	pc.Transport.Parent = rec
	err := fn(pc, s)
	if err == nil && pc.ClientError != nil {
		err = pc.ClientError
	}
	if err == nil && (rec.status >= 400 || rec.tooLarge) {
		// A call that hands back the body whatever the status (Rpc).
		err = errors.New(rec.message)
	}
	if err == nil {
		return nil
	}
	return callError(op, rec, err)
}

// Push upserts rows into table; the server's last-writer-wins trigger
// keeps the newest version of each row.
//
// Each row is sent naming its owner, the signed-in user. Row-level security
// checks the owner all the same; naming it spares the server working out
// the column's default, auth.uid(), from the token's claims for every row
// (2–10 % of PostgreSQL's time for a 1,000-row push, BenchmarkOwnerNamed).
func (c *Client) Push(ctx context.Context, table string, rows []json.RawMessage) error {
	return schemaHint(table, c.rest(ctx, "push "+table, func(pc *postgrest.Client, s Session) error {
		owned, err := withOwner(rows, s.UserID)
		if err != nil {
			return &cloudsync.Error{Op: "push " + table, Permanent: true, Err: err}
		}
		_, _, err = pc.From(table).Upsert(owned, conflictTarget(table), "minimal", "").Execute()
		return err
	}))
}

// conflictTarget is the unique key an upsert of table names: the row id,
// except for devices, whose key is (owner, id) (schema 0002).
func conflictTarget(table string) string {
	if table == "devices" {
		return "user_id,id"
	}
	return "id"
}

// withOwner returns rows, each JSON object with "user_id": user added as
// its first key. Local rows have no user_id of their own.
func withOwner(rows []json.RawMessage, user string) ([]json.RawMessage, error) {
	key, err := json.Marshal(user)
	if err != nil {
		return nil, err
	}
	prefix := append([]byte(`{"user_id":`), key...)
	size := 0
	for _, r := range rows {
		size += len(r) + len(prefix) + 1
	}
	buf := make([]byte, 0, size)
	out := make([]json.RawMessage, len(rows))
	for i, r := range rows {
		body := bytes.TrimSpace(r)
		if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
			return nil, fmt.Errorf("row %d is not a JSON object", i)
		}
		start := len(buf)
		buf = append(buf, prefix...)
		if inner := bytes.TrimSpace(body[1 : len(body)-1]); len(inner) > 0 {
			buf = append(buf, ',')
			buf = append(buf, inner...)
		}
		buf = append(buf, '}')
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out, nil
}

// schemaHint explains a missing table: the schema was not applied.
func schemaHint(table string, err error) error {
	var e *cloudsync.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound && (e.Code == "42P01" || e.Code == "PGRST205" || e.Code == "") {
		e.Message = "the Supabase project has no " + table + " table: apply sync/schema/0001_tubeagency_sync.sql in its SQL Editor"
	}
	return err
}

var hexRe = regexp.MustCompile(`^[0-9a-f]+$`)

// serverColumns exist only on the server; pulled rows drop them.
var serverColumns = []string{"user_id", "server_seq", "synced_at"}

// Pull reads up to limit rows of table above the server sequence after.
func (c *Client) Pull(ctx context.Context, table string, after int64, limit int, exceptDevice string) ([]cloudsync.RemoteRow, error) {
	if exceptDevice != "" && !hexRe.MatchString(exceptDevice) {
		return nil, &cloudsync.Error{Op: "pull " + table, Permanent: true, Err: fmt.Errorf("device id %q is not hexadecimal", exceptDevice)}
	}
	var body []byte
	err := c.rest(ctx, "pull "+table, func(pc *postgrest.Client, _ Session) error {
		q := pc.From(table).Select("*", "", false).
			Gt("server_seq", strconv.FormatInt(after, 10))
		if exceptDevice != "" {
			q = q.Not("hlc", "like", "*-"+exceptDevice) // clock values end with the device id
		}
		var err error
		body, _, err = q.Order("server_seq", &postgrest.OrderOpts{Ascending: true}).
			Limit(limit, "").
			Execute()
		return err
	})
	if err != nil {
		return nil, schemaHint(table, err)
	}
	rows, err := DecodeTableRows(body, after)
	if err != nil {
		// The answer arrived whole but is not a list of rows: a broken
		// proxy or server. Worth retrying, never a reason to drop anything.
		return nil, &cloudsync.Error{Op: "pull " + table, Status: http.StatusOK, Code: "malformed_page", Message: err.Error(), Err: err}
	}
	return rows, nil
}
