// Package predictor scores a video title (and optional thumbnail text)
// from 0 to 100 and says which features drove the score.
//
// With at least MinVideos videos with statistics, Train fits the channel's
// own model: an L2-regularised logistic regression of "this video's views
// per day are above the channel's median" on title features, and measures
// it by stratified 5-fold cross-validation, repeated on small channels (the
// mean AUC over the held-out folds, with its standard error). That accuracy
// travels with every Score. With fewer videos the model falls back to
// general title guidance and says it is uncalibrated.
//
// Past videos carry no thumbnail text, so a channel's model gives the
// thumbnail features no weight; only the uncalibrated guidance uses them.
//
// Only what is known before a video is published can be a feature: the
// title, the thumbnail text and the format (a Short or long-form, when the
// channel has both). What YouTube measures afterwards (impressions,
// click-through rate, retention) is a target instead: with MinVideos
// videos that carry a click-through rate, a second model learns which
// titles beat the channel's median click-through rate of their format,
// which is what a title and thumbnail change most directly.
//
// A score lists only the features present in the title (a word it
// contains, a number it has): features it lacks moved the score too, but a
// reason must be something the title does.
package predictor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tubeagency/app/insights"
	"tubeagency/app/insights/textutil"
)

// MinVideos is how many videos with statistics a channel needs for its own model.
const MinVideos = 30

// Folds is the number of cross-validation folds.
const Folds = 5

// MaxKeywords is how many channel phrases become features.
const MaxKeywords = 25

// Metric names the accuracy measure every calibrated Score carries.
const Metric = "cross-validated AUC"

// Feature is one input of a score and how much it moved it.
type Feature struct {
	Name  string  `json:"name"`
	Label string  `json:"label"`
	Value float64 `json:"value"`
	// Effect is the feature's contribution to the log-odds of beating the
	// channel median: positive raised the score, negative lowered it.
	Effect float64 `json:"effect"`
}

// Outcome is a second target's prediction: the chance the title beats the
// channel's median click-through rate.
type Outcome struct {
	Value      float64   `json:"value"` // 0–100
	Accuracy   float64   `json:"accuracy"`
	AccuracySE float64   `json:"accuracy_se"`
	Metric     string    `json:"metric"`
	Videos     int       `json:"videos"`
	Features   []Feature `json:"features"`
	Note       string    `json:"note"`
}

// Score is a title's predicted chance of beating the channel's median.
type Score struct {
	// Value is 0–100: the predicted probability, in percent, that a video
	// with this title gets more views per day than the channel's median.
	Value float64 `json:"value"`
	// Features are the inputs that moved the score most, strongest first.
	Features []Feature `json:"features"`
	// Calibrated is true when the channel's own model made the score.
	Calibrated bool `json:"calibrated"`
	// Accuracy is the model's held-out AUC (0.5 = a coin flip, 1 = perfect);
	// zero when uncalibrated.
	Accuracy float64 `json:"accuracy"`
	// AccuracySE is the standard error of Accuracy (Hanley and McNeil,
	// 1982): small channels measure their accuracy loosely.
	AccuracySE float64 `json:"accuracy_se"`
	// Metric names Accuracy's measure.
	Metric string `json:"metric"`
	// Videos is how many videos the model learned from.
	Videos int `json:"videos"`
	// Note explains the score's standing in a sentence for the UI.
	Note string `json:"note"`
	// CTR is the chance of beating the channel's median click-through
	// rate, when MinVideos videos carry one; nil otherwise.
	CTR *Outcome `json:"ctr"`
}

type featureDef struct {
	name, label string
	fn          func(t *text) float64
	prior       float64 // weight of the uncalibrated model
}

// text is a title and thumbnail text, split once for every feature.
type text struct {
	title, thumb string
	words        []string
	wordSet      map[string]bool
	phrases      map[string]bool
	thumbWords   []string
	chars        int
	short        bool // the video is (to be) a Short
}

var (
	yearRe   = regexp.MustCompile(`\b(19|20)\d\d\b`)
	superlat = []string{"best", "worst", "ultimate", "top", "most", "perfect", "easiest", "fastest", "biggest"}
	negative = []string{"never", "stop", "mistake", "mistakes", "dont", "wrong", "avoid", "worst", "fail"}
)

