package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/service"
	"tubeagency/internal/store"
)

// insightsTest starts a runtime whose key store is the 0600 file and whose
// YouTube endpoint is endpoint ("" for none).
func insightsTest(t *testing.T, endpoint string) (*Runtime, *App, string) {
	t.Helper()
	t.Setenv(EnvYouTubeEndpoint, endpoint)
	rt := startTest(t)
	rt.keys.mode = "file"
	a := rt.API()
	in := validChannel()
	in.YouTubeID = "UCbakery0000000000000000"
	ch, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	return rt, a, ch.ID
}

// studioCSV writes an export of n videos where titles with a number do
// far better, published one every three days up to now.
func studioCSV(n int, now time.Time) string {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("\ufeffContent,Video title,Video publish time,Duration,Views,Watch time (hours)\nTotal,,,,0,0\n")
	words := []string{"pasta", "soup", "bread", "salad", "curry", "stew", "pie", "rice", "tacos", "noodles"}
	for i := 0; i < n; i++ {
		title := words[rng.IntN(10)] + " " + words[rng.IntN(10)] + " for busy evenings"
		age := 3*i + 2
		vpd := 20 + rng.IntN(10)
		if rng.IntN(2) == 0 {
			title = fmt.Sprintf("%d ", 3+rng.IntN(9)) + title
			vpd = 200 + rng.IntN(50)
		}
		dur := 600
		if i%4 == 0 {
			dur = 50
		}
		pub := now.AddDate(0, 0, -age).Format("Jan 2, 2006")
		fmt.Fprintf(&b, "vid%04d,\"%s\",\"%s\",%d,%d,1.5\n", i, title, pub, dur, vpd*age)
	}
	return b.String()
}

