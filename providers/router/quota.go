package router

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the database quotas persist in. *store.Store implements it.
type DB interface {
	Migrate(ctx context.Context, component string, fsys fs.FS) error
	RunInTx(ctx context.Context, fn func(tx *sql.Tx) error) error
	ReadDB() *sql.DB
}

// Quotas counts requests per provider per UTC day. Counting happens in
// memory, so it costs no database write on the request path; Flush (the
// router's background loop runs it every few seconds, and Stop runs it
// once more) adds the pending counts to SQLite, so the count survives
// restarts. A crash loses at most the counts since the last flush.
type Quotas struct {
	db  DB
	now func() time.Time

	mu      sync.Mutex
	day     string
	used    map[string]int    // provider → used today, persisted + pending
	pending map[[2]string]int // (provider, day) → not yet written
}

// OpenQuotas migrates the quota table and loads today's counts.
func OpenQuotas(ctx context.Context, db DB, now func() time.Time) (*Quotas, error) {
	if now == nil {
		now = time.Now
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open quotas: %w", err)
	}
	if err := db.Migrate(ctx, "router", sub); err != nil {
		return nil, fmt.Errorf("open quotas: %w", err)
	}
	q := &Quotas{db: db, now: now, pending: map[[2]string]int{}}
	if err := q.load(ctx, dayOf(now())); err != nil {
		return nil, err
	}
	return q, nil
}

func dayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

func (q *Quotas) load(ctx context.Context, day string) error {
	rows, err := q.db.ReadDB().QueryContext(ctx, `SELECT provider, used FROM provider_quota WHERE day = ?`, day)
	if err != nil {
		return fmt.Errorf("load quotas: %w", err)
	}
	defer rows.Close()
	used := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return fmt.Errorf("load quotas: %w", err)
		}
		used[p] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load quotas: %w", err)
	}
	q.mu.Lock()
	q.day, q.used = day, used
	for k, n := range q.pending { // counts taken before the load finished
		if k[1] == day {
			q.used[k[0]] += n
		}
	}
	q.mu.Unlock()
	return nil
}

// roll starts a new day's counts when the clock passed midnight UTC. The
// caller holds mu.
func (q *Quotas) roll(now time.Time) {
	if d := dayOf(now); d != q.day {
		q.day, q.used = d, map[string]int{}
	}
}

// Take counts one request for provider when limit allows it: limit <= 0
// means unlimited. It reports whether the request may go.
func (q *Quotas) Take(provider string, limit int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(q.now())
	if limit > 0 && q.used[provider] >= limit {
		return false
	}
	q.used[provider]++
	q.pending[[2]string{provider, q.day}]++
	return true
}

// Used is provider's count today.
func (q *Quotas) Used(provider string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll(q.now())
	return q.used[provider]
}

// Flush writes pending counts to the database.
func (q *Quotas) Flush(ctx context.Context) error {
	q.mu.Lock()
	pending := q.pending
	q.pending = map[[2]string]int{}
	q.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := q.db.RunInTx(ctx, func(tx *sql.Tx) error {
		for k, n := range pending {
			if _, err := tx.ExecContext(ctx, `INSERT INTO provider_quota(provider, day, used) VALUES (?, ?, ?)
				ON CONFLICT(provider, day) DO UPDATE SET used = used + excluded.used`, k[0], k[1], n); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM provider_quota WHERE day < ?`, dayOf(q.now().AddDate(0, 0, -7)))
		return err
	})
	if err != nil {
		q.mu.Lock() // keep the counts for the next flush
		for k, n := range pending {
			q.pending[k] += n
		}
		q.mu.Unlock()
		return fmt.Errorf("flush quotas: %w", err)
	}
	return nil
}
