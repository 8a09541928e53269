package server_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"tubeagency/app"
	"tubeagency/internal/peakrss"
)

// rawRequest sends one request with the Host and headers given, as a
// browser after DNS rebinding would (Go's client lets Host be set freely).
func rawRequest(t *testing.T, ts *httptest.Server, method, path, host string, hdr map[string]string, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m
}

// tablesChecksum hashes every row of the tables a request could change,
// so a test can prove a refused request wrote nothing.
func tablesChecksum(t *testing.T, db *sql.DB) string {
	t.Helper()
	h := sha256.New()
	for _, table := range []string{"channels", "packages", "activity", "outbox", "insights_videos"} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY rowid")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s:%v\n", table, vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// providerSettings is what a user set for each provider (not the router's
// live state beside it, which health checks change while the test runs).
func providerSettings(v app.ProvidersView) string {
	var b strings.Builder
	for _, p := range v.Providers {
		fmt.Fprintf(&b, "%+v key:%v %s\n", p.Provider, p.HasKey, p.KeyHint)
	}
	return b.String()
}

func TestDNSRebindingIsRefusedOnEveryRoute(t *testing.T) {
	ts, rt := newServer(t, "")
	a := rt.API()
	ch, err := a.CreateChannel(app.ChannelInput{Name: "Night Bus Stories", Niche: "urban legends", Language: "en", Format: "shorts", Cadence: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	evil := "evil.example:" + port
	rebound := map[string]string{"Origin": "http://" + evil, "Content-Type": "application/json"}
	csv := "Content,Video title,Video publish time,Views\nabc,T,2025-01-01,5\n"
	routes := []struct {
		method, path, body string
		ct                 string
	}{
		{"GET", "/", "", ""},
		{"GET", "/index.html", "", ""},
		{"GET", "/api/events", "", ""},
		{"GET", "/metrics", "", ""},
		{"GET", "/healthz", "", ""},
		{"POST", "/api/call/Status", "[]", "application/json"},
		{"POST", "/api/call/SaveProvider", `[{"name":"groq","enabled":true,"model":"m","base_url":"http://127.0.0.1:1/v1","rpm":30,"daily_quota":1000}]`, "application/json"},
		{"POST", "/api/call/CreateChannel", channelJSON, "application/json"},
		{"GET", "/api/audio/0190b1d2-0000-7000-8000-000000000000.wav", "", ""},
		{"GET", "/api/export/0190b1d2-0000-7000-8000-000000000000/markdown", "", ""},
		{"POST", "/api/insights/import/" + ch.ID, csv, "text/csv"},
		{"GET", "/api/nothing", "", ""},
	}
	before := tablesChecksum(t, rt.Store().DB())
	providersBefore, _ := a.ListProviders()
	for _, r := range routes {
		hdr := map[string]string{"Origin": rebound["Origin"]}
		if r.ct != "" {
			hdr["Content-Type"] = r.ct
		}
		code, body := rawRequest(t, ts, r.method, r.path, evil, hdr, r.body)
		if code != 403 || body["code"] != "forbidden_host" {
			t.Errorf("%s %s with Host %s: %d %v, want 403 forbidden_host", r.method, r.path, evil, code, body)
		}
		// Without an Origin (a plain fetch after rebinding can omit it on GET).
		delete(hdr, "Origin")
		if code, _ := rawRequest(t, ts, r.method, r.path, evil, hdr, r.body); code != 403 {
			t.Errorf("%s %s with Host %s and no Origin: %d, want 403", r.method, r.path, evil, code)
		}
	}
	if after := tablesChecksum(t, rt.Store().DB()); after != before {
		t.Fatal("a refused request changed the database")
	}
	if providersAfter, _ := a.ListProviders(); providerSettings(providersAfter) != providerSettings(providersBefore) {
		t.Fatal("a refused request changed the provider settings")
	}
	// Names of this computer on the right port are served, with or
	// without a same-origin Origin.
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "LOCALHOST:" + port} {
		code, body := rawRequest(t, ts, "POST", "/api/call/Status", host, map[string]string{"Origin": "http://" + host, "Content-Type": "application/json"}, "[]")
		if code != 200 {
			t.Errorf("Host %s: %d %v, want 200", host, code, body)
		}
		if code, _ := rawRequest(t, ts, "GET", "/healthz", host, nil, ""); code != 200 {
			t.Errorf("GET /healthz with Host %s: %d, want 200", host, code)
		}
	}
	// The same request with the right Host does what the rebound one could not.
	code, _ := rawRequest(t, ts, "POST", "/api/insights/import/"+ch.ID, "127.0.0.1:"+port, map[string]string{"Content-Type": "text/csv"}, csv)
	if code != 200 {
		t.Fatalf("import with the right Host: %d", code)
	}
	// A loopback name on another port is another server.
	for _, host := range []string{"127.0.0.1:1", "localhost", "127.0.0.1.evil.example:" + port, "127.0.0.1:" + port + "0"} {
		if code, _ := rawRequest(t, ts, "GET", "/healthz", host, nil, ""); code != 403 {
			t.Errorf("Host %q: %d, want 403", host, code)
		}
	}
}

func TestOriginMustMatchSchemeHostAndPort(t *testing.T) {
	ts, _ := newServer(t, "")
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	host := "127.0.0.1:" + port
	for origin, want := range map[string]int{
		"http://" + host:                  200,
		"https://" + host:                 403, // the scheme counts
		"http://127.0.0.1:1":              403, // so does the port
		"http://localhost:" + port:        403, // and the host
		"null":                            403, // sandboxed frames, file:// pages
		"http://" + host + "/path":        403,
		"http://user@" + host:             403,
		"http://evil.example:" + port:     403,
		"HTTP://" + strings.ToUpper(host): 200, // URL schemes and hosts are case-blind
	} {
		code, body := rawRequest(t, ts, "POST", "/api/call/Status", host, map[string]string{"Origin": origin, "Content-Type": "application/json"}, "[]")
		if code != want {
			t.Errorf("Origin %q: %d %v, want %d", origin, code, body, want)
		}
	}
	// A browser marks a request another site made; only following a link
	// to a page is let through.
	for _, sc := range []struct {
		method, path, site, mode string
		want                     int
	}{
		{"POST", "/api/call/Status", "cross-site", "cors", 403},
		{"GET", "/api/export/x/markdown", "cross-site", "navigate", 403},
		{"GET", "/api/events", "same-site", "cors", 403},
		{"GET", "/", "cross-site", "navigate", 200},
		{"POST", "/api/call/Status", "same-origin", "cors", 200},
		{"POST", "/api/call/Status", "none", "navigate", 200},
	} {
		code, _ := rawRequest(t, ts, sc.method, sc.path, host, map[string]string{"Sec-Fetch-Site": sc.site, "Sec-Fetch-Mode": sc.mode, "Content-Type": "application/json"}, "[]")
		if code != sc.want {
			t.Errorf("%s %s from %s (%s): %d, want %d", sc.method, sc.path, sc.site, sc.mode, code, sc.want)
		}
	}
}

func TestBadTextAndOversizedCollectionsAreRefusedByField(t *testing.T) {
	ts, rt := newServer(t, "")
	a := rt.API()
	ch, err := a.CreateChannel(app.ChannelInput{Name: "Night Bus Stories", Niche: "urban legends", Language: "en", Format: "shorts", Cadence: 3})
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := a.SavePackage(app.PackageInput{ChannelID: ch.ID, Topic: "the last bus", Title: "The Last Bus"})
	if err != nil {
		t.Fatal(err)
	}
	many := func(n int, item string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strings.ReplaceAll(item, "N", fmt.Sprint(i))
		}
		return strings.Join(parts, ",")
	}
	pkgWith := func(content string) string {
		return `[{"id":"` + pkg.ID + `","channel_id":"` + ch.ID + `","status":"idea","topic":"t","title":"T","content":{` + content + `}}]`
	}
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	scenarios := []struct {
		name, method, body string
		status             int
		field              string
	}{
		{"invalid UTF-8 bytes", "CreateChannel", `[{"name":"Caf` + "\xff\xfe" + `","niche":"x","language":"en","format":"shorts","cadence":1}]`, 400, "name"},
		{"invalid UTF-8 in a key", "CreateChannel", `[{"na` + "\xc3" + `me":"x"}]`, 400, "na\ufffdme"},
		{"invalid UTF-8 in a bare argument", "GetChannel", `["` + "\xed\xa0\x80" + `"]`, 400, "argument 1"},
		{"lone high surrogate", "CreateChannel", `[{"name":"x","niche":"a\ud800b","language":"en","format":"shorts","cadence":1}]`, 400, "niche"},
		{"lone low surrogate", "CreateChannel", `[{"name":"\udc00","niche":"x","language":"en","format":"shorts","cadence":1}]`, 400, "name"},
		{"reversed pair", "CreateChannel", `[{"name":"\udc00\ud800","niche":"x","language":"en","format":"shorts","cadence":1}]`, 400, "name"},
		{"surrogate in a nested list", "SavePackage", pkgWith(`"tags":["ok","b\ud83d"]`), 400, "content.tags[1]"},
		{"20,000 steps", "SavePackage", pkgWith(`"steps":{` + many(20000, `"sN":{}`) + `}`), 400, "content.steps"},
		{"200 steps", "SavePackage", pkgWith(`"steps":{` + many(200, `"sN":{}`) + `}`), 422, "content.steps"},
		{"500 tags", "SavePackage", pkgWith(`"tags":[` + many(500, `"tN"`) + `]`), 422, "content.tags"},
		{"100 ideas", "SavePackage", pkgWith(`"ideas":[` + many(100, `"idea N"`) + `]`), 422, "content.ideas"},
		{"nested 100 deep", "SavePackage", `[` + deep + `]`, 400, ""},
		{"a body over the method's cap", "CreateChannel", `[{"name":"` + strings.Repeat("a", 2<<20) + `"}]`, 413, ""},
	}
	before := tablesChecksum(t, rt.Store().DB())
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			code, m, raw := post(t, ts, sc.method, sc.body, nil)
			if code != sc.status {
				t.Fatalf("status %d, want %d: %.300s", code, sc.status, raw)
			}
			if sc.field != "" && bodyField(m) != sc.field {
				t.Fatalf("field %q, want %q: %.300s", bodyField(m), sc.field, raw)
			}
			if msg, _ := m["message"].(string); msg == "" {
				t.Fatalf("no message: %.300s", raw)
			}
		})
	}
	if after := tablesChecksum(t, rt.Store().DB()); after != before {
		t.Fatal("a refused request changed the database")
	}
	// A correct surrogate pair (an emoji) and accents are text.
	code, m, raw := post(t, ts, "CreateChannel", `[{"name":"Caf\u00e9 \ud83d\ude8c","niche":"x","language":"en","format":"shorts","cadence":1}]`, nil)
	if code != 200 || m["name"] != "Café 🚌" {
		t.Fatalf("valid text: %d %s", code, raw)
	}
}

