package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tubeagency/sync/internal/gateway"
)

// call sends one raw request to the gateway and returns the status and
// the decoded PostgREST error code (when the body is an error).
func call(t *testing.T, h *gateway.Harness, method, path, token, body string, hdr map[string]string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("apikey", h.AnonKey())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Code, string(raw)
}

func TestCrossUserAttemptsFail(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	signUp(t, h, "alice@example.com")
	mallory := signUp(t, h, "mallory@example.com")
	a := newDevice(t, h, devOpts{})
	alice := a.signIn(t, "alice@example.com")
	ids := putChannels(t, a.st, 3, "alice's")
	a.syncUntil(t, 1)
	victim := ids[0]
	before := serverRows(t, h.Admin, alice.UserID)

	future := time.Now().Add(time.Hour).Unix()
	otherSecret, err := gateway.New(context.Background(), gateway.Options{DSN: pg.DSN("authenticator", h.DB), AdminDSN: pg.DSN("postgres", h.DB)})
	if err != nil {
		t.Fatal(err)
	}
	defer otherSecret.Close()
	forgedToken, _ := otherSecret.Sign(map[string]any{"sub": alice.UserID, "role": "authenticated", "exp": future})
	expired, _ := h.Sign(map[string]any{"sub": alice.UserID, "role": "authenticated", "exp": time.Now().Add(-time.Minute).Unix()})
	serviceNoExp, _ := h.Sign(map[string]any{"role": "service_role"})

	row := `{"id":"` + victim + `","name":"hacked","niche":"x","language":"en","audience":"","format":"long","cadence":1,"youtube_id":"","autopilot":false,"hlc":"` + fmt.Sprintf("%013d", time.Now().Add(time.Hour).UnixMilli()) + `-000000-ffffffffffffffff","deleted":false,"created_at":1,"updated_at":1}`
	upsert := map[string]string{"Prefer": "resolution=merge-duplicates,return=representation"}
	scenarios := []struct {
		name       string
		method     string
		path       string
		token      string
		body       string
		hdr        map[string]string
		wantStatus int
		wantCode   string
		wantBody   string
	}{
		{"read another user's row", "GET", "/rest/v1/channels?id=eq." + victim, mallory.AccessToken, "", nil, 200, "", "[]"},
		{"list shows only own rows", "GET", "/rest/v1/channels?select=id", mallory.AccessToken, "", nil, 200, "", "[]"},
		{"overwrite by upsert", "POST", "/rest/v1/channels?on_conflict=id", mallory.AccessToken, row, upsert, 403, "42501", ""},
		{"insert owned by another user", "POST", "/rest/v1/channels", mallory.AccessToken,
			strings.Replace(row, `"id":"`+victim, `"user_id":"`+alice.UserID+`","id":"fresh-id`, 1), nil, 403, "42501", ""},
		{"update by filter", "PATCH", "/rest/v1/channels?id=eq." + victim, mallory.AccessToken, `{"name":"hacked"}`,
			map[string]string{"Prefer": "return=representation"}, 200, "", "[]"},
		{"delete", "DELETE", "/rest/v1/channels?id=eq." + victim, mallory.AccessToken, "", nil, 403, "42501", ""},
		{"anonymous read", "GET", "/rest/v1/channels", "", "", nil, 401, "42501", ""},
		{"token signed with another secret", "GET", "/rest/v1/channels", forgedToken, "", nil, 401, "PGRST301", ""},
		{"expired token", "GET", "/rest/v1/channels", expired, "", nil, 401, "PGRST301", ""},
		{"token without expiry", "GET", "/rest/v1/channels", serviceNoExp, "", nil, 401, "PGRST301", ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			status, code, body := call(t, h, sc.method, sc.path, sc.token, sc.body, sc.hdr)
			if status != sc.wantStatus || code != sc.wantCode || (sc.wantBody != "" && strings.TrimSpace(body) != sc.wantBody) {
				t.Fatalf("%s %s = %d %q %s, want %d %q %s", sc.method, sc.path, status, code, body, sc.wantStatus, sc.wantCode, sc.wantBody)
			}
		})
	}
	after := serverRows(t, h.Admin, alice.UserID)
	if len(after) != len(before) {
		t.Fatalf("alice has %d rows after the attempts, had %d", len(after), len(before))
	}
	for id, v := range before {
		if after[id] != v {
			t.Fatalf("alice's row %s changed: %+v → %+v", id, v, after[id])
		}
	}
	var foreign int
	if err := h.Admin.QueryRow(`SELECT count(*) FROM public.channels WHERE user_id = $1`, mallory.UserID).Scan(&foreign); err != nil || foreign != 0 {
		t.Fatalf("mallory owns %d rows (%v)", foreign, err)
	}
	req, _ := http.NewRequest("GET", h.URL+"/rest/v1/channels", nil)
	req.Header.Set("Authorization", "Bearer "+alice.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a request without apikey = %d, want 401", resp.StatusCode)
	}
}
