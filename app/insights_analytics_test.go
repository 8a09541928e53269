package app

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"testing"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/insights/revenue"
	"tubeagency/app/insights/service"
	"tubeagency/app/internal/fakegoogle"
)

// analyticsTest starts a runtime whose Google endpoints are the fake's, with
// a channel of videos long-form and Shorts published over seven months.
func analyticsTest(t *testing.T) (*Runtime, *App, string, *fakegoogle.Server) {
	t.Helper()
	fake := fakegoogle.New()
	t.Cleanup(fake.Close)
	now := time.Now()
	var vids []fakegoogle.AnalyticsVideo
	for i := 0; i < 24; i++ {
		dur := 720
		if i%3 == 0 {
			dur = 40
		}
		vids = append(vids, fakegoogle.AnalyticsVideo{ID: fmt.Sprintf("vid%08d", i), Title: fmt.Sprintf("Sourdough lesson %d", i),
			PublishedAt: now.AddDate(0, 0, -9*i-5), DurationSec: dur})
	}
	fake.SetAnalytics(vids, fakegoogle.DefaultDay, true)
	t.Setenv(EnvYouTubeEndpoint, fake.APIBase())
	t.Setenv(EnvAnalyticsEndpoint, fake.APIBase())
	t.Setenv(EnvGoogleOAuthEndpoint, fake.URL)
	rt := startTest(t)
	rt.keys.mode = "file"
	ch, err := rt.API().CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	return rt, rt.API(), ch.ID, fake
}

// Connecting YouTube Analytics through the bound methods: the OAuth client
// is checked and kept in the key store, the browser's return completes the
// sign-in, the first sync stores the numbers, and the projection learns
// the channel's own RPMs (the fake pays $4 per 1,000 long-form views and
// $0.05 per 1,000 Shorts views) month by month, in cents.
func TestConnectAnalyticsLearnsRevenueFromEarnings(t *testing.T) {
	rt, a, chID, fake := analyticsTest(t)
	if _, err := a.ConnectAnalytics(chID, true); fieldOf(err) != "client_id" {
		t.Fatalf("connect without a client: %v", err)
	}
	if _, err := a.SetAnalyticsOAuthClient("not-a-client", ""); fieldOf(err) != "client_id" {
		t.Errorf("a bad client id: %v", err)
	}
	if _, err := a.SetAnalyticsOAuthClient(fake.ClientID, "bad secret!"); fieldOf(err) != "client_secret" {
		t.Errorf("a bad client secret: %v", err)
	}
	c, err := a.SetAnalyticsOAuthClient(fake.ClientID, fake.ClientSecret)
	if err != nil || !c.Configured || c.ClientID != fake.ClientID {
		t.Fatalf("client = %+v, %v", c, err)
	}
	if _, err := a.SyncAnalytics(chID); fieldOf(err) != "channel_id" {
		t.Errorf("sync before linking: %v", err)
	}
	evs, stop := rt.Hub().Subscribe(256)
	defer stop()
	ls, err := a.ConnectAnalytics(chID, true)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ls.URL) // the browser: Google consents and redirects to the loopback listener
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	timeout := time.After(60 * time.Second)
wait:
	for {
		select {
		case ev := <-evs:
			if ev.Name != events.Insights {
				continue
			}
			switch e := ev.Data.(service.Event); e.State {
			case "synced":
				break wait
			case "sync_failed", "link_failed":
				t.Fatalf("link: %+v", e)
			}
		case <-timeout:
			t.Fatal("no sync after the sign-in")
		}
	}
	st, err := a.AnalyticsStatus(chID)
	if err != nil || !st.Linked || st.LastSync == nil || st.Revenue != "yes" || st.Days == 0 || st.JobCreatedAt == nil {
		t.Fatalf("status = %+v, %v", st, err)
	}
	p, err := a.RevenueProjection(chID)
	if err != nil {
		t.Fatal(err)
	}
	if p.LongSource != revenue.SourceRevenue || p.ShortsSource != revenue.SourceRevenue || p.Fit.Unit != "month" || p.ViewsSource != revenue.ViewsAnalytics {
		t.Fatalf("projection: sources %s/%s, fit unit %q, views %s", p.LongSource, p.ShortsSource, p.Fit.Unit, p.ViewsSource)
	}
	if e := math.Abs(p.LongRPM-4) / 4; e >= 0.05 {
		t.Errorf("long-form RPM %.2f, %.1f%% off the fake's $4", p.LongRPM, e*100)
	}
	if math.Abs(p.ShortsRPM-0.05) > 0.005 {
		t.Errorf("Shorts RPM %.2f, the fake pays $0.05", p.ShortsRPM)
	}
	if !(p.Months[0].Low < p.Months[0].Expected && p.Months[0].Expected < p.Months[0].High) {
		t.Errorf("no band around %v: %v–%v", p.Months[0].Expected, p.Months[0].Low, p.Months[0].High)
	}
	for _, x := range []float64{p.LongRPM, p.ShortsRPM, p.Months[0].Expected, p.Months[0].Low, p.Months[0].High} {
		if math.Abs(x*100-math.Round(x*100)) > 1e-6 {
			t.Errorf("%v has more than cents", x)
		}
	}
	audit, err := a.AuditChannel(chID, "")
	if err != nil || audit.Report.Retention.Videos == 0 || audit.Report.Coverage.Revenue != 24 {
		t.Fatalf("audit after the sync: retention %d videos, revenue %d, %v", audit.Report.Retention.Videos, audit.Report.Coverage.Revenue, err)
	}
	// The audit's RPM per format is the projection's: revenue over the
	// views it was earned on (Analytics lags the public view count).
	if math.Abs(audit.Report.Formats.Long.RPM-p.LongRPM) > 0.01 || math.Abs(audit.Report.Formats.Shorts.RPM-p.ShortsRPM) > 0.01 {
		t.Errorf("RPM: audit %.3f/%.3f, projection %.2f/%.2f", audit.Report.Formats.Long.RPM, audit.Report.Formats.Shorts.RPM, p.LongRPM, p.ShortsRPM)
	}
	if err := a.DisconnectAnalytics(chID, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.AnalyticsStatus(chID); st.Linked {
		t.Errorf("still linked after disconnecting")
	}
	if vs, _ := a.ListInsightVideos(chID); len(vs) != 24 {
		t.Errorf("the numbers fetched should stay: %d videos", len(vs))
	}
}
