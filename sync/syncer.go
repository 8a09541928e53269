package sync

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"strconv"
	gosync "sync"
	"time"

	"tubeagency/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// State is where the syncer is in its connectivity state machine:
// offline → connecting → online → syncing → online (or error, or offline).
type State string

// States.
const (
	StateSignedOut  State = "signed_out" // no session: changes queue locally
	StateOffline    State = "offline"    // the server did not answer; probing with backoff
	StateConnecting State = "connecting" // probing the server
	StateOnline     State = "online"     // reachable and idle
	StateSyncing    State = "syncing"    // pushing or pulling
	StateError      State = "error"      // the server answered with a failure; retrying with backoff
)

// Options configure New. Only Store is required.
type Options struct {
	// Store is the local database.
	Store *store.Store
	// Emit receives "sync" events. Nil means no events.
	Emit func(name string, data any)
	// Now is the wall clock. Nil means the store's clock.
	Now func() time.Time
	// BatchSize is how many outbox entries one push reads. Zero means 500.
	BatchSize int
	// BatchBytes caps the payload bytes of one push request, so large rows
	// on a slow link still fit in a request's deadline (a single larger row
	// goes alone). Zero means 1 MiB.
	BatchBytes int
	// PullPage is how many rows one pull request asks for. Zero means 1000.
	PullPage int
	// PullEvery is how often an idle, online syncer pulls. Zero means 30 s.
	PullEvery time.Duration
	// MinBackoff is the first retry delay. Zero means 1 s.
	MinBackoff time.Duration
	// MaxBackoff caps the retry delay. Zero means 60 s.
	MaxBackoff time.Duration
	// MaxProbeBackoff caps the delay between probes while the server does
	// not answer, so a returning connection is noticed soon (probes are
	// one small GET). Zero means 15 s; it never exceeds MaxBackoff.
	MaxProbeBackoff time.Duration
	// Jitter returns a number in [0, 1). Nil means math/rand/v2.
	Jitter func() float64
	// After waits for d. Nil means time.After; tests pass their own.
	After func(d time.Duration) <-chan time.Time
	// Logger receives failures of the background loop. Nil means slog.Default().
	Logger *slog.Logger
	// Counted, when set, hears how many changes a push delivered and a
	// pull applied (for metrics). It must not block.
	Counted func(pushed, pulled int)
}

// Status is the syncer at a glance.
type Status struct {
	State       State  `json:"state"`
	LastSync    int64  `json:"last_sync"`    // unix ms of the last complete sync; 0 = never
	Pending     int    `json:"pending"`      // outbox entries waiting
	DeadLetters int    `json:"dead_letters"` // changes the server refused
	LagMS       int64  `json:"lag_ms"`       // age of the oldest pending change; 0 when none
	LastError   string `json:"last_error"`   // the last failure, for people; "" after a success
	User        string `json:"user"`         // signed-in account id; "" when signed out
	Email       string `json:"email"`        // signed-in email; "" when signed out
}

// Syncer pushes the outbox and pulls remote changes. Create it with New,
// then Start the background loop or call Sync directly.
type Syncer struct {
	opts Options
	st   *store.Store

	mu      gosync.Mutex
	remote  Remote
	state   State
	lastErr string
	attempt int
	email   string

	runMu    gosync.Mutex // one Sync at a time
	pullPage int          // current pull page size (see pull); guarded by runMu
	pullCeil int          // page size that last timed out; 0 = none
	pullOK   int          // full pages since, below the ceiling
	wake     chan struct{}
	cancel   context.CancelFunc
	wg       gosync.WaitGroup
}

