package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // the quota day is Pacific time on every system, Windows included
)

// Quota buckets of a Google Cloud project (developers.google.com/youtube/v3/determine_quota_cost).
const (
	// BucketInsert counts videos.insert calls: its own 100 a day.
	BucketInsert = "videos.insert"
	// BucketUnits counts units of every other method: 10,000 a day.
	BucketUnits = "units"
)

// Default daily limits and costs.
const (
	DefaultInsertLimit = 100
	DefaultUnitsLimit  = 10_000

	CostInsert    = 1 // in BucketInsert
	CostList      = 1
	CostThumbnail = 50
	CostCaption   = 400
)

var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil { // unreachable with time/tzdata embedded
		panic(err)
	}
	return loc
}()

// QuotaDay is the quota day (Pacific time) of t, as YYYY-MM-DD.
func QuotaDay(t time.Time) string { return t.In(pacific).Format(time.DateOnly) }

// NextReset is the first Pacific midnight after t: when the quota resets.
// On daylight-saving days the quota day is 23 or 25 hours long.
func NextReset(t time.Time) time.Time {
	p := t.In(pacific)
	return time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, pacific).UTC()
}

// QuotaError reports a spent bucket and when it resets.
type QuotaError struct {
	Bucket string
	Used   int
	Limit  int
	Reset  time.Time
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("youtube quota %s used up (%d of %d) until %s", e.Bucket, e.Used, e.Limit, e.Reset.Format(time.RFC3339))
}

func (e *QuotaError) Unwrap() error { return ErrQuotaExceeded }

// Limits are the daily limits; zero fields mean the defaults.
type Limits struct {
	Insert int
	Units  int
}

func (l Limits) of(bucket string) int {
	if bucket == BucketInsert {
		if l.Insert > 0 {
			return l.Insert
		}
		return DefaultInsertLimit
	}
	if l.Units > 0 {
		return l.Units
	}
	return DefaultUnitsLimit
}

// Charge spends cost from bucket for the day of now, or fails with a
// QuotaError (spending nothing) when that would go over limit.
func (db *DB) Charge(ctx context.Context, bucket string, cost int, limits Limits, now time.Time) error {
	day, limit := QuotaDay(now), limits.of(bucket)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		var used int
		err := tx.QueryRowContext(ctx, `SELECT used FROM publish_quota WHERE day = ? AND bucket = ?`, day, bucket).Scan(&used)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read quota %s: %w", bucket, err)
		}
		if used+cost > limit {
			return &QuotaError{Bucket: bucket, Used: used, Limit: limit, Reset: NextReset(now)}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO publish_quota (day, bucket, used) VALUES (?, ?, ?)
			ON CONFLICT (day, bucket) DO UPDATE SET used = used + excluded.used`, day, bucket, cost); err != nil {
			return fmt.Errorf("charge quota %s: %w", bucket, err)
		}
		return nil
	})
}

// MarkSpent records that YouTube said bucket is spent for the day of now.
func (db *DB) MarkSpent(ctx context.Context, bucket string, limits Limits, now time.Time) error {
	day, limit := QuotaDay(now), limits.of(bucket)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO publish_quota (day, bucket, used) VALUES (?, ?, ?)
			ON CONFLICT (day, bucket) DO UPDATE SET used = MAX(used, excluded.used)`, day, bucket, limit)
		if err != nil {
			return fmt.Errorf("mark quota %s spent: %w", bucket, err)
		}
		return nil
	})
}

// QuotaUsage is one bucket's state for the Infrastructure page.
type QuotaUsage struct {
	Bucket string    `json:"bucket"`
	Used   int       `json:"used"`
	Limit  int       `json:"limit"`
	Reset  time.Time `json:"reset,omitzero"`
}

// Quota reports both buckets for the day of now.
func (db *DB) Quota(ctx context.Context, limits Limits, now time.Time) ([]QuotaUsage, error) {
	day := QuotaDay(now)
	out := make([]QuotaUsage, 0, 2)
	for _, b := range []string{BucketInsert, BucketUnits} {
		var used int
		err := db.st.ReadDB().QueryRowContext(ctx, `SELECT used FROM publish_quota WHERE day = ? AND bucket = ?`, day, b).Scan(&used)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read quota %s: %w", b, err)
		}
		out = append(out, QuotaUsage{Bucket: b, Used: used, Limit: limits.of(b), Reset: NextReset(now)})
	}
	return out, nil
}
