// Package supabase is the sync Remote for a Supabase project: PostgREST
// through postgrest-go for rows, GoTrue through gotrue-go for sign-up,
// sign-in and token refresh.
//
// The libraries have no context, no timeouts and lose the HTTP status of a
// failure, and supabase-go's token refresh races with requests. So every
// call builds fresh library clients on a transport of ours that binds the
// call's context (with a deadline) and records the status, error code and
// Retry-After of the answer; and one mutex serialises requests and token
// refresh, which this client does itself, before a token expires or after a
// 401. EnableTokenAutoRefresh is never used.
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
	// OnSession receives every new session (sign-in, sign-up, refresh), so
	// the caller can keep it (refresh tokens rotate). It runs while the
	// client is locked: it must not call the client.
	OnSession func(Session)
}

// Session is a signed-in user's tokens. It is a secret: keep it in the
// keyring, never in logs or the database.
type Session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    int64  `json:"expires_at"` // unix seconds
	UserID       string `json:"user_id"`
	Email        string `json:"email"`
}

// Client talks to one Supabase project. It is safe for concurrent use;
// calls run one at a time.
type Client struct {
	cfg     Config
	base    string
	restURL string
	authURL string

	mu      gosync.Mutex
	session *Session
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
}

// Session returns the current session, if signed in.
func (c *Client) Session() (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return Session{}, false
	}
	return *c.session, true
}

// UserID is the signed-in user's id, "" when signed out.
func (c *Client) UserID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	status     int
	code       string
	message    string
	retryAfter time.Duration
}

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err != nil {
		return nil, err
	}
	t.status = resp.StatusCode
	if resp.StatusCode >= 400 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		t.code, t.message = parseErrorBody(body)
		if t.message == "" {
			t.message = http.StatusText(resp.StatusCode)
		}
		t.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), t.now())
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}

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

func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// callError turns a failed library call into a *cloudsync.Error using
// what the recorder saw. A status below 400 with an error means the answer
// broke off: that counts as no answer.
func callError(op string, rec *recorder, err error) *cloudsync.Error {
	if rec.status < 400 {
		return &cloudsync.Error{Op: op, Err: err}
	}
	return &cloudsync.Error{Op: op, Status: rec.status, Code: rec.code, Message: rec.message,
		Permanent: cloudsync.Classify(rec.status, rec.code), RetryAfter: rec.retryAfter}
}

func (c *Client) recorder(ctx context.Context) *recorder {
	return &recorder{ctx: ctx, base: c.cfg.Transport, now: c.cfg.Now}
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

func (c *Client) setSessionLocked(s Session) {
	c.session = &s
	if c.cfg.OnSession != nil {
		c.cfg.OnSession(s)
	}
}

// SignIn signs in with email and password.
func (c *Client) SignIn(ctx context.Context, email, password string) (Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	c.setSessionLocked(s)
	return s, nil
}

// SignUp creates an account and signs in when the project confirms
// accounts automatically; otherwise it returns ErrConfirmEmail.
func (c *Client) SignUp(ctx context.Context, email, password string) (Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	c.setSessionLocked(s)
	return s, nil
}

func (c *Client) authError(op string, rec *recorder, err error) *cloudsync.Error {
	e := callError(op, rec, err)
	e.Permanent = false // never a reason to dead-letter a row
	return e
}

// SignOut revokes the session on the server when it can and forgets it
// locally in any case.
func (c *Client) SignOut(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil
	}
	token := c.session.AccessToken
	c.session = nil
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	if err := c.authClient(rec, token).Logout(); err != nil {
		return c.authError("sign out", rec, err)
	}
	return nil
}

// refreshLocked trades the refresh token for a new session. The caller
// holds c.mu, so no request is in flight.
func (c *Client) refreshLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	resp, err := c.authClient(rec, "").RefreshToken(c.session.RefreshToken)
	if err != nil {
		e := c.authError("refresh session", rec, err)
		if rec.status >= 400 && rec.status < 500 && rec.status != http.StatusTooManyRequests && rec.status != http.StatusRequestTimeout {
			e.Err = cloudsync.ErrSessionExpired
		}
		return e
	}
	c.setSessionLocked(c.sessionFrom(resp.Session))
	return nil
}

// rest runs one PostgREST call with a fresh client: refreshes the token
// first when it is about to expire, and once more after a 401.
func (c *Client) rest(ctx context.Context, op string, fn func(pc *postgrest.Client) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return cloudsync.ErrSignedOut
	}
	if c.cfg.Now().Add(c.cfg.RefreshMargin).Unix() >= c.session.ExpiresAt {
		if err := c.refreshLocked(ctx); err != nil {
			return err
		}
	}
	err := c.once(ctx, op, fn)
	var e *cloudsync.Error
	if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
		if rerr := c.refreshLocked(ctx); rerr != nil {
			return rerr
		}
		err = c.once(ctx, op, fn)
	}
	return err
}

func (c *Client) once(ctx context.Context, op string, fn func(pc *postgrest.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rec := c.recorder(ctx)
	pc := postgrest.NewClient(c.restURL, "public", map[string]string{
		"apikey":        c.cfg.AnonKey,
		"Authorization": "Bearer " + c.session.AccessToken,
	})
	if pc.ClientError != nil {
		return &cloudsync.Error{Op: op, Err: pc.ClientError, Permanent: true}
	}
	pc.Transport.Parent = rec
	err := fn(pc)
	if err == nil && pc.ClientError != nil {
		err = pc.ClientError
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
	return schemaHint(table, c.rest(ctx, "push "+table, func(pc *postgrest.Client) error {
		owned, err := withOwner(rows, c.session.UserID)
		if err != nil {
			return &cloudsync.Error{Op: "push " + table, Permanent: true, Err: err}
		}
		_, _, err = pc.From(table).Upsert(owned, "id", "minimal", "").Execute()
		return err
	}))
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
	var rows []map[string]any
	err := c.rest(ctx, "pull "+table, func(pc *postgrest.Client) error {
		rows = nil
		q := pc.From(table).Select("*", "", false).
			Gt("server_seq", strconv.FormatInt(after, 10))
		if exceptDevice != "" {
			q = q.Not("hlc", "like", "*-"+exceptDevice) // clock values end with the device id
		}
		_, err := q.Order("server_seq", &postgrest.OrderOpts{Ascending: true}).
			Limit(limit, "").
			ExecuteTo(&rows)
		return err
	})
	if err != nil {
		return nil, schemaHint(table, err)
	}
	out := make([]cloudsync.RemoteRow, 0, len(rows))
	for _, r := range rows {
		seq, ok := r["server_seq"].(float64)
		if !ok {
			return nil, &cloudsync.Error{Op: "pull " + table, Message: "a row came without server_seq", Err: errors.New("malformed row")}
		}
		for _, k := range serverColumns {
			delete(r, k)
		}
		out = append(out, cloudsync.RemoteRow{Seq: int64(seq), Row: r})
	}
	return out, nil
}
