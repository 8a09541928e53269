package service_test

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/service"
)

// On the 200-video export every number that is told twice agrees: the
// audit's windows, the trends' eight weeks and the dashboard's recent
// uploads count the same videos; the audit's window totals are the sums of
// the export's own columns over those videos; the audit's RPM per format
// is the projection's fitted RPM; and the dashboard's month is the
// projection's month.
func TestStudio200NumbersAgree(t *testing.T) {
	e := newEnv(t, options{noGoogle: true})
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	if _, err := e.svc.ImportCSV(ctx, e.chID, openFixture(studio200)); err != nil {
		t.Fatal(err)
	}
	// The export read on its own, as the reference.
	var vs []insights.Video
	f, err := os.Open(studio200)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := csvimport.Read(f, e.chID, func(v insights.Video) error { vs = append(vs, v); return nil }); err != nil {
		t.Fatal(err)
	}
	f.Close()
	type sums struct {
		uploads                int
		views, impressions     int64
		subscribers            int64
		revenue, watch, clicks float64
	}
	in := func(span insights.Span) sums {
		var s sums
		for _, v := range vs {
			if !span.Contains(v.PublishedAt) {
				continue
			}
			s.uploads++
			s.views += v.Views
			s.revenue += v.Revenue
			s.watch += v.WatchHours
			s.subscribers += v.Subscribers
			if v.HasCTR() {
				s.impressions += v.Impressions
				s.clicks += float64(v.Impressions) * v.CTR / 100
			}
		}
		return s
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
	p, err := e.svc.Projection(ctx, e.chID)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Report.Windows) != 3 {
		t.Fatalf("%d windows", len(a.Report.Windows))
	}
	for _, w := range a.Report.Windows {
		want := in(insights.LastDays(now, w.Days))
		t.Logf("%d days: %d uploads, %d views, $%.2f, CTR %.2f%%, %d findings", w.Days, w.Uploads, w.TotalViews, w.Revenue, w.CTR,
			len(a.Report.CTR.Findings)+len(a.Report.Retention.Findings))
		if w.Uploads == 0 || w.Uploads != want.uploads || w.TotalViews != want.views || w.Subscribers != want.subscribers ||
			w.Impressions != want.impressions {
			t.Errorf("%d days: audit %d uploads, %d views, %d subscribers, %d impressions; the export holds %+v",
				w.Days, w.Uploads, w.TotalViews, w.Subscribers, w.Impressions, want)
		}
		if math.Abs(w.Revenue-want.revenue) > 0.005 || math.Abs(w.WatchHours-want.watch) > 0.05 {
			t.Errorf("%d days: audit revenue %.2f and watch time %.1f h; the export holds %.2f and %.1f h",
				w.Days, w.Revenue, w.WatchHours, want.revenue, want.watch)
		}
		if ctr := want.clicks / float64(want.impressions) * 100; math.Abs(w.CTR-ctr) > 0.01 {
			t.Errorf("%d days: audit CTR %.2f%%, the export's impressions give %.2f%%", w.Days, w.CTR, ctr)
		}
	}
	weeks := in(insights.LastWeeks(now, service.TrendWeeks))
	if tr.OwnVideos != weeks.uploads || tr.Span != insights.LastWeeks(now, service.TrendWeeks) {
		t.Errorf("trends count %d own videos in eight weeks; the export holds %d", tr.OwnVideos, weeks.uploads)
	}
	line := mc.Channels[0]
	if line.RecentUploads != a.Report.Windows[2].Uploads || line.RecentDays != a.Report.Windows[2].Days || p.RecentUploads != line.RecentUploads {
		t.Errorf("dashboard: %d uploads in %d days, projection %d; the audit's 90 days hold %d",
			line.RecentUploads, line.RecentDays, p.RecentUploads, a.Report.Windows[2].Uploads)
	}
	if p.Fit.Long == nil || p.Fit.Shorts == nil {
		t.Fatalf("no fit: %+v", p.Fit)
	}
	if math.Abs(a.Report.Formats.Long.RPM-p.Fit.Long.RPM) > 0.005 || math.Abs(a.Report.Formats.Shorts.RPM-p.Fit.Shorts.RPM) > 0.005 {
		t.Errorf("RPM: audit %.2f/%.2f, projection %.2f/%.2f", a.Report.Formats.Long.RPM, a.Report.Formats.Shorts.RPM,
			p.Fit.Long.RPM, p.Fit.Shorts.RPM)
	}
	t.Logf("trends %d own videos; dashboard %d uploads in %d days; RPM long %.2f shorts %.2f; next month $%.2f (%.2f–%.2f)",
		tr.OwnVideos, line.RecentUploads, line.RecentDays, p.LongRPM, p.ShortsRPM, p.Months[0].Expected, p.Months[0].Low, p.Months[0].High)
	if line.Month != p.Months[0] || mc.Months[0].Expected != p.Months[0].Expected {
		t.Errorf("dashboard month %+v (total %+v); projection %+v", line.Month, mc.Months[0], p.Months[0])
	}
}
