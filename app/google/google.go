// Package google signs a desktop user in to Google with OAuth 2.0 and keeps
// the grant.
//
// The flow is the one Google prescribes for installed apps: an
// authorization code with PKCE (S256) delivered to a loopback redirect,
// http://127.0.0.1:<random port>/callback, that accepts exactly one
// callback carrying the right state and then closes. The user brings their
// own OAuth client (a "Desktop app" client of their Google Cloud project).
//
// A grant belongs to an account: the Google account, or brand account, the
// user picked on the consent screen. YouTube ties a grant to the channel of
// that account, so a person with several channels signs in once per brand
// account and gets one account id per sign-in. Scopes are asked for
// incrementally: AddScopes extends an existing grant
// (include_granted_scopes=true), as the analytics sign-in does on top of the
// publishing one.
//
// Tokens live only in the injected secret store (the OS keyring), under
// "google/<account>". They never reach SQLite, logs or errors: token
// endpoint failures are reported by their OAuth error code, never their
// body, and any token text found in an error is replaced.
package google

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"tubeagency/app/secrets"
)

// Scopes used by Tube Agency.
const (
	// ScopeYouTubeUpload lets the app upload videos, set thumbnails and
	// add captions.
	ScopeYouTubeUpload = "https://www.googleapis.com/auth/youtube.upload"
	// ScopeYouTubeReadOnly lets the app list the account's channels.
	ScopeYouTubeReadOnly = "https://www.googleapis.com/auth/youtube.readonly"
	// ScopeYouTubeForceSSL lets the app manage captions (captions.insert
	// accepts youtube.force-ssl or youtube).
	ScopeYouTubeForceSSL = "https://www.googleapis.com/auth/youtube.force-ssl"
	// ScopeAnalytics reads YouTube Analytics reports.
	ScopeAnalytics = "https://www.googleapis.com/auth/yt-analytics.readonly"
	// ScopeAnalyticsMonetary reads revenue in YouTube Analytics reports.
	ScopeAnalyticsMonetary = "https://www.googleapis.com/auth/yt-analytics-monetary.readonly"
)

// PublishScopes are the scopes publishing asks for at sign-in.
var PublishScopes = []string{ScopeYouTubeUpload, ScopeYouTubeReadOnly}

// CaptionScopes are added to a grant when the user first chooses to upload
// captions.
var CaptionScopes = []string{ScopeYouTubeForceSSL}

// Google's endpoints for installed apps.
const (
	DefaultAuthURL   = "https://accounts.google.com/o/oauth2/v2/auth"
	DefaultTokenURL  = "https://oauth2.googleapis.com/token"
	DefaultRevokeURL = "https://oauth2.googleapis.com/revoke"
)

// Sentinel errors.
var (
	// ErrSignInAgain reports a grant Google no longer honours (revoked,
	// expired — apps in "testing" status lose refresh tokens after 7 days —
	// or refused twice in a row): the user must sign in again.
	ErrSignInAgain = errors.New("google sign-in expired: sign in again")
	// ErrNotSignedIn reports an account with no stored grant.
	ErrNotSignedIn = errors.New("not signed in to google")
	// ErrNoClient reports a missing OAuth client id.
	ErrNoClient = errors.New("no google oauth client configured")
	// ErrBadClient reports a client id or secret Google does not accept.
	ErrBadClient = errors.New("google rejected the oauth client")
	// ErrDenied reports that the user declined the consent screen.
	ErrDenied = errors.New("google sign-in was declined")
	// ErrFlowClosed reports a sign-in that already finished or was closed.
	ErrFlowClosed = errors.New("google sign-in already finished")
	// ErrStateMismatch reports a callback that does not belong to the flow.
	ErrStateMismatch = errors.New("google sign-in callback does not match this sign-in")
)

// ScopeError reports a grant that lacks scopes the app asked for: Google's
// consent screen lets the user untick them. The grant is kept.
type ScopeError struct {
	Missing []string
}

func (e *ScopeError) Error() string {
	return "google sign-in did not grant " + strings.Join(e.Missing, ", ")
}

// Secrets is where grants are kept. *secrets.Store implements it; Get
// returns an error wrapping secrets.ErrNotFound for a missing name.
type Secrets interface {
	Get(name string) (string, error)
	Set(name, value string) error
	Delete(name string) error
}

// Config configures New. ClientID and Secrets are required.
type Config struct {
	// ClientID and ClientSecret are the user's "Desktop app" OAuth client.
	// Google issues a secret for desktop clients and expects it, though it
	// is not confidential.
	ClientID     string
	ClientSecret string
	// Secrets keeps the grants.
	Secrets Secrets
	// AuthURL, TokenURL and RevokeURL are the OAuth endpoints. Empty means
	// Google's.
	AuthURL, TokenURL, RevokeURL string
	// HTTPClient calls the token and revoke endpoints and carries API
	// requests under Client. Nil means a client with a 60 s timeout for
	// token calls and no timeout for API calls (uploads are long).
	HTTPClient *http.Client
	// Now is the clock that decides when an access token is stale. Nil
	// means time.Now.
	Now func() time.Time
	// ListenHost is the loopback address the redirect listener binds.
	// Empty means 127.0.0.1.
	ListenHost string
}

// Auth signs users in and hands out authorised HTTP clients. It is safe for
// concurrent use.
type Auth struct {
	cfg   Config
	oauth oauth2.Config
	token *http.Client // token endpoint calls
	api   http.RoundTripper

	mu      sync.Mutex
	sources map[string]*source
}

