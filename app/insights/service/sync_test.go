package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/analysis"
	"tubeagency/app/insights/analytics"
	"tubeagency/app/insights/service"
	"tubeagency/app/internal/fakegoogle"
)

// Linking signs in, creates the reach job and reads a year of daily
// numbers per video; the next day's sync reads only that day; a sync with
// nothing missing asks nothing; offline, everything reads from the tables.
func TestLinkThenIncrementalSyncThenOffline(t *testing.T) {
	e := newEnv(t, options{videos: videos(30, 3), monetised: true})
	ctx := context.Background()
	if ev := e.link(true); ev.State != "synced" {
		t.Fatalf("first sync: %+v", ev)
	}
	st, err := e.svc.AnalyticsStatus(ctx, e.chID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Linked || st.YouTubeID != "UCfakeChannel00000000001" || st.LastSync == nil || !st.LastSync.Equal(start) ||
		st.Revenue != insights.RevenueYes || st.LastDay != "2026-02-27" || st.Days == 0 || st.JobCreatedAt == nil {
		t.Fatalf("status after linking = %+v", st)
	}
	// The reports are not there yet: the UI says when they should be.
	if st.Reports != 0 || st.ReportsExpected == nil || !st.ReportsExpected.Equal(start.Add(48*time.Hour)) {
		t.Errorf("reach before two days = %d reports, expected %v", st.Reports, st.ReportsExpected)
	}
	// First sync: one request per video (30) and one for the totals.
	if n := e.queries(fakegoogle.OpReportsQuery); n != 31 {
		t.Errorf("first sync sent %d reports.query requests, want 31", n)
	}
	vs, _ := e.db.Videos(ctx, e.chID)
	if len(vs) != 30 || vs[0].WatchHours == 0 || !vs[0].HasRevenue || vs[0].AvgViewPct == 0 || !vs[0].HasSubscribers {
		t.Fatalf("videos after the first sync: %d, first %+v", len(vs), vs[0])
	}
	rowsBefore, _ := e.db.DayRows(ctx, e.chID)

	// A day later: one new day for every video, read per day.
	e.clock.Add(24 * time.Hour)
	before := e.queries(fakegoogle.OpReportsQuery)
	res, err := e.svc.SyncAnalytics(ctx, e.chID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "days" || res.Through != "2026-02-28" || res.Rows != 30 || res.Fetched != 30 {
		t.Errorf("incremental sync = %+v", res)
	}
	if n := e.queries(fakegoogle.OpReportsQuery) - before; n != 2 {
		t.Errorf("incremental sync sent %d queries, want 2 (the day and the totals)", n)
	}
	qs := e.fake.AnalyticsQueries()
	if q := qs[len(qs)-2]; q.Get("startDate") != "2026-02-28" || q.Get("endDate") != "2026-02-28" {
		t.Errorf("the day asked for = %v", q)
	}
	if rows, _ := e.db.DayRows(ctx, e.chID); rows != rowsBefore+30 {
		t.Errorf("rows %d after %d", rows, rowsBefore)
	}
	// Nothing missing: no query at all.
	before = e.queries(fakegoogle.OpReportsQuery)
	if res, err := e.svc.SyncAnalytics(ctx, e.chID); err != nil || res.Mode != "" {
		t.Fatalf("sync with nothing missing = %+v, %v", res, err)
	}
	if n := e.queries(fakegoogle.OpReportsQuery) - before; n != 0 {
		t.Errorf("a sync with nothing missing sent %d queries", n)
	}

	// Offline: the sync fails saying so, and Insights read the tables.
	last, _ := e.svc.AnalyticsStatus(ctx, e.chID)
	e.fake.Close()
	e.clock.Add(24 * time.Hour)
	if _, err := e.svc.SyncAnalytics(ctx, e.chID); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("offline sync: %v", err)
	}
	st, err = e.svc.AnalyticsStatus(ctx, e.chID)
	if err != nil || !st.LastSync.Equal(*last.LastSync) || !strings.Contains(st.LastError, "offline") {
		t.Fatalf("status offline = %+v, %v", st, err)
	}
	a, err := e.svc.Audit(ctx, e.chID, nil)
	if err != nil || a.Report.Videos != 30 || a.Report.Retention.Videos == 0 {
		t.Fatalf("audit offline: %d videos, %v", a.Report.Videos, err)
	}
	p, err := e.svc.Projection(ctx, e.chID)
	if err != nil || p.ViewsSource != "analytics" || p.LongSource != "revenue" {
		t.Fatalf("projection offline = %+v, %v", p, err)
	}
}

// The app's daily budget stops a sync partway: what was read stays, the
// link says when it goes on, and the next sync reads only what is missing.
func TestQuotaStopsASyncThatResumesAfterTheReset(t *testing.T) {
	e := newEnv(t, options{videos: videos(40, 2), monetised: true, limit: 25})
	ctx := context.Background()
	if ev := e.link(true); ev.State != "sync_failed" || !strings.Contains(ev.Message, "used up") {
		t.Fatalf("first sync = %+v", ev)
	}
	st, _ := e.svc.AnalyticsStatus(ctx, e.chID)
	reset := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC) // midnight Pacific
	if st.RetryAt == nil || !st.RetryAt.Equal(reset) || st.LastSync != nil || st.QuotaUsed != 25 {
		t.Fatalf("status = %+v", st)
	}
	through, _ := e.db.FetchedThrough(ctx, e.chID)
	if len(through) != 25 {
		t.Fatalf("%d videos stored before the stop, want 25", len(through))
	}
	// Before the reset the loop leaves it alone.
	e.clock.Set(reset.Add(-time.Minute))
	before := e.queries(fakegoogle.OpReportsQuery)
	if err := e.svc.SyncDue(ctx); err != nil || e.queries(fakegoogle.OpReportsQuery) != before {
		t.Fatalf("a sync ran before the reset: %v", err)
	}
	// After it, the sync reads the 15 videos left whole (one request each)
	// and the new day (28 February) of the 25 done at once, never their
	// old days again: 15 + 1 + the totals.
	e.clock.Set(reset.Add(time.Hour))
	if err := e.svc.SyncDue(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ = e.svc.AnalyticsStatus(ctx, e.chID)
	if st.LastSync == nil || st.RetryAt != nil || st.LastError != "" {
		t.Fatalf("status after the reset = %+v", st)
	}
	qs := e.fake.AnalyticsQueries()[before:]
	perVideo, perDay := 0, 0
	for _, q := range qs {
		id, ok := strings.CutPrefix(q.Get("filters"), "video==")
		switch {
		case ok:
			perVideo++
			if _, done := through[id]; done {
				t.Errorf("%s asked again", id)
			}
		case q.Get("startDate") == "2026-02-28" && q.Get("endDate") == "2026-02-28":
			perDay++
		}
	}
	if perVideo != 15 || perDay != 1 || len(qs) != 17 {
		t.Errorf("second sync: %d queries, %d per video, %d per day (want 17, 15, 1)", len(qs), perVideo, perDay)
	}
	if got, _ := e.db.FetchedThrough(ctx, e.chID); len(got) != 40 {
		t.Errorf("%d videos fetched after the reset, want 40", len(got))
	}
}

// YouTube's own quotaExceeded spends the day; 401 twice means sign in
// again.
func TestYouTubeQuotaAndSignInAgain(t *testing.T) {
	e := newEnv(t, options{videos: videos(5, 5), monetised: true})
	ctx := context.Background()
	e.link(true)
	e.clock.Add(24 * time.Hour)
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpReportsQuery, Kind: fakegoogle.QuotaExceeded})
	_, err := e.svc.SyncAnalytics(ctx, e.chID)
	var qe *analytics.QuotaError
	if !errors.As(err, &qe) || !errors.Is(err, insights.ErrQuotaExceeded) {
		t.Fatalf("quotaExceeded: %v", err)
	}
	st, _ := e.svc.AnalyticsStatus(ctx, e.chID)
	if st.QuotaUsed != st.QuotaLimit || st.RetryAt == nil {
		t.Errorf("after quotaExceeded the day is spent: %+v", st)
	}
	// The next day, the grant revoked: Google refuses the refresh.
	e.clock.Add(24 * time.Hour)
	e.fake.RevokeAll()
	if _, err := e.svc.SyncAnalytics(ctx, e.chID); err == nil {
		t.Fatal("a revoked grant synced")
	}
	st, _ = e.svc.AnalyticsStatus(ctx, e.chID)
	if !st.NeedsSignIn || !strings.Contains(st.LastError, "sign in again") {
		t.Errorf("status after revocation = %+v", st)
	}
}

