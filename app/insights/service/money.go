package service

import (
	"context"
	"errors"
	"math"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/analysis"
	"tubeagency/app/insights/revenue"
	"tubeagency/internal/store"
)

// RecentDays is the window the projection measures the upload cadence
// over; the dashboard shows its uploads.
const RecentDays = 90

// ErrUnknownCategory reports a niche category not in revenue.Categories.
var ErrUnknownCategory = errors.New("unknown niche category")

// PutEarning records what a channel earned in a month, with that month's
// views, and lists the channel's months.
func (s *Service) PutEarning(ctx context.Context, e insights.Earning) ([]insights.Earning, error) {
	if _, err := s.Channel(ctx, e.ChannelID); err != nil {
		return nil, err
	}
	e.Amount = revenue.Cents(e.Amount)
	e.EnteredAt = s.now()
	if err := s.db.PutEarning(ctx, e); err != nil {
		return nil, err
	}
	return s.db.Earnings(ctx, e.ChannelID)
}

// Earnings lists a channel's entered months.
func (s *Service) Earnings(ctx context.Context, channelID string) ([]insights.Earning, error) {
	if _, err := s.Channel(ctx, channelID); err != nil {
		return nil, err
	}
	return s.db.Earnings(ctx, channelID)
}

// DeleteEarning removes one entered month (store.ErrNotFound when there is
// none) and lists the rest.
func (s *Service) DeleteEarning(ctx context.Context, channelID, month string) ([]insights.Earning, error) {
	if err := s.db.DeleteEarning(ctx, channelID, month); err != nil {
		return nil, err
	}
	return s.db.Earnings(ctx, channelID)
}

// Category is a niche category as the settings list it.
type Category struct {
	ID    string            `json:"id"`
	Names map[string]string `json:"names"`
	// LongRPM and ShortsRPM are the category's priors, in whole cents.
	LongRPM   float64 `json:"long_rpm"`
	ShortsRPM float64 `json:"shorts_rpm"`
}

// Categories lists the niche categories.
func Categories() []Category {
	out := make([]Category, 0, len(revenue.Categories))
	for _, c := range revenue.Categories {
		out = append(out, Category{ID: c.ID, Names: c.Names, LongRPM: revenue.Cents(c.LongRPM()), ShortsRPM: revenue.Cents(c.ShortsRPM())})
	}
	return out
}

// NicheSetting is a channel's niche category: the one chosen, else the one
// suggested by its niche text.
type NicheSetting struct {
	ChannelID string `json:"channel_id"`
	Category  string `json:"category"`
	// Chosen is false while the category is only suggested.
	Chosen    bool   `json:"chosen"`
	Suggested string `json:"suggested"`
}

// Niche reads a channel's niche category.
func (s *Service) Niche(ctx context.Context, channelID string) (NicheSetting, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return NicheSetting{}, err
	}
	return s.niche(ctx, ch)
}

func (s *Service) niche(ctx context.Context, ch store.Channel) (NicheSetting, error) {
	chosen, err := s.db.NicheCategory(ctx, ch.ID)
	if err != nil {
		return NicheSetting{}, err
	}
	n := NicheSetting{ChannelID: ch.ID, Suggested: revenue.SuggestCategory(ch.Niche)}
	if _, ok := revenue.CategoryByID(chosen); ok {
		n.Category, n.Chosen = chosen, true
	} else {
		n.Category = n.Suggested
	}
	return n, nil
}

// SetNiche stores a channel's niche category ("" goes back to the
// suggestion; an id not in revenue.Categories is ErrUnknownCategory).
func (s *Service) SetNiche(ctx context.Context, channelID, category string) (NicheSetting, error) {
	if _, ok := revenue.CategoryByID(category); category != "" && !ok {
		return NicheSetting{}, ErrUnknownCategory
	}
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return NicheSetting{}, err
	}
	if err := s.db.SetNicheCategory(ctx, ch.ID, category); err != nil {
		return NicheSetting{}, err
	}
	return s.niche(ctx, ch)
}

// Projection projects a channel's ad revenue for the next 12 months.
func (s *Service) Projection(ctx context.Context, channelID string) (revenue.Projection, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return revenue.Projection{}, err
	}
	return s.projection(ctx, ch, s.now())
}

// avgMonth is the average month in days.
const avgMonth = 365.25 / 12

