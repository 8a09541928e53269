package publish_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/publish"
)

// Unlinking a channel mid-upload stops its uploads without losing them;
// linking it again sends them, the interrupted one from its saved session.
func TestUnlinkKeepsWaitingUploadsAndRelinkSendsThem(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	if err := e.db.SetChannel(ctx, channelID, true, "Europe/Lisbon", 9, 30); err != nil {
		t.Fatal(err)
	}
	cs, _ := e.db.Channel(ctx, channelID)
	yt := publish.Channel{ID: cs.YouTubeChannelID, Title: cs.YouTubeTitle}
	first := e.enqueue(3<<20, nil)
	second := e.enqueue(3<<20, func(nj *publish.NewJob) {
		nj.PackageID = "pkg-2"
		nj.VideoPath = writeFile(t, e.dir, "second.mp4", 2<<20)
	})

	// The channel is unlinked while the first upload's first chunk is in.
	var once sync.Once
	var unlinkErr error
	var moved []string
	unlinked := make(chan struct{})
	e.fake.OnChunk(func(c fakegoogle.Chunk) {
		if c.Received >= 1<<20 {
			once.Do(func() { moved, unlinkErr = e.runner.Unlink(ctx, channelID); close(unlinked) })
		}
	})
	got, err := e.runner.RunJob(ctx, first.ID)
	<-unlinked
	if err != nil || unlinkErr != nil {
		t.Fatal(err, unlinkErr)
	}
	e.fake.OnChunk(nil)
	if got.State != publish.StateUnlinked || got.Note != publish.UnlinkedNote || got.VideoID != "" {
		t.Fatalf("interrupted job: %s %q video %q", got.State, got.Note, got.VideoID)
	}
	if len(moved) != 2 || !bytes.Contains([]byte(moved[0]+moved[1]), []byte(second.ID)) {
		t.Fatalf("moved %v", moved)
	}
	if w, _ := e.db.Job(ctx, second.ID); w.State != publish.StateUnlinked || w.Note != publish.UnlinkedNote {
		t.Fatalf("waiting job: %s %q", w.State, w.Note)
	}
	if n := len(e.fake.Videos()); n != 0 {
		t.Fatalf("%d videos after unlinking", n)
	}
	// The link is gone, the channel's other choices stay.
	after, _ := e.db.Channel(ctx, channelID)
	if after.YouTubeChannelID != "" || after.Account != "" || after.YouTubeTitle != "" ||
		!after.AutoPublish || after.TimeZone != "Europe/Lisbon" || after.Hour != 9 || after.Minute != 30 || after.ConfirmedAt.IsZero() {
		t.Fatalf("settings after unlinking: %+v", after)
	}
	// An unlinked job does not run, cannot be retried, and slots stay taken.
	if got, _ := e.runner.RunJob(ctx, second.ID); got.State != publish.StateUnlinked {
		t.Fatalf("unlinked job ran: %s", got.State)
	}
	if _, err := e.db.Retry(ctx, second.ID); !errors.Is(err, publish.ErrNotLinked) {
		t.Fatalf("retry an unlinked job = %v", err)
	}
	if occ, _ := e.db.Occupied(ctx, channelID); len(occ) != 2 {
		t.Fatalf("occupied slots %v", occ)
	}
	// Nothing new can be queued, and unlinking again says why, naming the field.
	_, err = e.db.Enqueue(ctx, publish.NewJob{PackageID: "pkg-3", ChannelID: channelID, VideoPath: first.VideoPath, Meta: first.Meta})
	if !errors.Is(err, publish.ErrNotLinked) {
		t.Fatalf("enqueue while unlinked = %v", err)
	}
	var fe *publish.FieldError
	for _, id := range []string{channelID, "no-such-channel", ""} {
		if _, err := e.runner.Unlink(ctx, id); !errors.As(err, &fe) || fe.Field != "channel_id" {
			t.Fatalf("unlink %q = %v", id, err)
		}
	}

	// Linked again to the same YouTube channel: both go, the first resumes.
	sentBefore := e.fake.Stats().ChunkBytes
	if err := e.db.Link(ctx, channelID, e.account, yt); err != nil {
		t.Fatal(err)
	}
	for _, j := range []publish.Job{first, second} {
		if q, _ := e.db.Job(ctx, j.ID); q.State != publish.StateQueued || q.Note != "" {
			t.Fatalf("after linking again: %s %q", q.State, q.Note)
		}
		if got, err := e.runner.RunJob(ctx, j.ID); err != nil || got.State != publish.StateDone {
			t.Fatalf("job %s after linking again: %s %q %v", j.ID, got.State, got.Note, err)
		}
	}
	vids := e.fake.Videos()
	if len(vids) != 2 || e.fake.Stats().Sessions != 2 {
		t.Fatalf("%d videos, %d sessions: want 2 and 2 (the first resumed its session)", len(vids), e.fake.Stats().Sessions)
	}
	for i, p := range []string{first.VideoPath, filepath.Join(e.dir, "second.mp4")} {
		want, _ := os.ReadFile(p)
		if !bytes.Equal(vids[i].Bytes, want) {
			t.Fatalf("video %d bytes differ from its file", i)
		}
	}
	// The first sent only what YouTube lacked (its other 2 MiB), then the second's 2 MiB.
	if resent := e.fake.Stats().ChunkBytes - sentBefore; resent > 4<<20+(1<<20) {
		t.Fatalf("%d bytes sent after linking again", resent)
	}
}

// Linking an unlinked channel to another YouTube channel drops the old
// session (it belongs to the other channel) and starts afresh there.
func TestRelinkToAnotherChannelStartsANewSession(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	j := e.enqueue(2<<20, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
	var once sync.Once
	e.fake.OnChunk(func(c fakegoogle.Chunk) {
		once.Do(func() {
			if _, err := e.runner.Unlink(ctx, channelID); err != nil {
				t.Error(err)
			}
		})
	})
	if got, _ := e.runner.RunJob(ctx, j.ID); got.State != publish.StateUnlinked {
		t.Fatalf("job %s", got.State)
	}
	e.fake.OnChunk(nil)
	other := publish.Channel{ID: "UCothertubeagencychann00", Title: "Other"}
	if err := e.db.Link(ctx, channelID, e.account, other); err != nil {
		t.Fatal(err)
	}
	q, _ := e.db.Job(ctx, j.ID)
	if q.State != publish.StateQueued || q.SessionURI != "" || q.Offset != 0 || q.YouTubeChannelID != other.ID {
		t.Fatalf("after linking elsewhere: %s session %q offset %d channel %s", q.State, q.SessionURI, q.Offset, q.YouTubeChannelID)
	}
	if got, _ := e.runner.RunJob(ctx, j.ID); got.State != publish.StateDone || e.fake.Stats().Sessions != 2 {
		t.Fatalf("job %s (%q), %d sessions", got.State, got.Note, e.fake.Stats().Sessions)
	}
}
