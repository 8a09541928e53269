package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabase"
)

// SyncView is the sync section of Settings: the syncer's status plus the
// saved project address. The anon key is public by design, but only its
// tail is shown back.
type SyncView struct {
	cloudsync.Status
	URL         string `json:"url"`
	AnonKeyTail string `json:"anon_key_tail"`
	Configured  bool   `json:"configured"`
}

// SyncSettingsInput is the Supabase project the user enters.
type SyncSettingsInput struct {
	URL     string `json:"url"`
	AnonKey string `json:"anon_key"`
}

// SyncCredentials are the email and password of a sign-up or sign-in.
type SyncCredentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

var (
	emailRe   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	anonKeyRe = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

func (rt *Runtime) syncView(ctx context.Context) (SyncView, error) {
	st, err := rt.sync.syncer.Status(ctx)
	if err != nil {
		return SyncView{}, err
	}
	url, key, err := rt.sync.account.Project(ctx)
	if err != nil {
		return SyncView{}, err
	}
	v := SyncView{Status: st, URL: url, Configured: url != "" && key != ""}
	if len(key) > 6 {
		v.AnonKeyTail = "…" + key[len(key)-6:]
	}
	return v, nil
}

// SyncStatus reports sync state, last sync, pending changes, dead letters,
// how this device pulls and the saved project.
func (a *App) SyncStatus() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.syncView(ctx)
}

