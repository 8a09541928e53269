package update

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aead.dev/minisign"
)

// release is a fake release server: the feed and its files, served as the
// real release location would, each able to misbehave.
type release struct {
	t        *testing.T
	srv      *httptest.Server
	pub      minisign.PublicKey
	priv     minisign.PrivateKey
	mu       sync.Mutex
	feed     Feed
	files    map[string][]byte // path → bytes served
	truncate map[string]int    // path → bytes sent before the connection is cut
	feedHits atomic.Int32
}

func newRelease(t *testing.T) *release {
	t.Helper()
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := &release{t: t, pub: pub, priv: priv, files: map[string][]byte{}, truncate: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *release) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.URL.Path == "/feed.json" {
		r.feedHits.Add(1)
		json.NewEncoder(w).Encode(r.feed)
		return
	}
	b, ok := r.files[req.URL.Path]
	if !ok {
		http.NotFound(w, req)
		return
	}
	if n, cut := r.truncate[req.URL.Path]; cut {
		// Announce the whole file, send part of it, then drop the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b[:n])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Write(b)
}

// publish signs content as version for platform and lists it in the feed.
func (r *release) publish(version, platform string, content []byte) Asset {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := "/download/" + version + "/" + platform
	r.files[p] = content
	sum := sha256.Sum256(content)
	a := Asset{
		URL:       r.srv.URL + p,
		Size:      int64(len(content)),
		SHA256:    hex.EncodeToString(sum[:]),
		Signature: sign(r.priv, content, TrustedComment(version, platform)),
	}
	r.feed.Version = version
	r.feed.Notes = "Faster dashboard.\nFixes the export."
	if r.feed.Assets == nil {
		r.feed.Assets = map[string]Asset{}
	}
	r.feed.Assets[platform] = a
	return a
}

// sign makes a prehashed minisign signature, as minisign -S does.
func sign(priv minisign.PrivateKey, content []byte, comment string) string {
	mr := minisign.NewReader(bytes.NewReader(content))
	io.Copy(io.Discard, mr)
	return string(mr.SignWithComments(priv, comment, "signature from the test key"))
}

func (r *release) setAsset(platform string, a Asset) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.feed.Assets[platform] = a
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	u       *Updater
	exe     string
	old     []byte
	clock   *clock
	events  *atomic.Int32
	restart *atomic.Int32
	dir     string
}

func newFixture(t *testing.T, r *release, feedURL string, mod func(*Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	exe := filepath.Join(dir, "bin", "tubeagency")
	os.MkdirAll(filepath.Dir(exe), 0o755)
	old := []byte("#!/bin/sh\necho old binary 1.0.0\n")
	if err := os.WriteFile(exe, old, 0o755); err != nil {
		t.Fatal(err)
	}
	f := &fixture{exe: exe, old: old, clock: &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}, events: &atomic.Int32{}, restart: &atomic.Int32{}, dir: dir}
	opts := Options{
		FeedURL:    feedURL,
		PublicKey:  r.pub,
		Current:    "1.0.0",
		Executable: exe,
		Kind:       KindBinary,
		Platform:   "linux-amd64",
		StateFile:  filepath.Join(dir, "data", "update.json"),
		Now:        f.clock.Now,
		Emit: func(name string, data any) {
			if name == Event {
				f.events.Add(1)
			}
		},
		Restart: func() error { f.restart.Add(1); return nil },
		Logger:  slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&opts)
	}
	u, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.u = u
	return f
}

func (f *fixture) binaryUntouched(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(f.exe)
	if err != nil || !bytes.Equal(b, f.old) {
		t.Fatalf("the running binary changed: %q, %v", b, err)
	}
	if f.restart.Load() != 0 {
		t.Fatal("a restart was asked for")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(f.exe), ".*"))
	if len(left) != 0 {
		t.Fatalf("files left beside the binary: %v", left)
	}
}

