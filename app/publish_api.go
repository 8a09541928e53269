package app

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/google"
	"tubeagency/app/publish"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
)

// Error codes of publishing, besides the common ones.
const (
	CodeNotRendered = "not_rendered" // the package has no finished video
	CodeNotLinked   = "not_linked"   // the channel is not linked to a YouTube channel
	CodeNoClient    = "no_client"    // no usable Google OAuth client is saved
	CodeSignIn      = "sign_in"      // Google wants the user to sign in (again)
	CodeQuota       = "quota"        // the project's daily YouTube quota is used
	CodeConflict    = "conflict"     // the job cannot change in its state
	CodeYouTube     = "youtube"      // YouTube refused the request
	// CodeCaptionsScope: uploading captions needs the grant extended
	// (AllowYouTubeCaptions).
	CodeCaptionsScope = "captions_scope"
)

// PublishError is a publishing failure the page branches on by Code; its
// message is a sentence to show.
type PublishError struct {
	Code    string
	Message string
	err     error
}

func (e *PublishError) Error() string { return e.Message }
func (e *PublishError) Unwrap() error { return e.err }

// HTTPStatus is the status serve mode answers the error with.
func (e *PublishError) HTTPStatus() int {
	switch e.Code {
	case CodeQuota:
		return http.StatusTooManyRequests
	case CodeYouTube:
		return http.StatusBadGateway
	default:
		return http.StatusConflict
	}
}

// publishErr turns what the publish and google packages return into what
// the page shows: field errors next to their inputs, coded sentences
// otherwise. Token text never reaches these errors (app/google scrubs it).
func publishErr(err error) error {
	if err == nil {
		return nil
	}
	var fe *publish.FieldError
	var qe *publish.QuotaError
	var ae *publish.APIError
	var se *google.ScopeError
	pe := func(code, msg string) error { return &PublishError{Code: code, Message: msg, err: err} }
	switch {
	case errors.As(err, &fe):
		return &FieldError{Field: fe.Field, Message: fe.Message}
	case errors.Is(err, ErrNotRendered):
		return pe(CodeNotRendered, "Render the video first: this package has no finished video yet.")
	case errors.Is(err, publish.ErrNotLinked):
		return pe(CodeNotLinked, "Link this channel to one of your YouTube channels first, under Settings → YouTube.")
	case errors.Is(err, google.ErrNoClient):
		return pe(CodeNoClient, "Add your Google OAuth client (client ID and secret) under Settings → YouTube first.")
	case errors.Is(err, google.ErrBadClient):
		return pe(CodeNoClient, "Google did not accept the OAuth client: check its client ID and secret under Settings → YouTube.")
	case errors.Is(err, google.ErrDenied):
		return pe(CodeSignIn, "The sign-in was declined on Google's page: nothing was granted.")
	case errors.As(err, &se):
		return pe(CodeSignIn, "Google's consent page left out a permission Tube Agency needs (uploading or reading your channels): sign in again and keep every box ticked.")
	case errors.Is(err, google.ErrSignInAgain), errors.Is(err, google.ErrNotSignedIn):
		return pe(CodeSignIn, "Google no longer accepts this sign-in: sign in again under Settings → YouTube.")
	case errors.Is(err, google.ErrStateMismatch):
		return &FieldError{Field: "url", Message: "this address belongs to another sign-in: start the sign-in again and paste the address it ends on"}
	case errors.As(err, &qe):
		return pe(CodeQuota, "YouTube's daily quota for your Google Cloud project is used; it starts again at midnight Pacific time.")
	case errors.Is(err, publish.ErrQuotaExceeded):
		return pe(CodeQuota, "YouTube's daily quota for your Google Cloud project is used; it starts again at midnight Pacific time.")
	case errors.Is(err, publish.ErrNotFound):
		return &NotFoundError{What: "upload"}
	case errors.Is(err, publish.ErrAlreadyUploaded):
		return pe(CodeConflict, "The video is already on YouTube: change it in YouTube Studio.")
	case errors.Is(err, publish.ErrBusy):
		return pe(CodeConflict, "The upload is running: cancel it first, or wait until it ends.")
	case errors.As(err, &ae):
		return pe(CodeYouTube, "YouTube refused the request: "+ae.Message)
	}
	return err
}

// ---- The Google OAuth client and sign-in ----

// YouTubeSetup is the state of publishing for Settings → YouTube. It never
// carries the client secret or a token.
type YouTubeSetup struct {
	ClientSet bool   `json:"client_set"`
	ClientID  string `json:"client_id"`
	// SigningIn is true while a sign-in waits for the browser.
	SigningIn bool                      `json:"signing_in"`
	SignInURL string                    `json:"sign_in_url,omitempty"` // the page of the sign-in in progress
	Accounts  []YouTubeAccount          `json:"accounts"`
	Links     []publish.ChannelSettings `json:"links"` // one per Tube Agency channel
	Quota     []publish.QuotaUsage      `json:"quota"`
	Scopes    []string                  `json:"scopes"` // what sign-in asks for
	// OpensBrowser is true where sign-in opens the system's browser (the
	// desktop window); elsewhere the page shows the address.
	OpensBrowser bool `json:"opens_browser"`
}

// YouTubeAccount is a signed-in Google account and its YouTube channels.
type YouTubeAccount struct {
	Account  string            `json:"account"`
	Scopes   []string          `json:"scopes"`
	Channels []publish.Channel `json:"channels"`
	At       time.Time         `json:"at,omitzero"`
	// SignInAgain is true when the grant is gone from the key store.
	SignInAgain bool `json:"sign_in_again"`
}

