package autopilot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/app/studio"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
)

// Autopilot schedules package jobs. Create it with New.
type Autopilot struct {
	cfg  Config
	st   *store.Store
	pool *workers.Pool

	mu       sync.Mutex
	settings Settings
	inflight map[string]string // job id → channel id, for jobs handed to the pool
	wake     chan struct{}     // plan and dispatch
	kick     chan struct{}     // dispatch only: a job finished
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	started  bool
}

// Event is the payload of an autopilot job event.
type Event struct {
	Source    string        `json:"source"` // "autopilot"
	JobID     string        `json:"job_id,omitempty"`
	ChannelID string        `json:"channel_id,omitempty"`
	PackageID string        `json:"package_id,omitempty"`
	Status    string        `json:"status"`
	Error     string        `json:"error,omitempty"`
	Pool      workers.Stats `json:"pool"`
}

// New applies the autopilot's migrations, loads its settings and makes its
// worker pool (not started).
func New(ctx context.Context, cfg Config) (*Autopilot, error) {
	if cfg.Store == nil || cfg.Studio == nil || cfg.Templates == nil {
		return nil, errors.New("autopilot: Store, Studio and Templates are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Emit == nil {
		cfg.Emit = func(string, any) {}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.PerChannel <= 0 {
		cfg.PerChannel = 2
	}
	if err := cfg.Store.Migrate(ctx, Component, Migrations()); err != nil {
		return nil, err
	}
	a := &Autopilot{cfg: cfg, st: cfg.Store, inflight: map[string]string{}, wake: make(chan struct{}, 1), kick: make(chan struct{}, 1)}
	s, err := a.loadSettings(ctx)
	if err != nil {
		return nil, err
	}
	a.settings = s
	a.pool = workers.New(workers.Config{Min: s.MinWorkers, Max: s.MaxWorkers, Interval: cfg.PoolInterval, Now: cfg.Now,
		OnScale: func(st workers.Stats) {
			cfg.Emit(events.Job, Event{Source: "autopilot", Status: "scaled", Pool: st})
			if cfg.PoolOnScale != nil {
				cfg.PoolOnScale(st)
			}
		}})
	return a, nil
}

// Pool is the autopilot's worker pool.
func (a *Autopilot) Pool() *workers.Pool { return a.pool }

// Start requeues jobs a previous process left running, starts the pool and
// the planning loop. Stop ends both.
func (a *Autopilot) Start(ctx context.Context) error {
	if _, err := a.Recover(ctx); err != nil {
		return err
	}
	a.mu.Lock()
	if a.started {
		a.mu.Unlock()
		return nil
	}
	a.started = true
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.mu.Unlock()
	a.pool.Start(true)
	a.wg.Add(1)
	go a.loop(loopCtx)
	return nil
}

// Stop ends the loop, stops the pool (cancelling running jobs, which stay
// persisted and resume at the next Start) and waits.
func (a *Autopilot) Stop() {
	a.mu.Lock()
	cancel := a.cancel
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	a.wg.Wait()
	a.pool.Stop()
}

// Wake asks the loop to plan now (after a channel or setting changed).
func (a *Autopilot) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *Autopilot) loop(ctx context.Context) {
	defer a.wg.Done()
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	backoff := time.Duration(0)
	plan := true
	for {
		var err error
		if plan {
			err = a.Tick(ctx)
		} else {
			_, err = a.Dispatch(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		wait := a.cfg.Interval
		if err != nil {
			// Back off exponentially (capped) while the store misbehaves; the
			// error shows as an event, not a log line per tick.
			backoff = min(max(backoff*2, time.Second), 5*time.Minute)
			wait = backoff
			a.cfg.Emit(events.Job, Event{Source: "autopilot", Status: "error", Error: err.Error(), Pool: a.pool.Stats()})
		} else {
			backoff = 0
		}
		timer := time.NewTimer(wait)
		plan = true
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-t.C:
		case <-a.wake:
		case <-a.kick:
			plan = false
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Tick plans (tops channels up) and hands due jobs to the pool.
func (a *Autopilot) Tick(ctx context.Context) error {
	if err := a.Plan(ctx); err != nil {
		return err
	}
	_, err := a.Dispatch(ctx)
	return err
}

// Recover queues again every job a previous process left running. It
// returns how many it found.
func (a *Autopilot) Recover(ctx context.Context) (int, error) {
	now := a.cfg.Now().UnixMilli()
	var n int
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		rows, err := m.Tx().QueryContext(ctx, `SELECT channel_id, COUNT(*) FROM studio_jobs WHERE status = 'running' GROUP BY channel_id`)
		if err != nil {
			return fmt.Errorf("find interrupted jobs: %w", err)
		}
		counts := map[string]int{}
		for rows.Next() {
			var ch string
			var c int
			if err := rows.Scan(&ch, &c); err != nil {
				rows.Close()
				return err
			}
			counts[ch] = c
		}
		rows.Close()
		if _, err := m.Tx().ExecContext(ctx, `UPDATE studio_jobs SET status = 'queued', updated_at = ? WHERE status = 'running'`, now); err != nil {
			return fmt.Errorf("requeue interrupted jobs: %w", err)
		}
		for ch, c := range counts {
			n += c
			if err := a.log(m, ch, "autopilot.resumed", fmt.Sprintf("Autopilot resumed %s interrupted when the app stopped", plural(c, "package")),
				map[string]any{"jobs": c}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

func (a *Autopilot) log(m *store.Mutation, channelID, kind, msg string, data any) error {
	if a.cfg.LogActivity == nil {
		return nil
	}
	return a.cfg.LogActivity(m, channelID, kind, msg, data)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Plan tops every autopilot channel up to Settings.Ahead upcoming packages.
func (a *Autopilot) Plan(ctx context.Context) error {
	chs, err := store.List[store.Channel](ctx, a.st.ReadDB(), store.ChannelEntity, "autopilot = 1", "id")
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if _, err := a.enqueue(ctx, ch, 0, ""); err != nil {
			return err
		}
	}
	// Jobs of channels deleted since they were queued will never run.
	_, err = a.st.DB().ExecContext(ctx, `UPDATE studio_jobs SET status = 'cancelled', error = 'the channel was deleted', updated_at = ?
		WHERE status IN ('queued', 'deferred') AND channel_id IN (SELECT id FROM channels WHERE deleted = 1)`, a.cfg.Now().UnixMilli())
	return err
}

// Enqueue queues n packages for channelID now, whether or not autopilot is
// on for it (they run once it is on).
func (a *Autopilot) Enqueue(ctx context.Context, channelID string, n int) ([]Job, error) {
	if n < 1 || n > 1000 {
		return nil, fieldErr("count", "must be between 1 and 1000")
	}
	ch, err := store.Get[store.Channel](ctx, a.st.ReadDB(), store.ChannelEntity, channelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("enqueue: %w", ErrUnknownChannel)
	}
	if err != nil {
		return nil, err
	}
	return a.enqueue(ctx, ch, n, "asked for")
}

// enqueue creates n packages and their jobs for ch in one transaction. With
// n = 0 it tops ch up to Settings.Ahead, counting inside the transaction so
// two plans can never both fill the same gap.
func (a *Autopilot) enqueue(ctx context.Context, ch store.Channel, n int, why string) ([]Job, error) {
	now := a.cfg.Now().UnixMilli()
	var jobs []Job
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		jobs = jobs[:0]
		if n == 0 {
			ahead := a.Settings().Ahead
			upcoming, err := store.Count(ctx, m.Tx(), store.PackageEntity, "channel_id = ? AND status != ?", ch.ID, store.StatusPublished)
			if err != nil {
				return fmt.Errorf("count packages of %s: %w", ch.Name, err)
			}
			if n = ahead - upcoming; n <= 0 {
				n = 0
				return nil
			}
			why = "keep " + plural(ahead, "package") + " ready"
		}
		for range n {
			p, err := studio.NewPackage("", ch.ID, "")
			if err != nil {
				return err
			}
			if _, err := store.PutRecord(m, store.PackageEntity, p); err != nil {
				return err
			}
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			j := Job{ID: id.String(), ChannelID: ch.ID, PackageID: p.ID, Status: JobQueued, CreatedAt: now, UpdatedAt: now}
			if _, err := m.Tx().ExecContext(ctx, `INSERT INTO studio_jobs(id, channel_id, package_id, status, created_at, updated_at)
				VALUES (?, ?, ?, 'queued', ?, ?)`, j.ID, j.ChannelID, j.PackageID, now, now); err != nil {
				return fmt.Errorf("queue job: %w", err)
			}
			jobs = append(jobs, j)
		}
		return a.log(m, ch.ID, "autopilot.queued", fmt.Sprintf("Autopilot queued %s for %s (%s)", plural(n, "package"), ch.Name, why),
			map[string]any{"count": n})
	})
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return jobs, nil
	}
	for _, j := range jobs {
		a.cfg.Emit(events.Job, Event{Source: "autopilot", JobID: j.ID, ChannelID: j.ChannelID, PackageID: j.PackageID, Status: JobQueued, Pool: a.pool.Stats()})
	}
	a.Wake()
	return jobs, nil
}

const jobCols = `j.id, j.channel_id, j.package_id, j.status, j.attempts, j.error, j.not_before, j.created_at, j.updated_at, j.finished_at`

func scanJobs(rows *sql.Rows) ([]Job, error) {
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.ChannelID, &j.PackageID, &j.Status, &j.Attempts, &j.Error, &j.NotBefore, &j.CreatedAt, &j.UpdatedAt, &j.FinishedAt); err != nil {
			return nil, fmt.Errorf("scan job: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Dispatch hands due jobs of autopilot channels to the pool, at most
// PerChannel per channel at a time; the pool serves channels in turn. It
// returns how many it submitted.
func (a *Autopilot) Dispatch(ctx context.Context) (int, error) {
	fetch := a.cfg.PerChannel * 2
	rows, err := a.st.ReadDB().QueryContext(ctx, `SELECT `+jobCols+` FROM (
			SELECT j.*, ROW_NUMBER() OVER (PARTITION BY j.channel_id ORDER BY j.created_at, j.id) AS rn
			FROM studio_jobs j JOIN channels c ON c.id = j.channel_id AND c.autopilot = 1 AND c.deleted = 0
			WHERE j.status IN ('queued', 'deferred') AND j.not_before <= ?) j
		WHERE j.rn <= ? ORDER BY j.rn, j.created_at`, a.cfg.Now().UnixMilli(), fetch)
	if err != nil {
		return 0, fmt.Errorf("read due jobs: %w", err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return 0, err
	}
	a.mu.Lock()
	perChannel := map[string]int{}
	for _, ch := range a.inflight {
		perChannel[ch]++
	}
	wrap := a.cfg.JobWrapper
	var submit []Job
	for _, j := range jobs {
		if _, busy := a.inflight[j.ID]; busy || perChannel[j.ChannelID] >= a.cfg.PerChannel {
			continue
		}
		a.inflight[j.ID] = j.ChannelID
		perChannel[j.ChannelID]++
		submit = append(submit, j)
	}
	a.mu.Unlock()
	for _, j := range submit {
		job := workers.Job(func(ctx context.Context) { a.run(ctx, j) })
		if wrap != nil {
			job = wrap(job)
		}
		if err := a.pool.Submit(j.ChannelID, job); err != nil {
			a.mu.Lock()
			delete(a.inflight, j.ID)
			a.mu.Unlock()
			return 0, err
		}
	}
	return len(submit), nil
}

func (a *Autopilot) setJob(ctx context.Context, m *store.Mutation, id, status, msg string, notBefore int64, attempt bool) error {
	now := a.cfg.Now().UnixMilli()
	finished := int64(0)
	if status == JobDone || status == JobFailed || status == JobCancelled {
		finished = now
	}
	inc := 0
	if attempt {
		inc = 1
	}
	_, err := m.Tx().ExecContext(ctx, `UPDATE studio_jobs SET status = ?, error = ?, not_before = ?, updated_at = ?, finished_at = ?, attempts = attempts + ? WHERE id = ? AND status != 'cancelled'`,
		status, msg, notBefore, now, finished, inc, id)
	if err != nil {
		return fmt.Errorf("update job %s: %w", id, err)
	}
	return nil
}

func (a *Autopilot) emitJob(j Job, status, msg string) {
	a.cfg.Emit(events.Job, Event{Source: "autopilot", JobID: j.ID, ChannelID: j.ChannelID, PackageID: j.PackageID, Status: status, Error: msg, Pool: a.pool.Stats()})
}

// run performs one job inside a worker.
func (a *Autopilot) run(ctx context.Context, j Job) {
	defer func() {
		a.mu.Lock()
		delete(a.inflight, j.ID)
		a.mu.Unlock()
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}()
	// The job may have been cancelled or finished since it was read.
	var status string
	if err := a.st.ReadDB().QueryRowContext(ctx, `SELECT status FROM studio_jobs WHERE id = ?`, j.ID).Scan(&status); err != nil ||
		(status != JobQueued && status != JobDeferred) {
		return
	}
	ch, err := store.Get[store.Channel](ctx, a.st.ReadDB(), store.ChannelEntity, j.ChannelID)
	if err != nil {
		a.finish(ctx, j, ch, err)
		return
	}
	defer func() {
		// A bug in a step must not leave the job "running" until the next
		// start: it fails like any error, is retried and logged.
		if r := recover(); r != nil {
			a.finish(ctx, j, ch, fmt.Errorf("internal error while generating: %v", r))
		}
	}()
	s := a.Settings()
	opts := studio.RunOptions{Background: true, Source: "autopilot", SkipVoice: !s.Voice}
	if !opts.SkipVoice && a.cfg.VoiceAvailable != nil && !a.cfg.VoiceAvailable(ctx) {
		opts.SkipVoice = true
	}
	if a.cfg.Quota != nil {
		spent, resets, err := a.cfg.Quota.Exhausted(ctx)
		if err == nil && spent {
			if s.OnQuota == OnQuotaDefer {
				a.deferJob(ctx, j, ch, resets)
				return
			}
			opts.Generator = a.cfg.Templates
		}
	}
	err = a.st.Mutate(ctx, func(m *store.Mutation) error {
		if err := a.setJob(ctx, m, j.ID, JobRunning, "", 0, true); err != nil {
			return err
		}
		if opts.Generator != nil {
			return a.log(m, ch.ID, "autopilot.templates", fmt.Sprintf("Autopilot is writing a package for %s from templates: the providers' daily quota is spent", ch.Name),
				map[string]any{"package_id": j.PackageID, "fallback": true})
		}
		return nil
	})
	if err != nil {
		return // the store refused; the job is still queued and the next dispatch retries it
	}
	a.emitJob(j, JobRunning, "")
	_, err = a.cfg.Studio.Run(ctx, j.PackageID, opts)
	a.finish(ctx, j, ch, err)
}

func (a *Autopilot) deferJob(ctx context.Context, j Job, ch store.Channel, resets time.Time) {
	now := a.cfg.Now()
	if !resets.After(now) {
		resets = now.Add(time.Hour)
	}
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		if err := a.setJob(ctx, m, j.ID, JobDeferred, "waiting for the daily quota to reset", resets.UnixMilli(), false); err != nil {
			return err
		}
		return a.log(m, ch.ID, "autopilot.deferred", fmt.Sprintf("Autopilot deferred a package for %s until %s: the providers' daily quota is spent",
			ch.Name, resets.UTC().Format("Jan 2 15:04 UTC")), map[string]any{"package_id": j.PackageID, "until": resets.UnixMilli()})
	})
	if err == nil {
		a.emitJob(j, JobDeferred, "")
	}
}

// finish records a job's outcome. A job stopped by shutdown goes back to
// the queue; a failing one is retried later until MaxAttempts.
func (a *Autopilot) finish(ctx context.Context, j Job, ch store.Channel, runErr error) {
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	status, msg, notBefore := JobDone, "", int64(0)
	switch {
	case runErr == nil:
	case ctx.Err() != nil:
		status = JobQueued
	case errors.Is(runErr, store.ErrNotFound):
		status, msg = JobCancelled, "the package or channel was deleted"
	case errors.Is(runErr, studio.ErrCancelled):
		// Stopped from the Studio while the app kept running: the user's call.
		status, msg = JobCancelled, "cancelled by the user"
	default:
		var attempts int
		_ = a.st.ReadDB().QueryRowContext(saveCtx, `SELECT attempts FROM studio_jobs WHERE id = ?`, j.ID).Scan(&attempts)
		msg = firstLine(runErr.Error())
		if attempts < a.Settings().MaxAttempts {
			status = JobQueued
			notBefore = a.cfg.Now().Add(time.Duration(attempts) * time.Minute).UnixMilli()
		} else {
			status = JobFailed
		}
	}
	err := a.st.Mutate(saveCtx, func(m *store.Mutation) error {
		if err := a.setJob(saveCtx, m, j.ID, status, msg, notBefore, false); err != nil {
			return err
		}
		if status == JobCancelled && msg == "cancelled by the user" {
			return a.log(m, j.ChannelID, "autopilot.cancelled", "Autopilot stopped a package cancelled in the Studio",
				map[string]any{"job_id": j.ID, "package_id": j.PackageID})
		}
		if status == JobFailed {
			name := ch.Name
			if name == "" {
				name = j.ChannelID
			}
			return a.log(m, j.ChannelID, "autopilot.failed", fmt.Sprintf("Autopilot gave up on a package for %s: %s", name, msg),
				map[string]any{"package_id": j.PackageID, "error": msg})
		}
		return nil
	})
	if err != nil {
		msg = "could not record the job's outcome: " + err.Error()
	}
	a.emitJob(j, status, msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// ---- settings ----

func (a *Autopilot) loadSettings(ctx context.Context) (Settings, error) {
	s := DefaultSettings()
	var raw string
	err := a.st.DB().QueryRowContext(ctx, `SELECT value FROM studio_settings WHERE key = 'autopilot'`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read autopilot settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s.Validate() != nil {
		// A damaged row falls back to defaults rather than stopping the app.
		return DefaultSettings(), nil
	}
	return s, nil
}

// Settings are the current settings.
func (a *Autopilot) Settings() Settings {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.settings
}

// SaveSettings validates and stores s, and resizes the pool.
func (a *Autopilot) SaveSettings(ctx context.Context, s Settings) (Settings, error) {
	if err := s.Validate(); err != nil {
		return a.Settings(), err
	}
	b, _ := json.Marshal(s)
	err := a.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO studio_settings(key, value) VALUES ('autopilot', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, string(b))
		return err
	})
	if err != nil {
		return a.Settings(), fmt.Errorf("save autopilot settings: %w", err)
	}
	a.mu.Lock()
	a.settings = s
	a.mu.Unlock()
	a.pool.SetLimits(s.MinWorkers, s.MaxWorkers)
	a.Wake()
	return s, nil
}

// ---- reading ----

// Jobs lists jobs: open ones (queued, running, deferred) first, oldest
// first, then the most recent finished ones, limit in all.
func (a *Autopilot) Jobs(ctx context.Context, limit int) ([]Job, error) {
	rows, err := a.st.ReadDB().QueryContext(ctx, `SELECT `+jobCols+` FROM studio_jobs j
		ORDER BY CASE WHEN j.status IN ('queued', 'running', 'deferred') THEN 0 ELSE 1 END,
		CASE WHEN j.status IN ('queued', 'running', 'deferred') THEN j.created_at ELSE -j.updated_at END, j.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return scanJobs(rows)
}

// JobCounts counts jobs by channel and status.
func (a *Autopilot) JobCounts(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := a.st.ReadDB().QueryContext(ctx, `SELECT channel_id, status, COUNT(*) FROM studio_jobs GROUP BY channel_id, status`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var ch, st string
		var n int
		if err := rows.Scan(&ch, &st, &n); err != nil {
			return nil, err
		}
		if out[ch] == nil {
			out[ch] = map[string]int{}
		}
		out[ch][st] = n
	}
	return out, rows.Err()
}

// Retry queues a failed or cancelled job again, attempts reset.
func (a *Autopilot) Retry(ctx context.Context, id string) error {
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		var ch string
		err := m.Tx().QueryRowContext(ctx, `SELECT channel_id FROM studio_jobs WHERE id = ? AND status IN ('failed', 'cancelled', 'deferred')`, id).Scan(&ch)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("retry job %s: %w", id, ErrNotRetryable)
		}
		if err != nil {
			return fmt.Errorf("retry job %s: %w", id, err)
		}
		if _, err := m.Tx().ExecContext(ctx, `UPDATE studio_jobs SET status = 'queued', attempts = 0, error = '', not_before = 0, finished_at = 0, updated_at = ?
			WHERE id = ?`, a.cfg.Now().UnixMilli(), id); err != nil {
			return fmt.Errorf("retry job %s: %w", id, err)
		}
		return a.log(m, ch, "autopilot.retried", "Autopilot will try a package again, as asked", map[string]any{"job_id": id})
	})
	if err != nil {
		return err
	}
	a.Wake()
	return nil
}

// Cancel cancels a queued, deferred or running job; a running one stops
// after saving its current step.
func (a *Autopilot) Cancel(ctx context.Context, id string) error {
	var pkg string
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		var ch string
		if err := m.Tx().QueryRowContext(ctx, `SELECT package_id, channel_id FROM studio_jobs WHERE id = ? AND status IN ('queued', 'deferred', 'running')`, id).Scan(&pkg, &ch); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("cancel job %s: %w", id, ErrNotCancellable)
			}
			return err
		}
		now := a.cfg.Now().UnixMilli()
		if _, err := m.Tx().ExecContext(ctx, `UPDATE studio_jobs SET status = 'cancelled', error = 'cancelled by the user', finished_at = ?, updated_at = ? WHERE id = ?`,
			now, now, id); err != nil {
			return err
		}
		return a.log(m, ch, "autopilot.cancelled", "Autopilot stopped a package, as asked", map[string]any{"job_id": id, "package_id": pkg})
	})
	if err != nil {
		return err
	}
	a.cfg.Studio.Cancel(pkg)
	return nil
}

// More sentinels for job actions.
var (
	ErrNotRetryable   = errors.New("only a failed, cancelled or deferred job can be retried")
	ErrNotCancellable = errors.New("only a queued, deferred or running job can be cancelled")
)