// stream is an endless request body: head once, then pattern until limit
// bytes were given. It counts what the server read; the client's transport
// may still be reading it after the answer arrived, so the count is atomic.
type stream struct {
	head, pattern []byte
	limit         int64
	given         atomic.Int64
}

func (s *stream) Read(p []byte) (int, error) {
	given := s.given.Load()
	if given >= s.limit {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && given+int64(n) < s.limit {
		if len(s.head) > 0 {
			c := copy(p[n:], s.head)
			s.head = s.head[c:]
			n += c
			continue
		}
		n += copy(p[n:], s.pattern)
	}
	s.given.Add(int64(n))
	return n, nil
}

func TestOneBadRequestCostsUnder64MB(t *testing.T) {
	ts, rt := newServer(t, "")
	ch, err := rt.API().CreateChannel(app.ChannelInput{Name: "Night Bus Stories", Niche: "urban legends", Language: "en", Format: "shorts", Cadence: 3})
	if err != nil {
		t.Fatal(err)
	}
	const endless = 1 << 30 // stands for "forever": the server must stop long before
	scenarios := []struct {
		name, path, ct string
		body           func() *stream
		status         int
	}{
		{"an upload without newlines", "/api/insights/import/" + ch.ID, "text/csv",
			func() *stream { return &stream{pattern: []byte("Content,Video title,"), limit: endless} }, 422},
		{"endless valid rows under a bad header", "/api/insights/import/" + ch.ID, "text/csv",
			func() *stream {
				return &stream{head: []byte("Video,Views\n"), pattern: []byte("abc,12\n"), limit: endless}
			}, 422},
		{"an endless call body", "/api/call/CreateChannel", "application/json",
			func() *stream {
				return &stream{head: []byte(`[{"name":"`), pattern: []byte("aaaaaaaa"), limit: endless}
			}, 413},
		{"an endless pasted table", "/api/call/ImportStudioCSV", "application/json",
			func() *stream {
				return &stream{head: []byte(`["` + ch.ID + `","`), pattern: []byte("x,"), limit: endless}
			}, 413},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			base, err := peakrss.Reset()
			if err != nil {
				t.Fatal(err)
			}
			body := sc.body()
			req, _ := http.NewRequest("POST", ts.URL+sc.path, body)
			req.Header.Set("Content-Type", sc.ct)
			req.ContentLength = -1 // chunked: the server cannot know the size up front
			res, err := ts.Client().Do(req)
			if err == nil {
				res.Body.Close()
				if res.StatusCode != sc.status {
					t.Errorf("status %d, want %d", res.StatusCode, sc.status)
				}
			} else if !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "broken pipe") {
				t.Fatalf("request: %v", err) // a server that stops reading may reset the connection
			}
			peak, _ := peakrss.Peak()
			if grew := peak - base; grew > 64<<20 {
				t.Errorf("peak RSS grew by %d MB, want under 64 MB", grew>>20)
			}
			if body.given.Load() >= endless {
				t.Errorf("the server read the whole %d MB body", endless>>20)
			}
			t.Logf("server stopped after %.1f MB; peak RSS +%.1f MB", float64(body.given.Load())/(1<<20), float64(peak-base)/(1<<20))
		})
	}
	if vs, _ := rt.API().ListInsightVideos(ch.ID); len(vs) != 0 {
		t.Fatalf("refused uploads stored %d videos", len(vs))
	}
}