// YouTubeSignIn is a sign-in in progress.
type YouTubeSignIn struct {
	URL string `json:"url"` // Google's consent page
	// Opened is true when the system's browser was opened at URL; otherwise
	// the page shows it for the user to open.
	Opened bool `json:"opened"`
}

// YouTubeEvent is the payload of the "youtube" event.
type YouTubeEvent struct {
	State   string `json:"state"` // signed_in, failed, cancelled, signed_out, linked, unlinked, client
	Account string `json:"account,omitempty"`
	Message string `json:"message,omitempty"`
}

// YouTubeSetup reports the OAuth client, accounts, links and quota.
func (a *App) YouTubeSetup() (YouTubeSetup, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.youtubeSetup(ctx)
}

func (rt *Runtime) youtubeSetup(ctx context.Context) (YouTubeSetup, error) {
	p := rt.publish
	out := YouTubeSetup{Scopes: google.PublishScopes, OpensBrowser: rt.opts.Opener != nil,
		Accounts: []YouTubeAccount{}, Links: []publish.ChannelSettings{}}
	c, err := rt.readOAuthClient()
	if err != nil {
		return out, err
	}
	out.ClientSet, out.ClientID = c.ID != "", c.ID
	p.mu.Lock()
	if p.flow != nil {
		out.SigningIn, out.SignInURL = true, p.flow.URL
	}
	p.mu.Unlock()
	accounts, err := rt.readAccounts()
	if err != nil {
		return out, err
	}
	var auth *google.Auth
	if c.ID != "" {
		auth, _ = rt.googleAuth()
	}
	for _, acc := range accounts {
		ya := YouTubeAccount{Account: acc.Account, Channels: acc.Channels, At: acc.At, SignInAgain: true}
		if ya.Channels == nil {
			ya.Channels = []publish.Channel{}
		}
		if auth != nil {
			if g, err := auth.Grant(acc.Account); err == nil {
				ya.Scopes, ya.SignInAgain = g.Scopes, false
			}
		}
		out.Accounts = append(out.Accounts, ya)
	}
	chans, err := store.List[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, "", "name, id")
	if err != nil {
		return out, err
	}
	for _, ch := range chans {
		cs, err := p.db.Channel(ctx, ch.ID)
		if err != nil {
			return out, err
		}
		out.Links = append(out.Links, cs)
	}
	if out.Quota, err = p.db.Quota(ctx, publish.Limits{}, rt.opts.Now()); err != nil {
		return out, err
	}
	return out, nil
}

// Google's client ids end so; a secret is short printable text.
const (
	clientIDSuffix  = ".apps.googleusercontent.com"
	maxClientLength = 200
)

// SetYouTubeOAuthClient saves the user's "Desktop app" OAuth client. The
// secret goes to the key store and is never sent back; an empty secret
// keeps the saved one (changing only the id).
func (a *App) SetYouTubeOAuthClient(clientID, clientSecret string) (YouTubeSetup, error) {
	clientID, clientSecret = strings.TrimSpace(clientID), strings.TrimSpace(clientSecret)
	var c checker
	c.text("client_id", clientID, 1, maxClientLength)
	c.text("client_secret", clientSecret, 0, maxClientLength)
	if c.err == nil && (!strings.HasSuffix(clientID, clientIDSuffix) || strings.ContainsAny(clientID, " \t\n/")) {
		c.fail("client_id", "must be the client ID Google shows for a Desktop app client, ending in %s", clientIDSuffix)
	}
	if c.err == nil && strings.ContainsAny(clientSecret, " \t\n") {
		c.fail("client_secret", "must be the client secret as Google shows it, without spaces")
	}
	if err := c.check(); err != nil {
		return YouTubeSetup{}, err
	}
	old, err := a.rt.readOAuthClient()
	if err != nil && clientSecret == "" {
		return YouTubeSetup{}, err
	}
	if clientSecret == "" {
		if old.Secret == "" {
			return YouTubeSetup{}, &FieldError{Field: "client_secret", Message: "is required"}
		}
		clientSecret = old.Secret
	}
	ks, err := a.rt.Keys()
	if err != nil {
		return YouTubeSetup{}, err
	}
	b, _ := json.Marshal(oauthClient{ID: clientID, Secret: clientSecret})
	if err := ks.Set(secretGoogleClient, string(b)); err != nil {
		return YouTubeSetup{}, fmt.Errorf("save the google oauth client: %w", errors.Unwrap(err))
	}
	a.rt.emit(events.YouTube, YouTubeEvent{State: "client"})
	return a.YouTubeSetup()
}

// DeleteYouTubeOAuthClient forgets the OAuth client. Signed-in accounts
// stay until signed out, but cannot refresh without a client.
func (a *App) DeleteYouTubeOAuthClient() (YouTubeSetup, error) {
	ks, err := a.rt.Keys()
	if err != nil {
		return YouTubeSetup{}, err
	}
	if err := ks.Delete(secretGoogleClient); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return YouTubeSetup{}, err
	}
	a.rt.emit(events.YouTube, YouTubeEvent{State: "client"})
	return a.YouTubeSetup()
}

// signInWait bounds how long a sign-in waits for the browser.
const signInWait = 10 * time.Minute

