// Package youtube reads channels, uploads and charts from the YouTube Data
// API v3 with an API key, through google.golang.org/api/youtube/v3.
//
// Every request is counted against the project's daily quota (10,000 units,
// reset at midnight Pacific time) before it is sent, and refused locally
// once the day's budget is spent. A quotaExceeded answer from YouTube marks
// the day as spent. Answers are cached: channel metadata for 7 days;
// statistics, upload lists and charts for 1 hour. The API key never appears
// in an error.
package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the quota day is Pacific time on every system

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"

	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/internal/httpcap"
	"tubeagency/providers/cache"
)

// DailyQuota is the default daily budget of a Google Cloud project.
const DailyQuota = 10_000

// Costs in quota units (developers.google.com/youtube/v3/determine_quota_cost):
// every list call used here costs 1 unit.
const (
	CostChannelsList      = 1
	CostPlaylistItemsList = 1
	CostVideosList        = 1
)

// Quota stores units spent per Pacific-time day. *insights.DB implements it.
type Quota interface {
	AddQuota(ctx context.Context, day string, units int) (int, error)
	QuotaUsed(ctx context.Context, day string) (int, error)
}

// Cache keeps answers for their TTL class. *cache.Cache implements it.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, cache.Tier, bool)
	Set(ctx context.Context, key string, class cache.Class, value []byte) error
}

// Config configures New. Quota and either APIKey or HTTPClient are
// required.
type Config struct {
	APIKey string
	// HTTPClient, when set, carries a signed-in account's token
	// (google.Auth.Client) instead of the API key.
	HTTPClient *http.Client
	Quota      Quota
	// Cache holds answers; nil means no caching.
	Cache Cache
	// Endpoint is the API's base URL. Empty means Google's.
	Endpoint string
	// Limit is the daily budget in units. Zero means DailyQuota.
	Limit int
	// Now is the clock the quota day is read from. Nil means time.Now.
	Now func() time.Time
}

// Client talks to the YouTube Data API.
type Client struct {
	svc   *yt.Service
	quota Quota
	cache Cache
	limit int
	now   func() time.Time
	key   string // only to scrub it from transport errors
}

var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*3600)
	}
	return loc
}()

// New makes a client.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" && cfg.HTTPClient == nil {
		return nil, insights.ErrNoAPIKey
	}
	if cfg.Quota == nil {
		return nil, errors.New("youtube: a quota store is required")
	}
	if cfg.Limit <= 0 {
		cfg.Limit = DailyQuota
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// One HTTP client for both ways in, its answers capped: the generated
	// client decodes whole bodies. With an HTTP client given (a signed-in
	// account's) the key is not used; otherwise the key goes in each
	// request's query, as the API takes it.
	var base http.RoundTripper = apiKey{base: http.DefaultTransport, key: cfg.APIKey}
	var timeout time.Duration
	if cfg.HTTPClient != nil {
		base, timeout = cfg.HTTPClient.Transport, cfg.HTTPClient.Timeout
		if base == nil {
			base = http.DefaultTransport
		}
	}
	hc := &http.Client{Transport: &httpcap.Transport{Base: base, Max: MaxResponseBytes}, Timeout: timeout}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint))
	}
	svc, err := yt.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("youtube client: %w", err)
	}
	return &Client{svc: svc, quota: cfg.Quota, cache: cfg.Cache, limit: cfg.Limit, now: cfg.Now, key: cfg.APIKey}, nil
}

// Day is the quota day (Pacific time) of t.
func Day(t time.Time) string { return t.In(pacific).Format("2006-01-02") }

// QuotaUsed returns today's spent units and the daily limit.
func (c *Client) QuotaUsed(ctx context.Context) (used, limit int, err error) {
	used, err = c.quota.QuotaUsed(ctx, Day(c.now()))
	return used, c.limit, err
}

// Error is an API failure in words a user can act on.
type Error struct {
	Status int    // HTTP status, 0 for a network failure
	Reason string // YouTube's reason, e.g. quotaExceeded, keyInvalid
	Msg    string
	err    error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.err }

