package render

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"tubeagency/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the name the render migrations are recorded under.
const Component = "render"

// Queued is a render asked for and not ended yet.
type Queued struct {
	PackageID string
	ChannelID string
	Source    string // who asked: "studio" or "autopilot"
	QueuedAt  time.Time
}

// Queue keeps the render queue in SQLite, so renders asked for survive the
// app closing: the next start queues them again, in the order asked. It
// holds only what was asked; packages never queued are never in it. Safe
// for concurrent use.
type Queue struct {
	st *store.Store
}

// OpenQueue migrates the render queue's table of st.
func OpenQueue(ctx context.Context, st *store.Store) (*Queue, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err // the embedded folder is fixed at build time
	}
	if err := st.Migrate(ctx, Component, sub); err != nil {
		return nil, err
	}
	return &Queue{st: st}, nil
}

// Add records r at the end of the queue. A package already in it keeps its
// place.
func (q *Queue) Add(ctx context.Context, r Queued) error {
	if !safeName(r.PackageID) {
		return jobErr("package_id", "%q is not a package id", r.PackageID)
	}
	_, err := q.st.DB().ExecContext(ctx, `INSERT INTO render_queue (package_id, channel_id, source, seq, queued_at)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM render_queue), ?) ON CONFLICT (package_id) DO NOTHING`,
		r.PackageID, r.ChannelID, r.Source, r.QueuedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("queue render of %s: %w", r.PackageID, err)
	}
	return nil
}

// Remove takes a package off the queue (its render ended); one not in it
// is no error.
func (q *Queue) Remove(ctx context.Context, packageID string) error {
	if _, err := q.st.DB().ExecContext(ctx, `DELETE FROM render_queue WHERE package_id = ?`, packageID); err != nil {
		return fmt.Errorf("unqueue render of %s: %w", packageID, err)
	}
	return nil
}

// List returns the queue in the order asked.
func (q *Queue) List(ctx context.Context) ([]Queued, error) {
	rows, err := q.st.ReadDB().QueryContext(ctx, `SELECT package_id, channel_id, source, queued_at FROM render_queue ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read the render queue: %w", err)
	}
	defer rows.Close()
	var out []Queued
	for rows.Next() {
		var r Queued
		var at int64
		if err := rows.Scan(&r.PackageID, &r.ChannelID, &r.Source, &at); err != nil {
			return nil, fmt.Errorf("read the render queue: %w", err)
		}
		r.QueuedAt = time.UnixMilli(at).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the render queue: %w", err)
	}
	return out, nil
}
