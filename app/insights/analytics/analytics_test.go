package analytics_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ya "google.golang.org/api/youtubeanalytics/v2"

	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/insights/analytics"
	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type env struct {
	fake   *fakegoogle.Server
	auth   *google.Auth
	db     *insights.DB
	clock  *clock
	client *analytics.Client
}

// newEnv signs in to the fake with scopes, gives its channel three videos
// and returns a client with a daily budget of limit requests.
func newEnv(t *testing.T, limit int, scopes ...string) *env {
	t.Helper()
	fake := fakegoogle.New()
	t.Cleanup(fake.Close)
	c := &clock{t: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)}
	fake.Now = c.Now
	pub := time.Date(2026, 2, 1, 17, 0, 0, 0, time.UTC)
	fake.SetAnalytics([]fakegoogle.AnalyticsVideo{
		{ID: "vidAAAAAAAA", Title: "Chrono Trigger boy", PublishedAt: pub, DurationSec: 600},
		{ID: "vidBBBBBBBB", Title: "Short one", PublishedAt: pub.AddDate(0, 0, 10), DurationSec: 40},
		{ID: "vidCCCCCCCC", Title: "Third", PublishedAt: pub.AddDate(0, 0, 20), DurationSec: 900},
	}, fakegoogle.DefaultDay, true)
	keys, err := secrets.Open(t.TempDir(), secrets.Options{Mode: secrets.BackendFile})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := google.New(google.Config{ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, Secrets: keys,
		AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL(), RevokeURL: fake.RevokeURL(), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := auth.SignIn(t.Context(), scopes)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	g, err := flow.Wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := insights.OpenDB(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := auth.Client(g.Account)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := analytics.New(t.Context(), analytics.Config{HTTPClient: hc, Quota: db, AnalyticsEndpoint: fake.APIBase(),
		ReportingEndpoint: fake.APIBase(), Limit: limit, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, auth: auth, db: db, clock: c, client: cl}
}

var allScopes = []string{google.ScopeYouTubeReadOnly, google.ScopeAnalytics, google.ScopeAnalyticsMonetary}

func TestDailyAndTotalsFromReportsQuery(t *testing.T) {
	e := newEnv(t, 0, allScopes...)
	ctx := t.Context()
	days, err := e.client.VideoDays(ctx, "vidAAAAAAAA", "2026-02-01", "2026-02-28", true)
	if err != nil {
		t.Fatal(err)
	}
	// The fake's now is 2 March: rows up to 28 February (two days of lag).
	if len(days) != 28 || days[0].Day != "2026-02-01" || days[27].Day != "2026-02-28" || days[0].VideoID != "vidAAAAAAAA" {
		t.Fatalf("%d days: first %+v", len(days), days[0])
	}
	want := fakegoogle.DefaultDay(fakegoogle.AnalyticsVideo{ID: "vidAAAAAAAA", PublishedAt: time.Date(2026, 2, 1, 17, 0, 0, 0, time.UTC), DurationSec: 600},
		time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC))
	d := days[4]
	if d.Views != want.Views || d.Subscribers != want.Subscribers || !d.HasRevenue || d.AvgViewPct != want.AvgViewPct {
		t.Errorf("5 February = %+v, want %+v", d, want)
	}
	tot, err := e.client.Videos(ctx, "2026-02-01", "2026-02-28", true)
	if err != nil || len(tot) != 3 || tot[0].Day != "2026-02-28" {
		t.Fatalf("totals = %+v, %v", tot, err)
	}
	var sum int64
	for _, d := range days {
		sum += d.Views
	}
	for _, v := range tot {
		if v.VideoID == "vidAAAAAAAA" && v.Views != sum {
			t.Errorf("total views %d, sum of days %d", v.Views, sum)
		}
	}
	used, _ := e.db.APIQuotaUsed(ctx, analytics.APIAnalytics, analytics.Day(e.clock.Now()))
	if used != 2 {
		t.Errorf("requests counted = %d, want 2", used)
	}
}

func TestRevenueNeedsTheScopeAndAMonetisedChannel(t *testing.T) {
	e := newEnv(t, 0, google.ScopeYouTubeReadOnly, google.ScopeAnalytics)
	_, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", true)
	if !errors.Is(err, analytics.ErrForbidden) {
		t.Fatalf("revenue without the monetary scope: %v", err)
	}
	days, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", false)
	if err != nil || len(days) != 5 || days[0].HasRevenue {
		t.Fatalf("without revenue: %+v, %v", days, err)
	}
}

func TestQuotaErrors(t *testing.T) {
	e := newEnv(t, 0, allScopes...)
	ctx := t.Context()
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpReportsQuery, Kind: fakegoogle.QuotaExceeded})
	_, err := e.client.VideoDays(ctx, "vidAAAAAAAA", "2026-02-01", "2026-02-05", true)
	var qe *analytics.QuotaError
	if !errors.As(err, &qe) || !errors.Is(err, insights.ErrQuotaExceeded) || qe.Reason != "quotaExceeded" {
		t.Fatalf("quotaExceeded: %v", err)
	}
	if want := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC); !qe.RetryAt.Equal(want) {
		t.Errorf("retry at %v, want midnight Pacific %v", qe.RetryAt, want)
	}
	// YouTube said the day is spent: the app believes it without asking.
	before := e.fake.Stats().Requests[fakegoogle.OpReportsQuery]
	if _, err := e.client.VideoDays(ctx, "vidAAAAAAAA", "2026-02-01", "2026-02-05", true); !errors.As(err, &qe) || qe.Reason != "budget" {
		t.Fatalf("after quotaExceeded: %v", err)
	}
	if e.fake.Stats().Requests[fakegoogle.OpReportsQuery] != before {
		t.Error("a request went out on a spent day")
	}
	// The next Pacific day has a new budget.
	e.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	if _, err := e.client.VideoDays(ctx, "vidAAAAAAAA", "2026-02-01", "2026-02-05", true); err != nil {
		t.Fatalf("the next day: %v", err)
	}
	// 429 with Retry-After: try again after it.
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpReportsQuery, Kind: fakegoogle.RateLimited})
	_, err = e.client.VideoDays(ctx, "vidAAAAAAAA", "2026-02-01", "2026-02-05", true)
	if !errors.As(err, &qe) || qe.Reason != "rateLimitExceeded" || !qe.RetryAt.Equal(e.clock.Now().Add(30*time.Second)) {
		t.Fatalf("429: %v", err)
	}
}

