package app

import (
	"context"
	"encoding/json"
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
	url, key, err := rt.syncConfig(ctx)
	if err != nil {
		return SyncView{}, err
	}
	v := SyncView{Status: st, URL: url, Configured: url != "" && key != ""}
	if len(key) > 6 {
		v.AnonKeyTail = "…" + key[len(key)-6:]
	}
	return v, nil
}

// SyncStatus reports sync state, last sync, pending changes, dead letters
// and the saved project.
func (a *App) SyncStatus() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.syncView(ctx)
}

// SaveSyncSettings checks and saves the Supabase URL and anon key. Changing
// the project signs out of the old one.
func (a *App) SaveSyncSettings(in SyncSettingsInput) (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	in.URL, in.AnonKey = strings.TrimSpace(in.URL), strings.TrimSpace(in.AnonKey)
	var c checker
	c.text("url", in.URL, 1, 300)
	url := ""
	if c.err == nil {
		var err error
		if url, err = supabase.ValidateURL(in.URL); err != nil {
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
	rt := a.rt
	p := rt.sync
	p.mu.Lock()
	defer p.mu.Unlock()
	oldURL, oldKey, err := rt.syncConfig(ctx)
	if err != nil {
		return SyncView{}, err
	}
	if (oldURL != url || oldKey != in.AnonKey) && p.client != nil {
		if err := rt.signOutLocked(ctx); err != nil {
			return SyncView{}, err
		}
	}
	if err := p.syncer.SetMeta(ctx, map[string]string{metaSyncURL: url, metaSyncAnonKey: in.AnonKey}); err != nil {
		return SyncView{}, err
	}
	return rt.syncView(ctx)
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
	rt := a.rt
	p := rt.sync
	p.mu.Lock()
	defer p.mu.Unlock()
	url, key, err := rt.syncConfig(ctx)
	if err != nil {
		return SyncView{}, err
	}
	if url == "" || key == "" {
		return SyncView{}, &FieldError{Field: "url", Message: "save the Supabase URL and anon key first"}
	}
	cl, err := rt.newSyncClient(url, key)
	if err != nil {
		return SyncView{}, err
	}
	var s supabase.Session
	if signUp {
		s, err = cl.SignUp(ctx, in.Email, in.Password)
	} else {
		s, err = cl.SignIn(ctx, in.Email, in.Password)
	}
	if err != nil {
		return SyncView{}, authProblem(err, url)
	}
	if p.client != nil {
		_ = rt.signOutLocked(ctx) // the new session replaces the old; the old one is revoked when the server answers
	}
	if err := rt.saveSyncSession(s); err != nil {
		return SyncView{}, fmt.Errorf("signed in, but the session could not be kept in the key store: %w", err)
	}
	if _, err := p.syncer.Adopt(ctx, s.UserID); err != nil {
		return SyncView{}, err
	}
	if err := p.syncer.SetMeta(ctx, map[string]string{metaSyncEmail: s.Email}); err != nil {
		return SyncView{}, err
	}
	p.client = cl
	p.syncer.SetRemote(cl, s.Email)
	return rt.syncView(ctx)
}

// authProblem turns a sign-in failure into a sentence next to the field
// that can fix it.
func authProblem(err error, url string) error {
	var e *cloudsync.Error
	switch {
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
	p := a.rt.sync
	p.mu.Lock()
	err := a.rt.signOutLocked(ctx)
	p.mu.Unlock()
	if err != nil {
		return SyncView{}, err
	}
	return a.rt.syncView(ctx)
}

// signOutLocked forgets the session (locally always; on the server when it
// answers). The caller holds rt.sync.mu.
func (rt *Runtime) signOutLocked(ctx context.Context) error {
	p := rt.sync
	cl := p.client
	p.client = nil
	p.syncer.SetRemote(nil, "")
	if cl != nil {
		_ = cl.SignOut(ctx) // revoking on the server is best effort: offline sign-out must work
	}
	if err := rt.forgetSyncSession(); err != nil {
		return fmt.Errorf("sign out: remove the saved session: %w", err)
	}
	return p.syncer.SetMeta(ctx, map[string]string{metaSyncEmail: ""})
}

// SyncNow asks the syncer to try at once.
func (a *App) SyncNow() (SyncView, error) {
	ctx, cancel := a.call()
	defer cancel()
	a.rt.sync.syncer.Wake()
	return a.rt.syncView(ctx)
}

// ListDeadLetters lists the changes the server refused for good.
func (a *App) ListDeadLetters() ([]cloudsync.DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.sync.syncer.DeadLetters(ctx)
}

func deadLetterErr(err error) error {
	if errors.Is(err, cloudsync.ErrDeadLetterNotFound) {
		return fmt.Errorf("%w: the refused change is no longer there", store.ErrNotFound)
	}
	return err
}

// RetryDeadLetter queues a refused change again as it was.
func (a *App) RetryDeadLetter(id int64) ([]cloudsync.DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.sync.syncer.RetryDeadLetter(ctx, id); err != nil {
		return nil, deadLetterErr(err)
	}
	return a.rt.sync.syncer.DeadLetters(ctx)
}

// DiscardDeadLetter forgets a refused change; this device keeps its value.
func (a *App) DiscardDeadLetter(id int64) ([]cloudsync.DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.sync.syncer.DiscardDeadLetter(ctx, id); err != nil {
		return nil, deadLetterErr(err)
	}
	return a.rt.sync.syncer.DeadLetters(ctx)
}

// readOnlyColumns are set by the app, never edited by hand.
var readOnlyColumns = map[string]bool{"id": true, "hlc": true, "deleted": true, "created_at": true, "updated_at": true}

// EditDeadLetter applies edited fields to the refused row and saves it as a
// new change, which is queued for sync; the dead letter goes away. Fields
// are named as in the payload; unknown or read-only fields are refused.
func (a *App) EditDeadLetter(id int64, fields map[string]any) ([]cloudsync.DeadLetter, error) {
	ctx, cancel := a.call()
	defer cancel()
	sy := a.rt.sync.syncer
	all, err := sy.DeadLetters(ctx)
	if err != nil {
		return nil, err
	}
	var dl *cloudsync.DeadLetter
	for i := range all {
		if all[i].ID == id {
			dl = &all[i]
		}
	}
	if dl == nil {
		return nil, deadLetterErr(cloudsync.ErrDeadLetterNotFound)
	}
	e, ok := store.EntityByTable(dl.Entity)
	if !ok {
		return nil, fmt.Errorf("edit dead letter: unknown table %s", dl.Entity)
	}
	if len(fields) == 0 {
		return nil, &FieldError{Field: "payload", Message: "has no changes"}
	}
	// Edit on top of the row as this device has it now (it may have changed
	// since the refusal); the refused payload stands in when it is gone.
	row, err := e.GetRow(ctx, a.rt.store.ReadDB(), dl.RowID)
	if err != nil {
		row = nil
		if err := json.Unmarshal(dl.Payload, &row); err != nil {
			return nil, fmt.Errorf("edit dead letter: read payload: %w", err)
		}
	}
	kinds := map[string]store.Kind{}
	for _, col := range e.Columns {
		kinds[col.Name] = col.Kind
	}
	var c checker
	for name, v := range fields {
		field := "payload." + name
		kind, known := kinds[name]
		switch {
		case !known:
			c.fail(field, "is not a field of %s", dl.Entity)
		case readOnlyColumns[name]:
			c.fail(field, "is set by the app and cannot be edited")
		case kind == store.Text:
			s, ok := v.(string)
			if !ok {
				c.fail(field, "must be text")
			} else {
				c.text(field, s, 0, 20000)
			}
		case kind == store.Int || kind == store.Real:
			if _, ok := v.(float64); !ok {
				c.fail(field, "must be a number")
			}
		case kind == store.Bool:
			if _, ok := v.(bool); !ok {
				c.fail(field, "must be true or false")
			}
		case kind == store.JSON:
			switch v.(type) {
			case map[string]any, []any:
			default:
				c.fail(field, "must be a JSON object or list")
			}
		}
		row[name] = v
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	if _, err := sy.EditDeadLetter(ctx, id, row); err != nil {
		return nil, deadLetterErr(err)
	}
	return sy.DeadLetters(ctx)
}
