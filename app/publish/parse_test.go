package publish_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/publish"
)

func TestParseVideoURL(t *testing.T) {
	const id = "dQw4w9WgXcQ"
	good := []string{
		id,
		"https://www.youtube.com/watch?v=" + id,
		"https://youtube.com/watch?v=" + id + "&t=42s&list=PL123",
		"http://m.youtube.com/watch?feature=share&v=" + id,
		"www.youtube.com/watch?v=" + id,
		"https://music.youtube.com/watch?v=" + id,
		"https://youtu.be/" + id,
		"https://youtu.be/" + id + "?si=AbCdEf&t=3",
		"youtu.be/" + id,
		"https://www.youtube.com/shorts/" + id,
		"https://youtube.com/shorts/" + id + "?feature=share",
		"https://www.youtube.com/live/" + id,
		"https://www.youtube.com/embed/" + id,
		"https://www.youtube-nocookie.com/embed/" + id,
		"https://studio.youtube.com/video/" + id + "/edit",
		"  https://YOUTU.BE/" + id + "  ",
	}
	for _, s := range good {
		got, err := publish.ParseVideoURL(s)
		if err != nil || got != id {
			t.Errorf("%q: %q, %v", s, got, err)
		}
	}
	bad := []string{
		"", "https://www.youtube.com/", "https://www.youtube.com/@channel", "https://www.youtube.com/playlist?list=PL1",
		"https://www.youtube.com/watch?v=short", "https://www.youtube.com/watch?v=dQw4w9WgXcR", // last char out of range
		"https://vimeo.com/12345", "https://youtu.be.evil.com/" + id, "ftp://youtu.be/" + id,
		"https://www.youtube.com/shorts/", "javascript:alert(1)", strings.Repeat("a", 3000),
		"https://youtube.com.evil.com/watch?v=" + id,
	}
	for _, s := range bad {
		if got, err := publish.ParseVideoURL(s); !errors.Is(err, publish.ErrInvalidURL) {
			t.Errorf("%q: got %q, err %v", clipStr(s), got, err)
		}
	}
}

func clipStr(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func FuzzParseVideoURL(f *testing.F) {
	for _, s := range []string{"dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ?si=x", "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube.com/embed/", "%zz", "https://[::1]:80/watch?v=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := publish.ParseVideoURL(s)
		if err != nil {
			if !errors.Is(err, publish.ErrInvalidURL) {
				t.Fatalf("error %v does not wrap ErrInvalidURL", err)
			}
			return
		}
		if len(id) != 11 {
			t.Fatalf("id %q from %q", id, s)
		}
		if again, err := publish.ParseVideoURL(publish.WatchURL(id)); err != nil || again != id {
			t.Fatalf("watch URL of %q does not parse back: %q %v", id, again, err)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"", "bytes=0-0", "bytes=0-262143", "bytes=0-9223372036854775806", "bytes=1-5", "bytes=0-", "bytes=0--1", "bytes=0-9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := publish.ParseRange(s)
		if err != nil {
			return
		}
		if n < 0 || (s != "" && n == 0) {
			t.Fatalf("%q parsed to %d", s, n)
		}
	})
}

func TestParseRange(t *testing.T) {
	for h, want := range map[string]int64{"": 0, "bytes=0-0": 1, "bytes=0-262143": 262144, " bytes=0-99 ": 100} {
		if got, err := publish.ParseRange(h); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", h, got, err, want)
		}
	}
	for _, h := range []string{"bytes=1-5", "bytes 0-5", "bytes=0-", "bytes=0-x", "bytes=0-9223372036854775807", "bytes=0--3"} {
		if _, err := publish.ParseRange(h); err == nil {
			t.Errorf("%q parsed", h)
		}
	}
}