func TestInsightsImportAuditScoreAndMoney(t *testing.T) {
	rt, a, chID := insightsTest(t, "")
	now := rt.opts.Now()

	// Before any data: the predictor is uncalibrated and says so.
	s, err := a.ScoreTitle(chID, "5 pasta dinners", "")
	if err != nil || s.Calibrated || !strings.Contains(s.Note, "Uncalibrated") {
		t.Fatalf("score before data = %+v, %v", s, err)
	}

	res, err := a.ImportStudioCSV(chID, studioCSV(60, now))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 60 || res.Skipped != 1 {
		t.Fatalf("import = %+v", res)
	}
	audit, err := a.AuditChannel(chID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AuditChannel(chID, "Mars/Olympus"); fieldOf(err) != "time_zone" {
		t.Errorf("bad time zone: %v", err)
	}
	// Read in Tokyo, CSV dates (midnight UTC) still carry no hour.
	tokyo, err := a.AuditChannel(chID, "Asia/Tokyo")
	if err != nil || tokyo.TimeZone != "Asia/Tokyo" || tokyo.Report.BestTime.HourKnown || tokyo.Report.BestTime.Hour != -1 {
		t.Errorf("Tokyo audit: zone %q, best hour %d (known %v), %v", tokyo.TimeZone, tokyo.Report.BestTime.Hour, tokyo.Report.BestTime.HourKnown, err)
	}
	r := audit.Report
	if r.Videos != 60 || len(r.Windows) != 3 || r.Windows[0].Uploads != 10 || len(audit.History) != 1 || r.Formats.Shorts.Videos != 15 {
		t.Errorf("audit: videos %d, 30-day uploads %d, history %d, shorts %d", r.Videos, r.Windows[0].Uploads, len(audit.History), r.Formats.Shorts.Videos)
	}

	with, err := a.ScoreTitle(chID, "7 pasta soup for busy evenings", "")
	if err != nil {
		t.Fatal(err)
	}
	without, _ := a.ScoreTitle(chID, "pasta soup for busy evenings", "")
	if !with.Calibrated || with.Accuracy < 0.8 || with.Videos != 60 || with.Value <= without.Value {
		t.Errorf("calibrated score = %+v vs %v", with, without.Value)
	}
	if _, err := a.ScoreTitle(chID, strings.Repeat("x", 201), ""); fieldOf(err) != "title" {
		t.Errorf("long title: %v", err)
	}

	// A bad file changes nothing and names line and column.
	bad := "Content,Video title,Video publish time,Views\nnew1,Fine,2025-01-01,5\nnew2,Broken,2025-01-02,12x\n"
	if _, err := a.ImportStudioCSV(chID, bad); fieldOf(err) != "csv" || !strings.Contains(err.Error(), `line 3, column "Views"`) {
		t.Fatalf("bad csv: %v", err)
	}
	if vs, _ := a.ListInsightVideos(chID); len(vs) != 60 {
		t.Errorf("a rejected file wrote rows: %d videos", len(vs))
	}
	if _, err := a.ImportStudioCSV("nope", studioCSV(1, now)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown channel: %v", err)
	}

	mc, err := a.MoneyCounter()
	if err != nil {
		t.Fatal(err)
	}
	if len(mc.Channels) != 1 || mc.PerSecond <= 0 || mc.Channels[0].Calibrated || len(mc.Months) != 12 ||
		!(mc.Months[0].Low < mc.Months[0].Expected && mc.Months[0].Expected < mc.Months[0].High) {
		t.Fatalf("money counter = %+v", mc)
	}
	before := mc.Channels[0].Month.Expected
	if _, err := a.PutEarnings(chID, EarningInput{Month: "2099-01", Amount: 10, Views: 100}); fieldOf(err) != "month" {
		t.Errorf("future month: %v", err)
	}
	if _, err := a.PutEarnings(chID, EarningInput{Month: now.AddDate(0, -1, 0).Format("2006-01"), Amount: 10, Views: 0}); fieldOf(err) != "views" {
		t.Errorf("zero views: %v", err)
	}
	// Entered: $1 per 1,000 views.
	if _, err := a.PutEarnings(chID, EarningInput{Month: now.AddDate(0, -1, 0).Format("2006-01"), Amount: 150, Views: 150000}); err != nil {
		t.Fatal(err)
	}
	p, err := a.RevenueProjection(chID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Calibrated || p.Calibration.RPM != 1 {
		t.Fatalf("projection not calibrated: %+v", p.Calibration)
	}
	if got := p.Months[0].Expected; got == before || got <= 0 {
		t.Errorf("calibration did not change the projection: %v → %v", before, got)
	}
	// Money is kept in whole cents: within half a cent of the exact sum
	// (exactly half when the sum ends in a half cent, as 110.715 does; the
	// views follow the clock, so the margin allows for float error).
	if diff := p.Months[0].Expected - p.Months[0].Views/1000; math.Abs(diff) > 0.005+1e-9 {
		t.Errorf("calibrated month %v should earn its %v views at $1 per 1,000, to the cent", p.Months[0].Expected, p.Months[0].Views)
	}
}

func TestProjectionFallsBackToPlannedCadence(t *testing.T) {
	_, a, chID := insightsTest(t, "")
	// One old long-form video of 3,000 views, nothing in the last 90 days; the plan is 2 a week.
	if _, err := a.AddVideo(chID, VideoInput{Title: "Old favourite", PublishedAt: "2024-01-10", DurationSec: 900, Views: 3000}); err != nil {
		t.Fatal(err)
	}
	p, err := a.RevenueProjection(chID)
	if err != nil {
		t.Fatal(err)
	}
	want := 3000 * 2 * 365.25 / 12 / 7 // median × planned cadence × weeks a month
	if d := p.MonthlyLong - want; d > 1e-6 || d < -1e-6 || p.MonthlyShts != 0 {
		t.Errorf("monthly views = %v long, %v shorts; want %v long", p.MonthlyLong, p.MonthlyShts, want)
	}
}

func TestMeasuredMonthlyViews(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	pt := func(days int, v float64) insights.Point { return insights.Point{At: at.AddDate(0, 0, days), Value: v} }
	scenarios := []struct {
		name string
		hist []insights.Point
		want float64
	}{
		{"none", nil, 0},
		{"one snapshot", []insights.Point{pt(0, 100)}, 0},
		{"same day", []insights.Point{pt(0, 100), {At: at.Add(time.Hour), Value: 500}}, 0},
		{"ten days, 1,000 a day", []insights.Point{pt(0, 10_000), pt(10, 20_000)}, 1000 * 365.25 / 12},
		{"only the last 60 days count", []insights.Point{pt(0, 0), pt(100, 50_000), pt(130, 80_000)}, 1000 * 365.25 / 12},
		{"shrinking totals (deleted videos)", []insights.Point{pt(0, 900), pt(5, 100)}, 0},
	}
	for _, sc := range scenarios {
		if got := service.MeasuredMonthlyViews(sc.hist); got-sc.want > 1e-6 || sc.want-got > 1e-6 {
			t.Errorf("%s: %v, want %v", sc.name, got, sc.want)
		}
	}
}

func TestInsightsManualEntryValidation(t *testing.T) {
	_, a, chID := insightsTest(t, "")
	good := VideoInput{Title: "Hand-made entry", PublishedAt: "2025-01-05T18:00", DurationSec: 600, Views: 1200}
	scenarios := []struct {
		name  string
		edit  func(*VideoInput)
		field string
	}{
		{"no title", func(v *VideoInput) { v.Title = " " }, "title"},
		{"bad date", func(v *VideoInput) { v.PublishedAt = "yesterday" }, "published_at"},
		{"future", func(v *VideoInput) { v.PublishedAt = "2999-01-01" }, "published_at"},
		{"negative views", func(v *VideoInput) { v.Views = -1 }, "views"},
		{"bad id", func(v *VideoInput) { v.ID = "a b" }, "id"},
		{"long video", func(v *VideoInput) { v.DurationSec = 90000 }, "duration_sec"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			in := good
			sc.edit(&in)
			if _, err := a.AddVideo(chID, in); fieldOf(err) != sc.field {
				t.Errorf("err = %v, want field %s", err, sc.field)
			}
		})
	}
	if vs, _ := a.ListInsightVideos(chID); len(vs) != 0 {
		t.Fatalf("rejected entries were stored: %d", len(vs))
	}
	v, err := a.AddVideo(chID, good)
	if err != nil || !strings.HasPrefix(v.ID, "manual-") || v.Source != "manual" || v.PublishedAt.Hour() != 18 {
		t.Fatalf("added = %+v, %v", v, err)
	}
	if err := a.DeleteInsightVideo(chID, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteInsightVideo(chID, v.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

const testKey = "AIzaSyAPPTEST_secret_0123456789abcdefgh"

// youTubeServer answers like the Data API v3 for one channel with three
// uploads, or with quotaExceeded when quota is set.
func youTubeServer(t *testing.T, quota *bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.URL.Query().Get("key") != testKey {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","errors":[{"message":"API key not valid. Please pass a valid API key.","domain":"global","reason":"badRequest"}],"status":"INVALID_ARGUMENT"}}`)
			return
		}
		if *quota {
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":{"code":403,"message":"The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.","errors":[{"message":"The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.","domain":"youtube.quota","reason":"quotaExceeded"}]}}`)
			return
		}
		switch r.URL.Path {
		case "/youtube/v3/channels":
			fmt.Fprint(w, `{"kind":"youtube#channelListResponse","items":[{"kind":"youtube#channel","id":"UCbakery0000000000000000","snippet":{"title":"Bakery Lab"},"contentDetails":{"relatedPlaylists":{"uploads":"UUbakery0000000000000000"}},"statistics":{"viewCount":"9000","subscriberCount":"120","videoCount":"3"}}]}`)
		case "/youtube/v3/playlistItems":
			fmt.Fprint(w, `{"kind":"youtube#playlistItemListResponse","items":[{"contentDetails":{"videoId":"a1"}},{"contentDetails":{"videoId":"a2"}},{"contentDetails":{"videoId":"a3"}}],"pageInfo":{"totalResults":3,"resultsPerPage":50}}`)
		case "/youtube/v3/videos":
			var items []string
			for i, id := range []string{"a1", "a2", "a3"} {
				items = append(items, fmt.Sprintf(`{"id":%q,"snippet":{"publishedAt":%q,"title":"Loaf %d","channelId":"UCbakery0000000000000000"},"contentDetails":{"duration":"PT8M"},"statistics":{"viewCount":"%d","likeCount":"1","commentCount":"0"}}`,
					id, time.Now().AddDate(0, 0, -i-1).UTC().Format(time.RFC3339), i, 1000*(i+1)))
			}
			fmt.Fprintf(w, `{"kind":"youtube#videoListResponse","items":[%s]}`, strings.Join(items, ","))
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestYouTubeKeyFetchAndQuota(t *testing.T) {
	quota := false
	srv := youTubeServer(t, &quota)
	rt, a, chID := insightsTest(t, srv.URL+"/")

	if _, err := a.FetchFromYouTube(chID); fieldOf(err) != "api_key" {
		t.Fatalf("fetch without a key: %v", err)
	}
	if _, err := a.SetYouTubeAPIKey("not a key"); fieldOf(err) != "api_key" {
		t.Fatalf("bad key: %v", err)
	}
	st, err := a.SetYouTubeAPIKey(testKey)
	if err != nil || !st.KeySet || st.QuotaLimit != 10000 {
		t.Fatalf("set key: %+v, %v", st, err)
	}
	res, err := a.FetchFromYouTube(chID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Videos != 3 || res.Title != "Bakery Lab" || res.Subscribers != 120 || res.QuotaUsed != 4 {
		t.Errorf("fetch = %+v", res)
	}
	audit, _ := a.AuditChannel(chID, "UTC")
	if audit.Stats == nil || audit.Stats.Subscribers != 120 {
		t.Errorf("channel snapshot = %+v", audit.Stats)
	}
	if audit.Report.Videos != 3 || audit.Report.MedianViews != 2000 {
		t.Errorf("audit after fetch: %d videos, median %v", audit.Report.Videos, audit.Report.MedianViews)
	}

	comp, err := a.AddCompetitor(chID, "UCbakery0000000000000000")
	if err != nil || comp.Title != "Bakery Lab" {
		t.Fatalf("competitor = %+v, %v", comp, err)
	}
	if _, err := a.AddCompetitor(chID, "bakery"); fieldOf(err) != "youtube_id" {
		t.Errorf("bad competitor id: %v", err)
	}
	tr, err := a.Trends("us", "")
	if err != nil || !tr.Online || tr.CorpusVideos == 0 {
		t.Fatalf("online trends = %+v, %v", tr, err)
	}
	if _, err := a.Trends("USA", ""); fieldOf(err) != "region" {
		t.Errorf("bad region: %v", err)
	}

	// YouTube says the quota is spent: the user reads a plain sentence, and
	// trends fall back to the last snapshot. (A second channel and another
	// region miss the 1 h cache, so these calls reach YouTube.)
	quota = true
	in := validChannel()
	in.Name, in.YouTubeID = "Second", "UCsecond0000000000000000"
	second, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	_, qerr := a.FetchFromYouTube(second.ID)
	if !errors.Is(qerr, insights.ErrQuotaExceeded) || !strings.Contains(qerr.Error(), "quota is used up") {
		t.Fatalf("quota: %v", qerr)
	}
	st, _ = a.YouTubeAPIStatus()
	if st.QuotaUsed != st.QuotaLimit {
		t.Errorf("after quotaExceeded the day should count as spent: %d of %d", st.QuotaUsed, st.QuotaLimit)
	}
	tr, err = a.Trends("GB", "0")
	if err != nil || tr.Online || !strings.Contains(tr.Message, "quota") || tr.CorpusVideos == 0 {
		t.Errorf("trends over quota = online %v, message %q, corpus %d, %v", tr.Online, tr.Message, tr.CorpusVideos, err)
	}
	if at, vs, _ := rt.insights.svc.DB().Chart(context.Background(), "US", "0"); at.IsZero() || len(vs) != 3 {
		t.Errorf("the last US chart snapshot should stay for offline use: %v, %d videos", at, len(vs))
	}

	// The key is in the 0600 key file only: not in the database, not in errors.
	for _, name := range []string{"tubeagency.db", "tubeagency.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(rt.opts.DataDir, name))
		if bytes.Contains(b, []byte(testKey)) {
			t.Errorf("the API key is in %s", name)
		}
	}
	fi, err := os.Stat(filepath.Join(rt.opts.DataDir, "secrets.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file: %v %v", fi, err)
	}
	if strings.Contains(fmt.Sprintf("%v %+v", qerr, FormatError(qerr)), testKey) {
		t.Error("the key is in an error")
	}
	st, _ = a.DeleteYouTubeAPIKey()
	if st.KeySet {
		t.Error("key still set after delete")
	}
	tr, _ = a.Trends("US", "")
	if tr.Online || !strings.Contains(tr.Message, "add a YouTube API key") {
		t.Errorf("offline trends message = %q", tr.Message)
	}
}

func fieldOf(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// BenchmarkScoreTitleLive is one keystroke of the title scorer through the
// runtime: the model-version check against SQLite plus scoring, on a
// channel of 1,000 videos whose model is already trained.
func BenchmarkScoreTitleLive(b *testing.B) {
	rt, err := Start(context.Background(), Options{DataDir: b.TempDir(), Mode: "test"})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	ch, err := rt.API().CreateChannel(validChannel())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := rt.API().ImportStudioCSV(ch.ID, studioCSV(1000, rt.opts.Now())); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if s, err := rt.ScoreTitle(ctx, ch.ID, "warm up", ""); err != nil || !s.Calibrated {
		b.Fatalf("%+v %v", s, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := rt.ScoreTitle(ctx, ch.ID, "7 pasta soup for busy evenings", "QUICK"); err != nil {
			b.Fatal(err)
		}
	}
}

// studioRows streams an export of n videos without holding it in memory.
type studioRows struct {
	n, next int
	now     time.Time
	buf     []byte
}

func (s *studioRows) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) && s.next <= s.n {
		if s.next == 0 {
			s.buf = append(s.buf, "Content,Video title,Video publish time,Duration,Views\n"...)
		} else {
			s.buf = fmt.Appendf(s.buf, "v%07d,\"Recipe number %d, done fast\",%s,%d,%d\n", s.next, s.next,
				s.now.Add(-time.Duration(s.next)*time.Hour).Format("2006-01-02T15:04:05"), 60+s.next%900, s.next%7000)
		}
		s.next++
	}
	if len(s.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func TestInsightsImportRouteStreamsLargeFiles(t *testing.T) {
	rt, _, chID := insightsTest(t, "")
	srv := httptest.NewServer(serveMux(rt))
	t.Cleanup(srv.Close)
	post := func(channel, contentType string, body io.Reader) (int, map[string]any) {
		t.Helper()
		res, err := http.Post(srv.URL+"/api/insights/import/"+channel, contentType, body)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, out
	}
	// 150,000 rows, about 11 MB: more than a pasted table may carry (4 MB).
	status, out := post(chID, "text/csv", &studioRows{n: 150_000, now: rt.opts.Now()})
	if status != 200 || out["rows"] != float64(150_000) {
		t.Fatalf("large import: %d %v", status, out)
	}
	if n := countVideos(t, rt, chID); n != 150_000 {
		t.Fatalf("stored %d videos", n)
	}
	scenarios := []struct {
		name, channel, ct, body string
		status                  int
		field, contains         string
	}{
		{"form post refused", chID, "application/x-www-form-urlencoded", "a=b", 422, "csv", "text/csv"},
		{"empty", chID, "text/csv", "", 422, "csv", "empty"},
		{"bad number", chID, "text/csv", "Content,Video title,Video publish time,Views\nx,T,2025-01-01,many\n", 422, "csv", `line 2, column "Views"`},
		{"unknown channel", "nope", "text/csv", "Content,Video title,Video publish time,Views\nx,T,2025-01-01,1\n", 404, "", "channel not found"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			status, out := post(sc.channel, sc.ct, strings.NewReader(sc.body))
			if status != sc.status || sc.field != "" && bodyField(out) != sc.field || !strings.Contains(fmt.Sprint(out["message"]), sc.contains) {
				t.Errorf("got %d %v, want %d field %q containing %q", status, out, sc.status, sc.field, sc.contains)
			}
		})
	}
	if n := countVideos(t, rt, chID); n != 150_000 {
		t.Errorf("rejected uploads changed the data: %d videos", n)
	}
	left, _ := filepath.Glob(filepath.Join(rt.opts.DataDir, ".import-*"))
	if len(left) != 0 {
		t.Errorf("spool files left behind: %v", left)
	}
}

// answerDialogs answers the system's file dialogs as a user would, with
// the paths given, and records what was asked.
type answerDialogs struct {
	open, save string
	err        error
	asked      []FileDialog
}

func (d *answerDialogs) OpenFile(_ context.Context, fd FileDialog) (string, error) {
	d.asked = append(d.asked, fd)
	return d.open, d.err
}

func (d *answerDialogs) SaveFile(_ context.Context, fd FileDialog) (string, error) {
	d.asked = append(d.asked, fd)
	return d.save, d.err
}

func TestImportStudioCSVPickUsesTheSystemDialog(t *testing.T) {
	rt, a, chID := insightsTest(t, "")
	// Serve mode has no dialog: the method says to upload instead.
	if _, err := a.ImportStudioCSVPick(chID); !errors.Is(err, ErrNoDialogs) || FormatError(err).Code != CodeUnavailable {
		t.Fatalf("without dialogs: %v", err)
	}
	path := filepath.Join(t.TempDir(), "Table data.csv")
	if err := os.WriteFile(path, []byte(studioCSV(12, rt.opts.Now())), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &answerDialogs{open: path}
	rt.opts.Dialogs = d
	res, err := a.ImportStudioCSVPick(chID)
	if err != nil || res.Rows != 12 || res.Skipped != 1 {
		t.Fatalf("import through the dialog = %+v, %v", res, err)
	}
	if len(d.asked) != 1 || d.asked[0].Filters[0].Pattern != "*.csv" {
		t.Fatalf("dialog asked %+v", d.asked)
	}
	// Cancelling the dialog imports nothing and is not an error.
	d.open = ""
	if res, err := a.ImportStudioCSVPick(chID); err != nil || res.Rows != 0 {
		t.Fatalf("cancelled dialog = %+v, %v", res, err)
	}
	// An unknown channel is refused before any dialog opens.
	asked := len(d.asked)
	if _, err := a.ImportStudioCSVPick("nope"); !errors.Is(err, store.ErrNotFound) || len(d.asked) != asked {
		t.Fatalf("unknown channel: %v, dialogs %d", err, len(d.asked)-asked)
	}
}

// bodyField is the one field an error body names, "" when none.
func bodyField(body map[string]any) string {
	fields, _ := body["fields"].(map[string]any)
	for k := range fields {
		return k
	}
	return ""
}

// countVideos counts a channel's stored videos in SQL: listing 150,000 of
// them through the API can outlast a call's deadline on a loaded machine.
func countVideos(t *testing.T, rt *Runtime, channelID string) int {
	t.Helper()
	var n int
	if err := rt.store.ReadDB().QueryRow(`SELECT COUNT(*) FROM insights_videos WHERE channel_id = ?`, channelID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
