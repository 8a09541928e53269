package app

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/session"
	"tubeagency/sync/supabase"
)

// SyncView is the sync section of Settings (session.View).
type SyncView = session.View

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

// SyncStatus reports sync state, last sync, pending changes, dead letters,
// how this device pulls and the saved project.
func (a *App) SyncStatus() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.sync.session.View(ctx)
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
	return a.rt.sync.session.Configure(ctx, in.URL, in.AnonKey)
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
	var v SyncView
	var err error
	if signUp {
		v, err = a.rt.sync.session.SignUp(ctx, in.Email, in.Password)
	} else {
		v, err = a.rt.sync.session.SignIn(ctx, in.Email, in.Password)
	}
	return v, syncFieldErr(err)
}

// syncFieldErr names the field a sync failure is about.
func syncFieldErr(err error) error {
	var fe *cloudsync.FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: fe.Field, Message: fe.Message}
	}
	return err
}

// SyncSignOut signs out: the app keeps working and queues changes.
func (a *App) SyncSignOut() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.sync.session.SignOut(ctx)
}

// SyncNow asks the syncer to try at once (and, for a project that had not
// applied schema 0002, to look for it again).
func (a *App) SyncNow() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	a.rt.sync.syncer.SyncNow()
	return a.rt.sync.session.View(ctx)
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