func TestNewerReleaseIsOfferedAndInstalled(t *testing.T) {
	r := newRelease(t)
	newBin := []byte("#!/bin/sh\necho new binary 1.2.0\n")
	r.publish("1.2.0", "linux-amd64", newBin)
	f := newFixture(t, r, r.srv.URL+"/feed.json", nil)

	st, err := f.u.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Available || st.Latest != "1.2.0" || !strings.Contains(st.Notes, "Faster dashboard") || !st.LastCheck.Equal(time.UnixMilli(f.clock.Now().UnixMilli())) {
		t.Fatalf("status after check: %+v", st)
	}
	if f.events.Load() != 1 {
		t.Fatalf("%d update events, want 1", f.events.Load())
	}
	st, err = f.u.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.exe)
	if !bytes.Equal(got, newBin) {
		t.Fatalf("binary after install: %q", got)
	}
	if info, _ := os.Stat(f.exe); info.Mode().Perm()&0o100 == 0 {
		t.Fatalf("the new binary is not executable: %v", info.Mode())
	}
	if !st.Installed || f.restart.Load() != 1 || !strings.Contains(st.Message, "1.2.0 is installed") {
		t.Fatalf("status %+v, restarts %d", st, f.restart.Load())
	}
}

func TestSameOrOlderReleaseIsNotOffered(t *testing.T) {
	r := newRelease(t)
	r.publish("1.0.0", "linux-amd64", []byte("same"))
	f := newFixture(t, r, r.srv.URL+"/feed.json", nil)
	st, err := f.u.Check(context.Background())
	if err != nil || st.Available || st.Message != "Tube Agency is up to date." || f.events.Load() != 0 {
		t.Fatalf("status %+v, err %v, events %d", st, err, f.events.Load())
	}
	if _, err := f.u.Install(context.Background()); !errors.Is(err, ErrNoUpdate) {
		t.Fatalf("install with nothing newer: %v", err)
	}
	f.binaryUntouched(t)
}

func TestReleaseForAnotherPlatformIsNotOffered(t *testing.T) {
	r := newRelease(t)
	r.publish("2.0.0", "windows-amd64", []byte("MZ"))
	f := newFixture(t, r, r.srv.URL+"/feed.json", nil)
	if st, _ := f.u.Check(context.Background()); st.Available || st.Latest != "2.0.0" {
		t.Fatalf("status %+v", st)
	}
}

func TestRefusedDownloadsLeaveTheBinaryUntouched(t *testing.T) {
	newBin := bytes.Repeat([]byte("new binary 1.2.0\n"), 4096) // 68 KB
	scenarios := []struct {
		name    string
		tamper  func(r *release, a Asset)
		want    error
		message string
	}{
		{"bad signature", func(r *release, a Asset) {
			_, otherPriv, _ := minisign.GenerateKey(rand.Reader)
			// Same key id as the real key, signed by another: a forgery.
			var s minisign.Signature
			s.UnmarshalText([]byte(sign(otherPriv, newBin, TrustedComment("1.2.0", "linux-amd64"))))
			s.KeyID = r.pub.ID()
			text, _ := s.MarshalText()
			a.Signature = string(text)
			r.setAsset("linux-amd64", a)
		}, ErrSignature, "signature does not match"},
		{"signed by another key", func(r *release, a Asset) {
			_, otherPriv, _ := minisign.GenerateKey(rand.Reader)
			a.Signature = sign(otherPriv, newBin, TrustedComment("1.2.0", "linux-amd64"))
			r.setAsset("linux-amd64", a)
		}, ErrSignature, "signed by key"},
		{"signature of an older release replayed", func(r *release, a Asset) {
			a.Signature = sign(r.priv, newBin, TrustedComment("1.1.0", "linux-amd64"))
			r.setAsset("linux-amd64", a)
		}, ErrSignature, `signed as "tubeagency v1.1.0 linux-amd64"`},
		{"wrong hash", func(r *release, a Asset) {
			a.SHA256 = strings.Repeat("ab", 32)
			r.setAsset("linux-amd64", a)
		}, ErrHash, "does not match its SHA-256"},
		{"file swapped on the server", func(r *release, a Asset) {
			r.mu.Lock()
			evil := bytes.Clone(newBin)
			evil[100] ^= 1
			r.files["/download/1.2.0/linux-amd64"] = evil
			r.mu.Unlock()
		}, ErrHash, "SHA-256"},
		{"truncated download", func(r *release, a Asset) {
			r.mu.Lock()
			r.truncate["/download/1.2.0/linux-amd64"] = len(newBin) / 2
			r.mu.Unlock()
		}, ErrSize, "got 34816 bytes, the feed says 69632"},
		{"longer than announced", func(r *release, a Asset) {
			r.mu.Lock()
			r.files["/download/1.2.0/linux-amd64"] = append(bytes.Clone(newBin), "extra"...)
			r.mu.Unlock()
		}, ErrSize, "wrong size"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := newRelease(t)
			a := r.publish("1.2.0", "linux-amd64", newBin)
			sc.tamper(r, a)
			f := newFixture(t, r, r.srv.URL+"/feed.json", nil)
			if _, err := f.u.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			st, err := f.u.Install(context.Background())
			if !errors.Is(err, sc.want) || !strings.Contains(err.Error(), sc.message) {
				t.Fatalf("install: %v, want %v with %q", err, sc.want, sc.message)
			}
			if !strings.HasPrefix(st.Message, "The update was refused and nothing was changed: ") || st.Installed || st.Installing {
				t.Fatalf("status %+v", st)
			}
			f.binaryUntouched(t)
			left, _ := os.ReadDir(filepath.Join(f.dir, "data", "updates"))
			if len(left) != 0 {
				t.Fatalf("download left behind: %v", left)
			}
		})
	}
}

