package publish_test

import (
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"tubeagency/app/internal/fakegoogle"
	"tubeagency/app/publish"
)

// BenchmarkUploadVsCurl uploads the same 64 MB file to the local fake
// through the runner (8 MiB chunks, offset saved in SQLite after each) and
// with one plain curl PUT of the whole file into a session, alternating in
// the same run. It reports both rates and their ratio.
func BenchmarkUploadVsCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed")
	}
	e := newEnvB(b)
	const size = 64 << 20
	video := writeFile(b, e.dir, "bench.mp4", size)
	ts, _ := e.auth.TokenSource(e.account)
	var ours, theirs time.Duration
	for b.Loop() {
		j, err := e.db.Enqueue(b.Context(), publish.NewJob{PackageID: "bench", ChannelID: channelID, VideoPath: video,
			Meta: publish.DefaultMetadata("Bench", "", nil, "en", true)})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		got, err := e.runner.RunJob(b.Context(), j.ID)
		ours += time.Since(start)
		if err != nil || got.State != publish.StateDone {
			b.Fatalf("upload %s: %v", got.State, err)
		}

		// curl: a session started by hand, then the file in one PUT
		tok, err := ts.Token()
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, e.fake.URL+"/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
			strings.NewReader(`{"snippet":{"title":"Bench curl"},"status":{"privacyStatus":"private"}}`))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("X-Upload-Content-Length", fmt.Sprint(size))
		req.Header.Set("X-Upload-Content-Type", "video/mp4")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("curl session: %v %v", resp, err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		start = time.Now()
		out, err := exec.Command(curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-T", video,
			"-H", "Authorization: Bearer "+tok.AccessToken, "-H", fmt.Sprintf("Content-Range: bytes 0-%d/%d", size-1, size), loc).Output()
		theirs += time.Since(start)
		if err != nil || string(out) != "200" {
			b.Fatalf("curl: %s %v", out, err)
		}
	}
	n := float64(b.N)
	oursRate := size * n / ours.Seconds() / (1 << 20)
	curlRate := size * n / theirs.Seconds() / (1 << 20)
	b.ReportMetric(oursRate, "ours-MiB/s")
	b.ReportMetric(curlRate, "curl-MiB/s")
	b.ReportMetric(100*oursRate/curlRate, "%-of-curl")
}

// BenchmarkResentAfterCut cuts the connection in the middle of a chunk at
// varying points and reports the bytes sent twice per cut.
func BenchmarkResentAfterCut(b *testing.B) {
	e := newEnvB(b)
	const size = 24 << 20
	video := writeFile(b, e.dir, "cut.mp4", size)
	var resent, cuts int64
	i := int64(0)
	for b.Loop() {
		j, err := e.db.Enqueue(b.Context(), publish.NewJob{PackageID: "cut", ChannelID: channelID, VideoPath: video,
			Meta: publish.DefaultMetadata("Cut", "", nil, "en", true)})
		if err != nil {
			b.Fatal(err)
		}
		before := e.fake.Stats().ChunkBytes
		i++
		e.fake.Inject(fakegoogle.Fault{Op: fakegoogle.OpUploadChunk, Kind: fakegoogle.CutBody, After: (i*337_123)%(1<<20) + 1})
		if got, _ := e.runner.RunJob(b.Context(), j.ID); got.State != publish.StateDone {
			b.Fatalf("upload %s: %s", got.State, got.Note)
		}
		resent += e.fake.Stats().ChunkBytes - before - size
		cuts++
	}
	b.ReportMetric(float64(resent)/float64(cuts), "resent-bytes/cut")
}

// newEnvB is newEnv for benchmarks: 8 MiB chunks, as the app uses.
func newEnvB(b *testing.B) *env {
	b.Helper()
	return newEnv(b, func(c *publish.Config) { c.ChunkSize = publish.DefaultChunkSize; c.Emit = nil })
}
