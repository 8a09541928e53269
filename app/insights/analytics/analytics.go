// Package analytics reads a signed-in channel's numbers from YouTube
// Analytics (reports.query, through google.golang.org/api/youtubeanalytics/v2)
// and its thumbnail impressions from the YouTube Reporting API's daily reach
// reports (google.golang.org/api/youtubereporting/v1).
//
// Thumbnail impressions and their click-through rate cannot be queried
// from YouTube Analytics: they only come as bulk reports of the
// channel_reach_basic_a1 type. EnsureJob creates the reporting job once;
// YouTube makes the first reports about two days later, covering the 30
// days before the job, then one report a day.
//
// Every request is counted against a daily budget of the app's own (per
// Pacific day, the day YouTube's quotas reset on) before it is sent; a
// quotaExceeded or rateLimitExceeded answer is a *QuotaError saying when to
// try again. Answers are read through a size cap, and the two decoders of
// this package (query rows, report CSV) check every value they keep.
package analytics

import (
	"context"
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
	ya "google.golang.org/api/youtubeanalytics/v2"
	yr "google.golang.org/api/youtubereporting/v1"

	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/internal/httpcap"
)

// API names quota is counted under.
const (
	APIAnalytics = "youtube-analytics"
	APIReporting = "youtube-reporting"
)

// DefaultDailyRequests is the budget of requests per Pacific day the app
// allows itself for each API when Config.Limit is zero.
const DefaultDailyRequests = 10_000

// ReachReportType is the Reporting API report holding thumbnail
// impressions and their click-through rate per video and day.
const ReachReportType = "channel_reach_basic_a1"

// MaxResponseBytes caps a JSON answer; MaxReportBytes caps a report.
const (
	MaxResponseBytes = 32 << 20
	MaxReportBytes   = 256 << 20
)

// Quota stores requests spent per API and Pacific day. *insights.DB
// implements it.
type Quota interface {
	AddAPIQuota(ctx context.Context, api, day string, units int) (int, error)
	APIQuotaUsed(ctx context.Context, api, day string) (int, error)
}

// Config configures New. HTTPClient and Quota are required.
type Config struct {
	// HTTPClient carries the signed-in account's token (google.Auth.Client).
	HTTPClient *http.Client
	Quota      Quota
	// AnalyticsEndpoint and ReportingEndpoint are the APIs' base URLs.
	// Empty means Google's.
	AnalyticsEndpoint, ReportingEndpoint string
	// Limit is the daily budget of requests per API. Zero means
	// DefaultDailyRequests.
	Limit int
	// Now is the clock the quota day is read from. Nil means time.Now.
	Now func() time.Time
}

// Client reads one signed-in channel's analytics. It is safe for
// concurrent use.
type Client struct {
	an    *ya.Service
	rep   *yr.Service
	quota Quota
	limit int
	now   func() time.Time
}

// ErrTooLarge reports an answer larger than its cap.
var ErrTooLarge = httpcap.ErrTooLarge

// New makes a client.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.HTTPClient == nil || cfg.Quota == nil {
		return nil, errors.New("analytics: an HTTP client and a quota store are required")
	}
	if cfg.Limit <= 0 {
		cfg.Limit = DefaultDailyRequests
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	base := cfg.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc := &http.Client{Transport: &httpcap.Transport{Base: base, Max: MaxResponseBytes, MaxFor: func(r *http.Request) int64 {
		if strings.Contains(r.URL.Path, "/v1/media/") {
			return MaxReportBytes
		}
		return 0
	}}, Timeout: cfg.HTTPClient.Timeout}
	aopts := []option.ClientOption{option.WithHTTPClient(hc)}
	if cfg.AnalyticsEndpoint != "" {
		aopts = append(aopts, option.WithEndpoint(cfg.AnalyticsEndpoint))
	}
	an, err := ya.NewService(ctx, aopts...)
	if err != nil {
		return nil, fmt.Errorf("youtube analytics client: %w", err)
	}
	ropts := []option.ClientOption{option.WithHTTPClient(hc)}
	if cfg.ReportingEndpoint != "" {
		ropts = append(ropts, option.WithEndpoint(cfg.ReportingEndpoint))
	}
	rep, err := yr.NewService(ctx, ropts...)
	if err != nil {
		return nil, fmt.Errorf("youtube reporting client: %w", err)
	}
	return &Client{an: an, rep: rep, quota: cfg.Quota, limit: cfg.Limit, now: cfg.Now}, nil
}

var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*3600)
	}
	return loc
}()

// Day is the Pacific day of t, as YouTube Analytics writes days.
func Day(t time.Time) string { return t.In(pacific).Format(insights.DayLayout) }