// SaveSyncSettings checks and saves the Supabase URL and anon key. Changing
// the project signs out of the old one.
func (a *App) SaveSyncSettings(in SyncSettingsInput) (SyncView, error) {
	in.URL, in.AnonKey = strings.TrimSpace(in.URL), strings.TrimSpace(in.AnonKey)
	var c checker
	c.text("url", in.URL, 1, 300)
	if c.err == nil {
		if _, err := supabase.ValidateURL(in.URL); err != nil {
			c.fail("url", "%s", err.Error())
		}
	}
	c.text("anon_key", in.AnonKey, 1, 4000)
	if c.err == nil && !anonKeyRe.MatchString(in.AnonKey) {
		c.fail("anon_key", "must be the anon (public) key from Project Settings → API: letters, digits, '.', '_' and '-' only")
	}
	if err := c.check(); err != nil {
		return SyncView{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.sync.account.Configure(ctx, in.URL, in.AnonKey); err != nil {
		return SyncView{}, err
	}
	return a.rt.syncView(ctx)
}

func (in *SyncCredentials) validate() error {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	var c checker
	c.text("email", in.Email, 1, 254)
	if c.err == nil && !emailRe.MatchString(in.Email) {
		c.fail("email", "must be an email address such as you@example.com")
	}
	if c.err == nil && len(in.Password) < 6 {
		c.fail("password", "must be at least 6 characters")
	}
	if c.err == nil && len(in.Password) > 72 {
		c.fail("password", "must be at most 72 characters")
	}
	return c.check()
}

// SyncSignUp creates an account on the saved project, signs in and adopts
// this device's rows.
func (a *App) SyncSignUp(in SyncCredentials) (SyncView, error) { return a.signIn(in, true) }

// SyncSignIn signs in to the saved project and adopts this device's rows
// when they last synced with another account (or none).
func (a *App) SyncSignIn(in SyncCredentials) (SyncView, error) { return a.signIn(in, false) }

func (a *App) signIn(in SyncCredentials, signUp bool) (SyncView, error) {
	if err := in.validate(); err != nil {
		return SyncView{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	acct := a.rt.sync.account
	var err error
	if signUp {
		_, err = acct.SignUp(ctx, in.Email, in.Password)
	} else {
		_, err = acct.SignIn(ctx, in.Email, in.Password)
	}
	if err != nil {
		url, _, _ := acct.Project(ctx)
		return SyncView{}, authProblem(err, url)
	}
	return a.rt.syncView(ctx)
}

// authProblem turns a sign-in failure into a sentence next to the field
// that can fix it.
func authProblem(err error, url string) error {
	var e *cloudsync.Error
	switch {
	case errors.Is(err, supabase.ErrNotConfigured):
		return &FieldError{Field: "url", Message: "save the Supabase URL and anon key first"}
	case errors.Is(err, supabase.ErrInvalidCredentials):
		return &FieldError{Field: "password", Message: "wrong email or password"}
	case errors.Is(err, supabase.ErrUserExists):
		return &FieldError{Field: "email", Message: "an account with this email already exists: sign in instead"}
	case errors.Is(err, supabase.ErrWeakPassword):
		return &FieldError{Field: "password", Message: "is too weak for this project: choose a longer one"}
	case errors.Is(err, supabase.ErrConfirmEmail):
		return &FieldError{Field: "email", Message: "check your inbox and confirm your email, then sign in"}
	case errors.As(err, &e) && e.Status == 0:
		return &FieldError{Field: "url", Message: "Supabase did not answer at " + url + ": check the address and your connection"}
	case errors.As(err, &e) && (e.Status == 401 || e.Status == 403):
		return &FieldError{Field: "anon_key", Message: "Supabase refused the anon key: copy it again from Project Settings → API"}
	case errors.As(err, &e) && e.Status == 404:
		return &FieldError{Field: "url", Message: "no Supabase project answers at " + url}
	default:
		return fmt.Errorf("sign in to Supabase: %w", err)
	}
}

// SyncSignOut signs out: the app keeps working and queues changes.
func (a *App) SyncSignOut() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.sync.account.SignOut(ctx); err != nil {
		return SyncView{}, err
	}
	return a.rt.syncView(ctx)
}

// SyncNow asks the syncer to try at once (and, for a project that had not
// applied schema 0002, to look for it again).
func (a *App) SyncNow() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	a.rt.sync.syncer.SyncNow()
	return a.rt.syncView(ctx)
}

// RepairClocks stamps again, from a sane clock, the changes and rows this
// device holds with clock values far ahead (see cloudsync.RepairClocks),
// and syncs them.
func (a *App) RepairClocks() (cloudsync.RepairReport, error) {
	ctx, cancel := a.call()
	defer cancel()
	rep, err := a.rt.sync.syncer.RepairClocks(ctx)
	if err == nil {
		a.rt.emitStatus()
	}
	return rep, err
}

// ListDeadLetters lists the changes the server refused for good.
func (a *App) ListDeadLetters() ([]DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	return deadLettersOf(a.rt.sync.syncer.DeadLetters(ctx))
}

func deadLetterErr(err error) error {
	var fe *cloudsync.FieldError
	switch {
	case errors.Is(err, cloudsync.ErrDeadLetterNotFound):
		return fmt.Errorf("%w: the refused change is no longer there", store.ErrNotFound)
	case errors.As(err, &fe):
		return &FieldError{Field: fe.Field, Message: fe.Message}
	}
	return err
}

// RetryDeadLetter queues a refused change again as it was.
func (a *App) RetryDeadLetter(id int64) ([]DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.sync.syncer.RetryDeadLetter(ctx, id); err != nil {
		return nil, deadLetterErr(err)
	}
	return deadLettersOf(a.rt.sync.syncer.DeadLetters(ctx))
}

// DiscardDeadLetter forgets a refused change; this device keeps its value.
func (a *App) DiscardDeadLetter(id int64) ([]DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.sync.syncer.DiscardDeadLetter(ctx, id); err != nil {
		return nil, deadLetterErr(err)
	}
	return deadLettersOf(a.rt.sync.syncer.DeadLetters(ctx))
}

// EditDeadLetter applies edited fields to the refused row and saves it as a
// new change, which is queued for sync; the dead letter goes away. Fields
// are named as in the payload; unknown, read-only or mistyped fields are
// refused on "payload.<field>".
func (a *App) EditDeadLetter(id int64, fields map[string]any) ([]DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	sy := a.rt.sync.syncer
	if _, err := sy.EditDeadLetterFields(ctx, id, fields); err != nil {
		return nil, deadLetterErr(err)
	}
	return deadLettersOf(sy.DeadLetters(ctx))
}
