package analysis_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/analysis"
	"tubeagency/app/insights/csvimport"
)

func loadVideos(t testing.TB, name string) []insights.Video {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "insights", name, "videos.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []insights.Video
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b)) }

// TestAuditBakery checks every figure against the hand computation in
// testdata/insights/bakery/README.md.
func TestAuditBakery(t *testing.T) {
	now := time.Date(2025, 4, 1, 15, 0, 0, 0, time.UTC)
	r := analysis.Audit(loadVideos(t, "bakery"), analysis.Options{Now: now, TargetPerWeek: 2})

	check := func(what string, got, want float64) {
		t.Helper()
		if !near(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("videos", float64(r.Videos), 10)
	check("median views", r.MedianViews, 5500)
	check("median views per day", r.MedianVPD, 150)

	windows := []struct {
		days, uploads                      int
		perWeek, gap, views, vpd, prev, tr float64
		total                              int64
		outliers                           int
	}{
		{30, 4, 4.0 / (30.0 / 7), 7, 4450, 350, 1000, -65, 17500, 0},
		{60, 7, 7.0 / (60.0 / 7), 7.25, 5000, 500, 100, 400, 90600, 2},
		{90, 9, 0.7, 8, 5000, 200, 100, 100, 98200, 2},
	}
	if len(r.Windows) != 3 {
		t.Fatalf("windows = %d", len(r.Windows))
	}
	for i, w := range windows {
		g := r.Windows[i]
		p := fmt.Sprintf("%d days: ", w.days)
		if g.Days != w.days || g.Uploads != w.uploads || g.TotalViews != w.total || g.Outliers != w.outliers {
			t.Errorf("%sgot days %d uploads %d total %d outliers %d", p, g.Days, g.Uploads, g.TotalViews, g.Outliers)
		}
		check(p+"per week", g.PerWeek, w.perWeek)
		check(p+"median gap", g.MedianGapDays, w.gap)
		check(p+"median views", g.MedianViews, w.views)
		check(p+"median vpd", g.MedianVPD, w.vpd)
		check(p+"previous median vpd", g.PrevMedianVPD, w.prev)
		if g.TrendPct == nil {
			t.Errorf("%strend missing", p)
		} else {
			check(p+"trend", *g.TrendPct, w.tr)
		}
	}

	if len(r.Outliers) != 2 || r.Outliers[0].ID != "f" || r.Outliers[1].ID != "e" {
		t.Fatalf("outliers = %+v, want f then e", r.Outliers)
	}
	check("outlier f factor", r.Outliers[0].Factor, 40000.0/5500)
	check("outlier e factor", r.Outliers[1].Factor, 31000.0/5500)
	var marked int
	for _, p := range r.Series {
		if p.Outlier {
			marked++
		}
	}
	if len(r.Series) != 10 || marked != 2 || r.Series[0].ID != "j" || r.Series[9].ID != "a" {
		t.Errorf("series: %d points, %d outliers, first %s, last %s", len(r.Series), marked, r.Series[0].ID, r.Series[9].ID)
	}

	bt := r.BestTime
	if bt.Weekday != int(time.Saturday) || bt.Hour != 15 || !bt.HourKnown {
		t.Errorf("best time = weekday %d hour %d known %v, want Saturday 15:00", bt.Weekday, bt.Hour, bt.HourKnown)
	}
	check("Thursday median", bt.Weekdays[time.Thursday].MedianVPD, 200)
	check("Saturday median", bt.Weekdays[time.Saturday].MedianVPD, 520)
	check("15:00 median", bt.Hours[15].MedianVPD, 300)
	check("03:00 median", bt.Hours[3].MedianVPD, 120)
	if bt.Heatmap[time.Thursday][15].Videos != 6 || bt.Heatmap[time.Saturday][3].Videos != 1 {
		t.Errorf("heatmap counts: Thu 15h %d, Sat 03h %d", bt.Heatmap[time.Thursday][15].Videos, bt.Heatmap[time.Saturday][3].Videos)
	}

	wantKW := []struct {
		word   string
		videos int
		vpd    float64
	}{{"sourdough", 3, 1000}, {"bread", 5, 200}, {"easy", 2, 70}, {"pizza", 2, 60}}
	if len(r.Keywords) != len(wantKW) {
		t.Fatalf("keywords = %+v", r.Keywords)
	}
	for i, k := range wantKW {
		g := r.Keywords[i]
		if g.Word != k.word || g.Videos != k.videos {
			t.Errorf("keyword %d = %+v, want %s (%d)", i, g, k.word, k.videos)
		}
		check("keyword "+k.word, g.MedianVPD, k.vpd)
		check("keyword lift "+k.word, g.Lift, k.vpd/150)
	}

	wantPat := map[string][5]float64{ // with, withMedian, without, withoutMedian, lift
		"short title (under 40 characters)": {10, 150, 0, 0, 0},
		"long title (over 60 characters)":   {0, 0, 10, 150, 0},
		"has a number":                      {2, 550, 8, 150, 550.0 / 150},
		"is a question":                     {1, 200, 9, 100, 2},
		"has brackets":                      {1, 40, 9, 200, 0.2},
		"says how to":                       {1, 1000, 9, 100, 10},
	}
	if len(r.Patterns) != len(wantPat) {
		t.Fatalf("patterns = %+v", r.Patterns)
	}
	for _, p := range r.Patterns {
		w, ok := wantPat[p.Name]
		if !ok {
			t.Errorf("unexpected pattern %q", p.Name)
			continue
		}
		check(p.Name+" with", float64(p.With), w[0])
		check(p.Name+" with median", p.WithMedian, w[1])
		check(p.Name+" without", float64(p.Without), w[2])
		check(p.Name+" without median", p.WithoutMedian, w[3])
		check(p.Name+" lift", p.Lift, w[4])
	}

	f := r.Formats
	if f.Shorts.Videos != 2 || f.Long.Videos != 8 || f.Shorts.TotalViews != 33100 || f.Long.TotalViews != 75300 {
		t.Errorf("formats = %+v", f)
	}
	check("shorts median views", f.Shorts.MedianViews, 16550)
	check("shorts median vpd", f.Shorts.MedianVPD, 520)
	check("long median views", f.Long.MedianViews, 5500)
	check("long median vpd", f.Long.MedianVPD, 150)
	check("shorts share", f.Shorts.ViewShare, 33100.0/108400)

	wantAdvice := []string{
		"You upload 0.9 videos a week against a plan of 2.0",
		"fell 65% against the 30 days before",
		`"Sourdough Starter in 7 Days" got 7.3× your median views`,
		`Videos about "sourdough" get 6.7× your median views per day (3 videos)`,
		"Your uploads do best on Saturday around 15:00 (UTC)",
	}
	if len(r.Advice) != len(wantAdvice) {
		t.Fatalf("recommendations = %q", r.Advice)
	}
	for i, w := range wantAdvice {
		if !strings.Contains(r.Advice[i], w) {
			t.Errorf("recommendation %d = %q, want it to contain %q", i, r.Advice[i], w)
		}
	}
}

func TestAuditEmptyAndDateOnly(t *testing.T) {
	now := time.Date(2025, 4, 1, 15, 0, 0, 0, time.UTC)
	r := analysis.Audit(loadVideos(t, "empty"), analysis.Options{Now: now})
	if r.Videos != 0 || r.MedianViews != 0 || len(r.Outliers) != 0 || r.BestTime.Weekday != -1 || r.BestTime.Hour != -1 {
		t.Errorf("empty audit = %+v", r)
	}
	if len(r.Advice) != 1 || !strings.Contains(r.Advice[0], "Import a YouTube Studio export") {
		t.Errorf("empty advice = %q", r.Advice)
	}
	for _, w := range r.Windows {
		if w.TrendPct != nil || w.Uploads != 0 {
			t.Errorf("empty window = %+v", w)
		}
	}
	// Dates without times (CSV exports): the hour says nothing.
	vs := []insights.Video{
		{ID: "x", Title: "One", PublishedAt: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), Views: 10},
		{ID: "y", Title: "Two", PublishedAt: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), Views: 30},
		{ID: "z", Title: "Future", PublishedAt: now.Add(time.Hour), Views: 99},
	}
	r = analysis.Audit(vs, analysis.Options{Now: now})
	if r.BestTime.HourKnown || r.BestTime.Hour != -1 || r.BestTime.Weekday != int(time.Tuesday) || r.Videos != 2 {
		t.Errorf("date-only best time = %+v, videos %d", r.BestTime, r.Videos)
	}
	// Read in New York the same dates fall on the evening before: Monday,
	// and the hour still says nothing.
	ny, _ := time.LoadLocation("America/New_York")
	r = analysis.Audit(vs, analysis.Options{Now: now, Location: ny})
	if r.BestTime.HourKnown || r.BestTime.Hour != -1 || r.BestTime.Weekday != int(time.Monday) {
		t.Errorf("date-only in New York = weekday %d hour %d known %v", r.BestTime.Weekday, r.BestTime.Hour, r.BestTime.HourKnown)
	}
}

