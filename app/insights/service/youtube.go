package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/insights"
	"tubeagency/app/insights/trends"
	"tubeagency/app/insights/youtube"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
)

// SecretYouTube is the key store name of the YouTube Data API key.
const SecretYouTube = "youtube/api_key"

// ErrNoYouTubeID reports a channel without its YouTube channel id.
var ErrNoYouTubeID = errors.New("the channel has no YouTube channel id")

// YouTubeStatus is the state of the YouTube API key.
type YouTubeStatus struct {
	KeySet     bool   `json:"key_set"`
	QuotaUsed  int    `json:"quota_used"`
	QuotaLimit int    `json:"quota_limit"`
	QuotaDay   string `json:"quota_day"` // Pacific-time day the quota counts
	// Warning says where the key is kept when no OS keyring is available.
	Warning string `json:"warning"`
}

func (s *Service) keys() (Keys, error) {
	if s.cfg.Keys == nil {
		return nil, errors.New("no key store")
	}
	return s.cfg.Keys()
}

// YouTubeStatus reports whether a key is set and today's quota use.
func (s *Service) YouTubeStatus(ctx context.Context) (YouTubeStatus, error) {
	st := YouTubeStatus{QuotaLimit: youtube.DailyQuota, QuotaDay: youtube.Day(s.now())}
	k, err := s.keys()
	if err != nil {
		return st, err
	}
	st.KeySet, st.Warning = k.Has(SecretYouTube), k.Warning()
	st.QuotaUsed, err = s.db.QuotaUsed(ctx, st.QuotaDay)
	return st, err
}

// SetAPIKey stores the Data API key in the key store (never in the
// database or logs); the caller has checked its form.
func (s *Service) SetAPIKey(ctx context.Context, key string) (YouTubeStatus, error) {
	k, err := s.keys()
	if err != nil {
		return YouTubeStatus{}, err
	}
	if err := k.Set(SecretYouTube, key); err != nil {
		return YouTubeStatus{}, fmt.Errorf("store the YouTube API key: %w", err)
	}
	return s.YouTubeStatus(ctx)
}

// DeleteAPIKey forgets the stored key.
func (s *Service) DeleteAPIKey(ctx context.Context) (YouTubeStatus, error) {
	k, err := s.keys()
	if err != nil {
		return YouTubeStatus{}, err
	}
	if err := k.Delete(SecretYouTube); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return YouTubeStatus{}, err
	}
	return s.YouTubeStatus(ctx)
}

// youtubeClient makes a Data API client with the stored key, or fails
// with insights.ErrNoAPIKey.
func (s *Service) youtubeClient(ctx context.Context) (*youtube.Client, error) {
	k, err := s.keys()
	if err != nil {
		return nil, err
	}
	key, err := k.Get(SecretYouTube)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, insights.ErrNoAPIKey
	}
	if err != nil {
		return nil, fmt.Errorf("read the YouTube API key: %w", err)
	}
	return youtube.New(ctx, youtube.Config{APIKey: key, Quota: s.db, Cache: s.cfg.Cache, Endpoint: s.cfg.Endpoints.YouTube,
		Now: s.cfg.Now})
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

// Fetch reads the channel's statistics and its newest uploads (up to
// MaxFetchVideos) with the API key and stores a snapshot of each.
func (s *Service) Fetch(ctx context.Context, channelID string) (FetchResult, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return FetchResult{}, err
	}
	if ch.YouTubeID == "" {
		return FetchResult{}, ErrNoYouTubeID
	}
	c, err := s.youtubeClient(ctx)
	if err != nil {
		return FetchResult{}, err
	}
	vs, info, err := fetchUploads(ctx, c, ch.YouTubeID, MaxFetchVideos)
	if err != nil {
		return FetchResult{}, err
	}
	if err := s.storeUploads(ctx, ch.ID, vs, info); err != nil {
		return FetchResult{}, err
	}
	used, limit, err := c.QuotaUsed(ctx)
	if err != nil {
		return FetchResult{}, err
	}
	res := FetchResult{Videos: len(vs), Subscribers: info.Subscribers, Title: info.Title, QuotaUsed: used, QuotaLimit: limit}
	return res, s.activity(ctx, ch.ID, "insights.fetched", fmt.Sprintf("Fetched %d videos of %s from YouTube", res.Videos, ch.Name), res)
}

