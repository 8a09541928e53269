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

	"github.com/cenkalti/backoff/v5"

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
	// PullEvery is how often an online syncer pulls while changes are
	// being made, here or elsewhere. Zero means 5 s.
	PullEvery time.Duration
	// PullIdleEvery is how often it pulls once IdleAfter has passed without
	// a change of synced content (pushed from here or pulled from
	// elsewhere; heartbeats do not count). Zero means 30 s; it is never
	// shorter than PullEvery.
	PullIdleEvery time.Duration
	// IdleAfter is how long without changes turns pulling to PullIdleEvery.
	// Zero means 10 minutes.
	IdleAfter time.Duration
	// MinBackoff is the first retry delay. Zero means 1 s.
	MinBackoff time.Duration
	// MaxBackoff caps the retry delay. Zero means 60 s.
	MaxBackoff time.Duration
	// MaxProbeBackoff caps the delay between probes while the server does
	// not answer, so a returning connection is noticed soon (probes are
	// one small GET). Zero means 15 s; it never exceeds MaxBackoff.
	MaxProbeBackoff time.Duration
	// Jitter returns a number in [0, 1) that spreads each retry delay by
	// ±25%. Nil means math/rand/v2.
	Jitter func() float64
	// After waits for d. Nil means time.After; tests pass their own.
	After func(d time.Duration) <-chan time.Time
	// Logger receives failures of the background loop. Nil means slog.Default().
	Logger *slog.Logger
	// Counted, when set, hears how many changes a push delivered and a
	// pull applied (for metrics). It must not block.
	Counted func(pushed, pulled int)
	// Pulled, when set, hears which tables a pull changed (the autopilot
	// looks again at once when channels changed). It must not block.
	Pulled func(tables []string)
	// Devices, when set, is this device's heartbeat and autopilot hosts:
	// each cycle signed in writes the heartbeat when due, and the syncer
	// tells it whether the account can be reached.
	Devices *Devices
	// ClockAlertFor is how long a clock alert (a pulled change stamped far
	// ahead of this computer's clock) stays in Status after the last such
	// change. Zero means one hour.
	ClockAlertFor time.Duration
}

// Pull modes, as Status reports them.
const (
	PullUnknown  = ""            // not known yet (signed out, or no pull yet)
	PullOneCall  = "one_request" // tubeagency_pull: every table in one request
	PullPerTable = "per_table"   // a project without schema 0002
)

// Status is the syncer at a glance.
type Status struct {
	State       State     `json:"state"`
	LastSync    time.Time `json:"last_sync,omitzero"` // the last complete sync; zero = never
	Pending     int       `json:"pending"`            // outbox entries waiting
	DeadLetters int       `json:"dead_letters"`       // changes the server refused
	LagMS       int64     `json:"lag_ms"`             // age of the oldest pending change; 0 when none
	LastError   string    `json:"last_error"`         // the last failure, for people; "" after a success
	User        string    `json:"user"`               // signed-in account id; "" when signed out
	Email       string    `json:"email"`              // signed-in email; "" when signed out
	// PullMode says how this device pulls (PullOneCall, PullPerTable or
	// PullUnknown); PullNote says what to do about it, "" when nothing.
	PullMode string `json:"pull_mode"`
	PullNote string `json:"pull_note"`
	// PullEveryMS is the current interval between pulls while online.
	PullEveryMS int64 `json:"pull_every_ms"`
	// ClockAlert names the latest pulled change stamped far ahead of this
	// computer's clock; nil when none was seen lately.
	ClockAlert *ClockAlert `json:"clock_alert,omitempty"`
}

// ClockAlert is a pulled change whose clock value is further ahead of this
// computer's clock than the maximum drift: the device that made it has a
// wrong clock (or a client wrote it on purpose). The row was applied; this
// device's clock did not follow it past the bound.
type ClockAlert struct {
	Device  string    `json:"device"`      // the device id in the clock value
	Table   string    `json:"table"`       // where the row lives
	RowID   string    `json:"row_id"`      // which row
	HLC     string    `json:"hlc"`         // the clock value
	AheadMS int64     `json:"ahead_ms"`    // how far ahead of this computer's clock
	Message string    `json:"message"`     // a sentence for people
	At      time.Time `json:"at,omitzero"` // when this device saw it
}

// perTableNote is what Status says when the project pulls table by table.
const perTableNote = "Your Supabase project has not applied sync/schema/0002_devices_and_pull.sql: changes arrive more slowly (one request per table) and devices cannot share autopilot hosts. Apply it in the SQL Editor, then press Sync now."

