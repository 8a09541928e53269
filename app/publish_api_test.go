package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/monitor"
	"tubeagency/app/publish"
	"tubeagency/app/render"
	"tubeagency/internal/store"
)

// testClock is a settable clock shared by the app and the fake.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// browser opens Google's consent page as the system's browser would: it
// follows the fake's redirect to the app's loopback callback.
type browser struct {
	mu     sync.Mutex
	opened []string
}

func (b *browser) OpenURL(_ context.Context, url string) error {
	b.mu.Lock()
	b.opened = append(b.opened, url)
	b.mu.Unlock()
	go func() {
		resp, err := http.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	return nil
}

type publishEnv struct {
	t       *testing.T
	dir     string
	fake    *fakegoogle.Server
	clock   *testClock
	rt      *Runtime
	a       *App
	log     *strings.Builder
	logMu   *sync.Mutex
	browser *browser
	video   string
	files   map[string][3]string // package id → video, thumbnail, captions
}

// makeVideo encodes a real MP4 of about 1 MB (noise does not compress) with ffmpeg.
func makeVideo(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "video.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "nullsrc=s=256x144:r=25,geq=random(1)*255:128:128", "-t", "1",
		"-c:v", "mpeg4", "-q:v", "2", "-pix_fmt", "yuv420p", "-y", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() < 3*fakegoogle.ChunkUnit {
		t.Fatalf("the test video is too small for several chunks: %v %v", fi, err)
	}
	return path
}

// newPublishEnv starts the app against a fake Google with the clock at a
// fixed time, the key store in a file and uploads in 256 KiB chunks.
func newPublishEnv(t *testing.T, opener bool) *publishEnv {
	t.Helper()
	e := &publishEnv{t: t, dir: t.TempDir(), fake: fakegoogle.New(), log: &strings.Builder{}, logMu: &sync.Mutex{},
		clock: &testClock{t: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)}, files: map[string][3]string{}}
	t.Cleanup(e.fake.Close)
	e.fake.Now = e.clock.Now
	e.video = makeVideo(t, t.TempDir())
	if opener {
		e.browser = &browser{}
	}
	e.start()
	return e
}

