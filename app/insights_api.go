package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/predictor"
	"tubeagency/app/insights/revenue"
	"tubeagency/app/insights/service"
	"tubeagency/internal/store"
)

// The insights methods validate input, derive a context and call the
// insights service (app/insights/service), mapping its errors to what the
// frontend shows next to a field.

// MaxCSVBytes bounds a CSV pasted into ImportStudioCSV: 4 MB, about 15,000
// videos. Larger files stream through ImportStudioCSVPick or the upload
// route.
const MaxCSVBytes = 4 << 20

// fetchTimeout bounds a YouTube fetch, which makes several API calls.
const fetchTimeout = 90 * time.Second

// syncTimeout bounds an analytics sync asked for from the UI; a first sync
// of a large channel reads a year of days.
const syncTimeout = 15 * time.Minute

func (a *App) insightsSvc() *service.Service { return a.rt.insights.svc }

// liveChannel reads channelID, failing with a FieldError when it is empty
// and a NotFoundError when it does not exist.
func (rt *Runtime) liveChannel(ctx context.Context, channelID string) (store.Channel, error) {
	if strings.TrimSpace(channelID) == "" {
		return store.Channel{}, &FieldError{Field: "channel_id", Message: "choose a channel"}
	}
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, channelID)
	return ch, notFound(err, "channel")
}

// insightsError maps the service's errors to field and not-found errors.
func insightsError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, insights.ErrNoAPIKey):
		return &FieldError{Field: "api_key", Message: "is not set: add a YouTube Data API key first"}
	case errors.Is(err, service.ErrNoYouTubeID):
		return &FieldError{Field: "youtube_id", Message: "is not set for this channel: add its YouTube channel id (UC…) on the Channels page"}
	case errors.Is(err, service.ErrUnknownChannel):
		return &FieldError{Field: "youtube_id", Message: "is not a channel YouTube knows: check the id"}
	case errors.Is(err, service.ErrUnknownCategory):
		return &FieldError{Field: "category", Message: "must be one of the niche categories listed"}
	case errors.Is(err, google.ErrNoClient):
		return &FieldError{Field: "client_id", Message: "is not set: add your Google OAuth client (a Desktop app client) in Settings → YouTube"}
	case errors.Is(err, service.ErrNotLinked):
		return &FieldError{Field: "channel_id", Message: "is not linked to YouTube Analytics: connect it first"}
	case errors.Is(err, service.ErrNoSignIn):
		return &FieldError{Field: "redirect_url", Message: "belongs to no sign-in in progress: connect again"}
	case errors.Is(err, google.ErrStateMismatch):
		return &FieldError{Field: "redirect_url", Message: "is not the address this sign-in ended on: copy the whole address from the browser"}
	case errors.Is(err, service.ErrSyncing):
		return &FieldError{Field: "channel_id", Message: "is syncing already: wait for it to finish"}
	}
	var ce *csvimport.Error
	if errors.As(err, &ce) {
		return &FieldError{Field: "csv", Message: ce.Error()}
	}
	return err
}

func csvFieldError(err error) error { return insightsError(err) }

// AuditChannel audits a channel's stored videos over 30, 60 and 90 days.
// timeZone (an IANA name such as Europe/Lisbon; "" means UTC) is where
// weekdays and hours of the best-time heatmap are read.
func (a *App) AuditChannel(channelID, timeZone string) (service.AuditResult, error) {
	loc := time.UTC
	if tz := strings.TrimSpace(timeZone); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || len(tz) > 64 {
			return service.AuditResult{}, &FieldError{Field: "time_zone", Message: "must be a time zone name such as Europe/Lisbon or America/New_York"}
		}
		loc = l
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.AuditResult{}, err
	}
	res, err := a.insightsSvc().Audit(ctx, channelID, loc)
	return res, insightsError(err)
}

// ImportStudioCSV imports the text of a YouTube Studio table export for a
// channel (a pasted table, up to MaxCSVBytes). The whole file is checked
// before anything is written: a file with an error changes nothing, and
// the error names line and column. Files of any size stream through
// ImportStudioCSVPick (the desktop window) or the upload route (serve
// mode) instead.
func (a *App) ImportStudioCSV(channelID, csvText string) (service.ImportResult, error) {
	if len(csvText) > MaxCSVBytes {
		return service.ImportResult{}, &FieldError{Field: "csv", Message: fmt.Sprintf("is larger than %d MB: choose the exported file instead of pasting it", MaxCSVBytes>>20)}
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, fetchTimeout)
	defer cancel()
	return a.rt.importCSV(ctx, channelID, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(csvText)), nil
	})
}

