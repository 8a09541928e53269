package autopilot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/studio"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
)

// Dispatch hands due jobs of autopilot channels to the pool, at most
// PerChannel per channel at a time; the pool serves channels in turn. It
// returns how many it submitted.
func (a *Autopilot) Dispatch(ctx context.Context) (int, error) {
	fetch := a.cfg.PerChannel * 2
	// With a host lookup, only jobs of channels this device hosts are due:
	// Plan claims channels first, so a channel this device runs names it.
	host := ""
	if a.cfg.Hosts != nil {
		host = a.cfg.DeviceID
	}
	rows, err := a.st.ReadDB().QueryContext(ctx, `SELECT `+jobCols+` FROM (
			SELECT j.*, ROW_NUMBER() OVER (PARTITION BY j.channel_id ORDER BY j.created_at, j.id) AS rn
			FROM studio_jobs j JOIN channels c ON c.id = j.channel_id AND c.autopilot = 1 AND c.deleted = 0
			  AND (? = '' OR c.autopilot_host = ?)
			WHERE j.status IN (?, ?) AND j.not_before <= ?) j
		WHERE j.rn <= ? ORDER BY j.rn, j.created_at`, host, host, JobQueued, JobDeferred, a.cfg.Now().UnixMilli(), fetch)
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
	for i, j := range submit {
		job := workers.Job(func(ctx context.Context) { a.run(ctx, j) })
		if a.cfg.JobWrapper != nil {
			job = a.cfg.JobWrapper(job)
		}
		if err := a.pool.Submit(j.ChannelID, job); err != nil {
			a.mu.Lock()
			for _, left := range submit[i:] {
				delete(a.inflight, left.ID)
			}
			a.mu.Unlock()
			return i, fmt.Errorf("hand job %s to the pool: %w", j.ID, err)
		}
	}
	return len(submit), nil
}

func (a *Autopilot) emitJob(j Job, state JobState, note string) {
	a.cfg.Emit(events.Job, Event{Source: "autopilot", JobID: j.ID, ChannelID: j.ChannelID, PackageID: j.PackageID, Status: string(state), Error: note, Pool: a.pool.Stats()})
}

// emitJobError reports a failure to record a job's progress; the job
// keeps its stored state and the next dispatch or start picks it up.
func (a *Autopilot) emitJobError(j Job, err error) {
	a.cfg.Emit(events.Job, Event{Source: "autopilot", JobID: j.ID, ChannelID: j.ChannelID, PackageID: j.PackageID, Status: "error", Error: err.Error(), Pool: a.pool.Stats()})
}

// run performs one job inside a worker. Plan stops it (through its
// context) when another device takes the channel over; it then goes back
// to the queue like a job interrupted by shutdown.
func (a *Autopilot) run(ctx context.Context, j Job) {
	ctx, stop := context.WithCancelCause(ctx)
	a.mu.Lock()
	a.stops[j.ID] = stop
	a.mu.Unlock()
	defer func() {
		stop(nil)
		a.mu.Lock()
		delete(a.inflight, j.ID)
		delete(a.stops, j.ID)
		a.mu.Unlock()
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}()
	// The job may have been cancelled or finished since it was read.
	var state JobState
	if err := a.st.ReadDB().QueryRowContext(ctx, `SELECT status FROM studio_jobs WHERE id = ?`, j.ID).Scan(&state); err != nil {
		if ctx.Err() == nil {
			a.emitJobError(j, fmt.Errorf("read job %s: %w", j.ID, err))
		}
		return
	}
	if !state.Waiting() {
		return
	}
	ch, err := store.Get[store.Channel](ctx, a.st.ReadDB(), store.ChannelEntity, j.ChannelID)
	if err != nil {
		a.finish(ctx, j, ch, err)
		return
	}
	if a.cfg.Hosts != nil && ch.AutopilotHost != a.cfg.DeviceID {
		return // handed over since it was dispatched: it stays queued
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
		switch {
		case err != nil:
			// Unknown quota: try the providers; the router itself skips
			// providers whose quota is spent.
			a.emitJobError(j, fmt.Errorf("read the providers' quota: %w", err))
		case spent && s.OnQuota == OnQuotaDefer:
			a.deferJob(ctx, j, ch, resets)
			return
		case spent:
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
		// The job is still queued; the next dispatch tries it again.
		if ctx.Err() == nil {
			a.emitJobError(j, err)
		}
		return
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
	if err != nil {
		a.emitJobError(j, err)
		return
	}
	a.emitJob(j, JobDeferred, "")
}

// outcomeKind is why a run ended, which decides the job's next state and
// what the activity log says.
type outcomeKind int

const (
	outcomeDone        outcomeKind = iota
	outcomeInterrupted             // the app is stopping: queue it again
	outcomeDeleted                 // the package or channel is gone
	outcomeUserCancel              // stopped from the Studio
	outcomeError                   // retried until MaxAttempts, then failed
)

// outcomeOf classifies a run's result.
func outcomeOf(ctx context.Context, runErr error) outcomeKind {
	switch {
	case runErr == nil:
		return outcomeDone
	case ctx.Err() != nil:
		return outcomeInterrupted
	case errors.Is(runErr, store.ErrNotFound):
		return outcomeDeleted
	case errors.Is(runErr, studio.ErrCancelled):
		return outcomeUserCancel
	default:
		return outcomeError
	}
}

// finish records a job's outcome. A job stopped by shutdown goes back to
// the queue; a failing one is retried later until MaxAttempts. When the
// number of attempts cannot be read, the job fails rather than risk
// retrying without end.
func (a *Autopilot) finish(ctx context.Context, j Job, ch store.Channel, runErr error) {
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	kind := outcomeOf(ctx, runErr)
	state, note, notBefore := JobDone, "", int64(0)
	err := a.st.Mutate(saveCtx, func(m *store.Mutation) error {
		switch kind {
		case outcomeInterrupted:
			state = JobQueued
		case outcomeDeleted:
			state, note = JobCancelled, "the package or channel was deleted"
		case outcomeUserCancel:
			state, note = JobCancelled, "cancelled by the user"
		case outcomeError:
			note = firstLine(runErr.Error())
			var attempts int
			if err := m.Tx().QueryRowContext(saveCtx, `SELECT attempts FROM studio_jobs WHERE id = ?`, j.ID).Scan(&attempts); err != nil {
				state, note = JobFailed, note+" (and how often it was tried could not be read: "+err.Error()+")"
			} else if attempts < a.Settings().MaxAttempts {
				state = JobQueued
				notBefore = a.cfg.Now().Add(time.Duration(attempts) * time.Minute).UnixMilli()
			} else {
				state = JobFailed
			}
		}
		if err := a.setJob(saveCtx, m, j.ID, state, note, notBefore, false); err != nil {
			return err
		}
		switch {
		case kind == outcomeUserCancel:
			return a.log(m, j.ChannelID, "autopilot.cancelled", "Autopilot stopped a package cancelled in the Studio",
				map[string]any{"job_id": j.ID, "package_id": j.PackageID})
		case state == JobFailed:
			name := ch.Name
			if name == "" {
				name = j.ChannelID
			}
			return a.log(m, j.ChannelID, "autopilot.failed", fmt.Sprintf("Autopilot gave up on a package for %s: %s", name, note),
				map[string]any{"package_id": j.PackageID, "error": note})
		}
		return nil
	})
	if err != nil {
		a.emitJobError(j, fmt.Errorf("record the job's outcome: %w", err))
		return
	}
	a.emitJob(j, state, note)
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
