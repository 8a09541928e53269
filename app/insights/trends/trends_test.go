package trends_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/trends"
)

var now = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func vid(title string, daysAgo float64, views int64) insights.Video {
	return insights.Video{ID: fmt.Sprint(title, daysAgo), Title: title, Views: views,
		PublishedAt: now.Add(-time.Duration(daysAgo * float64(day)))}
}

func corpus() []insights.Video {
	var vs []insights.Video
	// "air fryer": new, three uploads this week, one last week.
	vs = append(vs, vid("Air Fryer Chicken Wings", 1, 2000), vid("Air Fryer Fries Test", 2, 2000),
		vid("Best Air Fryer Cake", 3, 3000), vid("Air Fryer Review", 10, 1000))
	// "sourdough": one upload a week for eight weeks, equal views per day.
	for w := 0; w < 8; w++ {
		d := float64(w*7) + 2
		vs = append(vs, vid(fmt.Sprintf("Sourdough Loaf Week %d", w), d, int64(100*d)))
	}
	// "fidget spinner": a wave five and six weeks ago, one straggler now.
	for i := 0; i < 4; i++ {
		vs = append(vs, vid("Fidget Spinner Tricks", 36+float64(i), 40000), vid("Fidget Spinner Unboxing", 43+float64(i), 40000))
	}
	vs = append(vs, vid("Fidget Spinner Still Cool", 4, 20))
	vs = append(vs, vid("Quick Dinner", 20, 500), vid("Quick Dinner", 25, 500), vid("Quick Dinner", 30, 500))
	return vs
}

func find(t *testing.T, ts []trends.Trend, term string) trends.Trend {
	t.Helper()
	for _, tr := range ts {
		if tr.Term == term {
			return tr
		}
	}
	t.Fatalf("term %q not found in %d trends", term, len(ts))
	return trends.Trend{}
}

func TestRisingLabelsAndOrder(t *testing.T) {
	niches := []trends.Niche{
		{ChannelID: "kitchen", Niche: "Quick kitchen recipes", Titles: []string{"Chicken Recipes", "Fryer Basics", "Fryer Oil", "Fryer Clean"}},
		{ChannelID: "toys", Niche: "Toy reviews", Titles: []string{"Spinner Battle"}},
	}
	ts := trends.Rising(corpus(), niches, trends.Options{Now: now, Limit: 100})

	fryer := find(t, ts, "air fryer")
	if fryer.Label != trends.Urgent {
		t.Errorf("air fryer label = %s, want urgent (heat %v)", fryer.Label, fryer.Heat)
	}
	// Heat by hand: this week log1p(2000/1)+log1p(2000/2)+log1p(3000/3); last week log1p(1000/10).
	h0 := math.Log1p(2000) + math.Log1p(1000) + math.Log1p(1000)
	h1 := math.Log1p(100)
	if math.Abs(fryer.Heat[0]-h0) > 1e-9 || math.Abs(fryer.Heat[1]-h1) > 1e-9 {
		t.Errorf("air fryer heat = %v, want %v, %v", fryer.Heat[:2], h0, h1)
	}
	if math.Abs(fryer.Velocity-(h0-h1)) > 1e-9 || math.Abs(fryer.Acceleration-(h0-2*h1)) > 1e-9 {
		t.Errorf("air fryer velocity %v acceleration %v", fryer.Velocity, fryer.Acceleration)
	}
	// The three words always come together: one term, not three.
	if sd := find(t, ts, "sourdough loaf week"); sd.Label != trends.Durable || math.Abs(sd.Velocity) > 1e-9 || sd.Videos != 8 {
		t.Errorf("sourdough = %s velocity %v, want durable and flat", sd.Label, sd.Velocity)
	}
	if fs := find(t, ts, "fidget spinner"); fs.Label != trends.Mature {
		t.Errorf("fidget spinner = %s (heat %v), want mature", fs.Label, fs.Heat)
	}
	for _, tr := range ts {
		switch tr.Term {
		case "air", "fryer", "sourdough", "loaf", "fidget", "spinner", "quick", "dinner":
			t.Errorf("%q is a term of its own though it only comes within a phrase", tr.Term)
		}
	}
	if ts[0].Term != "air fryer" {
		t.Errorf("top trend = %q, want the air fryer wave", ts[0].Term)
	}
	for i := 1; i < len(ts); i++ {
		if ts[i-1].Velocity+ts[i-1].Acceleration < ts[i].Velocity+ts[i].Acceleration {
			t.Fatalf("not ordered at %d", i)
		}
	}

	// Relevance: "fryer" is in four kitchen titles (0.6), "air" nowhere → 0.3 for the pair.
	if r := fryer.Relevance["kitchen"]; math.Abs(r-0.3) > 1e-9 {
		t.Errorf("air fryer relevance to kitchen = %v, want 0.3", r)
	}
	if r := find(t, ts, "fidget spinner").Relevance["toys"]; math.Abs(r-0.1) > 1e-9 {
		t.Errorf("fidget spinner relevance to toys = %v, want 0.1 (spinner in one title: 0.6/3/2)", r)
	}
	if r := find(t, ts, "quick dinner").Relevance; r["kitchen"] != 0.5 || r["toys"] != 0 {
		t.Errorf("quick dinner relevance = %v, want 0.5 to kitchen (quick is in its niche) and 0 to toys", r)
	}
}

func TestRisingFiltersAndLimits(t *testing.T) {
	ts := trends.Rising(corpus(), nil, trends.Options{Now: now, MinVideos: 5, Limit: 2})
	if len(ts) != 2 {
		t.Fatalf("limit: got %d", len(ts))
	}
	for _, tr := range ts {
		if tr.Videos < 5 {
			t.Errorf("%q has %d videos, below the minimum", tr.Term, tr.Videos)
		}
	}
	if got := trends.Rising(nil, nil, trends.Options{Now: now}); len(got) != 0 {
		t.Errorf("empty corpus gave %d trends", len(got))
	}
}