// Revenue of a channel outside the Partner Program is refused: the sync
// goes on without it and remembers.
func TestRevenueRefusedForAChannelNotMonetised(t *testing.T) {
	e := newEnv(t, options{videos: videos(6, 5), monetised: false})
	if ev := e.link(true); ev.State != "synced" {
		t.Fatalf("sync = %+v", ev)
	}
	st, _ := e.svc.AnalyticsStatus(context.Background(), e.chID)
	if st.Revenue != insights.RevenueNotMonetised {
		t.Errorf("revenue = %q", st.Revenue)
	}
	vs, _ := e.db.Videos(context.Background(), e.chID)
	for _, v := range vs {
		if v.HasRevenue {
			t.Fatalf("revenue stored for %s", v.ID)
		}
	}
	// Without the monetary scope revenue is never asked for.
	e2 := newEnv(t, options{videos: videos(3, 5), monetised: true})
	e2.link(false)
	st, _ = e2.svc.AnalyticsStatus(context.Background(), e2.chID)
	for _, q := range e2.fake.AnalyticsQueries() {
		if strings.Contains(q.Get("metrics"), "estimatedRevenue") {
			t.Fatal("revenue asked for without the scope")
		}
	}
	if st.Revenue != insights.RevenueNoScope {
		t.Errorf("revenue without the scope = %q", st.Revenue)
	}
}