// SignInYouTube starts a Google sign-in asking to upload videos and read
// the account's channels. In the desktop window it opens the system's
// browser at Google's consent page; in serve mode the page shows the
// returned address. The outcome arrives as a "youtube" event: signed_in
// (with the account) or failed (with a sentence).
func (a *App) SignInYouTube() (YouTubeSignIn, error) {
	return a.startSignIn(func(ctx context.Context, auth *google.Auth) (*google.Flow, error) {
		return auth.SignIn(ctx, google.PublishScopes)
	})
}

// AllowYouTubeCaptions asks Google to extend account's grant with the
// permission to manage captions (youtube.force-ssl), which uploading
// captions needs; the grant keeps what it had. It works like SignInYouTube.
func (a *App) AllowYouTubeCaptions(account string) (YouTubeSignIn, error) {
	return a.startSignIn(func(ctx context.Context, auth *google.Auth) (*google.Flow, error) {
		return auth.AddScopes(ctx, account, google.CaptionScopes)
	})
}

func (a *App) startSignIn(begin func(context.Context, *google.Auth) (*google.Flow, error)) (YouTubeSignIn, error) {
	rt := a.rt
	auth, err := rt.googleAuth()
	if err != nil {
		return YouTubeSignIn{}, publishErr(err)
	}
	ctx, cancel := a.call()
	defer cancel()
	flow, err := begin(ctx, auth)
	if err != nil {
		return YouTubeSignIn{}, publishErr(err)
	}
	p := rt.publish
	wctx, wcancel := context.WithTimeout(rt.ctx, signInWait)
	p.mu.Lock()
	if p.flow != nil { // one sign-in at a time: the newest wins
		_ = p.flow.Close()
	}
	p.flow = flow
	p.mu.Unlock()
	rt.goBackground(func(context.Context) {
		defer wcancel()
		g, err := flow.Wait(wctx)
		rt.finishSignIn(flow, g, err)
	})
	out := YouTubeSignIn{URL: flow.URL}
	if rt.opts.Opener != nil {
		if err := rt.opts.Opener.OpenURL(ctx, flow.URL); err == nil {
			out.Opened = true
		} else {
			rt.log.Warn("youtube sign-in: could not open the browser", "err", err)
		}
	}
	return out, nil
}

// finishSignIn records the outcome of flow, unless another sign-in
// replaced it meanwhile.
func (rt *Runtime) finishSignIn(flow *google.Flow, g google.Grant, err error) {
	p := rt.publish
	p.mu.Lock()
	current := p.flow == flow
	if current {
		p.flow = nil
	}
	p.mu.Unlock()
	if !current {
		return
	}
	var se *google.ScopeError
	if err != nil && !errors.As(err, &se) {
		msg := publishErr(err).Error()
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			msg = "The sign-in was not completed in the browser in time: start it again."
		}
		rt.emit(events.YouTube, YouTubeEvent{State: "failed", Message: msg})
		return
	}
	ev := YouTubeEvent{State: "signed_in", Account: g.Account}
	if se != nil {
		ev.Message = publishErr(err).Error()
	}
	ctx, cancel := context.WithTimeout(rt.ctx, time.Minute)
	defer cancel()
	if _, cerr := rt.fetchChannels(ctx, g.Account); cerr != nil {
		if aerr := rt.updateAccounts(func(list []googleAccount) []googleAccount {
			return append(slices.DeleteFunc(list, func(x googleAccount) bool { return x.Account == g.Account }),
				googleAccount{Account: g.Account, At: rt.opts.Now().UTC()})
		}); aerr != nil {
			rt.log.Warn("youtube sign-in: could not keep the account", "err", aerr)
		}
		if ev.Message == "" {
			ev.Message = "Signed in, but the channel list could not be read: " + publishErr(cerr).Error()
		}
	}
	rt.emit(events.YouTube, ev)
}

// FinishYouTubeSignIn completes the sign-in in progress from the address
// the browser ended on (http://127.0.0.1:…/callback?…), pasted when the
// browser runs on another computer than Tube Agency.
func (a *App) FinishYouTubeSignIn(pasted string) (YouTubeAccount, error) {
	rt := a.rt
	var c checker
	c.text("url", pasted, 1, 8<<10)
	if err := c.check(); err != nil {
		return YouTubeAccount{}, err
	}
	p := rt.publish
	p.mu.Lock()
	flow := p.flow
	p.mu.Unlock()
	if flow == nil {
		return YouTubeAccount{}, &FieldError{Field: "url", Message: "no sign-in is waiting: start one with Sign in with Google"}
	}
	ctx, cancel := a.call()
	defer cancel()
	g, err := flow.Finish(ctx, pasted)
	if errors.Is(err, google.ErrStateMismatch) || err != nil && strings.Contains(err.Error(), "not a URL") {
		return YouTubeAccount{}, &FieldError{Field: "url", Message: "paste the whole address the browser shows after Google's page (it starts with http://127.0.0.1)"}
	}
	// the waiting goroutine sees a closed flow; this call reports instead
	p.mu.Lock()
	if p.flow == flow {
		p.flow = nil
	}
	p.mu.Unlock()
	var se *google.ScopeError
	if err != nil && !errors.As(err, &se) {
		rt.emit(events.YouTube, YouTubeEvent{State: "failed", Message: publishErr(err).Error()})
		return YouTubeAccount{}, publishErr(err)
	}
	chans, cerr := rt.fetchChannels(ctx, g.Account)
	if cerr != nil {
		chans = []publish.Channel{}
	}
	rt.emit(events.YouTube, YouTubeEvent{State: "signed_in", Account: g.Account})
	acc := YouTubeAccount{Account: g.Account, Scopes: g.Scopes, Channels: chans, At: g.At}
	if se != nil {
		return acc, publishErr(se)
	}
	return acc, publishErr(cerr)
}

