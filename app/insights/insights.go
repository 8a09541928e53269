// Package insights turns channel data into decisions: stats snapshots over
// time, a 30/60/90-day audit, rising keywords, a title predictor that knows
// how good it is, and a revenue projection.
//
// The root holds the vocabulary (Video, ChannelStats) and DB, the
// device-local tables the component owns. Subpackages do one thing each:
// csvimport reads YouTube Studio exports, youtube talks to the Data API v3,
// analysis audits a channel, trends finds rising n-grams, predictor scores
// titles and revenue projects earnings. None of them imports the app.
package insights

import (
	"errors"
	"time"
)

// ShortsMaxSeconds is the longest a Short can be: YouTube raised the limit
// from 60 s to 3 minutes on 15 October 2024 (YouTube Help, "Upload YouTube
// Shorts", support.google.com/youtube/answer/10059070).
const ShortsMaxSeconds = 180

// Video kinds: whose video a row is.
const (
	KindOwn        = "own"        // a video of one of the user's channels
	KindCompetitor = "competitor" // a video of a competitor channel the user follows
	KindChart      = "chart"      // a video from YouTube's most-popular chart
)

// Video is one video with its latest statistics.
type Video struct {
	// ChannelID is the app's channel id for KindOwn, the competitor's id for
	// KindCompetitor and "region/category" for KindChart.
	ChannelID   string    `json:"channel_id"`
	ID          string    `json:"id"` // YouTube video id, or a local id for manual entries
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	// DurationSec is the length in seconds; zero means unknown (counted as long-form).
	DurationSec int   `json:"duration_sec"`
	Views       int64 `json:"views"`
	Likes       int64 `json:"likes"`
	Comments    int64 `json:"comments"`
	// Source says how the numbers arrived: "csv", "api" or "manual".
	Source string `json:"source"`
	// UpdatedAt is when the numbers were last taken.
	UpdatedAt time.Time `json:"updated_at,omitzero"`

	// What YouTube Studio exports and YouTube Analytics add. Zero means
	// not measured, except where a Has flag says so.

	// Impressions counts how often the thumbnail was shown on YouTube.
	Impressions int64 `json:"impressions"`
	// CTR is the impressions click-through rate in percent; meaningful
	// when Impressions > 0 (see HasCTR).
	CTR float64 `json:"ctr"`
	// WatchHours is the total watch time.
	WatchHours float64 `json:"watch_hours"`
	// AvgViewSec is the average view duration in seconds.
	AvgViewSec float64 `json:"avg_view_sec"`
	// AvgViewPct is the average percentage of the video viewed (zero when
	// not measured; see Retention).
	AvgViewPct float64 `json:"avg_view_pct"`
	// Subscribers is the subscribers the video gained (net of those lost
	// in Studio exports), when HasSubscribers.
	Subscribers    int64 `json:"subscribers"`
	HasSubscribers bool  `json:"has_subscribers"`
	// Revenue is YouTube's estimated revenue in US dollars, when
	// HasRevenue (zero is a value: a video that earned nothing).
	Revenue    float64 `json:"revenue"`
	HasRevenue bool    `json:"has_revenue"`
	// RevenueViews are the views Revenue was earned on: YouTube Analytics
	// reports revenue a few days behind the view count. Zero means Views.
	RevenueViews int64 `json:"revenue_views"`
}

// HasCTR reports whether v has a measured click-through rate.
func (v Video) HasCTR() bool { return v.Impressions > 0 }

// Retention is the average percentage of v viewed: the measured one, or
// the average view duration over the length; ok is false when neither is
// known.
func (v Video) Retention() (pct float64, ok bool) {
	if v.AvgViewPct > 0 {
		return v.AvgViewPct, true
	}
	if v.AvgViewSec > 0 && v.DurationSec > 0 {
		return v.AvgViewSec / float64(v.DurationSec) * 100, true
	}
	return 0, false
}

// EarnedViews are the views Revenue was earned on (RevenueViews, else
// Views): an RPM divides by them.
func (v Video) EarnedViews() int64 {
	if v.RevenueViews > 0 {
		return v.RevenueViews
	}
	return v.Views
}

// IsShort reports whether v is a Short (known duration of at most 3 minutes).
func (v Video) IsShort() bool { return v.DurationSec > 0 && v.DurationSec <= ShortsMaxSeconds }

// ViewsPerDay is v's lifetime average daily views at now (at least one day old).
func (v Video) ViewsPerDay(now time.Time) float64 {
	days := now.Sub(v.PublishedAt).Hours() / 24
	if days < 1 {
		days = 1
	}
	return float64(v.Views) / days
}

// Span is the stretch of time (From, To]: a video published at From is
// outside it, one published at To inside. Every "last N days" and "last N
// weeks" of the insights (the audit's windows, the trends' weeks, the
// projection's recent cadence, the dashboard) is a Span made by LastDays
// or LastWeeks from one clock reading, so they always agree on which
// videos they hold.
type Span struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Day is 24 hours: windows count elapsed time, not calendar days, so a
// daylight-saving change never makes one window an hour longer than
// another.
const Day = 24 * time.Hour

// LastDays is the span of the days days up to now.
func LastDays(now time.Time, days int) Span {
	return Span{From: now.Add(-time.Duration(days) * Day), To: now}
}

// LastWeeks is the span of the weeks weeks up to now.
func LastWeeks(now time.Time, weeks int) Span { return LastDays(now, 7*weeks) }

// Contains reports whether t is in s.
func (s Span) Contains(t time.Time) bool { return t.After(s.From) && !t.After(s.To) }

// Previous is the span of the same length just before s.
func (s Span) Previous() Span { return Span{From: s.From.Add(-s.Length()), To: s.From} }

// Length is how long s lasts.
func (s Span) Length() time.Duration { return s.To.Sub(s.From) }

// Days is s's length in days.
func (s Span) Days() float64 { return s.Length().Hours() / 24 }

// ChannelStats is a channel-level statistics snapshot.
type ChannelStats struct {
	ChannelID   string    `json:"channel_id"`
	TakenAt     time.Time `json:"taken_at,omitzero"`
	Subscribers int64     `json:"subscribers"`
	Views       int64     `json:"views"`
	Videos      int64     `json:"videos"`
}

// Sentinel errors.
var (
	// ErrQuotaExceeded reports that the day's YouTube API quota is spent.
	ErrQuotaExceeded = errors.New("the YouTube API daily quota is used up")
	// ErrNoAPIKey reports that no YouTube API key is configured.
	ErrNoAPIKey = errors.New("no YouTube API key is set")
)
