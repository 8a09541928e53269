// Package revenue projects a channel's ad earnings: monthly views (from
// YouTube Analytics, stats snapshots, the back catalogue or the median,
// cadence and trend of uploads) times an RPM per format, long-form and
// Shorts kept apart.
//
// Where the channel's own revenue is known (a CSV's revenue column or
// YouTube Analytics), FitRPM measures its RPM per format with an 80% band
// and that is the RPM. Without it, the niche table is the prior, keyed by
// a niche category chosen from a list whose names are given in several
// languages (never by matching English words), scaled by the monthly
// earnings the user entered, if any.
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
//     measurements: the channel's own revenue replaces them.
package revenue

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
)

// Creator shares of ad revenue (see the package sources).
const (
	LongFormShare = 0.55
	ShortsShare   = 0.45
)

// Category is a niche category: its RPM prior and its name in several
// languages. Gross figures are ad revenue per 1,000 views before the
// creator share: RPM = gross × share.
type Category struct {
	ID string `json:"id"`
	// Names by language code (en, es, pt, fr, de).
	Names       map[string]string `json:"names"`
	LongGross   float64           `json:"long_gross"`   // USD per 1,000 long-form views
	ShortsGross float64           `json:"shorts_gross"` // USD per 1,000 Shorts views
	// words of a niche description, in any of the languages, that suggest
	// the category (SuggestCategory).
	words []string
}

// LongRPM is what a creator receives per 1,000 long-form views.
func (c Category) LongRPM() float64 { return c.LongGross * LongFormShare }

// ShortsRPM is what a creator receives per 1,000 Shorts views.
func (c Category) ShortsRPM() float64 { return c.ShortsGross * ShortsShare }

// Name is the category's name in lang ("pt-BR" reads as pt), English
// when the language is not known.
func (c Category) Name(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if n, ok := c.Names[base]; ok {
		return n
	}
	return c.Names["en"]
}

func names(en, es, pt, fr, de string) map[string]string {
	return map[string]string{"en": en, "es": es, "pt": pt, "fr": fr, "de": de}
}

