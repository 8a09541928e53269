package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/app/google"
	"tubeagency/app/publish"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
)

// Key store names of publishing.
const (
	// secretAccounts lists the signed-in Google accounts and the YouTube
	// channels each may publish to (no tokens: those are google/<account>).
	secretAccounts = "youtube/accounts"
)

// EnvGoogleEndpoint, when set, is the base URL of a server that answers
// both Google's OAuth endpoints (/o/oauth2/v2/auth, /token, /revoke) and the
// YouTube Data API (/youtube/v3/…, /upload/youtube/v3/…) instead of Google:
// the end-to-end tests' fake. Unset, as it is unless a test sets it, the app
// talks to Google. Options.Google takes precedence.
const EnvGoogleEndpoint = "TUBEAGENCY_GOOGLE_ENDPOINT"

// GoogleOptions configure publishing to YouTube. The zero value talks to
// Google with the defaults below.
type GoogleOptions struct {
	// AuthURL, TokenURL and RevokeURL are the OAuth endpoints; empty means
	// Google's.
	AuthURL, TokenURL, RevokeURL string
	// APIBase is the YouTube Data API's base URL; empty means Google's.
	APIBase string
	// HTTPClient carries token and API requests; nil means the defaults of
	// app/google.
	HTTPClient *http.Client
	// ChunkSize is the bytes per upload request; zero means 8 MiB. A cut
	// connection costs at most one chunk.
	ChunkSize int64
	// RetryWait is the first wait between attempts of a failing upload step
	// (doubling up to a minute); zero means one second.
	RetryWait time.Duration
	// Interval is how often the upload queue looks for due jobs besides
	// when told; zero means 30 s.
	Interval time.Duration
}

func (g GoogleOptions) withEnv() GoogleOptions {
	if g.AuthURL != "" || g.TokenURL != "" || g.APIBase != "" {
		return g
	}
	base := strings.TrimRight(os.Getenv(EnvGoogleEndpoint), "/")
	if base == "" {
		return g
	}
	g.AuthURL, g.TokenURL, g.RevokeURL, g.APIBase = base+"/o/oauth2/v2/auth", base+"/token", base+"/revoke", base+"/"
	return g
}

// VideoFiles finds the rendered files of a package: the video, and the
// thumbnail and SRT captions when there are (empty otherwise). It fails with
// ErrNotRendered when the package has no finished render.
type VideoFiles func(ctx context.Context, packageID string) (video, thumbnail, captions string, err error)

// ErrNotRendered reports a package with no finished render to publish.
var ErrNotRendered = errors.New("render the video first: this package has no finished video yet")

// publishParts are the upload queue, its runner and the Google sign-in.
type publishParts struct {
	opts   GoogleOptions
	db     *publish.DB
	yt     *publish.YouTube
	runner *publish.Runner
	// videoFiles finds a package's rendered files; it is the render's
	// answer once rendering is wired, and tests set files of their own.
	videoFiles VideoFiles
	// bestHour is a channel's best publishing hour from its analytics;
	// calendars put free slots there when it knows one.
	bestHour publish.BestHour

	mu      gosync.Mutex // guards everything below
	auth    *google.Auth // built from the saved client on first use
	authFor string       // the client id auth was built with
	flow    *google.Flow // the sign-in in progress, nil when none
}