func TestDebInstallKeepsTheVerifiedPackageAndLeavesTheBinary(t *testing.T) {
	r := newRelease(t)
	deb := []byte("!<arch>\ndebian-binary   fake package body")
	r.publish("1.2.0", "linux-amd64-deb", deb)
	r.mu.Lock()
	a := r.feed.Assets["linux-amd64-deb"]
	a.URL = r.srv.URL + "/download/1.2.0/linux-amd64-deb"
	r.mu.Unlock()
	f := newFixture(t, r, r.srv.URL+"/feed.json", func(o *Options) { o.Kind = KindDeb; o.Platform = "linux-amd64-deb" })
	if _, err := f.u.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := f.u.Install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.binaryUntouched(t)
	want := filepath.Join(f.dir, "data", "updates", "tubeagency_1.2.0_amd64.deb")
	if got, _ := os.ReadFile(want); !bytes.Equal(got, deb) {
		t.Fatalf("package at %s: %q", want, got)
	}
	if st.DebPath != want || st.DebCommand != "sudo apt install "+want || !strings.Contains(st.Message, want) {
		t.Fatalf("status %+v", st)
	}
}

func TestDetectKind(t *testing.T) {
	list := filepath.Join(t.TempDir(), "tubeagency.list")
	os.WriteFile(list, []byte("/.\n/usr\n/usr/bin\n/usr/bin/tubeagency\n/usr/share/applications/tubeagency.desktop\n"), 0o644)
	if k := DetectKind("/usr/bin/tubeagency", list); k != KindDeb {
		t.Errorf("dpkg-owned binary: %s", k)
	}
	if k := DetectKind("/home/me/bin/tubeagency", list); k != KindBinary {
		t.Errorf("binary outside the package: %s", k)
	}
	if k := DetectKind("/usr/bin/tubeagency", filepath.Join(t.TempDir(), "missing.list")); k != KindBinary {
		t.Errorf("no package installed: %s", k)
	}
}

// offlineURL is an address where nothing listens.
func offlineURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/feed.json"
}

func TestOfflineIsSilent(t *testing.T) {
	r := newRelease(t)
	f := newFixture(t, r, offlineURL(t), nil)
	if !f.u.MaybeCheck(context.Background()) {
		t.Fatal("a due check did not run")
	}
	st := f.u.Status()
	if st.Message != "" || !st.LastCheck.IsZero() || st.Available || f.events.Load() != 0 {
		t.Fatalf("offline automatic check left traces: %+v, %d events", st, f.events.Load())
	}
	// Not counted as a check: the next look tries again.
	if !f.u.MaybeCheck(context.Background()) {
		t.Fatal("after an offline check the next one was throttled")
	}
	// A manual check says what happened, in a sentence.
	st, err := f.u.Check(context.Background())
	if !errors.Is(err, ErrOffline) || !strings.Contains(st.Message, "cannot be reached") {
		t.Fatalf("manual check offline: %v, %+v", err, st)
	}
	f.binaryUntouched(t)
}

