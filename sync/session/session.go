// Package session is this device's sync session as the app offers it: the
// saved Supabase project, sign-up, sign-in and sign-out answered with what a
// person can act on, the session kept in the key store and restored at
// start, and the sync loop it signs in. The app's bound methods validate
// their input, call a Session and map its errors; nothing of the session's
// workings stays in the app root.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	gosync "sync"
	"time"

	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabase"
)

// Keys is the key store as the app has it: the OS keyring, or a user-only
// file where there is none. A name with nothing saved is an error that
// Config.NoSecret matches.
type Keys interface {
	Get(name string) (string, error)
	Set(name, value string) error
	Delete(name string) error
}

// Config configures New. Syncer and Keys are required.
type Config struct {
	// Syncer is the sync loop the session signs in and out; Start and Stop
	// start and stop it.
	Syncer *cloudsync.Syncer
	// Keys opens the key store. It is called on first use (opening the OS
	// keyring can take a moment, so it is not opened while the app builds)
	// and at every use after, so it should keep what it opened.
	Keys func() (Keys, error)
	// NoSecret is the key store's error for a name with nothing saved,
	// matched with errors.Is. Nil means the key store never answers so:
	// every Get error is a failure.
	NoSecret error
	// SessionSecret names the saved session in the key store. Empty means
	// supabase.DefaultSessionSecret.
	SessionSecret string
	// Now is the clock the clients refresh tokens by. Nil means time.Now.
	Now func() time.Time
	// Transport carries the requests to Supabase. Nil means the clients'
	// default.
	Transport http.RoundTripper
	// Logger receives notes (never a secret). Nil means slog.Default().
	Logger *slog.Logger
}

// View is the sync section of Settings: the syncer's status plus the saved
// project. The anon key is public by design, but only its tail is shown
// back.
type View struct {
	cloudsync.Status
	URL         string `json:"url"`
	AnonKeyTail string `json:"anon_key_tail"`
	Configured  bool   `json:"configured"`
}

// Session is the sync session. Build it with New; its zero value is not
// ready.
type Session struct {
	cfg     Config
	account *supabase.Account

	mu     gosync.Mutex
	cancel context.CancelFunc // of the restore Start began; nil when stopped
	wg     gosync.WaitGroup
}

// New returns the session, signed out until Start restores the saved one
// or a sign-in.
func New(cfg Config) (*Session, error) {
	if cfg.Syncer == nil || cfg.Keys == nil {
		return nil, errors.New("new sync session: Syncer and Keys are required")
	}
	if cfg.SessionSecret == "" {
		cfg.SessionSecret = supabase.DefaultSessionSecret
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Session{cfg: cfg}
	acct, err := supabase.NewAccount(supabase.AccountConfig{Syncer: cfg.Syncer, Secrets: keySecrets{s}, SessionSecret: cfg.SessionSecret,
		Now: cfg.Now, Transport: cfg.Transport, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("new sync session: %w", err)
	}
	s.account = acct
	return s, nil
}

// Start starts the sync loop (signed out) and restores the saved session
// in the background: reading the keyring can take a moment, and the app
// works signed out meanwhile. Stop ends both. Starting a started session
// does nothing.
func (s *Session) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.cfg.Syncer.Start(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.account.Restore(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("sync: could not restore the saved session", "err", err)
		}
	}()
}

// Stop stops a restore still running, waits for it, then stops the sync
// loop. Stopping a stopped session does nothing.
func (s *Session) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.cancel = nil
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	s.wg.Wait()
	s.cfg.Syncer.Stop()
}

// Restore signs the syncer in with the saved session now (Start does it in
// the background); see supabase.Account.Restore.
func (s *Session) Restore(ctx context.Context) error { return s.account.Restore(ctx) }

// View is the syncer's status and the saved project.
func (s *Session) View(ctx context.Context) (View, error) {
	st, err := s.cfg.Syncer.Status(ctx)
	if err != nil {
		return View{}, err
	}
	url, key, err := s.account.Project(ctx)
	if err != nil {
		return View{}, err
	}
	v := View{Status: st, URL: url, Configured: url != "" && key != ""}
	if len(key) > 6 {
		v.AnonKeyTail = "…" + key[len(key)-6:]
	}
	return v, nil
}