// NextReset is the next midnight Pacific after t, when quotas reset.
func NextReset(t time.Time) time.Time {
	p := t.In(pacific)
	return time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, pacific)
}

// QuotaError says a budget is spent: the app's own for the day, or
// YouTube's (quotaExceeded, rateLimitExceeded). Nothing is lost: what was
// fetched is kept, and the next sync after RetryAt goes on from there.
type QuotaError struct {
	API     string
	RetryAt time.Time
	Reason  string // quotaExceeded, rateLimitExceeded or budget
}

func (e *QuotaError) Error() string {
	name := "YouTube Analytics"
	if e.API == APIReporting {
		name = "the YouTube Reporting API"
	}
	if e.Reason == "rateLimitExceeded" {
		return fmt.Sprintf("%s asks to slow down: the sync goes on after %s", name, e.RetryAt.Format(time.Kitchen))
	}
	return fmt.Sprintf("the day's requests to %s are used up: the sync goes on after midnight Pacific time, and Insights keep working from what was fetched", name)
}

// Is makes errors.Is(err, insights.ErrQuotaExceeded) true.
func (e *QuotaError) Is(target error) bool { return target == insights.ErrQuotaExceeded }

// ErrForbidden reports a request YouTube refuses for the account: revenue
// of a channel outside the Partner Program, or a scope not granted.
var ErrForbidden = errors.New("youtube refused the request for this account")

// Error is another failure of an analytics request, in words.
type Error struct {
	Status int
	Reason string
	Msg    string
	err    error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.err }

// call spends one request of api and runs do, translating its error.
func (c *Client) call(ctx context.Context, api string, do func() error) error {
	day := Day(c.now())
	// Spent first, then checked: requests running at once never pass the
	// budget together (a refused one gives its unit back).
	used, err := c.quota.AddAPIQuota(ctx, api, day, 1)
	if err != nil {
		return err
	}
	if used > c.limit {
		if _, err := c.quota.AddAPIQuota(context.WithoutCancel(ctx), api, day, -1); err != nil {
			return err
		}
		return &QuotaError{API: api, RetryAt: NextReset(c.now()), Reason: "budget"}
	}
	err = do()
	if err == nil {
		return nil
	}
	return c.translate(ctx, api, day, err)
}

func (c *Client) translate(ctx context.Context, api, day string, err error) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		reason := ""
		if len(ge.Errors) > 0 {
			reason = ge.Errors[0].Reason
		}
		switch {
		case reason == "quotaExceeded" || reason == "dailyLimitExceeded":
			if used, qerr := c.quota.APIQuotaUsed(ctx, api, day); qerr == nil && used < c.limit {
				_, _ = c.quota.AddAPIQuota(ctx, api, day, c.limit-used) // YouTube says the day is spent: believe it
			}
			return &QuotaError{API: api, RetryAt: NextReset(c.now()), Reason: "quotaExceeded"}
		case ge.Code == 429 || reason == "rateLimitExceeded" || reason == "userRateLimitExceeded":
			wait := time.Minute
			if s, err := strconv.Atoi(ge.Header.Get("Retry-After")); err == nil && s > 0 && s < 86400 {
				wait = time.Duration(s) * time.Second
			}
			return &QuotaError{API: api, RetryAt: c.now().Add(wait), Reason: "rateLimitExceeded"}
		case ge.Code == 403:
			return &Error{Status: 403, Reason: reason, err: errors.Join(ErrForbidden, err),
				Msg: "YouTube refused the request for this account (HTTP 403, " + reason + ")"}
		case ge.Code >= 500:
			return &Error{Status: ge.Code, Reason: reason, err: err,
				Msg: fmt.Sprintf("YouTube is not answering properly (HTTP %d): the sync tries again later", ge.Code)}
		default:
			return &Error{Status: ge.Code, Reason: reason, err: err,
				Msg: fmt.Sprintf("YouTube refused the analytics request (HTTP %d, %s)", ge.Code, clip(ge.Message))}
		}
	}
	if errors.Is(err, ErrTooLarge) {
		return &Error{err: err, Msg: "YouTube answered more than the app reads: the sync stopped"}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{err: err, Msg: "YouTube did not answer in time: check the connection and try again"}
	}
	if errors.Is(err, google.ErrSignInAgain) || errors.Is(err, google.ErrNotSignedIn) || errors.Is(err, google.ErrBadClient) {
		return err // the sign-in's own errors keep their identity
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &Error{err: err, Msg: "YouTube could not be reached: you seem to be offline. Insights keep working from the last sync"}
	}
	return err
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// Metrics Tube Agency reads: the order matters only in the request.
var (
	baseMetrics    = []string{"views", "estimatedMinutesWatched", "averageViewDuration", "averageViewPercentage", "subscribersGained"}
	revenueMetrics = append(append([]string(nil), baseMetrics...), "estimatedRevenue")
)