func TestDailyThrottle(t *testing.T) {
	r := newRelease(t)
	r.publish("1.2.0", "linux-amd64", []byte("new"))
	f := newFixture(t, r, r.srv.URL+"/feed.json", nil)
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		fetched bool
	}{
		{0, true},
		{time.Hour, false},
		{22 * time.Hour, false},   // 23 h after the first check
		{time.Hour, true},         // 24 h
		{12 * time.Hour, false},   // 12 h after the second
		{12*time.Hour + 1, true},  // just past 24 h
		{-48 * time.Hour, true},   // the clock went back: a check is due
		{30 * time.Minute, false}, //
	}
	want := int32(0)
	for i, s := range steps {
		f.clock.Add(s.advance)
		if got := f.u.MaybeCheck(ctx); got != s.fetched {
			t.Fatalf("step %d (+%v): fetched %v, want %v", i, s.advance, got, s.fetched)
		}
		if s.fetched {
			want++
		}
		if n := r.feedHits.Load(); n != want {
			t.Fatalf("step %d: %d feed requests, want %d", i, n, want)
		}
	}
	// The throttle survives a restart: the state is in the file.
	g := newFixture(t, r, r.srv.URL+"/feed.json", func(o *Options) { o.StateFile = f.u.opts.StateFile; o.Now = f.clock.Now })
	if g.u.MaybeCheck(ctx) {
		t.Fatal("a restarted app checked again within the day")
	}
	// Off means off, for automatic checks; a manual one still works.
	f.clock.Add(48 * time.Hour)
	if _, err := g.u.SetEnabled(false); err != nil {
		t.Fatal(err)
	}
	if g.u.MaybeCheck(ctx) || g.u.Status().Enabled {
		t.Fatal("checks switched off still ran")
	}
	if _, err := g.u.Check(ctx); err != nil || r.feedHits.Load() != want+1 {
		t.Fatalf("manual check with checks off: %v, %d hits", err, r.feedHits.Load())
	}
	h := newFixture(t, r, r.srv.URL+"/feed.json", func(o *Options) { o.StateFile = f.u.opts.StateFile })
	if h.u.Status().Enabled {
		t.Fatal("switching off did not survive a restart")
	}
}

func TestLoopChecksAfterTheInitialDelayAndStops(t *testing.T) {
	r := newRelease(t)
	r.publish("1.2.0", "linux-amd64", []byte("new"))
	done := make(chan struct{})
	var once sync.Once
	f := newFixture(t, r, r.srv.URL+"/feed.json", func(o *Options) {
		o.InitialDelay = time.Millisecond
		o.Interval = time.Millisecond
		o.Emit = func(string, any) { once.Do(func() { close(done) }) }
	})
	f.u.Start()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the loop never checked")
	}
	f.u.Stop()
	// Once a day, however often the loop looks.
	if n := r.feedHits.Load(); n != 1 {
		t.Fatalf("%d feed requests, want 1", n)
	}
}

func TestNewer(t *testing.T) {
	for _, sc := range []struct {
		a, b string
		want bool
	}{
		{"1.2.0", "1.0.0", true}, {"v1.2.0", "1.2.0", false}, {"1.2.0", "1.2.0-rc.1", true},
		{"1.10.0", "1.9.3", true}, {"1.0.0", "2.0.0", false}, {"1.0.0", "51ea486-dirty", true}, {"junk", "1.0.0", false},
	} {
		if got := Newer(sc.a, sc.b); got != sc.want {
			t.Errorf("Newer(%q, %q) = %v", sc.a, sc.b, got)
		}
	}
}

func TestReleaseKeyIsCompiledIn(t *testing.T) {
	k, err := ReleaseKey()
	if err != nil || k.ID() == 0 {
		t.Fatalf("compiled-in key: %v", err)
	}
}