// CancelYouTubeSignIn stops the sign-in in progress.
func (a *App) CancelYouTubeSignIn() error {
	p := a.rt.publish
	p.mu.Lock()
	flow := p.flow
	p.flow = nil
	p.mu.Unlock()
	if flow != nil {
		_ = flow.Close()
		a.rt.emit(events.YouTube, YouTubeEvent{State: "cancelled"})
	}
	return nil
}

// SignOutYouTube revokes account's grant at Google (when reachable) and
// forgets it. Channels linked through it wait for a new sign-in.
func (a *App) SignOutYouTube(account string) (YouTubeSetup, error) {
	ctx, cancel := a.call()
	defer cancel()
	if auth, err := a.rt.googleAuth(); err == nil {
		if err := auth.SignOut(ctx, account); err != nil {
			return YouTubeSetup{}, publishErr(err)
		}
	}
	if err := a.rt.updateAccounts(func(list []googleAccount) []googleAccount {
		return slices.DeleteFunc(list, func(x googleAccount) bool { return x.Account == account })
	}); err != nil {
		return YouTubeSetup{}, err
	}
	a.rt.emit(events.YouTube, YouTubeEvent{State: "signed_out", Account: account})
	return a.rt.youtubeSetup(ctx)
}

// YouTubeChannels lists the YouTube channels of a signed-in account, read
// again from YouTube (channels.list mine=true, 1 quota unit).
func (a *App) YouTubeChannels(account string) ([]publish.Channel, error) {
	ctx, cancel := a.call()
	defer cancel()
	chans, err := a.rt.fetchChannels(ctx, account)
	if err != nil {
		return nil, publishErr(err)
	}
	return chans, nil
}

// LinkYouTubeChannel makes channelID publish to youtubeChannelID, one of
// account's channels. Waiting uploads of the channel follow the new link.
func (a *App) LinkYouTubeChannel(channelID, account, youtubeChannelID string) (publish.ChannelSettings, error) {
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	if _, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, channelID); err != nil {
		return publish.ChannelSettings{}, notFound(err, "channel")
	}
	accounts, err := rt.readAccounts()
	if err != nil {
		return publish.ChannelSettings{}, err
	}
	i := slices.IndexFunc(accounts, func(x googleAccount) bool { return x.Account == account })
	if i < 0 {
		return publish.ChannelSettings{}, &FieldError{Field: "account", Message: "is not a signed-in Google account: sign in with Google first"}
	}
	chans := accounts[i].Channels
	k := slices.IndexFunc(chans, func(c publish.Channel) bool { return c.ID == youtubeChannelID })
	if k < 0 { // the list may be old: ask YouTube
		if chans, err = rt.fetchChannels(ctx, account); err != nil {
			return publish.ChannelSettings{}, publishErr(err)
		}
		k = slices.IndexFunc(chans, func(c publish.Channel) bool { return c.ID == youtubeChannelID })
	}
	if k < 0 {
		return publish.ChannelSettings{}, &FieldError{Field: "youtube_channel_id", Message: "is not a channel of this Google account: pick one from the list"}
	}
	if err := rt.publish.db.Link(ctx, channelID, account, chans[k]); err != nil {
		return publish.ChannelSettings{}, publishErr(err)
	}
	rt.emit(events.YouTube, YouTubeEvent{State: "linked", Account: account})
	rt.publish.runner.Kick() // uploads waiting for a sign-in may go now
	cs, err := rt.publish.db.Channel(ctx, channelID)
	return cs, publishErr(err)
}

// YouTubeUnlink is what unlinking a channel did.
type YouTubeUnlink struct {
	Link publish.ChannelSettings `json:"link"`
	// Waiting counts the channel's uploads not on YouTube yet: they keep
	// their slot and files, and go when the channel is linked again.
	Waiting int `json:"waiting"`
}

// UnlinkYouTubeChannel ends channelID's link to its YouTube channel. Its
// uploads whose video is not on YouTube yet (an upload running now
// included) wait in the "unlinked" state until the channel is linked again;
// nothing is deleted, and the channel's other publishing choices stay.
func (a *App) UnlinkYouTubeChannel(channelID string) (YouTubeUnlink, error) {
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	if _, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, channelID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return YouTubeUnlink{}, &FieldError{Field: "channel_id", Message: "is not a known channel"}
		}
		return YouTubeUnlink{}, err
	}
	moved, err := rt.publish.runner.Unlink(ctx, channelID)
	if err != nil {
		return YouTubeUnlink{}, publishErr(err)
	}
	rt.emit(events.YouTube, YouTubeEvent{State: "unlinked"})
	cs, err := rt.publish.db.Channel(ctx, channelID)
	return YouTubeUnlink{Link: cs, Waiting: len(moved)}, publishErr(err)
}

// PublishSettingsInput are a channel's publishing choices.
type PublishSettingsInput struct {
	// AutoPublish lets autopilot queue rendered packages into free slots;
	// the channel's first upload still asks.
	AutoPublish bool   `json:"auto_publish"`
	TimeZone    string `json:"time_zone"` // IANA name; empty means this computer's
	Hour        int    `json:"hour"`      // local publishing hour 0–23, -1 for 17:00
	Minute      int    `json:"minute"`
}