func FuzzParseAPIError(f *testing.F) {
	f.Add(403, []byte(`{"error":{"code":403,"message":"quota","errors":[{"message":"q","domain":"youtube.quota","reason":"quotaExceeded"}]}}`), "")
	f.Add(503, []byte(`Backend Error`), "30")
	f.Add(400, []byte(`{"error":{"errors":[]}}`), "x")
	f.Add(400, []byte(`{"error":"invalid_grant"}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		e := publish.ParseAPIError(status, h, body)
		if e.Status != status || len(e.Message) > 300 || len(e.Reason) > 64 || e.RetryAfter < 0 || e.RetryAfter > 24*time.Hour {
			t.Fatalf("%+v", e)
		}
	})
}

func TestParseAPIError(t *testing.T) {
	h := http.Header{"Retry-After": {"30"}}
	e := publish.ParseAPIError(400, h, []byte(`{"error":{"code":400,"message":"The user has exceeded the number of videos they may upload.","errors":[{"message":"x","domain":"youtube.video","reason":"uploadLimitExceeded"}]}}`))
	if !errors.Is(e, publish.ErrUploadLimit) || e.RetryAfter != 30*time.Second || !strings.Contains(e.Message, "exceeded") {
		t.Fatalf("%+v", e)
	}
}

func FuzzParseVideoResource(f *testing.F) {
	f.Add([]byte(`{"kind":"youtube#video","id":"dQw4w9WgXcQ","status":{"uploadStatus":"uploaded"}}`))
	f.Add([]byte(`{"id":"<script>"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := publish.ParseVideoResource(b)
		if err == nil && len(v.ID) != 11 {
			t.Fatalf("accepted id %q", v.ID)
		}
	})
}

func TestMarkPublishedByHand(t *testing.T) {
	e := newEnv(t, nil)
	m := publish.DefaultMetadata("Bread", "", nil, "en", true)
	m.Privacy = publish.Public
	_, err := e.db.MarkPublished(t.Context(), "pkg-9", "other-channel", "https://vimeo.com/1", m, time.Time{})
	var fe *publish.FieldError
	if !errors.As(err, &fe) || fe.Field != "url" {
		t.Fatalf("bad address: %v", err)
	}
	p, err := e.db.MarkPublished(t.Context(), "pkg-9", "other-channel", "https://youtu.be/dQw4w9WgXcQ?si=abc", m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if p.VideoID != "dQw4w9WgXcQ" || p.URL != "https://www.youtube.com/watch?v=dQw4w9WgXcQ" || !p.ByHand || p.Status != "public" {
		t.Fatalf("%+v", p)
	}
	// pasting again replaces; the channel counts as confirmed
	if _, err := e.db.MarkPublished(t.Context(), "pkg-9", "other-channel", "https://www.youtube.com/shorts/aaaaaaaaaaA", m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	jobs, _ := e.db.Jobs(t.Context(), publish.Filter{PackageID: "pkg-9"})
	if len(jobs) != 1 || jobs[0].VideoID != "aaaaaaaaaaA" || jobs[0].State != publish.StateDone {
		t.Fatalf("jobs %+v", jobs)
	}
	cs, _ := e.db.Channel(t.Context(), "other-channel")
	if cs.NeedsConfirmation() {
		t.Fatal("a channel that published by hand still needs a first confirmation")
	}
}

func TestExportFolder(t *testing.T) {
	dir := t.TempDir()
	video := writeFile(t, dir, "render.mp4", 5000)
	thumb := writeFile(t, dir, "thumb.png", 300)
	subs := filepath.Join(dir, "subs.srt")
	_ = os.WriteFile(subs, []byte(srt), 0o600)
	m := publish.DefaultMetadata("Bread: the 3 mistakes / fixes", "Line one.\nLine two.", []string{"bread", "home baking"}, "pt-BR", true)
	m.PublishAt = time.Date(2026, 4, 1, 17, 0, 0, 0, time.UTC)
	out, err := publish.Export(filepath.Join(dir, "out"), publish.ExportInput{VideoPath: video, ThumbnailPath: thumb, CaptionsPath: subs, Meta: m})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(out) != "Bread the 3 mistakes fixes" {
		t.Fatalf("folder %q", out)
	}
	for _, f := range []string{"video.mp4", "thumbnail.png", "captions.srt", "youtube.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatalf("%s missing", f)
		}
	}
	text, _ := os.ReadFile(filepath.Join(out, "youtube.txt"))
	order := []string{"--- Title ---\nBread: the 3 mistakes / fixes", "--- Description ---\nLine one.\nLine two.", "--- Thumbnail ---\nUpload file: thumbnail.png",
		"--- Audience ---\nNo, it's not made for kids", "--- Altered content ---\nYes", "--- Tags ---\nbread, home baking",
		"Video language ---\npt-BR", "--- Category ---\nPeople & Blogs", "captions.srt", "--- Schedule ---\n2026-04-01T17:00:00Z"}
	at := 0
	for _, s := range order {
		i := strings.Index(string(text)[at:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of Studio's order in\n%s", s, text)
		}
		at += i
	}
	// a missing file fails before anything is written
	if _, err := publish.Export(filepath.Join(dir, "out2"), publish.ExportInput{VideoPath: filepath.Join(dir, "nope.mp4"), Meta: m}); err == nil {
		t.Fatal("exported a missing video")
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "out2")); len(entries) != 0 {
		t.Fatal("a failed export left files")
	}
}