// buildPublish migrates the publish tables and builds the upload runner.
// Nothing reads the key store until a call needs Google.
func (rt *Runtime) buildPublish(ctx context.Context) error {
	db, err := publish.OpenDB(ctx, rt.store, rt.opts.Now)
	if err != nil {
		return fmt.Errorf("start publishing: %w", err)
	}
	p := &publishParts{opts: rt.opts.Google.withEnv(), db: db, bestHour: rt.analyticsBestHour}
	if dir := os.Getenv(EnvTestRenders); dir != "" {
		p.videoFiles = rt.testRenders(dir)
	} else {
		p.videoFiles = rt.renderedFiles
	}
	yt, err := publish.NewYouTube(publishClients{rt}, p.opts.APIBase)
	if err != nil {
		return fmt.Errorf("start publishing: %w", err)
	}
	p.yt = yt
	first := p.opts.RetryWait
	if first <= 0 {
		first = time.Second
	}
	p.runner, err = publish.NewRunner(publish.Config{
		DB:          db,
		YouTube:     yt,
		Emit:        rt.emit,
		OnPublished: rt.onPublished,
		Now:         rt.opts.Now,
		Interval:    p.opts.Interval,
		ChunkSize:   p.opts.ChunkSize,
		Logger:      rt.log,
		Backoff: func() backoff.BackOff {
			b := backoff.NewExponentialBackOff()
			b.InitialInterval = first
			b.MaxInterval = time.Minute
			return b
		},
	})
	if err != nil {
		return fmt.Errorf("start publishing: %w", err)
	}
	rt.publish = p
	return nil
}

// Enough analytics to trust a best hour: this many past uploads in all,
// and this many at the best hour itself.
const (
	bestHourMinVideos = 5
	bestHourMinAtHour = 2
)

// analyticsBestHour is the hour of day (in loc) at which the channel's past
// uploads did best, from the insights audit's best-time heatmap, when its
// data is enough to say: upload hours known (not date-only exports),
// bestHourMinVideos uploads, bestHourMinAtHour of them at that hour.
func (rt *Runtime) analyticsBestHour(ctx context.Context, channelID string, loc *time.Location) (int, bool) {
	if rt.insights == nil || rt.insights.svc == nil {
		return -1, false
	}
	res, err := rt.insights.svc.Audit(ctx, channelID, loc)
	if err != nil {
		rt.log.Warn("publish: read the best hour from analytics", "channel", channelID, "err", err)
		return -1, false
	}
	bt := res.Report.BestTime
	if !bt.HourKnown || bt.Hour < 0 || bt.Hour > 23 || res.Report.Videos < bestHourMinVideos || bt.Hours[bt.Hour].Videos < bestHourMinAtHour {
		return -1, false
	}
	return bt.Hour, true
}

// startPublish starts the upload loop: uploads a stopped process left
// half-done resume at once from their last confirmed byte.
func (rt *Runtime) startPublish() error {
	rt.publish.runner.Start(rt.ctx)
	return nil
}

// stopPublish ends a sign-in in progress and stops the upload loop; the
// upload sessions stay saved and resume at the next start.
func (rt *Runtime) stopPublish() {
	p := rt.publish
	p.mu.Lock()
	if p.flow != nil {
		_ = p.flow.Close()
	}
	p.mu.Unlock()
	p.runner.Stop()
}

// EnvTestRenders, when set, names a folder holding <package id>/video.mp4
// (and optionally thumbnail.png, captions.srt) that stand in for rendered
// files: the end-to-end tests publish these. Unset, as it is unless a test
// sets it, a package is publishable only once rendered.
const EnvTestRenders = "TUBEAGENCY_TEST_RENDERS"

// testRenders finds files under dir as VideoFiles does; with dir empty it
// reports every package as not rendered yet.
func (rt *Runtime) testRenders(dir string) VideoFiles {
	return func(_ context.Context, packageID string) (string, string, string, error) {
		if _, err := uuid.Parse(packageID); dir == "" || err != nil {
			return "", "", "", ErrNotRendered
		}
		found := func(name string) string {
			path := filepath.Join(dir, packageID, name)
			if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
				return path
			}
			return ""
		}
		video := found("video.mp4")
		if video == "" {
			return "", "", "", ErrNotRendered
		}
		return video, found("thumbnail.png"), found("captions.srt"), nil
	}
}

// renderedFiles is what a package's finished render left: the video, its
// thumbnail and captions ("" for either when absent), or ErrNotRendered.
func (rt *Runtime) renderedFiles(ctx context.Context, packageID string) (string, string, string, error) {
	video, thumbnail, captions, err := rt.api.renderedVideo(ctx, packageID)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", "", ErrNotRendered
	}
	return video, thumbnail, captions, err
}

