package supabase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cloudsync "tubeagency/sync"
)

func TestValidateURL(t *testing.T) {
	scenarios := []struct {
		in, want string
		insecure bool
		bad      bool
	}{
		{in: "https://abcd.supabase.co", want: "https://abcd.supabase.co"},
		{in: " https://abcd.supabase.co/ ", want: "https://abcd.supabase.co"},
		{in: "http://localhost:54321", want: "http://localhost:54321"},
		{in: "http://127.0.0.1:8000", want: "http://127.0.0.1:8000"},
		{in: "http://[::1]:8000", want: "http://[::1]:8000"},
		{in: "http://abcd.supabase.co", insecure: true},
		{in: "http://192.168.1.10:8000", insecure: true},
		{in: "ftp://abcd.supabase.co", insecure: true},
		{in: "abcd.supabase.co", bad: true},
		{in: "https://abcd.supabase.co/rest/v1", bad: true},
		{in: "https://user:pw@abcd.supabase.co", bad: true},
		{in: "", bad: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.in, func(t *testing.T) {
			got, err := ValidateURL(sc.in)
			switch {
			case sc.insecure:
				if !errors.Is(err, ErrInsecureURL) {
					t.Fatalf("err = %v, want ErrInsecureURL", err)
				}
			case sc.bad:
				if err == nil {
					t.Fatalf("accepted %q as %q", sc.in, got)
				}
			default:
				if err != nil || got != sc.want {
					t.Fatalf("= %q, %v; want %q", got, err, sc.want)
				}
			}
		})
	}
	if _, err := New(Config{URL: "http://example.com", AnonKey: "k"}); !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("New with plain http = %v", err)
	}
	if _, err := New(Config{URL: "https://example.com"}); err == nil {
		t.Fatal("New without an anon key succeeded")
	}
}

// fakeProject is an httptest server speaking GoTrue's and PostgREST's wire
// formats, whose REST answer the test chooses.
type fakeProject struct {
	srv       *httptest.Server
	rest      http.HandlerFunc
	refreshes atomic.Int64
	lastAuth  atomic.Value // Authorization header of the last REST request
}

