package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// AvailabilityDays is how far back health history is kept and charted.
const AvailabilityDays = 30

// Availability is one provider's share of health checks that passed.
type Availability struct {
	Provider string `json:"provider"`
	Checks   int    `json:"checks"`
	Passed   int    `json:"passed"`
	// Ratio is Passed/Checks over the whole period, 0–1; -1 when there
	// were no checks.
	Ratio float64 `json:"ratio"`
	// Daily holds one ratio per UTC day, oldest first, today last; -1 for
	// a day without checks.
	Daily []float64 `json:"daily"`
}

// dayCount is the checks of one provider on one UTC day (days since the
// epoch) and how many of them passed.
type dayCount struct {
	provider       string
	day            int64
	checks, passed int
}

// availability folds per-day counts into per-provider availability over
// the days days ending with today (days since the epoch, inclusive).
// Counts outside the period are ignored; several counts for one day add
// up. Providers come out sorted by name.
func availability(counts []dayCount, today int64, days int) []Availability {
	first := today - int64(days) + 1
	type acc struct{ checks, passed []int }
	byProv := map[string]*acc{}
	for _, c := range counts {
		if c.day < first || c.day > today || c.checks <= 0 {
			continue
		}
		a := byProv[c.provider]
		if a == nil {
			a = &acc{checks: make([]int, days), passed: make([]int, days)}
			byProv[c.provider] = a
		}
		a.checks[c.day-first] += c.checks
		a.passed[c.day-first] += min(c.passed, c.checks)
	}
	out := make([]Availability, 0, len(byProv))
	for name, a := range byProv {
		av := Availability{Provider: name, Daily: make([]float64, days)}
		for i := range days {
			av.Checks += a.checks[i]
			av.Passed += a.passed[i]
			av.Daily[i] = -1
			if a.checks[i] > 0 {
				av.Daily[i] = float64(a.passed[i]) / float64(a.checks[i])
			}
		}
		av.Ratio = float64(av.Passed) / float64(av.Checks)
		out = append(out, av)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Provider < out[j].Provider })
	return out
}

const dayMS = int64(24 * time.Hour / time.Millisecond)

// RecordCheck counts one health-check result of provider at at in its
// UTC day. A check no newer than the newest already counted that day is
// ignored, so recording the same check twice counts it once.
func (m *Monitor) RecordCheck(ctx context.Context, provider string, at time.Time, ok bool) error {
	result := "ok"
	if !ok {
		result = "failed"
	}
	m.met.healthChecks.WithLabelValues(provider, result).Inc()
	ms := at.UnixMilli()
	passed := 0
	if ok {
		passed = 1
	}
	err := m.store.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO monitor_check_days(provider, day, checks, passed, last_at) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT(provider, day) DO UPDATE SET checks = checks + 1, passed = passed + excluded.passed, last_at = excluded.last_at
			WHERE excluded.last_at > monitor_check_days.last_at`, provider, floorDiv(ms, dayMS), passed, ms)
		return err
	})
	if err != nil {
		return fmt.Errorf("record health check of %s: %w", provider, err)
	}
	return nil
}

// Availability is every provider's availability over the last days UTC
// days (today included), from the persisted health checks.
func (m *Monitor) Availability(ctx context.Context, days int) ([]Availability, error) {
	if days <= 0 || days > AvailabilityDays {
		days = AvailabilityDays
	}
	today := floorDiv(m.now().UnixMilli(), dayMS)
	first := today - int64(days) + 1
	rows, err := m.store.ReadDB().QueryContext(ctx, `SELECT provider, day, checks, passed FROM monitor_check_days WHERE day >= ?`, first)
	if err != nil {
		return nil, fmt.Errorf("read health history: %w", err)
	}
	defer rows.Close()
	var counts []dayCount
	for rows.Next() {
		var c dayCount
		if err := rows.Scan(&c.provider, &c.day, &c.checks, &c.passed); err != nil {
			return nil, fmt.Errorf("read health history: %w", err)
		}
		counts = append(counts, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read health history: %w", err)
	}
	return availability(counts, today, days), nil
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// pruneChecks deletes the days of health checks older than the charted period.
func (m *Monitor) pruneChecks(ctx context.Context) (int64, error) {
	cut := floorDiv(m.now().UnixMilli(), dayMS) - AvailabilityDays
	var n int64
	err := m.store.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM monitor_check_days WHERE day <= ?`, cut)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune health history: %w", err)
	}
	return n, nil
}
