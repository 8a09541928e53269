package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"tubeagency/app"
	"tubeagency/app/server"
)

func newServer(t *testing.T, token string) (*httptest.Server, *app.Runtime) {
	t.Helper()
	rt, err := app.Start(context.Background(), app.Options{DataDir: t.TempDir(), Mode: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Options{
		API:         rt.API(),
		Hub:         rt.Hub(),
		FormatError: func(err error) (int, any) { return app.HTTPStatus(err), app.FormatError(err) },
		Static:      fstest.MapFS{"index.html": {Data: []byte("<title>Tube Agency</title>")}},
		Token:       token,
		Handlers:    rt.HTTPHandlers(),
		Heartbeat:   50 * time.Millisecond,
	})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		rt.Close()
	})
	return ts, rt
}

func post(t *testing.T, ts *httptest.Server, method, body string, hdr map[string]string) (int, map[string]any, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/api/call/"+method, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
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
	return res.StatusCode, m, raw
}

const channelJSON = `[{"name":"Night Bus Stories","niche":"urban legends","language":"en","audience":"","format":"shorts","cadence":5,"youtube_id":"","autopilot":false}]`

func TestHappyPath(t *testing.T) {
	ts, _ := newServer(t, "")
	code, created, raw := post(t, ts, "CreateChannel", channelJSON, nil)
	if code != 200 || created["name"] != "Night Bus Stories" {
		t.Fatalf("create: %d %s", code, raw)
	}
	code, _, raw = post(t, ts, "ListChannels", "[]", nil)
	var list []map[string]any
	json.Unmarshal(raw, &list)
	if code != 200 || len(list) != 1 || list[0]["id"] != created["id"] {
		t.Fatalf("list: %d %s", code, raw)
	}
	// A method without arguments takes an empty body too.
	code, st, raw := post(t, ts, "Status", "", nil)
	if code != 200 || st["channels"].(float64) != 1 {
		t.Fatalf("status: %d %s", code, raw)
	}
	code, m, _ := post(t, ts, "DeleteChannel", `["`+created["id"].(string)+`"]`, nil)
	if code != 200 || m["ok"] != true {
		t.Fatalf("delete: %d %v", code, m)
	}
	res, _ := ts.Client().Get(ts.URL + "/")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), "Tube Agency") {
		t.Fatalf("dashboard: %d %s", res.StatusCode, body)
	}
	res, _ = ts.Client().Get(ts.URL + "/healthz")
	if res.StatusCode != 200 {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
}

func TestErrorBodies(t *testing.T) {
	ts, _ := newServer(t, "")
	scenarios := []struct {
		name, method, body string
		status             int
		code, field        string
	}{
		{"malformed json", "CreateChannel", `[{"name":`, 400, "bad_request", ""},
		{"not an array", "CreateChannel", `{"name":"x"}`, 400, "bad_request", ""},
		{"wrong argument count", "GetChannel", `[]`, 400, "bad_request", ""},
		{"wrong argument type", "GetChannel", `[42]`, 400, "bad_request", ""},
		{"unknown field", "CreateChannel", `[{"nmae":"x"}]`, 400, "bad_request", ""},
		{"unknown method", "DropEverything", `[]`, 404, "unknown_method", ""},
		{"validation", "CreateChannel", `[{"name":"","niche":"x","format":"shorts","cadence":1}]`, 422, "invalid", "name"},
		{"record not found", "GetChannel", `["0190b1d2-0000-7000-8000-000000000000"]`, 404, "not_found", ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			code, m, raw := post(t, ts, sc.method, sc.body, nil)
			if code != sc.status {
				t.Fatalf("status %d, want %d: %s", code, sc.status, raw)
			}
			if m["code"] != sc.code || m["message"] == "" || m["message"] == nil {
				t.Fatalf("body %s", raw)
			}
			if sc.field != "" && bodyField(m) != sc.field {
				t.Fatalf("field %v, want %s", bodyField(m), sc.field)
			}
		})
	}
	// GET on the call endpoint and unknown API paths answer JSON too.
	res, _ := ts.Client().Get(ts.URL + "/api/call/Status")
	if res.StatusCode != 405 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET call: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = ts.Client().Get(ts.URL + "/api/nothing")
	if res.StatusCode != 404 {
		t.Fatalf("unknown api path: %d", res.StatusCode)
	}
	// A form post (what a hostile page could send without a preflight) is refused.
	res, _ = ts.Client().Post(ts.URL+"/api/call/Status", "text/plain", strings.NewReader("[]"))
	if res.StatusCode != 415 {
		t.Fatalf("text/plain call: %d", res.StatusCode)
	}
	code, _, _ := post(t, ts, "Status", "[]", map[string]string{"Origin": "http://evil.example"})
	if code != 403 {
		t.Fatalf("cross-origin call: %d", code)
	}
}

