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
	gosync "sync"
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
	auth      http.HandlerFunc // answers /auth/v1/token instead of the default when set
	refreshes atomic.Int64
	lastAuth  atomic.Value // Authorization header of the last REST request
}

func newFakeProject(t *testing.T) *fakeProject {
	f := &fakeProject{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/auth/v1/token" && f.auth != nil:
			f.auth(w, r)
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

// An answer larger than MaxResponseBytes fails clearly, with or without a
// Content-Length, on every path that reads one (the one-request pull, the
// table-by-table pull and sign-in through gotrue-go), and an answer of
// exactly the cap is read. An error answer is read up to 64 KiB only: a
// megabyte of it still gives the status and is not taken as too large.
func TestResponseBodiesAreCapped(t *testing.T) {
	const limit = 1024
	pad := func(body string, n int) string { return strings.Repeat(" ", n-len(body)) + body }
	calls := []struct {
		name string
		body string // a valid answer
		auth bool   // answered on /auth/v1/token instead of REST
		call func(c *Client) error
	}{
		{"one-request pull", `{"rows":[],"more":false}`, false, func(c *Client) error {
			_, err := c.PullChanges(context.Background(), map[string]int64{"channels": 0}, 10, "")
			return err
		}},
		{"table pull", `[{"id":"a","hlc":"1764384000000-000000-3f2a9c1e5b7d4e21","server_seq":3}]`, false, func(c *Client) error {
			rows, err := c.Pull(context.Background(), "channels", 0, 10, "")
			if err == nil && (len(rows) != 1 || rows[0].Seq != 3) {
				return fmt.Errorf("rows = %+v", rows)
			}
			return err
		}},
		{"sign in", fmt.Sprintf(`{"access_token":"a","token_type":"bearer","expires_in":3600,"expires_at":%d,"refresh_token":"r","user":{"id":"5b2d4b4e-8a53-4a8f-9d53-0a7d3c1c2f10","email":"u@example.com"}}`,
			time.Now().Add(time.Hour).Unix()), true, func(c *Client) error {
			_, err := c.SignIn(context.Background(), "u@example.com", "right password")
			return err
		}},
	}
	scenarios := []struct {
		name    string
		size    int
		status  int
		length  bool
		tooLong bool
	}{
		{"declared too long", 2000, 200, true, true},
		{"streamed too long", 2000, 200, false, true},
		{"far too long", 8 << 20, 200, false, true},
		{"exactly the cap", limit, 200, false, false},
		{"a long error", 1 << 20, 503, false, false},
	}
	for _, cl := range calls {
		for _, sc := range scenarios {
			t.Run(cl.name+"/"+sc.name, func(t *testing.T) {
				body := pad(cl.body, sc.size)
				if sc.status >= 400 {
					body = pad(`{"code":"XX000","message":"down"}`, sc.size)
				}
				answer := func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					if sc.length {
						w.Header().Set("Content-Length", fmt.Sprint(len(body)))
					}
					w.WriteHeader(sc.status)
					_, _ = io.WriteString(w, body)
				}
				f := newFakeProject(t)
				if cl.auth {
					f.auth = answer
				} else {
					f.rest = answer
				}
				c, err := New(Config{URL: f.srv.URL, AnonKey: "anon-key", MaxResponseBytes: limit})
				if err != nil {
					t.Fatal(err)
				}
				c.Restore(Session{AccessToken: "access-1", RefreshToken: "refresh-1", ExpiresAt: time.Now().Add(time.Hour).Unix(), UserID: "u"})
				err = cl.call(c)
				var e *cloudsync.Error
				switch {
				case sc.status >= 400:
					if !errors.As(err, &e) || e.Status != sc.status || errors.Is(err, cloudsync.ErrResponseTooLarge) {
						t.Fatalf("err = %#v, want a %d error", err, sc.status)
					}
				case !sc.tooLong:
					if err != nil {
						t.Fatalf("a body of exactly the cap: %v", err)
					}
				default:
					if !errors.Is(err, cloudsync.ErrResponseTooLarge) || !errors.As(err, &e) || e.Status != 200 || e.Permanent ||
						!strings.Contains(err.Error(), "larger than") {
						t.Fatalf("err = %#v, want ErrResponseTooLarge with the status and a sentence", err)
					}
				}
			})
		}
	}
	if DefaultMaxResponseBytes != 32<<20 {
		t.Fatalf("the default cap is %d bytes, want 32 MiB", DefaultMaxResponseBytes)
	}
	c, err := New(Config{URL: "https://abcd.supabase.co", AnonKey: "k"})
	if err != nil || c.cfg.MaxResponseBytes != DefaultMaxResponseBytes {
		t.Fatalf("a zero MaxResponseBytes gives %d, %v", c.cfg.MaxResponseBytes, err)
	}
}

// The table-by-table pull refuses a page it cannot trust (a row without a
// server_seq, an id or a clock, sequence numbers that do not rise) as a
// retryable error that drops nothing, and drops the server's own columns.
func TestTablePullChecksItsRows(t *testing.T) {
	const good = `{"id":"a","hlc":"1764384000000-000000-3f2a9c1e5b7d4e21","server_seq":5,"user_id":"u","synced_at":"x","name":"n"}`
	for _, sc := range []struct{ name, body string }{
		{"no server_seq", `[{"id":"a","hlc":"h"}]`},
		{"server_seq not above the cursor", `[{"id":"a","hlc":"h","server_seq":2}]`},
		{"server_seq falls", `[` + good + `,{"id":"b","hlc":"h","server_seq":4}]`},
		{"fractional server_seq", `[{"id":"a","hlc":"h","server_seq":5.5}]`},
		{"no id", `[{"hlc":"h","server_seq":5}]`},
		{"a number for the clock", `[{"id":"a","hlc":7,"server_seq":5}]`},
		{"not a list", `{"id":"a"}`},
		{"null", `null`},
		{"a proxy's page", `<html>Bad Gateway</html>`},
	} {
		t.Run(sc.name, func(t *testing.T) {
			f := newFakeProject(t)
			f.rest = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, sc.body)
			}
			_, err := f.client(t, 5*time.Second).Pull(context.Background(), "channels", 2, 10, "")
			var e *cloudsync.Error
			if !errors.As(err, &e) || e.Permanent || e.Code != "malformed_page" {
				t.Fatalf("err = %#v, want a retryable malformed_page", err)
			}
		})
	}
	f := newFakeProject(t)
	f.rest = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[`+good+`]`)
	}
	rows, err := f.client(t, 5*time.Second).Pull(context.Background(), "channels", 2, 10, "")
	if err != nil || len(rows) != 1 || rows[0].Seq != 5 || rows[0].Row["name"] != "n" {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	for _, k := range serverColumns {
		if _, ok := rows[0].Row[k]; ok {
			t.Fatalf("server column %s kept: %v", k, rows[0].Row)
		}
	}
}

// A saved session is read only when it is whole and usable; its errors
// never quote it.
func TestDecodeSession(t *testing.T) {
	s, err := DecodeSession([]byte(`{"access_token":"eyJ.a.b","refresh_token":"r1","expires_at":17,"user_id":"u","email":"e@x.io"}`))
	if err != nil || s != (Session{AccessToken: "eyJ.a.b", RefreshToken: "r1", ExpiresAt: 17, UserID: "u", Email: "e@x.io"}) {
		t.Fatalf("= %+v, %v", s, err)
	}
	for _, raw := range []string{
		``, `null`, `[]`, `{"access_token":"secret-a b","refresh_token":"r1","user_id":"u"}`,
		`{"access_token":"a","refresh_token":"","user_id":"u"}`, `{"access_token":"a","refresh_token":"r","user_id":""}`,
		`{"access_token":"a","refresh_token":"secret\nr","user_id":"u"}`, `{"access_token":"a","refresh_token":"r","user_id":"u","expires_at":"secret-soon"}`,
		`{"access_token":"a","refresh_token":"r","user_id":"u"} {}`, `{"access_token":"secret-` + strings.Repeat("x", 70<<10) + `","refresh_token":"r","user_id":"u"}`,
		`{"access_token":"secret-a`,
	} {
		_, err := DecodeSession([]byte(raw))
		if err == nil {
			t.Fatalf("accepted %.80q", raw)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Fatalf("the error quotes the session: %v", err)
		}
	}
}