// ImportStudioCSVPick asks the user for the exported file with the
// system's file dialog and imports it, streaming (files of any size). The
// path comes from the dialog, never from the page. Serve mode has no
// dialog: a browser uploads the file to POST /api/insights/import/{channel}.
// Cancelling the dialog imports nothing and returns zero rows.
func (a *App) ImportStudioCSVPick(channelID string) (service.ImportResult, error) {
	if a.rt.opts.Dialogs == nil {
		return service.ImportResult{}, ErrNoDialogs
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, 10*time.Minute)
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.ImportResult{}, err
	}
	path, err := a.rt.opts.Dialogs.OpenFile(ctx, FileDialog{
		Title:   "Import a YouTube Studio export",
		Filters: []FileFilter{{Name: "YouTube Studio table (*.csv)", Pattern: "*.csv"}},
	})
	if err != nil || path == "" {
		return service.ImportResult{Columns: []string{}}, err
	}
	return a.rt.importCSV(ctx, channelID, func() (io.ReadCloser, error) { return os.Open(path) })
}

// importCSV imports an export through the service: checked whole, then
// stored in batches.
func (rt *Runtime) importCSV(ctx context.Context, channelID string, open func() (io.ReadCloser, error)) (service.ImportResult, error) {
	if _, err := rt.liveChannel(ctx, channelID); err != nil {
		return service.ImportResult{}, err
	}
	opened := false
	res, err := rt.insights.svc.ImportCSV(ctx, channelID, func() (io.ReadCloser, error) {
		r, err := open()
		if err != nil && !opened {
			return nil, &FieldError{Field: "path", Message: "cannot be opened: check the file exists and is readable"}
		}
		opened = true
		return r, err
	})
	return res, insightsError(err)
}

// VideoInput is a video entered by hand.
type VideoInput struct {
	ID          string `json:"id"` // optional: the YouTube video id
	Title       string `json:"title"`
	PublishedAt string `json:"published_at"` // YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]
	DurationSec int    `json:"duration_sec"`
	Views       int64  `json:"views"`
	Likes       int64  `json:"likes"`
	Comments    int64  `json:"comments"`
}

var videoIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

var publishLayouts = []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339}

// AddVideo stores (or updates) one video entered by hand.
func (a *App) AddVideo(channelID string, in VideoInput) (insights.Video, error) {
	in.ID, in.Title, in.PublishedAt = strings.TrimSpace(in.ID), strings.TrimSpace(in.Title), strings.TrimSpace(in.PublishedAt)
	var c checker
	c.text("title", in.Title, 1, 200)
	if c.err == nil && in.ID != "" && !videoIDRe.MatchString(in.ID) {
		c.fail("id", "must be a YouTube video id (letters, digits, - and _)")
	}
	var pub time.Time
	if c.err == nil {
		ok := false
		for _, l := range publishLayouts {
			if t, err := time.Parse(l, in.PublishedAt); err == nil {
				pub, ok = t.UTC(), true
				break
			}
		}
		switch {
		case !ok:
			c.fail("published_at", "must be a date such as 2025-03-14 or 2025-03-14T18:00")
		case pub.After(a.rt.opts.Now().Add(24 * time.Hour)):
			c.fail("published_at", "is in the future")
		}
	}
	c.number("duration_sec", float64(in.DurationSec), 0, 24*3600)
	c.number("views", float64(in.Views), 0, 1e13)
	c.number("likes", float64(in.Likes), 0, 1e12)
	c.number("comments", float64(in.Comments), 0, 1e12)
	if err := c.check(); err != nil {
		return insights.Video{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return insights.Video{}, err
	}
	if in.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return insights.Video{}, err
		}
		in.ID = "manual-" + id.String()
	}
	return a.insightsSvc().AddVideo(ctx, insights.Video{ChannelID: channelID, ID: in.ID, Title: in.Title, PublishedAt: pub,
		DurationSec: in.DurationSec, Views: in.Views, Likes: in.Likes, Comments: in.Comments})
}

