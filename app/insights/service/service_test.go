package service_test

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/analysis"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/revenue"
	"tubeagency/app/insights/service"
)

func openFixture(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

var studio200 = filepath.Join("..", "testdata", "insights", "studio200", "Table data.csv")

// The 200-video export: the audit finds CTR and retention, the revenue
// fits the export's own RPMs, and the projection earns what the channel
// earned a month on average.
func TestStudio200ImportAuditAndProjection(t *testing.T) {
	e := newEnv(t, options{noGoogle: true})
	ctx := context.Background()
	e.clock.Set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) // when the export was taken
	res, err := e.svc.ImportCSV(ctx, e.chID, openFixture(studio200))
	if err != nil || res.Rows != 200 || res.Currency != "USD" || len(res.Columns) != 7 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	a, err := e.svc.Audit(ctx, e.chID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Report.CTR.Findings) == 0 || len(a.Report.Retention.Findings) == 0 {
		t.Fatalf("no CTR or retention findings: %+v %+v", a.Report.CTR, a.Report.Retention)
	}
	p, err := e.svc.Projection(ctx, e.chID)
	if err != nil {
		t.Fatal(err)
	}
	if p.LongSource != revenue.SourceRevenue || p.ShortsSource != revenue.SourceRevenue || p.Fit.Long == nil || p.Fit.Unit != "video" {
		t.Fatalf("projection sources = %s/%s, fit %+v", p.LongSource, p.ShortsSource, p.Fit)
	}
	if e := math.Abs(p.Fit.Long.RPM-4.20) / 4.20; e >= 0.05 {
		t.Errorf("fitted long-form RPM %.3f, %.1f%% off 4.20", p.Fit.Long.RPM, e*100)
	}
	// The export earned $5,883.92 since its first upload (2 April 2024):
	// the projected month is that month on average.
	var total float64
	var first time.Time
	f, _ := os.Open(studio200)
	_, _ = csvimport.Read(f, "x", func(v insights.Video) error {
		total += v.Revenue
		if first.IsZero() || v.PublishedAt.Before(first) {
			first = v.PublishedAt
		}
		return nil
	})
	f.Close()
	months := e.clock.Now().Sub(first).Hours() / 24 / (365.25 / 12)
	want := total / months
	if got := p.Months[0].Expected; math.Abs(got-want)/want > 0.01 || p.ViewsSource != revenue.ViewsCatalogue {
		t.Errorf("first month %.2f (%s views), want the average month %.2f", got, p.ViewsSource, want)
	}
	if !(p.Months[0].Low < want && want < p.Months[0].High) {
		t.Errorf("band %.2f–%.2f does not hold %.2f", p.Months[0].Low, p.Months[0].High, want)
	}
	// Money in whole cents everywhere.
	mc, err := e.svc.Money(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{mc.AccruedAtAsOf, mc.Months[0].Expected, mc.Months[0].Low, mc.Channels[0].Month.High, p.LongRPM, p.ShortsRPM} {
		if math.Abs(x*100-math.Round(x*100)) > 1e-6 {
			t.Errorf("%v has more than cents", x)
		}
	}
}

// Without revenue data the niche table is the prior, keyed by the
// category chosen (or suggested in any of the languages).
func TestNichePriorOnlyWithoutRevenue(t *testing.T) {
	e := newEnv(t, options{noGoogle: true})
	ctx := context.Background()
	pt := e.channel("Finanças", "finanças pessoais", "pt-BR")
	now := e.clock.Now()
	var vs []insights.Video
	for i := 0; i < 20; i++ {
		vs = append(vs, insights.Video{ChannelID: pt, ID: string(rune('a'+i)) + "vid", Title: "Como poupar dinheiro",
			PublishedAt: now.AddDate(0, 0, -5*i-1), DurationSec: 600, Views: 5000})
	}
	if err := e.db.PutVideos(ctx, vs, now); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Projection(ctx, pt)
	if err != nil {
		t.Fatal(err)
	}
	fin, _ := revenue.CategoryByID("finance")
	if p.Category != "finance" || p.CategorySource != "suggested" || p.LongSource != revenue.SourcePrior ||
		p.LongRPM != revenue.Cents(fin.LongRPM()) || p.Calibrated {
		t.Fatalf("projection = %+v", p)
	}
	n, err := e.svc.SetNiche(ctx, pt, "education")
	if err != nil || !n.Chosen || n.Category != "education" || n.Suggested != "finance" {
		t.Fatalf("set niche = %+v, %v", n, err)
	}
	if p, _ = e.svc.Projection(ctx, pt); p.Category != "education" || p.CategorySource != "chosen" {
		t.Errorf("chosen category: %+v", p)
	}
	if _, err := e.svc.SetNiche(ctx, pt, "finance stuff"); !errors.Is(err, service.ErrUnknownCategory) {
		t.Errorf("an unknown category: %v", err)
	}
	// With revenue the prior goes.
	for i := range vs {
		vs[i].Revenue, vs[i].HasRevenue = 3.1*5, true
	}
	_ = e.db.PutVideos(ctx, vs, now)
	if p, _ = e.svc.Projection(ctx, pt); p.LongSource != revenue.SourceRevenue || math.Abs(p.LongRPM-3.1) > 0.005 {
		t.Errorf("with revenue: %s %.2f", p.LongSource, p.LongRPM)
	}
}

// The windows fixture: videos on both sides of every boundary. The audit,
// the trends and the dashboard count the same videos in the same spans.
func TestAuditTrendsAndDashboardAgreeOnWindows(t *testing.T) {
	e := newEnv(t, options{noGoogle: true})
	ctx := context.Background()
	now := e.clock.Now()
	ms := time.Millisecond
	at := []time.Time{
		now, now.Add(-ms),
		now.Add(-30 * insights.Day), now.Add(-30*insights.Day + ms), now.Add(-30*insights.Day - ms),
		now.Add(-56 * insights.Day), now.Add(-56*insights.Day + ms), now.Add(-56*insights.Day - ms),
		now.Add(-60 * insights.Day), now.Add(-60*insights.Day + ms),
		now.Add(-90 * insights.Day), now.Add(-90*insights.Day + ms), now.Add(-90*insights.Day - ms),
		now.Add(-200 * insights.Day), now.Add(time.Hour), // a scheduled video counts nowhere
	}
	// Across a daylight-saving change: calendar days and 24-hour days differ.
	e.clock.Set(time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC))
	now2 := e.clock.Now()
	for i := range at {
		at[i] = at[i].Add(now2.Sub(now))
	}
	now = now2
	var vs []insights.Video
	for i, t := range at {
		vs = append(vs, insights.Video{ChannelID: e.chID, ID: "w" + string(rune('a'+i)), Title: "Speedrun route " + string(rune('a'+i)),
			PublishedAt: t, DurationSec: 600, Views: int64(100 * (i + 1))})
	}
	if err := e.db.PutVideos(ctx, vs, now); err != nil {
		t.Fatal(err)
	}
	count := func(days int) int {
		n := 0
		for _, v := range vs {
			if insights.LastDays(now, days).Contains(v.PublishedAt) {
				n++
			}
		}
		return n
	}
	a, err := e.svc.Audit(ctx, e.chID, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.svc.Trends(ctx, "US", "0")
	if err != nil {
		t.Fatal(err)
	}
	mc, err := e.svc.Money(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wide := analysis.Audit(vs, analysis.Options{Now: now, Windows: []int{56}})
	want := map[int]int{30: 3, 56: 6, 60: 9, 90: 11}
	for _, w := range a.Report.Windows {
		if w.Uploads != count(w.Days) || w.Uploads != want[w.Days] {
			t.Errorf("audit %d days: %d uploads, the span holds %d", w.Days, w.Uploads, count(w.Days))
		}
		if w.Span != insights.LastDays(now, w.Days) {
			t.Errorf("audit %d-day span = %+v", w.Days, w.Span)
		}
	}
	if tr.OwnVideos != count(56) || tr.OwnVideos != wide.Windows[0].Uploads || tr.OwnVideos != want[56] ||
		tr.Span != insights.LastWeeks(now, service.TrendWeeks) {
		t.Errorf("trends: %d own videos in %+v; the audit's 56 days hold %d", tr.OwnVideos, tr.Span, wide.Windows[0].Uploads)
	}
	var line service.ChannelMoney
	for _, c := range mc.Channels {
		if c.ChannelID == e.chID {
			line = c
		}
	}
	if line.RecentDays != 90 || line.RecentUploads != a.Report.Windows[2].Uploads || line.RecentUploads != want[90] {
		t.Errorf("dashboard: %d uploads in %d days; the audit's 90 days hold %d", line.RecentUploads, line.RecentDays, a.Report.Windows[2].Uploads)
	}
}

// The title scorer's reasons are present in the title; the model follows
// the channel's videos and language.
func TestScoreTitleFollowsTheChannel(t *testing.T) {
	e := newEnv(t, options{noGoogle: true})
	ctx := context.Background()
	e.clock.Set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s, err := e.svc.ScoreTitle(ctx, e.chID, "Chrono Trigger secrets you missed", "")
	if err != nil || s.Calibrated {
		t.Fatalf("before data: %+v, %v", s, err)
	}
	if _, err := e.svc.ImportCSV(ctx, e.chID, openFixture(studio200)); err != nil {
		t.Fatal(err)
	}
	s, err = e.svc.ScoreTitle(ctx, e.chID, "Why Chrono Trigger still matters", "")
	if err != nil || !s.Calibrated || s.Videos != 200 || s.CTR == nil || s.CTR.Videos != 200 {
		t.Fatalf("after the import: %+v, %v", s, err)
	}
	title := "why chrono trigger still matters"
	for _, f := range append(s.Features, s.CTR.Features...) {
		if term, ok := strings.CutPrefix(f.Name, "kw:"); ok && !strings.Contains(title, term) {
			t.Errorf("a reason the title lacks: %q", f.Label)
		}
		if f.Value == 0 {
			t.Errorf("an absent feature listed: %q", f.Label)
		}
	}
	st, err := e.svc.Studio().ScoreTitle(ctx, e.chID, "Why Chrono Trigger still matters", "")
	if err != nil || st.Value != s.Value {
		t.Errorf("studio score %v vs %v: %v", st.Value, s.Value, err)
	}
}