// storeUploads stores videos of the user's channel channelID and a
// channel snapshot.
func (s *Service) storeUploads(ctx context.Context, channelID string, vs []insights.Video, info youtube.ChannelInfo) error {
	now := s.now()
	for i := range vs {
		vs[i].ChannelID, vs[i].Kind = channelID, insights.KindOwn
	}
	if err := s.db.PutVideos(ctx, vs, now); err != nil {
		return err
	}
	return s.db.PutChannelStats(ctx, insights.ChannelStats{ChannelID: channelID, TakenAt: now,
		Subscribers: info.Subscribers, Views: info.Views, Videos: info.Videos})
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

// Competitors lists the competitor channels of a channel.
func (s *Service) Competitors(ctx context.Context, channelID string) ([]insights.Competitor, error) {
	if _, err := s.Channel(ctx, channelID); err != nil {
		return nil, err
	}
	return s.db.Competitors(ctx, channelID)
}

// ErrUnknownChannel reports a YouTube channel id YouTube does not know.
var ErrUnknownChannel = youtube.ErrChannelNotFound

// AddCompetitor follows a competitor channel (a UC… id the caller
// checked) beside a channel. With an API key its title is read from
// YouTube; offline it is stored by id.
func (s *Service) AddCompetitor(ctx context.Context, channelID, youtubeID string) (insights.Competitor, error) {
	if _, err := s.Channel(ctx, channelID); err != nil {
		return insights.Competitor{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return insights.Competitor{}, err
	}
	comp := insights.Competitor{ID: id.String(), ChannelID: channelID, YouTubeID: youtubeID, AddedAt: s.now()}
	if c, err := s.youtubeClient(ctx); err == nil {
		meta, err := c.ChannelMeta(ctx, youtubeID)
		switch {
		case errors.Is(err, youtube.ErrChannelNotFound):
			return insights.Competitor{}, err
		case err == nil:
			comp.Title = meta.Title
		}
	}
	if err := s.db.PutCompetitor(ctx, comp); err != nil {
		return insights.Competitor{}, err
	}
	list, err := s.db.Competitors(ctx, channelID)
	for _, c := range list {
		if c.YouTubeID == youtubeID {
			return c, err
		}
	}
	return comp, err
}

// RemoveCompetitor stops following a competitor and drops its videos.
func (s *Service) RemoveCompetitor(ctx context.Context, id string) error {
	return s.db.DeleteCompetitor(ctx, id)
}

// TrendWeeks is how many weeks the trends look back.
const TrendWeeks = 8

// TrendsResult is the trend list and where its data came from.
type TrendsResult struct {
	Trends []trends.Trend `json:"trends"`
	// Online is true when the chart and competitor uploads were read from
	// YouTube just now (or within the 1 h cache); false means the last
	// stored snapshot and the local corpus.
	Online  bool   `json:"online"`
	Message string `json:"message"`
	// ChartFetchedAt is when the chart was last read; nil when never.
	ChartFetchedAt *time.Time `json:"chart_fetched_at,omitzero"`
	// Span is the weeks counted, and CorpusVideos the videos in them; the
	// audit counts the same videos over the same span.
	Span         insights.Span `json:"span"`
	CorpusVideos int           `json:"corpus_videos"`
	OwnVideos    int           `json:"own_videos"`
}

// Trends lists rising keywords. With an API key and a connection it first
// refreshes YouTube's most-popular chart for region and category and the
// recent uploads of the user's channels and their competitors; otherwise
// it works from the last snapshot and local videos.
func (s *Service) Trends(ctx context.Context, region, category string) (TrendsResult, error) {
	var res TrendsResult
	if c, err := s.youtubeClient(ctx); err == nil {
		res.Online = true
		if vs, err := c.MostPopular(ctx, region, category, 50); err != nil {
			res.Online, res.Message = false, err.Error()
		} else if err := s.db.PutChart(ctx, region, category, s.now(), vs); err != nil {
			return res, err
		}
		if res.Online {
			if err := s.refreshRecent(ctx, c); err != nil {
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
	at, _, err := s.db.Chart(ctx, region, category)
	if err != nil {
		return res, err
	}
	if !at.IsZero() {
		res.ChartFetchedAt = &at
	}
	now := s.now()
	corpus, err := s.corpus(ctx, now)
	if err != nil {
		return res, err
	}
	res.Span = insights.LastWeeks(now, TrendWeeks)
	res.CorpusVideos = len(corpus)
	for _, v := range corpus {
		if v.Kind == insights.KindOwn {
			res.OwnVideos++
		}
	}
	res.Trends, err = s.rising(ctx, corpus, now)
	return res, err
}

// RecentUploads is how many of the newest uploads Trends reads per channel.
const RecentUploads = 25

// refreshRecent stores the newest uploads of the user's channels that have
// a YouTube id and of every competitor (cached 1 h, so repeated refreshes
// cost no quota).
func (s *Service) refreshRecent(ctx context.Context, c *youtube.Client) error {
	chs, err := store.List[store.Channel](ctx, s.st.ReadDB(), store.ChannelEntity, "youtube_id != ''", "id")
	if err != nil {
		return err
	}
	comps, err := s.db.Competitors(ctx, "")
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
	now := s.now()
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
		if err := s.db.PutVideos(ctx, vs, now); err != nil {
			return err
		}
	}
	return nil
}

// corpus is every stored video of the last TrendWeeks weeks: own channels,
// competitors and the last charts.
func (s *Service) corpus(ctx context.Context, now time.Time) ([]insights.Video, error) {
	span := insights.LastWeeks(now, TrendWeeks)
	var out []insights.Video
	for _, kind := range []string{insights.KindOwn, insights.KindCompetitor, insights.KindChart} {
		vs, err := s.db.VideosOfKind(ctx, kind, span)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (s *Service) rising(ctx context.Context, corpus []insights.Video, now time.Time) ([]trends.Trend, error) {
	niches, err := s.niches(ctx)
	if err != nil {
		return nil, err
	}
	return trends.Rising(corpus, niches, trends.Options{Now: now, Buckets: TrendWeeks}), nil
}

// LocalTrends ranks the terms of every stored video of the last weeks,
// making no API call.
func (s *Service) LocalTrends(ctx context.Context) ([]trends.Trend, error) {
	now := s.now()
	corpus, err := s.corpus(ctx, now)
	if err != nil {
		return nil, err
	}
	return s.rising(ctx, corpus, now)
}

// niches describes every channel for relevance: its niche and own titles.
func (s *Service) niches(ctx context.Context) ([]trends.Niche, error) {
	chs, err := s.channels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]trends.Niche, 0, len(chs))
	for _, ch := range chs {
		vs, err := s.db.Videos(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		n := trends.Niche{ChannelID: ch.ID, Niche: ch.Niche + " " + ch.Audience}
		for _, v := range vs {
			n.Titles = append(n.Titles, v.Title)
		}
		out = append(out, n)
	}
	return out, nil
}
