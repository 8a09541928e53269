// Package cache is a two-tier cache for generated text and API responses:
// L1 in memory (patrickmn/go-cache), L2 in a SQLite table that survives
// restarts and answers offline. Entries expire by TTL class, both tiers
// together stay under a byte cap, and hits and misses are counted per tier.
//
// The cache does not know what it holds: the router stores provider
// answers, the insights component stores YouTube API responses. Keys are
// built with Key from the parts that identify a request.
package cache

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	gocache "github.com/patrickmn/go-cache"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Class is a TTL class.
type Class string

// TTL classes.
const (
	ClassTrends      Class = "trends"       // 1 h
	ClassAnalytics   Class = "analytics"    // 1 h
	ClassScripts     Class = "scripts"      // 24 h: generated text
	ClassChannelMeta Class = "channel_meta" // 7 d
)

// TTL is how long entries of class live. Unknown classes get the scripts TTL.
func TTL(class Class) time.Duration {
	switch class {
	case ClassTrends, ClassAnalytics:
		return time.Hour
	case ClassChannelMeta:
		return 7 * 24 * time.Hour
	default:
		return 24 * time.Hour
	}
}

// Tier says where a lookup was answered.
type Tier int

// Tiers.
const (
	Miss Tier = iota
	L1
	L2
)

func (t Tier) String() string {
	switch t {
	case L1:
		return "l1"
	case L2:
		return "l2"
	default:
		return "miss"
	}
}

// DefaultMaxBytes is the default size cap.
const DefaultMaxBytes = 10 << 20

// DB is the database the second tier lives in. *store.Store implements it.
type DB interface {
	Migrate(ctx context.Context, component string, fsys fs.FS) error
	RunInTx(ctx context.Context, fn func(tx *sql.Tx) error) error
	ReadDB() *sql.DB
}

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Now is the clock expiry is judged by. Nil means time.Now.
	Now func() time.Time
	// MaxBytes caps the bytes of values held in each tier. Zero means
	// DefaultMaxBytes. Over the cap, the entries closest to expiry go first.
	MaxBytes int64
}

// Stats counts lookups per tier and what the cache holds.
type Stats struct {
	L1Hits    uint64 `json:"l1_hits"`
	L2Hits    uint64 `json:"l2_hits"`
	Misses    uint64 `json:"misses"`
	Evictions uint64 `json:"evictions"`
	Errors    uint64 `json:"errors"` // L2 reads or writes that failed (served as misses)
	L1Bytes   int64  `json:"l1_bytes"`
	L2Bytes   int64  `json:"l2_bytes"`
	L2Entries int64  `json:"l2_entries"`
	MaxBytes  int64  `json:"max_bytes"`
}

type entry struct {
	value   []byte
	expires int64 // unix ms
}

// Cache is safe for concurrent use.
type Cache struct {
	db  DB
	now func() time.Time
	max int64
	// l1 keeps each entry with its own TTL; go-cache's janitor removes
	// expired ones every l1Janitor. l1B follows its size: OnEvicted
	// subtracts what any deletion or expiry removes.
	l1   *gocache.Cache
	l1mu sync.Mutex // serialises writes of one key (delete then set)
	l1B  atomic.Int64

	l2mu sync.Mutex   // serializes this cache's L2 writes
	l2B  atomic.Int64 // table totals as of this cache's last write
	l2N  atomic.Int64

	l1Hits, l2Hits, misses, evictions, errs atomic.Uint64
}

// Open migrates the cache table in db and loads its size.
func Open(ctx context.Context, db DB, opts Options) (*Cache, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	if err := db.Migrate(ctx, "cache", sub); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	c := &Cache{db: db, now: opts.Now, max: opts.MaxBytes, l1: gocache.New(gocache.NoExpiration, l1Janitor)}
	c.l1.OnEvicted(func(_ string, v any) { c.l1B.Add(-int64(len(v.(entry).value))) })
	var bytes, n int64
	if err := db.ReadDB().QueryRowContext(ctx, `SELECT bytes, entries FROM cache_totals WHERE id = 1`).Scan(&bytes, &n); err != nil {
		return nil, fmt.Errorf("open cache: read size: %w", err)
	}
	c.l2B.Store(bytes)
	c.l2N.Store(n)
	return c, nil
}

// l1Janitor is how often go-cache drops expired memory entries.
const l1Janitor = time.Minute

// l1Headroom is the share of the cap an over-cap write frees at once, so
// evictions happen in batches rather than on every later write.
const l1Headroom = 10

// Key hashes parts into a cache key. Parts are length-prefixed, so
// ("ab","c") and ("a","bc") differ.
func Key(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		l := len(p)
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Get returns the value under key and the tier that had it. An L2 hit is
// copied into L1. Expired entries are misses.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, Tier, bool) {
	now := c.now().UnixMilli()
	if v, ok := c.l1.Get(key); ok {
		e := v.(entry)
		if e.expires > now {
			c.l1Hits.Add(1)
			return e.value, L1, true
		}
		c.dropL1(key)
	}
	var e entry
	err := c.db.ReadDB().QueryRowContext(ctx, `SELECT value, expires_at FROM cache_entries WHERE key = ? AND expires_at > ?`, key, now).Scan(&e.value, &e.expires)
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			c.errs.Add(1)
		}
		c.misses.Add(1)
		return nil, Miss, false
	}
	c.l2Hits.Add(1)
	c.putL1(key, e)
	return e.value, L2, true
}

