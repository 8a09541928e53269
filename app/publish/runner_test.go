package publish_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/publish"
)

func TestUploadSendsMetadataThumbnailAndCaptions(t *testing.T) {
	e := newEnv(t, nil)
	at := e.clock.Now().Add(48 * time.Hour).Truncate(time.Second)
	j := e.enqueue(3<<20+12345, func(nj *publish.NewJob) {
		nj.Meta.Privacy = publish.Public
		nj.Meta.PublishAt = at
	})
	got, err := e.runner.RunJob(t.Context(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != publish.StateDone || got.VideoID == "" {
		t.Fatalf("job ended %s (%s)", got.State, got.Note)
	}
	vids := e.fake.Videos()
	if len(vids) != 1 {
		t.Fatalf("%d videos on the fake, want 1", len(vids))
	}
	want, _ := os.ReadFile(j.VideoPath)
	if !bytes.Equal(vids[0].Bytes, want) {
		t.Fatal("uploaded bytes differ from the file")
	}
	st := vids[0].Metadata["status"].(map[string]any)
	if st["publishAt"] != at.UTC().Format(time.RFC3339) || st["privacyStatus"] != "private" {
		t.Fatalf("status sent: %v", st)
	}
	if v, ok := st["containsSyntheticMedia"].(bool); !ok || !v {
		t.Fatalf("containsSyntheticMedia sent as %v", st["containsSyntheticMedia"])
	}
	if v, ok := st["selfDeclaredMadeForKids"].(bool); !ok || v {
		t.Fatalf("selfDeclaredMadeForKids sent as %v (want an explicit false)", st["selfDeclaredMadeForKids"])
	}
	sn := vids[0].Metadata["snippet"].(map[string]any)
	if sn["title"] != "How to bake bread at home" || sn["categoryId"] != "22" || sn["defaultLanguage"] != "en" {
		t.Fatalf("snippet sent: %v", sn)
	}
	thumb, _ := os.ReadFile(j.ThumbnailPath)
	if !bytes.Equal(vids[0].Thumbnail, thumb) {
		t.Fatal("thumbnail bytes differ")
	}
	if len(vids[0].Captions) != 1 || string(vids[0].Captions[0].Body) != srt || vids[0].Captions[0].Language != "en" {
		t.Fatalf("captions: %+v", vids[0].Captions)
	}
	if len(e.published) != 1 || e.published[0].VideoID != got.VideoID || e.published[0].Status != "scheduled" ||
		!e.published[0].PublishAt.Equal(at) || e.published[0].URL != "https://www.youtube.com/watch?v="+got.VideoID {
		t.Fatalf("published reported: %+v", e.published)
	}
	q, _ := e.db.Quota(t.Context(), publish.Limits{}, e.clock.Now())
	if q[0].Used != 1 || q[1].Used != publish.CostThumbnail+publish.CostCaption {
		t.Fatalf("quota charged: %+v", q)
	}
	evs := e.events.all()
	if last := evs[len(evs)-1]; last.State != publish.StateDone || last.URL == "" || last.Sent != last.Total {
		t.Fatalf("last event: %+v", last)
	}
	// tokens are only in the secrets file: not in SQLite (WAL included), not in events
	scanForTokens(t, e)
	for _, ev := range evs {
		if b, _ := json.Marshal(ev); tokenRe.Match(b) || strings.Contains(string(b), "upload_id") {
			t.Fatalf("event carries a token or the session: %s", b)
		}
	}
}

func TestUploadSurvivesFaults(t *testing.T) {
	scenarios := []struct {
		name  string
		fault fakegoogle.Fault
		// resent bounds the bytes sent twice
		resent int64
	}{
		{"5xx mid-chunk", fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.ServerError, Times: 2}, 2 << 20},
		{"connection cut mid-body", fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.CutBody, After: 700_000}, 1 << 20},
		{"5xx on the session start", fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.ServerError}, 0},
		{"401 on a chunk", fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.Unauthorized}, 1 << 20},
		{"session forgotten", fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.SessionGone}, 4 << 20},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			size := int64(4<<20 + 777)
			j := e.enqueue(int(size), func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
			// the fault hits the third chunk (or the session start)
			if sc.fault.Op == fakegoogle.OpUploadChunk {
				e.fake.OnChunk(func(c fakegoogle.Chunk) {
					if c.Received == 2<<20 {
						e.fake.Inject(sc.fault)
						e.fake.OnChunk(nil)
					}
				})
			} else {
				e.fake.Inject(sc.fault)
			}
			got, err := e.runner.RunJob(t.Context(), j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != publish.StateDone {
				t.Fatalf("job ended %s: %s", got.State, got.Note)
			}
			vids := e.fake.Videos()
			want, _ := os.ReadFile(j.VideoPath)
			if len(vids) != 1 || !bytes.Equal(vids[0].Bytes, want) {
				t.Fatalf("%d videos; bytes equal: %v", len(vids), len(vids) == 1 && bytes.Equal(vids[0].Bytes, want))
			}
			if resent := e.fake.Stats().ChunkBytes - size; resent > sc.resent {
				t.Fatalf("%d bytes sent twice, want at most %d", resent, sc.resent)
			}
		})
	}
}