// PublishSettings reads a channel's publishing settings.
func (a *App) PublishSettings(channelID string) (publish.ChannelSettings, error) {
	ctx, cancel := a.call()
	defer cancel()
	cs, err := a.rt.publish.db.Channel(ctx, channelID)
	return cs, publishErr(err)
}

// SavePublishSettings saves a channel's auto-publish choice, time zone and
// publishing time.
func (a *App) SavePublishSettings(channelID string, in PublishSettingsInput) (publish.ChannelSettings, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := store.Get[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, channelID); err != nil {
		return publish.ChannelSettings{}, notFound(err, "channel")
	}
	if err := a.rt.publish.db.SetChannel(ctx, channelID, in.AutoPublish, strings.TrimSpace(in.TimeZone), in.Hour, in.Minute); err != nil {
		return publish.ChannelSettings{}, publishErr(err)
	}
	a.rt.emit(events.YouTube, YouTubeEvent{State: "linked"})
	cs, err := a.rt.publish.db.Channel(ctx, channelID)
	return cs, publishErr(err)
}

// ---- Publishing a package ----

// PublishInput is what the page chooses for an upload. Files come from the
// package's render, never from the page.
type PublishInput struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	CategoryID  string   `json:"category_id"` // empty means 22, People & Blogs
	Language    string   `json:"language"`
	Privacy     string   `json:"privacy"` // private, unlisted or public
	// PublishAt schedules the publication (RFC 3339); empty means none.
	PublishAt      string `json:"publish_at"`
	MadeForKids    bool   `json:"made_for_kids"`
	SyntheticMedia bool   `json:"synthetic_media"`
	UploadCaptions bool   `json:"upload_captions"`
}

func (in PublishInput) metadata() (publish.Metadata, error) {
	var c checker
	c.count("tags", len(in.Tags), maxTags)
	c.text("publish_at", in.PublishAt, 0, 64)
	if err := c.check(); err != nil {
		return publish.Metadata{}, err
	}
	m := publish.Metadata{Title: in.Title, Description: in.Description, Tags: slices.Clone(in.Tags), CategoryID: in.CategoryID,
		DefaultLanguage: in.Language, Privacy: publish.Privacy(in.Privacy), MadeForKids: in.MadeForKids, SyntheticMedia: in.SyntheticMedia}
	if s := strings.TrimSpace(in.PublishAt); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return publish.Metadata{}, &FieldError{Field: "publish_at", Message: "must be a date and time (RFC 3339)"}
		}
		m.PublishAt = t
	}
	if m.Tags == nil {
		m.Tags = []string{}
	}
	m.Normalize()
	return m, nil
}

// PublishView is what the Publish panel of a package shows.
type PublishView struct {
	PackageID string `json:"package_id"`
	ChannelID string `json:"channel_id"`
	// Defaults are the package's texts and the usual choices (private, not
	// made for kids, synthetic media on when the voice-over is an AI's).
	Defaults PublishInput `json:"defaults"`
	// Rendered is whether a finished video exists; RenderMessage says what
	// to do when not.
	Rendered      bool                    `json:"rendered"`
	RenderMessage string                  `json:"render_message,omitempty"`
	HasCaptions   bool                    `json:"has_captions"`
	HasThumbnail  bool                    `json:"has_thumbnail"`
	Link          publish.ChannelSettings `json:"link"`
	// Slots are the next free times of the channel's calendar.
	Slots []time.Time   `json:"slots" ts_type:"string[]"`
	Jobs  []publish.Job `json:"jobs"` // this package's uploads, newest first
	// Published is where the package is on YouTube, nil before.
	Published *Publication         `json:"published,omitempty"`
	Quota     []publish.QuotaUsage `json:"quota"`
}

// PublishView gathers what the Publish panel shows for a package.
func (a *App) PublishView(packageID string) (PublishView, error) {
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	pkg, ch, err := rt.packageAndChannel(ctx, packageID)
	if err != nil {
		return PublishView{}, err
	}
	v := PublishView{PackageID: pkg.ID, ChannelID: pkg.ChannelID, Defaults: defaultPublishInput(pkg, ch),
		Slots: []time.Time{}, Jobs: []publish.Job{}, Published: publicationOf(pkg.Content.Published)}
	_, thumb, captions, ferr := rt.publish.videoFiles(ctx, pkg.ID)
	switch {
	case ferr == nil:
		v.Rendered, v.HasThumbnail, v.HasCaptions = true, thumb != "", captions != ""
	case errors.Is(ferr, ErrNotRendered):
		v.RenderMessage = publishErr(ferr).Error()
	default:
		v.RenderMessage = ferr.Error()
	}
	v.Defaults.UploadCaptions = v.HasCaptions
	if v.Link, err = rt.publish.db.Channel(ctx, ch.ID); err != nil {
		return PublishView{}, err
	}
	if v.Slots, err = rt.freeSlots(ctx, ch, v.Link, 8); err != nil {
		return PublishView{}, err
	}
	jobs, err := rt.publish.db.Jobs(ctx, publish.Filter{PackageID: pkg.ID})
	if err != nil {
		return PublishView{}, err
	}
	slices.Reverse(jobs)
	if jobs != nil {
		v.Jobs = jobs
	}
	if v.Quota, err = rt.publish.db.Quota(ctx, publish.Limits{}, rt.opts.Now()); err != nil {
		return PublishView{}, err
	}
	return v, nil
}

