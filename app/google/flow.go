package google

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Flow is one sign-in in progress: open URL in a browser, then Wait for the
// loopback callback (or Finish with the address the browser ended on, when
// the browser runs on another computer than the app).
type Flow struct {
	// URL is Google's consent page for this sign-in.
	URL string
	// RedirectURL is the loopback address Google sends the browser back to.
	RedirectURL string
	// Account is the account the grant will be stored under.
	Account string

	a        *Auth
	oauth    oauth2.Config
	verifier string
	state    string
	scopes   []string // asked for
	prior    *stored  // the grant being extended, nil for a new sign-in

	ln      net.Listener
	srv     *http.Server
	results chan callback
	once    sync.Once // the one accepted callback
	mu      sync.Mutex
	done    bool
}

type callback struct {
	code  string
	scope string
	err   error
}

// SignIn starts a new sign-in asking for scopes. The grant goes to a new
// account id, Flow.Account.
func (a *Auth) SignIn(ctx context.Context, scopes []string) (*Flow, error) {
	if len(scopes) == 0 {
		return nil, errors.New("google sign-in: no scopes asked for")
	}
	return a.begin(ctx, newAccountID(), scopes, nil,
		oauth2.SetAuthURLParam("prompt", "consent select_account"))
}

// AddScopes extends account's grant with scopes, keeping the ones already
// granted (include_granted_scopes=true): the user sees a consent screen for
// the new scopes only, and the stored grant covers them all afterwards.
func (a *Auth) AddScopes(ctx context.Context, account string, scopes []string) (*Flow, error) {
	prior, err := a.load(account)
	if err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, errors.New("google add scopes: no scopes asked for")
	}
	all := slices.Clone(prior.Scopes)
	for _, s := range scopes {
		if !slices.Contains(all, s) {
			all = append(all, s)
		}
	}
	return a.begin(ctx, account, all, &prior, oauth2.SetAuthURLParam("prompt", "consent"))
}

