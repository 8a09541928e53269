package revenue_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/revenue"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSplitRevenue(t *testing.T) {
	scenarios := []struct {
		long, shorts, creator, youtube float64
	}{
		{100, 0, 55, 45},
		{0, 100, 45, 55},
		{1000, 200, 550 + 90, 450 + 110},
		{0, 0, 0, 0},
	}
	for _, sc := range scenarios {
		c, y := revenue.SplitRevenue(sc.long, sc.shorts)
		if !near(c, sc.creator, 1e-9) || !near(y, sc.youtube, 1e-9) {
			t.Errorf("SplitRevenue(%v, %v) = %v, %v; want %v, %v", sc.long, sc.shorts, c, y, sc.creator, sc.youtube)
		}
	}
}

func TestCategories(t *testing.T) {
	scenarios := []struct{ niche, want string }{
		{"Personal finance for students", "finance"},
		{"finanças pessoais", "finance"},
		{"Finanzas personales y ahorro", "finance"},
		{"cocina mexicana casera", "food"},
		{"Receitas de bolo caseiras", "food"},
		{"Sourdough baking", "food"},
		{"Minecraft gaming", "gaming"},
		{"Jeux vidéo rétro", "gaming"},
		{"Knitting", "general"},
		{"", "general"},
		{"AI explained", "education"}, // "ai" is no category's word; "explained" is education's
	}
	for _, sc := range scenarios {
		if got := revenue.SuggestCategory(sc.niche); got != sc.want {
			t.Errorf("SuggestCategory(%q) = %s, want %s", sc.niche, got, sc.want)
		}
	}
	food, ok := revenue.CategoryByID("food")
	if !ok || !near(food.LongRPM(), 7.3*0.55, 1e-9) || !near(food.ShortsRPM(), 0.13*0.45, 1e-9) {
		t.Errorf("food RPMs = %v, %v", food.LongRPM(), food.ShortsRPM())
	}
	if food.Name("pt-BR") != "Comida e culinária" || food.Name("es") != "Comida y cocina" || food.Name("ja") != "Food and cooking" {
		t.Errorf("names = %v", food.Names)
	}
	if c, ok := revenue.CategoryByID("nope"); ok || c.ID != revenue.General {
		t.Errorf("unknown category = %v, %v", c.ID, ok)
	}
	for _, c := range revenue.Categories {
		if c.ShortsRPM() >= c.LongRPM() {
			t.Errorf("%s: Shorts RPM %.3f is not below long-form %.3f", c.ID, c.ShortsRPM(), c.LongRPM())
		}
		for _, l := range []string{"en", "es", "pt", "fr", "de"} {
			if c.Names[l] == "" {
				t.Errorf("%s has no %s name", c.ID, l)
			}
		}
	}
}

// The baking channel of the hand computation: food rate, long-form RPM
// 7.3 × 0.55 = 4.015, Shorts RPM 0.13 × 0.45 = 0.0585.
var baking = revenue.Inputs{
	Category:        "food",
	LongMedianViews: 10000, LongPerWeek: 1,
	ShortsMedianViews: 20000, ShortsPerWeek: 2,
	Start:  time.Date(2025, 4, 15, 0, 0, 0, 0, time.UTC),
	Months: 3,
}

func TestProjectUncalibrated(t *testing.T) {
	p := revenue.Project(baking)
	wpm := 365.25 / 12 / 7 // 4.348 weeks a month
	if p.Category != "food" || p.Calibrated || p.Calibration != nil || p.LongSource != revenue.SourcePrior {
		t.Fatalf("projection = %+v", p)
	}
	if !near(p.MonthlyLong, 10000*wpm, 1e-6) || !near(p.MonthlyShts, 40000*wpm, 1e-6) {
		t.Errorf("monthly views = %v long, %v shorts", p.MonthlyLong, p.MonthlyShts)
	}
	// 43.482 thousand long-form views × 4.015 + 173.929 thousand Shorts views × 0.0585.
	want := 10*wpm*4.015 + 40*wpm*0.0585
	if !near(want, 184.76, 0.01) {
		t.Fatalf("hand figure drifted: %v", want)
	}
	if len(p.Months) != 3 || p.Months[0].Month != "2025-04" || p.Months[2].Month != "2025-06" {
		t.Fatalf("months = %+v", p.Months)
	}
	for i, m := range p.Months {
		if !near(m.Expected, want, 0.005) {
			t.Errorf("month %d expected %v, want %v with a flat trend", i, m.Expected, want)
		}
		if !(m.Low < m.Expected && m.Expected < m.High) {
			t.Errorf("month %d band %v–%v does not hold %v", i, m.Low, m.High, m.Expected)
		}
		if i > 0 && m.High-m.Low <= p.Months[i-1].High-p.Months[i-1].Low {
			t.Errorf("band does not widen with distance: month %d", i)
		}
	}
	if !near(p.PerSecond, want/(365.25/12*86400), 1e-12) {
		t.Errorf("per second = %v", p.PerSecond)
	}
	if len(p.Sources) != 3 || !strings.Contains(p.Sources[0], "55%") || !strings.Contains(p.Sources[1], "45%") {
		t.Errorf("sources = %q", p.Sources)
	}
}