func (s *Service) projection(ctx context.Context, ch store.Channel, now time.Time) (revenue.Projection, error) {
	vs, err := s.db.Videos(ctx, ch.ID)
	if err != nil {
		return revenue.Projection{}, err
	}
	es, err := s.db.Earnings(ctx, ch.ID)
	if err != nil {
		return revenue.Projection{}, err
	}
	niche, err := s.niche(ctx, ch)
	if err != nil {
		return revenue.Projection{}, err
	}
	in := revenue.Inputs{Category: niche.Category, CategorySource: "suggested", Start: now, RecentDays: RecentDays}
	if niche.Chosen {
		in.CategorySource = "chosen"
	}
	recent := insights.LastDays(now, RecentDays)
	var longViews, shortViews, all []float64
	var longRecent, shortRecent int
	var total, shortTotal float64
	var first time.Time
	var obs []revenue.Observation
	for _, v := range vs {
		if v.PublishedAt.After(now) {
			continue
		}
		all = append(all, float64(v.Views))
		total += float64(v.Views)
		if first.IsZero() || v.PublishedAt.Before(first) {
			first = v.PublishedAt
		}
		if v.IsShort() {
			shortViews = append(shortViews, float64(v.Views))
			shortTotal += float64(v.Views)
			if recent.Contains(v.PublishedAt) {
				shortRecent++
			}
		} else {
			longViews = append(longViews, float64(v.Views))
			if recent.Contains(v.PublishedAt) {
				longRecent++
			}
		}
		if v.HasRevenue && v.EarnedViews() > 0 {
			obs = append(obs, revenue.Observation{Short: v.IsShort(), Views: float64(v.EarnedViews()), Revenue: v.Revenue})
		}
	}
	in.RecentUploads = longRecent + shortRecent
	in.LongMedianViews, in.ShortsMedianViews = analysis.Median(longViews), analysis.Median(shortViews)
	weeks := recent.Days() / 7
	in.LongPerWeek, in.ShortsPerWeek = float64(longRecent)/weeks, float64(shortRecent)/weeks
	if in.RecentUploads == 0 && len(all) > 0 {
		// Nothing uploaded lately: project the channel's planned cadence.
		if ch.Format == store.FormatShorts {
			in.ShortsPerWeek = ch.Cadence
		} else {
			in.LongPerWeek = ch.Cadence
		}
	}
	in.ViewSpread = revenue.LogSpread(all)
	if len(all) > 0 {
		r := analysis.Audit(vs, analysis.Options{Now: now, Windows: []int{30}})
		if t := r.Windows[0].TrendPct; t != nil {
			in.TrendPct = *t
		}
	}
	if total > 0 {
		in.ShortsViewShare = shortTotal / total
		in.CatalogueMonthlyViews = total / math.Max(1, now.Sub(first).Hours()/24/avgMonth)
	}
	for _, e := range es {
		in.Earnings = append(in.Earnings, revenue.Earning{Month: e.Month, Amount: e.Amount, Views: e.Views})
	}
	hist, err := s.db.ViewHistory(ctx, ch.ID)
	if err != nil {
		return revenue.Projection{}, err
	}
	in.MeasuredMonthlyViews = MeasuredMonthlyViews(hist)
	if err := s.analyticsInputs(ctx, ch.ID, vs, now, &in); err != nil {
		return revenue.Projection{}, err
	}
	if in.Fit.Empty() {
		in.Fit = revenue.FitRPM(obs, "video")
	}
	return revenue.Project(in), nil
}

// MinFitMonths is how many whole months of YouTube Analytics revenue the
// projection needs to fit RPMs per month rather than per video.
const MinFitMonths = 3

// analyticsInputs adds what YouTube Analytics' daily numbers say: the
// views of the last 28 days and, with MinFitMonths whole months of
// revenue, the RPM per format month by month.
func (s *Service) analyticsInputs(ctx context.Context, channelID string, vs []insights.Video, now time.Time, in *revenue.Inputs) error {
	last, err := s.db.LastStatsDay(ctx, channelID)
	if err != nil || last == "" {
		return err
	}
	lastDay, err := time.Parse(insights.DayLayout, last)
	if err != nil || now.Sub(lastDay) > 10*insights.Day {
		return err // stale: the estimates serve better than an old month
	}
	short := map[string]bool{}
	for _, v := range vs {
		short[v.ID] = v.IsShort()
	}
	months, err := s.db.MonthlyByVideo(ctx, channelID)
	if err != nil {
		return err
	}
	// The last 28 days, from the daily rows.
	from := lastDay.AddDate(0, 0, -27).Format(insights.DayLayout)
	days, err := s.db.DailyTotals(ctx, channelID, from, last)
	if err != nil {
		return err
	}
	if len(days) >= 21 { // most of four weeks measured
		var views float64
		for _, d := range days {
			views += float64(d.Views)
		}
		byVideo, err := s.db.ViewsByVideo(ctx, channelID, from, last)
		if err != nil {
			return err
		}
		var sv, tv float64
		for id, n := range byVideo {
			tv += float64(n)
			if short[id] {
				sv += float64(n)
			}
		}
		in.ActualMonthlyViews = views / float64(len(days)) * avgMonth
		if tv > 0 {
			in.ActualShortsShare = sv / tv
		}
	}
	// Whole months per format, the month of the last day left out.
	type key struct {
		month string
		short bool
	}
	agg := map[key]*revenue.Observation{}
	for _, m := range months {
		if m.Month >= last[:7] || !m.HasRevenue {
			continue
		}
		k := key{m.Month, short[m.VideoID]}
		o := agg[k]
		if o == nil {
			o = &revenue.Observation{Short: k.short}
			agg[k] = o
		}
		o.Views += float64(m.Views)
		o.Revenue += m.Revenue
	}
	var obs []revenue.Observation
	n := map[bool]int{}
	for _, o := range agg {
		obs = append(obs, *o)
		n[o.Short]++
	}
	if n[false] >= MinFitMonths || n[true] >= MinFitMonths {
		in.Fit = revenue.FitRPM(obs, "month")
	}
	return nil
}

