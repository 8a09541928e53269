package predictor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/predictor"
)

var now = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)

var vocab = []string{"garden", "tomato", "soil", "compost", "seeds", "water", "harvest", "pests", "raised", "beds",
	"pepper", "herbs", "balcony", "winter", "spring", "pruning", "roses", "lawn", "mulch", "greenhouse"}

// channel makes n videos. When signal is true, titles with a number beat
// the channel median 90% of the time and titles without one 10% of the
// time; otherwise views are independent of the title.
func channel(n int, signal bool, seed uint64) []insights.Video {
	rng := rand.New(rand.NewPCG(seed, 99))
	vs := make([]insights.Video, n)
	for i := range vs {
		var b strings.Builder
		hasNum := rng.IntN(2) == 0
		if hasNum {
			fmt.Fprintf(&b, "%d ", 3+rng.IntN(15))
		}
		for w := 0; w < 3+rng.IntN(4); w++ {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocab[rng.IntN(len(vocab))])
		}
		if rng.IntN(4) == 0 {
			b.WriteString("?")
		}
		age := 10 + rng.IntN(300)
		high := rng.IntN(2) == 0
		if signal {
			p := 0.1
			if hasNum {
				p = 0.9
			}
			high = rng.Float64() < p
		}
		vpd := 50 + rng.Float64()*40
		if high {
			vpd = 200 + rng.Float64()*100
		}
		vs[i] = insights.Video{ID: fmt.Sprint(i), Title: b.String(), PublishedAt: now.Add(-time.Duration(age) * 24 * time.Hour),
			Views: int64(vpd * float64(age)), DurationSec: 600}
	}
	return vs
}

func TestPredictorRecoversKnownSignal(t *testing.T) {
	m := predictor.Train(channel(400, true, 1), predictor.Options{Now: now})
	if !m.Calibrated() {
		t.Fatal("400 videos must give a calibrated model")
	}
	if m.Accuracy() <= 0.8 {
		t.Fatalf("cross-validated AUC = %.3f, want > 0.8 on a strong signal", m.Accuracy())
	}
	// The number feature carries the signal: it outweighs every other general feature.
	wNum := m.Weight("number")
	for _, f := range []string{"question", "length", "caps_word", "you", "superlative", "thumb_words"} {
		if math.Abs(m.Weight(f)) >= wNum {
			t.Errorf("weight of %s (%.3f) is not below the number's (%.3f)", f, m.Weight(f), wNum)
		}
	}
	with := m.Score("7 compost tricks for raised beds", "")
	without := m.Score("compost tricks for raised beds", "")
	if with.Value-without.Value < 30 {
		t.Errorf("adding a number moved the score from %.1f to %.1f; the learned signal should lift it a lot", without.Value, with.Value)
	}
	if !with.Calibrated || with.Metric != predictor.Metric || with.Accuracy != m.Accuracy() || with.Videos != 400 {
		t.Errorf("score does not carry its accuracy: %+v", with)
	}
	if len(with.Features) == 0 || with.Features[0].Name != "number" || with.Features[0].Effect <= 0 {
		t.Errorf("the strongest driver should be the number, got %+v", with.Features)
	}
}

func TestPredictorReportsCoinFlipOnNoise(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		m := predictor.Train(channel(400, false, seed), predictor.Options{Now: now})
		if !m.Calibrated() {
			t.Fatal("want calibrated")
		}
		if a := m.Accuracy(); a < 0.4 || a > 0.6 {
			t.Errorf("seed %d: AUC on noise = %.3f, want about 0.5", seed, a)
		}
		s := m.Score("10 garden tips", "")
		if !strings.Contains(s.Note, "barely predict") {
			t.Errorf("seed %d: note %q does not warn that titles barely predict views", seed, s.Note)
		}
	}
}

