package supabase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	cloudsync "tubeagency/sync"
)

// Secrets keeps named secrets: the OS keyring in the app.
type Secrets interface {
	// Get returns the secret named name; ok is false when none is saved.
	Get(name string) (value string, ok bool, err error)
	// Set saves the secret.
	Set(name, value string) error
	// Delete forgets the secret; one that is not there is no error.
	Delete(name string) error
}

// Device-local sync settings (the syncer's sync_meta keys).
const (
	metaURL     = "url"
	metaAnonKey = "anon_key"
	metaEmail   = "email"
)

// DefaultSessionSecret is the key store name of the session.
const DefaultSessionSecret = "sync/session"

// Errors of the account.
var (
	// ErrNotConfigured means no project URL and anon key are saved yet.
	ErrNotConfigured = errors.New("save the Supabase URL and anon key first")
	// ErrChangedMeanwhile means the project or the account changed while a
	// sign-in waited for the server; the sign-in was dropped.
	ErrChangedMeanwhile = errors.New("the sync settings changed while signing in: try again")
	// ErrSessionUnreadable means the saved session could not be read.
	ErrSessionUnreadable = errors.New("the saved sync session is unreadable: sign in again")
)

// AccountConfig configures NewAccount. Syncer and Secrets are required.
type AccountConfig struct {
	Syncer  *cloudsync.Syncer
	Secrets Secrets
	// SessionSecret names the session in Secrets. Empty means
	// DefaultSessionSecret.
	SessionSecret string
	// Now is the clock the clients refresh tokens by. Nil means time.Now.
	Now func() time.Time
	// Transport carries the clients' requests. Nil means their default.
	Transport http.RoundTripper
	// Timeout bounds each request. Zero means the client's default (20 s).
	Timeout time.Duration
	// Logger receives notes (never a secret). Nil means slog.Default().
	Logger *slog.Logger
}

// Account is the sync session of this device: the saved project (URL and
// anon key, device-local), sign-up, sign-in and sign-out, the session kept
// in Secrets (refresh tokens rotate, so every new session is saved), and
// the Syncer's remote. Network requests (signing in, revoking a session)
// run with no lock held; what they change is installed afterwards, and a
// sign-in overtaken by another change of the account is dropped.
type Account struct {
	cfg AccountConfig

	// mu serialises changes of the account. It is held across local I/O
	// (the database, the key store), never across a network request.
	mu     gosync.Mutex
	client *Client
	gen    int64 // bumped by every change of project or session
}

