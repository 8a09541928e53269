// Package analysis audits a channel from its videos: upload cadence,
// median views and the views-per-day trend over 30, 60 and 90 days,
// outliers, the best weekday and hour, top keywords and phrases, title
// patterns, the Shorts and long-form split, the best and worst videos by
// click-through rate and by retention, and a few recommendations. Each
// part the data cannot support says what is missing (Report.Gaps).
//
// Performance is measured in views per day of a video's life
// (insights.Video.ViewsPerDay), so an old video and a new one compare
// fairly. Click-through rate and retention are compared within a format:
// a Short is held against the median Short, a long video against the
// median long one.
package analysis

import (
	"cmp"
	"fmt"
	"slices"

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
	// Language is the titles' language code (en, es, pt-BR…), whose stop
	// words keywords leave out. Empty means every known language's.
	Language string
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
	// CTR ranks videos by impressions click-through rate and Retention by
	// average percentage viewed, each within its format.
	CTR       Ranking  `json:"ctr"`
	Retention Ranking  `json:"retention"`
	Coverage  Coverage `json:"coverage"`
	// Gaps say, per part of the audit, what data it lacks and how to add it.
	Gaps []Gap `json:"gaps"`
}

// Coverage counts the videos that carry each column.
type Coverage struct {
	Videos      int `json:"videos"`
	Durations   int `json:"durations"`
	Times       int `json:"times"` // publish times other than 00:00 UTC
	CTR         int `json:"ctr"`
	Retention   int `json:"retention"`
	WatchTime   int `json:"watch_time"`
	Subscribers int `json:"subscribers"`
	Revenue     int `json:"revenue"`
}

// Gap is a part of the audit the data cannot fill.
type Gap struct {
	// Section is "hours", "ctr", "retention", "watch_time", "subscribers",
	// "revenue" or "duration".
	Section string `json:"section"`
	Message string `json:"message"`
}

// Ranked is one video in a ranking by a rate.
type Ranked struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Short       bool      `json:"short"`
	// Value is the video's rate in percent; Median the median of its
	// format; Relative is Value ÷ Median.
	Value    float64 `json:"value"`
	Median   float64 `json:"median"`
	Relative float64 `json:"relative"`
	// Basis is what the rate stands on: impressions for the click-through
	// rate, views for retention.
	Basis int64 `json:"basis"`
}