func TestSessionLostTwiceFailsWithoutASecondVideo(t *testing.T) {
	e := newEnv(t, nil)
	j := e.enqueue(3<<20, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.SessionGone, Times: 2})
	got, _ := e.runner.RunJob(t.Context(), j.ID)
	if got.State != publish.StateFailed || got.VideoID != "" {
		t.Fatalf("job %s video %q: %s", got.State, got.VideoID, got.Note)
	}
	if n := e.fake.Stats().Sessions; n != 2 {
		t.Fatalf("%d sessions, want 2 (one restart)", n)
	}
	if len(e.fake.Videos()) != 0 {
		t.Fatal("a video exists")
	}
}

func TestQuotaExceededDefersToPacificMidnight(t *testing.T) {
	scenarios := []struct {
		name      string
		now       time.Time
		wantReset time.Time
	}{
		// 10:00 PST on a normal winter day: reset at 08:00 UTC the next day
		{"winter", time.Date(2026, 1, 15, 18, 0, 0, 0, time.UTC), time.Date(2026, 1, 16, 8, 0, 0, 0, time.UTC)},
		// the day clocks spring forward (2026-03-08 is 23 hours long): 23:30 PDT on the 8th resets at 07:00 UTC
		{"spring forward", time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC), time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC)},
		// 23:30 PST on the 7th: the next midnight is still PST
		{"eve of spring forward", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)},
		// fall back (2026-11-01 is 25 hours long): 00:30 PDT on the 1st resets at 08:00 UTC on the 2nd
		{"fall back", time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC), time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.clock.Set(sc.now)
			j := e.enqueue(1<<20, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
			e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.QuotaExceeded})
			got, _ := e.runner.RunJob(t.Context(), j.ID)
			if got.State != publish.StateDeferred || !got.RunAfter.Equal(sc.wantReset) {
				t.Fatalf("job %s until %v, want deferred until %v (%s)", got.State, got.RunAfter, sc.wantReset, got.Note)
			}
			if !strings.Contains(got.Note, "midnight Pacific") {
				t.Fatalf("note %q", got.Note)
			}
			// the bucket is spent locally too: a second job does not call YouTube
			j2 := e.enqueue(1<<20, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
			before := e.fake.Stats().Requests[fakegoogle.OpVideosInsert]
			got2, _ := e.runner.RunJob(t.Context(), j2.ID)
			if got2.State != publish.StateDeferred || e.fake.Stats().Requests[fakegoogle.OpVideosInsert] != before {
				t.Fatalf("second job %s, calls %d→%d", got2.State, before, e.fake.Stats().Requests[fakegoogle.OpVideosInsert])
			}
			// nothing is due a second before the reset; both are at the reset
			e.clock.Set(sc.wantReset.Add(-time.Second))
			if n := e.runner.Dispatch(t.Context()); n != 0 {
				t.Fatalf("%d jobs dispatched before the reset", n)
			}
			e.clock.Set(sc.wantReset)
			for _, id := range []string{j.ID, j2.ID} {
				got, _ := e.runner.RunJob(t.Context(), id)
				if got.State != publish.StateDone {
					t.Fatalf("after the reset: %s (%s)", got.State, got.Note)
				}
			}
		})
	}
}