// ListInsightVideos lists a channel's stored videos, newest first.
func (a *App) ListInsightVideos(channelID string) ([]insights.Video, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return nil, err
	}
	return a.insightsSvc().Videos(ctx, channelID)
}

// DeleteInsightVideo removes a stored video and its snapshots.
func (a *App) DeleteInsightVideo(channelID, videoID string) error {
	ctx, cancel := a.call()
	defer cancel()
	return notFound(a.insightsSvc().DeleteVideo(ctx, channelID, videoID), "video")
}

// YouTubeAPIStatus reports whether a key is set and today's quota use.
func (a *App) YouTubeAPIStatus() (service.YouTubeStatus, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.insightsSvc().YouTubeStatus(ctx)
}

var apiKeyRe = regexp.MustCompile(`^[A-Za-z0-9_-]{20,100}$`)

// SetYouTubeAPIKey stores the YouTube Data API key in the key store (never
// in the database or logs).
func (a *App) SetYouTubeAPIKey(key string) (service.YouTubeStatus, error) {
	key = strings.TrimSpace(key)
	if !apiKeyRe.MatchString(key) {
		return service.YouTubeStatus{}, &FieldError{Field: "api_key", Message: "does not look like a Google API key (AIza… from Google Cloud → Credentials)"}
	}
	ctx, cancel := a.call()
	defer cancel()
	return a.insightsSvc().SetAPIKey(ctx, key)
}

// DeleteYouTubeAPIKey forgets the stored key.
func (a *App) DeleteYouTubeAPIKey() (service.YouTubeStatus, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.insightsSvc().DeleteAPIKey(ctx)
}

// FetchFromYouTube reads the channel's statistics and its newest uploads
// (up to service.MaxFetchVideos) with the API key and stores a snapshot of
// each.
func (a *App) FetchFromYouTube(channelID string) (service.FetchResult, error) {
	ctx, cancel := context.WithTimeout(a.rt.ctx, fetchTimeout)
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.FetchResult{}, err
	}
	res, err := a.insightsSvc().Fetch(ctx, channelID)
	return res, insightsError(err)
}

// ListCompetitors lists the competitor channels of a channel.
func (a *App) ListCompetitors(channelID string) ([]insights.Competitor, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return nil, err
	}
	return a.insightsSvc().Competitors(ctx, channelID)
}

// AddCompetitor follows a competitor channel (UC… id) beside a channel. With
// an API key its title is read from YouTube; offline it is stored by id.
func (a *App) AddCompetitor(channelID, youtubeID string) (insights.Competitor, error) {
	youtubeID = strings.TrimSpace(youtubeID)
	if !youtubeIDRe.MatchString(youtubeID) {
		return insights.Competitor{}, &FieldError{Field: "youtube_id", Message: "must be a YouTube channel id: UC followed by 22 letters, digits, - or _"}
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, 30*time.Second)
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return insights.Competitor{}, err
	}
	c, err := a.insightsSvc().AddCompetitor(ctx, channelID, youtubeID)
	return c, insightsError(err)
}

// RemoveCompetitor stops following a competitor and drops its videos.
func (a *App) RemoveCompetitor(id string) error {
	ctx, cancel := a.call()
	defer cancel()
	return notFound(a.insightsSvc().RemoveCompetitor(ctx, id), "competitor")
}

var regionRe = regexp.MustCompile(`^[A-Z]{2}$`)
var categoryRe = regexp.MustCompile(`^[0-9]{0,3}$`)

// Trends lists rising keywords. With an API key and a connection it first
// refreshes YouTube's most-popular chart for region (ISO code such as US)
// and category ("" or 0 for all) and the recent uploads of the user's
// channels and their competitors; otherwise it works from the last
// snapshot and local videos.
func (a *App) Trends(region, category string) (service.TrendsResult, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	category = strings.TrimSpace(category)
	if category == "" {
		category = "0"
	}
	if !regionRe.MatchString(region) {
		return service.TrendsResult{}, &FieldError{Field: "region", Message: "must be a two-letter country code such as US or GB"}
	}
	if !categoryRe.MatchString(category) {
		return service.TrendsResult{}, &FieldError{Field: "category", Message: "must be a YouTube category number such as 26, or 0 for all"}
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, fetchTimeout)
	defer cancel()
	return a.insightsSvc().Trends(ctx, region, category)
}