func TestMedian(t *testing.T) {
	scenarios := []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1}, 3}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}}
	for _, sc := range scenarios {
		in := append([]float64(nil), sc.in...)
		if got := analysis.Median(sc.in); got != sc.want {
			t.Errorf("Median(%v) = %v, want %v", sc.in, got, sc.want)
		}
		for i := range in {
			if in[i] != sc.in[i] {
				t.Errorf("Median modified its input")
			}
		}
	}
}

// SyntheticChannel makes n videos over two years with realistic titles.
func syntheticChannel(n int, now time.Time) []insights.Video {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"sourdough", "bread", "pizza", "oven", "starter", "easy", "quick", "mistakes", "recipe",
		"focaccia", "bagels", "croissant", "butter", "flour", "yeast", "baking", "beginner", "secret", "perfect", "crust"}
	vs := make([]insights.Video, n)
	for i := range vs {
		var b strings.Builder
		if rng.IntN(4) == 0 {
			fmt.Fprintf(&b, "%d ", 3+rng.IntN(8))
		}
		for w := 0; w < 3+rng.IntN(5); w++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		if rng.IntN(5) == 0 {
			b.WriteString("why?")
		}
		vs[i] = insights.Video{ID: fmt.Sprintf("v%05d", i), Title: b.String(),
			PublishedAt: now.Add(-time.Duration(rng.IntN(730*24)) * time.Hour),
			DurationSec: 30 + rng.IntN(1500), Views: int64(rng.ExpFloat64() * 5000)}
	}
	return vs
}

