package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/insights"
	"tubeagency/app/insights/analysis"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/predictor"
	"tubeagency/app/insights/revenue"
	"tubeagency/app/insights/trends"
	"tubeagency/app/insights/youtube"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
)

// MaxCSVBytes bounds a CSV pasted into ImportStudioCSV: 4 MB, about 15,000
// videos. Larger files stream through ImportStudioCSVPick or the upload
// route.
const MaxCSVBytes = 4 << 20

// fetchTimeout bounds a YouTube fetch, which makes several API calls.
const fetchTimeout = 90 * time.Second

// insightsChannel checks that channelID names a live channel.
func (a *App) insightsChannel(ctx context.Context, channelID string) (store.Channel, error) {
	return a.rt.liveChannel(ctx, channelID)
}

// liveChannel reads channelID, failing with a FieldError when it is empty
// and a NotFoundError when it does not exist.
func (rt *Runtime) liveChannel(ctx context.Context, channelID string) (store.Channel, error) {
	if strings.TrimSpace(channelID) == "" {
		return store.Channel{}, &FieldError{Field: "channel_id", Message: "choose a channel"}
	}
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, channelID)
	return ch, notFound(err, "channel")
}

// AuditResult is a channel's audit and its total views over time.
type AuditResult struct {
	ChannelID string           `json:"channel_id"`
	TimeZone  string           `json:"time_zone"`
	Report    analysis.Report  `json:"report"`
	History   []insights.Point `json:"history"`
	// Stats is the newest channel snapshot from the YouTube API; nil when
	// the channel was never fetched.
	Stats *insights.ChannelStats `json:"stats"`
}

// AuditChannel audits a channel's stored videos over 30, 60 and 90 days.
// timeZone (an IANA name such as Europe/Lisbon; "" means UTC) is where
// weekdays and hours of the best-time heatmap are read.
func (a *App) AuditChannel(channelID, timeZone string) (AuditResult, error) {
	loc := time.UTC
	if tz := strings.TrimSpace(timeZone); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || len(tz) > 64 {
			return AuditResult{}, &FieldError{Field: "time_zone", Message: "must be a time zone name such as Europe/Lisbon or America/New_York"}
		}
		loc = l
	}
	ctx, cancel := a.call()
	defer cancel()
	ch, err := a.insightsChannel(ctx, channelID)
	if err != nil {
		return AuditResult{}, err
	}
	vs, err := a.rt.insights.db.Videos(ctx, ch.ID)
	if err != nil {
		return AuditResult{}, err
	}
	hist, err := a.rt.insights.db.ViewHistory(ctx, ch.ID)
	if err != nil {
		return AuditResult{}, err
	}
	r := analysis.Audit(vs, analysis.Options{Now: a.rt.opts.Now(), TargetPerWeek: ch.Cadence, Location: loc})
	res := AuditResult{ChannelID: ch.ID, TimeZone: loc.String(), Report: r, History: hist}
	if s, ok, err := a.rt.insights.db.LatestChannelStats(ctx, ch.ID); err != nil {
		return AuditResult{}, err
	} else if ok {
		res.Stats = &s
	}
	return res, nil
}

// ImportResult says what an import stored.
type ImportResult struct {
	Rows    int `json:"rows"`
	Skipped int `json:"skipped"`
}