func (rt *Runtime) packageAndChannel(ctx context.Context, packageID string) (store.Package, store.Channel, error) {
	pkg, err := store.Get[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, packageID)
	if err != nil {
		return store.Package{}, store.Channel{}, notFound(err, "package")
	}
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, pkg.ChannelID)
	if err != nil {
		return store.Package{}, store.Channel{}, notFound(err, "channel")
	}
	return pkg, ch, nil
}

// defaultPublishInput is a package's texts with the usual choices. Every
// voice-over Tube Agency makes is synthetic, so the disclosure starts on.
func defaultPublishInput(pkg store.Package, ch store.Channel) PublishInput {
	title := pkg.Title
	if title == "" && len(pkg.Content.Titles) > 0 {
		title = pkg.Content.Titles[0].Text
	}
	tags := slices.Clone(pkg.Content.Tags)
	if tags == nil {
		tags = []string{}
	}
	return PublishInput{Title: title, Description: pkg.Content.Description, Tags: tags, CategoryID: publish.DefaultCategory,
		Language: ch.Language, Privacy: string(publish.Private), SyntheticMedia: true}
}

// calendar is a channel's publishing calendar: its slots fall at the best
// hour from its analytics when there is enough data, else at its
// publishing time (publish.PlanCalendar).
func (rt *Runtime) calendar(ctx context.Context, ch store.Channel, cs publish.ChannelSettings) (publish.Calendar, string, error) {
	cal, source, err := publish.PlanCalendar(ctx, ch.Cadence, cs, rt.publish.bestHour)
	if err != nil {
		return publish.Calendar{}, "", publishErr(err)
	}
	return cal, source, nil
}

func (rt *Runtime) freeSlots(ctx context.Context, ch store.Channel, cs publish.ChannelSettings, n int) ([]time.Time, error) {
	cal, _, err := rt.calendar(ctx, ch, cs)
	if err != nil {
		return nil, err
	}
	occ, err := rt.publish.db.Occupied(ctx, ch.ID)
	if err != nil {
		return nil, err
	}
	slots := cal.FreeSlots(rt.opts.Now().Add(time.Hour), occ, n)
	if slots == nil {
		slots = []time.Time{}
	}
	return slots, nil
}