// call spends cost units and runs do, translating its error.
func (c *Client) call(ctx context.Context, cost int, do func() error) error {
	day := Day(c.now())
	used, err := c.quota.QuotaUsed(ctx, day)
	if err != nil {
		return err
	}
	if used+cost > c.limit {
		return &Error{Status: 403, Reason: "quotaExceeded", err: insights.ErrQuotaExceeded,
			Msg: fmt.Sprintf("The YouTube API daily quota is used up (%s of %s units): it resets at midnight Pacific time. Insights keep working from the last snapshot.", thousands(used), thousands(c.limit))}
	}
	if _, err := c.quota.AddQuota(ctx, day, cost); err != nil {
		return err
	}
	err = do()
	if err == nil {
		return nil
	}
	e := c.translate(err)
	if e.Reason == "quotaExceeded" || e.Reason == "dailyLimitExceeded" {
		if used, qerr := c.quota.QuotaUsed(ctx, day); qerr == nil && used < c.limit {
			_, _ = c.quota.AddQuota(ctx, day, c.limit-used) // YouTube says the day is spent: believe it
		}
	}
	return e
}

func (c *Client) translate(err error) *Error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		e := &Error{Status: ge.Code, err: err}
		if len(ge.Errors) > 0 {
			e.Reason = ge.Errors[0].Reason
		}
		for _, d := range ge.Details {
			if m, ok := d.(map[string]any); ok && m["reason"] == "API_KEY_INVALID" {
				e.Reason = "keyInvalid"
			}
		}
		switch {
		case e.Reason == "quotaExceeded" || e.Reason == "dailyLimitExceeded":
			e.err = errors.Join(insights.ErrQuotaExceeded, err)
			e.Msg = "The YouTube API daily quota is used up: it resets at midnight Pacific time. Insights keep working from the last snapshot."
		case e.Reason == "keyInvalid" || strings.Contains(ge.Message, "API key not valid"):
			e.Reason = "keyInvalid"
			e.Msg = "YouTube rejected the API key: check it under Insights → YouTube API key."
		case e.Reason == "accessNotConfigured" || e.Reason == "forbidden" && ge.Code == 403:
			e.Msg = "The API key cannot use the YouTube Data API: enable \"YouTube Data API v3\" for its Google Cloud project."
		case ge.Code == 404:
			e.Msg = "YouTube does not know that channel or playlist: check the channel id (UC…)."
		case ge.Code == 429 || ge.Code >= 500:
			e.Msg = fmt.Sprintf("YouTube is not answering properly (HTTP %d): try again in a few minutes.", ge.Code)
		default:
			e.Msg = fmt.Sprintf("YouTube refused the request (HTTP %d, %s).", ge.Code, scrub(ge.Message, c.key))
		}
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{err: err, Msg: "YouTube did not answer in time: check the connection and try again."}
	}
	if errors.Is(err, google.ErrSignInAgain) || errors.Is(err, google.ErrNotSignedIn) {
		return &Error{err: err, Msg: "Google asks you to sign in again: link YouTube Analytics again under Insights → Channel data."}
	}
	if errors.Is(err, httpcap.ErrTooLarge) {
		return &Error{err: httpcap.ErrTooLarge, Msg: "YouTube answered with far more data than expected, so the answer was not read: try again later."}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error prints the URL, which carries the key: keep only the cause.
		return &Error{err: errors.New(scrub(ue.Err.Error(), c.key)),
			Msg: "YouTube could not be reached: you seem to be offline. Insights keep working from the last snapshot."}
	}
	return &Error{err: errors.New(scrub(err.Error(), c.key)), Msg: "The YouTube request failed: " + scrub(err.Error(), c.key)}
}

// thousands writes n with comma separators: 10000 → "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func scrub(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[key]")
}

// cached returns the cached JSON under key into out, or runs fetch, caches
// its result for class and returns it.
func cached[T any](ctx context.Context, c *Client, class cache.Class, key string, fetch func() (T, error)) (T, error) {
	if c.cache != nil {
		if b, _, ok := c.cache.Get(ctx, key); ok {
			var v T
			if json.Unmarshal(b, &v) == nil {
				return v, nil
			}
		}
	}
	v, err := fetch()
	if err != nil {
		return v, err
	}
	if c.cache != nil {
		if b, err := json.Marshal(v); err == nil {
			_ = c.cache.Set(ctx, key, class, b) // a cache that fails to store only costs a refetch
		}
	}
	return v, nil
}

