package update

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"aead.dev/minisign"
	"github.com/minio/selfupdate"

	"tubeagency/internal/atomicfile"
)

// Defaults for the zero values of Options.
const (
	DefaultEvery        = 24 * time.Hour
	DefaultInterval     = time.Hour
	DefaultInitialDelay = 5 * time.Minute
	DefaultFeedTimeout  = 20 * time.Second
)

// Event is the name of the event emitted when a newer release is found or
// an install changes state; its data is a Status.
const Event = "update"

// How this copy of the app was installed, which decides how it updates.
const (
	// KindBinary is a binary the app may replace itself (Windows, or a
	// Linux binary outside any package).
	KindBinary = "binary"
	// KindDeb is a binary owned by the tubeagency Debian package: the app
	// downloads and verifies the new .deb and tells the user to install it.
	KindDeb = "deb"
)

// Options configure New.
type Options struct {
	// FeedURL is the release feed. Empty means DefaultFeedURL.
	FeedURL string
	// PublicKey verifies release files. The zero value means ReleaseKey().
	PublicKey minisign.PublicKey
	// Current is the running version (app.Version).
	Current string
	// Executable is the binary an install replaces. Empty means the
	// running one (os.Executable, symlinks resolved).
	Executable string
	// Kind is KindBinary or KindDeb. Empty means DetectKind(Executable).
	Kind string
	// Platform is the feed's asset key for this build. Empty means
	// "GOOS-GOARCH", with "-deb" added for KindDeb.
	Platform string
	// StateFile keeps whether checks are on, when the last one ran and
	// what it found. Required.
	StateFile string
	// DownloadDir receives verified .deb files. Empty means the folder of
	// StateFile plus "updates".
	DownloadDir string
	// Client fetches the feed and the files. Nil means a client with no
	// overall timeout (feed fetches are bounded by FeedTimeout).
	Client *http.Client
	// FeedTimeout bounds one feed fetch. Zero means 20 s.
	FeedTimeout time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Every is the least time between two automatic checks. Zero means 24 h.
	Every time.Duration
	// Interval is how often the loop looks whether a check is due. Zero
	// means 1 h.
	Interval time.Duration
	// InitialDelay is the wait after Start before the first look, so a
	// start is never slowed by the network. Zero means 5 min.
	InitialDelay time.Duration
	// Emit tells the frontend about a newer release (Event). Nil means no one.
	Emit func(event string, data any)
	// Logger gets diagnostics. Nil means slog.Default().
	Logger *slog.Logger
	// Restart is called after the binary was replaced, to start the new
	// one. Nil means the user restarts the app.
	Restart func() error
}

// Status is what Settings → About shows.
type Status struct {
	Enabled bool   `json:"enabled"`
	Current string `json:"current"`
	// Latest is the feed's version at the last check ("" before one).
	Latest string `json:"latest"`
	// Available is true when Latest is newer than Current and the feed
	// has a file for this platform.
	Available bool   `json:"available"`
	Notes     string `json:"notes"`
	// Kind is how this copy updates (KindBinary or KindDeb).
	Kind     string `json:"kind"`
	Platform string `json:"platform"`
	FeedURL  string `json:"feed_url"`
	// LastCheck is the last successful check (zero = never).
	LastCheck time.Time `json:"last_check,omitzero"`
	// Installing is true while a download or install runs.
	Installing bool `json:"installing"`
	// Installed is true once the new binary is in place (restart pending).
	Installed bool `json:"installed"`
	// DebPath is the verified .deb waiting to be installed (KindDeb), and
	// DebCommand the command that installs it.
	DebPath    string `json:"deb_path"`
	DebCommand string `json:"deb_command"`
	// Message is the outcome of the last manual check or install, as a
	// sentence ("" when there is nothing to say).
	Message string `json:"message"`
}

// state is what StateFile holds.
type state struct {
	// Disabled rather than Enabled, so a missing file means checks on.
	Disabled  bool  `json:"disabled"`
	LastCheck int64 `json:"last_check"`
	Feed      *Feed `json:"feed,omitempty"`
}

// Errors an install refuses with. Each leaves the running binary as it was.
var (
	ErrNoUpdate  = errors.New("no newer release is available")
	ErrSize      = errors.New("download has the wrong size")
	ErrHash      = errors.New("download does not match its SHA-256")
	ErrSignature = errors.New("download is not signed by the Tube Agency release key")
	ErrOffline   = errors.New("the release feed cannot be reached")
)