// Syncer pushes the outbox and pulls remote changes. Create it with New,
// then Start the background loop or call Sync directly.
type Syncer struct {
	opts Options
	st   *store.Store

	// mu guards the fields below it. It is never held across I/O (network
	// or database), so Status answers while a sync waits on the network.
	mu         gosync.Mutex
	remote     Remote
	state      State
	lastErr    string
	email      string
	schema     int       // the project's schema: 0 not known, 1 without 0002, 2 with it
	legacy     bool      // this remote was seen without 0002 (kept across Sync now)
	recheck    bool      // look for the pull function again at the next sync
	active     time.Time // the last change of synced content, here or pulled
	fresh      bool      // a new remote: the loop starts its backoff again
	clockAlert *ClockAlert

	// run is the one token a Sync (or a clock repair) holds: a channel, not a
	// mutex, so a caller waiting for it gives up with its context.
	run      chan struct{}
	pullPage int // current pull page size (see pull); guarded by run
	pullCeil int // page size that last timed out; 0 = none
	pullOK   int // full pages since, below the ceiling
	wake     chan struct{}
	cancel   context.CancelFunc
	wg       gosync.WaitGroup

	// waiting, when set (tests only), runs in Sync between reading the
	// remote and taking the run token: where a sign-out can land.
	waiting func()
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
		opts.PullEvery = 5 * time.Second
	}
	if opts.PullIdleEvery <= 0 {
		opts.PullIdleEvery = 30 * time.Second
	}
	opts.PullIdleEvery = max(opts.PullIdleEvery, opts.PullEvery)
	if opts.IdleAfter <= 0 {
		opts.IdleAfter = 10 * time.Minute
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
	if opts.ClockAlertFor <= 0 {
		opts.ClockAlertFor = time.Hour
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := opts.Store.Migrate(ctx, "sync", sub); err != nil {
		return nil, err
	}
	return &Syncer{opts: opts, st: opts.Store, state: StateSignedOut, wake: make(chan struct{}, 1),
		run: make(chan struct{}, 1), active: opts.Now()}, nil
}

// SetRemote switches to r (nil signs out) and wakes the loop. The email is
// shown in Status. Signing in counts as activity: pulls run at the fast
// interval first.
func (s *Syncer) SetRemote(r Remote, email string) {
	s.mu.Lock()
	s.remote, s.email, s.lastErr = r, email, ""
	s.schema, s.legacy, s.recheck, s.fresh, s.active = 0, false, false, true, s.opts.Now()
	if r == nil {
		s.state = StateSignedOut
		s.email = ""
	} else {
		s.state = StateConnecting
	}
	s.mu.Unlock()
	s.report()
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

// SyncNow is the user's "Sync now": sync at once, at the fast pull
// interval again, and look again for the pull function of schema 0002 if
// the project did not have it.
func (s *Syncer) SyncNow() {
	s.mu.Lock()
	s.active = s.opts.Now()
	if s.schema == 1 {
		s.recheck = true
	}
	s.mu.Unlock()
	s.Wake()
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

// pullInterval is the wait between pulls while online: PullEvery within
// IdleAfter of the last change of synced content, PullIdleEvery after.
func (s *Syncer) pullInterval() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.Now().Sub(s.active) > s.opts.IdleAfter {
		return s.opts.PullIdleEvery
	}
	return s.opts.PullEvery
}

// markActive records a change of synced content now.
func (s *Syncer) markActive() {
	s.mu.Lock()
	s.active = s.opts.Now()
	s.mu.Unlock()
}

// loop syncs, then waits: the rest of the pull interval after a success, a capped
// exponential backoff (cenkalti/backoff) with ±25% jitter after a failure
// (capped lower while no server answers, so a returning connection is seen
// soon; a longer Retry-After is honoured). A local write or Wake ends the
// wait early.
func (s *Syncer) loop(ctx context.Context) {
	// The curve (MinBackoff doubling to the cap) comes from the library;
	// the spread comes from opts.Jitter, so tests can pin it.
	bo := &backoff.ExponentialBackOff{InitialInterval: s.opts.MinBackoff, RandomizationFactor: 0, Multiplier: 2, MaxInterval: s.opts.MaxBackoff}
	bo.Reset()
	for {
		var wait time.Duration
		started := s.opts.Now()
		if r := s.Remote(); r != nil {
			err := s.cycle(ctx, r)
			if ctx.Err() != nil {
				return
			}
			s.mu.Lock()
			if s.fresh {
				s.fresh = false
				bo.Reset()
			}
			s.mu.Unlock()
			if err != nil {
				limit := s.opts.MaxBackoff
				if isNetwork(err) {
					limit = s.opts.MaxProbeBackoff
				}
				d := min(bo.NextBackOff(), limit)
				wait = time.Duration(float64(d) * (0.75 + 0.5*s.opts.Jitter()))
				var re *Error
				if errors.As(err, &re) && re.RetryAfter > wait {
					wait = re.RetryAfter
				}
				s.opts.Logger.Debug("sync: retrying", "in", wait, "err", err)
			} else {
				bo.Reset()
			}
		}
		if wait == 0 {
			// The interval runs from the start of this cycle, so pulls come
			// every interval however long a cycle takes. It is read after
			// the cycle: what the cycle pushed or pulled counts.
			wait = max(0, s.pullInterval()-s.opts.Now().Sub(started))
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
		s.setState(StateOnline, nil)
	case ctx.Err() != nil, errors.Is(err, ErrSignedOut):
		// Signed out meanwhile: SetRemote already said so.
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
	s.report()
	s.emit()
}

// report tells Devices whether the account can be reached now.
func (s *Syncer) report() {
	if s.opts.Devices == nil {
		return
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	switch st {
	case StateSignedOut:
		s.opts.Devices.setReach(ReachAlone)
	case StateOnline, StateSyncing:
		s.opts.Devices.setReach(ReachOnline)
	default:
		s.opts.Devices.setReach(ReachOffline)
	}
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
	r := s.remote
	switch {
	case r == nil:
	case s.schema == 2:
		out.PullMode = PullOneCall
	case s.schema == 1, s.schema == 0 && s.legacy:
		// (0 with legacy: a "Sync now" is looking for schema 0002 again;
		// until it is found the project is still the one without it.)
		out.PullMode, out.PullNote = PullPerTable, perTableNote
	}
	if a := s.clockAlert; a != nil && s.opts.Now().Sub(a.At) < s.opts.ClockAlertFor {
		copied := *a
		out.ClockAlert = &copied
	}
	s.mu.Unlock()
	out.PullEveryMS = s.pullInterval().Milliseconds()
	if r != nil {
		out.User = r.UserID() // kept by the remote since sign-in: no request
	}
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
	if ms, _ := strconv.ParseInt(v, 10, 64); ms > 0 {
		out.LastSync = time.UnixMilli(ms)
	}
	return out, nil
}

// Sync writes the heartbeat when due, pushes every pending change, then
// pulls every entity, once. When the push fails with an answer from the
// server, it still pulls. While the project's schema is not known yet it
// also pulls first, which finds out (a project without schema 0002 takes
// rows without the columns 0002 added, and no devices). It returns the
// failures; what succeeded stays done.
func (s *Syncer) Sync(ctx context.Context) error {
	r := s.Remote()
	if r == nil {
		return ErrSignedOut
	}
	if s.waiting != nil {
		s.waiting()
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	s.mu.Lock()
	// The account may have changed while this waited for the run token
	// (a sign-out, another project): sync with what is current, or not at
	// all, and never say "syncing" when signed out.
	if r = s.remote; r == nil {
		s.mu.Unlock()
		return ErrSignedOut
	}
	s.state = StateSyncing
	if s.recheck {
		s.schema, s.recheck = 0, false
	}
	known := s.schema != 0
	s.mu.Unlock()
	s.report()
	s.emit()
	if d := s.opts.Devices; d != nil {
		if err := d.Heartbeat(ctx); err != nil {
			s.opts.Logger.Warn("sync: could not write this device's heartbeat", "err", err)
		}
	}
	var pullErr error
	if !known {
		if pullErr = s.pull(ctx, r); pullErr != nil && (isNetwork(pullErr) || ctx.Err() != nil) {
			return pullErr
		}
		if _, ok := r.(ChangesPuller); ok && s.serverSchema() == 0 {
			// The schema is still not known (the pull failed): pushing could
			// send columns the project lacks, and have every row refused.
			return pullErr
		}
	}
	pushErr := s.push(ctx, r)
	if pushErr != nil && (isNetwork(pushErr) || ctx.Err() != nil) {
		return pushErr // no answer: pulling would fail the same way
	}
	// A push the server answered with a failure (one table missing, say)
	// must not keep this device from receiving the others' changes. (The
	// pull after the push also moves the cursors past what was just pushed.)
	if err := s.pull(ctx, r); known || pullErr == nil {
		pullErr = err
	}
	if err := errors.Join(pushErr, pullErr); err != nil {
		return err
	}
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		return setMeta(ctx, tx, "last_sync", strconv.FormatInt(s.opts.Now().UnixMilli(), 10))
	})
}

// acquire takes the run token, or gives up when ctx ends.
func (s *Syncer) acquire(ctx context.Context) error {
	select {
	case s.run <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Syncer) release() { <-s.run }

// serverSchema is what the syncer knows of the project's schema: 0 not
// known, 1 without schema 0002, 2 with it.
func (s *Syncer) serverSchema() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.schema
}

func (s *Syncer) setServerSchema(v int) {
	s.mu.Lock()
	was := s.schema
	s.schema = v
	if v == 1 {
		s.legacy = true
	}
	legacy := s.legacy
	s.mu.Unlock()
	switch {
	case was != v && v == 1:
		s.opts.Logger.Info("sync: the Supabase project has no tubeagency_pull (schema 0002 not applied): pulling table by table")
	case was != v && v == 2 && legacy && s.opts.Devices != nil:
		s.opts.Devices.beatSoon() // the heartbeats sent meanwhile went nowhere
	}
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