func TestProjectCalibratedFromEarnings(t *testing.T) {
	in := baking
	in.Earnings = []revenue.Earning{
		{Month: "2025-01", Amount: 300, Views: 100000}, // RPM 3
		{Month: "2025-02", Amount: 500, Views: 100000}, // RPM 5
		{Month: "2025-03", Amount: 100, Views: 0},      // no views: ignored
	}
	p := revenue.Project(in)
	if !p.Calibrated || p.Calibration == nil {
		t.Fatal("entered earnings must calibrate")
	}
	c := p.Calibration
	if c.Months != 2 || !near(c.RPM, 4, 1e-12) {
		t.Errorf("calibration = %+v, want 2 months at RPM 4", c)
	}
	// Shorts are 80% of projected views: blended model RPM 0.2 × 4.015 + 0.8 × 0.0585 = 0.8498.
	if !near(c.Factor, 4/0.8498, 1e-9) {
		t.Errorf("factor = %v, want %v", c.Factor, 4/0.8498)
	}
	if !near(c.Spread, (math.Log(5)-math.Log(3))/math.Sqrt2, 1e-9) {
		t.Errorf("spread = %v", c.Spread)
	}
	// Calibrated, a month earns its views at the measured RPM: 217.41 thousand views × $4.
	wpm := 365.25 / 12 / 7
	want := 50 * wpm * 4
	if !near(p.Months[0].Expected, want, 0.005) || !near(want, 869.64, 0.01) {
		t.Errorf("calibrated month = %v, want %v", p.Months[0].Expected, want)
	}
	// The long-form and Shorts RPMs keep their ratio (shown in cents).
	if f := 4 / 0.8498; !near(p.LongRPM, revenue.Cents(4.015*f), 1e-9) || !near(p.ShortsRPM, revenue.Cents(0.0585*f), 1e-9) ||
		p.LongSource != revenue.SourceEarnings {
		t.Errorf("RPMs = %v / %v (%s)", p.LongRPM, p.ShortsRPM, p.LongSource)
	}
	uncal := revenue.Project(baking)
	if (p.Months[0].High-p.Months[0].Low)/p.Months[0].Expected >= (uncal.Months[0].High-uncal.Months[0].Low)/uncal.Months[0].Expected {
		t.Error("calibrating should narrow the relative band")
	}
}

func TestProjectTrendAndEmpty(t *testing.T) {
	in := baking
	in.TrendPct = 40 // half is +20%, damped by 0.7 in month 1 and 0.49 in month 2
	p := revenue.Project(in)
	if !near(p.Months[1].Expected/p.Months[0].Expected, 1.14, 1e-4) || !near(p.Months[2].Expected/p.Months[1].Expected, 1.098, 1e-4) {
		t.Errorf("growth = %v then %v, want 1.14 then 1.098", p.Months[1].Expected/p.Months[0].Expected, p.Months[2].Expected/p.Months[1].Expected)
	}
	in.TrendPct, in.Months = 400, 24 // capped at +30%: the damped trend levels off
	p = revenue.Project(in)
	if r := p.Months[23].Expected / p.Months[0].Expected; r > 2.2 || !near(p.Months[23].Expected, p.Months[22].Expected, 0.001*p.Months[22].Expected) {
		t.Errorf("a hot trend should level off: ×%.2f after two years", r)
	}
	in.TrendPct, in.Months = -500, 3 // capped at −30%
	p = revenue.Project(in)
	if !near(p.Months[1].Expected/p.Months[0].Expected, 0.79, 1e-4) {
		t.Errorf("decline = %v, want 0.79", p.Months[1].Expected/p.Months[0].Expected)
	}
	p = revenue.Project(revenue.Inputs{Category: "finance", Start: baking.Start})
	if len(p.Months) != 12 || p.PerSecond != 0 || p.Months[0].Expected != 0 {
		t.Errorf("no uploads should project zero over 12 months: %+v", p.Months[0])
	}
}

