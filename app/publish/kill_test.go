package publish_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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

// Environment of the child process the kill test starts.
const (
	envChild = "TUBEAGENCY_PUBLISH_CHILD"
	envFake  = "TUBEAGENCY_PUBLISH_FAKE"
	envJob   = "TUBEAGENCY_PUBLISH_JOB"
)

const killChunk = 4 << 20

// TestUploadChild is the uploading process of TestKill9ResumesFromTheLastConfirmedByte:
// it opens the data folder named in the environment and uploads the job
// until it is done (or killed). Outside that test it does nothing.
func TestUploadChild(t *testing.T) {
	dir := os.Getenv(envChild)
	if dir == "" {
		t.Skip("runs only as the child of the kill test")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "tubeagency.db"), store.Options{MachineID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := publish.OpenDB(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := secrets.Open(dir, secrets.Options{Mode: secrets.BackendFile})
	if err != nil {
		t.Fatal(err)
	}
	base := os.Getenv(envFake)
	fake := fakegoogle.Server{ClientID: "fake-client.apps.googleusercontent.com", ClientSecret: "fake-secret"}
	auth, err := google.New(google.Config{ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, Secrets: sec,
		AuthURL: base + "/o/oauth2/v2/auth", TokenURL: base + "/token"})
	if err != nil {
		t.Fatal(err)
	}
	yt, err := publish.NewYouTube(auth, base+"/")
	if err != nil {
		t.Fatal(err)
	}
	r, err := publish.NewRunner(publish.Config{DB: db, YouTube: yt, ChunkSize: killChunk,
		Backoff: func() backoff.BackOff { return backoff.NewConstantBackOff(10 * time.Millisecond) }})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.RunJob(ctx, os.Getenv(envJob))
	if err != nil || j.State != publish.StateDone {
		t.Fatalf("job %s: %v (%s)", j.State, err, j.Note)
	}
}

// child is one run of the uploading process.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{}
	out    bytes.Buffer
}

func startChild(t *testing.T, dir, base, job string) *child {
	t.Helper()
	c := &child{exited: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestUploadChild$", "-test.count=1")
	c.cmd.Env = append(os.Environ(), envChild+"="+dir, envFake+"="+base, envJob+"="+job)
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// kill sends SIGKILL and returns once the process is gone, so it cannot
// read an answer written after the kill.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

func TestKill9ResumesFromTheLastConfirmedByte(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 50 MB four times")
	}
	e := newEnv(t, nil)
	const size = 50 << 20
	j := e.enqueue(size, func(nj *publish.NewJob) { nj.ThumbnailPath = ""; nj.UploadCaptions = false })
	e.store.Close() // the children own the database from here

	// Kill points, in order: in the middle of the first chunk's body; after
	// the fourth chunk is stored but before its 308 reaches the client; in
	// the middle of the eighth chunk. The fourth run finishes.
	type point struct {
		partial bool
		chunk   int64 // 1-based chunk index by its first byte
	}
	points := []point{{true, 1}, {false, 4}, {true, 8}}
	var mu sync.Mutex
	var current *child
	var resumes []int64 // server offset at each kill
	for run := 0; run <= len(points); run++ {
		c := startChild(t, e.dir, e.fake.URL, j.ID)
		mu.Lock()
		current = c
		mu.Unlock()
		if run < len(points) {
			p := points[run]
			hook := func(ch fakegoogle.Chunk) {
				if ch.Start/killChunk+1 != p.chunk {
					return
				}
				mu.Lock()
				victim := current
				mu.Unlock()
				e.fake.OnChunk(nil)
				e.fake.OnPartial(nil)
				victim.kill()
				mu.Lock()
				resumes = append(resumes, ch.Received)
				mu.Unlock()
			}
			if p.partial {
				e.fake.OnPartial(hook)
			} else {
				e.fake.OnChunk(hook)
			}
		}
		err := c.cmd.Wait()
		close(c.exited)
		e.fake.WaitIdle()
		if run < len(points) {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != -1 {
				t.Fatalf("run %d was not killed: %v\n%s", run, err, c.out.String())
			}
		} else if err != nil {
			t.Fatalf("last run: %v\n%s", err, c.out.String())
		}
	}
	if len(resumes) != len(points) {
		t.Fatalf("%d kills happened, want %d", len(resumes), len(points))
	}
	vids := e.fake.Videos()
	if len(vids) != 1 {
		t.Fatalf("%d videos on YouTube, want exactly 1", len(vids))
	}
	want, _ := os.ReadFile(j.VideoPath)
	if !bytes.Equal(vids[0].Bytes, want) {
		t.Fatal("the video's bytes differ from the file")
	}
	st := e.fake.Stats()
	if st.Sessions != 1 {
		t.Fatalf("%d upload sessions, want 1", st.Sessions)
	}
	resent := st.ChunkBytes - size
	t.Logf("kills at server offsets %v; %d bytes sent twice in all (chunk %d)", resumes, resent, killChunk)
	if resent > killChunk {
		t.Fatalf("%d bytes sent again after the kills, want at most one chunk (%d)", resent, killChunk)
	}
	// the session URI and offsets went to SQLite, the tokens did not
	scanForTokens(t, e)
}

var tokenRe = regexp.MustCompile(`ya29\.[A-Za-z0-9_-]+|1//0g[A-Za-z0-9_-]+`)

// scanForTokens fails when an access or refresh token appears in the
// database files (WAL included) or anywhere in the data folder but the
// secrets file.
func scanForTokens(t testing.TB, e *env) {
	t.Helper()
	sec, err := os.ReadFile(filepath.Join(e.dir, secrets.FileName))
	if err != nil {
		t.Fatal(err)
	}
	toks := tokenRe.FindAllString(string(sec), -1)
	if len(toks) == 0 {
		t.Fatal("no tokens in the secrets file: the scan would prove nothing")
	}
	_ = filepath.WalkDir(e.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(path) == secrets.FileName {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		if m := tokenRe.Find(b); m != nil {
			t.Errorf("%s holds a token", filepath.Base(path))
		}
		for _, tok := range toks {
			if bytes.Contains(b, []byte(tok)) || strings.Contains(string(b), tok[len(tok)-12:]) {
				t.Errorf("%s holds a stored token", filepath.Base(path))
			}
		}
		return nil
	})
}