// New migrates the syncer's device-local tables and returns a syncer with
// no remote (signed out).
func New(ctx context.Context, opts Options) (*Syncer, error) {
	if opts.Store == nil {
		return nil, errors.New("new syncer: no store")
	}
	if opts.Now == nil {
		opts.Now = opts.Store.Now
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = 1 << 20
	}
	if opts.PullPage <= 0 {
		opts.PullPage = 1000
	}
	if opts.PullEvery <= 0 {
		opts.PullEvery = 30 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 60 * time.Second
	}
	if opts.MaxProbeBackoff <= 0 {
		opts.MaxProbeBackoff = 15 * time.Second
	}
	opts.MaxProbeBackoff = min(opts.MaxProbeBackoff, opts.MaxBackoff)
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := opts.Store.Migrate(ctx, "sync", sub); err != nil {
		return nil, err
	}
	return &Syncer{opts: opts, st: opts.Store, state: StateSignedOut, wake: make(chan struct{}, 1)}, nil
}

// SetRemote switches to r (nil signs out) and wakes the loop. The email is
// shown in Status.
func (s *Syncer) SetRemote(r Remote, email string) {
	s.mu.Lock()
	s.remote, s.email, s.attempt, s.lastErr = r, email, 0, ""
	if r == nil {
		s.state = StateSignedOut
		s.email = ""
	} else {
		s.state = StateConnecting
	}
	s.mu.Unlock()
	s.emit()
	s.Wake()
}

// Remote is the current remote, nil when signed out.
func (s *Syncer) Remote() Remote {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote
}

// Wake makes the loop try at once (connectivity returned, the user asked).
func (s *Syncer) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start runs the background loop until Stop or ctx ends.
func (s *Syncer) Start(ctx context.Context) {
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.loop(ctx)
	}()
}

// Stop ends the background loop and waits for it.
func (s *Syncer) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
}

// Backoff is the delay before retry number attempt (1-based): MinBackoff
// doubled per attempt, capped at MaxBackoff, then spread by ±25% jitter so
// devices that failed together do not retry together.
func Backoff(attempt int, min, max time.Duration, jitter float64) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	spread := float64(d) * 0.25
	return time.Duration(float64(d) - spread + 2*spread*jitter)
}