// Updater checks the feed and installs releases.
type Updater struct {
	opts Options
	log  *slog.Logger

	mu         sync.Mutex
	st         state
	installing bool
	installed  bool
	debPath    string
	message    string

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New reads the state file and returns an updater; nothing runs until Start.
func New(opts Options) (*Updater, error) {
	if opts.StateFile == "" {
		return nil, errors.New("update: StateFile is required")
	}
	if opts.FeedURL == "" {
		opts.FeedURL = DefaultFeedURL
	}
	if opts.PublicKey.ID() == 0 {
		k, err := ReleaseKey()
		if err != nil {
			return nil, err
		}
		opts.PublicKey = k
	}
	if opts.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find the running binary: %w", err)
		}
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		opts.Executable = exe
	}
	if opts.Kind == "" {
		opts.Kind = DetectKind(opts.Executable, "/var/lib/dpkg/info/tubeagency.list")
	}
	if opts.Platform == "" {
		opts.Platform = runtime.GOOS + "-" + runtime.GOARCH
		if opts.Kind == KindDeb {
			opts.Platform += "-deb"
		}
	}
	if opts.DownloadDir == "" {
		opts.DownloadDir = filepath.Join(filepath.Dir(opts.StateFile), "updates")
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.FeedTimeout <= 0 {
		opts.FeedTimeout = DefaultFeedTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.InitialDelay <= 0 {
		opts.InitialDelay = DefaultInitialDelay
	}
	if opts.Emit == nil {
		opts.Emit = func(string, any) {}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	u := &Updater{opts: opts, log: opts.Logger}
	b, err := os.ReadFile(opts.StateFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read update state: %w", err)
	default:
		if err := json.Unmarshal(b, &u.st); err != nil {
			// A damaged state file costs one extra check, nothing more.
			u.log.Warn("update state unreadable; starting afresh", "file", opts.StateFile, "err", err)
			u.st = state{}
		}
	}
	return u, nil
}

// DetectKind tells a binary owned by the Debian package (listed in
// dpkgList, the package's file list) from one the app may replace.
func DetectKind(exe, dpkgList string) string {
	b, err := os.ReadFile(dpkgList)
	if err != nil {
		return KindBinary
	}
	for _, line := range bytesLines(b) {
		if line == exe {
			return KindDeb
		}
	}
	return KindBinary
}

func bytesLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}

// Start runs the loop that checks when a check is due.
func (u *Updater) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		u.loop(ctx)
	}()
}

// Stop ends the loop and waits for it.
func (u *Updater) Stop() {
	if u.cancel != nil {
		u.cancel()
	}
	u.wg.Wait()
}