// Configured reports whether a project URL and anon key are saved: signed
// out then means a sign-in is missing, not that sync was never set up.
func (s *Session) Configured(ctx context.Context) (bool, error) {
	url, key, err := s.account.Project(ctx)
	return url != "" && key != "", err
}

// Configure saves the project (see supabase.Account.Configure): changing
// it signs out of the old one.
func (s *Session) Configure(ctx context.Context, url, anonKey string) (View, error) {
	if _, err := s.account.Configure(ctx, url, anonKey); err != nil {
		return View{}, err
	}
	return s.View(ctx)
}

// SignUp creates an account on the saved project, signs in and adopts this
// device's rows. A failure a person can fix is a *cloudsync.FieldError on
// the field that fixes it (url, anon_key, email or password).
func (s *Session) SignUp(ctx context.Context, email, password string) (View, error) {
	return s.signIn(ctx, email, password, true)
}

// SignIn signs in to the saved project and adopts this device's rows when
// they last synced with another account (or none). Errors as SignUp's.
func (s *Session) SignIn(ctx context.Context, email, password string) (View, error) {
	return s.signIn(ctx, email, password, false)
}

func (s *Session) signIn(ctx context.Context, email, password string, signUp bool) (View, error) {
	var err error
	if signUp {
		_, err = s.account.SignUp(ctx, email, password)
	} else {
		_, err = s.account.SignIn(ctx, email, password)
	}
	if err != nil {
		url, _, _ := s.account.Project(ctx)
		return View{}, authProblem(err, url)
	}
	return s.View(ctx)
}

// SignOut forgets the session: the app keeps working and queues changes.
func (s *Session) SignOut(ctx context.Context) (View, error) {
	if err := s.account.SignOut(ctx); err != nil {
		return View{}, err
	}
	return s.View(ctx)
}

// authProblem turns a sign-in failure into a sentence next to the field
// that can fix it.
func authProblem(err error, url string) error {
	field := func(name, msg string) error { return &cloudsync.FieldError{Field: name, Message: msg} }
	var e *cloudsync.Error
	switch {
	case errors.Is(err, supabase.ErrNotConfigured):
		return field("url", "save the Supabase URL and anon key first")
	case errors.Is(err, supabase.ErrInvalidCredentials):
		return field("password", "wrong email or password")
	case errors.Is(err, supabase.ErrUserExists):
		return field("email", "an account with this email already exists: sign in instead")
	case errors.Is(err, supabase.ErrWeakPassword):
		return field("password", "is too weak for this project: choose a longer one")
	case errors.Is(err, supabase.ErrConfirmEmail):
		return field("email", "check your inbox and confirm your email, then sign in")
	case errors.As(err, &e) && e.Status == 0:
		return field("url", "Supabase did not answer at "+url+": check the address and your connection")
	case errors.As(err, &e) && (e.Status == 401 || e.Status == 403):
		return field("anon_key", "Supabase refused the anon key: copy it again from Project Settings → API")
	case errors.As(err, &e) && e.Status == 404:
		return field("url", "no Supabase project answers at "+url)
	default:
		return fmt.Errorf("sign in to Supabase: %w", err)
	}
}

// keySecrets is the key store as the account sees it: nothing saved is
// not an error, and deleting what is not there succeeds.
type keySecrets struct{ s *Session }

func (k keySecrets) Get(name string) (string, bool, error) {
	ks, err := k.s.cfg.Keys()
	if err != nil {
		return "", false, err
	}
	v, err := ks.Get(name)
	if k.s.noSecret(err) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (k keySecrets) Set(name, value string) error {
	ks, err := k.s.cfg.Keys()
	if err != nil {
		return err
	}
	return ks.Set(name, value)
}

func (k keySecrets) Delete(name string) error {
	ks, err := k.s.cfg.Keys()
	if err != nil {
		return err
	}
	if err := ks.Delete(name); err != nil && !k.s.noSecret(err) {
		return err
	}
	return nil
}

func (s *Session) noSecret(err error) bool {
	return err != nil && s.cfg.NoSecret != nil && errors.Is(err, s.cfg.NoSecret)
}