// ScoreTitle scores a title for a channel, 0–100, with the features that
// drove the score and the model's held-out accuracy (or a note that it is
// uncalibrated).
func (a *App) ScoreTitle(channelID, title, thumbnailText string) (predictor.Score, error) {
	var c checker
	c.text("title", title, 0, 200)
	c.text("thumbnail_text", thumbnailText, 0, 100)
	if err := c.check(); err != nil {
		return predictor.Score{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return predictor.Score{}, err
	}
	return a.insightsSvc().ScoreTitle(ctx, channelID, title, thumbnailText)
}

// EarningInput is one month's actual ad earnings.
type EarningInput struct {
	Month  string  `json:"month"` // YYYY-MM
	Amount float64 `json:"amount"`
	Views  int64   `json:"views"`
}

// PutEarnings records what a channel earned in a month, with that month's
// views; it calibrates the channel's RPM.
func (a *App) PutEarnings(channelID string, in EarningInput) ([]insights.Earning, error) {
	in.Month = strings.TrimSpace(in.Month)
	var c checker
	if err := revenue.ValidMonth(in.Month); err != nil {
		c.fail("month", "must be a month such as 2025-03")
	} else if in.Month > a.rt.opts.Now().Format("2006-01") {
		c.fail("month", "is in the future")
	}
	c.number("amount", in.Amount, 0, 1e9)
	c.number("views", float64(in.Views), 1, 1e12)
	if err := c.check(); err != nil {
		return nil, err
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return nil, err
	}
	return a.insightsSvc().PutEarning(ctx, insights.Earning{ChannelID: channelID, Month: in.Month, Amount: in.Amount, Views: in.Views})
}

// ListEarnings lists a channel's entered months.
func (a *App) ListEarnings(channelID string) ([]insights.Earning, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return nil, err
	}
	return a.insightsSvc().Earnings(ctx, channelID)
}

// DeleteEarnings removes one entered month.
func (a *App) DeleteEarnings(channelID, month string) ([]insights.Earning, error) {
	ctx, cancel := a.call()
	defer cancel()
	es, err := a.insightsSvc().DeleteEarning(ctx, channelID, month)
	return es, notFound(err, "earnings month")
}

// RevenueProjection projects a channel's ad revenue for the next 12 months:
// from the channel's own RPM per format when its revenue is known (the CSV
// column, YouTube Analytics or entered months), else from its niche
// category's prior, with an 80% band.
func (a *App) RevenueProjection(channelID string) (revenue.Projection, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return revenue.Projection{}, err
	}
	return a.insightsSvc().Projection(ctx, channelID)
}

// MoneyCounter projects every channel's earnings.
func (a *App) MoneyCounter() (service.MoneyCounter, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.insightsSvc().Money(ctx)
}

// NicheCategories lists the niche categories whose RPMs are the revenue
// prior, with their names in each language.
func (a *App) NicheCategories() []service.Category { return service.Categories() }

// ChannelNiche reads a channel's niche category: chosen, or suggested from
// its niche text.
func (a *App) ChannelNiche(channelID string) (service.NicheSetting, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.NicheSetting{}, err
	}
	return a.insightsSvc().Niche(ctx, channelID)
}

// SetChannelNiche chooses a channel's niche category ("" goes back to the
// suggestion).
func (a *App) SetChannelNiche(channelID, category string) (service.NicheSetting, error) {
	category = strings.TrimSpace(category)
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.NicheSetting{}, err
	}
	n, err := a.insightsSvc().SetNiche(ctx, channelID, category)
	return n, insightsError(err)
}

// AnalyticsClient is the Google OAuth client analytics signs in with. The
// secret is never sent back.
type AnalyticsClient struct {
	Configured bool   `json:"configured"`
	ClientID   string `json:"client_id"`
	// Warning says where the key store keeps it when no OS keyring is
	// available.
	Warning string `json:"warning"`
}

