package sync_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/schema"
)

// TestGatewaySpeaksPostgREST checks the gateway's answers against
// PostgREST's documented shapes, and the schema's last-writer-wins rule.
func TestGatewaySpeaksPostgREST(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	s := signUp(t, h, "shape@example.com")
	tok := s.AccessToken
	row := func(id, hlc, name string) string {
		return `{"id":"` + id + `","name":"` + name + `","niche":"x","language":"en","audience":"","format":"long","cadence":1,"youtube_id":"","autopilot":false,"hlc":"` + hlc + `","deleted":false,"created_at":1,"updated_at":1}`
	}
	const h1, h2, h0 = "1764384000000-000001-00000000000000aa", "1764384000000-000002-00000000000000aa", "1764384000000-000000-00000000000000aa"
	upsert := map[string]string{"Prefer": "resolution=merge-duplicates,return=representation"}
	scenarios := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		code                     string
		contains                 string
	}{
		{"unknown table", "GET", "/rest/v1/nope", "", nil, 404, "42P01", ""},
		{"unknown filter operator", "GET", "/rest/v1/channels?name=near.x", "", nil, 400, "PGRST100", ""},
		{"unknown column", "POST", "/rest/v1/channels", `{"id":"a","colour":"red"}`, nil, 400, "PGRST204", "colour"},
		{"object keys differ", "POST", "/rest/v1/channels", `[{"id":"a","name":"x"},{"id":"b"}]`, nil, 400, "PGRST102", "keys must match"},
		{"not json", "POST", "/rest/v1/channels", `{"id":`, nil, 400, "PGRST102", ""},
		{"insert", "POST", "/rest/v1/channels?on_conflict=id", "[" + row("r1", h1, "first") + "," + row("r2", h1, "second") + "," + row("r3", h1, "third") + "]", upsert, 201, "", `"first"`},
		{"retried upsert is a no-op", "POST", "/rest/v1/channels?on_conflict=id", row("r1", h1, "first again"), upsert, 201, "", "[]"},
		{"stale upsert is a no-op", "POST", "/rest/v1/channels?on_conflict=id", row("r1", h0, "older"), upsert, 201, "", "[]"},
		{"newer upsert wins", "POST", "/rest/v1/channels?on_conflict=id", row("r1", h2, "newer"), upsert, 201, "", `"newer"`},
		{"malformed clock breaks a CHECK", "POST", "/rest/v1/channels", row("r9", "yesterday", "x"), nil, 400, "23514", ""},
		{"duplicate without upsert", "POST", "/rest/v1/channels", row("r2", h2, "dup"), nil, 409, "23505", ""},
		{"page with count", "GET", "/rest/v1/channels?select=id,name&order=id.asc&limit=2", "", map[string]string{"Prefer": "count=exact"}, 206, "", `"r1"`},
		{"tombstone by patch", "PATCH", "/rest/v1/channels?id=eq.r3", `{"deleted":true,"hlc":"` + h2 + `"}`, map[string]string{"Prefer": "return=representation"}, 200, "", `"deleted":true`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			status, code, body := call(t, h, sc.method, sc.path, tok, sc.body, sc.hdr)
			if status != sc.status || code != sc.code || !strings.Contains(body, sc.contains) {
				t.Fatalf("= %d %q %s; want %d %q containing %q", status, code, body, sc.status, sc.code, sc.contains)
			}
		})
	}
	// The page's Content-Range names the rows and the total, as PostgREST's does.
	req, _ := http.NewRequest("GET", h.URL+"/rest/v1/channels?limit=2&offset=1&order=id.asc", nil)
	req.Header.Set("apikey", h.AnonKey())
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Prefer", "count=exact")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("Content-Range"); got != "1-2/3" || resp.StatusCode != 200 {
		t.Fatalf("Content-Range = %q, status %d; want 1-2/3, 200", got, resp.StatusCode)
	}
	// Accepted rewrites (r1's newer upsert, r3's tombstone) draw new server
	// sequence numbers; r2, never rewritten, keeps the oldest.
	var r1, r2, r3 int64
	var name string
	err = h.Admin.QueryRow(`SELECT (SELECT server_seq FROM public.channels WHERE id = 'r1'), (SELECT server_seq FROM public.channels WHERE id = 'r2'),
		(SELECT server_seq FROM public.channels WHERE id = 'r3'), (SELECT name FROM public.channels WHERE id = 'r1')`).Scan(&r1, &r2, &r3, &name)
	if err != nil || !(r2 < r1 && r2 < r3) || name != "newer" {
		t.Fatalf("server_seq r1=%d r2=%d r3=%d, r1 named %q (%v)", r1, r2, r3, name, err)
	}
}

// TestSchemaReapplies checks the promise in the schema file: running it
// again on a project that holds rows keeps them, keeps the policies and
// grants working, and keeps sequence numbers rising.
func TestSchemaReapplies(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	s := signUp(t, h, "reapply@example.com")
	const clock = "1764384000000-000001-00000000000000aa"
	body := func(id string) string {
		return `{"id":"` + id + `","name":"x","hlc":"` + clock + `","created_at":1,"updated_at":1}`
	}
	if status, code, b := call(t, h, "POST", "/rest/v1/channels", s.AccessToken, body("before"), nil); status != 201 {
		t.Fatalf("insert before: %d %s %s", status, code, b)
	}
	files, err := schema.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, err := h.Admin.Exec(f.SQL); err != nil {
			t.Fatalf("re-apply %s: %v", f.Name, err)
		}
	}
	if status, code, b := call(t, h, "POST", "/rest/v1/channels", s.AccessToken, body("after"), nil); status != 201 {
		t.Fatalf("insert after: %d %s %s", status, code, b)
	}
	if status, code, _ := call(t, h, "POST", "/rest/v1/channels", s.AccessToken, `{"id":"forged","name":"x","hlc":"`+clock+`","created_at":1,"updated_at":1,"server_seq":5}`, nil); status != 403 || code != "42501" {
		t.Fatalf("server_seq after re-apply = %d %q; want 403 42501", status, code)
	}
	var before, after int64
	err = h.Admin.QueryRow(`SELECT (SELECT server_seq FROM public.channels WHERE id = 'before'), (SELECT server_seq FROM public.channels WHERE id = 'after')`).Scan(&before, &after)
	if err != nil || before <= 0 || after <= before {
		t.Fatalf("server_seq before=%d after=%d (%v); want both drawn, rising", before, after, err)
	}
}