func (s *Syncer) loop(ctx context.Context) {
	for {
		wait := s.opts.PullEvery
		if r := s.Remote(); r != nil {
			err := s.cycle(ctx, r)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.mu.Lock()
				s.attempt++
				n := s.attempt
				s.mu.Unlock()
				limit := s.opts.MaxBackoff
				if isNetwork(err) {
					limit = s.opts.MaxProbeBackoff
				}
				wait = Backoff(n, s.opts.MinBackoff, limit, s.opts.Jitter())
				var re *Error
				if errors.As(err, &re) && re.RetryAfter > wait {
					wait = re.RetryAfter
				}
				s.opts.Logger.Debug("sync: retrying", "in", wait, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-s.st.Changes():
			s.emit()
		case <-s.opts.After(wait):
		}
	}
}

// cycle probes when the server was unreachable, then syncs, moving the
// state machine along.
func (s *Syncer) cycle(ctx context.Context, r Remote) error {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st != StateOnline {
		s.setState(StateConnecting, nil)
		if err := r.Probe(ctx); err != nil {
			s.setState(StateOffline, err)
			return err
		}
	}
	err := s.Sync(ctx)
	switch {
	case err == nil:
		s.mu.Lock()
		s.attempt = 0
		s.mu.Unlock()
		s.setState(StateOnline, nil)
	case ctx.Err() != nil:
	case isNetwork(err):
		s.setState(StateOffline, err)
	default:
		s.setState(StateError, err)
	}
	return err
}

// describe turns a sync failure into what Status shows.
func describe(err error) string {
	switch {
	case errors.Is(err, ErrSessionExpired):
		return "your Supabase session has ended: sign in again in Settings → Sync"
	case errors.Is(err, ErrSignedOut):
		return ErrSignedOut.Error()
	}
	return err.Error()
}

// isNetwork reports a failure where no server answer arrived.
func isNetwork(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 0
}

func (s *Syncer) count(pushed, pulled int) {
	if s.opts.Counted != nil {
		s.opts.Counted(pushed, pulled)
	}
}

func (s *Syncer) setState(st State, err error) {
	s.mu.Lock()
	if s.remote == nil {
		st = StateSignedOut
	}
	s.state = st
	if err != nil {
		s.lastErr = describe(err)
	} else if st == StateOnline {
		s.lastErr = ""
	}
	s.mu.Unlock()
	s.emit()
}

func (s *Syncer) emit() {
	if s.opts.Emit == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := s.Status(ctx)
	if err != nil {
		return
	}
	s.opts.Emit("sync", st)
}

// Status reports the state, counts and last sync.
//
// The counts are read in one read transaction, so they describe one
// moment. Read one by one, a change that moved between the outbox and the
// dead letters in between (an edited or retried dead letter queued again,
// a refused push parked) could be counted in neither place, and Status
// would say nothing is pending while that change is still unsent.
func (s *Syncer) Status(ctx context.Context) (Status, error) {
	s.mu.Lock()
	out := Status{State: s.state, LastError: s.lastErr, Email: s.email}
	if s.remote != nil {
		out.User = s.remote.UserID()
	}
	s.mu.Unlock()
	now := s.opts.Now().UnixMilli()
	tx, err := s.st.ReadDB().BeginTx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("read sync status: %w", err)
	}
	defer tx.Rollback() // read only: nothing to commit
	// Every read is O(1): the depth is kept by triggers, and the oldest
	// entry is the one with the lowest seq.
	pending, err := s.st.OutboxDepthIn(ctx, tx)
	if err != nil {
		return out, fmt.Errorf("read outbox depth: %w", err)
	}
	out.Pending = pending
	var oldest int64
	err = tx.QueryRowContext(ctx, `SELECT created_at FROM outbox ORDER BY seq LIMIT 1`).Scan(&oldest)
	switch {
	case err == nil:
		out.LagMS = max(0, now-oldest)
	case !errors.Is(err, sql.ErrNoRows):
		return out, fmt.Errorf("read oldest outbox entry: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dead_letters`).Scan(&out.DeadLetters); err != nil {
		return out, fmt.Errorf("count dead letters: %w", err)
	}
	v, err := s.meta(ctx, tx, "last_sync")
	if err != nil {
		return out, err
	}
	out.LastSync, _ = strconv.ParseInt(v, 10, 64)
	return out, nil
}

// Sync pushes every pending change, then pulls every entity, once. When
// the push fails with an answer from the server, it still pulls. It
// returns the failures; what succeeded stays done.
func (s *Syncer) Sync(ctx context.Context) error {
	r := s.Remote()
	if r == nil {
		return ErrSignedOut
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	s.mu.Lock()
	s.state = StateSyncing
	s.mu.Unlock()
	s.emit()
	pushErr := s.push(ctx, r)
	if pushErr != nil && (isNetwork(pushErr) || ctx.Err() != nil) {
		return pushErr // no answer: pulling would fail the same way
	}
	// A push the server answered with a failure (one table missing, say)
	// must not keep this device from receiving the others' changes.
	if err := errors.Join(pushErr, s.pull(ctx, r)); err != nil {
		return err
	}
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		return setMeta(ctx, tx, "last_sync", strconv.FormatInt(s.opts.Now().UnixMilli(), 10))
	})
}

func (s *Syncer) meta(ctx context.Context, q store.Querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM sync_meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read sync %s: %w", key, err)
	}
	return v, nil
}

// Meta reads a device-local sync setting ("" when unset).
func (s *Syncer) Meta(ctx context.Context, key string) (string, error) {
	return s.meta(ctx, s.st.ReadDB(), key)
}

// SetMeta saves device-local sync settings in one transaction.
func (s *Syncer) SetMeta(ctx context.Context, kv map[string]string) error {
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		for k, v := range kv {
			if err := setMeta(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_meta(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("save sync %s: %w", key, err)
	}
	return nil
}