// New makes an Auth.
func New(cfg Config) (*Auth, error) {
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, ErrNoClient
	}
	if cfg.Secrets == nil {
		return nil, errors.New("google auth: a secret store is required")
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = DefaultAuthURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if cfg.RevokeURL == "" {
		cfg.RevokeURL = DefaultRevokeURL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ListenHost == "" {
		cfg.ListenHost = "127.0.0.1"
	}
	a := &Auth{cfg: cfg, sources: map[string]*source{}}
	a.oauth = oauth2.Config{
		ClientID:     strings.TrimSpace(cfg.ClientID),
		ClientSecret: strings.TrimSpace(cfg.ClientSecret),
		Endpoint:     oauth2.Endpoint{AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
	if cfg.HTTPClient != nil {
		a.token = cfg.HTTPClient
		a.api = cfg.HTTPClient.Transport
	} else {
		a.token = &http.Client{Timeout: 60 * time.Second}
	}
	if a.api == nil {
		a.api = http.DefaultTransport
	}
	return a, nil
}

// Grant is what a sign-in produced, without its tokens.
type Grant struct {
	Account string    `json:"account"`
	Scopes  []string  `json:"scopes"`
	At      time.Time `json:"at"` // when the grant was made or last extended
}

// Has reports whether the grant includes every scope.
func (g Grant) Has(scopes ...string) bool {
	for _, s := range scopes {
		if !slices.Contains(g.Scopes, s) {
			return false
		}
	}
	return true
}

// stored is a grant as kept in the secret store.
type stored struct {
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Scopes       []string  `json:"scopes"`
	At           time.Time `json:"at"`
}

var accountRe = regexp.MustCompile(`^[a-z0-9]{1,40}$`)

func secretName(account string) string { return "google/" + account }

func checkAccount(account string) error {
	if !accountRe.MatchString(account) {
		return fmt.Errorf("google account %q: must be 1 to 40 lowercase letters and digits", account)
	}
	return nil
}

func newAccountID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// maxStoredBytes caps a stored grant read back from the secret store.
const maxStoredBytes = 8 << 10

func (a *Auth) load(account string) (stored, error) {
	if err := checkAccount(account); err != nil {
		return stored{}, err
	}
	v, err := a.cfg.Secrets.Get(secretName(account))
	if errors.Is(err, secrets.ErrNotFound) {
		return stored{}, fmt.Errorf("google account %s: %w", account, ErrNotSignedIn)
	}
	if err != nil {
		return stored{}, fmt.Errorf("read google grant %s: %w", account, err)
	}
	if len(v) > maxStoredBytes {
		return stored{}, fmt.Errorf("read google grant %s: too large", account)
	}
	var s stored
	if err := json.Unmarshal([]byte(v), &s); err != nil || s.RefreshToken == "" {
		// the JSON error could quote a token
		return stored{}, fmt.Errorf("read google grant %s: unreadable, sign in again: %w", account, ErrSignInAgain)
	}
	return s, nil
}

func (a *Auth) save(account string, s stored) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode google grant: %w", err)
	}
	if err := a.cfg.Secrets.Set(secretName(account), string(b)); err != nil {
		return fmt.Errorf("save google grant %s: %s", account, scrub(err.Error(), s.RefreshToken, s.AccessToken))
	}
	return nil
}

// Grant returns the stored grant of account, or ErrNotSignedIn.
func (a *Auth) Grant(account string) (Grant, error) {
	s, err := a.load(account)
	if err != nil {
		return Grant{}, err
	}
	return Grant{Account: account, Scopes: s.Scopes, At: s.At}, nil
}

// SignOut revokes the grant at Google (best effort: offline, it is only
// forgotten) and deletes it from the secret store.
func (a *Auth) SignOut(ctx context.Context, account string) error {
	s, err := a.load(account)
	if errors.Is(err, ErrNotSignedIn) {
		return nil
	}
	if err == nil {
		a.revoke(ctx, s.RefreshToken)
	}
	a.mu.Lock()
	delete(a.sources, account)
	a.mu.Unlock()
	if err := a.cfg.Secrets.Delete(secretName(account)); err != nil {
		return fmt.Errorf("delete google grant %s: %w", account, err)
	}
	return nil
}

func (a *Auth) revoke(ctx context.Context, token string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.RevokeURL, strings.NewReader("token="+token))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.token.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

// scrub replaces every non-empty secret found in s.
func scrub(s string, secrets ...string) string {
	for _, t := range secrets {
		if len(t) >= 8 {
			s = strings.ReplaceAll(s, t, "[redacted]")
		}
	}
	return s
}

// tokenError turns a token endpoint failure into an error that names the
// OAuth error code only (Google's body is never quoted).
func tokenError(op string, err error, tokens ...string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		switch re.ErrorCode {
		case "invalid_grant":
			return fmt.Errorf("%s: google answered invalid_grant: %w", op, ErrSignInAgain)
		case "invalid_client", "unauthorized_client":
			return fmt.Errorf("%s: google answered %s: %w", op, re.ErrorCode, ErrBadClient)
		case "":
			return fmt.Errorf("%s: token endpoint answered HTTP %d", op, status)
		default:
			return fmt.Errorf("%s: google answered %s (HTTP %d)", op, re.ErrorCode, status)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &scrubbed{msg: op + ": " + scrub(err.Error(), tokens...), err: err}
}

// scrubbed keeps an error's chain for errors.Is and errors.As while its
// text has every token replaced.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