func (u *Updater) loop(ctx context.Context) {
	wait := time.NewTimer(u.opts.InitialDelay)
	defer wait.Stop()
	select {
	case <-ctx.Done():
		return
	case <-wait.C:
	}
	tick := time.NewTicker(u.opts.Interval)
	defer tick.Stop()
	for {
		u.MaybeCheck(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// MaybeCheck fetches the feed when checks are on and the last successful
// check is at least Every old. It reports whether it fetched. Offline or
// any other failure is logged at debug level and otherwise silent: the
// next tick tries again.
func (u *Updater) MaybeCheck(ctx context.Context) bool {
	u.mu.Lock()
	// A last check in the future means the clock was set back: check.
	since := u.opts.Now().Sub(time.UnixMilli(u.st.LastCheck))
	due := !u.st.Disabled && (since >= u.opts.Every || since < 0)
	u.mu.Unlock()
	if !due {
		return false
	}
	if _, err := u.check(ctx); err != nil {
		if !errors.Is(err, context.Canceled) {
			u.log.Debug("update check", "err", err)
		}
		return true
	}
	return true
}

// Check fetches the feed now, on and off alike (the "Check now" button).
// Offline, it returns ErrOffline.
func (u *Updater) Check(ctx context.Context) (Status, error) {
	st, err := u.check(ctx)
	u.mu.Lock()
	switch {
	case err != nil:
		u.message = sentence(err)
	case st.Available:
		u.message = ""
	default:
		u.message = "Tube Agency is up to date."
	}
	u.mu.Unlock()
	return u.Status(), err
}

func (u *Updater) check(ctx context.Context) (Status, error) {
	f, err := u.fetchFeed(ctx)
	if err != nil {
		return u.Status(), err
	}
	u.mu.Lock()
	before := u.st.Feed
	u.st.Feed = f
	u.st.LastCheck = u.opts.Now().UnixMilli()
	err = u.saveLocked()
	u.mu.Unlock()
	st := u.Status()
	if st.Available && (before == nil || before.Version != f.Version) {
		u.log.Info("update available", "current", u.opts.Current, "latest", f.Version)
		u.opts.Emit(Event, st)
	}
	return st, err
}

func (u *Updater) fetchFeed(ctx context.Context) (*Feed, error) {
	ctx, cancel := context.WithTimeout(ctx, u.opts.FeedTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.opts.FeedURL, nil)
	if err != nil {
		return nil, fmt.Errorf("feed address: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := u.opts.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOffline, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %s", ErrOffline, u.opts.FeedURL, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxFeedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOffline, err)
	}
	return ParseFeed(b)
}

// SetEnabled switches automatic checks on or off.
func (u *Updater) SetEnabled(on bool) (Status, error) {
	u.mu.Lock()
	u.st.Disabled = !on
	err := u.saveLocked()
	u.mu.Unlock()
	return u.Status(), err
}

func (u *Updater) saveLocked() error {
	b, err := json.Marshal(u.st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(u.opts.StateFile), 0o700); err != nil {
		return fmt.Errorf("save update state: %w", err)
	}
	if err := atomicfile.Write(u.opts.StateFile, b); err != nil {
		return fmt.Errorf("save update state: %w", err)
	}
	return nil
}

// Status is the current state.
func (u *Updater) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := Status{
		Enabled:    !u.st.Disabled,
		Current:    u.opts.Current,
		Kind:       u.opts.Kind,
		Platform:   u.opts.Platform,
		FeedURL:    u.opts.FeedURL,
		Installing: u.installing,
		Installed:  u.installed,
		DebPath:    u.debPath,
		Message:    u.message,
	}
	if u.st.LastCheck > 0 {
		s.LastCheck = time.UnixMilli(u.st.LastCheck)
	}
	if u.debPath != "" {
		s.DebCommand = "sudo apt install " + u.debPath
	}
	if f := u.st.Feed; f != nil {
		s.Latest = f.Version
		_, has := f.Assets[u.opts.Platform]
		if Newer(f.Version, u.opts.Current) && has {
			s.Available = true
			s.Notes = f.Notes
		}
	}
	return s
}

// Install downloads the newer release found by the last check, verifies
// it and installs it. A refused download (ErrSize, ErrHash, ErrSignature)
// leaves the running binary untouched.
func (u *Updater) Install(ctx context.Context) (Status, error) {
	u.mu.Lock()
	if u.installing {
		u.mu.Unlock()
		return u.Status(), errors.New("an install is already running")
	}
	f := u.st.Feed
	var a Asset
	ok := false
	if f != nil && Newer(f.Version, u.opts.Current) {
		a, ok = f.Assets[u.opts.Platform]
	}
	if !ok {
		u.mu.Unlock()
		return u.Status(), ErrNoUpdate
	}
	u.installing = true
	u.message = ""
	u.mu.Unlock()
	u.opts.Emit(Event, u.Status())

	restart, err := u.install(ctx, f.Version, a)

	u.mu.Lock()
	u.installing = false
	if err != nil {
		u.message = sentence(err)
	}
	u.mu.Unlock()
	st := u.Status()
	u.opts.Emit(Event, st)
	if err != nil {
		u.log.Warn("update install refused", "version", f.Version, "err", err)
		return st, err
	}
	u.log.Info("update installed", "version", f.Version, "kind", u.opts.Kind)
	if restart && u.opts.Restart != nil {
		if err := u.opts.Restart(); err != nil {
			return st, fmt.Errorf("restart: %w", err)
		}
	}
	return st, nil
}

// install downloads and verifies a, then applies it. It reports whether a
// restart is due.
func (u *Updater) install(ctx context.Context, version string, a Asset) (bool, error) {
	if err := os.MkdirAll(u.opts.DownloadDir, 0o700); err != nil {
		return false, fmt.Errorf("create download folder: %w", err)
	}
	tmp, err := os.CreateTemp(u.opts.DownloadDir, ".download-*")
	if err != nil {
		return false, fmt.Errorf("create download file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := u.download(ctx, a, tmp); err != nil {
		return false, err
	}
	if err := Verify(tmp, a, u.opts.PublicKey, TrustedComment(version, u.opts.Platform)); err != nil {
		return false, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	if u.opts.Kind == KindDeb {
		name := path.Base(a.URL)
		if filepath.Ext(name) != ".deb" || name != filepath.Base(name) {
			name = "tubeagency_" + canonical(version)[1:] + "_amd64.deb"
		}
		dst := filepath.Join(u.opts.DownloadDir, name)
		tmp.Close()
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return false, fmt.Errorf("keep the downloaded package: %w", err)
		}
		if err := os.Chmod(dst, 0o644); err != nil {
			return false, err
		}
		u.mu.Lock()
		u.debPath = dst
		u.message = "The new package is downloaded and verified. Install it with: sudo apt install " + dst
		u.mu.Unlock()
		return false, nil
	}
	sum, _ := hex.DecodeString(a.SHA256)
	so := selfupdate.Options{TargetPath: u.opts.Executable, Checksum: sum}
	if err := so.CheckPermissions(); err != nil {
		return false, fmt.Errorf("cannot replace %s (%v): download the new version from %s instead", u.opts.Executable, err, a.URL)
	}
	if err := selfupdate.Apply(tmp, so); err != nil {
		if rerr := selfupdate.RollbackError(err); rerr != nil {
			return false, fmt.Errorf("install failed and the old binary could not be restored (%v): reinstall from %s", rerr, a.URL)
		}
		return false, fmt.Errorf("install: %w", err)
	}
	u.mu.Lock()
	u.installed = true
	u.message = "Version " + version + " is installed. Tube Agency restarts to use it."
	u.mu.Unlock()
	return true, nil
}

// download writes a's bytes to w, at most a.Size+1 of them.
func (u *Updater) download(ctx context.Context, a Asset, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return fmt.Errorf("download address: %w", err)
	}
	res, err := u.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrOffline, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: the server answered %s", a.URL, res.Status)
	}
	n, err := io.Copy(w, io.LimitReader(res.Body, a.Size+1))
	if err != nil && n >= a.Size {
		return fmt.Errorf("download %s: %w", a.URL, err)
	}
	if n != a.Size {
		// A broken stream ends short: report it as the size it is.
		return fmt.Errorf("%w: got %d bytes, the feed says %d", ErrSize, n, a.Size)
	}
	return nil
}

// Verify checks that f (read from its start) has a's size, SHA-256 and a
// valid signature by key whose trusted comment is comment.
func Verify(f io.ReadSeeker, a Asset, key minisign.PublicKey, comment string) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var sig minisign.Signature
	if err := sig.UnmarshalText([]byte(a.Signature)); err != nil {
		return fmt.Errorf("%w: the signature does not parse: %v", ErrSignature, err)
	}
	if sig.Algorithm != minisign.HashEdDSA {
		return fmt.Errorf("%w: the signature is not prehashed (sign with minisign -S, not -S -l)", ErrSignature)
	}
	h := sha256.New()
	mr := minisign.NewReader(f)
	n, err := io.Copy(h, io.LimitReader(mr, a.Size+1))
	if err != nil {
		return fmt.Errorf("read the download: %w", err)
	}
	if n != a.Size {
		return fmt.Errorf("%w: got %d bytes, the feed says %d", ErrSize, n, a.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.SHA256 {
		return fmt.Errorf("%w: got %s, the feed says %s", ErrHash, got, a.SHA256)
	}
	if sig.KeyID != key.ID() {
		return fmt.Errorf("%w: signed by key %X, not %X", ErrSignature, sig.KeyID, key.ID())
	}
	if !mr.Verify(key, []byte(a.Signature)) {
		return fmt.Errorf("%w: the signature does not match the file", ErrSignature)
	}
	if sig.TrustedComment != comment {
		return fmt.Errorf("%w: it is signed as %q, not %q", ErrSignature, sig.TrustedComment, comment)
	}
	return nil
}

// sentence is an error as the UI shows it.
func sentence(err error) string {
	switch {
	case errors.Is(err, ErrOffline):
		return "The release feed cannot be reached (offline?). Tube Agency tries again later."
	case errors.Is(err, ErrSize), errors.Is(err, ErrHash), errors.Is(err, ErrSignature):
		return "The update was refused and nothing was changed: " + err.Error() + "."
	case errors.Is(err, ErrFeed):
		return "The release feed is damaged: " + err.Error() + "."
	}
	return err.Error()
}
