package insights_test

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite generated fixtures")

// The studio200 fixture: a YouTube Studio export of 200 videos of a retro
// gaming channel over 23 months, with every column Studio writes. Its true
// parameters (what tests that read it check their estimates against):
const (
	fixtureLongRPM   = 4.20 // USD per 1,000 long-form views
	fixtureShortsRPM = 0.06 // USD per 1,000 Shorts views
)

// fixtureNow is the moment the export was taken.
var fixtureNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// studio200 writes the fixture. Every 4th video is a Short. Revenue is
// views × RPM × a noise of mean 1 (log-normal, σ 0.15), so the RPM fitted
// from the file should land within a few percent of the true one.
// Long-form titles about Chrono Trigger get a higher click-through rate and
// retention; the rest vary at random.
func studio200() []byte {
	rng := rand.New(rand.NewPCG(200, 17))
	games := []string{"Chrono Trigger", "Final Fantasy VI", "Super Metroid", "EarthBound", "Secret of Mana",
		"Link to the Past", "Donkey Kong Country", "Star Fox"}
	forms := []string{"Why %s still matters", "%s speedrun explained", "Ranking every %s boss", "%s secrets you missed",
		"The %s soundtrack", "I replayed %s in 2025", "%s: the ending explained", "Is %s worth playing today?"}
	norm := func() float64 { return rng.NormFloat64() }
	var b bytes.Buffer
	b.WriteString("\ufeffContent,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,Estimated revenue (USD)," +
		"Impressions,Impressions click-through rate (%),Average view duration,Average percentage viewed (%),Likes,Comments added\n")
	b.WriteString("Total,,,,,,,,,,,,,\n")
	for i := 0; i < 200; i++ {
		game := games[rng.IntN(len(games))]
		title := fmt.Sprintf(forms[rng.IntN(len(forms))], game)
		short := i%4 == 0
		age := 3.5*float64(i) + 1 + rng.Float64()
		pub := fixtureNow.Add(-time.Duration(age * 24 * float64(time.Hour)))
		var dur int
		var views, rpm, ctr, ret float64
		if short {
			title = game + " in 60 seconds #shorts"
			dur = 15 + rng.IntN(44)
			views = 20000 * math.Exp(0.9*norm())
			rpm = fixtureShortsRPM
			ctr = 3 + rng.Float64()*2
			ret = 60 + rng.Float64()*35
		} else {
			dur = 360 + rng.IntN(840)
			views = 6900 * math.Exp(0.8*norm())
			rpm = fixtureLongRPM
			ctr = 3.5 + rng.Float64()*3
			ret = 30 + rng.Float64()*20
			if game == "Chrono Trigger" {
				ctr += 3
				ret += 12
			}
		}
		// A video's views grow over its first month.
		views *= math.Min(1, age/30)
		v := int64(math.Max(1, math.Round(views)))
		revenue := float64(v) / 1000 * rpm * math.Exp(0.15*norm()-0.15*0.15/2)
		avgSec := float64(dur) * ret / 100
		impressions := int64(math.Round(float64(v) * 0.6 / (ctr / 100)))
		subs := int64(math.Round(float64(v) * 0.002 * math.Exp(0.3*norm())))
		fmt.Fprintf(&b, "vid%08d,\"%s\",\"%s\",%d,%d,%.4f,%d,%.2f,%d,%.2f,%d:%02d:%02d,%.2f,%d,%d\n",
			i, title, pub.Format("Jan 2, 2006"), dur, v, float64(v)*avgSec/3600, subs, revenue, impressions, ctr,
			int(avgSec)/3600, int(avgSec)/60%60, int(avgSec)%60, ret, v/40, v/400)
	}
	return b.Bytes()
}

// TestStudio200FixtureIsCurrent keeps the committed fixture equal to what
// studio200 writes (go test -run Studio200 -update rewrites it).
func TestStudio200FixtureIsCurrent(t *testing.T) {
	path := filepath.Join("testdata", "insights", "studio200", "Table data.csv")
	want := studio200()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go test -run Studio200 -update ./app/insights/", path)
	}
}