func TestPredictorUncalibratedBelowThreshold(t *testing.T) {
	m := predictor.Train(channel(predictor.MinVideos-1, true, 1), predictor.Options{Now: now})
	if m.Calibrated() || m.Accuracy() != 0 {
		t.Fatalf("29 videos: calibrated %v accuracy %v", m.Calibrated(), m.Accuracy())
	}
	s := m.Score("How to Grow 10 Tomatoes in Winter: The Complete Guide", "HUGE harvest")
	if s.Calibrated || s.Metric != "" || !strings.Contains(s.Note, "Uncalibrated") || !strings.Contains(s.Note, "has 29") {
		t.Errorf("score = %+v", s)
	}
	if s.Value <= 0 || s.Value >= 100 || len(s.Features) == 0 {
		t.Errorf("score value %v with %d features", s.Value, len(s.Features))
	}
	if m := predictor.Train(channel(predictor.MinVideos, true, 1), predictor.Options{Now: now}); !m.Calibrated() {
		t.Error("exactly MinVideos videos must calibrate")
	}
}

func TestScoreResponds(t *testing.T) {
	m := predictor.Uncalibrated(0)
	scenarios := []struct {
		name          string
		title, thumb  string
		higherThan    string
		thumbOfHigher string
	}{
		{"number", "7 ways to compost faster at home this year", "", "Ways to compost faster at home this year", ""},
		{"too long", "Compost guide for beginners and experts", "", "Compost guide for beginners and experts who want every single detail explained slowly", ""},
		{"thumbnail adds", "Compost guide for beginners and experts", "FREE SOIL", "Compost guide for beginners and experts", "compost guide for beginners and experts"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			a, b := m.Score(sc.title, sc.thumb), m.Score(sc.higherThan, sc.thumbOfHigher)
			if a.Value <= b.Value {
				t.Errorf("%q (%.1f) should beat %q (%.1f)", sc.title, a.Value, sc.higherThan, b.Value)
			}
		})
	}
	if s := m.Score("   ", ""); s.Value != 0 || len(s.Features) != 0 {
		t.Errorf("an empty title scores %v", s.Value)
	}
}