func hasAny(t *text, ws []string) float64 {
	for _, w := range ws {
		if t.wordSet[w] {
			return 1
		}
	}
	return 0
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// general are the features every model uses. prior weights encode common
// title guidance (clear, specific, 40–70 characters, a number or a
// question, addressing the viewer, a thumbnail that adds rather than
// repeats); they are what an uncalibrated score uses.
var general = []featureDef{
	{"length", "title length (characters ÷ 10)", func(t *text) float64 { return float64(t.chars) / 10 }, 0},
	{"length_sweet_spot", "title of 40–70 characters", func(t *text) float64 { return b2f(t.chars >= 40 && t.chars <= 70) }, 0.5},
	{"too_long", "title over 70 characters (cut off in search)", func(t *text) float64 { return b2f(t.chars > 70) }, -0.6},
	{"too_short", "title under 20 characters", func(t *text) float64 { return b2f(t.chars < 20) }, -0.4},
	{"number", "has a number", func(t *text) float64 { return b2f(strings.ContainsAny(t.title, "0123456789")) }, 0.3},
	{"starts_number", "starts with a number", func(t *text) float64 {
		r, _ := utf8.DecodeRuneInString(t.title)
		return b2f(unicode.IsDigit(r))
	}, 0.1},
	{"question", "is a question", func(t *text) float64 { return b2f(strings.Contains(t.title, "?")) }, 0.2},
	{"exclamation", "has an exclamation mark", func(t *text) float64 { return b2f(strings.Contains(t.title, "!")) }, 0},
	{"caps_word", "has a word in capitals", func(t *text) float64 {
		for _, w := range strings.Fields(t.title) {
			if utf8.RuneCountInString(w) >= 3 && strings.ToUpper(w) == w && strings.ToLower(w) != w {
				return 1
			}
		}
		return 0
	}, 0.15},
	{"brackets", "has brackets", func(t *text) float64 { return b2f(strings.ContainsAny(t.title, "([")) }, 0.1},
	{"how_to", "says how to", func(t *text) float64 { return b2f(strings.Contains(strings.ToLower(t.title), "how to")) }, 0.2},
	{"you", "speaks to the viewer (you, your)", func(t *text) float64 { return hasAny(t, []string{"you", "your", "youre"}) }, 0.2},
	{"superlative", "has a superlative (best, top, ultimate…)", func(t *text) float64 { return hasAny(t, superlat) }, 0.15},
	{"negative", "warns (never, stop, mistakes…)", func(t *text) float64 { return hasAny(t, negative) }, 0.25},
	{"year", "names a year", func(t *text) float64 { return b2f(yearRe.MatchString(t.title)) }, 0.05},
	{"separator", "has a colon, dash or bar", func(t *text) float64 { return b2f(strings.ContainsAny(t.title, ":|–—")) }, 0},
	{"thumb_words", "thumbnail text of 1–4 words", func(t *text) float64 {
		return b2f(len(t.thumbWords) >= 1 && len(t.thumbWords) <= 4)
	}, 0.3},
	{"thumb_repeats", "thumbnail repeats the title", func(t *text) float64 {
		if len(t.thumbWords) == 0 {
			return 0
		}
		n := 0
		for _, w := range t.thumbWords {
			if t.wordSet[w] {
				n++
			}
		}
		return float64(n) / float64(len(t.thumbWords))
	}, -0.3},
}

func split(title, thumb string, sp *textutil.Splitter) *text {
	t := &text{title: strings.TrimSpace(title), thumb: strings.TrimSpace(thumb)}
	t.words = textutil.Words(t.title)
	t.wordSet = make(map[string]bool, len(t.words))
	for _, w := range t.words {
		t.wordSet[w] = true
	}
	ps := sp.Phrases(t.title, 0)
	t.phrases = make(map[string]bool, len(ps))
	for _, p := range ps {
		t.phrases[p] = true
	}
	t.thumbWords = textutil.Words(t.thumb)
	t.chars = utf8.RuneCountInString(t.title)
	return t
}

// Model scores titles for one channel. A nil *Model is not usable; get one
// from Train or Uncalibrated.
type Model struct {
	sp         *textutil.Splitter
	ctr        *Model // the click-through-rate model, nil without one
	defs       []featureDef
	weights    []float64 // per feature, on standardised inputs
	bias       float64
	mean, std  []float64
	calibrated bool
	accuracy   float64
	accuracySE float64
	videos     int
	note       string
}

// Uncalibrated is the general-guidance model used below MinVideos.
func Uncalibrated(videos int) *Model {
	m := &Model{sp: textutil.For(""), defs: general, videos: videos}
	m.weights = make([]float64, len(general))
	m.mean = make([]float64, len(general))
	m.std = make([]float64, len(general))
	for i, d := range general {
		m.weights[i] = d.prior
		m.std[i] = 1
	}
	m.bias = -0.5
	m.note = fmt.Sprintf("Uncalibrated: general title guidance, not measured on this channel. "+
		"It needs %d videos with statistics for its own model; it has %d.", MinVideos, videos)
	return m
}

// Options tune Train. The zero value trains at time.Now with λ = 1 and
// the stop words of every known language.
type Options struct {
	// Now is when views per day are measured. Zero means time.Now().
	Now time.Time
	// Lambda is the L2 penalty. Zero means 1.
	Lambda float64
	// Language is the titles' language code; "" means any known.
	Language string
}

// MinFormatVideos is how many videos of each format a channel needs for
// the format to be a feature.
const MinFormatVideos = 5

// shortDef is the format feature, known before publishing.
var shortDef = featureDef{"short", "is a Short", func(t *text) float64 { return b2f(t.short) }, 0}

// Train fits the channel's model on videos (with statistics). Fewer than
// MinVideos gives the uncalibrated model.
func Train(videos []insights.Video, opts Options) *Model {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Lambda <= 0 {
		opts.Lambda = 1
	}
	if len(videos) < MinVideos {
		return Uncalibrated(len(videos))
	}
	sp := textutil.For(opts.Language)
	defs := append(append([]featureDef(nil), general...), keywordDefs(videos, sp)...)
	var shorts int
	for _, v := range videos {
		if v.IsShort() {
			shorts++
		}
	}
	if shorts >= MinFormatVideos && len(videos)-shorts >= MinFormatVideos {
		defs = append(defs, shortDef)
	}
	n := len(videos)
	vpd := make([]float64, n)
	for i, v := range videos {
		vpd[i] = v.ViewsPerDay(opts.Now)
	}
	med := median(vpd)
	x := make([][]float64, n)
	y := make([]float64, n)
	for i, v := range videos {
		t := split(v.Title, "", sp)
		t.short = v.IsShort()
		x[i] = make([]float64, len(defs))
		for j, d := range defs {
			x[i][j] = d.fn(t)
		}
		y[i] = b2f(vpd[i] > med)
	}
	m := fitMeasured(defs, x, y, opts.Lambda)
	m.sp = sp
	m.note = fmt.Sprintf("Calibrated on %d videos of this channel; %s %.2f ± %.2f (0.5 is a coin flip, 1 is perfect).",
		n, Metric, m.accuracy, m.accuracySE)
	if m.accuracy < 0.6 || m.accuracy-2*m.accuracySE <= 0.5 {
		m.note += " Titles barely predict views here: treat the score as a weak hint."
	}
	// The click-through-rate model: the videos with enough impressions,
	// labelled by their format's median rate.
	var cx [][]float64
	var cy, shortCTR, longCTR []float64
	for _, v := range videos {
		if v.Impressions >= MinImpressions {
			if v.IsShort() {
				shortCTR = append(shortCTR, v.CTR)
			} else {
				longCTR = append(longCTR, v.CTR)
			}
		}
	}
	if len(shortCTR)+len(longCTR) >= MinVideos {
		ms, ml := median(shortCTR), median(longCTR)
		for i, v := range videos {
			if v.Impressions < MinImpressions {
				continue
			}
			med := ml
			if v.IsShort() {
				med = ms
			}
			cx, cy = append(cx, x[i]), append(cy, b2f(v.CTR > med))
		}
		c := fitMeasured(defs, cx, cy, opts.Lambda)
		c.sp = sp
		c.note = fmt.Sprintf("Chance to beat your median click-through rate, learned from %d videos with impressions; %s %.2f ± %.2f.",
			len(cy), Metric, c.accuracy, c.accuracySE)
		if c.accuracy < 0.6 || c.accuracy-2*c.accuracySE <= 0.5 {
			c.note += " Titles barely predict clicks here: treat it as a weak hint."
		}
		m.ctr = c
	}
	return m
}

// MinImpressions is how many impressions a video's click-through rate
// needs to teach the click-through model.
const MinImpressions = 100

// fitMeasured fits defs to x and y and measures the fit by stratified
// k-fold cross-validation: each video is scored by a model that never saw
// it, and the AUC is averaged over folds. Averaging per fold (rather than
// pooling out-of-fold scores) keeps each fold's intercept from shifting
// its scores against the others', which would pull the AUC of a model
// without signal below 0.5. Small channels give noisy folds, so the split
// is repeated with new shuffles (up to 5 times) until about 1,500
// held-out scores were seen.
func fitMeasured(defs []featureDef, x [][]float64, y []float64, lambda float64) *Model {
	n := len(x)
	repeats := max(1, min(5, (1500+n-1)/n))
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	fold := make([]int, n)
	var aucSum float64
	for rep := 0; rep < repeats; rep++ {
		for _, class := range []float64{0, 1} {
			var idx []int
			for i := range y {
				if y[i] == class {
					idx = append(idx, i)
				}
			}
			rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
			for k, i := range idx {
				fold[i] = k % Folds
			}
		}
		for f := 0; f < Folds; f++ {
			var trX, teX [][]float64
			var trY, teS, teY []float64
			for i := range x {
				if fold[i] == f {
					teX, teY = append(teX, x[i]), append(teY, y[i])
				} else {
					trX, trY = append(trX, x[i]), append(trY, y[i])
				}
			}
			m := fit(defs, trX, trY, lambda)
			for _, r := range teX {
				teS = append(teS, m.logit(r))
			}
			aucSum += AUC(teS, teY)
		}
	}
	m := fit(defs, x, y, lambda)
	m.calibrated, m.videos = true, n
	m.accuracy = aucSum / float64(Folds*repeats)
	var pos float64
	for _, v := range y {
		pos += v
	}
	m.accuracySE = AUCStdErr(m.accuracy, pos, float64(n)-pos)
	return m
}

// keywordDefs makes a feature of each of the channel's most frequent
// title phrases used by at least 3 videos (and not by all); phrases found
// in exactly the same videos are one feature.
func keywordDefs(videos []insights.Video, sp *textutil.Splitter) []featureDef {
	titles := make([]string, len(videos))
	for i, v := range videos {
		titles[i] = v.Title
	}
	type kw struct {
		term string
		n    int
	}
	var ws []kw
	for _, g := range textutil.Collapse(sp.Index(titles, 0, 3)) {
		if len(g.Docs) < len(videos) {
			ws = append(ws, kw{g.Terms[0], len(g.Docs)})
		}
	}
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].n != ws[j].n {
			return ws[i].n > ws[j].n
		}
		return ws[i].term < ws[j].term
	})
	if len(ws) > MaxKeywords {
		ws = ws[:MaxKeywords]
	}
	defs := make([]featureDef, len(ws))
	for i, w := range ws {
		term := w.term
		defs[i] = featureDef{name: "kw:" + term, label: fmt.Sprintf("mentions %q", term),
			fn: func(t *text) float64 { return b2f(t.phrases[term]) }}
	}
	return defs
}

