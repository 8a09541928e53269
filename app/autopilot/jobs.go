package autopilot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tubeagency/internal/store"
)

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

// setJob moves job id to state, unless it was cancelled meanwhile (a
// cancel always wins). attempt counts a new try.
func (a *Autopilot) setJob(ctx context.Context, m *store.Mutation, id string, state JobState, note string, notBefore int64, attempt bool) error {
	now := a.cfg.Now().UnixMilli()
	finished := int64(0)
	if state.Finished() {
		finished = now
	}
	inc := 0
	if attempt {
		inc = 1
	}
	_, err := m.Tx().ExecContext(ctx, `UPDATE studio_jobs SET status = ?, error = ?, not_before = ?, updated_at = ?, finished_at = ?, attempts = attempts + ? WHERE id = ? AND status != ?`,
		state, note, notBefore, now, finished, inc, id, JobCancelled)
	if err != nil {
		return fmt.Errorf("update job %s: %w", id, err)
	}
	return nil
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
func (a *Autopilot) JobCounts(ctx context.Context) (map[string]map[JobState]int, error) {
	rows, err := a.st.ReadDB().QueryContext(ctx, `SELECT channel_id, status, COUNT(*) FROM studio_jobs GROUP BY channel_id, status`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]map[JobState]int{}
	for rows.Next() {
		var ch string
		var st JobState
		var n int
		if err := rows.Scan(&ch, &st, &n); err != nil {
			return nil, err
		}
		if out[ch] == nil {
			out[ch] = map[JobState]int{}
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