func TestProjectUsesMeasuredViewsWhenLarger(t *testing.T) {
	in := baking
	wpm := 365.25 / 12 / 7
	in.MeasuredMonthlyViews, in.ShortsViewShare = 1_000_000, 0.25 // the back catalogue earns too
	p := revenue.Project(in)
	if !p.Measured || !near(p.MonthlyLong, 750_000, 1e-6) || !near(p.MonthlyShts, 250_000, 1e-6) {
		t.Fatalf("measured split = %v long, %v shorts (measured %v)", p.MonthlyLong, p.MonthlyShts, p.Measured)
	}
	if !near(p.Months[0].Expected, 750*4.015+250*0.0585, 0.006) || p.ViewsSource != revenue.ViewsSnapshots {
		t.Errorf("month = %v", p.Months[0].Expected)
	}
	in.MeasuredMonthlyViews = 1000 // below the uploads estimate: ignored
	if p := revenue.Project(in); p.Measured || !near(p.MonthlyLong, 10000*wpm, 1e-6) {
		t.Errorf("a smaller measurement replaced the estimate: %+v", p)
	}
}

func TestValidMonth(t *testing.T) {
	for _, ok := range []string{"2025-01", "1999-12"} {
		if err := revenue.ValidMonth(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"2025-13", "2025-1", "25-01", "", "2025-01-01"} {
		if err := revenue.ValidMonth(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// observations makes n videos per format whose revenue is views × the true
// RPM × a noise of mean 1 (log-normal, σ), views log-normal around median.
func observations(n int, longRPM, shortsRPM, sigma float64, seed uint64) []revenue.Observation {
	rng := rand.New(rand.NewPCG(seed, 1))
	var obs []revenue.Observation
	for i := 0; i < 2*n; i++ {
		short := i%2 == 1
		rpm, median := longRPM, 8000.0
		if short {
			rpm, median = shortsRPM, 20000
		}
		views := median * math.Exp(0.8*rng.NormFloat64())
		noise := math.Exp(sigma*rng.NormFloat64() - sigma*sigma/2)
		obs = append(obs, revenue.Observation{Short: short, Views: views, Revenue: views / 1000 * rpm * noise})
	}
	return obs
}

// Fixtures with a known RPM: the fit lands within 5 % of it, and the
// band holds the truth about 80 % of the time.
func TestFitRPMRecoversKnownRPM(t *testing.T) {
	covered, trials := 0, 200
	for seed := uint64(1); seed <= uint64(trials); seed++ {
		f := revenue.FitRPM(observations(150, 4.20, 0.06, 0.1, seed), "video")
		if f.Long == nil || f.Shorts == nil || f.Long.Units != 150 || f.Unit != "video" {
			t.Fatalf("fit = %+v", f)
		}
		if e := math.Abs(f.Long.RPM-4.20) / 4.20; e >= 0.05 {
			t.Errorf("seed %d: long-form RPM %.4f is %.1f%% off 4.20", seed, f.Long.RPM, e*100)
		}
		if e := math.Abs(f.Shorts.RPM-0.06) / 0.06; e >= 0.05 {
			t.Errorf("seed %d: Shorts RPM %.5f is %.1f%% off 0.06", seed, f.Shorts.RPM, e*100)
		}
		if f.Long.Low <= 4.20 && 4.20 <= f.Long.High {
			covered++
		}
		if !(f.Long.Low < f.Long.RPM && f.Long.RPM < f.Long.High) {
			t.Fatalf("band %v–%v does not hold %v", f.Long.Low, f.Long.High, f.Long.RPM)
		}
	}
	if c := float64(covered) / float64(trials); c < 0.7 || c > 0.9 {
		t.Errorf("the 80%% band held the true RPM in %.0f%% of %d fixtures", c*100, trials)
	}
	// Too little data fits nothing: two videos, or a thousand views.
	if f := revenue.FitRPM(observations(150, 4.2, 0.06, 0.2, 1)[:4], "video"); !f.Empty() {
		t.Errorf("two videos per format were fitted: %+v", f)
	}
	if f := revenue.FitRPM([]revenue.Observation{{Views: 300, Revenue: 1}, {Views: 300, Revenue: 1}, {Views: 300, Revenue: 1}}, "video"); !f.Empty() {
		t.Errorf("900 views were fitted: %+v", f)
	}
}

// The projection earns the channel's views at its own RPM when revenue is
// known, and uses the niche prior only without it.
func TestProjectionUsesTheFit(t *testing.T) {
	in := baking
	in.Category = "finance" // a prior far from the truth
	in.ActualMonthlyViews, in.ActualShortsShare = 300_000, 0.5
	in.Fit = revenue.FitRPM(observations(100, 4.20, 0.06, 0.1, 3), "video")
	p := revenue.Project(in)
	if !p.Calibrated || p.LongSource != revenue.SourceRevenue || p.ShortsSource != revenue.SourceRevenue || p.ViewsSource != revenue.ViewsAnalytics {
		t.Fatalf("projection = %+v", p)
	}
	want := 150*in.Fit.Long.RPM + 150*in.Fit.Shorts.RPM
	if !near(p.Months[0].Expected, want, 0.006) || math.Abs(want-(150*4.2+150*0.06))/(150*4.2+150*0.06) > 0.05 {
		t.Errorf("month = %v, want %v (true %v)", p.Months[0].Expected, want, 150*4.2+150*0.06)
	}
	if !(p.Months[0].Low < p.Months[0].Expected && p.Months[0].Expected < p.Months[0].High) {
		t.Errorf("band %+v", p.Months[0])
	}
	// Only long-form revenue known: Shorts keep the prior.
	in.Fit.Shorts = nil
	p = revenue.Project(in)
	fin, _ := revenue.CategoryByID("finance")
	if p.LongSource != revenue.SourceRevenue || p.ShortsSource != revenue.SourcePrior || !near(p.ShortsRPM, revenue.Cents(fin.ShortsRPM()), 1e-9) {
		t.Errorf("half fitted: %+v", p)
	}
	// No revenue: the prior, even with a fit's worth of views.
	in.Fit = revenue.Fit{}
	p = revenue.Project(in)
	if p.Calibrated || p.LongSource != revenue.SourcePrior || !near(p.LongRPM, revenue.Cents(fin.LongRPM()), 1e-9) {
		t.Errorf("prior: %+v", p)
	}
	// Money is whole cents.
	for _, m := range p.Months {
		for _, x := range []float64{m.Expected, m.Low, m.High, p.LongRPM, p.ShortsRPM} {
			if !near(x*100, math.Round(x*100), 1e-6) {
				t.Errorf("%v is not whole cents", x)
			}
		}
	}
}

// The catalogue's average month replaces a smaller uploads-based estimate.
func TestProjectUsesTheCatalogue(t *testing.T) {
	in := baking
	in.CatalogueMonthlyViews, in.ShortsViewShare = 2_000_000, 0.1
	p := revenue.Project(in)
	if p.ViewsSource != revenue.ViewsCatalogue || !near(p.MonthlyLong, 1_800_000, 1e-6) {
		t.Errorf("catalogue: %+v", p)
	}
}

// The studio200 export (app/insights/testdata/insights/studio200): its
// revenue column gives back the RPMs it was made with.
func TestFitRPMOnTheStudioExport(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "insights", "studio200", "Table data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var obs []revenue.Observation
	if _, err := csvimport.Read(f, "ch", func(v insights.Video) error {
		if v.HasRevenue {
			obs = append(obs, revenue.Observation{Short: v.IsShort(), Views: float64(v.Views), Revenue: v.Revenue})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	fit := revenue.FitRPM(obs, "video")
	if fit.Long == nil || fit.Shorts == nil || fit.Long.Units != 150 || fit.Shorts.Units != 50 {
		t.Fatalf("fit = %+v", fit)
	}
	if e := math.Abs(fit.Long.RPM-4.20) / 4.20; e >= 0.05 || fit.Long.Low > 4.20 || fit.Long.High < 4.20 {
		t.Errorf("long-form RPM %.3f (%.3f–%.3f), %.1f%% off the true 4.20", fit.Long.RPM, fit.Long.Low, fit.Long.High, e*100)
	}
	if e := math.Abs(fit.Shorts.RPM-0.06) / 0.06; e >= 0.05 {
		t.Errorf("Shorts RPM %.4f, %.1f%% off the true 0.06", fit.Shorts.RPM, e*100)
	}
}