// MaxResponseBytes caps one Data API answer (a page of 50 videos is tens
// of kilobytes).
const MaxResponseBytes = 8 << 20

// apiKey adds the API key to each request's query.
type apiKey struct {
	base http.RoundTripper
	key  string
}

func (k apiKey) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	q := r.URL.Query()
	q.Set("key", k.key)
	r.URL.RawQuery = q.Encode()
	return k.base.RoundTrip(r)
}

// ChannelInfo is a channel's metadata and statistics.
type ChannelInfo struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Uploads     string `json:"uploads"` // the uploads playlist id
	Subscribers int64  `json:"subscribers"`
	Views       int64  `json:"views"`
	Videos      int64  `json:"videos"`
}

// ErrChannelNotFound reports a channel id YouTube does not know.
var ErrChannelNotFound = errors.New("YouTube does not know that channel: check the channel id (UC…)")

// ChannelMeta reads a channel's title and uploads playlist (7 d cache: they
// rarely change).
func (c *Client) ChannelMeta(ctx context.Context, id string) (ChannelInfo, error) {
	return cached(ctx, c, cache.ClassChannelMeta, cache.Key("youtube", "channel-meta", id), func() (ChannelInfo, error) {
		return c.channel(ctx, id, "snippet", "contentDetails")
	})
}

// Channel reads a channel's metadata and statistics (1 h cache).
func (c *Client) Channel(ctx context.Context, id string) (ChannelInfo, error) {
	return cached(ctx, c, cache.ClassAnalytics, cache.Key("youtube", "channel", id), func() (ChannelInfo, error) {
		return c.channel(ctx, id, "snippet", "contentDetails", "statistics")
	})
}

func (c *Client) channel(ctx context.Context, id string, parts ...string) (ChannelInfo, error) {
	var resp *yt.ChannelListResponse
	err := c.call(ctx, CostChannelsList, func() error {
		var err error
		resp, err = c.svc.Channels.List(parts).Id(id).Context(ctx).Do()
		return err
	})
	if err != nil {
		return ChannelInfo{}, err
	}
	if len(resp.Items) == 0 {
		return ChannelInfo{}, ErrChannelNotFound
	}
	ch := resp.Items[0]
	info := ChannelInfo{ID: ch.Id}
	if ch.Snippet != nil {
		info.Title = ch.Snippet.Title
	}
	if ch.ContentDetails != nil && ch.ContentDetails.RelatedPlaylists != nil {
		info.Uploads = ch.ContentDetails.RelatedPlaylists.Uploads
	}
	if s := ch.Statistics; s != nil {
		info.Subscribers, info.Views, info.Videos = int64(s.SubscriberCount), int64(s.ViewCount), int64(s.VideoCount)
	}
	return info, nil
}

// Mine reads the signed-in account's channel (a client made with an
// HTTPClient only): its id, title and uploads playlist. Not cached: it
// names whose data every later call reads.
func (c *Client) Mine(ctx context.Context) (ChannelInfo, error) {
	var resp *yt.ChannelListResponse
	err := c.call(ctx, CostChannelsList, func() error {
		var err error
		resp, err = c.svc.Channels.List([]string{"snippet", "contentDetails", "statistics"}).Mine(true).Context(ctx).Do()
		return err
	})
	if err != nil {
		return ChannelInfo{}, err
	}
	if len(resp.Items) == 0 {
		return ChannelInfo{}, ErrChannelNotFound
	}
	ch := resp.Items[0]
	info := ChannelInfo{ID: ch.Id}
	if ch.Snippet != nil {
		info.Title = ch.Snippet.Title
	}
	if ch.ContentDetails != nil && ch.ContentDetails.RelatedPlaylists != nil {
		info.Uploads = ch.ContentDetails.RelatedPlaylists.Uploads
	}
	if s := ch.Statistics; s != nil {
		info.Subscribers, info.Views, info.Videos = int64(s.SubscriberCount), int64(s.ViewCount), int64(s.VideoCount)
	}
	return info, nil
}