// MeasuredMonthlyViews is the growth of the channel's total views between
// the last snapshot and the oldest one within 60 days before it, scaled to
// a month; zero with less than a day between them.
func MeasuredMonthlyViews(hist []insights.Point) float64 {
	if len(hist) < 2 {
		return 0
	}
	last := hist[len(hist)-1]
	first := last
	for _, p := range hist {
		if last.At.Sub(p.At) <= 60*insights.Day {
			first = p
			break
		}
	}
	days := last.At.Sub(first.At).Hours() / 24
	if days < 1 || last.Value <= first.Value {
		return 0
	}
	return (last.Value - first.Value) / days * avgMonth
}

// ChannelMoney is one channel's line of the money counter.
type ChannelMoney struct {
	ChannelID  string          `json:"channel_id"`
	Name       string          `json:"name"`
	PerSecond  float64         `json:"per_second"`
	Month      revenue.Month   `json:"month"`
	Months     []revenue.Month `json:"months"`
	Calibrated bool            `json:"calibrated"`
	// Category is the niche category id; Source where its RPMs came from
	// (revenue.Source…, of long-form).
	Category string `json:"category"`
	Source   string `json:"source"`
	// RecentUploads were uploaded in the last RecentDays days: the same
	// videos the audit's 90-day window counts.
	RecentUploads int `json:"recent_uploads"`
	RecentDays    int `json:"recent_days"`
}

// MoneyCounter is the projected earnings of every channel, for the
// dashboard's live counter. It is a projection, not a payout.
type MoneyCounter struct {
	Channels []ChannelMoney `json:"channels"`
	// PerSecond is the total accrual rate.
	PerSecond float64 `json:"per_second"`
	// MonthStart is the start of the current month and AsOf the
	// time the figures were computed: the counter shows
	// AccruedAtAsOf + PerSecond × (now − AsOf).
	MonthStart    time.Time       `json:"month_start,omitzero"`
	AsOf          time.Time       `json:"as_of,omitzero"`
	AccruedAtAsOf float64         `json:"accrued_at_as_of"`
	Months        []revenue.Month `json:"months"` // the channels summed, with a combined band
	Sources       []string        `json:"sources"`
}

// Money projects every channel's earnings from one clock reading.
func (s *Service) Money(ctx context.Context) (MoneyCounter, error) {
	chs, err := s.channels(ctx)
	if err != nil {
		return MoneyCounter{}, err
	}
	now := s.now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	mc := MoneyCounter{Channels: []ChannelMoney{}, Months: []revenue.Month{}, MonthStart: start, AsOf: now,
		Sources: revenue.Sources}
	var lowVar, highVar []float64
	for _, ch := range chs {
		p, err := s.projection(ctx, ch, now)
		if err != nil {
			return MoneyCounter{}, err
		}
		cm := ChannelMoney{ChannelID: ch.ID, Name: ch.Name, PerSecond: p.PerSecond, Months: p.Months,
			Calibrated: p.Calibrated, Category: p.Category, Source: p.LongSource, RecentUploads: p.RecentUploads, RecentDays: p.RecentDays}
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
		mc.Months[i].Expected = revenue.Cents(mc.Months[i].Expected)
		mc.Months[i].Low = revenue.Cents(math.Max(0, mc.Months[i].Expected-math.Sqrt(lowVar[i])))
		mc.Months[i].High = revenue.Cents(mc.Months[i].Expected + math.Sqrt(highVar[i]))
	}
	mc.AccruedAtAsOf = revenue.Cents(mc.PerSecond * now.Sub(start).Seconds())
	return mc, nil
}