func TestLocalQuotaCountsTheInsertBucket(t *testing.T) {
	e := newEnv(t, func(c *publish.Config) { c.Limits = publish.Limits{Insert: 1} })
	noExtras := func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false }
	j1 := e.enqueue(300_000, noExtras)
	j2 := e.enqueue(300_000, noExtras)
	if got, _ := e.runner.RunJob(t.Context(), j1.ID); got.State != publish.StateDone {
		t.Fatalf("first: %s", got.State)
	}
	got, _ := e.runner.RunJob(t.Context(), j2.ID)
	if got.State != publish.StateDeferred || !strings.Contains(got.Note, "100 uploads") {
		t.Fatalf("second: %s %q", got.State, got.Note)
	}
	if e.fake.Stats().Sessions != 1 {
		t.Fatal("the second upload reached YouTube")
	}
}

func TestUploadLimitDefersADay(t *testing.T) {
	e := newEnv(t, nil)
	j := e.enqueue(300_000, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
	e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpVideosInsert, Kind: fakegoogle.UploadLimitExceeded})
	got, _ := e.runner.RunJob(t.Context(), j.ID)
	if got.State != publish.StateDeferred || !got.RunAfter.Equal(e.clock.Now().Add(24*time.Hour)) || !strings.Contains(got.Note, "upload limit") {
		t.Fatalf("job %s until %v: %q", got.State, got.RunAfter, got.Note)
	}
}

