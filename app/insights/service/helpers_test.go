package service_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/insights/service"
	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/secrets"
	"tubeagency/internal/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// env is a service over a real store, the fake Google and a clock.
type env struct {
	t      testing.TB
	st     *store.Store
	db     *insights.DB
	svc    *service.Service
	fake   *fakegoogle.Server
	auth   *google.Auth
	clock  *clock
	events chan service.Event
	chID   string
}

type options struct {
	limit     int
	videos    []fakegoogle.AnalyticsVideo
	monetised bool
	noGoogle  bool
}

// start is 2 March 2026, 18:00 UTC (10:00 Pacific).
var start = time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)

func newEnv(t testing.TB, o options) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: start}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := insights.OpenDB(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, db: db, clock: c, events: make(chan service.Event, 1000)}
	e.chID = e.channel("Retro Corner", "retro gaming", "en")
	keys, err := secrets.Open(t.TempDir(), secrets.Options{Mode: secrets.BackendFile})
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.Config{Store: st, DB: db, Now: c.Now, SyncEvery: -1, AnalyticsLimit: o.limit,
		Keys: func() (service.Keys, error) { return keys, nil },
		Emit: func(name string, data any) {
			if ev, ok := data.(service.Event); ok && name == events.Insights {
				select {
				case e.events <- ev:
				default:
				}
			}
		}}
	if !o.noGoogle {
		e.fake = fakegoogle.New()
		t.Cleanup(e.fake.Close)
		e.fake.Now = c.Now
		e.fake.SetAnalytics(o.videos, fakegoogle.DefaultDay, o.monetised)
		e.auth, err = google.New(google.Config{ClientID: e.fake.ClientID, ClientSecret: e.fake.ClientSecret, Secrets: keys,
			AuthURL: e.fake.AuthURL(), TokenURL: e.fake.TokenURL(), RevokeURL: e.fake.RevokeURL(), Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Auth = func() (service.Auth, error) { return e.auth, nil }
		cfg.Endpoints = service.Endpoints{YouTube: e.fake.APIBase(), Analytics: e.fake.APIBase(), Reporting: e.fake.APIBase()}
	}
	e.svc, err = service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.svc.Stop)
	return e
}

func (e *env) channel(name, niche, lang string) string {
	e.t.Helper()
	ch := store.Channel{Meta: store.Meta{ID: uuid.Must(uuid.NewV7()).String()}, Name: name, Niche: niche, Language: lang,
		Format: store.FormatLong, Cadence: 2}
	err := e.st.Mutate(context.Background(), func(m *store.Mutation) error {
		_, err := store.PutRecord(m, store.ChannelEntity, ch)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ch.ID
}

// videos makes n videos of the fake's channel, one every `every` days
// back from the clock, every 4th a Short.
func videos(n int, every float64) []fakegoogle.AnalyticsVideo {
	out := make([]fakegoogle.AnalyticsVideo, n)
	for i := range out {
		dur := 600 + 7*i
		if i%4 == 0 {
			dur = 45
		}
		out[i] = fakegoogle.AnalyticsVideo{ID: fmt.Sprintf("vid%08d", i), Title: fmt.Sprintf("Chrono Trigger part %d", i),
			PublishedAt: start.Add(-time.Duration((float64(i)*every + 4) * 24 * float64(time.Hour))), DurationSec: dur}
	}
	return out
}

// wait returns the next insights event in one of states.
func (e *env) wait(states ...string) service.Event {
	e.t.Helper()
	return e.waitWithin(30*time.Second, states...)
}

// waitWithin is wait with its own limit (a benchmark's sync of a year of
// a thousand videos takes longer than a test's on a loaded machine).
func (e *env) waitWithin(limit time.Duration, states ...string) service.Event {
	e.t.Helper()
	timeout := time.After(limit)
	for {
		select {
		case ev := <-e.events:
			for _, s := range states {
				if ev.State == s {
					return ev
				}
			}
		case <-timeout:
			e.t.Fatalf("no insights event in %v", states)
		}
	}
}

// link signs the channel in with the browser's part played by an HTTP
// client following Google's redirect to the loopback listener, and waits
// for the first sync.
func (e *env) link(withRevenue bool) service.Event {
	e.t.Helper()
	ls, err := e.svc.LinkAnalytics(context.Background(), e.chID, withRevenue)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.Get(ls.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return e.wait("synced", "sync_failed", "link_failed")
}

func (e *env) queries(op string) int {
	return e.fake.Stats().Requests[op]
}

// reportingRequests counts the Reporting API requests the fake answered.
func (e *env) reportingRequests() int {
	st := e.fake.Stats()
	return st.Requests[fakegoogle.OpJobsList] + st.Requests[fakegoogle.OpJobsCreate] + st.Requests[fakegoogle.OpReportsList] +
		st.Requests[fakegoogle.OpReportDownload]
}