// PullChanges speaks tubeagency_pull's wire format, and a project without
// the function answers PGRST202, which becomes ErrNoPullFunction.
func TestPullChangesAndMissingFunction(t *testing.T) {
	f := newFakeProject(t)
	var args map[string]any
	f.rest = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rest/v1/rpc/tubeagency_pull" || r.Method != http.MethodPost {
			w.WriteHeader(404)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&args)
		w.Header().Set("Content-Type", "application/json")
		if args["device"] == "00000000000000ff" {
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"code":"PGRST202","details":"Searched for the function public.tubeagency_pull with parameters cursors, device, page_limit or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.","hint":null,"message":"Could not find the function public.tubeagency_pull(cursors, device, page_limit) in the schema cache"}`)
			return
		}
		_, _ = io.WriteString(w, `{"rows":[{"t":"channels","s":4,"r":{"id":"c","hlc":"1796500000000-000000-00000000000000bb","user_id":"u","name":"n"}},{"t":"packages","s":9}],"more":true}`)
	}
	c := f.client(t, 5*time.Second)
	page, err := c.PullChanges(context.Background(), map[string]int64{"channels": 3, "packages": 0}, 2, "00000000000000aa")
	if err != nil {
		t.Fatal(err)
	}
	if !page.More || len(page.Changes) != 2 || page.Changes[0].Row["name"] != "n" || page.Changes[0].Row["user_id"] != nil || page.Changes[1].Row != nil {
		t.Fatalf("page = %+v", page)
	}
	if cur, _ := args["cursors"].(map[string]any); cur["channels"] != 3.0 || args["page_limit"] != 2.0 || args["device"] != "00000000000000aa" {
		t.Fatalf("arguments sent = %v", args)
	}
	_, err = c.PullChanges(context.Background(), map[string]int64{"channels": 0}, 2, "00000000000000ff")
	var e *cloudsync.Error
	if !errors.Is(err, cloudsync.ErrNoPullFunction) || !errors.As(err, &e) || e.Status != 404 || e.Permanent {
		t.Fatalf("missing function = %#v, want ErrNoPullFunction", err)
	}
}

// While a request waits on the network, UserID and Session answer at once:
// no lock is held across I/O.
func TestSessionAnswersWhileARequestHangs(t *testing.T) {
	f := newFakeProject(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	f.rest = func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(201)
	}
	c := f.client(t, 30*time.Second)
	done := make(chan error, 1)
	go func() { done <- c.Push(context.Background(), "channels", rows) }()
	<-entered
	answered := make(chan string, 1)
	go func() {
		_, _ = c.Session()
		answered <- c.UserID()
	}()
	select {
	case id := <-answered:
		if id != "u" {
			t.Fatalf("UserID = %q", id)
		}
	case err := <-done:
		t.Fatalf("the push ended before UserID answered: %v", err)
	case <-time.After(10 * time.Second): // a failure guard, far beyond any lock wait
		t.Fatal("UserID waited for the request in flight")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Callers that find the token expiring at once share one refresh: refresh
// tokens rotate, so a second refresh with the same token would be refused.
func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	f := newFakeProject(t)
	var auths []string
	var mu gosync.Mutex
	f.rest = func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(201)
	}
	var saved atomic.Int64
	c, err := New(Config{URL: f.srv.URL, AnonKey: "anon-key", OnSession: func(Session) { saved.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	c.Restore(Session{AccessToken: "access-1", RefreshToken: "refresh-1", ExpiresAt: time.Now().Unix(), UserID: "u"})
	var wg gosync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.Push(context.Background(), "channels", rows)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.refreshes.Load(); n != 1 || saved.Load() != 1 {
		t.Fatalf("%d refreshes, %d sessions handed over; want 1 each", n, saved.Load())
	}
	for _, a := range auths {
		if a != "Bearer access-2" {
			t.Fatalf("requests sent %v; want every one with the refreshed token", auths)
		}
	}
}
