package publish_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"

	"tubeagency/app/google"
	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/publish"
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

type events struct {
	mu   sync.Mutex
	list []publish.Progress
}

func (e *events) emit(name string, data any) {
	if name != publish.EventPublish {
		return
	}
	e.mu.Lock()
	e.list = append(e.list, data.(publish.Progress))
	e.mu.Unlock()
}

func (e *events) all() []publish.Progress {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]publish.Progress(nil), e.list...)
}

type env struct {
	t         testing.TB
	dir       string
	fake      *fakegoogle.Server
	clock     *clock
	store     *store.Store
	db        *publish.DB
	secrets   *secrets.Store
	auth      *google.Auth
	yt        *publish.YouTube
	runner    *publish.Runner
	events    *events
	account   string
	published []publish.Published
	pubMu     sync.Mutex
}

const channelID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

// newEnv opens a store, signs in to the fake Google and links channelID.
func newEnv(t testing.TB, cfg func(*publish.Config)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), fake: fakegoogle.New(), events: &events{}}
	t.Cleanup(e.fake.Close)
	e.clock = &clock{t: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)}
	e.fake.Now = e.clock.Now
	var err error
	e.store, err = store.Open(t.Context(), filepath.Join(e.dir, "tubeagency.db"), store.Options{Now: e.clock.Now, MachineID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	e.db, err = publish.OpenDB(t.Context(), e.store, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.secrets, err = secrets.Open(e.dir, secrets.Options{Mode: secrets.BackendFile})
	if err != nil {
		t.Fatal(err)
	}
	e.auth, err = google.New(google.Config{ClientID: e.fake.ClientID, ClientSecret: e.fake.ClientSecret, Secrets: e.secrets,
		AuthURL: e.fake.AuthURL(), TokenURL: e.fake.TokenURL(), RevokeURL: e.fake.RevokeURL(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.account = signIn(t, e.auth, append(google.PublishScopes, google.CaptionScopes...))
	e.yt, err = publish.NewYouTube(e.auth, e.fake.APIBase())
	if err != nil {
		t.Fatal(err)
	}
	chans, err := e.yt.MyChannels(t.Context(), e.account)
	if err != nil || len(chans) != 1 {
		t.Fatalf("channels: %v %v", chans, err)
	}
	if err := e.db.Link(t.Context(), channelID, e.account, chans[0]); err != nil {
		t.Fatal(err)
	}
	c := publish.Config{DB: e.db, YouTube: e.yt, Emit: e.events.emit, Now: e.clock.Now, ChunkSize: 1 << 20,
		Backoff: func() backoff.BackOff { return backoff.NewConstantBackOff(time.Millisecond) }, Tries: 4,
		OnPublished: func(_ context.Context, p publish.Published) error {
			e.pubMu.Lock()
			e.published = append(e.published, p)
			e.pubMu.Unlock()
			return nil
		}}
	if cfg != nil {
		cfg(&c)
	}
	e.runner, err = publish.NewRunner(c)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func signIn(t testing.TB, a *google.Auth, scopes []string) string {
	t.Helper()
	flow, err := a.SignIn(context.Background(), scopes)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	g, err := flow.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g.Account
}

// writeFile writes n random bytes to dir/name.
func writeFile(t testing.TB, dir, name string, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const srt = "1\n00:00:00,000 --> 00:00:02,000\nHello there.\n\n2\n00:00:02,000 --> 00:00:04,000\nWelcome back.\n"

func (e *env) enqueue(size int, mutate func(*publish.NewJob)) publish.Job {
	e.t.Helper()
	video := writeFile(e.t, e.dir, "video.mp4", size)
	thumb := writeFile(e.t, e.dir, "thumb.png", 40_000)
	subs := filepath.Join(e.dir, "captions.srt")
	if err := os.WriteFile(subs, []byte(srt), 0o600); err != nil {
		e.t.Fatal(err)
	}
	nj := publish.NewJob{PackageID: "pkg-1", ChannelID: channelID, VideoPath: video, ThumbnailPath: thumb, CaptionsPath: subs,
		UploadCaptions: true,
		Meta:           publish.DefaultMetadata("How to bake bread at home", "A simple loaf.", []string{"bread", "baking at home"}, "en", true)}
	if mutate != nil {
		mutate(&nj)
	}
	j, err := e.db.Enqueue(e.t.Context(), nj)
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}
