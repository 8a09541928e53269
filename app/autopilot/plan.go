package autopilot

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/app/studio"
	"tubeagency/internal/store"
)

// Recover queues again every job a previous process left running. It
// returns how many it found.
func (a *Autopilot) Recover(ctx context.Context) (int, error) {
	now := a.cfg.Now().UnixMilli()
	var n int
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		n = 0
		rows, err := m.Tx().QueryContext(ctx, `SELECT channel_id, COUNT(*) FROM studio_jobs WHERE status = ? GROUP BY channel_id`, JobRunning)
		if err != nil {
			return fmt.Errorf("find interrupted jobs: %w", err)
		}
		counts := map[string]int{}
		for rows.Next() {
			var ch string
			var c int
			if err := rows.Scan(&ch, &c); err != nil {
				rows.Close()
				return fmt.Errorf("find interrupted jobs: %w", err)
			}
			counts[ch] = c
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return fmt.Errorf("find interrupted jobs: %w", err)
		}
		rows.Close()
		if _, err := m.Tx().ExecContext(ctx, `UPDATE studio_jobs SET status = ?, updated_at = ? WHERE status = ?`, JobQueued, now, JobRunning); err != nil {
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

// Plan tops every autopilot channel this device runs up to Settings.Ahead
// upcoming packages, and finishes the autopilot packages another device
// left unfinished there. With a host lookup, only the channels' host runs
// them: a channel another device runs now is handed over (its running
// jobs stop and wait, queued, in case it comes back).
func (a *Autopilot) Plan(ctx context.Context) error {
	chs, err := store.List[store.Channel](ctx, a.st.ReadDB(), store.ChannelEntity, "autopilot = 1", "id")
	if err != nil {
		return err
	}
	mine, err := a.hosted(ctx, chs)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if !mine[ch.ID] {
			a.handOver(ch)
			continue
		}
		if err := a.adopt(ctx, ch); err != nil {
			return err
		}
		if _, err := a.enqueue(ctx, ch, 0, ""); err != nil {
			return err
		}
	}
	// Jobs of channels deleted since they were queued will never run.
	_, err = a.st.DB().ExecContext(ctx, `UPDATE studio_jobs SET status = 'cancelled', error = 'the channel was deleted', updated_at = ?
		WHERE status IN ('queued', 'deferred') AND channel_id IN (SELECT id FROM channels WHERE deleted = 1)`, a.cfg.Now().UnixMilli())
	return err
}

// hosted is the set of channels (of chs) this device runs.
func (a *Autopilot) hosted(ctx context.Context, chs []store.Channel) (map[string]bool, error) {
	if a.cfg.Hosts == nil {
		mine := make(map[string]bool, len(chs))
		for _, ch := range chs {
			mine[ch.ID] = true
		}
		return mine, nil
	}
	mine, err := a.cfg.Hosts.Claim(ctx, chs)
	if err != nil {
		return nil, fmt.Errorf("find the channels this device runs: %w", err)
	}
	return mine, nil
}

// errHandedOver stops a running job whose channel another device runs now,
// without saving the step it was in (studio.ErrMoved).
var errHandedOver = fmt.Errorf("another device runs autopilot for this channel now: %w", studio.ErrMoved)

// handOver stops this device's running jobs of ch: they go back to the
// queue (see finish), and Dispatch leaves them there while another device
// hosts the channel.
func (a *Autopilot) handOver(ch store.Channel) {
	a.mu.Lock()
	var stopped []string
	for id, chID := range a.inflight {
		if chID == ch.ID {
			if stop := a.stops[id]; stop != nil {
				stop(errHandedOver)
				stopped = append(stopped, id)
			}
		}
	}
	a.mu.Unlock()
	for _, id := range stopped {
		a.cfg.Emit(events.Job, Event{Source: "autopilot", JobID: id, ChannelID: ch.ID, Status: "handed_over", Error: errHandedOver.Error(), Pool: a.pool.Stats()})
	}
}

// adopt queues a job for every unfinished autopilot package of ch that has
// no job on this device: the channel's previous host made it and stopped
// (it went quiet, or the user moved the channel here). Studio.Run resumes
// such a package at its first unfinished step.
func (a *Autopilot) adopt(ctx context.Context, ch store.Channel) error {
	if a.cfg.Hosts == nil {
		return nil // one device: every autopilot package has its job here
	}
	now := a.cfg.Now().UnixMilli()
	var n int
	err := a.st.Mutate(ctx, func(m *store.Mutation) error {
		n = 0
		rows, err := m.Tx().QueryContext(ctx, `SELECT p.id FROM packages p
			WHERE p.channel_id = ? AND p.deleted = 0 AND p.status NOT IN (?, ?) AND json_extract(p.content, '$.origin') = ?
			  AND NOT EXISTS (SELECT 1 FROM studio_jobs j WHERE j.package_id = p.id)
			ORDER BY p.id`, ch.ID, store.StatusReady, store.StatusPublished, Origin)
		if err != nil {
			return fmt.Errorf("find unfinished packages of %s: %w", ch.Name, err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("find unfinished packages of %s: %w", ch.Name, err)
		}
		for _, pkg := range ids {
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			if _, err := m.Tx().ExecContext(ctx, `INSERT INTO studio_jobs(id, channel_id, package_id, status, created_at, updated_at)
				VALUES (?, ?, ?, 'queued', ?, ?)`, id.String(), ch.ID, pkg, now, now); err != nil {
				return fmt.Errorf("queue job: %w", err)
			}
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		return a.log(m, ch.ID, "autopilot.adopted", fmt.Sprintf("Autopilot will finish %s for %s that another device started", plural(n, "package"), ch.Name),
			map[string]any{"count": n})
	})
	if err == nil && n > 0 {
		a.Wake()
	}
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
			p.Content.Origin = Origin
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
		a.cfg.Emit(events.Job, Event{Source: "autopilot", JobID: j.ID, ChannelID: j.ChannelID, PackageID: j.PackageID, Status: string(JobQueued), Pool: a.pool.Stats()})
	}
	a.Wake()
	return jobs, nil
}
