// Package analysis audits a channel from its videos: upload cadence,
// median views and the views-per-day trend over 30, 60 and 90 days,
// outliers, the best weekday and hour, top keywords, title patterns, the
// Shorts and long-form split, and a few recommendations.
//
// Performance is measured in views per day of a video's life
// (insights.Video.ViewsPerDay), so an old video and a new one compare
// fairly.
package analysis

import (
	"fmt"

	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"tubeagency/app/insights"
	"tubeagency/app/insights/textutil"
)

// Options tune Audit. The zero value audits at time.Now in UTC over 30, 60
// and 90 days with no cadence target.
type Options struct {
	// Now is the audit's reference time. Zero means time.Now().
	Now time.Time
	// Location is the time zone weekdays and hours are read in. Nil means UTC.
	Location *time.Location
	// Windows are the audit windows in days. Empty means 30, 60, 90.
	Windows []int
	// TargetPerWeek is the channel's planned cadence; zero means none.
	TargetPerWeek float64
}

// OutlierFactor is how many times the median views a video needs to be an outlier.
const OutlierFactor = 2.0

// Report is the audit of one channel.
type Report struct {
	Now         time.Time `json:"now,omitzero"`
	Videos      int       `json:"videos"`
	MedianViews float64   `json:"median_views"`
	MedianVPD   float64   `json:"median_views_per_day"`
	Windows     []Window  `json:"windows"`
	Outliers    []Outlier `json:"outliers"`
	BestTime    BestTime  `json:"best_time"`
	Keywords    []Keyword `json:"keywords"`
	Patterns    []Pattern `json:"patterns"`
	Formats     Formats   `json:"formats"`
	Series      []Point   `json:"series"`
	Advice      []string  `json:"recommendations"`
}

// Window is the audit of the uploads of the last Days days.
type Window struct {
	Days          int     `json:"days"`
	Uploads       int     `json:"uploads"`
	PerWeek       float64 `json:"per_week"`
	MedianGapDays float64 `json:"median_gap_days"`
	MedianViews   float64 `json:"median_views"`
	MedianVPD     float64 `json:"median_views_per_day"`
	TotalViews    int64   `json:"total_views"`
	Outliers      int     `json:"outliers"`
	// PrevMedianVPD is the median views per day of the uploads of the Days
	// days before the window.
	PrevMedianVPD float64 `json:"prev_median_views_per_day"`
	// TrendPct is the change of MedianVPD against PrevMedianVPD in percent;
	// nil when either period had no uploads.
	TrendPct *float64 `json:"trend_pct"`
}

// Outlier is a video with at least twice the channel's median views.
type Outlier struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Views       int64     `json:"views"`
	Factor      float64   `json:"factor"` // views ÷ median views
}

// Cell is one weekday and hour of the best-time heatmap.
type Cell struct {
	Videos    int     `json:"videos"`
	MedianVPD float64 `json:"median_views_per_day"`
}

// BestTime is when uploads perform best.
type BestTime struct {
	// Weekday is the weekday with the highest median views per day (0 = Sunday), -1 when unknown.
	Weekday int `json:"weekday"`
	// Hour is the hour of day with the highest median views per day, -1 when unknown.
	Hour int `json:"hour"`
	// HourKnown is false when every publish time is at midnight UTC
	// (exports that carry dates only), so hours say nothing.
	HourKnown bool        `json:"hour_known"`
	Weekdays  [7]Cell     `json:"weekdays"`
	Hours     [24]Cell    `json:"hours"`
	Heatmap   [7][24]Cell `json:"heatmap" ts_type:"Cell[][]"` // the bindings generator cannot spell an array of arrays
}

// Keyword is a title word with how its videos perform.
type Keyword struct {
	Word      string  `json:"word"`
	Videos    int     `json:"videos"`
	MedianVPD float64 `json:"median_views_per_day"`
	Lift      float64 `json:"lift"` // MedianVPD ÷ the channel's median views per day
}

// Pattern compares titles with a feature against titles without it.
type Pattern struct {
	Name          string  `json:"name"`
	With          int     `json:"with"`
	WithMedian    float64 `json:"with_median_views_per_day"`
	Without       int     `json:"without"`
	WithoutMedian float64 `json:"without_median_views_per_day"`
	// Lift is WithMedian ÷ WithoutMedian; zero when either side is empty.
	Lift float64 `json:"lift"`
}