// ImportStudioCSV imports the text of a YouTube Studio table export for a
// channel (a pasted table, up to MaxCSVBytes). The whole file is checked
// before anything is written: a file with an error changes nothing, and
// the error names line and column. Files of any size stream through
// ImportStudioCSVPick (the desktop window) or the upload route (serve
// mode) instead.
func (a *App) ImportStudioCSV(channelID, csvText string) (ImportResult, error) {
	if len(csvText) > MaxCSVBytes {
		return ImportResult{}, &FieldError{Field: "csv", Message: fmt.Sprintf("is larger than %d MB: choose the exported file instead of pasting it", MaxCSVBytes>>20)}
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
func (a *App) ImportStudioCSVPick(channelID string) (ImportResult, error) {
	if a.rt.opts.Dialogs == nil {
		return ImportResult{}, ErrNoDialogs
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, 10*time.Minute)
	defer cancel()
	if _, err := a.rt.liveChannel(ctx, channelID); err != nil {
		return ImportResult{}, err
	}
	path, err := a.rt.opts.Dialogs.OpenFile(ctx, FileDialog{
		Title:   "Import a YouTube Studio export",
		Filters: []FileFilter{{Name: "YouTube Studio table (*.csv)", Pattern: "*.csv"}},
	})
	if err != nil || path == "" {
		return ImportResult{}, err
	}
	return a.rt.importCSV(ctx, channelID, func() (io.ReadCloser, error) { return os.Open(path) })
}

// importCSV checks the whole export (pass 1, nothing kept), then imports it
// in batches (pass 2); open is called once per pass.
func (rt *Runtime) importCSV(ctx context.Context, channelID string, open func() (io.ReadCloser, error)) (ImportResult, error) {
	ch, err := rt.liveChannel(ctx, channelID)
	if err != nil {
		return ImportResult{}, err
	}
	// Pass 1: check every row, keeping nothing.
	r, err := open()
	if err != nil {
		return ImportResult{}, &FieldError{Field: "path", Message: "cannot be opened: check the file exists and is readable"}
	}
	_, err = csvimport.Read(r, ch.ID, func(insights.Video) error { return ctx.Err() })
	r.Close()
	if err != nil {
		return ImportResult{}, csvFieldError(err)
	}
	// Pass 2: write in batches.
	if r, err = open(); err != nil {
		return ImportResult{}, err
	}
	defer r.Close()
	now := rt.opts.Now()
	batch := make([]insights.Video, 0, 500)
	flush := func() error {
		err := rt.insights.db.PutVideos(ctx, batch, now)
		batch = batch[:0]
		return err
	}
	sum, err := csvimport.Read(r, ch.ID, func(v insights.Video) error {
		v.UpdatedAt = now
		batch = append(batch, v)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return ImportResult{}, csvFieldError(err)
	}
	res := ImportResult{Rows: sum.Rows, Skipped: sum.Skipped}
	err = rt.store.Mutate(ctx, func(m *store.Mutation) error {
		return rt.logActivity(m, ch.ID, "insights.imported",
			fmt.Sprintf("Imported %d videos of %s from a YouTube Studio export", res.Rows, ch.Name), res)
	})
	return res, err
}

func csvFieldError(err error) error {
	var ce *csvimport.Error
	if errors.As(err, &ce) {
		return &FieldError{Field: "csv", Message: ce.Error()}
	}
	return err
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
	ch, err := a.insightsChannel(ctx, channelID)
	if err != nil {
		return insights.Video{}, err
	}
	if in.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return insights.Video{}, err
		}
		in.ID = "manual-" + id.String()
	}
	now := a.rt.opts.Now()
	v := insights.Video{ChannelID: ch.ID, ID: in.ID, Kind: insights.KindOwn, Title: in.Title, PublishedAt: pub,
		DurationSec: in.DurationSec, Views: in.Views, Likes: in.Likes, Comments: in.Comments, Source: "manual", UpdatedAt: now}
	if err := a.rt.insights.db.PutVideos(ctx, []insights.Video{v}, now); err != nil {
		return insights.Video{}, err
	}
	return v, nil
}

// ListInsightVideos lists a channel's stored videos, newest first.
func (a *App) ListInsightVideos(channelID string) ([]insights.Video, error) {
	ctx, cancel := a.call()
	defer cancel()
	ch, err := a.insightsChannel(ctx, channelID)
	if err != nil {
		return nil, err
	}
	vs, err := a.rt.insights.db.Videos(ctx, ch.ID)
	for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
		vs[i], vs[j] = vs[j], vs[i]
	}
	return vs, err
}