// PublishPackage queues an upload of the package's rendered video (with
// its thumbnail, and its captions when chosen) to the linked YouTube
// channel. Offline, it waits; progress arrives as "publish" events.
func (a *App) PublishPackage(packageID string, in PublishInput) (publish.Job, error) {
	m, err := in.metadata()
	if err != nil {
		return publish.Job{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	pkg, _, err := rt.packageAndChannel(ctx, packageID)
	if err != nil {
		return publish.Job{}, err
	}
	if err := m.Validate(rt.opts.Now()); err != nil {
		return publish.Job{}, publishErr(err)
	}
	video, thumb, captions, err := rt.publish.videoFiles(ctx, pkg.ID)
	if err != nil {
		return publish.Job{}, publishErr(err)
	}
	jobs, err := rt.publish.db.Jobs(ctx, publish.Filter{PackageID: pkg.ID})
	if err != nil {
		return publish.Job{}, err
	}
	for _, j := range jobs {
		if j.State != publish.StateCancelled && j.State != publish.StateFailed && !j.ByHand {
			return publish.Job{}, &PublishError{Code: CodeConflict, Message: "This package is already queued or on YouTube: see its upload below."}
		}
	}
	if in.UploadCaptions && captions != "" {
		if err := rt.checkCaptionScope(ctx, pkg.ChannelID); err != nil {
			return publish.Job{}, err
		}
	}
	j, err := rt.publish.db.Enqueue(ctx, publish.NewJob{PackageID: pkg.ID, ChannelID: pkg.ChannelID, VideoPath: video, Meta: m,
		ThumbnailPath: thumb, CaptionsPath: captions, UploadCaptions: in.UploadCaptions && captions != ""})
	if err != nil {
		return publish.Job{}, publishErr(err)
	}
	rt.emitJob(j)
	rt.publish.runner.Kick()
	return j, nil
}

// checkCaptionScope fails with CodeCaptionsScope when the grant the
// channel publishes through cannot manage captions.
func (rt *Runtime) checkCaptionScope(ctx context.Context, channelID string) error {
	cs, err := rt.publish.db.Channel(ctx, channelID)
	if err != nil || cs.Account == "" {
		return publishErr(err) // not linked: Enqueue says so
	}
	auth, err := rt.googleAuth()
	if err != nil {
		return publishErr(err)
	}
	g, err := auth.Grant(cs.Account)
	if err != nil {
		return publishErr(err)
	}
	for _, sc := range google.CaptionScopes {
		if g.Has(sc) {
			return nil
		}
	}
	return &PublishError{Code: CodeCaptionsScope, Message: "Uploading captions needs one more Google permission (managing captions): choose Allow captions, or publish without captions."}
}

// emitJob sends a job's state as a "publish" event, as the runner does.
func (rt *Runtime) emitJob(j publish.Job) {
	rt.emit(events.Publish, j.Progress(j.UpdatedAt))
}

// PublishJobs lists the uploads of a channel (all channels when empty),
// newest first.
func (a *App) PublishJobs(channelID string) ([]publish.Job, error) {
	ctx, cancel := a.call()
	defer cancel()
	jobs, err := a.rt.publish.db.Jobs(ctx, publish.Filter{ChannelID: channelID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	slices.Reverse(jobs)
	if jobs == nil {
		jobs = []publish.Job{}
	}
	return jobs, nil
}

func (a *App) jobChange(id string, fn func(ctx context.Context) (publish.Job, error)) (publish.Job, error) {
	ctx, cancel := a.call()
	defer cancel()
	j, err := fn(ctx)
	if err != nil {
		return publish.Job{}, publishErr(err)
	}
	a.rt.emitJob(j)
	a.rt.publish.runner.Kick()
	return j, nil
}

// RetryPublishJob queues a failed, waiting or cancelled upload again now;
// it resumes where it stopped.
func (a *App) RetryPublishJob(id string) (publish.Job, error) {
	return a.jobChange(id, func(ctx context.Context) (publish.Job, error) { return a.rt.publish.db.Retry(ctx, id) })
}

// CancelPublishJob stops an upload, running or waiting. A video already on
// YouTube stays there.
func (a *App) CancelPublishJob(id string) (publish.Job, error) {
	return a.jobChange(id, func(ctx context.Context) (publish.Job, error) { return a.rt.publish.runner.Cancel(ctx, id) })
}

// ConfirmPublishJob lets an upload autopilot queued for a channel's first
// publish go ahead.
func (a *App) ConfirmPublishJob(id string) (publish.Job, error) {
	return a.jobChange(id, func(ctx context.Context) (publish.Job, error) { return a.rt.publish.db.Confirm(ctx, id) })
}

// ReschedulePublishJob moves an upload's publication to at (RFC 3339), or
// with at empty unschedules it (it is then uploaded private).
func (a *App) ReschedulePublishJob(id, at string) (publish.Job, error) {
	var when time.Time
	if s := strings.TrimSpace(at); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil || len(s) > 64 {
			return publish.Job{}, &FieldError{Field: "publish_at", Message: "must be a date and time (RFC 3339)"}
		}
		when = t
	}
	return a.jobChange(id, func(ctx context.Context) (publish.Job, error) {
		if a.rt.publish.runner.Running(id) { // its session carries the old time
			return publish.Job{}, fmt.Errorf("reschedule job %s: %w", id, publish.ErrBusy)
		}
		return a.rt.publish.db.Reschedule(ctx, id, when)
	})
}

// PublishQuota reports today's use of the project's YouTube quota.
func (a *App) PublishQuota() ([]publish.QuotaUsage, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.publish.db.Quota(ctx, publish.Limits{}, a.rt.opts.Now())
}

// PublishCalendar is a channel's calendar for the Publishing page.
type PublishCalendar struct {
	ChannelID string                  `json:"channel_id"`
	Link      publish.ChannelSettings `json:"link"`
	TimeZone  string                  `json:"time_zone"` // the zone the slots are in; "" is this computer's
	Entries   []publish.Entry         `json:"entries"`
	// Hour and Minute are the local time of the free slots; HourSource
	// says where it comes from: "analytics" (the best hour of the
	// channel's past uploads), "preferred" (its publishing time) or
	// "default" (17:00).
	Hour       int    `json:"hour"`
	Minute     int    `json:"minute"`
	HourSource string `json:"hour_source"`
}

// PublishCalendar lists a channel's uploads (scheduled, uploading,
// published, failed) and its free slots over the next days (1–92).
func (a *App) PublishCalendar(channelID string, days int) (PublishCalendar, error) {
	var c checker
	c.number("days", float64(days), 1, 92)
	if err := c.check(); err != nil {
		return PublishCalendar{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, channelID)
	if err != nil {
		return PublishCalendar{}, notFound(err, "channel")
	}
	cs, err := rt.publish.db.Channel(ctx, ch.ID)
	if err != nil {
		return PublishCalendar{}, err
	}
	cal, source, err := rt.calendar(ctx, ch, cs)
	if err != nil {
		return PublishCalendar{}, err
	}
	now := rt.opts.Now()
	from := time.Date(now.In(cal.Location).Year(), now.In(cal.Location).Month(), now.In(cal.Location).Day(), 0, 0, 0, 0, cal.Location)
	entries, err := rt.publish.db.CalendarView(ctx, ch.ID, cal, from.AddDate(0, 0, -7), from.AddDate(0, 0, days))
	if err != nil {
		return PublishCalendar{}, err
	}
	out := PublishCalendar{ChannelID: ch.ID, Link: cs, TimeZone: cs.TimeZone, Entries: []publish.Entry{},
		Hour: cal.Hour, Minute: cal.Minute, HourSource: source}
	if cal.Hour < 0 || cal.Hour > 23 {
		out.Hour, out.Minute = publish.DefaultHour, 0
	}
	for _, e := range entries {
		if e.Kind == "free" && e.At.Before(now) {
			continue // a past slot nobody took is not a choice any more
		}
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}

// ---- Publishing by hand ----

// PublishByHandText is the text to fill in YouTube Studio's upload form,
// field by field in its order.
func (a *App) PublishByHandText(packageID string, in PublishInput) (string, error) {
	m, err := in.metadata()
	if err != nil {
		return "", err
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, _, err := a.rt.packageAndChannel(ctx, packageID); err != nil {
		return "", err
	}
	_, thumb, captions, err := a.rt.publish.videoFiles(ctx, packageID)
	if err != nil && !errors.Is(err, ErrNotRendered) {
		return "", err
	}
	t, c := "", ""
	if thumb != "" {
		t = "thumbnail" + strings.ToLower(filepath.Ext(thumb))
	}
	if captions != "" {
		c = "captions.srt"
	}
	return publish.StudioText(m, t, c), nil
}

// PublishByHandSave writes a zip for publishing by hand (the video,
// thumbnail, captions and youtube.txt laid out in YouTube Studio's order)
// where the user chooses in the system's save dialog. Cancelling saves
// nothing and returns an empty name. A browser downloads it from
// POST /api/publish/export/{package} instead.
func (a *App) PublishByHandSave(packageID string, in PublishInput) (SavedFile, error) {
	if a.rt.opts.Dialogs == nil {
		return SavedFile{}, ErrNoDialogs
	}
	m, err := in.metadata()
	if err != nil {
		return SavedFile{}, err
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, 30*time.Minute)
	defer cancel()
	name, err := a.rt.byHandName(ctx, packageID, m)
	if err != nil {
		return SavedFile{}, err
	}
	path, err := a.rt.opts.Dialogs.SaveFile(ctx, FileDialog{
		Title: "Save the files for YouTube Studio", DefaultName: name + ".zip",
		Filters: []FileFilter{{Name: "Zip archive (*.zip)", Pattern: "*.zip"}},
	})
	if err != nil || path == "" {
		return SavedFile{}, err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tubeagency-export-*.zip")
	if err != nil {
		return SavedFile{}, fmt.Errorf("save the zip: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	n, err := a.rt.writeByHandZip(ctx, tmp, packageID, name, m)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return SavedFile{}, publishErr(err)
	}
	return SavedFile{Name: filepath.Base(path), Bytes: int(n)}, nil
}

// byHandName is the export's name: the title made safe for a file name.
func (rt *Runtime) byHandName(ctx context.Context, packageID string, m publish.Metadata) (string, error) {
	if _, _, err := rt.packageAndChannel(ctx, packageID); err != nil {
		return "", err
	}
	name := fileBase(m.Title)
	if name == "" {
		name = "video-" + packageID
	}
	return name, nil
}

// writeByHandZip lays the package out with publish.Export in a temporary
// folder and writes it to w as a zip (stored, not compressed: video does
// not shrink). It returns the bytes written.
func (rt *Runtime) writeByHandZip(ctx context.Context, w io.Writer, packageID, name string, m publish.Metadata) (int64, error) {
	video, thumb, captions, err := rt.publish.videoFiles(ctx, packageID)
	if err != nil {
		return 0, err
	}
	work, err := os.MkdirTemp("", "tubeagency-byhand-*")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer os.RemoveAll(work)
	folder, err := publish.Export(work, publish.ExportInput{Name: name, VideoPath: video, ThumbnailPath: thumb, CaptionsPath: captions, Meta: m})
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	entries, err := os.ReadDir(folder)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := addToZip(zw, filepath.Join(folder, e.Name()), name+"/"+e.Name()); err != nil {
			return 0, fmt.Errorf("export %s: %w", e.Name(), err)
		}
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return cw.n, nil
}

func addToZip(zw *zip.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	h, err := zip.FileInfoHeader(fi)
	if err != nil {
		return err
	}
	h.Name, h.Method = name, zip.Store
	if strings.HasSuffix(name, ".txt") || strings.HasSuffix(name, ".srt") {
		h.Method = zip.Deflate
	}
	dst, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, f)
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// PublishExportHandler serves POST /api/publish/export/{package}: the
// by-hand zip as a download, for serve mode. The body is a PublishInput.
func (rt *Runtime) PublishExportHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) {
			err = publishErr(err)
			status := HTTPStatus(err)
			var pe *PublishError
			if errors.As(err, &pe) {
				status = pe.HTTPStatus()
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(FormatError(err))
		}
		var in PublishInput
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		if err := dec.Decode(&in); err != nil {
			fail(&FieldError{Field: "body", Message: "must be the publishing choices as JSON"})
			return
		}
		m, err := in.metadata()
		if err != nil {
			fail(err)
			return
		}
		ctx := r.Context()
		id := r.PathValue("package")
		name, err := rt.byHandName(ctx, id, m)
		if err != nil {
			fail(err)
			return
		}
		if _, _, _, err := rt.publish.videoFiles(ctx, id); err != nil {
			fail(err)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name+".zip"))
		w.Header().Set("Cache-Control", "no-store")
		if _, err := rt.writeByHandZip(ctx, w, id, name, m); err != nil && ctx.Err() == nil {
			rt.log.Warn("publish by hand: the download stopped", "err", err)
		}
	})
}

// MarkPackagePublished records that the package was published by hand at
// the pasted YouTube address (any form: watch, youtu.be, Shorts, Studio).
// The package becomes published on every device.
func (a *App) MarkPackagePublished(packageID, url string) (Package, error) {
	ctx, cancel := a.call()
	defer cancel()
	rt := a.rt
	pkg, ch, err := rt.packageAndChannel(ctx, packageID)
	if err != nil {
		return Package{}, err
	}
	in := defaultPublishInput(pkg, ch)
	m, err := in.metadata()
	if err != nil {
		return Package{}, err
	}
	pub, err := rt.publish.db.MarkPublished(ctx, pkg.ID, pkg.ChannelID, url, m, time.Time{})
	if err != nil {
		return Package{}, publishErr(err)
	}
	if err := rt.onPublished(ctx, pub); err != nil {
		return Package{}, err
	}
	out, err := store.Get[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, pkg.ID)
	return packageOf(out), notFound(err, "package")
}
