package google_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/app/google"
	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/secrets"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	fake    *fakegoogle.Server
	secrets *secrets.Store
	dir     string
	auth    *google.Auth
	clock   *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := fakegoogle.New()
	t.Cleanup(fake.Close)
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	fake.Now = c.Now
	dir := t.TempDir()
	st, err := secrets.Open(dir, secrets.Options{Mode: secrets.BackendFile})
	if err != nil {
		t.Fatal(err)
	}
	a, err := google.New(google.Config{
		ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, Secrets: st,
		AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL(), RevokeURL: fake.RevokeURL(), Now: c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, secrets: st, dir: dir, auth: a, clock: c}
}

// browse plays the browser: it opens the consent URL and follows Google's
// redirect to the loopback listener, returning the final status.
func browse(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("browse: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// consentRedirect opens the consent URL and returns where Google sends the
// browser, without following it.
func consentRedirect(t *testing.T, u string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent answered %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func signIn(t *testing.T, e *env, scopes []string) google.Grant {
	t.Helper()
	ctx := t.Context()
	flow, err := e.auth.SignIn(ctx, scopes)
	if err != nil {
		t.Fatal(err)
	}
	if got := browse(t, flow.URL); got != 200 {
		t.Fatalf("loopback page answered %d", got)
	}
	g, err := flow.Wait(ctx)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return g
}

func channels(t *testing.T, c *http.Client, base string) (*http.Response, error) {
	t.Helper()
	resp, err := c.Get(base + "youtube/v3/channels?part=snippet&mine=true")
	if err == nil {
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	return resp, err
}

func TestSignInWithPKCEAndLoopback(t *testing.T) {
	e := newEnv(t)
	g := signIn(t, e, google.PublishScopes)
	if e.fake.VerifiedExchanges() != 1 {
		t.Fatalf("the fake verified %d PKCE exchanges, want 1", e.fake.VerifiedExchanges())
	}
	q := e.fake.LastAuthQuery()
	for k, want := range map[string]string{"code_challenge_method": "S256", "access_type": "offline",
		"include_granted_scopes": "true", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("consent query %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") || !strings.HasSuffix(q.Get("redirect_uri"), "/callback") {
		t.Errorf("redirect_uri %q is not a loopback /callback", q.Get("redirect_uri"))
	}
	if !g.Has(google.PublishScopes...) {
		t.Fatalf("grant scopes %v miss %v", g.Scopes, google.PublishScopes)
	}
	c, err := e.auth.Client(g.Account)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := channels(t, c, e.fake.APIBase())
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("channels.list with the grant: %v %v", resp, err)
	}
	// the listener took its one callback and is gone
	if _, err := http.Get(q.Get("redirect_uri") + "?state=x&code=y"); err == nil {
		t.Fatal("the loopback listener still answers after the sign-in")
	}
}

func TestCallbackNeedsTheRightState(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	flow, err := e.auth.SignIn(ctx, google.PublishScopes)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(flow.RedirectURL + "?state=forged&code=4/evil")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged state answered %d, want 400", resp.StatusCode)
	}
	loc := consentRedirect(t, flow.URL)
	if got := browse(t, loc); got != 200 {
		t.Fatalf("real callback answered %d", got)
	}
	if got := browse(t, loc); got != http.StatusGone {
		t.Fatalf("second callback answered %d, want 410", got)
	}
	g, err := flow.Wait(ctx)
	if err != nil || g.Account != flow.Account {
		t.Fatalf("wait: %v %v", g, err)
	}
}

func TestDeclinedConsent(t *testing.T) {
	e := newEnv(t)
	e.fake.Deny(true)
	flow, err := e.auth.SignIn(t.Context(), google.PublishScopes)
	if err != nil {
		t.Fatal(err)
	}
	browse(t, flow.URL)
	if _, err := flow.Wait(t.Context()); !errors.Is(err, google.ErrDenied) {
		t.Fatalf("err = %v, want ErrDenied", err)
	}
	if _, err := e.auth.Grant(flow.Account); !errors.Is(err, google.ErrNotSignedIn) {
		t.Fatalf("a declined sign-in stored a grant: %v", err)
	}
}

func TestUntickedScopeIsReported(t *testing.T) {
	e := newEnv(t)
	e.fake.Untick(google.ScopeYouTubeUpload)
	flow, err := e.auth.SignIn(t.Context(), google.PublishScopes)
	if err != nil {
		t.Fatal(err)
	}
	browse(t, flow.URL)
	g, err := flow.Wait(t.Context())
	var se *google.ScopeError
	if !errors.As(err, &se) || !slices.Equal(se.Missing, []string{google.ScopeYouTubeUpload}) {
		t.Fatalf("err = %v, want ScopeError for the upload scope", err)
	}
	if g.Has(google.ScopeYouTubeUpload) || !g.Has(google.ScopeYouTubeReadOnly) {
		t.Fatalf("grant scopes %v", g.Scopes)
	}
}

func TestAddScopesKeepsTheGrantedOnes(t *testing.T) {
	e := newEnv(t)
	g := signIn(t, e, google.PublishScopes)
	flow, err := e.auth.AddScopes(t.Context(), g.Account, []string{google.ScopeAnalytics})
	if err != nil {
		t.Fatal(err)
	}
	if flow.Account != g.Account {
		t.Fatalf("AddScopes made account %s, want %s", flow.Account, g.Account)
	}
	browse(t, flow.URL)
	g2, err := flow.Wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if q := e.fake.LastAuthQuery(); q.Get("include_granted_scopes") != "true" || q.Get("prompt") != "consent" {
		t.Fatalf("add-scopes query %v", q)
	}
	if !g2.Has(google.ScopeYouTubeUpload, google.ScopeYouTubeReadOnly, google.ScopeAnalytics) {
		t.Fatalf("extended grant %v", g2.Scopes)
	}
	got, _ := e.auth.Grant(g.Account)
	if !got.Has(google.ScopeAnalytics) {
		t.Fatalf("stored grant %v lacks the new scope", got.Scopes)
	}
}

func TestFinishWithPastedAddress(t *testing.T) {
	e := newEnv(t)
	flow, err := e.auth.SignIn(t.Context(), google.PublishScopes)
	if err != nil {
		t.Fatal(err)
	}
	loc := consentRedirect(t, flow.URL)
	if _, err := flow.Finish(t.Context(), strings.Replace(loc, "state=", "state=x", 1)); !errors.Is(err, google.ErrStateMismatch) {
		t.Fatalf("tampered address: %v", err)
	}
	g, err := flow.Finish(t.Context(), loc)
	if err != nil || !g.Has(google.PublishScopes...) {
		t.Fatalf("finish: %v %v", g, err)
	}
	if _, err := flow.Finish(t.Context(), loc); !errors.Is(err, google.ErrFlowClosed) {
		t.Fatalf("second finish: %v", err)
	}
}

func readStored(t *testing.T, e *env, account string) map[string]any {
	t.Helper()
	v, err := e.secrets.Get("google/" + account)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRefreshPersistsRotatedTokens(t *testing.T) {
	e := newEnv(t)
	g := signIn(t, e, google.PublishScopes)
	before := readStored(t, e, g.Account)
	e.fake.RotateRefreshTokens(true)
	c, _ := e.auth.Client(g.Account)
	e.clock.Add(2 * time.Hour) // the access token is stale
	resp, err := channels(t, c, e.fake.APIBase())
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after refresh: %v %v", resp, err)
	}
	after := readStored(t, e, g.Account)
	if after["refresh_token"] == before["refresh_token"] || after["access_token"] == before["access_token"] {
		t.Fatal("the rotated tokens were not saved")
	}
	// a new process reads the rotated grant and works with it (the old refresh token is revoked)
	a2, _ := google.New(google.Config{ClientID: e.fake.ClientID, ClientSecret: e.fake.ClientSecret, Secrets: e.secrets,
		AuthURL: e.fake.AuthURL(), TokenURL: e.fake.TokenURL(), Now: e.clock.Now})
	e.clock.Add(2 * time.Hour)
	c2, _ := a2.Client(g.Account)
	if resp, err := channels(t, c2, e.fake.APIBase()); err != nil || resp.StatusCode != 200 {
		t.Fatalf("second process: %v %v", resp, err)
	}
}

func TestUnauthorizedRefreshesOnceThenAsksToSignInAgain(t *testing.T) {
	e := newEnv(t)
	g := signIn(t, e, google.PublishScopes)
	c, _ := e.auth.Client(g.Account)

	// an access token refused early (revoked access token, clock skew): one refresh fixes it
	e.fake.ExpireAccessTokens()
	tokensBefore := e.fake.Stats().Requests[fakegoogle.OpToken]
	if resp, err := channels(t, c, e.fake.APIBase()); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after one 401: %v %v", resp, err)
	}
	if got := e.fake.Stats().Requests[fakegoogle.OpToken] - tokensBefore; got != 1 {
		t.Fatalf("%d token requests, want 1 refresh", got)
	}

	// a fresh token refused again: sign in again, after exactly one refresh
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpChannelsList, Kind: fakegoogle.Unauthorized, Times: 2})
	tokensBefore = e.fake.Stats().Requests[fakegoogle.OpToken]
	_, err := channels(t, c, e.fake.APIBase())
	if !errors.Is(err, google.ErrSignInAgain) {
		t.Fatalf("err = %v, want ErrSignInAgain", err)
	}
	if got := e.fake.Stats().Requests[fakegoogle.OpToken] - tokensBefore; got != 1 {
		t.Fatalf("%d token requests, want 1 refresh", got)
	}

	// the grant revoked at Google: invalid_grant on refresh
	e.fake.RevokeAll()
	_, err = channels(t, c, e.fake.APIBase())
	if !errors.Is(err, google.ErrSignInAgain) {
		t.Fatalf("revoked grant: err = %v, want ErrSignInAgain", err)
	}
	stored := readStored(t, e, g.Account)
	for _, k := range []string{"refresh_token", "access_token"} {
		if tok, _ := stored[k].(string); tok != "" && strings.Contains(err.Error(), tok) {
			t.Fatalf("the error quotes the %s", k)
		}
	}
}

func TestSignOutRevokesAndForgets(t *testing.T) {
	e := newEnv(t)
	g := signIn(t, e, google.PublishScopes)
	if err := e.auth.SignOut(t.Context(), g.Account); err != nil {
		t.Fatal(err)
	}
	if _, err := e.auth.Grant(g.Account); !errors.Is(err, google.ErrNotSignedIn) {
		t.Fatalf("grant after sign-out: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(e.dir, secrets.FileName))
	if strings.Contains(string(b), "google/"+g.Account) {
		t.Fatal("the grant is still in the secrets file")
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	e := newEnv(t)
	flow, err := e.auth.SignIn(t.Context(), google.PublishScopes)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := flow.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, err := http.Get(flow.RedirectURL); err == nil {
		t.Fatal("listener still open after Wait returned")
	}
}