// Set stores value under key in both tiers for class's TTL.
func (c *Cache) Set(ctx context.Context, key string, class Class, value []byte) error {
	now := c.now()
	e := entry{value: value, expires: now.Add(TTL(class)).UnixMilli()}
	size := int64(len(value))
	if size > c.max {
		return fmt.Errorf("cache set: value of %d bytes exceeds the %d-byte cap", size, c.max)
	}
	c.putL1(key, e)
	c.l2mu.Lock()
	defer c.l2mu.Unlock()
	err := c.db.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cache_entries(key, class, value, size, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET class = excluded.class, value = excluded.value, size = excluded.size,
			created_at = excluded.created_at, expires_at = excluded.expires_at`,
			key, string(class), value, size, now.UnixMilli(), e.expires); err != nil {
			return err
		}
		total, n, err := totals(ctx, tx)
		if err != nil {
			return err
		}
		if total > c.max {
			if err := c.evictL2(ctx, tx, now.UnixMilli(), total-c.max, key); err != nil {
				return err
			}
			if total, n, err = totals(ctx, tx); err != nil {
				return err
			}
		}
		c.l2B.Store(total)
		c.l2N.Store(n)
		return nil
	})
	if err != nil {
		c.errs.Add(1)
		return fmt.Errorf("cache set: %w", err)
	}
	return nil
}

// evictL2 deletes expired entries, then those closest to expiry, until at
// least need bytes are freed. keep is never evicted.
func (c *Cache) evictL2(ctx context.Context, tx *sql.Tx, now, need int64, keep string) error {
	rows, err := tx.QueryContext(ctx, `SELECT key, size FROM cache_entries WHERE key != ? ORDER BY expires_at <= ? DESC, expires_at ASC`, keep, now)
	if err != nil {
		return err
	}
	var victims []string
	var freed int64
	for rows.Next() && freed < need {
		var k string
		var size int64
		if err := rows.Scan(&k, &size); err != nil {
			rows.Close()
			return err
		}
		victims = append(victims, k)
		freed += size
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, k := range victims {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cache_entries WHERE key = ?`, k); err != nil {
			return err
		}
		c.dropL1(k)
	}
	c.evictions.Add(uint64(len(victims)))
	return nil
}

// totals reads the running size of the table.
func totals(ctx context.Context, tx *sql.Tx) (bytes, entries int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT bytes, entries FROM cache_totals WHERE id = 1`).Scan(&bytes, &entries)
	return bytes, entries, err
}

func (c *Cache) putL1(key string, e entry) {
	ttl := time.Duration(e.expires-c.now().UnixMilli()) * time.Millisecond
	if ttl <= 0 {
		return
	}
	c.l1mu.Lock()
	defer c.l1mu.Unlock()
	c.l1.Delete(key) // OnEvicted subtracts the old value, if any
	c.l1.Set(key, e, ttl)
	if c.l1B.Add(int64(len(e.value))) <= c.max {
		return
	}
	// Over the cap: drop what has expired, then random entries (map order)
	// until a tenth of the cap is free. L2 still holds every entry, so a
	// dropped one costs one SQLite read when asked for again.
	c.l1.DeleteExpired()
	target := c.max - c.max/l1Headroom
	for k := range c.l1.Items() {
		if c.l1B.Load() <= target {
			break
		}
		if k != key {
			c.l1.Delete(k)
		}
	}
}

func (c *Cache) dropL1(key string) { c.l1.Delete(key) }

// FlushL1 empties the memory tier; the next lookups are answered from
// SQLite, as after a restart.
func (c *Cache) FlushL1() {
	c.l1mu.Lock()
	defer c.l1mu.Unlock()
	c.l1.Flush() // Flush calls no OnEvicted
	c.l1B.Store(0)
}

// Delete removes key from both tiers.
func (c *Cache) Delete(ctx context.Context, key string) error {
	c.dropL1(key)
	c.l2mu.Lock()
	defer c.l2mu.Unlock()
	return c.db.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cache_entries WHERE key = ?`, key); err != nil {
			return fmt.Errorf("cache delete: %w", err)
		}
		total, n, err := totals(ctx, tx)
		if err != nil {
			return fmt.Errorf("cache delete: %w", err)
		}
		c.l2B.Store(total)
		c.l2N.Store(n)
		return nil
	})
}

// Prune deletes expired entries from both tiers and returns how many L2
// rows it removed.
func (c *Cache) Prune(ctx context.Context) (int, error) {
	now := c.now().UnixMilli()
	c.l1.DeleteExpired()
	c.l2mu.Lock()
	defer c.l2mu.Unlock()
	var removed int
	err := c.db.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM cache_entries WHERE expires_at <= ?`, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		removed = int(n)
		total, entries, err := totals(ctx, tx)
		if err != nil {
			return err
		}
		c.l2B.Store(total)
		c.l2N.Store(entries)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cache prune: %w", err)
	}
	return removed, nil
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	l1 := c.l1B.Load()
	return Stats{L1Hits: c.l1Hits.Load(), L2Hits: c.l2Hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(),
		Errors: c.errs.Load(), L1Bytes: l1, L2Bytes: c.l2B.Load(), L2Entries: c.l2N.Load(), MaxBytes: c.max}
}