var (
	oauthClientIDRe     = regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}\.apps\.googleusercontent\.com$`)
	oauthClientSecretRe = regexp.MustCompile(`^[A-Za-z0-9_-]{0,100}$`)
)

// AnalyticsOAuthClient reports whether a Google OAuth client is set.
func (a *App) AnalyticsOAuthClient() (AnalyticsClient, error) {
	c, ok, err := a.rt.insights.google.readClient()
	if err != nil {
		return AnalyticsClient{}, err
	}
	ks, err := a.rt.Keys()
	if err != nil {
		return AnalyticsClient{}, err
	}
	return AnalyticsClient{Configured: ok, ClientID: c.ID, Warning: ks.Warning()}, nil
}

// SetAnalyticsOAuthClient stores the user's Google OAuth client (a
// "Desktop app" client of their Google Cloud project, with the YouTube
// Data, YouTube Analytics and YouTube Reporting APIs enabled) in the key
// store. An empty clientID forgets it.
func (a *App) SetAnalyticsOAuthClient(clientID, clientSecret string) (AnalyticsClient, error) {
	clientID, clientSecret = strings.TrimSpace(clientID), strings.TrimSpace(clientSecret)
	var c checker
	if clientID != "" && !oauthClientIDRe.MatchString(clientID) {
		c.fail("client_id", "must be an OAuth client id ending in .apps.googleusercontent.com (Google Cloud → Credentials)")
	}
	if c.err == nil && !oauthClientSecretRe.MatchString(clientSecret) {
		c.fail("client_secret", "must be the client secret Google shows beside the id (letters, digits, - and _)")
	}
	if err := c.check(); err != nil {
		return AnalyticsClient{}, err
	}
	if err := a.rt.insights.google.setClient(oauthClient{ID: clientID, Secret: clientSecret}); err != nil {
		return AnalyticsClient{}, err
	}
	return a.AnalyticsOAuthClient()
}

// ConnectAnalytics starts the Google sign-in that links a channel to
// YouTube Analytics (and, with withRevenue, its revenue): open the URL it
// returns in a browser. The app listens on the loopback address for
// Google's answer, then syncs at once; insights events tell the progress.
// When the browser runs on another computer than the app, paste the
// address it ended on into FinishAnalyticsSignIn.
func (a *App) ConnectAnalytics(channelID string, withRevenue bool) (service.LinkStart, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.LinkStart{}, err
	}
	ls, err := a.insightsSvc().LinkAnalytics(ctx, channelID, withRevenue)
	return ls, insightsError(err)
}

// FinishAnalyticsSignIn completes a sign-in from the address the browser
// ended on (http://127.0.0.1:…/callback?…).
func (a *App) FinishAnalyticsSignIn(channelID, redirectedURL string) (service.AnalyticsStatus, error) {
	redirectedURL = strings.TrimSpace(redirectedURL)
	var c checker
	c.text("redirect_url", redirectedURL, 1, 4096)
	if err := c.check(); err != nil {
		return service.AnalyticsStatus{}, err
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, syncTimeout)
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.AnalyticsStatus{}, err
	}
	st, err := a.insightsSvc().FinishAnalyticsLink(ctx, channelID, redirectedURL)
	return st, insightsError(err)
}

// AnalyticsStatus reads a channel's analytics link (offline): whether it
// is linked, when it last synced, what is stored and today's quota.
func (a *App) AnalyticsStatus(channelID string) (service.AnalyticsStatus, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.AnalyticsStatus{}, err
	}
	return a.insightsSvc().AnalyticsStatus(ctx, channelID)
}

// SyncAnalytics reads what a linked channel's numbers lack now, instead of
// waiting for the daily sync.
func (a *App) SyncAnalytics(channelID string) (service.SyncResult, error) {
	ctx, cancel := context.WithTimeout(a.rt.ctx, syncTimeout)
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return service.SyncResult{}, err
	}
	res, err := a.insightsSvc().SyncAnalytics(ctx, channelID)
	return res, insightsError(err)
}

// DisconnectAnalytics unlinks a channel from YouTube Analytics; the numbers
// fetched stay. With signOut the Google grant is revoked too, unless
// another channel uses it.
func (a *App) DisconnectAnalytics(channelID string, signOut bool) error {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return err
	}
	return insightsError(a.insightsSvc().UnlinkAnalytics(ctx, channelID, signOut))
}