func TestRevokedGrantAsksToSignInAgain(t *testing.T) {
	e := newEnv(t, nil)
	j := e.enqueue(300_000, nil)
	e.fake.RevokeAll()
	got, _ := e.runner.RunJob(t.Context(), j.ID)
	if got.State != publish.StateSignIn || !strings.Contains(got.Note, "Sign in again") {
		t.Fatalf("job %s: %q", got.State, got.Note)
	}
	// signing in again and linking resumes the job
	acct := signIn(t, e.auth, append([]string{}, "https://www.googleapis.com/auth/youtube.upload",
		"https://www.googleapis.com/auth/youtube.readonly", "https://www.googleapis.com/auth/youtube.force-ssl"))
	chans, _ := e.yt.MyChannels(t.Context(), acct)
	if err := e.db.Link(t.Context(), channelID, acct, chans[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Retry(t.Context(), j.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.runner.RunJob(t.Context(), j.ID); got.State != publish.StateDone {
		t.Fatalf("after signing in again: %s %q", got.State, got.Note)
	}
}

func TestNetworkDownRequeuesWithTheSessionKept(t *testing.T) {
	e := newEnv(t, nil)
	j := e.enqueue(3<<20, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
	e.fake.OnChunk(func(c fakegoogle.Chunk) {
		if c.Received == 1<<20 {
			e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.ServerError, Times: 4})
			e.fake.OnChunk(nil)
		}
	})
	got, _ := e.runner.RunJob(t.Context(), j.ID)
	if got.State != publish.StateQueued || got.Offset != 1<<20 || got.RunAfter.IsZero() || got.Attempts != 1 {
		t.Fatalf("job %s offset %d after %v attempts %d: %q", got.State, got.Offset, got.RunAfter, got.Attempts, got.Note)
	}
	e.clock.Set(got.RunAfter)
	got, _ = e.runner.RunJob(t.Context(), j.ID)
	if got.State != publish.StateDone || e.fake.Stats().Sessions != 1 {
		t.Fatalf("job %s after %d sessions", got.State, e.fake.Stats().Sessions)
	}
}

func TestOfflineJobsWait(t *testing.T) {
	online := false
	e := newEnv(t, func(c *publish.Config) { c.Online = func() bool { return online } })
	e.enqueue(300_000, nil)
	if n := e.runner.Dispatch(t.Context()); n != 0 {
		t.Fatalf("%d dispatched offline", n)
	}
	online = true
	e.runner.Start(t.Context())
	deadline := time.Now().Add(10 * time.Second)
	for len(e.fake.Videos()) == 0 && time.Now().Before(deadline) {
		e.runner.Kick()
		time.Sleep(5 * time.Millisecond)
	}
	e.runner.Stop()
	if len(e.fake.Videos()) != 1 {
		t.Fatal("the job did not run once online")
	}
}

func TestFirstAutoPublishWaitsForConfirmation(t *testing.T) {
	e := newEnv(t, nil)
	cs, _ := e.db.Channel(t.Context(), channelID)
	if !cs.NeedsConfirmation() || cs.AutoPublish {
		t.Fatalf("new channel settings %+v", cs)
	}
	j := e.enqueue(300_000, func(nj *publish.NewJob) { nj.Auto = true })
	if j.State != publish.StateConfirm {
		t.Fatalf("auto job state %s, want confirm", j.State)
	}
	if n := e.runner.Dispatch(t.Context()); n != 0 {
		t.Fatal("an unconfirmed job was dispatched")
	}
	if _, err := e.db.Confirm(t.Context(), j.ID); err != nil {
		t.Fatal(err)
	}
	cs, _ = e.db.Channel(t.Context(), channelID)
	if cs.NeedsConfirmation() {
		t.Fatal("confirming did not record the channel's first publish")
	}
	if j2 := e.enqueue(300_000, func(nj *publish.NewJob) { nj.Auto = true }); j2.State != publish.StateQueued {
		t.Fatalf("second auto job %s", j2.State)
	}
}

func TestEnqueueRejectsBadInputAndWritesNothing(t *testing.T) {
	e := newEnv(t, nil)
	scenarios := []struct {
		field  string
		mutate func(*publish.NewJob)
	}{
		{"title", func(nj *publish.NewJob) { nj.Meta.Title = "  " }},
		{"title", func(nj *publish.NewJob) { nj.Meta.Title = strings.Repeat("a", 101) }},
		{"description", func(nj *publish.NewJob) { nj.Meta.Description = "<script>" }},
		{"tags", func(nj *publish.NewJob) { nj.Meta.Tags = []string{strings.Repeat("x", 501)} }},
		{"privacy", func(nj *publish.NewJob) { nj.Meta.Privacy = "friends" }},
		{"publish_at", func(nj *publish.NewJob) { nj.Meta.PublishAt = e.clock.Now().Add(-time.Hour) }},
		{"video_path", func(nj *publish.NewJob) { nj.VideoPath = "/nonexistent/video.mp4" }},
		{"captions_path", func(nj *publish.NewJob) { nj.CaptionsPath = "" }},
		{"default_language", func(nj *publish.NewJob) { nj.Meta.DefaultLanguage = "english!" }},
	}
	for _, sc := range scenarios {
		video := writeFile(t, e.dir, "v.mp4", 1000)
		nj := publish.NewJob{PackageID: "p", ChannelID: channelID, VideoPath: video, UploadCaptions: true, CaptionsPath: video,
			Meta: publish.DefaultMetadata("Title", "", nil, "en", true)}
		nj.CaptionsPath = writeFile(t, e.dir, "c.srt", 100)
		sc.mutate(&nj)
		_, err := e.db.Enqueue(t.Context(), nj)
		var fe *publish.FieldError
		if !errors.As(err, &fe) || fe.Field != sc.field {
			t.Errorf("%s: err = %v", sc.field, err)
		}
	}
	if jobs, _ := e.db.Jobs(t.Context(), publish.Filter{}); len(jobs) != 0 {
		t.Fatalf("%d jobs written", len(jobs))
	}
}

// TestAFinishedUploadStartsTheNextAtOnce: with one upload at a time, the
// second waiting job starts when the first ends, not at the loop's next
// tick (an hour here).
func TestAFinishedUploadStartsTheNextAtOnce(t *testing.T) {
	e := newEnv(t, func(c *publish.Config) { c.Interval = time.Hour; c.Concurrency = 1 })
	first := e.enqueue(300_000, nil)
	second := e.enqueue(300_000, func(nj *publish.NewJob) { nj.PackageID = "pkg-2" })
	e.runner.Start(t.Context())
	defer e.runner.Stop()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		a, _ := e.db.Job(t.Context(), first.ID)
		b, _ := e.db.Job(t.Context(), second.ID)
		if a.State == publish.StateDone && b.State == publish.StateDone {
			if n := len(e.fake.Videos()); n != 2 {
				t.Fatalf("%d videos on the fake, want 2", n)
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the second upload waited for the loop's next tick")
}