// Categories are the niche categories, with the RPM priors. Long-form
// gross = creator-reported RPM ÷ 0.55; Shorts gross = creator-reported
// Shorts RPM ÷ 0.45 (sources above). General is last.
var Categories = []Category{
	{"finance", names("Finance and investing", "Finanzas e inversión", "Finanças e investimentos", "Finance et investissement", "Finanzen und Geldanlage"), 21.8, 0.33,
		[]string{"finance", "finances", "money", "invest", "investing", "stocks", "crypto", "trading", "budget", "insurance", "finanzas", "dinero", "inversión", "inversiones", "ahorro", "bolsa", "finanças", "dinheiro", "investimentos", "investir", "economia", "poupança", "argent", "bourse", "épargne", "finanzen", "geld", "aktien", "sparen"}},
	{"business", names("Business and marketing", "Negocios y marketing", "Negócios e marketing", "Affaires et marketing", "Business und Marketing"), 14.5, 0.27,
		[]string{"business", "marketing", "entrepreneur", "startup", "sales", "ecommerce", "career", "negocios", "emprendimiento", "ventas", "negócios", "empreendedorismo", "vendas", "carreira", "entreprise", "vente", "unternehmen", "verkauf"}},
	{"technology", names("Technology", "Tecnología", "Tecnologia", "Technologie", "Technik"), 10.9, 0.2,
		[]string{"tech", "technology", "software", "programming", "coding", "gadgets", "computers", "tecnología", "programación", "tecnologia", "programação", "technologie", "programmation", "technik", "programmieren"}},
	{"education", names("Education and science", "Educación y ciencia", "Educação e ciência", "Éducation et sciences", "Bildung und Wissenschaft"), 9.1, 0.16,
		[]string{"education", "science", "history", "learning", "study", "explained", "documentary", "educación", "ciencia", "historia", "aprender", "educação", "ciência", "história", "éducation", "sciences", "histoire", "bildung", "wissenschaft", "geschichte"}},
	{"health", names("Health and fitness", "Salud y fitness", "Saúde e fitness", "Santé et fitness", "Gesundheit und Fitness"), 9.1, 0.16,
		[]string{"health", "fitness", "workout", "nutrition", "diet", "wellness", "yoga", "salud", "ejercicio", "nutrición", "dieta", "saúde", "exercícios", "nutrição", "santé", "gesundheit", "ernährung"}},
	{"food", names("Food and cooking", "Comida y cocina", "Comida e culinária", "Cuisine", "Essen und Kochen"), 7.3, 0.13,
		[]string{"food", "cooking", "recipes", "baking", "kitchen", "bread", "vegan", "cocina", "recetas", "comida", "repostería", "panadería", "culinária", "receitas", "cozinha", "confeitaria", "cuisine", "recettes", "pâtisserie", "kochen", "rezepte", "backen", "küche"}},
	{"travel", names("Travel and outdoors", "Viajes y aire libre", "Viagens e natureza", "Voyages et plein air", "Reisen und Outdoor"), 7.3, 0.13,
		[]string{"travel", "adventure", "outdoors", "camping", "hiking", "viajes", "aventura", "senderismo", "viagens", "viagem", "trilhas", "voyage", "voyages", "randonnée", "reisen", "wandern"}},
	{"home", names("Home, DIY and cars", "Hogar, bricolaje y coches", "Casa, faça você mesmo e carros", "Maison, bricolage et voitures", "Haus, Heimwerken und Autos"), 7.3, 0.13,
		[]string{"home", "diy", "garden", "gardening", "crafts", "woodworking", "cars", "automotive", "hogar", "bricolaje", "jardín", "jardinería", "coches", "autos", "casa", "jardim", "jardinagem", "carros", "maison", "bricolage", "jardin", "voitures", "garten", "heimwerken"}},
	{"beauty", names("Beauty and fashion", "Belleza y moda", "Beleza e moda", "Beauté et mode", "Beauty und Mode"), 6.4, 0.11,
		[]string{"beauty", "fashion", "makeup", "skincare", "style", "lifestyle", "belleza", "moda", "maquillaje", "beleza", "maquiagem", "beauté", "mode", "maquillage", "schönheit"}},
	{"gaming", names("Gaming", "Videojuegos", "Games", "Jeux vidéo", "Gaming"), 4.5, 0.09,
		[]string{"gaming", "games", "videogames", "minecraft", "fortnite", "esports", "roblox", "retro", "videojuegos", "juegos", "jogos", "videogame", "jeux", "spiele"}},
	{"entertainment", names("Entertainment and vlogs", "Entretenimiento y vlogs", "Entretenimento e vlogs", "Divertissement et vlogs", "Unterhaltung und Vlogs"), 3.6, 0.09,
		[]string{"entertainment", "comedy", "vlog", "vlogs", "pranks", "reactions", "celebrity", "stories", "horror", "entretenimiento", "comedia", "humor", "entretenimento", "comédia", "divertissement", "comédie", "unterhaltung", "komödie"}},
	{"music", names("Music", "Música", "Música", "Musique", "Musik"), 2.7, 0.07,
		[]string{"music", "songs", "covers", "lofi", "asmr", "música", "canciones", "músicas", "musique", "chansons", "musik", "lieder"}},
	{"general", names("Other / general", "Otro / general", "Outro / geral", "Autre / général", "Sonstiges / allgemein"), 5.5, 0.11, nil},
}

// General is the category of a channel none other fits.
const General = "general"

// CategoryByID returns the category with id; ok is false (and the general
// category returned) for an unknown id.
func CategoryByID(id string) (Category, bool) {
	for _, c := range Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Categories[len(Categories)-1], false
}

