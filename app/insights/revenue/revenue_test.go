package revenue_test

import (
	"math"
	"strings"
	"testing"
	"time"

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

func TestRateFor(t *testing.T) {
	scenarios := []struct{ niche, want string }{
		{"Personal finance for students", "finance"},
		{"Sourdough baking", "food"},
		{"Minecraft gaming", "gaming"},
		{"Retro tech review", "technology"},
		{"Knitting", "general"},
		{"", "general"},
		{"AI explained", "technology"}, // "ai" is a whole word, not a substring of "explained"
	}
	for _, sc := range scenarios {
		if got := revenue.RateFor(sc.niche).Niche; got != sc.want {
			t.Errorf("RateFor(%q) = %s, want %s", sc.niche, got, sc.want)
		}
	}
	food := revenue.RateFor("cooking")
	if !near(food.LongRPM(), 7.3*0.55, 1e-9) || !near(food.ShortsRPM(), 0.13*0.45, 1e-9) {
		t.Errorf("food RPMs = %v, %v", food.LongRPM(), food.ShortsRPM())
	}
	for _, r := range append(revenue.Rates, revenue.DefaultRate) {
		if r.ShortsRPM() >= r.LongRPM() {
			t.Errorf("%s: Shorts RPM %.3f is not below long-form %.3f", r.Niche, r.ShortsRPM(), r.LongRPM())
		}
	}
}

// The baking channel of the hand computation: food rate, long-form RPM
// 7.3 × 0.55 = 4.015, Shorts RPM 0.13 × 0.45 = 0.0585.
var baking = revenue.Inputs{
	Niche:           "Sourdough baking",
	LongMedianViews: 10000, LongPerWeek: 1,
	ShortsMedianViews: 20000, ShortsPerWeek: 2,
	Start:  time.Date(2025, 4, 15, 0, 0, 0, 0, time.UTC),
	Months: 3,
}

func TestProjectUncalibrated(t *testing.T) {
	p := revenue.Project(baking)
	wpm := 365.25 / 12 / 7 // 4.348 weeks a month
	if p.Niche != "food" || p.Calibrated || p.Calibration != nil {
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
		if !near(m.Expected, want, 1e-6) {
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
	if !near(p.Months[0].Expected, want, 1e-6) || !near(want, 869.64, 0.01) {
		t.Errorf("calibrated month = %v, want %v", p.Months[0].Expected, want)
	}
	// The long-form and Shorts RPMs keep their ratio.
	if !near(p.LongRPM/p.ShortsRPM, 4.015/0.0585, 1e-9) {
		t.Errorf("RPM ratio changed: %v / %v", p.LongRPM, p.ShortsRPM)
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
	if !near(p.Months[1].Expected/p.Months[0].Expected, 1.14, 1e-9) || !near(p.Months[2].Expected/p.Months[1].Expected, 1.098, 1e-9) {
		t.Errorf("growth = %v then %v, want 1.14 then 1.098", p.Months[1].Expected/p.Months[0].Expected, p.Months[2].Expected/p.Months[1].Expected)
	}
	in.TrendPct, in.Months = 400, 24 // capped at +30%: the damped trend levels off
	p = revenue.Project(in)
	if r := p.Months[23].Expected / p.Months[0].Expected; r > 2.2 || !near(p.Months[23].Expected, p.Months[22].Expected, 0.001*p.Months[22].Expected) {
		t.Errorf("a hot trend should level off: ×%.2f after two years", r)
	}
	in.TrendPct, in.Months = -500, 3 // capped at −30%
	p = revenue.Project(in)
	if !near(p.Months[1].Expected/p.Months[0].Expected, 0.79, 1e-9) {
		t.Errorf("decline = %v, want 0.79", p.Months[1].Expected/p.Months[0].Expected)
	}
	p = revenue.Project(revenue.Inputs{Niche: "finance", Start: baking.Start})
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
	if !near(p.Months[0].Expected, 750*4.015+250*0.0585, 1e-6) {
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