func (a *Auth) begin(_ context.Context, account string, scopes []string, prior *stored, extra ...oauth2.AuthCodeOption) (*Flow, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(a.cfg.ListenHost, "0"))
	if err != nil {
		return nil, fmt.Errorf("google sign-in: open the loopback redirect: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	f := &Flow{
		Account:     account,
		RedirectURL: "http://" + net.JoinHostPort(a.cfg.ListenHost, strconv.Itoa(port)) + "/callback",
		a:           a,
		oauth:       a.oauth,
		verifier:    oauth2.GenerateVerifier(),
		state:       randomState(),
		scopes:      scopes,
		prior:       prior,
		ln:          ln,
		results:     make(chan callback, 1),
	}
	f.oauth.RedirectURL = f.RedirectURL
	f.oauth.Scopes = scopes
	opts := append([]oauth2.AuthCodeOption{
		oauth2.AccessTypeOffline,
		oauth2.S256ChallengeOption(f.verifier),
		oauth2.SetAuthURLParam("include_granted_scopes", "true"),
	}, extra...)
	f.URL = f.oauth.AuthCodeURL(f.state, opts...)
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", f.handle)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func randomState() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// page writes the small page the browser shows after the redirect.
func page(w http.ResponseWriter, status int, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>%s</title>`+
		`<body style="font-family:system-ui,sans-serif;max-width:32em;margin:4em auto"><h1>%s</h1><p>%s</p></body>`,
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(body))
}

// handle takes the one callback carrying the flow's state. A callback with
// another state is refused and does not end the flow (a stray or forged
// request must not cancel the user's sign-in).
func (f *Flow) handle(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		page(w, http.StatusBadRequest, "Sign-in link not recognised",
			"This address does not belong to the sign-in Tube Agency is waiting for. Start the sign-in again from Tube Agency.")
		return
	}
	cb := parseCallback(q)
	accepted := false
	f.once.Do(func() {
		accepted = true
		f.results <- cb
	})
	switch {
	case !accepted:
		page(w, http.StatusGone, "Already signed in", "This sign-in was already completed. You can close this tab.")
	case cb.err != nil:
		page(w, http.StatusOK, "Sign-in cancelled", "Google did not grant access. You can close this tab and try again from Tube Agency.")
	default:
		page(w, http.StatusOK, "Signed in", "Tube Agency received the sign-in. You can close this tab and go back to the app.")
	}
}

func parseCallback(q url.Values) callback {
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return callback{err: ErrDenied}
		}
		return callback{err: fmt.Errorf("google sign-in: google answered %s", sanitizeCode(e))}
	}
	code := q.Get("code")
	if code == "" {
		return callback{err: errors.New("google sign-in: the callback carries no code")}
	}
	return callback{code: code, scope: q.Get("scope")}
}

// sanitizeCode keeps an OAuth error code printable and short.
func sanitizeCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return -1
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// Wait blocks until the browser comes back to the loopback redirect (or ctx
// ends), exchanges the code with the PKCE verifier and stores the grant.
// The listener is closed when Wait returns.
func (f *Flow) Wait(ctx context.Context) (Grant, error) {
	defer f.Close()
	select {
	case cb := <-f.results:
		if cb.err != nil {
			return Grant{}, cb.err
		}
		return f.complete(ctx, cb.code)
	case <-ctx.Done():
		return Grant{}, fmt.Errorf("google sign-in: %w", ctx.Err())
	}
}

// Finish completes the sign-in from the address the browser ended on
// (http://127.0.0.1:…/callback?state=…&code=…), pasted by the user when the
// browser runs on another computer than the app, as in serve mode.
func (f *Flow) Finish(ctx context.Context, redirected string) (Grant, error) {
	u, err := url.Parse(strings.TrimSpace(redirected))
	if err != nil || len(redirected) > 8<<10 {
		return Grant{}, errors.New("google sign-in: the pasted address is not a URL")
	}
	q := u.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		return Grant{}, ErrStateMismatch
	}
	cb := parseCallback(q)
	accepted := false
	f.once.Do(func() { accepted = true })
	if !accepted {
		return Grant{}, ErrFlowClosed
	}
	defer f.Close()
	if cb.err != nil {
		return Grant{}, cb.err
	}
	return f.complete(ctx, cb.code)
}

// Close stops the loopback listener. Safe to call more than once.
func (f *Flow) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return nil
	}
	f.done = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil { // lets the success page finish
		return f.srv.Close()
	}
	return nil
}

func (f *Flow) complete(ctx context.Context, code string) (Grant, error) {
	a := f.a
	ctx = context.WithValue(ctx, oauth2.HTTPClient, a.token)
	tok, err := f.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return Grant{}, tokenError("google sign-in: exchange the code", err)
	}
	s := stored{
		RefreshToken: tok.RefreshToken,
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		Expiry:       expiry(a.cfg.Now(), tok),
		At:           a.cfg.Now().UTC(),
	}
	if granted, _ := tok.Extra("scope").(string); granted != "" {
		s.Scopes = strings.Fields(granted)
	} else {
		s.Scopes = slices.Clone(f.scopes) // Google always says; a server that does not grants what was asked
	}
	if f.prior != nil {
		if s.RefreshToken == "" {
			s.RefreshToken = f.prior.RefreshToken
		}
		for _, sc := range f.prior.Scopes { // include_granted_scopes: the old scopes stay
			if !slices.Contains(s.Scopes, sc) {
				s.Scopes = append(s.Scopes, sc)
			}
		}
	}
	if s.RefreshToken == "" {
		return Grant{}, errors.New("google sign-in: google returned no refresh token; remove Tube Agency's access at myaccount.google.com/permissions and sign in again")
	}
	slices.Sort(s.Scopes)
	if err := a.save(f.Account, s); err != nil {
		return Grant{}, err
	}
	a.mu.Lock()
	delete(a.sources, f.Account) // the next Client reads the new grant
	a.mu.Unlock()
	g := Grant{Account: f.Account, Scopes: s.Scopes, At: s.At}
	var missing []string
	for _, sc := range f.scopes {
		if !slices.Contains(s.Scopes, sc) {
			missing = append(missing, sc)
		}
	}
	if len(missing) > 0 {
		return g, &ScopeError{Missing: missing}
	}
	return g, nil
}

// expiry is when tok stops being usable by the injected clock: the token
// endpoint's expires_in counted from now (oauth2 counts it from the wall
// clock).
func expiry(now time.Time, tok *oauth2.Token) time.Time {
	if tok.ExpiresIn > 0 {
		return now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
	}
	if !tok.Expiry.IsZero() {
		return tok.Expiry.UTC()
	}
	return time.Time{}
}