func TestTheAppsOwnBudget(t *testing.T) {
	e := newEnv(t, 2, allScopes...)
	for i := 0; i < 2; i++ {
		if _, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", false); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", false)
	var qe *analytics.QuotaError
	if !errors.As(err, &qe) || qe.Reason != "budget" || !strings.Contains(err.Error(), "used up") {
		t.Fatalf("third request of a budget of two: %v", err)
	}
}

// A 401 is answered by refreshing the token once; a second one means the
// user must sign in again.
func TestUnauthorized(t *testing.T) {
	e := newEnv(t, 0, allScopes...)
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpReportsQuery, Kind: fakegoogle.Unauthorized})
	if _, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", true); err != nil {
		t.Fatalf("one 401 is retried after a refresh: %v", err)
	}
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpReportsQuery, Kind: fakegoogle.Unauthorized, Times: 2})
	_, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", true)
	if !errors.Is(err, google.ErrSignInAgain) {
		t.Fatalf("two 401s: %v", err)
	}
}

func TestOffline(t *testing.T) {
	e := newEnv(t, 0, allScopes...)
	if _, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", true); err != nil {
		t.Fatal(err)
	}
	e.fake.Close()
	_, err := e.client.VideoDays(t.Context(), "vidAAAAAAAA", "2026-02-01", "2026-02-05", true)
	var ae *analytics.Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("offline: %v", err)
	}
}