func metrics(revenue bool) string {
	if revenue {
		return strings.Join(revenueMetrics, ",")
	}
	return strings.Join(baseMetrics, ",")
}

// VideoDays reads one video's daily numbers from first to last
// (YYYY-MM-DD, inclusive): one request.
func (c *Client) VideoDays(ctx context.Context, videoID, first, last string, revenue bool) ([]insights.DailyStats, error) {
	var resp *ya.QueryResponse
	err := c.call(ctx, APIAnalytics, func() error {
		var err error
		resp, err = c.an.Reports.Query().Ids("channel==MINE").StartDate(first).EndDate(last).
			Metrics(metrics(revenue)).Dimensions("day").Filters("video==" + videoID).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return DecodeRows(resp, "day", videoID)
}

// TopVideosPage is the most rows a top-videos report answers at once.
const TopVideosPage = 200

// Videos reads every video's totals over first to last (YYYY-MM-DD,
// inclusive): one request per 200 videos with views in the period. Each
// row's Day is last.
func (c *Client) Videos(ctx context.Context, first, last string, revenue bool) ([]insights.DailyStats, error) {
	var out []insights.DailyStats
	for start := int64(1); ; start += TopVideosPage {
		var resp *ya.QueryResponse
		err := c.call(ctx, APIAnalytics, func() error {
			var err error
			resp, err = c.an.Reports.Query().Ids("channel==MINE").StartDate(first).EndDate(last).
				Metrics(metrics(revenue)).Dimensions("video").Sort("-views").MaxResults(TopVideosPage).StartIndex(start).
				Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, err
		}
		rows, err := DecodeRows(resp, "video", last)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(rows) < TopVideosPage {
			return out, nil
		}
	}
}

// MaxRows caps the rows one answer may hold.
const MaxRows = 100_000

var (
	videoIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	dayRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// DecodeRows turns a reports.query answer into daily numbers. dim is the
// answer's dimension: "day" (each row a day of the video other) or "video"
// (each row a video, its Day other). Columns are found by name in the
// header, as Google asks; a missing metric column is an error, except
// estimatedRevenue (then HasRevenue is false). Every value is checked:
// days are dates, video ids are ids, numbers are finite and not negative.
func DecodeRows(resp *ya.QueryResponse, dim, other string) ([]insights.DailyStats, error) {
	if resp == nil {
		return nil, errors.New("decode analytics: no answer")
	}
	if len(resp.Rows) > MaxRows {
		return nil, fmt.Errorf("decode analytics: %d rows, more than %d", len(resp.Rows), MaxRows)
	}
	col := map[string]int{}
	for i, h := range resp.ColumnHeaders {
		if h != nil {
			if _, dup := col[h.Name]; !dup {
				col[h.Name] = i
			}
		}
	}
	need := append([]string{dim}, baseMetrics...)
	for _, n := range need {
		if _, ok := col[n]; !ok {
			if len(resp.Rows) == 0 {
				return []insights.DailyStats{}, nil // no rows: YouTube may send no header either
			}
			return nil, fmt.Errorf("decode analytics: the answer has no %s column", n)
		}
	}
	rev, hasRev := col["estimatedRevenue"]
	out := make([]insights.DailyStats, 0, len(resp.Rows))
	for i, row := range resp.Rows {
		if len(row) != len(resp.ColumnHeaders) {
			return nil, fmt.Errorf("decode analytics: row %d has %d values for %d columns", i+1, len(row), len(resp.ColumnHeaders))
		}
		key, ok := row[col[dim]].(string)
		if !ok || dim == "day" && !validDay(key) || dim == "video" && !videoIDRe.MatchString(key) {
			return nil, fmt.Errorf("decode analytics: row %d has a bad %s", i+1, dim)
		}
		num := func(name string) (float64, error) {
			f, ok := row[col[name]].(float64)
			if !ok || f != f || f < 0 || f > 1e15 {
				return 0, fmt.Errorf("decode analytics: row %d has a bad %s", i+1, name)
			}
			return f, nil
		}
		var d insights.DailyStats
		if dim == "day" {
			d.Day, d.VideoID = key, other
		} else {
			d.Day, d.VideoID = other, key
		}
		var views, subs float64
		var err error
		if views, err = num("views"); err != nil {
			return nil, err
		}
		if d.WatchMinutes, err = num("estimatedMinutesWatched"); err != nil {
			return nil, err
		}
		if d.AvgViewSec, err = num("averageViewDuration"); err != nil {
			return nil, err
		}
		if d.AvgViewPct, err = num("averageViewPercentage"); err != nil {
			return nil, err
		}
		if subs, err = num("subscribersGained"); err != nil {
			return nil, err
		}
		d.Views, d.Subscribers = int64(views), int64(subs)
		if hasRev {
			f, ok := row[rev].(float64)
			if ok && f == f && f >= 0 && f <= 1e12 {
				d.Revenue, d.HasRevenue = f, true
			} else if row[rev] != nil {
				return nil, fmt.Errorf("decode analytics: row %d has a bad estimatedRevenue", i+1)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

func validDay(s string) bool {
	if !dayRe.MatchString(s) {
		return false
	}
	_, err := time.Parse(insights.DayLayout, s)
	return err == nil
}

// Job is the reach reporting job.
type Job struct {
	ID        string
	CreatedAt time.Time
}

// EnsureJob returns the channel's reach reporting job, creating it when
// there is none (YouTube allows one job per report type). Reports start
// about two days after the job is created.
func (c *Client) EnsureJob(ctx context.Context) (Job, error) {
	var list *yr.ListJobsResponse
	err := c.call(ctx, APIReporting, func() error {
		var err error
		list, err = c.rep.Jobs.List().Context(ctx).Do()
		return err
	})
	if err != nil {
		return Job{}, err
	}
	for _, j := range list.Jobs {
		if j != nil && j.ReportTypeId == ReachReportType {
			t, _ := time.Parse(time.RFC3339Nano, j.CreateTime)
			return Job{ID: j.Id, CreatedAt: t}, nil
		}
	}
	var j *yr.Job
	err = c.call(ctx, APIReporting, func() error {
		var err error
		j, err = c.rep.Jobs.Create(&yr.Job{ReportTypeId: ReachReportType, Name: "Tube Agency: thumbnail impressions"}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return Job{}, err
	}
	t, _ := time.Parse(time.RFC3339Nano, j.CreateTime)
	return Job{ID: j.Id, CreatedAt: t}, nil
}

// Report is a reach report YouTube has made.
type Report struct {
	ID        string
	StartDay  string // YYYY-MM-DD (Pacific)
	CreatedAt time.Time
	resource  string // the media resource name
}

// Reports lists the job's reports created after after (all when zero).
func (c *Client) Reports(ctx context.Context, jobID string, after time.Time) ([]Report, error) {
	var out []Report
	page := ""
	for pages := 0; pages < 1000; pages++ {
		var resp *yr.ListReportsResponse
		err := c.call(ctx, APIReporting, func() error {
			call := c.rep.Jobs.Reports.List(jobID).Context(ctx)
			if !after.IsZero() {
				call = call.CreatedAfter(after.UTC().Format(time.RFC3339Nano))
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
		for _, r := range resp.Reports {
			if r == nil {
				continue
			}
			start, err1 := time.Parse(time.RFC3339Nano, r.StartTime)
			created, err2 := time.Parse(time.RFC3339Nano, r.CreateTime)
			res, err3 := resourceName(r.DownloadUrl)
			if err1 != nil || err2 != nil || err3 != nil || r.Id == "" {
				return nil, fmt.Errorf("list reach reports: report %q is malformed", clip(r.Id))
			}
			out = append(out, Report{ID: r.Id, StartDay: Day(start), CreatedAt: created, resource: res})
		}
		if resp.NextPageToken == "" {
			return out, nil
		}
		page = resp.NextPageToken
	}
	return out, errors.New("list reach reports: too many pages")
}

// resourceName is the media resource of a report's download URL
// (…/v1/media/RESOURCE?alt=media): the download goes to the configured
// endpoint, never to a host a listing names.
func resourceName(download string) (string, error) {
	u, err := url.Parse(download)
	if err != nil {
		return "", err
	}
	_, name, ok := strings.Cut(u.EscapedPath(), "/v1/media/")
	if !ok || name == "" || strings.Contains(name, "..") {
		return "", errors.New("not a media url")
	}
	return url.PathUnescape(name)
}

// Download reads one reach report.
func (c *Client) Download(ctx context.Context, r Report) ([]insights.DailyReach, error) {
	var rows []insights.DailyReach
	err := c.call(ctx, APIReporting, func() error {
		resp, err := c.rep.Media.Download(r.resource).Context(ctx).Download()
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		rows, err = ReadReach(resp.Body)
		return err
	})
	return rows, err
}
