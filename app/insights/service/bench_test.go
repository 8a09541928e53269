package service_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"tubeagency/app/internal/fakegoogle"
)

// BenchmarkAnalyticsSync1000x365 is a first sync of a channel of 1,000
// videos, each with a year of daily numbers to read, from the fake:
// listing the uploads, 365,000 video days, the totals and the reach job.
// It reports the requests sent per sync.
func BenchmarkAnalyticsSync1000x365(b *testing.B) {
	var vids []fakegoogle.AnalyticsVideo
	for i := 0; i < 1000; i++ {
		vids = append(vids, fakegoogle.AnalyticsVideo{ID: fmt.Sprintf("vid%08d", i), Title: fmt.Sprintf("Video %d", i),
			PublishedAt: start.Add(-time.Duration(370+i/4) * 24 * time.Hour), DurationSec: 600})
	}
	var requests, rows, queries int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, options{videos: vids, monetised: true})
		ls, err := e.svc.LinkAnalytics(context.Background(), e.chID, true)
		if err != nil {
			b.Fatal(err)
		}
		// Timed: the browser's return, the token exchange and the first sync.
		b.StartTimer()
		resp, err := http.Get(ls.URL)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ev := e.waitWithin(10*time.Minute, "synced", "sync_failed", "link_failed")
		b.StopTimer()
		if ev.State != "synced" {
			b.Fatalf("sync: %+v", ev)
		}
		st, _ := e.svc.AnalyticsStatus(context.Background(), e.chID)
		if st.Days != 365_000 {
			b.Fatalf("%d video days stored", st.Days)
		}
		rows = st.Days
		requests = st.QuotaUsed + e.reportingRequests()
		queries = e.queries(fakegoogle.OpReportsQuery)
		b.StartTimer()
	}
	b.ReportMetric(float64(requests), "requests/sync")
	b.ReportMetric(float64(queries), "queries/sync")
	b.ReportMetric(float64(rows), "video-days/sync")
}