// Format is the summary of one format's videos.
type Format struct {
	Videos      int     `json:"videos"`
	MedianViews float64 `json:"median_views"`
	MedianVPD   float64 `json:"median_views_per_day"`
	TotalViews  int64   `json:"total_views"`
	ViewShare   float64 `json:"view_share"` // of all views, 0–1
}

// Formats splits the channel into Shorts and long-form.
type Formats struct {
	Shorts Format `json:"shorts"`
	Long   Format `json:"long"`
}

// Point is one video on the views-over-time chart.
type Point struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Views       int64     `json:"views"`
	VPD         float64   `json:"views_per_day"`
	Short       bool      `json:"short"`
	Outlier     bool      `json:"outlier"`
}

// Audit analyses videos (any order; other channels' videos must be
// filtered out by the caller) at opts.Now.
func Audit(videos []insights.Video, opts Options) Report {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if len(opts.Windows) == 0 {
		opts.Windows = []int{30, 60, 90}
	}
	now := opts.Now
	vs := make([]insights.Video, 0, len(videos))
	for _, v := range videos {
		if !v.PublishedAt.After(now) {
			vs = append(vs, v)
		}
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].PublishedAt.Before(vs[j].PublishedAt) })
	vpd := make([]float64, len(vs))
	views := make([]float64, len(vs))
	for i, v := range vs {
		vpd[i] = v.ViewsPerDay(now)
		views[i] = float64(v.Views)
	}
	r := Report{Now: now, Videos: len(vs), MedianViews: Median(views), MedianVPD: Median(vpd),
		Outliers: []Outlier{}, Keywords: []Keyword{}, Patterns: []Pattern{}, Advice: []string{}}
	for _, d := range opts.Windows {
		r.Windows = append(r.Windows, window(vs, vpd, now, d))
	}
	r.Series = make([]Point, len(vs))
	for i, v := range vs {
		out := r.MedianViews > 0 && float64(v.Views) >= OutlierFactor*r.MedianViews
		r.Series[i] = Point{ID: v.ID, Title: v.Title, PublishedAt: v.PublishedAt, Views: v.Views, VPD: vpd[i],
			Short: v.IsShort(), Outlier: out}
		if out {
			r.Outliers = append(r.Outliers, Outlier{ID: v.ID, Title: v.Title, PublishedAt: v.PublishedAt,
				Views: v.Views, Factor: float64(v.Views) / r.MedianViews})
		}
	}
	sort.SliceStable(r.Outliers, func(i, j int) bool { return r.Outliers[i].Views > r.Outliers[j].Views })
	r.BestTime = bestTime(vs, vpd, opts.Location)
	r.Keywords = keywords(vs, vpd, r.MedianVPD)
	r.Patterns = patterns(vs, vpd)
	r.Formats = formats(vs, vpd)
	r.Advice = advise(r, opts.TargetPerWeek, opts.Location)
	return r
}

func window(vs []insights.Video, vpd []float64, now time.Time, days int) Window {
	w := Window{Days: days}
	span := time.Duration(days) * 24 * time.Hour
	from, prevFrom := now.Add(-span), now.Add(-2*span)
	var views, cur, prev []float64
	var last time.Time
	var gaps []float64
	for i, v := range vs {
		switch {
		case v.PublishedAt.After(from):
			w.Uploads++
			w.TotalViews += v.Views
			views = append(views, float64(v.Views))
			cur = append(cur, vpd[i])
			if !last.IsZero() {
				gaps = append(gaps, v.PublishedAt.Sub(last).Hours()/24)
			}
			last = v.PublishedAt
		case v.PublishedAt.After(prevFrom):
			prev = append(prev, vpd[i])
		}
	}
	w.PerWeek = float64(w.Uploads) / (float64(days) / 7)
	w.MedianGapDays = Median(gaps)
	w.MedianViews = Median(views)
	w.MedianVPD = Median(cur)
	w.PrevMedianVPD = Median(prev)
	if len(cur) > 0 && len(prev) > 0 && w.PrevMedianVPD > 0 {
		pct := (w.MedianVPD - w.PrevMedianVPD) / w.PrevMedianVPD * 100
		w.TrendPct = &pct
	}
	for _, x := range views {
		if w.MedianViews > 0 && x >= OutlierFactor*w.MedianViews {
			w.Outliers++
		}
	}
	return w
}