// NewAccount returns the account, signed out until Restore or SignIn.
func NewAccount(cfg AccountConfig) (*Account, error) {
	if cfg.Syncer == nil || cfg.Secrets == nil {
		return nil, errors.New("new sync account: Syncer and Secrets are required")
	}
	if cfg.SessionSecret == "" {
		cfg.SessionSecret = DefaultSessionSecret
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Account{cfg: cfg}, nil
}

// Project is the saved project URL and anon key ("" when not saved).
func (a *Account) Project(ctx context.Context) (url, anonKey string, err error) {
	if url, err = a.cfg.Syncer.Meta(ctx, metaURL); err != nil {
		return "", "", err
	}
	anonKey, err = a.cfg.Syncer.Meta(ctx, metaAnonKey)
	return url, anonKey, err
}

// Configure checks and saves the project. Changing it signs out of the
// old one (locally at once, on the old server when it answers). It returns
// the normalised URL.
func (a *Account) Configure(ctx context.Context, rawURL, anonKey string) (string, error) {
	url, err := ValidateURL(rawURL)
	if err != nil {
		return "", err
	}
	anonKey = strings.TrimSpace(anonKey)
	if anonKey == "" {
		return "", errors.New("the Supabase anon key is required")
	}
	a.mu.Lock()
	oldURL, oldKey, err := a.Project(ctx)
	if err != nil {
		a.mu.Unlock()
		return "", err
	}
	var old *Client
	if oldURL != url || oldKey != anonKey {
		if old, err = a.signOutLocked(ctx); err != nil {
			a.mu.Unlock()
			return "", err
		}
	}
	err = a.cfg.Syncer.SetMeta(ctx, map[string]string{metaURL: url, metaAnonKey: anonKey})
	a.mu.Unlock()
	a.revoke(ctx, old)
	return url, err
}

// Restore signs the syncer in with the saved session, when the project is
// configured and a session was kept; otherwise it tells the syncer this
// device is signed out. No request is made (an expired token is refreshed
// before the first sync).
func (a *Account) Restore(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	url, key, err := a.Project(ctx)
	if err != nil {
		return err
	}
	raw, ok, err := "", false, error(nil)
	if url != "" && key != "" {
		if raw, ok, err = a.cfg.Secrets.Get(a.cfg.SessionSecret); err != nil {
			return fmt.Errorf("read the saved sync session: %w", err)
		}
	}
	if !ok {
		a.cfg.Syncer.SetRemote(nil, "")
		return nil
	}
	s, err := DecodeSession([]byte(raw))
	if err != nil {
		a.cfg.Syncer.SetRemote(nil, "")
		a.cfg.Logger.Warn("sync: the saved session is unreadable", "err", err)
		return ErrSessionUnreadable
	}
	cl, err := a.newClient(url, key)
	if err != nil {
		return err
	}
	cl.Restore(s)
	a.client = cl
	a.gen++
	a.cfg.Syncer.SetRemote(cl, s.Email)
	return nil
}

// SignUp creates an account on the saved project, signs in and adopts
// this device's rows.
func (a *Account) SignUp(ctx context.Context, email, password string) (Session, error) {
	return a.signIn(ctx, email, password, true)
}

// SignIn signs in to the saved project and adopts this device's rows when
// they last synced with another account (or none).
func (a *Account) SignIn(ctx context.Context, email, password string) (Session, error) {
	return a.signIn(ctx, email, password, false)
}

func (a *Account) signIn(ctx context.Context, email, password string, signUp bool) (Session, error) {
	a.mu.Lock()
	url, key, err := a.Project(ctx)
	gen := a.gen
	a.mu.Unlock()
	if err != nil {
		return Session{}, err
	}
	if url == "" || key == "" {
		return Session{}, ErrNotConfigured
	}
	cl, err := a.newClient(url, key)
	if err != nil {
		return Session{}, err
	}
	var s Session
	if signUp {
		s, err = cl.SignUp(ctx, email, password)
	} else {
		s, err = cl.SignIn(ctx, email, password)
	}
	if err != nil {
		return Session{}, err
	}
	a.mu.Lock()
	old, err := a.installLocked(ctx, cl, s, gen)
	a.mu.Unlock()
	if err != nil {
		a.revoke(ctx, cl)
		return Session{}, err
	}
	a.revoke(ctx, old) // the new session replaces the old one
	return s, nil
}

// installLocked makes cl (signed in as s) the account's client, unless the
// account changed since gen. The caller holds a.mu.
func (a *Account) installLocked(ctx context.Context, cl *Client, s Session, gen int64) (*Client, error) {
	if a.gen != gen {
		return nil, ErrChangedMeanwhile
	}
	if err := a.saveSession(s); err != nil {
		return nil, fmt.Errorf("signed in, but the session could not be kept in the key store: %w", err)
	}
	if _, err := a.cfg.Syncer.Adopt(ctx, s.UserID); err != nil {
		return nil, err
	}
	if err := a.cfg.Syncer.SetMeta(ctx, map[string]string{metaEmail: s.Email}); err != nil {
		return nil, err
	}
	old := a.client
	a.client = cl
	a.gen++
	a.cfg.Syncer.SetRemote(cl, s.Email)
	return old, nil
}

// SignOut forgets the session: at once on this device (the app keeps
// working and queueing changes), on the server when it answers.
func (a *Account) SignOut(ctx context.Context) error {
	a.mu.Lock()
	old, err := a.signOutLocked(ctx)
	a.mu.Unlock()
	a.revoke(ctx, old)
	return err
}

// signOutLocked forgets the session locally and returns the client to
// revoke. The caller holds a.mu.
func (a *Account) signOutLocked(ctx context.Context) (*Client, error) {
	old := a.client
	a.client = nil
	a.gen++
	a.cfg.Syncer.SetRemote(nil, "")
	if err := a.cfg.Secrets.Delete(a.cfg.SessionSecret); err != nil {
		return old, fmt.Errorf("sign out: remove the saved session: %w", err)
	}
	return old, a.cfg.Syncer.SetMeta(ctx, map[string]string{metaEmail: ""})
}

// revoke signs cl out on its server, best effort: offline sign-out must
// work, and the session is forgotten locally already.
func (a *Account) revoke(ctx context.Context, cl *Client) {
	if cl == nil {
		return
	}
	if err := cl.SignOut(ctx); err != nil {
		a.cfg.Logger.Debug("sync: the old session could not be revoked on the server", "err", err)
	}
}

// newClient builds a client whose rotated sessions go to the key store
// while it is the account's client.
func (a *Account) newClient(url, key string) (*Client, error) {
	var cl *Client
	var err error
	cl, err = New(Config{
		URL:       url,
		AnonKey:   key,
		Now:       a.cfg.Now,
		Timeout:   a.cfg.Timeout,
		Transport: a.cfg.Transport,
		OnSession: func(s Session) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.client != cl {
				return // a sign-in's own session is saved by installLocked; a replaced client's is dropped
			}
			if err := a.saveSession(s); err != nil {
				a.cfg.Logger.Warn("sync: could not keep the refreshed session", "err", err)
			}
		},
	})
	return cl, err
}

func (a *Account) saveSession(s Session) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return a.cfg.Secrets.Set(a.cfg.SessionSecret, string(raw))
}

// maxSessionBytes caps a saved session: two tokens and a few short fields
// (an access token is a JWT of about 1 KiB).
const maxSessionBytes = 64 << 10

// DecodeSession reads a session saved in the key store. It refuses one over
// 64 KiB, one that is not a single JSON object, one without a refresh token
// or user id, and tokens with characters an HTTP header cannot carry
// (anything but visible ASCII). Its errors never quote the session.
func DecodeSession(raw []byte) (Session, error) {
	if len(raw) > maxSessionBytes {
		return Session{}, fmt.Errorf("decode session: %d bytes is over the %d KiB cap", len(raw), maxSessionBytes>>10)
	}
	var s Session
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&s); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return Session{}, fmt.Errorf("decode session: not JSON (at byte %d)", se.Offset)
		case errors.As(err, &te):
			return Session{}, fmt.Errorf("decode session: %s is not a %s", te.Field, te.Type)
		}
		return Session{}, errors.New("decode session: not a JSON object")
	}
	if dec.More() {
		return Session{}, errors.New("decode session: data after the session")
	}
	switch {
	case s.RefreshToken == "":
		return Session{}, errors.New("decode session: refresh_token is missing")
	case s.UserID == "":
		return Session{}, errors.New("decode session: user_id is missing")
	case !headerSafe(s.AccessToken):
		return Session{}, errors.New("decode session: access_token holds characters a request header cannot carry")
	case !headerSafe(s.RefreshToken):
		return Session{}, errors.New("decode session: refresh_token holds characters a request header cannot carry")
	}
	return s, nil
}

// headerSafe reports whether v is visible ASCII only.
func headerSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}
