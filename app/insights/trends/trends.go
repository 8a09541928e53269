// Package trends finds rising keywords in a corpus of videos (the user's
// channels, competitor channels and YouTube's most-popular charts) from
// n-gram velocity and acceleration, labels each, and scores its relevance
// to each of the user's channels.
//
// Time is cut into buckets (a week by default) counted back from now. A
// term's heat in a bucket is the sum, over videos published in it whose
// title holds the term, of log(1 + views per day): more uploads and better
// performing uploads both raise it. Velocity is the newest bucket's heat
// minus the one before; acceleration is the change in velocity.
package trends

import (
	"math"
	"sort"
	"strings"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/textutil"
)

// Labels.
const (
	Urgent  = "urgent"  // young and rising fast: act now
	Durable = "durable" // steady: safe to plan around
	Mature  = "mature"  // peaked: the wave has passed
)

// Options tune Rising. The zero value uses time.Now, weekly buckets, 8
// buckets of history, terms of at least 3 videos and the top 30.
type Options struct {
	Now       time.Time
	Bucket    time.Duration // zero means 7 days
	Buckets   int           // history length; zero means 8
	MinVideos int           // zero means 3
	Limit     int           // zero means 30
}

// Niche is one of the user's channels, as relevance sees it.
type Niche struct {
	ChannelID string
	Niche     string   // the channel's niche text
	Titles    []string // the channel's own titles
}

// Trend is one rising (or fading) term.
type Trend struct {
	Term         string    `json:"term"`
	Videos       int       `json:"videos"`
	FirstSeen    time.Time `json:"first_seen,omitzero"`
	AgeDays      float64   `json:"age_days"`
	Heat         []float64 `json:"heat"` // per bucket, newest first
	Velocity     float64   `json:"velocity"`
	Acceleration float64   `json:"acceleration"`
	Label        string    `json:"label"`
	// Relevance maps each channel id to 0–1: how close the term is to the
	// channel's niche and its own titles.
	Relevance map[string]float64 `json:"relevance"`
}

type acc struct {
	heat   []float64
	videos int
	first  time.Time
}

// Rising ranks the terms of corpus by velocity plus acceleration.
func Rising(corpus []insights.Video, niches []Niche, opts Options) []Trend {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Bucket <= 0 {
		opts.Bucket = 7 * 24 * time.Hour
	}
	if opts.Buckets < 3 {
		opts.Buckets = 8
	}
	if opts.MinVideos <= 0 {
		opts.MinVideos = 3
	}
	if opts.Limit <= 0 {
		opts.Limit = 30
	}
	terms := map[string]*acc{}
	horizon := opts.Now.Add(-time.Duration(opts.Buckets) * opts.Bucket)
	for _, v := range corpus {
		if v.PublishedAt.After(opts.Now) {
			continue
		}
		inWindow := v.PublishedAt.After(horizon)
		b := int(opts.Now.Sub(v.PublishedAt) / opts.Bucket)
		h := math.Log1p(v.ViewsPerDay(opts.Now))
		for _, g := range textutil.NGrams(v.Title) {
			a := terms[g]
			if a == nil {
				a = &acc{heat: make([]float64, opts.Buckets), first: v.PublishedAt}
				terms[g] = a
			}
			if v.PublishedAt.Before(a.first) {
				a.first = v.PublishedAt
			}
			if inWindow {
				a.videos++
				a.heat[b] += h
			}
		}
	}
	profiles := make([]profile, len(niches))
	for i, n := range niches {
		profiles[i] = newProfile(n)
	}
	out := []Trend{}
	for term, a := range terms {
		if a.videos < opts.MinVideos {
			continue
		}
		t := Trend{Term: term, Videos: a.videos, FirstSeen: a.first, Heat: a.heat,
			AgeDays:      opts.Now.Sub(a.first).Hours() / 24,
			Velocity:     a.heat[0] - a.heat[1],
			Acceleration: (a.heat[0] - a.heat[1]) - (a.heat[1] - a.heat[2]),
			Relevance:    map[string]float64{}}
		t.Label = label(t, opts.Bucket)
		for _, p := range profiles {
			t.Relevance[p.channelID] = p.relevance(term)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		si, sj := out[i].Velocity+out[i].Acceleration, out[j].Velocity+out[j].Acceleration
		if si != sj {
			return si > sj
		}
		return out[i].Term < out[j].Term
	})
	if len(out) > opts.Limit {
		out = out[:opts.Limit]
	}
	return out
}

// label: urgent when first seen within the last three buckets and both
// velocity and acceleration are positive; mature when the heat peaked in
// an older bucket and the newest is below 60% of that peak; durable
// otherwise.
func label(t Trend, bucket time.Duration) string {
	peak, at := 0.0, 0
	for i, h := range t.Heat {
		if h > peak {
			peak, at = h, i
		}
	}
	young := t.AgeDays <= 3*bucket.Hours()/24
	switch {
	case young && t.Velocity > 0 && t.Acceleration > 0:
		return Urgent
	case at > 0 && t.Heat[0] < 0.6*peak:
		return Mature
	default:
		return Durable
	}
}

type profile struct {
	channelID string
	niche     map[string]bool
	titles    map[string]int
}

func newProfile(n Niche) profile {
	p := profile{channelID: n.ChannelID, niche: map[string]bool{}, titles: map[string]int{}}
	for _, w := range textutil.Keywords(n.Niche) {
		p.niche[w] = true
		p.niche[stem(w)] = true
	}
	for _, t := range n.Titles {
		for _, w := range textutil.Keywords(t) {
			p.titles[stem(w)]++
		}
	}
	return p
}

// relevance averages, over the term's words, 1 for a word of the niche and
// up to 0.6 for a word of the channel's titles (full at three titles).
func (p profile) relevance(term string) float64 {
	words := strings.Fields(term)
	var s float64
	for _, w := range words {
		switch {
		case p.niche[w] || p.niche[stem(w)]:
			s++
		case p.titles[stem(w)] > 0:
			s += 0.6 * math.Min(1, float64(p.titles[stem(w)])/3)
		}
	}
	return s / float64(len(words))
}

// stem folds simple English plurals so "recipe" matches "recipes".
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}
