// Package revenue projects a channel's ad earnings: views from its median,
// cadence and trend, times an RPM by niche with long-form and Shorts kept
// apart, calibrated by the earnings the user actually received.
//
// Sources:
//   - Creator share of long-form ad revenue, 55%: YouTube Partner Program
//     terms, "YouTube Partner Program overview & eligibility",
//     https://support.google.com/youtube/answer/72851 (the 55/45 split has
//     been YouTube's standard since 2007).
//   - Creator share of Shorts feed ad revenue, 45% of the creator pool:
//     "YouTube Shorts monetization policies",
//     https://support.google.com/youtube/answer/12504220, and the YouTube
//     Official Blog, "The next chapter in rewarding creativity",
//     20 September 2022.
//   - RPM (revenue per 1,000 views, after YouTube's share, over all views):
//     "Understand your revenue per mille (RPM)",
//     https://support.google.com/youtube/answer/9314357.
//   - Niche rates: midpoints of the long-form and Shorts RPM ranges creators
//     publish from their YouTube Studio dashboards, as collected in
//     Influencer Marketing Hub's YouTube money calculator notes (2024) and
//     Social Blade's estimated-earnings ranges. They are estimates, not
//     measurements: the channel's entered earnings replace them.
package revenue

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Creator shares of ad revenue (see the package sources).
const (
	LongFormShare = 0.55
	ShortsShare   = 0.45
)

// Rate is a niche's gross ad revenue per 1,000 views, before the creator
// share: RPM = gross × share.
type Rate struct {
	Niche       string
	Keywords    []string // words of a channel's niche that select this rate
	LongGross   float64  // USD per 1,000 long-form views
	ShortsGross float64  // USD per 1,000 Shorts views
}

// LongRPM is what a creator receives per 1,000 long-form views.
func (r Rate) LongRPM() float64 { return r.LongGross * LongFormShare }

// ShortsRPM is what a creator receives per 1,000 Shorts views.
func (r Rate) ShortsRPM() float64 { return r.ShortsGross * ShortsShare }

// Rates by niche. Long-form gross = creator-reported RPM ÷ 0.55; Shorts
// gross = creator-reported Shorts RPM ÷ 0.45 (sources above).
var Rates = []Rate{
	{"finance", []string{"finance", "money", "invest", "investing", "stocks", "crypto", "trading", "budget", "insurance", "real estate"}, 21.8, 0.33},
	{"business", []string{"business", "marketing", "entrepreneur", "startup", "sales", "ecommerce", "career"}, 14.5, 0.27},
	{"technology", []string{"tech", "technology", "software", "programming", "coding", "ai", "gadgets", "computers", "review"}, 10.9, 0.2},
	{"education", []string{"education", "science", "history", "learning", "study", "explained", "documentary", "language"}, 9.1, 0.16},
	{"health", []string{"health", "fitness", "workout", "nutrition", "diet", "wellness", "yoga", "medical"}, 9.1, 0.16},
	{"food", []string{"food", "cooking", "recipes", "baking", "kitchen", "bread", "vegan"}, 7.3, 0.13},
	{"travel", []string{"travel", "adventure", "outdoors", "camping", "van", "hiking"}, 7.3, 0.13},
	{"home", []string{"home", "diy", "garden", "gardening", "crafts", "woodworking", "cars", "automotive"}, 7.3, 0.13},
	{"beauty", []string{"beauty", "fashion", "makeup", "skincare", "style", "lifestyle"}, 6.4, 0.11},
	{"gaming", []string{"gaming", "games", "minecraft", "fortnite", "esports", "roblox"}, 4.5, 0.09},
	{"entertainment", []string{"entertainment", "comedy", "vlog", "vlogs", "pranks", "reactions", "celebrity", "stories", "horror"}, 3.6, 0.09},
	{"music", []string{"music", "songs", "covers", "lofi", "asmr"}, 2.7, 0.07},
}

// DefaultRate applies when no niche keyword matches.
var DefaultRate = Rate{Niche: "general", LongGross: 5.5, ShortsGross: 0.11}