// The reach job is made once; its reports appear two days later, cover
// the 30 days before it, and hold each video's impressions and rate.
func TestReachReports(t *testing.T) {
	e := newEnv(t, 0, allScopes...)
	ctx := t.Context()
	j, err := e.client.EnsureJob(ctx)
	if err != nil || j.ID == "" || !j.CreatedAt.Equal(e.clock.Now()) {
		t.Fatalf("job = %+v, %v", j, err)
	}
	if again, err := e.client.EnsureJob(ctx); err != nil || again.ID != j.ID || len(e.fake.Jobs()) != 1 {
		t.Fatalf("a second EnsureJob made another job: %+v %v %v", again, err, e.fake.Jobs())
	}
	if reps, err := e.client.Reports(ctx, j.ID, time.Time{}); err != nil || len(reps) != 0 {
		t.Fatalf("reports at once: %d, %v", len(reps), err)
	}
	e.clock.Set(e.clock.Now().Add(fakegoogle.ReportDelay))
	reps, err := e.client.Reports(ctx, j.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// 30 days before the job (1 March) up to 2 March: 31 days, paged by 10.
	if len(reps) != 31 || reps[0].StartDay != "2026-01-31" || reps[30].StartDay != "2026-03-02" {
		t.Fatalf("%d reports, first %+v last %+v", len(reps), reps[0], reps[len(reps)-1])
	}
	rows, err := e.client.Download(ctx, reps[11]) // 11 February: two videos published
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	want := fakegoogle.DefaultDay(fakegoogle.AnalyticsVideo{ID: "vidAAAAAAAA", PublishedAt: time.Date(2026, 2, 1, 17, 0, 0, 0, time.UTC), DurationSec: 600},
		time.Date(2026, 2, 11, 0, 0, 0, 0, time.UTC))
	if r := rows[0]; r.VideoID != "vidAAAAAAAA" || r.Day != "2026-02-11" || r.Impressions != want.Impressions ||
		r.CTR < want.CTR*100-1e-3 || r.CTR > want.CTR*100+1e-3 {
		t.Errorf("row = %+v, want %d impressions at %.4f%%", r, want.Impressions, want.CTR*100)
	}
	later, err := e.client.Reports(ctx, j.ID, reps[30].CreatedAt)
	if err != nil || len(later) != 0 {
		t.Errorf("reports after the newest: %d, %v", len(later), err)
	}
}

func FuzzDecodeRows(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"youtubeAnalytics#resultTable","columnHeaders":[{"name":"day","columnType":"DIMENSION","dataType":"STRING"},{"name":"views"},{"name":"estimatedMinutesWatched"},{"name":"averageViewDuration"},{"name":"averageViewPercentage"},{"name":"subscribersGained"},{"name":"estimatedRevenue"}],"rows":[["2026-02-01",10,5.5,33,40.2,1,0.04]]}`,
		`{"columnHeaders":[{"name":"video"},{"name":"views"},{"name":"estimatedMinutesWatched"},{"name":"averageViewDuration"},{"name":"averageViewPercentage"},{"name":"subscribersGained"}],"rows":[["abc",1,1,1,1,1],["x y",1,1,1,1,1]]}`,
		`{"columnHeaders":[{"name":"day"}],"rows":[["2026-02-30",1]]}`,
		`{"rows":[]}`, `{}`, `{"columnHeaders":[null],"rows":[[null]]}`,
	} {
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, byDay bool) {
		var resp ya.QueryResponse
		if json.Unmarshal(data, &resp) != nil {
			return
		}
		dim, other := "video", "2026-02-01"
		if byDay {
			dim, other = "day", "vid"
		}
		rows, err := analytics.DecodeRows(&resp, dim, other)
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Views < 0 || r.Subscribers < 0 || r.WatchMinutes < 0 || r.AvgViewSec < 0 || r.Revenue < 0 || r.Day == "" || r.VideoID == "" {
				t.Fatalf("bad row %+v", r)
			}
			if _, err := time.Parse(insights.DayLayout, r.Day); err != nil {
				t.Fatalf("bad day %q", r.Day)
			}
		}
	})
}

func FuzzReadReach(f *testing.F) {
	for _, seed := range []string{
		"date,channel_id,video_id,traffic_source_type,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260210,UC1,vidAAAAAAAA,3,100,0.05\n20260210,UC1,vidAAAAAAAA,5,300,0.01\n",
		"video_id,date,video_thumbnail_impressions_ctr,video_thumbnail_impressions\nabc,20260101,1,0\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20261301,a,1,0.1\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260101,a,1,1.5\n",
		"", "\n", "date\n", "date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260101,a,-1,0.1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := analytics.ReadReach(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Impressions < 0 || r.CTR < 0 || r.CTR > 100 || r.VideoID == "" {
				t.Fatalf("bad row %+v", r)
			}
			k := r.Day + "/" + r.VideoID
			if seen[k] {
				t.Fatalf("%s twice", k)
			}
			seen[k] = true
		}
	})
}

// Rows of one video and day over several traffic sources add up, the
// rate weighted by impressions.
func TestReadReachAddsTrafficSources(t *testing.T) {
	csv := "date,channel_id,video_id,traffic_source_type,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n" +
		"20260210,UC1,vidAAAAAAAA,3,100,0.05\n20260210,UC1,vidAAAAAAAA,5,300,0.01\n20260209,UC1,vidBBBBBBBB,3,10,0.2\n"
	rows, err := analytics.ReadReach(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Day != "2026-02-09" || rows[1].Impressions != 400 || fmt.Sprintf("%.4f", rows[1].CTR) != "2.0000" {
		t.Fatalf("rows = %+v", rows)
	}
	for _, bad := range []string{
		"date,video_id\n20260101,a\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n2026-01-01,a,1,0.1\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260101,a,1,5\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260101,a,1\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260101,\"a b\",1,0.1\n",
		"date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n20260101,a,1," + strings.Repeat("9", 70<<10) + "\n",
	} {
		if _, err := analytics.ReadReach(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad[:min(len(bad), 80)])
		}
	}
}
