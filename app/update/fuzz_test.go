package update

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/semver"
)

func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(`{"version":"1.2.0","notes":"n","assets":{"linux-amd64":{"url":"https://example.org/t","size":10,"sha256":"` + strings.Repeat("0", 64) + `","signature":"untrusted comment: x\nRUQ=\ntrusted comment: y\nAA=="}}}`))
	f.Add([]byte(`{"version":"v9.9.9-rc.1","assets":{}}`))
	f.Add([]byte(`{"version":"1","assets":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		feed, err := ParseFeed(b)
		if err != nil {
			return
		}
		// What parses is a usable feed: a semantic version and assets that
		// each pass their checks, and it survives a round trip.
		if !semver.IsValid(canonical(feed.Version)) {
			t.Fatalf("accepted version %q", feed.Version)
		}
		for p, a := range feed.Assets {
			if err := a.check(); err != nil {
				t.Fatalf("accepted asset %s: %v", p, err)
			}
		}
		out, err := json.Marshal(feed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseFeed(out); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestParseFeedNamesTheField(t *testing.T) {
	good := `{"url":"https://example.org/t","size":10,"sha256":"` + strings.Repeat("a", 64) + `","signature":"SIG"}`
	scenarios := []struct{ doc, want string }{
		{`{"version":"soon","assets":{"x":` + good + `}}`, `version "soon"`},
		{`{"version":"1.0.0"}`, "assets: none listed"},
		{`{"version":"1.0.0","assets":{"linux-amd64":` + strings.Replace(good, "https://example.org/t", "file:///etc/passwd", 1) + `}}`, "assets.linux-amd64.url"},
		{`{"version":"1.0.0","assets":{"linux-amd64":` + strings.Replace(good, `"size":10`, `"size":0`, 1) + `}}`, "assets.linux-amd64.size"},
		{`{"version":"1.0.0","assets":{"linux-amd64":` + strings.Replace(good, strings.Repeat("a", 64), "ABC", 1) + `}}`, "assets.linux-amd64.sha256"},
		{`{"version":"1.0.0","assets":{"linux-amd64":` + good + `}}`, "assets.linux-amd64.signature"},
		{strings.Repeat(" ", MaxFeedBytes+1), "larger than"},
	}
	for _, sc := range scenarios {
		_, err := ParseFeed([]byte(sc.doc))
		if err == nil || !strings.Contains(err.Error(), sc.want) {
			t.Errorf("%.60s: %v, want %q", sc.doc, err, sc.want)
		}
	}
}