// publishClients hands the runner HTTP clients of the current Google
// sign-in (the OAuth client can change while the app runs).
type publishClients struct{ rt *Runtime }

func (c publishClients) Client(account string) (*http.Client, error) {
	auth, err := c.rt.googleAuth()
	if err != nil {
		return nil, err
	}
	return auth.Client(account)
}

// The OAuth client is the one Insights' Analytics sign-in uses too
// (secretGoogleClient, oauthClient in wire_insights.go): the user enters it
// once, in either place, and one sign-in serves both.

func (rt *Runtime) readOAuthClient() (oauthClient, error) {
	ks, err := rt.Keys()
	if err != nil {
		return oauthClient{}, err
	}
	raw, err := ks.Get(secretGoogleClient)
	if errors.Is(err, secrets.ErrNotFound) {
		return oauthClient{}, nil
	}
	if err != nil {
		return oauthClient{}, fmt.Errorf("read the google oauth client: %w", err)
	}
	var c oauthClient
	if len(raw) > 8<<10 || json.Unmarshal([]byte(raw), &c) != nil {
		return oauthClient{}, errors.New("the saved google oauth client is unreadable: enter it again under Settings → YouTube")
	}
	return c, nil
}

// googleAuth is the sign-in of the saved OAuth client, built again when
// the client changed.
func (rt *Runtime) googleAuth() (*google.Auth, error) {
	c, err := rt.readOAuthClient()
	if err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, google.ErrNoClient
	}
	p := rt.publish
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.auth != nil && p.authFor == c.ID+"\x00"+c.Secret {
		return p.auth, nil
	}
	ks, err := rt.Keys()
	if err != nil {
		return nil, err
	}
	a, err := google.New(google.Config{
		ClientID: c.ID, ClientSecret: c.Secret, Secrets: ks,
		AuthURL: p.opts.AuthURL, TokenURL: p.opts.TokenURL, RevokeURL: p.opts.RevokeURL,
		HTTPClient: p.opts.HTTPClient, Now: rt.opts.Now,
	})
	if err != nil {
		return nil, err
	}
	p.auth, p.authFor = a, c.ID+"\x00"+c.Secret
	return a, nil
}

// googleAccount is a signed-in Google account as the app lists it.
type googleAccount struct {
	Account  string            `json:"account"`
	Channels []publish.Channel `json:"channels"`
	At       time.Time         `json:"at"`
}

func (rt *Runtime) readAccounts() ([]googleAccount, error) {
	ks, err := rt.Keys()
	if err != nil {
		return nil, err
	}
	raw, err := ks.Get(secretAccounts)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the signed-in accounts: %w", err)
	}
	var out []googleAccount
	if len(raw) > 256<<10 || json.Unmarshal([]byte(raw), &out) != nil {
		return nil, errors.New("the list of signed-in google accounts is unreadable: sign in again under Settings → YouTube")
	}
	return out, nil
}

// updateAccounts applies fn to the account list and saves it.
func (rt *Runtime) updateAccounts(fn func([]googleAccount) []googleAccount) error {
	p := rt.publish
	p.mu.Lock()
	defer p.mu.Unlock()
	list, err := rt.readAccounts()
	if err != nil {
		list = nil // an unreadable list is replaced
	}
	list = fn(list)
	ks, err := rt.Keys()
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if err := ks.Delete(secretAccounts); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		return nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return ks.Set(secretAccounts, string(b))
}

// fetchChannels lists account's YouTube channels (channels.list mine=true,
// charged to the project's daily units) and remembers them.
func (rt *Runtime) fetchChannels(ctx context.Context, account string) ([]publish.Channel, error) {
	p := rt.publish
	if err := p.db.Charge(ctx, publish.BucketUnits, publish.CostList, publish.Limits{}, rt.opts.Now()); err != nil {
		return nil, err
	}
	chans, err := p.yt.MyChannels(ctx, account)
	if err != nil {
		return nil, err
	}
	err = rt.updateAccounts(func(list []googleAccount) []googleAccount {
		for i := range list {
			if list[i].Account == account {
				list[i].Channels = chans
				return list
			}
		}
		return append(list, googleAccount{Account: account, Channels: chans, At: rt.opts.Now().UTC()})
	})
	return chans, err
}

