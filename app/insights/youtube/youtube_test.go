package youtube_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/youtube"
	"tubeagency/internal/httpcap"
	"tubeagency/internal/store"
	"tubeagency/providers/cache"
)

const apiKey = "AIzaSyTEST-secret-key-0123456789abcdef"

// The error bodies below are the shapes YouTube sends (Google JSON error
// format with the youtube.quota and global domains).
const quotaBody = `{
  "error": {
    "code": 403,
    "message": "The request cannot be completed because you have exceeded your \u003ca href=\"/youtube/v3/getting-started#quota\"\u003equota\u003c/a\u003e.",
    "errors": [
      {
        "message": "The request cannot be completed because you have exceeded your \u003ca href=\"/youtube/v3/getting-started#quota\"\u003equota\u003c/a\u003e.",
        "domain": "youtube.quota",
        "reason": "quotaExceeded"
      }
    ]
  }
}`

const badKeyBody = `{
  "error": {
    "code": 400,
    "message": "API key not valid. Please pass a valid API key.",
    "errors": [
      {"message": "API key not valid. Please pass a valid API key.", "domain": "global", "reason": "badRequest"}
    ],
    "status": "INVALID_ARGUMENT",
    "details": [
      {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
       "metadata": {"service": "youtube.googleapis.com"}}
    ]
  }
}`

const playlistNotFoundBody = `{
  "error": {
    "code": 404,
    "message": "The playlist identified with the request's \u003ccode\u003eplaylistId\u003c/code\u003e parameter cannot be found.",
    "errors": [
      {"message": "The playlist identified with the request's \u003ccode\u003eplaylistId\u003c/code\u003e parameter cannot be found.",
       "domain": "youtube.playlistItem", "reason": "playlistNotFound", "location": "playlistId", "locationType": "parameter"}
    ]
  }
}`

// fakeYouTube answers like the Data API v3 for one channel with 120 uploads.
type fakeYouTube struct {
	mu       sync.Mutex
	calls    map[string]int
	keys     []string
	failWith string // "quota", "badkey", "500", "hang"
	hang     chan struct{}
}