func (e *publishEnv) start() {
	t := e.t
	opts := Options{DataDir: e.dir, Mode: "test", Now: e.clock.Now, KeyStore: "file",
		Logger: slog.New(slog.NewTextHandler(lockedWriter{e.logMu, e.log}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Google: GoogleOptions{AuthURL: e.fake.AuthURL(), TokenURL: e.fake.TokenURL(), RevokeURL: e.fake.RevokeURL(),
			APIBase: e.fake.APIBase(), ChunkSize: fakegoogle.ChunkUnit, RetryWait: time.Millisecond, Interval: time.Hour}}
	if e.browser != nil {
		opts.Opener = e.browser
	}
	rt, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	rt.publish.videoFiles = func(_ context.Context, id string) (string, string, string, error) {
		f, ok := e.files[id]
		if !ok {
			return "", "", "", ErrNotRendered
		}
		return f[0], f[1], f[2], nil
	}
	e.rt, e.a = rt, rt.API()
	t.Cleanup(func() { rt.Close() })
}

// waitEvent waits for an event of name that ok accepts.
func waitEvent[T any](t *testing.T, ch <-chan events.Event, name string, ok func(T) bool) T {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Name != name {
				continue
			}
			if v, is := ev.Data.(T); is && ok(v) {
				return v
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %s event came", name)
			return zero
		}
	}
}

// signIn saves the fake's OAuth client and signs in through the browser.
func (e *publishEnv) signIn() string {
	t := e.t
	if _, err := e.a.SetYouTubeOAuthClient(e.fake.ClientID, e.fake.ClientSecret); err != nil {
		t.Fatal(err)
	}
	ch, stop := e.rt.Hub().Subscribe(256)
	defer stop()
	si, err := e.a.SignInYouTube()
	if err != nil || !si.Opened || !strings.HasPrefix(si.URL, e.fake.AuthURL()) {
		t.Fatalf("sign in = %+v, %v", si, err)
	}
	ev := waitEvent(t, ch, events.YouTube, func(v YouTubeEvent) bool { return v.State != "client" })
	if ev.State != "signed_in" || ev.Account == "" {
		t.Fatalf("sign-in event = %+v", ev)
	}
	return ev.Account
}

// channelAndPackage creates a channel and a package with rendered files.
func (e *publishEnv) channelAndPackage(captions bool) (Channel, Package) {
	t := e.t
	ch, err := e.a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := e.a.SavePackage(PackageInput{ChannelID: ch.ID, Status: store.StatusReady, Topic: "knife skills",
		Title: "Five knife skills every cook needs", Content: PackageContent{Description: "Chop faster and safer.", Tags: []string{"cooking", "knife skills"}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	thumb := filepath.Join(dir, "thumbnail.png")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=orange:size=1280x720", "-frames:v", "1", "-y", thumb).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	srt := ""
	if captions {
		srt = filepath.Join(dir, "captions.srt")
		if err := os.WriteFile(srt, []byte("1\n00:00:00,000 --> 00:00:01,500\nHold the knife like this.\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e.files[pkg.ID] = [3]string{e.video, thumb, srt}
	return ch, pkg
}

func (e *publishEnv) link(chID, account string) {
	t := e.t
	setup, err := e.a.YouTubeSetup()
	if err != nil || len(setup.Accounts) != 1 || len(setup.Accounts[0].Channels) != 1 {
		t.Fatalf("setup = %+v, %v", setup, err)
	}
	yt := setup.Accounts[0].Channels[0]
	cs, err := e.a.LinkYouTubeChannel(chID, account, yt.ID)
	if err != nil || cs.YouTubeChannelID != yt.ID || cs.Account != account {
		t.Fatalf("link = %+v, %v", cs, err)
	}
}

// waitState waits for a "publish" event of the job in one of states, then
// for the run that sent it to end (the runner emits the outcome before it
// lets go of the job, and a job still held is not run again).
func (e *publishEnv) waitState(ch <-chan events.Event, jobID string, states ...publish.State) publish.Progress {
	e.t.Helper()
	p := waitEvent(e.t, ch, events.Publish, func(p publish.Progress) bool {
		if p.JobID != jobID {
			return false
		}
		for _, s := range states {
			if p.State == s {
				return true
			}
		}
		return false
	})
	for e.rt.publish.runner.Running(jobID) {
		runtime.Gosched()
	}
	return p
}

func input(title string) PublishInput {
	return PublishInput{Title: title, Description: "Chop faster and safer.", Tags: []string{"cooking"}, Language: "en",
		Privacy: "public", SyntheticMedia: true}
}

func TestPublishSignInLinkAndUploadEndToEnd(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	if e.fake.VerifiedExchanges() != 1 {
		t.Fatalf("PKCE-verified code exchanges = %d, want 1", e.fake.VerifiedExchanges())
	}
	q := e.fake.LastAuthQuery()
	if q.Get("code_challenge_method") != "S256" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") ||
		!strings.Contains(q.Get("scope"), google.ScopeYouTubeUpload) || !strings.Contains(q.Get("scope"), google.ScopeYouTubeReadOnly) {
		t.Fatalf("consent page asked with %v", q)
	}
	ch, pkg := e.channelAndPackage(true)
	e.link(ch.ID, account)

	// Captions need one more permission: asked for incrementally.
	in := input("Five knife skills")
	in.UploadCaptions = true
	if _, err := e.a.PublishPackage(pkg.ID, in); FormatError(err).Code != CodeCaptionsScope {
		t.Fatalf("publish with captions before allowing them = %v", err)
	}
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	if _, err := e.a.AllowYouTubeCaptions(account); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, sub, events.YouTube, func(v YouTubeEvent) bool { return v.State == "signed_in" || v.State == "failed" }); ev.State != "signed_in" || ev.Account != account {
		t.Fatalf("allow captions = %+v", ev)
	}

	// One chunk is cut halfway and the next answer is a 503: the upload
	// asks where the session stands (308 + Range) and goes on from there.
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.CutBody, After: fakegoogle.ChunkUnit / 2})
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.ServerError})
	at := e.clock.Now().Add(48 * time.Hour).Truncate(time.Hour)
	in.PublishAt = at.Format(time.RFC3339)
	in.Privacy = "private"
	in.MadeForKids = false
	job, err := e.a.PublishPackage(pkg.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	done := e.waitState(sub, job.ID, publish.StateDone, publish.StateFailed, publish.StateSignIn)
	if done.State != publish.StateDone || done.URL == "" {
		t.Fatalf("upload ended %+v", done)
	}
	videos := e.fake.Videos()
	want, _ := os.ReadFile(e.video)
	if len(videos) != 1 || !bytes.Equal(videos[0].Bytes, want) {
		t.Fatalf("YouTube holds %d videos (bytes equal: %v)", len(videos), len(videos) == 1 && bytes.Equal(videos[0].Bytes, want))
	}
	v := videos[0]
	status, _ := v.Metadata["status"].(map[string]any)
	if status["publishAt"] != at.UTC().Format(time.RFC3339) || status["privacyStatus"] != "private" ||
		status["containsSyntheticMedia"] != true || status["selfDeclaredMadeForKids"] != false {
		t.Fatalf("status sent = %v", status)
	}
	if len(v.Thumbnail) == 0 || len(v.Captions) != 1 || v.Captions[0].Language != "en" {
		t.Fatalf("thumbnail %d bytes, captions %+v", len(v.Thumbnail), v.Captions)
	}
	if e.fake.Stats().Requests[fakegoogle.OpUploadQuery] == 0 {
		t.Fatal("the cut chunk was not followed by a status query")
	}

	// The package is published on every device: its row went to the outbox.
	p, err := e.a.GetPackage(pkg.ID)
	if err != nil || p.Status != store.StatusPublished || p.Content.Published == nil ||
		p.Content.Published.VideoID != v.ID || p.Content.Published.Status != "scheduled" || !p.Content.Published.PublishAt.Equal(time.UnixMilli(at.UnixMilli())) {
		t.Fatalf("package after upload = %+v, %v", p.Content.Published, err)
	}
	var outboxed int
	if err := e.rt.store.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE entity = 'packages' AND row_id = ? AND payload LIKE ?`,
		pkg.ID, "%"+v.ID+"%").Scan(&outboxed); err != nil || outboxed == 0 {
		t.Fatalf("published state in the outbox: %d, %v", outboxed, err)
	}
	// Publishing it again is refused: it is on YouTube.
	if _, err := e.a.PublishPackage(pkg.ID, input("again")); FormatError(err).Code != CodeConflict {
		t.Fatalf("second publish = %v", err)
	}
	view, err := e.a.PublishView(pkg.ID)
	if err != nil || len(view.Jobs) != 1 || view.Jobs[0].VideoID != v.ID || !view.Rendered || !view.HasCaptions {
		t.Fatalf("view = %+v, %v", view, err)
	}
	quota, err := e.a.PublishQuota()
	if err != nil || quota[0].Bucket != publish.BucketInsert || quota[0].Used != 1 || quota[1].Used < publish.CostThumbnail+publish.CostCaption {
		t.Fatalf("quota = %+v, %v", quota, err)
	}
}

func TestPublishQuotaErrorWaitsForThePacificReset(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	waiting := e.waitState(sub, job.ID, publish.StateDeferred, publish.StateDone, publish.StateFailed)
	reset := publish.NextReset(e.clock.Now())
	if waiting.State != publish.StateDeferred || !waiting.RunAfter.Equal(reset) || !strings.Contains(waiting.Note, "midnight Pacific") {
		t.Fatalf("after quotaExceeded: %+v (reset %s)", waiting, reset)
	}
	// Kicking before the reset sends nothing.
	e.rt.publish.runner.Dispatch(context.Background())
	if n := len(e.fake.Videos()); n != 0 {
		t.Fatalf("%d videos before the reset", n)
	}
	e.clock.Add(reset.Sub(e.clock.Now()) + time.Minute)
	e.rt.publish.runner.Kick()
	if done := e.waitState(sub, job.ID, publish.StateDone, publish.StateFailed); done.State != publish.StateDone {
		t.Fatalf("after the reset: %+v", done)
	}
	if n := len(e.fake.Videos()); n != 1 {
		t.Fatalf("%d videos after the reset", n)
	}
}

func TestPublishRescheduleCancelAndRetry(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	// The job waits on a spent quota, so it can be moved.
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitState(sub, job.ID, publish.StateDeferred)
	view, err := e.a.PublishView(pkg.ID)
	if err != nil || len(view.Slots) == 0 {
		t.Fatalf("free slots = %v, %v", view.Slots, err)
	}
	slot := view.Slots[0]
	if _, err := e.a.ReschedulePublishJob(job.ID, "tomorrow"); FormatError(err).Fields["publish_at"] == "" {
		t.Fatalf("bad time = %v", err)
	}
	moved, err := e.a.ReschedulePublishJob(job.ID, slot.Format(time.RFC3339))
	if err != nil || !moved.Meta.PublishAt.Equal(slot) {
		t.Fatalf("reschedule = %+v, %v", moved.Meta, err)
	}
	cal, err := e.a.PublishCalendar(ch.ID, 14)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, en := range cal.Entries {
		if en.JobID == job.ID && en.At.Equal(slot) {
			found = true
		}
		if en.Kind == "free" && en.At.Equal(slot) {
			t.Fatal("the slot the job took is still offered as free")
		}
	}
	if !found {
		t.Fatalf("the calendar does not show the job at %s: %+v", slot, cal.Entries)
	}
	cancelled, err := e.a.CancelPublishJob(job.ID)
	if err != nil || cancelled.State != publish.StateCancelled {
		t.Fatalf("cancel = %+v, %v", cancelled.State, err)
	}
	retried, err := e.a.RetryPublishJob(job.ID)
	if err != nil || retried.State != publish.StateQueued {
		t.Fatalf("retry = %+v, %v", retried.State, err)
	}
	// YouTube said the day's uploads are spent: the retry waits for the reset
	// rather than asking again.
	reset := publish.NextReset(e.clock.Now())
	if w := e.waitState(sub, job.ID, publish.StateDeferred, publish.StateDone); w.State != publish.StateDeferred || !w.RunAfter.Equal(reset) {
		t.Fatalf("retry on a spent day: %+v", w)
	}
	e.clock.Add(reset.Sub(e.clock.Now()) + time.Minute)
	e.rt.publish.runner.Kick()
	if done := e.waitState(sub, job.ID, publish.StateDone, publish.StateFailed); done.State != publish.StateDone {
		t.Fatalf("retried upload: %+v", done)
	}
	st, _ := e.fake.Videos()[0].Metadata["status"].(map[string]any)
	if st["publishAt"] != slot.UTC().Format(time.RFC3339) {
		t.Fatalf("publishAt sent = %v, want the new slot %s", st["publishAt"], slot)
	}
	if _, err := e.a.ReschedulePublishJob(job.ID, ""); FormatError(err).Code != CodeConflict {
		t.Fatalf("moving an uploaded video = %v", err)
	}
	if _, err := e.a.CancelPublishJob("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"); FormatError(err).Code != CodeNotFound {
		t.Fatalf("cancel of no job = %v", err)
	}
}

func TestPublishCancelStopsARunningUpload(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e.fake.OnChunk(func(fakegoogle.Chunk) {
		once.Do(func() { close(reached); <-release })
	})
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	<-reached
	if !e.rt.publish.runner.Running(job.ID) {
		t.Fatal("the job is not running")
	}
	c, err := e.a.CancelPublishJob(job.ID)
	close(release)
	if err != nil || c.State != publish.StateCancelled {
		t.Fatalf("cancel = %+v, %v", c.State, err)
	}
	e.fake.WaitIdle()
	for e.rt.publish.runner.Running(job.ID) {
		time.Sleep(time.Millisecond)
	}
	j, err := e.rt.publish.db.Job(context.Background(), job.ID)
	if err != nil || j.State != publish.StateCancelled || len(e.fake.Videos()) != 0 {
		t.Fatalf("after cancel: %s, %d videos, %v", j.State, len(e.fake.Videos()), err)
	}
	_ = sub
}

func TestPublishResumesAfterRestart(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	size := func() int64 { fi, _ := os.Stat(e.video); return fi.Size() }()
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e.fake.OnChunk(func(c fakegoogle.Chunk) {
		if c.Received >= 2*fakegoogle.ChunkUnit {
			once.Do(func() { close(reached); <-release })
		}
	})
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	<-reached
	// The app stops while the server holds two chunks and has not answered
	// the second: the saved session says one.
	closed := make(chan struct{})
	go func() { e.rt.Close(); close(closed) }()
	<-closed // the request was cut before the server answered
	close(release)
	e.fake.WaitIdle()
	e.fake.OnChunk(nil)
	j, err := func() (publish.Job, error) {
		st, err := store.Open(context.Background(), filepath.Join(e.dir, "tubeagency.db"), store.Options{})
		if err != nil {
			return publish.Job{}, err
		}
		defer st.Close()
		db, err := publish.OpenDB(context.Background(), st, nil)
		if err != nil {
			return publish.Job{}, err
		}
		return db.Job(context.Background(), job.ID)
	}()
	if err != nil || j.State != publish.StateUploading || j.Offset >= size {
		t.Fatalf("after stopping: %s at %d of %d, %v", j.State, j.Offset, size, err)
	}
	before := e.fake.Stats().ChunkBytes

	e.start() // a new process on the same data folder resumes by itself
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	e.rt.publish.runner.Kick()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err = e.rt.publish.db.Job(context.Background(), job.ID)
		if err != nil || j.State == publish.StateDone || time.Now().After(deadline) {
			break
		}
		select {
		case <-sub:
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil || j.State != publish.StateDone {
		t.Fatalf("after restart: %s (%s), %v", j.State, j.Note, err)
	}
	videos := e.fake.Videos()
	want, _ := os.ReadFile(e.video)
	if len(videos) != 1 || !bytes.Equal(videos[0].Bytes, want) {
		t.Fatalf("%d videos after the restart", len(videos))
	}
	resent := before + size - 2*fakegoogle.ChunkUnit
	if sent := e.fake.Stats().ChunkBytes; sent > resent+fakegoogle.ChunkUnit {
		t.Fatalf("sent %d bytes after the restart: more than one chunk again (%d needed)", sent-before, size-2*fakegoogle.ChunkUnit)
	}
	if e.fake.Stats().Sessions != 1 {
		t.Fatalf("%d upload sessions: the restart started over", e.fake.Stats().Sessions)
	}
}

func TestPublishRefusesWhatItCannotDo(t *testing.T) {
	e := newPublishEnv(t, true)
	ch, pkg := e.channelAndPackage(false)
	// No OAuth client yet.
	if _, err := e.a.SignInYouTube(); FormatError(err).Code != CodeNoClient {
		t.Fatalf("sign in without a client = %v", err)
	}
	for _, sc := range []struct{ id, secret, field string }{
		{"", "x", "client_id"},
		{"123-abc", "GOCSPX-x", "client_id"},
		{"123-abc.apps.googleusercontent.com", "", "client_secret"},
		{"123-abc.apps.googleusercontent.com", "has space", "client_secret"},
	} {
		if _, err := e.a.SetYouTubeOAuthClient(sc.id, sc.secret); FormatError(err).Fields[sc.field] == "" {
			t.Errorf("client %q/%q = %v, want a %s error", sc.id, sc.secret, err, sc.field)
		}
	}
	// Not linked, then not rendered, then bad input: nothing is queued.
	if _, err := e.a.PublishPackage(pkg.ID, input("Five knife skills")); FormatError(err).Code != CodeNotLinked {
		t.Fatalf("publish unlinked = %v", err)
	}
	account := e.signIn()
	e.link(ch.ID, account)
	delete(e.files, pkg.ID)
	if _, err := e.a.PublishPackage(pkg.ID, input("Five knife skills")); FormatError(err).Code != CodeNotRendered ||
		!strings.Contains(FormatError(err).Message, "Render the video first") {
		t.Fatalf("publish unrendered = %v", err)
	}
	_, pkg2 := e.channelAndPackageFor(ch.ID)
	for _, sc := range []struct {
		edit  func(*PublishInput)
		field string
	}{
		{func(in *PublishInput) { in.Title = strings.Repeat("t", 101) }, "title"},
		{func(in *PublishInput) { in.Privacy = "friends" }, "privacy"},
		{func(in *PublishInput) { in.PublishAt = "2020-01-01T00:00:00Z" }, "publish_at"},
		{func(in *PublishInput) { in.PublishAt = "next week" }, "publish_at"},
		{func(in *PublishInput) { in.Tags = []string{"a,b"} }, "tags"},
	} {
		in := input("ok")
		sc.edit(&in)
		if _, err := e.a.PublishPackage(pkg2.ID, in); FormatError(err).Fields[sc.field] == "" {
			t.Errorf("publish with bad %s = %v", sc.field, err)
		}
	}
	jobs, err := e.a.PublishJobs("")
	if err != nil || len(jobs) != 0 {
		t.Fatalf("jobs after refusals = %d, %v", len(jobs), err)
	}
	if _, err := e.a.LinkYouTubeChannel(ch.ID, account, "UCnotMine0000000000000001"); FormatError(err).Fields["youtube_channel_id"] == "" {
		t.Fatalf("link to another's channel = %v", err)
	}
	if _, err := e.a.LinkYouTubeChannel(ch.ID, "nobody", "UCfakeChannel00000000001"); FormatError(err).Fields["account"] == "" {
		t.Fatalf("link through no account = %v", err)
	}
}

// channelAndPackageFor adds a rendered package to an existing channel.
func (e *publishEnv) channelAndPackageFor(chID string) (string, Package) {
	pkg, err := e.a.SavePackage(PackageInput{ChannelID: chID, Status: store.StatusReady, Topic: "stock", Title: "Stock from scraps"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.files[pkg.ID] = [3]string{e.video, "", ""}
	return chID, pkg
}

func TestPublishSecretsStayInTheKeyStore(t *testing.T) {
	e := newPublishEnv(t, true)
	const secret = "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"
	e.fake.ClientSecret = secret
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitState(sub, job.ID, publish.StateDone)
	// Google refuses the grant: the job and the call say sign in again,
	// in words that carry no token.
	e.fake.RevokeAll()
	_, pkg2 := e.channelAndPackageFor(ch.ID)
	job2, err := e.a.PublishPackage(pkg2.ID, input("Stock from scraps"))
	if err != nil {
		t.Fatal(err)
	}
	signin := e.waitState(sub, job2.ID, publish.StateSignIn, publish.StateDone, publish.StateFailed)
	if signin.State != publish.StateSignIn {
		t.Fatalf("revoked grant: %+v", signin)
	}
	_, chErr := e.a.YouTubeChannels(account)
	if FormatError(chErr).Code != CodeSignIn {
		t.Fatalf("channels with a revoked grant = %v", chErr)
	}

	// Everything the grant and client hold, as the key store keeps them.
	raw, err := os.ReadFile(filepath.Join(e.dir, "secrets.json"))
	if err != nil {
		t.Fatalf("key store file: %v", err)
	}
	var file struct {
		Secrets map[string]string `json:"secrets"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	kept := file.Secrets
	var grant struct {
		RefreshToken string `json:"refresh_token"`
		AccessToken  string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(kept["google/"+account]), &grant); err != nil || grant.RefreshToken == "" {
		t.Fatalf("grant in the key store: %v", err)
	}
	secretsList := []string{secret, grant.RefreshToken, grant.AccessToken}
	setup, _ := e.a.YouTubeSetup()
	setupJSON, _ := json.Marshal(setup)
	jobs, _ := e.a.PublishJobs("")
	jobsJSON, _ := json.Marshal(jobs)
	e.logMu.Lock()
	logText := e.log.String()
	e.logMu.Unlock()
	var dbText []byte
	for _, name := range []string{"tubeagency.db", "tubeagency.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(e.dir, name))
		dbText = append(dbText, b...)
	}
	for _, s := range secretsList {
		if s == "" {
			continue
		}
		for where, text := range map[string]string{"database": string(dbText), "log": logText, "setup": string(setupJSON),
			"jobs": string(jobsJSON), "event note": signin.Note, "error": chErr.Error()} {
			if strings.Contains(text, s) {
				t.Errorf("a secret reached the %s", where)
			}
		}
	}
	if !setup.ClientSet || setup.ClientID != e.fake.ClientID {
		t.Fatalf("setup = %+v", setup)
	}
}

func TestPublishSignInFromAnotherComputer(t *testing.T) {
	e := newPublishEnv(t, false) // serve mode: no browser to open
	if _, err := e.a.SetYouTubeOAuthClient(e.fake.ClientID, e.fake.ClientSecret); err != nil {
		t.Fatal(err)
	}
	si, err := e.a.SignInYouTube()
	if err != nil || si.Opened || si.URL == "" {
		t.Fatalf("sign in = %+v, %v", si, err)
	}
	setup, _ := e.a.YouTubeSetup()
	if !setup.SigningIn || setup.SignInURL != si.URL || setup.OpensBrowser {
		t.Fatalf("setup while signing in = %+v", setup)
	}
	// The browser elsewhere ends on the loopback address, which the user pastes.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(si.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	landed := resp.Header.Get("Location")
	if _, err := e.a.FinishYouTubeSignIn(strings.Replace(landed, "state=", "state=x", 1)); FormatError(err).Fields["url"] == "" {
		t.Fatalf("a foreign address = %v", err)
	}
	acc, err := e.a.FinishYouTubeSignIn(landed)
	if err != nil || acc.Account == "" || len(acc.Channels) != 1 {
		t.Fatalf("finish = %+v, %v", acc, err)
	}
	if e.fake.VerifiedExchanges() != 1 {
		t.Fatal("the code was not exchanged with its PKCE verifier")
	}
	setup, _ = e.a.YouTubeSetup()
	if setup.SigningIn || len(setup.Accounts) != 1 || setup.Accounts[0].SignInAgain {
		t.Fatalf("setup after = %+v", setup)
	}
	setup, err = e.a.SignOutYouTube(acc.Account)
	if err != nil || len(setup.Accounts) != 0 {
		t.Fatalf("sign out = %+v, %v", setup, err)
	}
}

func TestPublishByHand(t *testing.T) {
	e := newPublishEnv(t, false)
	ch, pkg := e.channelAndPackage(true)
	// Serve mode has no save dialog: the page downloads instead.
	if _, err := e.a.PublishByHandSave(pkg.ID, input("Five knife skills")); !errors.Is(err, ErrNoDialogs) {
		t.Fatalf("save without a dialog = %v", err)
	}
	srv := httptest.NewServer(e.rt.PublishExportHandler())
	defer srv.Close()
	mux := http.NewServeMux()
	mux.Handle("POST /api/publish/export/{package}", e.rt.PublishExportHandler())
	srv.Config.Handler = mux
	body, _ := json.Marshal(input("Five knife skills"))
	resp, err := http.Post(srv.URL+"/api/publish/export/"+pkg.ID, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download = %d %s", resp.StatusCode, zipped)
	}
	checkZip(t, zipped, e.video)

	// The desktop window asks where to save.
	d := &answerDialogs{save: filepath.Join(t.TempDir(), "export.zip")}
	e.rt.opts.Dialogs = d
	saved, err := e.a.PublishByHandSave(pkg.ID, input("Five knife skills"))
	if err != nil || saved.Name != "export.zip" || len(d.asked) != 1 || !strings.HasSuffix(d.asked[0].DefaultName, ".zip") {
		t.Fatalf("save = %+v, %v, asked %+v", saved, err, d.asked)
	}
	b, _ := os.ReadFile(d.save)
	checkZip(t, b, e.video)
	text, err := e.a.PublishByHandText(pkg.ID, input("Five knife skills"))
	if err != nil || !strings.Contains(text, "Altered content") || !strings.Contains(text, "captions.srt") {
		t.Fatalf("studio text = %q, %v", text, err)
	}

	// Then the pasted address marks the package published.
	if _, err := e.a.MarkPackagePublished(pkg.ID, "https://example.com/watch?v=dQw4w9WgXcQ"); FormatError(err).Fields["url"] == "" {
		t.Fatalf("a foreign address = %v", err)
	}
	p, err := e.a.MarkPackagePublished(pkg.ID, "https://youtu.be/dQw4w9WgXcQ?si=abc")
	if err != nil || p.Status != store.StatusPublished || p.Content.Published == nil || !p.Content.Published.ByHand ||
		p.Content.Published.URL != publish.WatchURL("dQw4w9WgXcQ") {
		t.Fatalf("marked = %+v, %v", p.Content.Published, err)
	}
	cal, err := e.a.PublishCalendar(ch.ID, 7)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, en := range cal.Entries {
		found = found || en.Job != nil && en.Job.VideoID == "dQw4w9WgXcQ" && en.Kind == string(publish.StateDone)
	}
	if !found {
		t.Fatalf("the calendar does not show the video published by hand: %+v", cal.Entries)
	}
	// Editing the package afterwards keeps it published.
	p, err = e.a.SavePackage(PackageInput{ID: p.ID, ChannelID: p.ChannelID, Status: p.Status, Topic: p.Topic, Title: "New title"})
	if err != nil || p.Content.Published == nil {
		t.Fatalf("after an edit: %+v, %v", p.Content.Published, err)
	}
}

func checkZip(t *testing.T, b []byte, video string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	want, _ := os.ReadFile(video)
	names := map[string]bool{}
	for _, f := range zr.File {
		base := f.Name[strings.LastIndexByte(f.Name, '/')+1:]
		names[base] = true
		if base == "video.mp4" {
			rc, _ := f.Open()
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, want) {
				t.Error("the zipped video differs from the render")
			}
		}
	}
	for _, n := range []string{"video.mp4", "thumbnail.png", "captions.srt", "youtube.txt"} {
		if !names[n] {
			t.Errorf("the zip lacks %s: %v", n, names)
		}
	}
}

// TestAutopilotRenderIsQueuedIntoTheNextFreeSlot: a package autopilot
// rendered for a channel that publishes automatically is queued once, into
// the calendar's first free slot, private until then; the channel's first
// automatic upload waits for the user, and once confirmed it reaches
// YouTube with that publish time.
func TestAutopilotRenderIsQueuedIntoTheNextFreeSlot(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	ctx := context.Background()
	// Autopilot renders only packages that passed the checklist; this one
	// is short, so it is marked ready here as a passing one would be.
	if err := e.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		sp, err := store.Get[store.Package](ctx, m.Tx(), store.PackageEntity, pkg.ID)
		if err != nil {
			return err
		}
		sp.Status = store.StatusReady
		_, err = store.PutPackage(m, sp)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// Not linked, or not automatic: nothing is queued.
	if _, queued, err := e.rt.autoPublish(ctx, pkg.ID); err != nil || queued {
		t.Fatalf("unlinked channel: queued %v, %v", queued, err)
	}
	e.link(ch.ID, account)
	if _, queued, err := e.rt.autoPublish(ctx, pkg.ID); err != nil || queued {
		t.Fatalf("channel without automatic publishing: queued %v, %v", queued, err)
	}
	if _, err := e.a.SavePublishSettings(ch.ID, PublishSettingsInput{AutoPublish: true, TimeZone: "Europe/Lisbon", Hour: 18}); err != nil {
		t.Fatal(err)
	}
	view, err := e.a.PublishView(pkg.ID)
	if err != nil || len(view.Slots) == 0 {
		t.Fatalf("free slots = %v, %v", view.Slots, err)
	}
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	job, queued, err := e.rt.autoPublish(ctx, pkg.ID)
	if err != nil || !queued {
		t.Fatalf("automatic upload: queued %v, %v", queued, err)
	}
	if job.State != publish.StateConfirm || !job.Meta.PublishAt.Equal(view.Slots[0]) || job.Meta.Privacy != publish.Private ||
		job.Meta.Title != pkg.Title || !job.Meta.SyntheticMedia {
		t.Fatalf("job = %+v (%s), want confirm at %s, private", job.Meta, job.State, view.Slots[0])
	}
	if _, queued, err := e.rt.autoPublish(ctx, pkg.ID); err != nil || queued {
		t.Fatalf("the same package again: queued %v, %v", queued, err)
	}
	if _, err := e.a.ConfirmPublishJob(job.ID); err != nil {
		t.Fatal(err)
	}
	e.waitState(sub, job.ID, publish.StateDone)
	vs := e.fake.Videos()
	if len(vs) != 1 {
		t.Fatalf("%d videos on YouTube, want 1", len(vs))
	}
	status, _ := vs[0].Metadata["status"].(map[string]any)
	if status["publishAt"] != view.Slots[0].UTC().Format(time.RFC3339) || status["privacyStatus"] != "private" {
		t.Fatalf("status on YouTube = %v, want private until %s", status, view.Slots[0].UTC())
	}
}

func TestInfrastructureShowsYouTubeQuotaUntilThePacificReset(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	snap := func() monitor.Snapshot {
		t.Helper()
		if err := e.rt.monitor.Tick(context.Background(), e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		return e.rt.monitor.Snapshot()
	}
	reset := publish.NextReset(e.clock.Now())
	s := snap()
	if !s.YouTube.Available || len(s.YouTube.Buckets) != 2 {
		t.Fatalf("youtube quota before any upload = %+v", s.YouTube)
	}
	up := s.YouTube.Buckets[0]
	if up.Bucket != publish.BucketInsert || up.Label != "YouTube uploads today" || up.Used != 0 || up.Limit != 100 || !up.Reset.Equal(reset) {
		t.Fatalf("uploads bucket = %+v (reset %s)", up, reset)
	}
	if u := s.YouTube.Buckets[1]; u.Bucket != publish.BucketUnits || u.Limit != 10_000 {
		t.Fatalf("units bucket = %+v", u)
	}

	// YouTube says the uploads are spent: the page shows them used up.
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	if w := e.waitState(sub, job.ID, publish.StateDeferred, publish.StateDone, publish.StateFailed); w.State != publish.StateDeferred {
		t.Fatalf("after quotaExceeded: %+v", w)
	}
	if up := snap().YouTube.Buckets[0]; up.Used != 100 || up.Limit != 100 || !up.Reset.Equal(reset) {
		t.Fatalf("uploads after quotaExceeded = %+v", up)
	}
	// The snapshot crosses to the page with the reset as RFC 3339.
	raw, err := json.Marshal(snap().YouTube)
	if err != nil || !strings.Contains(string(raw), `"reset":"`+reset.Format(time.RFC3339)+`"`) {
		t.Fatalf("youtube view as JSON = %s, %v", raw, err)
	}

	// After Pacific midnight a new day starts: the upload goes and counts once.
	e.clock.Add(reset.Sub(e.clock.Now()) + time.Minute)
	e.rt.publish.runner.Kick()
	if done := e.waitState(sub, job.ID, publish.StateDone, publish.StateFailed); done.State != publish.StateDone {
		t.Fatalf("after the reset: %+v", done)
	}
	if up := snap().YouTube.Buckets[0]; up.Used != 1 || !up.Reset.Equal(publish.NextReset(e.clock.Now())) || !up.Reset.After(reset) {
		t.Fatalf("uploads the next day = %+v", up)
	}
}

func TestUnlinkYouTubeChannelKeepsItsUploadsUntilLinkedAgain(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, pkg := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	// The upload waits for the quota: it is queued, not on YouTube.
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
	job, err := e.a.PublishPackage(pkg.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitState(sub, job.ID, publish.StateDeferred)

	// Bad input names the field and changes nothing.
	for _, id := range []string{"no-such-channel", ""} {
		var fe *FieldError
		if _, err := e.a.UnlinkYouTubeChannel(id); !errors.As(err, &fe) || fe.Field != "channel_id" || !strings.Contains(fe.Message, "not a known channel") {
			t.Fatalf("unlink %q = %v", id, err)
		}
	}
	if cs, _ := e.a.PublishSettings(ch.ID); cs.YouTubeChannelID == "" {
		t.Fatal("a refused unlink changed the link")
	}

	res, err := e.a.UnlinkYouTubeChannel(ch.ID)
	if err != nil || res.Waiting != 1 || res.Link.YouTubeChannelID != "" || res.Link.Account != "" {
		t.Fatalf("unlink = %+v, %v", res, err)
	}
	if p := e.waitState(sub, job.ID, publish.StateUnlinked); p.Note != publish.UnlinkedNote {
		t.Fatalf("unlinked job event: %+v", p)
	}
	waitEvent(t, sub, events.YouTube, func(ev YouTubeEvent) bool { return ev.State == "unlinked" })
	// The channel no longer shows as linked; its package is still there to publish.
	setup, err := e.a.YouTubeSetup()
	if err != nil || slices.ContainsFunc(setup.Links, func(l publish.ChannelSettings) bool { return l.ChannelID == ch.ID && l.YouTubeChannelID != "" }) {
		t.Fatalf("links after unlinking: %+v, %v", setup.Links, err)
	}
	// Unlinked twice: a field error, not a silent success.
	var fe *FieldError
	if _, err := e.a.UnlinkYouTubeChannel(ch.ID); !errors.As(err, &fe) || fe.Field != "channel_id" {
		t.Fatalf("second unlink = %v", err)
	}
	if _, err := e.a.RetryPublishJob(job.ID); FormatError(err).Code != CodeNotLinked {
		t.Fatalf("retry while unlinked = %v", err)
	}
	// Past the quota reset nothing goes while unlinked.
	e.clock.Add(publish.NextReset(e.clock.Now()).Sub(e.clock.Now()) + time.Minute)
	e.rt.publish.runner.Dispatch(context.Background())
	if n := len(e.fake.Videos()); n != 0 {
		t.Fatalf("%d videos while unlinked", n)
	}

	// Linked again: the upload goes by itself.
	e.link(ch.ID, account)
	if done := e.waitState(sub, job.ID, publish.StateDone, publish.StateFailed); done.State != publish.StateDone {
		t.Fatalf("after linking again: %+v", done)
	}
	if n := len(e.fake.Videos()); n != 1 {
		t.Fatalf("%d videos after linking again", n)
	}
}

// The calendar's free slots fall at the channel's best hour from its
// analytics once its past uploads say one; before, at its publishing time.
func TestPublishCalendarUsesTheBestHourFromAnalytics(t *testing.T) {
	e := newPublishEnv(t, true)
	ch, pkg := e.channelAndPackage(false)
	if _, err := e.a.SavePublishSettings(ch.ID, PublishSettingsInput{TimeZone: "America/New_York", Hour: 9}); err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	freeHours := func(c PublishCalendar) map[int]int {
		hours := map[int]int{}
		for _, en := range c.Entries {
			if en.Kind == "free" {
				hours[en.At.In(ny).Hour()]++
			}
		}
		return hours
	}
	cal, err := e.a.PublishCalendar(ch.ID, 14)
	if err != nil || cal.HourSource != publish.HourPreferred || cal.Hour != 9 {
		t.Fatalf("calendar without analytics: source %q hour %d, %v", cal.HourSource, cal.Hour, err)
	}
	if h := freeHours(cal); len(h) != 1 || h[9] == 0 {
		t.Fatalf("free slot hours without analytics: %v", h)
	}

	// Too little data (4 uploads) says nothing yet.
	now := e.clock.Now()
	var vs []insights.Video
	add := func(n, hourNY int, views int64) {
		for i := range n {
			day := now.AddDate(0, 0, -10-len(vs)*3).In(ny)
			at := time.Date(day.Year(), day.Month(), day.Day(), hourNY, 15, 0, 0, ny)
			vs = append(vs, insights.Video{ChannelID: ch.ID, ID: fmt.Sprintf("vid%02d-%d", len(vs), i), Kind: insights.KindOwn,
				Title: fmt.Sprintf("Knife lesson %d", len(vs)), PublishedAt: at, DurationSec: 300, Views: views, Source: "csv"})
		}
	}
	add(2, 20, 90_000) // the evening uploads do far better
	add(2, 7, 2_000)
	if err := e.rt.insights.svc.DB().PutVideos(context.Background(), vs, now); err != nil {
		t.Fatal(err)
	}
	if cal, _ := e.a.PublishCalendar(ch.ID, 14); cal.HourSource != publish.HourPreferred {
		t.Fatalf("with 4 uploads: source %q", cal.HourSource)
	}
	add(2, 20, 80_000)
	add(2, 7, 1_500)
	if err := e.rt.insights.svc.DB().PutVideos(context.Background(), vs, now); err != nil {
		t.Fatal(err)
	}
	cal, err = e.a.PublishCalendar(ch.ID, 14)
	if err != nil || cal.HourSource != publish.HourAnalytics || cal.Hour != 20 || cal.Minute != 0 {
		t.Fatalf("calendar with analytics: source %q %d:%02d, %v", cal.HourSource, cal.Hour, cal.Minute, err)
	}
	if h := freeHours(cal); len(h) != 1 || h[20] == 0 {
		t.Fatalf("free slot hours with analytics: %v", h)
	}
	// The Publish panel offers the same slots.
	v, err := e.a.PublishView(pkg.ID)
	if err != nil || len(v.Slots) == 0 {
		t.Fatalf("view slots %v, %v", v.Slots, err)
	}
	for _, s := range v.Slots {
		if s.In(ny).Hour() != 20 {
			t.Fatalf("panel slot %s is not at the best hour", s.In(ny))
		}
	}
}

// "Keep the last N renders per channel" never deletes a render whose
// upload is not over; once the upload is cancelled, the next cleanup may.
func TestKeepLastRendersSparesRendersWithAnOpenUpload(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, waiting := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
	job, err := e.a.PublishPackage(waiting.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitState(sub, job.ID, publish.StateDeferred)
	_, older := e.channelAndPackageFor(ch.ID)
	_, newest := e.channelAndPackageFor(ch.ID)
	// Finished renders, the waiting upload's the oldest.
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, id := range []string{waiting.ID, older.ID, newest.ID} {
		finishedRender(t, e.rt, id, ch.ID, at.Add(time.Duration(i)*time.Hour))
	}
	rendered := func(id string) bool {
		t.Helper()
		f, err := e.a.RenderedFiles(id)
		if err != nil {
			t.Fatal(err)
		}
		return f.Rendered
	}
	if _, err := e.a.SaveRenderSettings(RenderSettings{KeepLast: 1}); err != nil {
		t.Fatal(err)
	}
	if !rendered(waiting.ID) || rendered(older.ID) || !rendered(newest.ID) {
		t.Fatalf("after keep-last 1: waiting %v, older %v, newest %v", rendered(waiting.ID), rendered(older.ID), rendered(newest.ID))
	}
	// The upload cancelled, its render is the channel's oldest like any other.
	if _, err := e.a.CancelPublishJob(job.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.SaveRenderSettings(RenderSettings{KeepLast: 1}); err != nil {
		t.Fatal(err)
	}
	if rendered(waiting.ID) || !rendered(newest.ID) {
		t.Fatalf("after the cancel: waiting %v, newest %v", rendered(waiting.ID), rendered(newest.ID))
	}
}

// Remove render refuses while the package's upload is not over, and
// removes once it is cancelled.
func TestRemoveRenderRefusesWhileAnUploadIsOpen(t *testing.T) {
	e := newPublishEnv(t, true)
	account := e.signIn()
	ch, waiting := e.channelAndPackage(false)
	e.link(ch.ID, account)
	sub, stop := e.rt.Hub().Subscribe(4096)
	defer stop()
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
	job, err := e.a.PublishPackage(waiting.ID, input("Five knife skills"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitState(sub, job.ID, publish.StateDeferred)
	video := finishedRender(t, e.rt, waiting.ID, ch.ID, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	err = e.a.RemoveRender(waiting.ID)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "package_id" || !strings.Contains(fe.Message, "upload") {
		t.Fatalf("remove while the upload waits: %v", err)
	}
	if _, err := os.Stat(video); err != nil {
		t.Fatalf("the refused remove deleted the video: %v", err)
	}
	if _, err := e.a.CancelPublishJob(job.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.a.RemoveRender(waiting.ID); err != nil {
		t.Fatalf("remove after the cancel: %v", err)
	}
	if _, err := os.Stat(video); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the video is still there after the remove: %v", err)
	}
}

// finishedRender writes a finished render of packageID as a render leaves
// it (manifest and video) and returns the video's path.
func finishedRender(t *testing.T, rt *Runtime, packageID, channelID string, at time.Time) string {
	t.Helper()
	dir, err := render.Dir(rt.render.root, packageID)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(render.Manifest{Version: render.ManifestVersion, PackageID: packageID, ChannelID: channelID,
		RenderedAt: at, Video: &render.FileInfo{Name: render.VideoFile, Bytes: 1000}})
	if err := os.WriteFile(filepath.Join(dir, render.ManifestFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(dir, render.VideoFile)
	if err := os.WriteFile(video, make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	return video
}
