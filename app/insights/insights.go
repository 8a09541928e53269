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