// UploadIDs lists up to max video ids of an uploads playlist, newest first
// (1 h cache, so new uploads show within the hour).
func (c *Client) UploadIDs(ctx context.Context, playlistID string, max int) ([]string, error) {
	key := cache.Key("youtube", "uploads", playlistID, strconv.Itoa(max))
	return cached(ctx, c, cache.ClassAnalytics, key, func() ([]string, error) {
		ids := []string{}
		page := ""
		for len(ids) < max {
			var resp *yt.PlaylistItemListResponse
			err := c.call(ctx, CostPlaylistItemsList, func() error {
				call := c.svc.PlaylistItems.List([]string{"contentDetails"}).PlaylistId(playlistID).
					MaxResults(int64(min(50, max-len(ids)))).Context(ctx)
				if page != "" {
					call = call.PageToken(page)
				}
				var err error
				resp, err = call.Do()
				return err
			})
			if err != nil {
				return nil, err
			}
			for _, it := range resp.Items {
				if it.ContentDetails != nil && it.ContentDetails.VideoId != "" {
					ids = append(ids, it.ContentDetails.VideoId)
				}
			}
			if resp.NextPageToken == "" {
				break
			}
			page = resp.NextPageToken
		}
		return ids, nil
	})
}

// Videos reads the snippet, statistics and duration of ids (50 per call, 1 h cache).
func (c *Client) Videos(ctx context.Context, ids []string) ([]insights.Video, error) {
	out := []insights.Video{}
	for start := 0; start < len(ids); start += 50 {
		batch := ids[start:min(start+50, len(ids))]
		vs, err := cached(ctx, c, cache.ClassAnalytics, cache.Key(append([]string{"youtube", "videos"}, batch...)...),
			func() ([]insights.Video, error) {
				var resp *yt.VideoListResponse
				err := c.call(ctx, CostVideosList, func() error {
					var err error
					resp, err = c.svc.Videos.List([]string{"snippet", "statistics", "contentDetails"}).
						Id(batch...).Context(ctx).Do()
					return err
				})
				if err != nil {
					return nil, err
				}
				return convert(resp.Items, c.now()), nil
			})
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// MostPopular reads YouTube's most-popular chart for region (ISO 3166
// code) and category ("" or "0" for all), up to max videos (1 h cache).
func (c *Client) MostPopular(ctx context.Context, region, category string, max int) ([]insights.Video, error) {
	key := cache.Key("youtube", "chart", region, category, strconv.Itoa(max))
	return cached(ctx, c, cache.ClassTrends, key, func() ([]insights.Video, error) {
		out := []insights.Video{}
		page := ""
		for len(out) < max {
			var resp *yt.VideoListResponse
			err := c.call(ctx, CostVideosList, func() error {
				call := c.svc.Videos.List([]string{"snippet", "statistics", "contentDetails"}).Chart("mostPopular").
					RegionCode(region).MaxResults(int64(min(50, max-len(out)))).Context(ctx)
				if category != "" && category != "0" {
					call = call.VideoCategoryId(category)
				}
				if page != "" {
					call = call.PageToken(page)
				}
				var err error
				resp, err = call.Do()
				return err
			})
			if err != nil {
				return nil, err
			}
			out = append(out, convert(resp.Items, c.now())...)
			if resp.NextPageToken == "" {
				break
			}
			page = resp.NextPageToken
		}
		return out, nil
	})
}

func convert(items []*yt.Video, now time.Time) []insights.Video {
	out := make([]insights.Video, 0, len(items))
	for _, it := range items {
		v := insights.Video{ID: it.Id, Source: "api", UpdatedAt: now}
		if s := it.Snippet; s != nil {
			v.Title = s.Title
			v.PublishedAt, _ = time.Parse(time.RFC3339, s.PublishedAt)
			v.ChannelID = s.ChannelId
		}
		if d := it.ContentDetails; d != nil {
			v.DurationSec = ParseDuration(d.Duration)
		}
		if s := it.Statistics; s != nil {
			v.Views, v.Likes, v.Comments = int64(s.ViewCount), int64(s.LikeCount), int64(s.CommentCount)
		}
		out = append(out, v)
	}
	return out
}

var durRe = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// ParseDuration reads an ISO 8601 duration as YouTube writes it (PT1H2M3S,
// P1DT2H) into seconds; zero when malformed.
func ParseDuration(s string) int {
	m := durRe.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	mult := []int{86400, 3600, 60, 1}
	total := 0
	for i, part := range m[1:] {
		if part != "" {
			n, _ := strconv.Atoi(part)
			total += n * mult[i]
		}
	}
	return total
}