// DeleteInsightVideo removes a stored video and its snapshots.
func (a *App) DeleteInsightVideo(channelID, videoID string) error {
	ctx, cancel := a.call()
	defer cancel()
	err := a.rt.insights.db.DeleteVideo(ctx, channelID, videoID)
	if errors.Is(err, store.ErrNotFound) {
		return &NotFoundError{What: "video"}
	}
	return err
}

// YouTubeStatus is the state of the YouTube API connection.
type YouTubeStatus struct {
	KeySet     bool   `json:"key_set"`
	QuotaUsed  int    `json:"quota_used"`
	QuotaLimit int    `json:"quota_limit"`
	QuotaDay   string `json:"quota_day"` // Pacific-time day the quota counts
	// Warning says where the key is kept when no OS keyring is available.
	Warning string `json:"warning"`
}

// YouTubeAPIStatus reports whether a key is set and today's quota use.
func (a *App) YouTubeAPIStatus() (YouTubeStatus, error) {
	ctx, cancel := a.call()
	defer cancel()
	st := YouTubeStatus{QuotaLimit: youtube.DailyQuota, QuotaDay: youtube.Day(a.rt.opts.Now())}
	s, err := a.rt.secretStore()
	if err != nil {
		return st, err
	}
	st.KeySet, st.Warning = s.Has(secretYouTube), s.Warning()
	st.QuotaUsed, err = a.rt.insights.db.QuotaUsed(ctx, st.QuotaDay)
	return st, err
}

var apiKeyRe = regexp.MustCompile(`^[A-Za-z0-9_-]{20,100}$`)

// SetYouTubeAPIKey stores the YouTube Data API key in the key store (never
// in the database or logs).
func (a *App) SetYouTubeAPIKey(key string) (YouTubeStatus, error) {
	key = strings.TrimSpace(key)
	if !apiKeyRe.MatchString(key) {
		return YouTubeStatus{}, &FieldError{Field: "api_key", Message: "does not look like a Google API key (AIza… from Google Cloud → Credentials)"}
	}
	s, err := a.rt.secretStore()
	if err != nil {
		return YouTubeStatus{}, err
	}
	if err := s.Set(secretYouTube, key); err != nil {
		return YouTubeStatus{}, fmt.Errorf("store the YouTube API key: %w", err)
	}
	return a.YouTubeAPIStatus()
}

// DeleteYouTubeAPIKey forgets the stored key.
func (a *App) DeleteYouTubeAPIKey() (YouTubeStatus, error) {
	s, err := a.rt.secretStore()
	if err != nil {
		return YouTubeStatus{}, err
	}
	if err := s.Delete(secretYouTube); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return YouTubeStatus{}, err
	}
	return a.YouTubeAPIStatus()
}

// youtubeError turns the client's failures into what the UI shows.
func youtubeError(err error) error {
	if errors.Is(err, insights.ErrNoAPIKey) {
		return &FieldError{Field: "api_key", Message: "is not set: add a YouTube Data API key first"}
	}
	return err
}

// FetchResult says what a YouTube fetch stored.
type FetchResult struct {
	Videos      int    `json:"videos"`
	Subscribers int64  `json:"subscribers"`
	Title       string `json:"title"`
	QuotaUsed   int    `json:"quota_used"`
	QuotaLimit  int    `json:"quota_limit"`
}

// MaxFetchVideos is the most uploads one fetch reads.
const MaxFetchVideos = 500