func TestTokenRules(t *testing.T) {
	for _, sc := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:7777", "", true},
		{"localhost:7777", "", true},
		{"[::1]:7777", "", true},
		{"0.0.0.0:7777", "", false},
		{"192.168.1.5:7777", "", false},
		{":7777", "", false},
		{"0.0.0.0:7777", "s3cret", false},                // too short to protect anything
		{"0.0.0.0:7777", strings.Repeat("k", 31), false}, // one short
		{"0.0.0.0:7777", strings.Repeat("k", 32), true},  //
		{"127.0.0.1:7777", "short", false},               // a short token is refused anywhere
		{"0.0.0.0:7777", server.GenerateToken(), true},   //
		{"nonsense", "", false},
	} {
		if err := server.CheckAddr(sc.addr, sc.token); (err == nil) != sc.ok {
			t.Errorf("CheckAddr(%q, %q) = %v", sc.addr, sc.token, err)
		}
	}

	ts, _ := newServer(t, "s3cret-token-0123456789abcdefghijklmn")
	for name, hdr := range map[string]map[string]string{
		"missing": nil,
		"wrong":   {"Authorization": "Bearer nope"},
		"scheme":  {"Authorization": "Basic s3cret-token-0123456789abcdefghijklmn"},
	} {
		code, m, _ := post(t, ts, "Status", "[]", hdr)
		if code != 401 || m["code"] != "unauthorized" {
			t.Errorf("%s token: %d %v", name, code, m)
		}
		if strings.Contains(m["message"].(string), "s3cret") {
			t.Error("error leaks the token")
		}
	}
	code, _, _ := post(t, ts, "Status", "[]", map[string]string{"Authorization": "Bearer s3cret-token-0123456789abcdefghijklmn"})
	if code != 200 {
		t.Fatalf("right token: %d", code)
	}
	for _, path := range []string{"/", "/healthz", "/api/events"} {
		res, _ := ts.Client().Get(ts.URL + path)
		if res.StatusCode != 401 {
			t.Errorf("GET %s without token: %d", path, res.StatusCode)
		}
	}
	// A browser opens /?token=… once and gets a cookie.
	jar := &cookieJar{}
	client := &http.Client{Jar: jar}
	res, err := client.Get(ts.URL + "/?token=s3cret-token-0123456789abcdefghijklmn")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Request.URL.RawQuery != "" {
		t.Fatalf("token link: %d %s", res.StatusCode, res.Request.URL)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/api/call/Status", strings.NewReader("[]"))
	req.Header.Set("Content-Type", "application/json")
	res, _ = client.Do(req)
	if res.StatusCode != 200 {
		t.Fatalf("call with cookie: %d", res.StatusCode)
	}
	res, _ = http.Get(ts.URL + "/?token=wrong")
	if res.StatusCode != 401 {
		t.Fatalf("wrong token link: %d", res.StatusCode)
	}
}

func TestEventsArriveOverSSE(t *testing.T) {
	ts, _ := newServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events", nil)
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	r := bufio.NewReader(res.Body)
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, ": connected") {
		t.Fatalf("first line %q", line)
	}
	posted := make(chan error, 1)
	go func() {
		res, err := ts.Client().Post(ts.URL+"/api/call/CreateChannel", "application/json", strings.NewReader(channelJSON))
		if err == nil {
			res.Body.Close()
		}
		posted <- err
	}()
	// Background parts emit too (metrics, sync, status); wait for the
	// events the call causes, and for a keep-alive.
	seen := map[string]map[string]any{}
	pings := 0
	done := func() bool {
		outbox, _ := seen["status"]["outbox"].(float64)
		return seen["channels"] != nil && seen["activity"] != nil && outbox == 2 && pings > 0
	}
	for !done() {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %v: %v", seen, err)
		}
		if strings.HasPrefix(line, ": ping") {
			pings++
		}
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var ev struct {
			Name string         `json:"name"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
			t.Fatalf("event %q: %v", line, err)
		}
		if ev.Name == "status" && seen["status"] != nil && seen["status"]["outbox"] == float64(2) {
			continue // keep the status the write caused
		}
		seen[ev.Name] = ev.Data
	}
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
	if seen["channels"]["name"] != "Night Bus Stories" {
		t.Fatalf("channels event %v", seen["channels"])
	}
	if seen["status"]["outbox"].(float64) != 2 {
		t.Fatalf("status event %v", seen["status"])
	}
	if seen["activity"]["kind"] != "channel.created" {
		t.Fatalf("activity event %v", seen["activity"])
	}
}

type cookieJar struct{ c []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) { j.c = append(j.c, cs...) }
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie          { return j.c }

// bodyField is the one field an error body names, "" when none.
func bodyField(body map[string]any) string {
	fields, _ := body["fields"].(map[string]any)
	for k := range fields {
		return k
	}
	return ""
}
