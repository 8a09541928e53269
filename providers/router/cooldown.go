package router

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"
)

// Cooldown is a pause a provider asked for: a 429 or 503 whose answer named
// a time (Retry-After, x-ratelimit-reset-*, anthropic-ratelimit-*-reset),
// or a 429 that named none (then Config.RateLimitCooldown).
type Cooldown struct {
	Provider string    `json:"provider"`
	Until    time.Time `json:"until,omitzero"`
	Status   int       `json:"status"` // 429, 503 or 529
	Reason   string    `json:"reason"` // "rate limit" or "overloaded"
}

// Cooldowns keeps each provider's cooldown. Like Quotas it works in memory
// on the request path and writes to SQLite in Flush (the router's loop runs
// it every few seconds and once more at Stop), so a restart keeps a
// cooldown that has not ended. A crash loses at most the cooldowns set
// since the last flush: the provider then answers 429 once more.
type Cooldowns struct {
	db  DB // nil: memory only
	now func() time.Time

	n     atomic.Int32 // len(m), read without the lock on the request path
	mu    sync.RWMutex
	m     map[string]Cooldown
	dirty map[string]bool
}

// newCooldowns keeps cooldowns in memory only.
func newCooldowns(now func() time.Time) *Cooldowns {
	return &Cooldowns{now: now, m: map[string]Cooldown{}, dirty: map[string]bool{}}
}

// OpenCooldowns migrates the router's tables and loads the cooldowns that
// have not ended. now is the clock; nil means time.Now.
func OpenCooldowns(ctx context.Context, db DB, now func() time.Time) (*Cooldowns, error) {
	if now == nil {
		now = time.Now
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open cooldowns: %w", err)
	}
	if err := db.Migrate(ctx, "router", sub); err != nil {
		return nil, fmt.Errorf("open cooldowns: %w", err)
	}
	c := newCooldowns(now)
	c.db = db
	at := now().UnixMilli()
	if err := db.RunInTx(ctx, func(tx *sql.Tx) error { // those that ended while the app was closed
		_, err := tx.ExecContext(ctx, `DELETE FROM provider_cooldown WHERE until_ms <= ?`, at)
		return err
	}); err != nil {
		return nil, fmt.Errorf("open cooldowns: %w", err)
	}
	rows, err := db.ReadDB().QueryContext(ctx, `SELECT provider, until_ms, status, reason FROM provider_cooldown WHERE until_ms > ?`, at)
	if err != nil {
		return nil, fmt.Errorf("load cooldowns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cd Cooldown
		var until int64
		if err := rows.Scan(&cd.Provider, &until, &cd.Status, &cd.Reason); err != nil {
			return nil, fmt.Errorf("load cooldowns: %w", err)
		}
		cd.Until = time.UnixMilli(until).UTC()
		c.m[cd.Provider] = cd
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load cooldowns: %w", err)
	}
	c.n.Store(int32(len(c.m)))
	return c, nil
}

// Set starts or extends a cooldown; a shorter one never cuts a longer one.
func (c *Cooldowns) Set(cd Cooldown) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[cd.Provider]; ok && !cd.Until.After(old.Until) {
		return
	}
	c.m[cd.Provider] = cd
	c.dirty[cd.Provider] = true
	c.n.Store(int32(len(c.m)))
}

// Get is provider's cooldown when it has not ended at now.
func (c *Cooldowns) Get(provider string, now time.Time) (Cooldown, bool) {
	if c.n.Load() == 0 {
		return Cooldown{}, false
	}
	c.mu.RLock()
	cd, ok := c.m[provider]
	c.mu.RUnlock()
	if !ok || !now.Before(cd.Until) {
		return Cooldown{}, false
	}
	return cd, true
}

// Flush writes new cooldowns to the database and forgets ended ones. It
// writes nothing when nothing changed.
func (c *Cooldowns) Flush(ctx context.Context) error {
	now := c.now()
	c.mu.Lock()
	var write []Cooldown
	for p := range c.dirty {
		write = append(write, c.m[p])
	}
	c.dirty = map[string]bool{}
	ended := 0
	for p, cd := range c.m {
		if !now.Before(cd.Until) {
			delete(c.m, p)
			ended++
		}
	}
	c.n.Store(int32(len(c.m)))
	c.mu.Unlock()
	if c.db == nil || (len(write) == 0 && ended == 0) {
		return nil
	}
	err := c.db.RunInTx(ctx, func(tx *sql.Tx) error {
		for _, cd := range write {
			if _, err := tx.ExecContext(ctx, `INSERT INTO provider_cooldown(provider, until_ms, status, reason) VALUES (?, ?, ?, ?)
				ON CONFLICT(provider) DO UPDATE SET until_ms = excluded.until_ms, status = excluded.status, reason = excluded.reason
				WHERE excluded.until_ms > provider_cooldown.until_ms`, cd.Provider, cd.Until.UnixMilli(), cd.Status, cd.Reason); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM provider_cooldown WHERE until_ms <= ?`, now.UnixMilli())
		return err
	})
	if err != nil {
		c.mu.Lock() // write them with the next flush
		for _, cd := range write {
			if cur, ok := c.m[cd.Provider]; ok && !cur.Until.After(cd.Until) {
				c.dirty[cd.Provider] = true
			}
		}
		c.mu.Unlock()
		return fmt.Errorf("flush cooldowns: %w", err)
	}
	return nil
}