// FetchFromYouTube reads the channel's statistics and its newest uploads
// (up to 500) and stores a snapshot of each.
func (a *App) FetchFromYouTube(channelID string) (FetchResult, error) {
	ctx, cancel := context.WithTimeout(a.rt.ctx, fetchTimeout)
	defer cancel()
	ch, err := a.insightsChannel(ctx, channelID)
	if err != nil {
		return FetchResult{}, err
	}
	if ch.YouTubeID == "" {
		return FetchResult{}, &FieldError{Field: "youtube_id", Message: "is not set for this channel: add its YouTube channel id (UC…) on the Channels page"}
	}
	c, err := a.rt.youtubeClient(ctx)
	if err != nil {
		return FetchResult{}, youtubeError(err)
	}
	vs, info, err := fetchUploads(ctx, c, ch.YouTubeID, MaxFetchVideos)
	if err != nil {
		return FetchResult{}, err
	}
	now := a.rt.opts.Now()
	for i := range vs {
		vs[i].ChannelID, vs[i].Kind = ch.ID, insights.KindOwn
	}
	if err := a.rt.insights.db.PutVideos(ctx, vs, now); err != nil {
		return FetchResult{}, err
	}
	if err := a.rt.insights.db.PutChannelStats(ctx, insights.ChannelStats{ChannelID: ch.ID, TakenAt: now,
		Subscribers: info.Subscribers, Views: info.Views, Videos: info.Videos}); err != nil {
		return FetchResult{}, err
	}
	used, limit, err := c.QuotaUsed(ctx)
	if err != nil {
		return FetchResult{}, err
	}
	res := FetchResult{Videos: len(vs), Subscribers: info.Subscribers, Title: info.Title, QuotaUsed: used, QuotaLimit: limit}
	err = a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		return a.rt.logActivity(m, ch.ID, "insights.fetched",
			fmt.Sprintf("Fetched %d videos of %s from YouTube", res.Videos, ch.Name), res)
	})
	return res, err
}

func fetchUploads(ctx context.Context, c *youtube.Client, youtubeID string, max int) ([]insights.Video, youtube.ChannelInfo, error) {
	meta, err := c.ChannelMeta(ctx, youtubeID)
	if err != nil {
		return nil, meta, err
	}
	info, err := c.Channel(ctx, youtubeID)
	if err != nil {
		return nil, meta, err
	}
	ids, err := c.UploadIDs(ctx, meta.Uploads, max)
	if err != nil {
		return nil, info, err
	}
	vs, err := c.Videos(ctx, ids)
	return vs, info, err
}