func BenchmarkAudit10k(b *testing.B) {
	now := time.Date(2025, 4, 1, 15, 0, 0, 0, time.UTC)
	vs := syntheticChannel(10_000, now)
	b.ReportAllocs()
	for b.Loop() {
		r := analysis.Audit(vs, analysis.Options{Now: now, TargetPerWeek: 3})
		if r.Videos != 10_000 {
			b.Fatal(r.Videos)
		}
	}
}

// studio200 reads the shared 200-video export with every column
// (app/insights/testdata/insights/studio200) and the moment it was taken.
func studio200(t testing.TB) ([]insights.Video, time.Time) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "insights", "studio200", "Table data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []insights.Video
	if _, err := csvimport.Read(f, "ch", func(v insights.Video) error { vs = append(vs, v); return nil }); err != nil {
		t.Fatal(err)
	}
	return vs, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
}

// The 200-video export gives click-through and retention findings, ranks
// within a format, keeps "chrono trigger" whole and says the hours are
// missing.
func TestAuditEveryColumn(t *testing.T) {
	vs, now := studio200(t)
	r := analysis.Audit(vs, analysis.Options{Now: now, TargetPerWeek: 2, Language: "en"})
	if r.Videos != 200 || r.Coverage.CTR != 200 || r.Coverage.Retention != 200 || r.Coverage.Revenue != 200 || r.Coverage.Times != 0 {
		t.Fatalf("coverage = %+v", r.Coverage)
	}
	for _, rk := range []analysis.Ranking{r.CTR, r.Retention} {
		if len(rk.Findings) != 2 || len(rk.Best) != analysis.RankedShown || len(rk.Worst) != analysis.RankedShown || rk.Videos != 200 {
			t.Fatalf("%s ranking: %d findings, %d best, %d worst, %d videos", rk.Metric, len(rk.Findings), len(rk.Best), len(rk.Worst), rk.Videos)
		}
		// The fixture lifts Chrono Trigger long-form videos: they lead.
		if !strings.Contains(rk.Best[0].Title, "Chrono Trigger") || rk.Best[0].Short {
			t.Errorf("%s best = %+v", rk.Metric, rk.Best[0])
		}
		for i := 1; i < len(rk.Best); i++ {
			if rk.Best[i].Relative > rk.Best[i-1].Relative {
				t.Errorf("%s best not in order: %+v", rk.Metric, rk.Best)
			}
		}
		if rk.Worst[0].Relative > rk.Best[len(rk.Best)-1].Relative {
			t.Errorf("%s worst %v above best %v", rk.Metric, rk.Worst[0].Relative, rk.Best[len(rk.Best)-1].Relative)
		}
	}
	if !strings.Contains(r.CTR.Findings[0], "best click-through rate") || !strings.Contains(r.Retention.Findings[1], "loses viewers soonest") {
		t.Errorf("findings: %q %q", r.CTR.Findings, r.Retention.Findings)
	}
	// Shorts are held against Shorts: their retention (60–95 %) never
	// makes a long video look bad.
	if r.Formats.Shorts.MedianRetention < 60 || r.Formats.Long.MedianRetention > 55 {
		t.Errorf("format medians: %+v", r.Formats)
	}
	if math.Abs(r.Formats.Long.RPM-4.194)/4.194 > 0.01 || math.Abs(r.Formats.Shorts.RPM-0.0594)/0.0594 > 0.01 {
		t.Errorf("RPM long %.4f Shorts %.4f, want the file's 4.194 and 0.0594", r.Formats.Long.RPM, r.Formats.Shorts.RPM)
	}
	var words []string
	for _, k := range r.Keywords {
		words = append(words, k.Word)
	}
	joined := "|" + strings.Join(words, "|") + "|"
	for _, split := range []string{"|chrono|", "|trigger|", "|metroid|", "|earthbound|"} {
		if strings.Contains(joined, split) {
			t.Errorf("keywords split a name: %q", words)
		}
	}
	seen := map[string]bool{}
	for _, k := range r.Keywords {
		key := fmt.Sprint(k.Videos, k.MedianVPD, k.MedianCTR)
		if seen[key] {
			t.Errorf("two keywords with identical numbers: %q", words)
		}
		seen[key] = true
	}
	var sections []string
	for _, g := range r.Gaps {
		sections = append(sections, g.Section)
	}
	if strings.Join(sections, ",") != "hours" || !strings.Contains(r.Gaps[0].Message, "'Video publish time'") {
		t.Errorf("gaps = %+v", r.Gaps)
	}
	w := r.Windows[0]
	if w.Impressions == 0 || w.CTR < 3 || w.CTR > 10 || w.MedianRetention == 0 || w.Revenue == 0 || w.WatchHours == 0 {
		t.Errorf("30-day window = %+v", w)
	}
	var advCTR bool
	for _, a := range r.Advice {
		advCTR = advCTR || strings.Contains(a, "click-through")
	}
	if !advCTR {
		t.Errorf("recommendations leave out the click-through rate: %q", r.Advice)
	}
}