func bestTime(vs []insights.Video, vpd []float64, loc *time.Location) BestTime {
	b := BestTime{Weekday: -1, Hour: -1}
	var byDay [7][]float64
	var byHour [24][]float64
	var cells [7][24][]float64
	for i, v := range vs {
		t := v.PublishedAt.In(loc)
		d, h := int(t.Weekday()), t.Hour()
		if u := v.PublishedAt.UTC(); u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 {
			b.HourKnown = true // date-only exports sit at 00:00 UTC, whatever loc is
		}
		byDay[d] = append(byDay[d], vpd[i])
		byHour[h] = append(byHour[h], vpd[i])
		cells[d][h] = append(cells[d][h], vpd[i])
	}
	best := -1.0
	for d := range byDay {
		b.Weekdays[d] = Cell{Videos: len(byDay[d]), MedianVPD: Median(byDay[d])}
		if len(byDay[d]) > 0 && b.Weekdays[d].MedianVPD > best {
			best, b.Weekday = b.Weekdays[d].MedianVPD, d
		}
		for h := range cells[d] {
			b.Heatmap[d][h] = Cell{Videos: len(cells[d][h]), MedianVPD: Median(cells[d][h])}
		}
	}
	best = -1
	for h := range byHour {
		b.Hours[h] = Cell{Videos: len(byHour[h]), MedianVPD: Median(byHour[h])}
		if b.HourKnown && len(byHour[h]) > 0 && b.Hours[h].MedianVPD > best {
			best, b.Hour = b.Hours[h].MedianVPD, h
		}
	}
	return b
}

// MinKeywordVideos is how many videos a word needs to be ranked.
const MinKeywordVideos = 2

func keywords(vs []insights.Video, vpd []float64, median float64) []Keyword {
	by := map[string][]float64{}
	for i, v := range vs {
		for _, w := range textutil.Keywords(v.Title) {
			by[w] = append(by[w], vpd[i])
		}
	}
	out := []Keyword{}
	for w, xs := range by {
		if len(xs) < MinKeywordVideos {
			continue
		}
		k := Keyword{Word: w, Videos: len(xs), MedianVPD: Median(xs)}
		if median > 0 {
			k.Lift = k.MedianVPD / median
		}
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].MedianVPD != out[j].MedianVPD {
			return out[i].MedianVPD > out[j].MedianVPD
		}
		if out[i].Videos != out[j].Videos {
			return out[i].Videos > out[j].Videos
		}
		return out[i].Word < out[j].Word
	})
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// TitlePatterns are the title features the audit compares, by name.
var TitlePatterns = []struct {
	Name string
	Has  func(title string) bool
}{
	{"short title (under 40 characters)", func(t string) bool { return utf8.RuneCountInString(t) < 40 }},
	{"long title (over 60 characters)", func(t string) bool { return utf8.RuneCountInString(t) > 60 }},
	{"has a number", func(t string) bool { return strings.ContainsAny(t, "0123456789") }},
	{"is a question", func(t string) bool { return strings.Contains(t, "?") }},
	{"has brackets", func(t string) bool { return strings.ContainsAny(t, "([") }},
	{"says how to", func(t string) bool { return strings.Contains(strings.ToLower(t), "how to") }},
}

func patterns(vs []insights.Video, vpd []float64) []Pattern {
	out := make([]Pattern, 0, len(TitlePatterns))
	for _, p := range TitlePatterns {
		var with, without []float64
		for i, v := range vs {
			if p.Has(v.Title) {
				with = append(with, vpd[i])
			} else {
				without = append(without, vpd[i])
			}
		}
		pt := Pattern{Name: p.Name, With: len(with), WithMedian: Median(with), Without: len(without), WithoutMedian: Median(without)}
		if len(with) > 0 && len(without) > 0 && pt.WithoutMedian > 0 {
			pt.Lift = pt.WithMedian / pt.WithoutMedian
		}
		out = append(out, pt)
	}
	return out
}

func formats(vs []insights.Video, vpd []float64) Formats {
	var f Formats
	var sv, lv, sp, lp []float64
	var total int64
	for i, v := range vs {
		total += v.Views
		if v.IsShort() {
			f.Shorts.Videos++
			f.Shorts.TotalViews += v.Views
			sv, sp = append(sv, float64(v.Views)), append(sp, vpd[i])
		} else {
			f.Long.Videos++
			f.Long.TotalViews += v.Views
			lv, lp = append(lv, float64(v.Views)), append(lp, vpd[i])
		}
	}
	f.Shorts.MedianViews, f.Shorts.MedianVPD = Median(sv), Median(sp)
	f.Long.MedianViews, f.Long.MedianVPD = Median(lv), Median(lp)
	if total > 0 {
		f.Shorts.ViewShare = float64(f.Shorts.TotalViews) / float64(total)
		f.Long.ViewShare = float64(f.Long.TotalViews) / float64(total)
	}
	return f
}