// ListCompetitors lists the competitor channels of a channel.
func (a *App) ListCompetitors(channelID string) ([]insights.Competitor, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.insightsChannel(ctx, channelID); err != nil {
		return nil, err
	}
	return a.rt.insights.db.Competitors(ctx, channelID)
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
	if _, err := a.insightsChannel(ctx, channelID); err != nil {
		return insights.Competitor{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return insights.Competitor{}, err
	}
	comp := insights.Competitor{ID: id.String(), ChannelID: channelID, YouTubeID: youtubeID, AddedAt: a.rt.opts.Now()}
	if c, err := a.rt.youtubeClient(ctx); err == nil {
		meta, err := c.ChannelMeta(ctx, youtubeID)
		switch {
		case errors.Is(err, youtube.ErrChannelNotFound):
			return insights.Competitor{}, &FieldError{Field: "youtube_id", Message: "is not a channel YouTube knows: check the id"}
		case err == nil:
			comp.Title = meta.Title
		}
	}
	if err := a.rt.insights.db.PutCompetitor(ctx, comp); err != nil {
		return insights.Competitor{}, err
	}
	list, err := a.rt.insights.db.Competitors(ctx, channelID)
	for _, c := range list {
		if c.YouTubeID == youtubeID {
			return c, err
		}
	}
	return comp, err
}

// RemoveCompetitor stops following a competitor and drops its videos.
func (a *App) RemoveCompetitor(id string) error {
	ctx, cancel := a.call()
	defer cancel()
	err := a.rt.insights.db.DeleteCompetitor(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return &NotFoundError{What: "competitor"}
	}
	return err
}

// TrendsResult is the trend list and where its data came from.
type TrendsResult struct {
	Trends []trends.Trend `json:"trends"`
	// Online is true when the chart and competitor uploads were read from
	// YouTube just now (or within the 1 h cache); false means the last
	// stored snapshot and the local corpus.
	Online         bool      `json:"online"`
	ChartFetchedAt time.Time `json:"chart_fetched_at,omitzero"`
	Message        string    `json:"message"`
	CorpusVideos   int       `json:"corpus_videos"`
}

var regionRe = regexp.MustCompile(`^[A-Z]{2}$`)
var categoryRe = regexp.MustCompile(`^[0-9]{0,3}$`)

// Trends lists rising keywords. With an API key and a connection it first
// refreshes YouTube's most-popular chart for region (ISO code such as US)
// and category ("" or 0 for all) and the recent uploads of the user's
// channels and their competitors; otherwise it works from the last
// snapshot and local videos.
func (a *App) Trends(region, category string) (TrendsResult, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	category = strings.TrimSpace(category)
	if category == "" {
		category = "0"
	}
	if !regionRe.MatchString(region) {
		return TrendsResult{}, &FieldError{Field: "region", Message: "must be a two-letter country code such as US or GB"}
	}
	if !categoryRe.MatchString(category) {
		return TrendsResult{}, &FieldError{Field: "category", Message: "must be a YouTube category number such as 26, or 0 for all"}
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, fetchTimeout)
	defer cancel()
	var res TrendsResult
	if c, err := a.rt.youtubeClient(ctx); err == nil {
		res.Online = true
		if vs, err := c.MostPopular(ctx, region, category, 50); err != nil {
			res.Online, res.Message = false, err.Error()
		} else if err := a.rt.insights.db.PutChart(ctx, region, category, a.rt.opts.Now(), vs); err != nil {
			return res, err
		}
		if res.Online {
			if err := a.rt.refreshRecent(ctx, c); err != nil {
				res.Online, res.Message = false, err.Error()
			}
		}
	} else if errors.Is(err, insights.ErrNoAPIKey) {
		res.Message = "Working offline from your own videos and the last snapshot: add a YouTube API key for live charts."
	} else {
		res.Message = err.Error()
	}
	if !res.Online && res.Message == "" {
		res.Message = "Working offline from the last snapshot."
	}
	at, _, err := a.rt.insights.db.Chart(ctx, region, category)
	if err != nil {
		return res, err
	}
	res.ChartFetchedAt = at
	ts, err := a.rt.localTrends(ctx)
	if err != nil {
		return res, err
	}
	res.Trends = ts
	for _, kind := range []string{insights.KindOwn, insights.KindCompetitor, insights.KindChart} {
		vs, err := a.rt.insights.db.VideosOfKind(ctx, kind, a.rt.opts.Now().AddDate(0, 0, -56))
		if err != nil {
			return res, err
		}
		res.CorpusVideos += len(vs)
	}
	return res, nil
}

// RecentUploads is how many of the newest uploads Trends reads per channel.
const RecentUploads = 25

// refreshRecent stores the newest uploads of the user's channels that have
// a YouTube id and of every competitor (cached 1 h, so repeated refreshes
// cost no quota).
func (rt *Runtime) refreshRecent(ctx context.Context, c *youtube.Client) error {
	chs, err := store.List[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, "youtube_id != ''", "id")
	if err != nil {
		return err
	}
	comps, err := rt.insights.db.Competitors(ctx, "")
	if err != nil {
		return err
	}
	type source struct{ key, youtubeID, kind string }
	var sources []source
	for _, ch := range chs {
		sources = append(sources, source{ch.ID, ch.YouTubeID, insights.KindOwn})
	}
	for _, comp := range comps {
		sources = append(sources, source{comp.ID, comp.YouTubeID, insights.KindCompetitor})
	}
	now := rt.opts.Now()
	for _, src := range sources {
		vs, _, err := fetchUploads(ctx, c, src.youtubeID, RecentUploads)
		if errors.Is(err, youtube.ErrChannelNotFound) {
			continue // a mistyped id must not stop the others
		}
		if err != nil {
			return err
		}
		for i := range vs {
			vs[i].ChannelID, vs[i].Kind = src.key, src.kind
		}
		if err := rt.insights.db.PutVideos(ctx, vs, now); err != nil {
			return err
		}
	}
	return nil
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
	if _, err := a.insightsChannel(ctx, channelID); err != nil {
		return predictor.Score{}, err
	}
	return a.rt.ScoreTitle(ctx, channelID, title, thumbnailText)
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
	if _, err := a.insightsChannel(ctx, channelID); err != nil {
		return nil, err
	}
	err := a.rt.insights.db.PutEarning(ctx, insights.Earning{ChannelID: channelID, Month: in.Month,
		Amount: math.Round(in.Amount*100) / 100, Views: in.Views, EnteredAt: a.rt.opts.Now()})
	if err != nil {
		return nil, err
	}
	return a.rt.insights.db.Earnings(ctx, channelID)
}

// ListEarnings lists a channel's entered months.
func (a *App) ListEarnings(channelID string) ([]insights.Earning, error) {
	ctx, cancel := a.call()
	defer cancel()
	if _, err := a.insightsChannel(ctx, channelID); err != nil {
		return nil, err
	}
	return a.rt.insights.db.Earnings(ctx, channelID)
}

// DeleteEarnings removes one entered month.
func (a *App) DeleteEarnings(channelID, month string) ([]insights.Earning, error) {
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.insights.db.DeleteEarning(ctx, channelID, month); errors.Is(err, store.ErrNotFound) {
		return nil, &NotFoundError{What: "earnings month"}
	} else if err != nil {
		return nil, err
	}
	return a.rt.insights.db.Earnings(ctx, channelID)
}

// projection projects a channel's revenue from its stored videos.
func (rt *Runtime) projection(ctx context.Context, ch store.Channel) (revenue.Projection, error) {
	vs, err := rt.insights.db.Videos(ctx, ch.ID)
	if err != nil {
		return revenue.Projection{}, err
	}
	es, err := rt.insights.db.Earnings(ctx, ch.ID)
	if err != nil {
		return revenue.Projection{}, err
	}
	now := rt.opts.Now()
	in := revenue.Inputs{Niche: ch.Niche, Start: now}
	var longViews, shortViews, all []float64
	var longRecent, shortRecent int
	cut := now.AddDate(0, 0, -90)
	for _, v := range vs {
		all = append(all, float64(v.Views))
		if v.IsShort() {
			shortViews = append(shortViews, float64(v.Views))
			if v.PublishedAt.After(cut) {
				shortRecent++
			}
		} else {
			longViews = append(longViews, float64(v.Views))
			if v.PublishedAt.After(cut) {
				longRecent++
			}
		}
	}
	in.LongMedianViews, in.ShortsMedianViews = analysis.Median(longViews), analysis.Median(shortViews)
	in.LongPerWeek, in.ShortsPerWeek = float64(longRecent)/(90.0/7), float64(shortRecent)/(90.0/7)
	if longRecent+shortRecent == 0 && len(vs) > 0 {
		// Nothing uploaded in 90 days: project the channel's planned cadence.
		if ch.Format == store.FormatShorts {
			in.ShortsPerWeek = ch.Cadence
		} else {
			in.LongPerWeek = ch.Cadence
		}
	}
	in.ViewSpread = revenue.LogSpread(all)
	if len(vs) > 0 {
		r := analysis.Audit(vs, analysis.Options{Now: now, Windows: []int{30}})
		if t := r.Windows[0].TrendPct; t != nil {
			in.TrendPct = *t
		}
	}
	for _, e := range es {
		in.Earnings = append(in.Earnings, revenue.Earning{Month: e.Month, Amount: e.Amount, Views: e.Views})
	}
	hist, err := rt.insights.db.ViewHistory(ctx, ch.ID)
	if err != nil {
		return revenue.Projection{}, err
	}
	in.MeasuredMonthlyViews = measuredMonthlyViews(hist)
	var shortTotal, total float64
	for _, v := range vs {
		total += float64(v.Views)
		if v.IsShort() {
			shortTotal += float64(v.Views)
		}
	}
	if total > 0 {
		in.ShortsViewShare = shortTotal / total
	}
	return revenue.Project(in), nil
}

// measuredMonthlyViews is the growth of the channel's total views between
// the last snapshot and the oldest one within 60 days before it, scaled to a
// month; zero with less than a day between them.
func measuredMonthlyViews(hist []insights.Point) float64 {
	if len(hist) < 2 {
		return 0
	}
	last := hist[len(hist)-1]
	first := last
	for _, p := range hist {
		if last.At.Sub(p.At) <= 60*24*time.Hour {
			first = p
			break
		}
	}
	days := last.At.Sub(first.At).Hours() / 24
	if days < 1 || last.Value <= first.Value {
		return 0
	}
	return (last.Value - first.Value) / days * 365.25 / 12
}

// RevenueProjection projects a channel's ad revenue for the next 12 months.
func (a *App) RevenueProjection(channelID string) (revenue.Projection, error) {
	ctx, cancel := a.call()
	defer cancel()
	ch, err := a.insightsChannel(ctx, channelID)
	if err != nil {
		return revenue.Projection{}, err
	}
	return a.rt.projection(ctx, ch)
}

// ChannelMoney is one channel's line of the money counter.
type ChannelMoney struct {
	ChannelID  string          `json:"channel_id"`
	Name       string          `json:"name"`
	PerSecond  float64         `json:"per_second"`
	Month      revenue.Month   `json:"month"`
	Months     []revenue.Month `json:"months"`
	Calibrated bool            `json:"calibrated"`
	Niche      string          `json:"niche"`
}

// MoneyCounter is the projected earnings of every channel, for the
// dashboard's live counter. It is a projection, not a payout.
type MoneyCounter struct {
	Channels []ChannelMoney `json:"channels"`
	// PerSecond is the total accrual rate.
	PerSecond float64 `json:"per_second"`
	// MonthStart is the start of the current month (unix ms) and AsOf the
	// time the figures were computed: the counter shows
	// AccruedAtAsOf + PerSecond × (now − AsOf).
	MonthStart    int64           `json:"month_start"`
	AsOf          int64           `json:"as_of"`
	AccruedAtAsOf float64         `json:"accrued_at_as_of"`
	Months        []revenue.Month `json:"months"` // the channels summed, with a combined band
	Sources       []string        `json:"sources"`
}

// MoneyCounter projects every channel's earnings.
func (a *App) MoneyCounter() (MoneyCounter, error) {
	ctx, cancel := a.call()
	defer cancel()
	chs, err := store.List[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, "", "name COLLATE NOCASE, id")
	if err != nil {
		return MoneyCounter{}, err
	}
	now := a.rt.opts.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	mc := MoneyCounter{Channels: []ChannelMoney{}, MonthStart: start.UnixMilli(), AsOf: now.UnixMilli(), Sources: revenue.Sources}
	var lowVar, highVar []float64
	for _, ch := range chs {
		p, err := a.rt.projection(ctx, ch)
		if err != nil {
			return MoneyCounter{}, err
		}
		cm := ChannelMoney{ChannelID: ch.ID, Name: ch.Name, PerSecond: p.PerSecond, Months: p.Months,
			Calibrated: p.Calibrated, Niche: p.Niche}
		if len(p.Months) > 0 {
			cm.Month = p.Months[0]
		}
		mc.Channels = append(mc.Channels, cm)
		mc.PerSecond += p.PerSecond
		for i, m := range p.Months {
			if len(mc.Months) <= i {
				mc.Months = append(mc.Months, revenue.Month{Month: m.Month})
				lowVar, highVar = append(lowVar, 0), append(highVar, 0)
			}
			mc.Months[i].Views += m.Views
			mc.Months[i].Expected += m.Expected
			// Channels vary independently: their band half-widths add in quadrature.
			lowVar[i] += (m.Expected - m.Low) * (m.Expected - m.Low)
			highVar[i] += (m.High - m.Expected) * (m.High - m.Expected)
		}
	}
	for i := range mc.Months {
		mc.Months[i].Low = math.Max(0, mc.Months[i].Expected-math.Sqrt(lowVar[i]))
		mc.Months[i].High = mc.Months[i].Expected + math.Sqrt(highVar[i])
	}
	mc.AccruedAtAsOf = mc.PerSecond * now.Sub(start).Seconds()
	return mc, nil
}