// SuggestCategory picks the category whose words (in English, Spanish,
// Portuguese, French or German) best match a niche description: the most
// matched words, ties to the earlier category; General when none matches.
// It only suggests: the channel's category is what the user chose.
func SuggestCategory(niche string) string {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(niche), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		words[w] = true
	}
	best, bestN := General, 0
	for _, c := range Categories {
		n := 0
		for _, k := range c.words {
			if words[k] {
				n++
			}
		}
		if n > bestN {
			best, bestN = c.ID, n
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
func Calibrate(earnings []Earning, cat Category, shortsShare float64) (Calibration, bool) {
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
	blended := BlendedRPM(cat, shortsShare)
	if blended > 0 {
		c.Factor = c.RPM / blended
	}
	c.Spread = stddev(logs)
	return c, true
}

// BlendedRPM is the RPM of a view mix with shortsShare of Shorts views.
func BlendedRPM(c Category, shortsShare float64) float64 {
	return (1-shortsShare)*c.LongRPM() + shortsShare*c.ShortsRPM()
}

// Observation is revenue earned by views of one format: one video's
// lifetime (an export's revenue column) or one month of a format (YouTube
// Analytics' daily revenue).
type Observation struct {
	Short   bool
	Views   float64
	Revenue float64 // USD
}

// FormatFit is a format's RPM measured from the channel's own revenue.
type FormatFit struct {
	// RPM is total revenue ÷ total views × 1,000 (the ratio estimator);
	// Low and High bound its 80% confidence band.
	RPM  float64 `json:"rpm"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Spread is the log-standard deviation of the units' RPMs (a month's
	// RPM varies that much when the units are months).
	Spread  float64 `json:"spread"`
	Views   float64 `json:"views"`
	Revenue float64 `json:"revenue"`
	Units   int     `json:"units"`
}

// Fit is the channel's RPM per format; a format without enough revenue
// data is nil.
type Fit struct {
	Long   *FormatFit `json:"long"`
	Shorts *FormatFit `json:"shorts"`
	// Unit is what one observation was: "video" or "month".
	Unit string `json:"unit"`
}

// Empty reports whether neither format was fitted.
func (f Fit) Empty() bool { return f.Long == nil && f.Shorts == nil }

// A format is fitted from at least MinFitUnits observations holding at
// least MinFitViews views.
const (
	MinFitUnits = 3
	MinFitViews = 10_000
)

// FitRPM measures the RPM of each format from obs (unit names what one
// observation is). The RPM is the ratio estimator Σ revenue ÷ Σ views
// (views weigh in: a video of a million views says more than one of a
// hundred), its standard error the ratio estimator's,
// √(Σ (revenue − RPM × views)² ÷ (n − 1) ÷ n) ÷ mean views.
func FitRPM(obs []Observation, unit string) Fit {
	f := Fit{Unit: unit}
	for _, short := range []bool{false, true} {
		var xs, ys []float64
		for _, o := range obs {
			if o.Short == short && o.Views > 0 && o.Revenue >= 0 && !math.IsInf(o.Revenue, 0) {
				xs, ys = append(xs, o.Views/1000), append(ys, o.Revenue)
			}
		}
		n := float64(len(xs))
		var sx, sy float64
		for i := range xs {
			sx, sy = sx+xs[i], sy+ys[i]
		}
		if len(xs) < MinFitUnits || sx*1000 < MinFitViews {
			continue
		}
		r := sy / sx
		var ss float64
		logs := make([]float64, 0, len(xs))
		for i := range xs {
			d := ys[i] - r*xs[i]
			ss += d * d
			logs = append(logs, math.Log(math.Max(ys[i], 0.005)/xs[i]))
		}
		se := math.Sqrt(ss/(n-1)/n) / (sx / n)
		ff := &FormatFit{RPM: r, Low: math.Max(0, r-z80*se), High: r + z80*se, Spread: stddev(logs),
			Views: sx * 1000, Revenue: sy, Units: len(xs)}
		if short {
			f.Shorts = ff
		} else {
			f.Long = ff
		}
	}
	return f
}

// Inputs describe a channel for Project.
type Inputs struct {
	// Category is the niche category id whose RPMs are the prior (see
	// Categories); "" or an unknown id means General. CategorySource says
	// how it was picked ("chosen" by the user, "suggested" from the niche
	// text), for the projection to repeat.
	Category       string
	CategorySource string
	// RecentUploads is how many videos were uploaded in the last
	// RecentDays days (what the cadence below was measured on), repeated
	// by the projection.
	RecentUploads, RecentDays int
	// Median views per video and uploads per week, per format.
	LongMedianViews, ShortsMedianViews float64
	LongPerWeek, ShortsPerWeek         float64
	// TrendPct is the recent change in views per day, in percent (the
	// audit's 30-day trend). Half of it, capped at ±30%, is the first
	// month's growth; later months carry it on damped by Damping.
	TrendPct float64
	// ShortsViewShare (0–1) splits the monthly views measured below by
	// format.
	ShortsViewShare float64
	// ActualMonthlyViews, when positive, is what YouTube Analytics counted
	// over the last 28 days, scaled to a month: the monthly views, split by
	// ActualShortsShare, whatever the estimates below say.
	ActualMonthlyViews float64
	ActualShortsShare  float64
	// MeasuredMonthlyViews, when positive, is the channel's whole monthly
	// views measured between stats snapshots (new uploads and the back
	// catalogue). It replaces the uploads-based estimate when larger.
	MeasuredMonthlyViews float64
	// CatalogueMonthlyViews, when positive, is every video's views divided
	// by the months since the first upload: the channel's average month,
	// back catalogue included. It replaces the estimates above when larger.
	CatalogueMonthlyViews float64
	// ViewSpread is the log-standard deviation of views per video; zero
	// means 1 (a typical channel's spread).
	ViewSpread float64
	// Fit is the channel's own RPM per format (FitRPM); a fitted format's
	// RPM replaces the prior.
	Fit Fit
	// Earnings are the months the user entered; without a fit they scale
	// the prior to the channel's measured RPM.
	Earnings []Earning
	// Start is the first projected month. Zero means the month of time.Now.
	Start time.Time
	// Months is how many months to project. Zero means 12.
	Months int
}

// Month is one projected month, with an 80% band, in whole cents.
type Month struct {
	Month    string  `json:"month"`
	Views    float64 `json:"views"`
	Expected float64 `json:"expected"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// Where an RPM came from.
const (
	SourceRevenue  = "revenue"  // fitted from the channel's own revenue
	SourceEarnings = "earnings" // the prior scaled by entered earnings
	SourcePrior    = "prior"    // the niche category's table
)

// Where the monthly views came from.
const (
	ViewsAnalytics = "analytics" // YouTube Analytics, last 28 days
	ViewsSnapshots = "snapshots" // growth between stats snapshots
	ViewsCatalogue = "catalogue" // lifetime views ÷ months since the first upload
	ViewsUploads   = "uploads"   // median views × cadence
)

// Projection is a channel's projected ad revenue.
type Projection struct {
	// Category is the niche category whose RPMs are the prior.
	Category       string `json:"category"`
	CategoryName   string `json:"category_name"`   // in English
	CategorySource string `json:"category_source"` // "chosen" or "suggested"
	// RecentUploads were uploaded in the last RecentDays days.
	RecentUploads int `json:"recent_uploads"`
	RecentDays    int `json:"recent_days"`
	// LongRPM and ShortsRPM are the RPMs used, in whole cents;
	// LongSource and ShortsSource say where each came from.
	LongRPM      float64 `json:"long_rpm"`
	ShortsRPM    float64 `json:"shorts_rpm"`
	LongSource   string  `json:"long_source"`
	ShortsSource string  `json:"shorts_source"`
	// Fit is the channel's own RPM per format, when its revenue is known.
	Fit Fit `json:"fit"`
	// Calibrated is true when the channel's own numbers (revenue or
	// entered earnings) set an RPM.
	Calibrated  bool         `json:"calibrated"`
	Calibration *Calibration `json:"calibration"`
	MonthlyLong float64      `json:"monthly_long_views"`
	MonthlyShts float64      `json:"monthly_shorts_views"`
	// ViewsSource says where the monthly views came from; Measured is
	// true when they are not the uploads-based estimate.
	ViewsSource string  `json:"views_source"`
	Measured    bool    `json:"measured"`
	Months      []Month `json:"months"`
	// PerSecond is the first month's expected earnings spread over its
	// seconds: the rate the money counter accrues at.
	PerSecond float64  `json:"per_second"`
	Sources   []string `json:"sources"`
}

// Sources are shown with every projection.
var Sources = []string{
	"Long-form creator share 55%: YouTube Partner Program terms (support.google.com/youtube/answer/72851)",
	"Shorts creator share 45%: YouTube Shorts monetization policies (support.google.com/youtube/answer/12504220)",
	"Niche RPMs: midpoints of creator-reported ranges (Influencer Marketing Hub 2024, Social Blade); your own revenue or entered earnings replace them",
}

// Damping is how much of the trend carries into each further month.
const Damping = 0.7

// weeksPerMonth is the average month: 365.25 / 12 / 7.
const weeksPerMonth = 365.25 / 12 / 7

// z80 is the standard normal quantile of 90%: Low and High bound an 80% band.
const z80 = 1.2816

// Cents rounds an amount of money to whole cents: money never shows more.
func Cents(x float64) float64 { return math.Round(x*100) / 100 }

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
	cat, _ := CategoryByID(in.Category)
	p := Projection{Category: cat.ID, CategoryName: cat.Names["en"], CategorySource: in.CategorySource,
		RecentUploads: in.RecentUploads, RecentDays: in.RecentDays, Fit: in.Fit, Sources: Sources,
		LongSource: SourcePrior, ShortsSource: SourcePrior, ViewsSource: ViewsUploads}
	longRPM, shortsRPM := cat.LongRPM(), cat.ShortsRPM()
	p.MonthlyLong = in.LongMedianViews * in.LongPerWeek * weeksPerMonth
	p.MonthlyShts = in.ShortsMedianViews * in.ShortsPerWeek * weeksPerMonth
	split := func(m, share float64, source string) {
		share = math.Max(0, math.Min(1, share))
		p.MonthlyLong, p.MonthlyShts, p.ViewsSource = m*(1-share), m*share, source
	}
	switch {
	case in.ActualMonthlyViews > 0:
		split(in.ActualMonthlyViews, in.ActualShortsShare, ViewsAnalytics)
	default:
		if m := in.MeasuredMonthlyViews; m > p.MonthlyLong+p.MonthlyShts {
			split(m, in.ShortsViewShare, ViewsSnapshots)
		}
		if m := in.CatalogueMonthlyViews; m > p.MonthlyLong+p.MonthlyShts {
			split(m, in.ShortsViewShare, ViewsCatalogue)
		}
	}
	p.Measured = p.ViewsSource != ViewsUploads
	shortsShare := 0.0
	if total := p.MonthlyLong + p.MonthlyShts; total > 0 {
		shortsShare = p.MonthlyShts / total
	}
	rpmSpread := 0.35 // niche tables are rough: about ±40% at one standard deviation
	switch {
	case !in.Fit.Empty():
		// The channel's own revenue: each fitted format's RPM, the band
		// from how uncertain the fit is and, with months as units, how
		// much a month's RPM varies. A format without enough revenue
		// keeps the prior, with the prior's uncertainty for its share.
		p.Calibrated = true
		var vr, wsum float64
		for _, f := range []struct {
			fit   *FormatFit
			rpm   *float64
			src   *string
			views float64
		}{{in.Fit.Long, &longRPM, &p.LongSource, p.MonthlyLong}, {in.Fit.Shorts, &shortsRPM, &p.ShortsSource, p.MonthlyShts}} {
			rel := 0.35
			if f.fit != nil {
				*f.rpm, *f.src = f.fit.RPM, SourceRevenue
				rel = 0.1 // a month's RPM moves with the season even when the mean is sure
				if in.Fit.Unit == "month" {
					rel = math.Max(f.fit.Spread, 0.05)
				}
				if f.fit.RPM > 0 {
					rel = math.Max(rel, (f.fit.High-f.fit.Low)/2/z80/f.fit.RPM)
				}
			}
			w := f.views * *f.rpm
			vr += w * w * rel * rel
			wsum += w
		}
		if wsum > 0 {
			rpmSpread = math.Sqrt(vr) / wsum
		}
	default:
		if c, ok := Calibrate(in.Earnings, cat, shortsShare); ok && c.Factor > 0 {
			p.Calibrated, p.Calibration = true, &c
			longRPM *= c.Factor
			shortsRPM *= c.Factor
			p.LongSource, p.ShortsSource = SourceEarnings, SourceEarnings
			rpmSpread = math.Max(c.Spread, 0.1) / math.Sqrt(float64(c.Months))
			rpmSpread = math.Max(rpmSpread, 0.1)
		}
	}
	p.LongRPM, p.ShortsRPM = Cents(longRPM), Cents(shortsRPM)
	growth := math.Max(-0.3, math.Min(0.3, in.TrendPct/100*0.5))
	g := 1.0
	uploads := (in.LongPerWeek + in.ShortsPerWeek) * weeksPerMonth
	viewSpread := in.ViewSpread / math.Sqrt(math.Max(uploads, 1))
	// A whole channel's month moves far less than one video's views.
	switch p.ViewsSource {
	case ViewsAnalytics:
		viewSpread = 0.1
	case ViewsSnapshots:
		viewSpread = 0.15
	case ViewsCatalogue:
		viewSpread = 0.25 // the average month of the channel's life, not the last one
	}
	start := time.Date(in.Start.Year(), in.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
	var first float64
	for m := 0; m < in.Months; m++ {
		if m > 0 {
			// A damped trend: month m grows by growth × Damping^m, so a hot
			// month lifts the next few and the projection levels off.
			g *= 1 + growth*math.Pow(Damping, float64(m))
		}
		lv, sv := p.MonthlyLong*g, p.MonthlyShts*g
		exp := lv/1000*longRPM + sv/1000*shortsRPM
		if m == 0 {
			first = exp
		}
		trendSpread := 0.05 * float64(m) // the trend is less certain the further out
		s := math.Sqrt(viewSpread*viewSpread + rpmSpread*rpmSpread + trendSpread*trendSpread)
		p.Months = append(p.Months, Month{Month: start.AddDate(0, m, 0).Format("2006-01"), Views: math.Round(lv + sv),
			Expected: Cents(exp), Low: Cents(exp * math.Exp(-z80*s)), High: Cents(exp * math.Exp(z80*s))})
	}
	p.PerSecond = first / (365.25 / 12 * 86400)
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