// Impressions and CTR come from the reach reports two days after linking;
// each report is imported once and fills the audit's CTR ranking.
func TestImpressionsImportedFromReachReports(t *testing.T) {
	e := newEnv(t, options{videos: videos(12, 4), monetised: true})
	ctx := context.Background()
	e.link(true)
	a, _ := e.svc.Audit(ctx, e.chID, nil)
	if a.Report.CTR.Videos != 0 || !hasGap(a.Report, "ctr") {
		t.Fatalf("CTR before any report: %d videos, gaps %+v", a.Report.CTR.Videos, a.Report.Gaps)
	}
	e.clock.Add(49 * time.Hour)
	res, err := e.svc.SyncAnalytics(ctx, e.chID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reports != 31 || e.fake.ReportsDownloaded() != 31 {
		t.Fatalf("reports imported = %d (downloaded %d)", res.Reports, e.fake.ReportsDownloaded())
	}
	st, _ := e.svc.AnalyticsStatus(ctx, e.chID)
	if st.Reports != 31 || st.ReachFrom != "2026-01-31" || st.ReachTo != "2026-03-02" || st.ReportsExpected != nil {
		t.Errorf("status = %+v", st)
	}
	vs, _ := e.db.Videos(ctx, e.chID)
	for _, v := range vs {
		if !v.HasCTR() || v.CTR < 3 || v.CTR > 8 {
			t.Errorf("video %s: %d impressions at %.2f%%", v.ID, v.Impressions, v.CTR)
		}
	}
	a, _ = e.svc.Audit(ctx, e.chID, nil)
	if a.Report.CTR.Videos != 12 || len(a.Report.CTR.Findings) != 2 || hasGap(a.Report, "ctr") {
		t.Errorf("CTR ranking after the reports: %+v", a.Report.CTR)
	}
	// The next day one more report, and only it, is downloaded.
	e.clock.Add(24 * time.Hour)
	if res, err := e.svc.SyncAnalytics(ctx, e.chID); err != nil || res.Reports != 1 || e.fake.ReportsDownloaded() != 32 {
		t.Fatalf("next day: %+v, %v, %d downloads", res, err, e.fake.ReportsDownloaded())
	}
}

func hasGap(r analysis.Report, section string) bool {
	for _, g := range r.Gaps {
		if g.Section == section {
			return true
		}
	}
	return false
}

func TestPlanDaysPicksTheCheaperWay(t *testing.T) {
	pub := map[string]string{}
	for i := 0; i < 1000; i++ {
		pub[string(rune('a'+i%26))+strings.Repeat("x", i/26)] = "2025-03-01"
	}
	p := service.PlanDays(pub, nil, "2026-02-27", "2025-02-28")
	if p.Mode() != "videos" || p.Cost != 1000 || p.DayFrom != "" {
		t.Errorf("first sync of a year: %s cost %d", p.Mode(), p.Cost)
	}
	through := map[string]string{}
	for id := range pub {
		through[id] = "2026-02-26"
	}
	p = service.PlanDays(pub, through, "2026-02-27", "2025-02-28")
	if p.Mode() != "days" || p.Cost != 5 || p.DayFrom != "2026-02-27" {
		t.Errorf("a daily sync: mode %s cost %d from %s", p.Mode(), p.Cost, p.DayFrom)
	}
	if p := service.PlanDays(pub, through, "2026-02-26", "2025-02-28"); p.Mode() != "" || p.Cost != 0 {
		t.Errorf("nothing missing: %s", p.Mode())
	}
	// Three new videos of the last days among 1,000 synced (6 pages a
	// day): the two older ones alone, the last day for everyone else.
	pub["new1"], pub["new2"], pub["new3"] = "2026-02-25", "2026-02-26", "2026-02-27"
	p = service.PlanDays(pub, through, "2026-02-27", "2025-02-28")
	if p.Mode() != "both" || p.DayFrom != "2026-02-27" || p.Cost != 2+6 || len(p.Days) != 1001 {
		t.Errorf("new videos: mode %s from %s cost %d", p.Mode(), p.DayFrom, p.Cost)
	}
	// An old video never read among them: it alone too.
	pub["old"] = "2025-06-01"
	p = service.PlanDays(pub, through, "2026-02-27", "2025-02-28")
	if p.Mode() != "both" || p.Videos["old"] != "2025-06-01" || len(p.Videos) != 3 || p.Cost != 3+6 {
		t.Errorf("an old video: mode %s videos %v cost %d", p.Mode(), p.Videos, p.Cost)
	}
}