func (f *fakeYouTube) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls[r.URL.Path]++
	f.keys = append(f.keys, r.URL.Query().Get("key"))
	fail := f.failWith
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	switch fail {
	case "quota":
		w.WriteHeader(403)
		fmt.Fprint(w, quotaBody)
		return
	case "badkey":
		w.WriteHeader(400)
		fmt.Fprint(w, badKeyBody)
		return
	case "500":
		w.WriteHeader(503)
		fmt.Fprint(w, `{"error":{"code":503,"message":"The service is currently unavailable.","errors":[{"message":"The service is currently unavailable.","domain":"global","reason":"backendError"}],"status":"UNAVAILABLE"}}`)
		return
	case "hang":
		select {
		case <-f.hang:
		case <-r.Context().Done():
		}
		return
	}
	q := r.URL.Query()
	switch r.URL.Path {
	case "/youtube/v3/channels":
		if q.Get("id") != "UCbakery0000000000000000" {
			fmt.Fprint(w, `{"kind":"youtube#channelListResponse","etag":"e0","pageInfo":{"totalResults":0,"resultsPerPage":5}}`)
			return
		}
		fmt.Fprint(w, `{"kind":"youtube#channelListResponse","etag":"e1","pageInfo":{"totalResults":1,"resultsPerPage":5},
		  "items":[{"kind":"youtube#channel","etag":"e2","id":"UCbakery0000000000000000",
		    "snippet":{"title":"Bakery Lab","description":"Bread","publishedAt":"2019-01-01T00:00:00Z"},
		    "contentDetails":{"relatedPlaylists":{"likes":"","uploads":"UUbakery0000000000000000"}},
		    "statistics":{"viewCount":"1234567","subscriberCount":"8900","hiddenSubscriberCount":false,"videoCount":"120"}}]}`)
	case "/youtube/v3/playlistItems":
		if q.Get("playlistId") != "UUbakery0000000000000000" {
			w.WriteHeader(404)
			fmt.Fprint(w, playlistNotFoundBody)
			return
		}
		start := 0
		if p := q.Get("pageToken"); p != "" {
			fmt.Sscanf(p, "PAGE%d", &start)
		}
		var max int
		fmt.Sscanf(q.Get("maxResults"), "%d", &max)
		var items []string
		for i := start; i < min(start+max, 120); i++ {
			items = append(items, fmt.Sprintf(`{"kind":"youtube#playlistItem","etag":"p%d","id":"PI%d","contentDetails":{"videoId":"vid%03d","videoPublishedAt":"2025-01-01T00:00:00Z"}}`, i, i, i))
		}
		next := ""
		if start+max < 120 {
			next = fmt.Sprintf(`"nextPageToken":"PAGE%d",`, start+max)
		}
		fmt.Fprintf(w, `{"kind":"youtube#playlistItemListResponse","etag":"x",%s"pageInfo":{"totalResults":120,"resultsPerPage":%d},"items":[%s]}`,
			next, max, strings.Join(items, ","))
	case "/youtube/v3/videos":
		var items []string
		var ids []string // repeated id= parameters or a comma list: YouTube takes both
		for _, v := range q["id"] {
			ids = append(ids, strings.Split(v, ",")...)
		}
		if q.Get("chart") == "mostPopular" {
			ids = []string{"pop1", "pop2"}
		}
		for i, id := range ids {
			dur := "PT10M5S"
			if i%3 == 0 {
				dur = "PT45S"
			}
			items = append(items, fmt.Sprintf(`{"kind":"youtube#video","etag":"v","id":%q,
			  "snippet":{"publishedAt":"2025-03-%02dT14:30:00Z","channelId":"UCbakery0000000000000000","title":"Bread video %s","categoryId":"26"},
			  "contentDetails":{"duration":%q,"dimension":"2d","definition":"hd","caption":"false","licensedContent":true,"projection":"rectangular"},
			  "statistics":{"viewCount":"%d","likeCount":"%d","favoriteCount":"0","commentCount":"%d"}}`,
				id, 1+i%28, id, dur, 1000*(i+1), 10*(i+1), i))
		}
		fmt.Fprintf(w, `{"kind":"youtube#videoListResponse","etag":"x","pageInfo":{"totalResults":%d,"resultsPerPage":%d},"items":[%s]}`,
			len(items), len(items), strings.Join(items, ","))
	default:
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":{"code":404,"message":"Not Found","errors":[{"message":"Not Found","domain":"global","reason":"notFound"}]}}`)
	}
}