func newFakeProject(t *testing.T) *fakeProject {
	f := &fakeProject{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/auth/v1/token":
			var in map[string]string
			_ = json.NewDecoder(r.Body).Decode(&in)
			if r.URL.Query().Get("grant_type") == "refresh_token" {
				n := f.refreshes.Add(1)
				writeSession(w, fmt.Sprintf("access-%d", n+1), fmt.Sprintf("refresh-%d", n+1))
				return
			}
			if in["password"] != "right password" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				_, _ = io.WriteString(w, `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`)
				return
			}
			writeSession(w, "access-1", "refresh-1")
		case r.URL.Path == "/auth/v1/signup":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(422)
			_, _ = io.WriteString(w, `{"code":422,"error_code":"user_already_exists","msg":"User already registered"}`)
		case strings.HasPrefix(r.URL.Path, "/rest/v1/"):
			f.lastAuth.Store(r.Header.Get("Authorization"))
			f.rest(w, r)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func writeSession(w http.ResponseWriter, access, refresh string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":3600,"expires_at":%d,"refresh_token":%q,
		"user":{"id":"5b2d4b4e-8a53-4a8f-9d53-0a7d3c1c2f10","email":"u@example.com","aud":"authenticated","role":"authenticated"}}`,
		access, time.Now().Add(time.Hour).Unix(), refresh)
}

func (f *fakeProject) client(t *testing.T, timeout time.Duration) *Client {
	c, err := New(Config{URL: f.srv.URL, AnonKey: "anon-key", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	c.Restore(Session{AccessToken: "access-1", RefreshToken: "refresh-1", ExpiresAt: time.Now().Add(time.Hour).Unix(), UserID: "u"})
	return c
}

var rows = []json.RawMessage{json.RawMessage(`{"id":"a","hlc":"1764384000000-000000-3f2a9c1e5b7d4e21"}`)}

func TestStatusCodeAndRetryAfterSurvive(t *testing.T) {
	scenarios := []struct {
		name       string
		status     int
		body       string
		header     map[string]string
		wantCode   string
		permanent  bool
		retryAfter time.Duration
	}{
		{"row-level security", 403, `{"code":"42501","message":"new row violates row-level security policy","details":null,"hint":null}`, nil, "42501", true, 0},
		{"unique violation", 409, `{"code":"23505","message":"duplicate key"}`, nil, "23505", true, 0},
		{"check violation", 400, `{"code":"23514","message":"violates check constraint"}`, nil, "23514", true, 0},
		{"bad request", 400, `{"code":"PGRST204","message":"Could not find the 'x' column"}`, nil, "PGRST204", true, 0},
		{"proxy's html 502", 502, `<html><body>Bad Gateway</body></html>`, nil, "", false, 0},
		{"database down", 503, `{"code":"PGRST001","message":"Could not connect"}`, nil, "PGRST001", false, 0},
		{"rate limited", 429, `{"message":"Too Many Requests"}`, map[string]string{"Retry-After": "7"}, "", false, 7 * time.Second},
		{"server error", 500, `{"code":"XX000","message":"internal"}`, nil, "XX000", false, 0},
		{"schema not applied", 404, `{"code":"42P01","message":"relation \"public.channels\" does not exist"}`, nil, "42P01", false, 0},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFakeProject(t)
			f.rest = func(w http.ResponseWriter, r *http.Request) {
				for k, v := range sc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(sc.status)
				_, _ = io.WriteString(w, sc.body)
			}
			err := f.client(t, 5*time.Second).Push(context.Background(), "channels", rows)
			var e *cloudsync.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *sync.Error", err)
			}
			if e.Status != sc.status || e.Code != sc.wantCode || e.Permanent != sc.permanent || e.RetryAfter != sc.retryAfter {
				t.Fatalf("got status %d code %q permanent %v retry-after %v", e.Status, e.Code, e.Permanent, e.RetryAfter)
			}
			if cloudsync.IsPermanent(err) != sc.permanent {
				t.Fatal("IsPermanent disagrees")
			}
			if sc.status == 404 && !strings.Contains(err.Error(), "apply sync/schema") {
				t.Fatalf("a missing table does not say to apply the schema: %v", err)
			}
		})
	}
}

func TestHungOrBrokenServerIsTransient(t *testing.T) {
	scenarios := []struct {
		name string
		rest http.HandlerFunc
	}{
		{"hangs before answering", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"hangs mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `[{"id":"a",`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
		{"stream breaks", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `[{"id":"a",`)
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFakeProject(t)
			f.rest = sc.rest
			_, err := f.client(t, 200*time.Millisecond).Pull(context.Background(), "channels", 0, 10, "")
			var e *cloudsync.Error
			if !errors.As(err, &e) || e.Status != 0 || e.Permanent {
				t.Fatalf("err = %#v, want a transient error without status", err)
			}
		})
	}
}

func TestRefreshesBeforeExpiryAndAfter401(t *testing.T) {
	f := newFakeProject(t)
	var seen []string
	f.rest = func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		seen = append(seen, auth)
		if auth == "Bearer access-2" && len(seen) == 2 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"code":"PGRST301","message":"JWT expired"}`)
			return
		}
		w.WriteHeader(201)
	}
	var saved []Session
	c, err := New(Config{URL: f.srv.URL, AnonKey: "anon-key", OnSession: func(s Session) { saved = append(saved, s) }})
	if err != nil {
		t.Fatal(err)
	}
	// The saved token expires within the refresh margin: refresh first.
	c.Restore(Session{AccessToken: "access-1", RefreshToken: "refresh-1", ExpiresAt: time.Now().Add(30 * time.Second).Unix(), UserID: "u"})
	if err := c.Push(context.Background(), "channels", rows); err != nil {
		t.Fatal(err)
	}
	// The server now says the token expired: refresh and retry once.
	if err := c.Push(context.Background(), "channels", rows); err != nil {
		t.Fatal(err)
	}
	want := []string{"Bearer access-2", "Bearer access-2", "Bearer access-3"}
	if strings.Join(seen, ",") != strings.Join(want, ",") || f.refreshes.Load() != 2 {
		t.Fatalf("authorization sent = %v after %d refreshes", seen, f.refreshes.Load())
	}
	if len(saved) != 2 || saved[1].RefreshToken != "refresh-3" {
		t.Fatalf("rotated sessions handed over: %+v", saved)
	}
}

func TestSignInErrorsAndSecretsStayOut(t *testing.T) {
	f := newFakeProject(t)
	c, err := New(Config{URL: f.srv.URL, AnonKey: "anon-key"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.SignIn(ctx, "u@example.com", "wrong password"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("wrong password = %v", err)
	}
	if _, err := c.SignUp(ctx, "u@example.com", "any password"); !errors.Is(err, ErrUserExists) {
		t.Fatalf("existing user = %v", err)
	}
	s, err := c.SignIn(ctx, "u@example.com", "right password")
	if err != nil || s.AccessToken != "access-1" || s.UserID == "" {
		t.Fatalf("sign in = %+v, %v", s, err)
	}
	f.rest = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		_, _ = io.WriteString(w, `{"code":"42501","message":"permission denied for table channels"}`)
	}
	err = c.Push(ctx, "channels", rows)
	if err == nil {
		t.Fatal("push succeeded")
	}
	for _, secret := range []string{"access-1", "refresh-1", "right password", "anon-key"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q contains a secret", err)
		}
	}
	if err := c.SignOut(ctx); err != nil {
		var e *cloudsync.Error
		if !errors.As(err, &e) || e.Status != 404 { // the fake has no logout endpoint
			t.Fatalf("sign out = %v", err)
		}
	}
	if _, ok := c.Session(); ok {
		t.Fatal("still signed in after sign out")
	}
	if err := c.Push(ctx, "channels", rows); !errors.Is(err, cloudsync.ErrSignedOut) {
		t.Fatalf("push when signed out = %v", err)
	}
}