// onPublished writes a video that reached YouTube to its package through
// the outbox, so every device sees it published.
func (rt *Runtime) onPublished(ctx context.Context, pub publish.Published) error {
	var out store.Package
	err := rt.store.Mutate(ctx, func(m *store.Mutation) error {
		p, err := store.Get[store.Package](ctx, m.Tx(), store.PackageEntity, pub.PackageID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted meanwhile: nothing to mark
		}
		if err != nil {
			return err
		}
		p.Status = store.StatusPublished
		p.Content.Published = publication(pub)
		out, err = store.PutRecord(m, store.PackageEntity, p)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark package %s published: %w", pub.PackageID, err)
	}
	if out.ID != "" {
		rt.changed(events.Packages, out)
	}
	return nil
}

func publication(p publish.Published) *store.Publication {
	out := &store.Publication{VideoID: p.VideoID, URL: p.URL, Status: p.Status, ByHand: p.ByHand, At: p.At.UnixMilli()}
	if !p.PublishAt.IsZero() {
		out.PublishAt = p.PublishAt.UnixMilli()
	}
	if p.At.IsZero() {
		out.At = 0
	}
	return out
}

// autoPublish queues a package that autopilot rendered into its channel's
// next free slot, when the channel publishes automatically and is linked
// to a YouTube channel (the render queue calls it only for renders
// autopilot asked for). The upload goes up
// private with the slot as its publish time, so YouTube makes it public
// then. A channel's first automatic upload waits for the user to confirm
// it (publish.StateConfirm). A package already queued, uploaded or
// published by hand is left alone.
func (rt *Runtime) autoPublish(ctx context.Context, packageID string) (publish.Job, bool, error) {
	pkg, ch, err := rt.packageAndChannel(ctx, packageID)
	if err != nil {
		return publish.Job{}, false, err
	}
	if pkg.Status != store.StatusReady || pkg.Content.Published != nil {
		return publish.Job{}, false, nil
	}
	cs, err := rt.publish.db.Channel(ctx, ch.ID)
	if err != nil {
		return publish.Job{}, false, err
	}
	if !cs.AutoPublish || cs.YouTubeChannelID == "" {
		return publish.Job{}, false, nil
	}
	jobs, err := rt.publish.db.Jobs(ctx, publish.Filter{PackageID: pkg.ID})
	if err != nil {
		return publish.Job{}, false, err
	}
	for _, j := range jobs {
		if j.State != publish.StateCancelled && j.State != publish.StateFailed {
			return publish.Job{}, false, nil
		}
	}
	slots, err := rt.freeSlots(ctx, ch, cs, 1)
	if err != nil {
		return publish.Job{}, false, err
	}
	if len(slots) == 0 {
		return publish.Job{}, false, errors.New("no free slot in the channel's publishing calendar")
	}
	video, thumb, captions, err := rt.publish.videoFiles(ctx, pkg.ID)
	if err != nil {
		return publish.Job{}, false, err
	}
	in := defaultPublishInput(pkg, ch)
	in.PublishAt = slots[0].Format(time.RFC3339)
	m, err := in.metadata()
	if err != nil {
		return publish.Job{}, false, err
	}
	if err := m.Validate(rt.opts.Now()); err != nil {
		return publish.Job{}, false, err
	}
	// Captions wait for the user: uploading them needs a wider sign-in.
	j, err := rt.publish.db.Enqueue(ctx, publish.NewJob{PackageID: pkg.ID, ChannelID: ch.ID, VideoPath: video, Meta: m,
		ThumbnailPath: thumb, CaptionsPath: captions, Auto: true})
	if err != nil {
		return publish.Job{}, false, err
	}
	rt.emitJob(j)
	rt.publish.runner.Kick()
	return j, true, nil
}