// Without the columns, every part that needs them says what is missing.
func TestAuditGapsNameTheMissingColumns(t *testing.T) {
	now := time.Date(2025, 4, 1, 15, 0, 0, 0, time.UTC)
	r := analysis.Audit(loadVideos(t, "bakery"), analysis.Options{Now: now})
	want := map[string]string{"ctr": "'Impressions'", "retention": "'Average view duration'", "revenue": "'Estimated revenue (USD)'",
		"watch_time": "'Watch time (hours)'", "subscribers": "'Subscribers'"}
	if len(r.Gaps) != len(want) {
		t.Fatalf("gaps = %+v", r.Gaps)
	}
	for _, g := range r.Gaps {
		if !strings.Contains(g.Message, want[g.Section]) {
			t.Errorf("gap %s = %q, want it to name %s", g.Section, g.Message, want[g.Section])
		}
	}
	if len(r.CTR.Findings) != 0 || r.CTR.Videos != 0 || len(r.Retention.Best) != 0 {
		t.Errorf("rankings without data: %+v %+v", r.CTR, r.Retention)
	}
}

// syntheticChannelAllColumns is syntheticChannel with every analytics column.
func syntheticChannelAllColumns(n int, now time.Time) []insights.Video {
	vs := syntheticChannel(n, now)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range vs {
		v := &vs[i]
		v.Impressions = int64(float64(v.Views)*10) + 100
		v.CTR = 2 + rng.Float64()*8
		v.AvgViewSec = float64(v.DurationSec) * (0.2 + rng.Float64()*0.6)
		v.WatchHours = float64(v.Views) * v.AvgViewSec / 3600
		v.Subscribers, v.HasSubscribers = int64(v.Views/500), true
		v.Revenue, v.HasRevenue = float64(v.Views)/1000*4, true
	}
	return vs
}

// BenchmarkAudit10kAllColumns audits the channel of BenchmarkAudit10k with
// every column: run both in the same invocation to compare.
func BenchmarkAudit10kAllColumns(b *testing.B) {
	now := time.Date(2025, 4, 1, 15, 0, 0, 0, time.UTC)
	vs := syntheticChannelAllColumns(10_000, now)
	b.ReportAllocs()
	for b.Loop() {
		r := analysis.Audit(vs, analysis.Options{Now: now, TargetPerWeek: 3})
		if r.Videos != 10_000 || r.CTR.Videos != 10_000 || len(r.Retention.Findings) != 2 {
			b.Fatal(r.Videos, r.CTR.Videos)
		}
	}
}

// The linear-time median agrees with sorting on random and tied inputs.
func TestMedianAgreesWithSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for n := 1; n < 60; n++ {
		for rep := 0; rep < 20; rep++ {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(rng.IntN(7)) // many ties
			}
			s := append([]float64(nil), xs...)
			slices.Sort(s)
			want := s[n/2]
			if n%2 == 0 {
				want = (s[n/2-1] + s[n/2]) / 2
			}
			if got := analysis.Median(xs); got != want {
				t.Fatalf("Median(%v) = %v, want %v", xs, got, want)
			}
		}
	}
}