// Ranking is the videos' best and worst by one rate.
type Ranking struct {
	// Metric is "ctr" or "retention".
	Metric string `json:"metric"`
	// Videos is how many videos carry the rate (with enough basis).
	Videos int      `json:"videos"`
	Median float64  `json:"median"`
	Best   []Ranked `json:"best"`
	Worst  []Ranked `json:"worst"`
	// Findings are sentences about the ranking, best first; empty with
	// fewer than MinRanked videos.
	Findings []string `json:"findings"`
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
	// Span is the window: uploads published after From, up to To.
	Span insights.Span `json:"span"`
	// Totals of the window's uploads where the data has them (see Report.Coverage).
	WatchHours  float64 `json:"watch_hours"`
	Impressions int64   `json:"impressions"`
	// CTR is the click-through rate over the window's impressions, percent.
	CTR float64 `json:"ctr"`
	// MedianRetention is the median average percentage viewed.
	MedianRetention float64 `json:"median_retention"`
	Subscribers     int64   `json:"subscribers"`
	Revenue         float64 `json:"revenue"`
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

// Keyword is a title word or phrase with how its videos perform.
type Keyword struct {
	// Word is the phrase ("chrono trigger"), or the phrases that always
	// come together joined by " · ".
	Word      string   `json:"word"`
	Terms     []string `json:"terms"`
	Videos    int      `json:"videos"`
	MedianVPD float64  `json:"median_views_per_day"`
	Lift      float64  `json:"lift"` // MedianVPD ÷ the channel's median views per day
	// MedianCTR and MedianRetention are the medians of the videos that
	// carry them, in percent; zero when none does.
	MedianCTR       float64 `json:"median_ctr"`
	MedianRetention float64 `json:"median_retention"`
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
	// Medians of the videos that carry them, percent; zero when none.
	MedianCTR       float64 `json:"median_ctr"`
	MedianRetention float64 `json:"median_retention"`
	// RPM is revenue per 1,000 views over the videos with revenue; zero
	// when none has it.
	RPM float64 `json:"rpm"`
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
	slices.SortStableFunc(vs, func(a, b insights.Video) int { return a.PublishedAt.Compare(b.PublishedAt) })
	vpd := make([]float64, len(vs))
	views := make([]float64, len(vs))
	for i, v := range vs {
		vpd[i] = v.ViewsPerDay(now)
		views[i] = float64(v.Views)
	}
	r := Report{Now: now, Videos: len(vs), MedianViews: Median(views), MedianVPD: Median(vpd),
		Outliers: []Outlier{}, Keywords: []Keyword{}, Patterns: []Pattern{}, Advice: []string{}, Gaps: []Gap{}}
	for _, d := range opts.Windows {
		r.Windows = append(r.Windows, window(vs, vpd, insights.LastDays(now, d)))
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
	slices.SortStableFunc(r.Outliers, func(a, b Outlier) int { return cmp.Compare(b.Views, a.Views) })
	r.BestTime = bestTime(vs, vpd, opts.Location)
	rates := ratesOf(vs)
	r.Keywords = keywords(vs, vpd, rates, r.MedianVPD, opts.Language)
	r.Patterns = patterns(vs, vpd)
	r.Formats = formats(vs, vpd, rates)
	r.CTR = rank(vs, rates, ctrRate)
	r.Retention = rank(vs, rates, retentionRate)
	r.Coverage = coverage(vs, rates)
	r.Gaps = gaps(r)
	r.Advice = advise(r, opts.TargetPerWeek, opts.Location)
	return r
}

// rates are each video's click-through rate and retention, or -1 where
// the video lacks it or stands on too little (MinImpressions, MinViews).
type rates struct {
	ctr, retention []float64
}

// MinImpressions is how many impressions a click-through rate needs to
// count, and MinViews how many views a retention needs.
const (
	MinImpressions = 100
	MinViews       = 50
)

func ratesOf(vs []insights.Video) rates {
	r := rates{ctr: make([]float64, len(vs)), retention: make([]float64, len(vs))}
	for i, v := range vs {
		r.ctr[i], r.retention[i] = -1, -1
		if v.Impressions >= MinImpressions {
			r.ctr[i] = v.CTR
		}
		if p, ok := v.Retention(); ok && v.Views >= MinViews {
			r.retention[i] = p
		}
	}
	return r
}

// medianOf is the median of xs[i] over the indices where xs[i] ≥ 0.
func medianOf(xs []float64, keep func(i int) bool) float64 {
	var ys []float64
	for i, x := range xs {
		if x >= 0 && (keep == nil || keep(i)) {
			ys = append(ys, x)
		}
	}
	return Median(ys)
}

func window(vs []insights.Video, vpd []float64, span insights.Span) Window {
	days := int(span.Days() + 0.5)
	w := Window{Days: days, Span: span}
	prevSpan := span.Previous()
	var views, cur, prev, ret []float64
	var last time.Time
	var gaps []float64
	var clicks float64
	for i, v := range vs {
		switch {
		case span.Contains(v.PublishedAt):
			w.Uploads++
			w.TotalViews += v.Views
			views = append(views, float64(v.Views))
			cur = append(cur, vpd[i])
			if !last.IsZero() {
				gaps = append(gaps, v.PublishedAt.Sub(last).Hours()/24)
			}
			last = v.PublishedAt
			w.WatchHours += v.WatchHours
			if v.HasCTR() {
				w.Impressions += v.Impressions
				clicks += float64(v.Impressions) * v.CTR / 100
			}
			if p, ok := v.Retention(); ok {
				ret = append(ret, p)
			}
			w.Subscribers += v.Subscribers
			if v.HasRevenue {
				w.Revenue += v.Revenue
			}
		case prevSpan.Contains(v.PublishedAt):
			prev = append(prev, vpd[i])
		}
	}
	w.PerWeek = float64(w.Uploads) / (span.Days() / 7)
	w.MedianGapDays = Median(gaps)
	w.MedianViews = Median(views)
	w.MedianVPD = Median(cur)
	w.PrevMedianVPD = Median(prev)
	w.MedianRetention = Median(ret)
	if w.Impressions > 0 {
		w.CTR = clicks / float64(w.Impressions) * 100
	}
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

// MinKeywordVideos is how many videos a word or phrase needs to be ranked.
const MinKeywordVideos = 2

// MaxKeywords is how many keywords the audit lists.
const MaxKeywords = 10

// keywords ranks the title phrases of at least MinKeywordVideos videos;
// phrases found in exactly the same videos are one entry (textutil.Collapse),
// so a name is never split into its words.
func keywords(vs []insights.Video, vpd []float64, rt rates, median float64, lang string) []Keyword {
	titles := make([]string, len(vs))
	for i, v := range vs {
		titles[i] = v.Title
	}
	docs := textutil.For(lang).Index(titles, 0, MinKeywordVideos)
	var groups [][]int // per keyword in out, its videos
	out := []Keyword{}
	var xs []float64
	for _, g := range textutil.Collapse(docs) {
		xs = xs[:0]
		for _, i := range g.Docs {
			xs = append(xs, vpd[i])
		}
		k := Keyword{Word: g.Label(), Terms: g.Terms, Videos: len(g.Docs), MedianVPD: medianInPlace(xs)}
		if median > 0 {
			k.Lift = k.MedianVPD / median
		}
		out = append(out, k)
		groups = append(groups, g.Docs)
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := out[a], out[b]
		if c := cmp.Compare(y.MedianVPD, x.MedianVPD); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Videos, x.Videos); c != 0 {
			return c
		}
		return strings.Compare(x.Word, y.Word)
	})
	top := make([]Keyword, 0, min(MaxKeywords, len(order)))
	for _, i := range order[:min(MaxKeywords, len(order))] {
		k := out[i]
		// The rates only for the keywords shown.
		var ctr, ret []float64
		for _, d := range groups[i] {
			if rt.ctr[d] >= 0 {
				ctr = append(ctr, rt.ctr[d])
			}
			if rt.retention[d] >= 0 {
				ret = append(ret, rt.retention[d])
			}
		}
		k.MedianCTR, k.MedianRetention = medianInPlace(ctr), medianInPlace(ret)
		top = append(top, k)
	}
	return top
}

// medianInPlace is Median of xs, reordering xs: a selection in linear
// time instead of a sort.
func medianInPlace(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	hi := nth(xs, n/2)
	if n%2 == 1 {
		return hi
	}
	// The largest of the lower half, which nth left below n/2.
	lo := xs[0]
	for _, x := range xs[1 : n/2] {
		lo = max(lo, x)
	}
	return (lo + hi) / 2
}

// nth puts the k-th smallest of xs at xs[k], smaller ones before it and
// larger ones after (Hoare's selection), and returns it.
func nth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		p := xs[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

// MinRanked is how many videos with a rate a ranking needs for findings,
// and RankedShown how many best and worst it lists.
const (
	MinRanked   = 5
	RankedShown = 5
)

type rateKind int

const (
	ctrRate rateKind = iota
	retentionRate
)

// rank orders the videos that carry a rate by the rate over its format's
// median, best and worst RankedShown, with findings in words.
func rank(vs []insights.Video, rt rates, kind rateKind) Ranking {
	xs, metric := rt.ctr, "ctr"
	if kind == retentionRate {
		xs, metric = rt.retention, "retention"
	}
	r := Ranking{Metric: metric, Best: []Ranked{}, Worst: []Ranked{}, Findings: []string{}}
	medShort := medianOf(xs, func(i int) bool { return vs[i].IsShort() })
	medLong := medianOf(xs, func(i int) bool { return !vs[i].IsShort() })
	r.Median = medianOf(xs, nil)
	var all []Ranked
	for i, v := range vs {
		if xs[i] < 0 {
			continue
		}
		med := medLong
		if v.IsShort() {
			med = medShort
		}
		it := Ranked{ID: v.ID, Title: v.Title, PublishedAt: v.PublishedAt, Short: v.IsShort(), Value: xs[i], Median: med, Basis: v.Views}
		if kind == ctrRate {
			it.Basis = v.Impressions
		}
		if med > 0 {
			it.Relative = xs[i] / med
		}
		all = append(all, it)
	}
	r.Videos = len(all)
	if len(all) == 0 {
		return r
	}
	slices.SortStableFunc(all, func(a, b Ranked) int {
		if c := cmp.Compare(b.Relative, a.Relative); c != 0 {
			return c
		}
		return cmp.Compare(b.Basis, a.Basis)
	})
	n := min(RankedShown, len(all)/2)
	r.Best = append(r.Best, all[:n]...)
	for i := len(all) - 1; i >= len(all)-n; i-- {
		r.Worst = append(r.Worst, all[i])
	}
	if len(all) < MinRanked || n == 0 {
		return r
	}
	b, w := r.Best[0], r.Worst[0]
	if kind == ctrRate {
		r.Findings = append(r.Findings,
			fmt.Sprintf("%q has your best click-through rate: %.1f%% against a median of %.1f%% for %s: reuse its title and thumbnail style.",
				b.Title, b.Value, b.Median, formatName(b.Short)),
			fmt.Sprintf("%q has your lowest click-through rate: %.1f%% of %s impressions against a median of %.1f%% for %s: try a new thumbnail or title.",
				w.Title, w.Value, thousands(w.Basis), w.Median, formatName(w.Short)))
	} else {
		r.Findings = append(r.Findings,
			fmt.Sprintf("%q keeps viewers longest: %.0f%% of it is watched on average against a median of %.0f%% for %s: study how it opens and paces.",
				b.Title, b.Value, b.Median, formatName(b.Short)),
			fmt.Sprintf("%q loses viewers soonest: %.0f%% of it is watched on average against a median of %.0f%% for %s: tighten its first 30 seconds.",
				w.Title, w.Value, w.Median, formatName(w.Short)))
	}
	return r
}

func formatName(short bool) string {
	if short {
		return "Shorts"
	}
	return "long-form"
}

// thousands writes n with comma separators: 12345 → "12,345".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func coverage(vs []insights.Video, rt rates) Coverage {
	c := Coverage{Videos: len(vs)}
	for i, v := range vs {
		if v.DurationSec > 0 {
			c.Durations++
		}
		if u := v.PublishedAt.UTC(); u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 {
			c.Times++
		}
		if rt.ctr[i] >= 0 {
			c.CTR++
		}
		if _, ok := v.Retention(); ok {
			c.Retention++
		}
		if v.WatchHours > 0 {
			c.WatchTime++
		}
		if v.HasSubscribers {
			c.Subscribers++
		}
		if v.HasRevenue {
			c.Revenue++
		}
	}
	return c
}

// gaps says what each part of the audit lacks, for a channel with videos.
func gaps(r Report) []Gap {
	out := []Gap{}
	c := r.Coverage
	if c.Videos == 0 {
		return out
	}
	if c.Times == 0 {
		out = append(out, Gap{"hours", "No publish times in this data: every upload sits at 00:00, so the hours say nothing. " +
			"Add times to the 'Video publish time' column, or fetch the channel from YouTube, which knows them."})
	}
	if c.Durations == 0 {
		out = append(out, Gap{"duration", "No durations in this data: every video counts as long-form. Add the 'Duration' column to the export, or fetch the channel from YouTube."})
	}
	if c.CTR == 0 {
		out = append(out, Gap{"ctr", "No impressions in this data: add the 'Impressions' and 'Impressions click-through rate (%)' columns to the export, " +
			"or link YouTube Analytics (impressions arrive about two days after linking)."})
	}
	if c.Retention == 0 {
		out = append(out, Gap{"retention", "No view durations in this data: add 'Average view duration' or 'Average percentage viewed (%)' to the export, or link YouTube Analytics."})
	}
	if c.WatchTime == 0 {
		out = append(out, Gap{"watch_time", "No watch time in this data: add the 'Watch time (hours)' column to the export, or link YouTube Analytics."})
	}
	if c.Subscribers == 0 {
		out = append(out, Gap{"subscribers", "No subscribers per video in this data: add the 'Subscribers' column to the export, or link YouTube Analytics."})
	}
	if c.Revenue == 0 {
		out = append(out, Gap{"revenue", "No revenue in this data: add 'Estimated revenue (USD)' to the export, or link YouTube Analytics with revenue. " +
			"Until then the projection uses your niche's typical RPM."})
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

func formats(vs []insights.Video, vpd []float64, rt rates) Formats {
	var f Formats
	var sv, lv, sp, lp []float64
	var total int64
	var rev, revViews [2]float64 // [long, short]
	for i, v := range vs {
		total += v.Views
		k := 0
		if v.IsShort() {
			k = 1
			f.Shorts.Videos++
			f.Shorts.TotalViews += v.Views
			sv, sp = append(sv, float64(v.Views)), append(sp, vpd[i])
		} else {
			f.Long.Videos++
			f.Long.TotalViews += v.Views
			lv, lp = append(lv, float64(v.Views)), append(lp, vpd[i])
		}
		if v.HasRevenue && v.EarnedViews() > 0 {
			rev[k] += v.Revenue
			revViews[k] += float64(v.EarnedViews())
		}
	}
	f.Shorts.MedianViews, f.Shorts.MedianVPD = Median(sv), Median(sp)
	f.Long.MedianViews, f.Long.MedianVPD = Median(lv), Median(lp)
	isShort := func(i int) bool { return vs[i].IsShort() }
	isLong := func(i int) bool { return !vs[i].IsShort() }
	f.Shorts.MedianCTR, f.Long.MedianCTR = medianOf(rt.ctr, isShort), medianOf(rt.ctr, isLong)
	f.Shorts.MedianRetention, f.Long.MedianRetention = medianOf(rt.retention, isShort), medianOf(rt.retention, isLong)
	if revViews[0] > 0 {
		f.Long.RPM = rev[0] / revViews[0] * 1000
	}
	if revViews[1] > 0 {
		f.Shorts.RPM = rev[1] / revViews[1] * 1000
	}
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
	if len(r.CTR.Findings) > 1 {
		out = append(out, r.CTR.Findings[1])
	}
	if len(r.Retention.Findings) > 1 {
		out = append(out, r.Retention.Findings[1])
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
	if len(xs) == 0 {
		return 0
	}
	return medianInPlace(slices.Clone(xs))
}