// MaxAdvice is the most recommendations an audit gives.
const MaxAdvice = 5

func advise(r Report, target float64, loc *time.Location) []string {
	out := []string{}
	if r.Videos == 0 {
		return append(out, "Import a YouTube Studio export, fetch the channel with an API key, or add videos by hand to get an audit.")
	}
	if len(r.Windows) > 0 {
		w := r.Windows[0]
		switch {
		case w.Uploads == 0:
			out = append(out, fmt.Sprintf("Nothing was uploaded in the last %d days: publish again to keep the audience.", w.Days))
		case target > 0 && w.PerWeek < target*0.8:
			out = append(out, fmt.Sprintf("You upload %.1f videos a week against a plan of %.1f: schedule the missing uploads.", w.PerWeek, target))
		}
		if w.TrendPct != nil && *w.TrendPct <= -20 {
			out = append(out, fmt.Sprintf("Views per day of the last %d days' uploads fell %.0f%% against the %d days before: revisit topics that worked.", w.Days, -*w.TrendPct, w.Days))
		} else if w.TrendPct != nil && *w.TrendPct >= 20 {
			out = append(out, fmt.Sprintf("Views per day of the last %d days' uploads rose %.0f%%: keep the current direction.", w.Days, *w.TrendPct))
		}
	}
	if len(r.Outliers) > 0 {
		o := r.Outliers[0]
		out = append(out, fmt.Sprintf("%q got %.1f× your median views: make a follow-up on the same topic.", o.Title, o.Factor))
	}
	if len(r.Keywords) > 0 && r.Keywords[0].Lift >= 1.2 {
		k := r.Keywords[0]
		out = append(out, fmt.Sprintf("Videos about %q get %.1f× your median views per day (%d videos): cover it again.", k.Word, k.Lift, k.Videos))
	}
	var best *Pattern
	for i := range r.Patterns {
		p := &r.Patterns[i]
		if p.With >= 3 && p.Without >= 3 && p.Lift >= 1.3 && (best == nil || p.Lift > best.Lift) {
			best = p
		}
	}
	if best != nil {
		out = append(out, fmt.Sprintf("Titles that %s do %.1f× better than the rest: use the pattern more.", patternVerb(best.Name), best.Lift))
	}
	if bt := r.BestTime; bt.Weekday >= 0 && r.Videos >= 5 {
		when := time.Weekday(bt.Weekday).String()
		if bt.HourKnown && bt.Hour >= 0 {
			when += fmt.Sprintf(" around %02d:00 (%s)", bt.Hour, loc)
		}
		out = append(out, "Your uploads do best on "+when+": publish then.")
	}
	f := r.Formats
	if f.Shorts.Videos >= 3 && f.Long.Videos >= 3 {
		if f.Shorts.MedianVPD > 2*f.Long.MedianVPD {
			out = append(out, fmt.Sprintf("Shorts get %.1f× the views per day of long-form: post more Shorts to grow reach.", f.Shorts.MedianVPD/f.Long.MedianVPD))
		} else if f.Long.MedianVPD > 2*f.Shorts.MedianVPD {
			out = append(out, fmt.Sprintf("Long-form gets %.1f× the views per day of Shorts and earns more per view: favour long-form.", f.Long.MedianVPD/f.Shorts.MedianVPD))
		}
	}
	if len(out) > MaxAdvice {
		out = out[:MaxAdvice]
	}
	return out
}

func patternVerb(name string) string {
	switch {
	case strings.HasPrefix(name, "has "), strings.HasPrefix(name, "is "), strings.HasPrefix(name, "says "):
		return strings.Replace(strings.Replace(strings.Replace(name, "has ", "have ", 1), "is ", "are ", 1), "says ", "say ", 1)
	default:
		return "are a " + name
	}
}

// Median is the middle value of xs (the mean of the two middle values for
// an even count); zero for none. xs is not modified.
func Median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	s := make([]float64, n)
	copy(s, xs)
	sort.Float64s(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