// fit runs Newton's method on the L2-penalised log-likelihood, on inputs
// standardised to mean 0 and deviation 1 (constant columns get weight 0).
func fit(defs []featureDef, x [][]float64, y []float64, lambda float64) *Model {
	d := len(defs)
	m := &Model{defs: defs, weights: make([]float64, d), mean: make([]float64, d), std: make([]float64, d)}
	n := float64(len(x))
	for j := 0; j < d; j++ {
		var s, ss float64
		for _, r := range x {
			s += r[j]
		}
		m.mean[j] = s / n
		for _, r := range x {
			ss += (r[j] - m.mean[j]) * (r[j] - m.mean[j])
		}
		m.std[j] = math.Sqrt(ss / n)
	}
	z := make([][]float64, len(x))
	for i, r := range x {
		z[i] = make([]float64, d+1)
		z[i][d] = 1
		for j := 0; j < d; j++ {
			if m.std[j] > 0 {
				z[i][j] = (r[j] - m.mean[j]) / m.std[j]
			}
		}
	}
	w := make([]float64, d+1)
	for iter := 0; iter < 25; iter++ {
		grad := make([]float64, d+1)
		hess := make([][]float64, d+1)
		for j := range hess {
			hess[j] = make([]float64, d+1)
		}
		for i, zi := range z {
			p := sigmoid(dot(w, zi))
			g := p - y[i]
			h := p * (1 - p)
			for j := range zi {
				if zi[j] == 0 {
					continue
				}
				grad[j] += g * zi[j]
				for k := j; k < len(zi); k++ {
					hess[j][k] += h * zi[j] * zi[k]
				}
			}
		}
		for j := 0; j <= d; j++ {
			for k := 0; k < j; k++ {
				hess[j][k] = hess[k][j]
			}
			if j < d { // the bias is not penalised
				grad[j] += lambda * w[j]
				hess[j][j] += lambda
			} else {
				hess[j][j] += 1e-9
			}
		}
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		var change float64
		for j := range w {
			w[j] -= step[j]
			change = math.Max(change, math.Abs(step[j]))
		}
		if change < 1e-8 {
			break
		}
	}
	copy(m.weights, w[:d])
	m.bias = w[d]
	for j := range m.std {
		if m.std[j] == 0 {
			m.weights[j] = 0
			m.std[j] = 1
		}
	}
	return m
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, false
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

func (m *Model) logit(raw []float64) float64 {
	s := m.bias
	for j, w := range m.weights {
		s += w * (raw[j] - m.mean[j]) / m.std[j]
	}
	return s
}

// Calibrated reports whether the model was fitted on the channel's videos.
func (m *Model) Calibrated() bool { return m.calibrated }

// Accuracy is the model's cross-validated AUC; zero when uncalibrated.
func (m *Model) Accuracy() float64 { return m.accuracy }

// Weight is the standardised weight of the named feature (0 when absent).
func (m *Model) Weight(name string) float64 {
	for j, d := range m.defs {
		if d.name == name {
			return m.weights[j]
		}
	}
	return 0
}

// MaxShownFeatures is how many features a Score lists.
const MaxShownFeatures = 6

// Score scores a title with optional thumbnail text for a long-form video.
func (m *Model) Score(title, thumbnailText string) Score {
	return m.ScoreWith(Input{Title: title, Thumbnail: thumbnailText})
}

// Input is what is known of a video before it is published.
type Input struct {
	Title     string
	Thumbnail string
	// Short is true for a Short (the channel's planned format).
	Short bool
}

// ScoreWith scores in. It allocates little and takes microseconds, so the
// UI can call it on every keystroke. The features listed are only those
// present in the title and thumbnail, strongest first.
func (m *Model) ScoreWith(in Input) Score {
	t := split(in.Title, in.Thumbnail, m.sp)
	t.short = in.Short
	value, feats := m.eval(t)
	sc := Score{Value: value, Features: feats, Calibrated: m.calibrated,
		Accuracy: m.accuracy, AccuracySE: m.accuracySE, Videos: m.videos, Note: m.note}
	if m.calibrated {
		sc.Metric = Metric
	}
	if c := m.ctr; c != nil {
		cv, cf := c.eval(t)
		sc.CTR = &Outcome{Value: cv, Features: cf, Accuracy: c.accuracy, AccuracySE: c.accuracySE, Metric: Metric,
			Videos: c.videos, Note: c.note}
	}
	if t.title == "" {
		sc.Value = 0
		sc.Features = []Feature{}
		if sc.CTR != nil {
			sc.CTR.Value, sc.CTR.Features = 0, []Feature{}
		}
	}
	return sc
}

// eval is the model's 0–100 value for t and the present features that
// moved it, strongest first.
func (m *Model) eval(t *text) (float64, []Feature) {
	s := m.bias
	feats := make([]Feature, 0, len(m.defs))
	for j, d := range m.defs {
		v := d.fn(t)
		e := m.weights[j] * (v - m.mean[j]) / m.std[j]
		s += e
		// Only what the title does is a reason: an absent word or a
		// missing number moved the score, but is not listed.
		if e != 0 && v != 0 {
			feats = append(feats, Feature{Name: d.name, Label: d.label, Value: v, Effect: e})
		}
	}
	sort.SliceStable(feats, func(i, j int) bool { return math.Abs(feats[i].Effect) > math.Abs(feats[j].Effect) })
	if len(feats) > MaxShownFeatures {
		feats = feats[:MaxShownFeatures]
	}
	return math.Round(1000*sigmoid(s)) / 10, feats
}

// AUC is the area under the ROC curve of scores against 0/1 labels: the
// chance a random positive outranks a random negative (ties count half).
// It is 0.5 when either class is empty.
func AUC(scores, labels []float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avgRank := float64(i+j+1) / 2 // ranks are 1-based
		for k := i; k < j; k++ {
			if labels[idx[k]] > 0.5 {
				rankSum += avgRank
				pos++
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// AUCStdErr is the standard error of an AUC measured on pos positive and
// neg negative examples (Hanley and McNeil, Radiology 143(1), 1982).
func AUCStdErr(auc, pos, neg float64) float64 {
	if pos < 1 || neg < 1 {
		return 0
	}
	q1 := auc / (2 - auc)
	q2 := 2 * auc * auc / (1 + auc)
	v := (auc*(1-auc) + (pos-1)*(q1-auc*auc) + (neg-1)*(q2-auc*auc)) / (pos * neg)
	return math.Sqrt(math.Max(v, 0))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