type env struct {
	fake  *fakeYouTube
	srv   *httptest.Server
	db    *insights.DB
	cache *cache.Cache
	now   time.Time
}

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := insights.OpenDB(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{fake: &fakeYouTube{calls: map[string]int{}, hang: make(chan struct{})}, db: db,
		now: time.Date(2025, 4, 1, 20, 0, 0, 0, time.UTC)}
	e.cache, err = cache.Open(ctx, st, cache.Options{Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.fake)
	t.Cleanup(func() { close(e.fake.hang); e.srv.Close() })
	return e
}

func (e *env) client(t *testing.T, limit int) *youtube.Client {
	t.Helper()
	c, err := youtube.New(context.Background(), youtube.Config{APIKey: apiKey, Quota: e.db, Cache: e.cache,
		Endpoint: e.srv.URL + "/", Limit: limit, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchChannelUploadsAndVideos(t *testing.T) {
	e := setup(t)
	c := e.client(t, 0)
	ctx := context.Background()
	info, err := c.Channel(ctx, "UCbakery0000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	want := youtube.ChannelInfo{ID: "UCbakery0000000000000000", Title: "Bakery Lab", Uploads: "UUbakery0000000000000000",
		Subscribers: 8900, Views: 1234567, Videos: 120}
	if info != want {
		t.Fatalf("channel = %+v", info)
	}
	ids, err := c.UploadIDs(ctx, info.Uploads, 120)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 120 || ids[0] != "vid000" || ids[119] != "vid119" {
		t.Fatalf("uploads: %d ids, first %v", len(ids), ids[:1])
	}
	vs, err := c.Videos(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 120 {
		t.Fatalf("videos = %d", len(vs))
	}
	v := vs[1] // second of the first batch of 50
	if v.ID != "vid001" || v.Title != "Bread video vid001" || v.DurationSec != 605 || v.Views != 2000 || v.Likes != 20 ||
		v.Comments != 1 || !v.PublishedAt.Equal(time.Date(2025, 3, 2, 14, 30, 0, 0, time.UTC)) || v.Source != "api" {
		t.Errorf("video = %+v", v)
	}
	if !vs[0].IsShort() || vs[1].IsShort() {
		t.Error("PT45S is a Short, PT10M5S is not")
	}
	// 1 channels + 3 playlist pages (50, 50, 20) + 3 video batches = 7 units, all with the key.
	used, limit, err := c.QuotaUsed(ctx)
	if err != nil || used != 7 || limit != youtube.DailyQuota {
		t.Errorf("quota = %d/%d (%v), want 7/10000", used, limit, err)
	}
	for _, k := range e.fake.keys {
		if k != apiKey {
			t.Fatalf("request without the key: %q", k)
		}
	}

	// Cached: the same calls within the hour cost nothing and reach no server.
	before := len(e.fake.keys)
	if _, err := c.Channel(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Videos(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if len(e.fake.keys) != before {
		t.Errorf("cached calls reached the server %d times", len(e.fake.keys)-before)
	}
	// After the hour, statistics are fetched again; channel metadata lives 7 days.
	if _, err := c.ChannelMeta(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(61 * time.Minute)
	before = len(e.fake.keys)
	if _, err := c.ChannelMeta(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if len(e.fake.keys) != before {
		t.Error("channel metadata was refetched within 7 days")
	}
	if _, err := c.Channel(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if len(e.fake.keys) != before+1 {
		t.Error("statistics were not refetched after an hour")
	}

	pop, err := c.MostPopular(ctx, "US", "26", 10)
	if err != nil || len(pop) != 2 || pop[0].ID != "pop1" {
		t.Fatalf("chart = %+v, %v", pop, err)
	}
	if _, err := c.Channel(ctx, "UCnobody0000000000000000"); !errors.Is(err, youtube.ErrChannelNotFound) {
		t.Errorf("unknown channel: %v", err)
	}
}

func TestQuotaExceededFromYouTube(t *testing.T) {
	e := setup(t)
	e.fake.failWith = "quota"
	c := e.client(t, 0)
	ctx := context.Background()
	_, err := c.Channel(ctx, "UCbakery0000000000000000")
	if !errors.Is(err, insights.ErrQuotaExceeded) {
		t.Fatalf("err = %v, want ErrQuotaExceeded", err)
	}
	var ye *youtube.Error
	if !errors.As(err, &ye) || ye.Reason != "quotaExceeded" || ye.Status != 403 {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "daily quota is used up") || !strings.Contains(err.Error(), "midnight Pacific") {
		t.Errorf("message %q is not plain", err)
	}
	// YouTube said the day is spent: the budget is now full, and the next call never leaves the machine.
	used, limit, _ := c.QuotaUsed(ctx)
	if used != limit {
		t.Errorf("quota used = %d, want the full %d", used, limit)
	}
	e.fake.failWith = ""
	calls := len(e.fake.keys)
	if _, err := c.Videos(ctx, []string{"a"}); !errors.Is(err, insights.ErrQuotaExceeded) {
		t.Errorf("next call: %v", err)
	}
	if len(e.fake.keys) != calls {
		t.Error("a call was sent with the day's quota spent")
	}
	// A new Pacific day (08:00 UTC = midnight PDT) starts a fresh budget.
	e.now = time.Date(2025, 4, 2, 8, 0, 0, 0, time.UTC)
	if _, err := c.Videos(ctx, []string{"a"}); err != nil {
		t.Errorf("new day: %v", err)
	}
}

func TestLocalBudgetIsEnforced(t *testing.T) {
	e := setup(t)
	c := e.client(t, 3)
	ctx := context.Background()
	info, err := c.Channel(ctx, "UCbakery0000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	// Three pages are needed; the budget has 2 left: the third is refused locally.
	_, err = c.UploadIDs(ctx, info.Uploads, 120)
	if !errors.Is(err, insights.ErrQuotaExceeded) || !strings.Contains(err.Error(), "3 of 3 units") {
		t.Fatalf("err = %v", err)
	}
	if e.fake.calls["/youtube/v3/playlistItems"] != 2 {
		t.Errorf("playlist pages sent = %d, want 2", e.fake.calls["/youtube/v3/playlistItems"])
	}
}

func TestErrorsArePlainAndNeverCarryTheKey(t *testing.T) {
	scenarios := []struct {
		name, fail, want string
		status           int
		reason           string
	}{
		{"bad key", "badkey", "YouTube rejected the API key", 400, "keyInvalid"},
		{"unavailable", "500", "not answering properly (HTTP 503)", 503, "backendError"},
		{"missing playlist", "", "does not know that channel or playlist", 404, "playlistNotFound"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := setup(t)
			e.fake.failWith = sc.fail
			c := e.client(t, 0)
			_, err := c.UploadIDs(context.Background(), "UUnobody", 10)
			var ye *youtube.Error
			if !errors.As(err, &ye) || ye.Status != sc.status || ye.Reason != sc.reason || !strings.Contains(err.Error(), sc.want) {
				t.Fatalf("err = %v (%+v), want %d %s %q", err, ye, sc.status, sc.reason, sc.want)
			}
			if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, errors.Unwrap(err)), apiKey) {
				t.Error("the API key leaked into the error")
			}
		})
	}
	t.Run("offline", func(t *testing.T) {
		e := setup(t)
		c, err := youtube.New(context.Background(), youtube.Config{APIKey: apiKey, Quota: e.db, Endpoint: "http://127.0.0.1:1/"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Channel(context.Background(), "UCbakery0000000000000000")
		if err == nil || !strings.Contains(err.Error(), "offline") {
			t.Fatalf("err = %v", err)
		}
		for e := err; e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), apiKey) {
				t.Fatalf("the API key leaked: %v", e)
			}
		}
	})
	t.Run("hang", func(t *testing.T) {
		e := setup(t)
		e.fake.failWith = "hang"
		c := e.client(t, 0)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Channel(ctx, "UCbakery0000000000000000")
		if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(fmt.Sprint(errors.Unwrap(err)), apiKey) {
			t.Fatalf("the API key leaked: %v", errors.Unwrap(err))
		}
	})
	if _, err := youtube.New(context.Background(), youtube.Config{APIKey: " "}); !errors.Is(err, insights.ErrNoAPIKey) {
		t.Errorf("empty key: %v", err)
	}
}

func TestQuotaMessageGroupsThousands(t *testing.T) {
	e := setup(t)
	c := e.client(t, 0)
	ctx := context.Background()
	if _, err := e.db.AddQuota(ctx, youtube.Day(e.now), youtube.DailyQuota); err != nil {
		t.Fatal(err)
	}
	_, err := c.Channel(ctx, "UCbakery0000000000000000")
	if err == nil || !strings.Contains(err.Error(), "(10,000 of 10,000 units)") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	scenarios := map[string]int{"PT45S": 45, "PT10M5S": 605, "PT1H": 3600, "P1DT2H3M4S": 93784, "P0D": 0, "garbage": 0, "": 0}
	for in, want := range scenarios {
		if got := youtube.ParseDuration(in); got != want {
			t.Errorf("ParseDuration(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestAnOversizedAnswerIsRefused: an answer past MaxResponseBytes is an
// error, not memory, whether its length is declared or streamed.
func TestAnOversizedAnswerIsRefused(t *testing.T) {
	e := setup(t)
	for _, declared := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("key") != apiKey {
				http.Error(w, "no key", http.StatusForbidden)
				return
			}
			body := `{"items":[{"id":"UC1","snippet":{"title":"` + strings.Repeat("x", youtube.MaxResponseBytes) + `"}}]}`
			if declared {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, body)
		}))
		c, err := youtube.New(context.Background(), youtube.Config{APIKey: apiKey, Quota: e.db, Endpoint: srv.URL + "/"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Channel(context.Background(), "UC1")
		srv.Close()
		if !errors.Is(err, httpcap.ErrTooLarge) {
			t.Fatalf("declared %v: err = %v, want httpcap.ErrTooLarge", declared, err)
		}
	}
}
