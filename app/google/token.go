package google

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// expiryDelta is how long before its expiry an access token is replaced.
const expiryDelta = time.Minute

// source hands out access tokens of one account, refreshing them when
// stale and saving whatever the token endpoint returns (Google may rotate
// the refresh token).
type source struct {
	a       *Auth
	account string

	mu sync.Mutex
	s  stored
}

var _ oauth2.TokenSource = (*source)(nil)

func (a *Auth) source(account string) (*source, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if src, ok := a.sources[account]; ok {
		return src, nil
	}
	s, err := a.load(account)
	if err != nil {
		return nil, err
	}
	src := &source{a: a, account: account, s: s}
	a.sources[account] = src
	return src, nil
}

// TokenSource returns account's token source: it refreshes stale access
// tokens and persists rotated ones. Errors are ErrSignInAgain when Google
// refuses the grant.
func (a *Auth) TokenSource(account string) (oauth2.TokenSource, error) {
	return a.source(account)
}

func (s *source) fresh() bool {
	if s.s.AccessToken == "" {
		return false
	}
	return s.s.Expiry.IsZero() || s.a.cfg.Now().Add(expiryDelta).Before(s.s.Expiry)
}

func (s *source) oauthToken() *oauth2.Token {
	return &oauth2.Token{AccessToken: s.s.AccessToken, TokenType: "Bearer", RefreshToken: s.s.RefreshToken, Expiry: s.s.Expiry}
}

// Token returns a usable access token, refreshing it when stale.
func (s *source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fresh() {
		return s.oauthToken(), nil
	}
	if err := s.refreshLocked(); err != nil {
		return nil, err
	}
	return s.oauthToken(), nil
}

// refused is called after the API answered 401 to refusedToken: unless
// another request already replaced it, the token is refreshed.
func (s *source) refused(refusedToken string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s.AccessToken == refusedToken || !s.fresh() {
		if err := s.refreshLocked(); err != nil {
			return nil, err
		}
	}
	return s.oauthToken(), nil
}

func (s *source) refreshLocked() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.a.token)
	old := s.s
	tok, err := s.a.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
	if err != nil {
		return tokenError("refresh google token", err, old.RefreshToken, old.AccessToken)
	}
	next := old
	next.AccessToken = tok.AccessToken
	next.TokenType = tok.TokenType
	next.Expiry = expiry(s.a.cfg.Now(), tok)
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	if err := s.a.save(s.account, next); err != nil {
		// the new access token still works for this process; the refresh
		// token is only lost if Google rotated it, and then the next start
		// asks to sign in again
		s.s = next
		return err
	}
	s.s = next
	return nil
}

// Client returns an HTTP client whose requests carry account's access
// token. A 401 answer makes it refresh the token and send the request once
// more (when its body can be replayed); a second 401 fails with
// ErrSignInAgain.
func (a *Auth) Client(account string) (*http.Client, error) {
	src, err := a.source(account)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: &Transport{src: src, base: a.api}}, nil
}

// Transport authorises requests with an account's token; see Auth.Client.
type Transport struct {
	src  *source
	base http.RoundTripper
}

// RoundTrip sends req with a bearer token, refreshing once on a 401.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.src.Token()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base.RoundTrip(authorised(req, req.Body, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil // cannot replay: the caller sees the 401
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	tok, err = t.src.refused(tok.AccessToken)
	if err != nil {
		return nil, err
	}
	body := req.Body
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return nil, fmt.Errorf("replay request after refresh: %w", err)
		}
	}
	resp, err = t.base.RoundTrip(authorised(req, body, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil, fmt.Errorf("youtube refused a fresh google token (HTTP 401): %w", ErrSignInAgain)
}

func authorised(req *http.Request, body io.ReadCloser, tok *oauth2.Token) *http.Request {
	r := req.Clone(req.Context())
	r.Body = body
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// IsSignInAgain reports whether err means the user must sign in again.
func IsSignInAgain(err error) bool { return errors.Is(err, ErrSignInAgain) }