// RateFor picks the rate whose keywords best match niche (most matched
// words; ties go to the earlier rate), or DefaultRate.
func RateFor(niche string) Rate {
	words := strings.FieldsFunc(strings.ToLower(niche), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	lower := " " + strings.Join(words, " ") + " "
	best, bestN := DefaultRate, 0
	for _, r := range Rates {
		n := 0
		for _, k := range r.Keywords {
			if strings.Contains(lower, " "+k+" ") {
				n++
			}
		}
		if n > bestN {
			best, bestN = r, n
		}
	}
	return best
}

// Earning is one month's actual ad revenue and the views that earned it.
type Earning struct {
	Month  string  `json:"month"` // YYYY-MM
	Amount float64 `json:"amount"`
	Views  int64   `json:"views"`
}

// Calibration is a channel's RPM measured from entered earnings.
type Calibration struct {
	Months int     `json:"months"`
	RPM    float64 `json:"rpm"` // total amount ÷ total views × 1000
	// Factor scales the niche's RPMs to the measured one.
	Factor float64 `json:"factor"`
	// Spread is the log-standard deviation of the monthly RPMs: how much
	// the channel's RPM varies from month to month.
	Spread float64 `json:"spread"`
}

// Calibrate measures the channel's RPM from earnings against the blended
// model RPM of its view mix (shortsShare is the fraction of views that are
// Shorts). Months with no views are ignored; ok is false when none remain.
func Calibrate(earnings []Earning, rate Rate, shortsShare float64) (Calibration, bool) {
	var amount, views float64
	var logs []float64
	for _, e := range earnings {
		if e.Views <= 0 || e.Amount < 0 {
			continue
		}
		amount += e.Amount
		views += float64(e.Views)
		logs = append(logs, math.Log(math.Max(e.Amount, 0.01)/float64(e.Views)*1000))
	}
	if views == 0 {
		return Calibration{}, false
	}
	c := Calibration{Months: len(logs), RPM: amount / views * 1000}
	blended := BlendedRPM(rate, shortsShare)
	if blended > 0 {
		c.Factor = c.RPM / blended
	}
	c.Spread = stddev(logs)
	return c, true
}

// BlendedRPM is the RPM of a view mix with shortsShare of Shorts views.
func BlendedRPM(r Rate, shortsShare float64) float64 {
	return (1-shortsShare)*r.LongRPM() + shortsShare*r.ShortsRPM()
}

// Inputs describe a channel for Project.
type Inputs struct {
	Niche string
	// Median views per video and uploads per week, per format.
	LongMedianViews, ShortsMedianViews float64
	LongPerWeek, ShortsPerWeek         float64
	// TrendPct is the recent change in views per day, in percent (the
	// audit's 30-day trend). Half of it, capped at ±30%, is the first
	// month's growth; later months carry it on damped by Damping.
	TrendPct float64
	// MeasuredMonthlyViews, when positive, is the channel's whole monthly
	// views measured between stats snapshots (new uploads and the back
	// catalogue). It replaces the uploads-based estimate when larger, split
	// by ShortsViewShare (0–1).
	MeasuredMonthlyViews float64
	ShortsViewShare      float64
	// ViewSpread is the log-standard deviation of views per video; zero
	// means 1 (a typical channel's spread).
	ViewSpread float64
	// Earnings are the months the user entered.
	Earnings []Earning
	// Start is the first projected month. Zero means the month of time.Now.
	Start time.Time
	// Months is how many months to project. Zero means 12.
	Months int
}

// Month is one projected month, with an 80% band.
type Month struct {
	Month    string  `json:"month"`
	Views    float64 `json:"views"`
	Expected float64 `json:"expected"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// Projection is a channel's projected ad revenue.
type Projection struct {
	Niche       string       `json:"niche"` // the rate's niche
	LongRPM     float64      `json:"long_rpm"`
	ShortsRPM   float64      `json:"shorts_rpm"`
	Calibrated  bool         `json:"calibrated"`
	Calibration *Calibration `json:"calibration"`
	MonthlyLong float64      `json:"monthly_long_views"`
	MonthlyShts float64      `json:"monthly_shorts_views"`
	// Measured is true when the monthly views come from snapshots.
	Measured bool    `json:"measured"`
	Months   []Month `json:"months"`
	// PerSecond is the first month's expected earnings spread over its
	// seconds: the rate the money counter accrues at.
	PerSecond float64  `json:"per_second"`
	Sources   []string `json:"sources"`
}

// Sources are shown with every projection.
var Sources = []string{
	"Long-form creator share 55%: YouTube Partner Program terms (support.google.com/youtube/answer/72851)",
	"Shorts creator share 45%: YouTube Shorts monetization policies (support.google.com/youtube/answer/12504220)",
	"Niche RPMs: midpoints of creator-reported ranges (Influencer Marketing Hub 2024, Social Blade); your entered earnings replace them",
}

// Damping is how much of the trend carries into each further month.
const Damping = 0.7

// weeksPerMonth is the average month: 365.25 / 12 / 7.
const weeksPerMonth = 365.25 / 12 / 7

// z80 is the standard normal quantile of 90%: Low and High bound an 80% band.
const z80 = 1.2816

// Project projects in.Months months of earnings.
func Project(in Inputs) Projection {
	if in.Months <= 0 {
		in.Months = 12
	}
	if in.Start.IsZero() {
		in.Start = time.Now()
	}
	if in.ViewSpread <= 0 {
		in.ViewSpread = 1
	}
	rate := RateFor(in.Niche)
	p := Projection{Niche: rate.Niche, LongRPM: rate.LongRPM(), ShortsRPM: rate.ShortsRPM(), Sources: Sources}
	p.MonthlyLong = in.LongMedianViews * in.LongPerWeek * weeksPerMonth
	p.MonthlyShts = in.ShortsMedianViews * in.ShortsPerWeek * weeksPerMonth
	if m := in.MeasuredMonthlyViews; m > p.MonthlyLong+p.MonthlyShts {
		share := math.Max(0, math.Min(1, in.ShortsViewShare))
		p.MonthlyLong, p.MonthlyShts, p.Measured = m*(1-share), m*share, true
	}
	shortsShare := 0.0
	if total := p.MonthlyLong + p.MonthlyShts; total > 0 {
		shortsShare = p.MonthlyShts / total
	}
	rpmSpread := 0.35 // niche tables are rough: about ±40% at one standard deviation
	if c, ok := Calibrate(in.Earnings, rate, shortsShare); ok && c.Factor > 0 {
		p.Calibrated, p.Calibration = true, &c
		p.LongRPM *= c.Factor
		p.ShortsRPM *= c.Factor
		rpmSpread = math.Max(c.Spread, 0.1) / math.Sqrt(float64(c.Months))
		rpmSpread = math.Max(rpmSpread, 0.1)
	}
	growth := math.Max(-0.3, math.Min(0.3, in.TrendPct/100*0.5))
	g := 1.0
	uploads := (in.LongPerWeek + in.ShortsPerWeek) * weeksPerMonth
	viewSpread := in.ViewSpread / math.Sqrt(math.Max(uploads, 1))
	start := time.Date(in.Start.Year(), in.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := 0; m < in.Months; m++ {
		if m > 0 {
			// A damped trend: month m grows by growth × Damping^m, so a hot
			// month lifts the next few and the projection levels off.
			g *= 1 + growth*math.Pow(Damping, float64(m))
		}
		lv, sv := p.MonthlyLong*g, p.MonthlyShts*g
		exp := lv/1000*p.LongRPM + sv/1000*p.ShortsRPM
		trendSpread := 0.05 * float64(m) // the trend is less certain the further out
		s := math.Sqrt(viewSpread*viewSpread + rpmSpread*rpmSpread + trendSpread*trendSpread)
		p.Months = append(p.Months, Month{Month: start.AddDate(0, m, 0).Format("2006-01"), Views: lv + sv,
			Expected: exp, Low: exp * math.Exp(-z80*s), High: exp * math.Exp(z80*s)})
	}
	if len(p.Months) > 0 {
		p.PerSecond = p.Months[0].Expected / (365.25 / 12 * 86400)
	}
	return p
}

// SplitRevenue divides gross ad revenue into the creator's part: 55% of
// long-form, 45% of Shorts.
func SplitRevenue(longGross, shortsGross float64) (creator, youtube float64) {
	creator = longGross*LongFormShare + shortsGross*ShortsShare
	return creator, longGross + shortsGross - creator
}

// ValidMonth checks a YYYY-MM month.
func ValidMonth(s string) error {
	if _, err := time.Parse("2006-01", s); err != nil || len(s) != 7 {
		return fmt.Errorf("month %q is not in the form YYYY-MM", s)
	}
	return nil
}

// LogSpread is the log-standard deviation of positive values (zeros are
// raised to 1): how widely views vary between videos.
func LogSpread(xs []float64) float64 {
	logs := make([]float64, 0, len(xs))
	for _, x := range xs {
		logs = append(logs, math.Log(math.Max(x, 1)))
	}
	return stddev(logs)
}

func stddev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}