func TestAUC(t *testing.T) {
	scenarios := []struct {
		scores, labels []float64
		want           float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{0, 0, 1, 1}, 1},
		{[]float64{1, 2, 3, 4}, []float64{1, 1, 0, 0}, 0},
		{[]float64{1, 2, 3, 4}, []float64{0, 1, 0, 1}, 0.75},
		{[]float64{5, 5, 5, 5}, []float64{0, 1, 0, 1}, 0.5},
		{[]float64{1, 2}, []float64{1, 1}, 0.5},
	}
	for _, sc := range scenarios {
		if got := predictor.AUC(sc.scores, sc.labels); math.Abs(got-sc.want) > 1e-12 {
			t.Errorf("AUC(%v, %v) = %v, want %v", sc.scores, sc.labels, got, sc.want)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	m := predictor.Train(channel(1000, true, 4), predictor.Options{Now: now})
	b.ReportAllocs()
	for b.Loop() {
		s := m.Score("7 Compost Mistakes That Kill Your Tomatoes (Avoid These!)", "STOP THIS")
		if s.Value <= 0 {
			b.Fatal(s.Value)
		}
	}
}

func BenchmarkTrain1000(b *testing.B) {
	vs := channel(1000, true, 5)
	for b.Loop() {
		predictor.Train(vs, predictor.Options{Now: now})
	}
}

func TestAUCStdErr(t *testing.T) {
	// Hanley and McNeil's worked example: AUC 0.5 on 50 + 50 cases has SE ≈ 0.058.
	if se := predictor.AUCStdErr(0.5, 50, 50); math.Abs(se-0.0580) > 0.001 {
		t.Errorf("SE = %.4f, want about 0.058", se)
	}
	if a, b := predictor.AUCStdErr(0.8, 15, 15), predictor.AUCStdErr(0.8, 150, 150); a <= b {
		t.Errorf("more videos should narrow the error: %v vs %v", a, b)
	}
	if predictor.AUCStdErr(0.7, 0, 10) != 0 {
		t.Error("no positives: SE should be 0")
	}
}

// A score's reasons are things the title does: a word it contains, a
// number it has. Words it lacks are never listed, whatever their weight.
func TestFactorsNeverMentionAbsentWords(t *testing.T) {
	m := predictor.Train(channel(400, true, 5), predictor.Options{Now: now})
	rng := rand.New(rand.NewPCG(8, 8))
	for i := 0; i < 300; i++ {
		var words []string
		for w := 0; w < 1+rng.IntN(5); w++ {
			words = append(words, vocab[rng.IntN(len(vocab))])
		}
		title := strings.Join(words, " ")
		if rng.IntN(3) == 0 {
			title = "9 " + title
		}
		s := m.Score(title, "")
		for _, f := range s.Features {
			if f.Value == 0 {
				t.Fatalf("%q lists the absent feature %q", title, f.Label)
			}
			if term, ok := strings.CutPrefix(f.Name, "kw:"); ok && !strings.Contains(" "+strings.ToLower(title)+" ", " "+term+" ") {
				t.Fatalf("%q lists %q, which it does not contain", title, f.Label)
			}
			if f.Name == "number" && !strings.ContainsAny(title, "0123456789") {
				t.Fatalf("%q lists a number it lacks", title)
			}
		}
	}
	// The keyword features exist and are listed when present.
	var kw bool
	for _, f := range m.Score("compost compost seeds", "").Features {
		kw = kw || strings.HasPrefix(f.Name, "kw:")
	}
	if !kw {
		t.Error("no keyword listed for a title made of the channel's words")
	}
}

// withCTR gives each video impressions and a click-through rate: titles
// that mention compost are clicked twice as often, views per day unchanged.
func withCTR(vs []insights.Video, seed uint64) []insights.Video {
	rng := rand.New(rand.NewPCG(seed, 3))
	for i := range vs {
		vs[i].Impressions = 5000
		vs[i].CTR = 3 + rng.Float64()
		if strings.Contains(vs[i].Title, "compost") {
			vs[i].CTR += 3
		}
	}
	return vs
}

func TestClickThroughModelLearnsFromImpressions(t *testing.T) {
	m := predictor.Train(withCTR(channel(300, false, 2), 1), predictor.Options{Now: now})
	hi, lo := m.Score("compost for raised beds", ""), m.Score("mulch for raised beds", "")
	if hi.CTR == nil || lo.CTR == nil {
		t.Fatal("videos with impressions must give a click-through model")
	}
	// About a fifth of the titles mention compost: they are all above the
	// median rate, the rest split at random, so the best AUC is about 0.7.
	if hi.CTR.Accuracy-2*hi.CTR.AccuracySE <= 0.5 || hi.CTR.Videos != 300 || hi.CTR.Metric != predictor.Metric {
		t.Errorf("click-through model = %+v", hi.CTR)
	}
	if hi.CTR.Value-lo.CTR.Value < 30 {
		t.Errorf("compost moved the click-through chance from %.1f to %.1f only", lo.CTR.Value, hi.CTR.Value)
	}
	if len(hi.CTR.Features) == 0 || hi.CTR.Features[0].Name != "kw:compost" {
		t.Errorf("click-through drivers = %+v", hi.CTR.Features)
	}
	// Views carry no signal here: the views model says so.
	if !strings.Contains(hi.Note, "barely predict") {
		t.Errorf("views note = %q", hi.Note)
	}
	// Without impressions there is no click-through model.
	if s := predictor.Train(channel(300, false, 2), predictor.Options{Now: now}).Score("compost", ""); s.CTR != nil {
		t.Errorf("click-through model without impressions: %+v", s.CTR)
	}
}

// The format is known before publishing: with both formats on the
// channel it is a feature, listed only for a Short.
func TestFormatIsAFeatureWhenTheChannelHasBoth(t *testing.T) {
	vs := channel(300, false, 4)
	for i := range vs {
		if i%3 == 0 {
			vs[i].DurationSec = 40
			vs[i].Views *= 4 // Shorts do better here
		}
	}
	m := predictor.Train(vs, predictor.Options{Now: now})
	short := m.ScoreWith(predictor.Input{Title: "garden tomato seeds", Short: true})
	long := m.ScoreWith(predictor.Input{Title: "garden tomato seeds"})
	if short.Value-long.Value < 20 {
		t.Errorf("a Short scores %.1f, long-form %.1f", short.Value, long.Value)
	}
	has := func(s predictor.Score) bool {
		for _, f := range s.Features {
			if f.Name == "short" {
				return true
			}
		}
		return false
	}
	if !has(short) || has(long) {
		t.Errorf("format listed: Short %v, long-form %v", has(short), has(long))
	}
}
