package insights

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tubeagency/internal/store"
)

// DayLayout is how a YouTube Analytics day is written: YYYY-MM-DD, in
// Pacific time (YouTube's reporting day).
const DayLayout = "2006-01-02"

// DailyStats is one video's YouTube Analytics numbers on one day.
type DailyStats struct {
	VideoID      string  `json:"video_id"`
	Day          string  `json:"day"` // YYYY-MM-DD
	Views        int64   `json:"views"`
	WatchMinutes float64 `json:"watch_minutes"`
	AvgViewSec   float64 `json:"avg_view_sec"`
	AvgViewPct   float64 `json:"avg_view_pct"`
	Subscribers  int64   `json:"subscribers"`
	// Revenue is the estimated revenue in US dollars, when HasRevenue.
	Revenue    float64 `json:"revenue"`
	HasRevenue bool    `json:"has_revenue"`
}

// DailyReach is one video's thumbnail impressions on one day, from a
// YouTube Reporting API reach report.
type DailyReach struct {
	VideoID     string  `json:"video_id"`
	Day         string  `json:"day"`
	Impressions int64   `json:"impressions"`
	CTR         float64 `json:"ctr"` // percent
}

// PutDailyStats stores rows of channelID and, in the same transaction,
// records through[video] as the last day fetched for each video, so an
// interrupted sync resumes where the stored rows end.
func (db *DB) PutDailyStats(ctx context.Context, channelID string, rows []DailyStats, through map[string]string) error {
	defer db.bump(channelID)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `INSERT INTO insights_video_days
			(channel_id, video_id, day, views, watch_minutes, avg_view_sec, avg_view_pct, subscribers, revenue)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET views = excluded.views, watch_minutes = excluded.watch_minutes,
			avg_view_sec = excluded.avg_view_sec, avg_view_pct = excluded.avg_view_pct,
			subscribers = excluded.subscribers, revenue = COALESCE(excluded.revenue, revenue)`)
		if err != nil {
			return fmt.Errorf("prepare daily stats: %w", err)
		}
		defer up.Close()
		for _, r := range rows {
			if _, err := up.ExecContext(ctx, channelID, r.VideoID, r.Day, r.Views, r.WatchMinutes, r.AvgViewSec,
				r.AvgViewPct, r.Subscribers, nullFloat(r.Revenue, r.HasRevenue)); err != nil {
				return fmt.Errorf("store daily stats of %s on %s: %w", r.VideoID, r.Day, err)
			}
		}
		return putThrough(ctx, tx, channelID, through)
	})
}

func putThrough(ctx context.Context, tx *sql.Tx, channelID string, through map[string]string) error {
	if len(through) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO insights_analytics_videos (channel_id, video_id, through)
		VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET through = MAX(through, excluded.through)`)
	if err != nil {
		return fmt.Errorf("prepare fetched days: %w", err)
	}
	defer st.Close()
	for id, day := range through {
		if _, err := st.ExecContext(ctx, channelID, id, day); err != nil {
			return fmt.Errorf("record fetched days of %s: %w", id, err)
		}
	}
	return nil
}

// FetchedThrough maps each video of channelID to the last day whose daily
// numbers are stored.
func (db *DB) FetchedThrough(ctx context.Context, channelID string) (map[string]string, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT video_id, through FROM insights_analytics_videos WHERE channel_id = ?`, channelID)
	if err != nil {
		return nil, fmt.Errorf("read fetched days of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, day string
		if err := rows.Scan(&id, &day); err != nil {
			return nil, fmt.Errorf("scan fetched days: %w", err)
		}
		out[id] = day
	}
	return out, rows.Err()
}

// Report is a reach report already imported.
type Report struct {
	ID        string    `json:"id"`
	StartDay  string    `json:"start_day"`
	CreatedAt time.Time `json:"created_at"`
	Rows      int       `json:"rows"`
}

// PutReach stores the impressions of one reach report and records the
// report as imported, in one transaction: a report is imported whole or
// not at all.
func (db *DB) PutReach(ctx context.Context, channelID string, rep Report, rows []DailyReach, importedAt time.Time) error {
	defer db.bump(channelID)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `INSERT INTO insights_video_days (channel_id, video_id, day, impressions, ctr)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET impressions = excluded.impressions, ctr = excluded.ctr`)
		if err != nil {
			return fmt.Errorf("prepare reach: %w", err)
		}
		defer up.Close()
		for _, r := range rows {
			if _, err := up.ExecContext(ctx, channelID, r.VideoID, r.Day, r.Impressions, r.CTR); err != nil {
				return fmt.Errorf("store reach of %s on %s: %w", r.VideoID, r.Day, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO insights_reports (channel_id, report_id, start_day, created_at, imported_at, rows)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, channelID, rep.ID, rep.StartDay, rep.CreatedAt.UnixMilli(),
			importedAt.UnixMilli(), len(rows)); err != nil {
			return fmt.Errorf("record report %s: %w", rep.ID, err)
		}
		return nil
	})
}

// ImportedReports returns the ids of channelID's imported reach reports.
func (db *DB) ImportedReports(ctx context.Context, channelID string) (map[string]bool, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT report_id FROM insights_reports WHERE channel_id = ?`, channelID)
	if err != nil {
		return nil, fmt.Errorf("read imported reports of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan report: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// ReachSummary is what the imported reach reports hold for a channel.
type ReachSummary struct {
	Reports  int    `json:"reports"`
	FirstDay string `json:"first_day"` // "" when none
	LastDay  string `json:"last_day"`
}

// Reach summarises channelID's imported reach reports.
func (db *DB) Reach(ctx context.Context, channelID string) (ReachSummary, error) {
	var s ReachSummary
	var first, last sql.NullString
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT COUNT(*), MIN(start_day), MAX(start_day) FROM insights_reports
		WHERE channel_id = ?`, channelID).Scan(&s.Reports, &first, &last)
	if err != nil {
		return s, fmt.Errorf("read reach of %s: %w", channelID, err)
	}
	s.FirstDay, s.LastDay = first.String, last.String
	return s, nil
}

// ApplyDailyTotals sets each video's impressions and click-through rate
// from its stored days (the rate weighted by impressions), for every video
// of channelID that has reach days.
func (db *DB) ApplyDailyTotals(ctx context.Context, channelID string) error {
	defer db.bump(channelID)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE insights_videos SET
			impressions = t.impressions,
			ctr = CASE WHEN t.impressions > 0 THEN t.clicks * 100.0 / t.impressions ELSE 0 END
			FROM (SELECT video_id, SUM(impressions) AS impressions, SUM(impressions * ctr / 100.0) AS clicks
				FROM insights_video_days WHERE channel_id = ? AND impressions IS NOT NULL GROUP BY video_id) AS t
			WHERE insights_videos.channel_id = ? AND insights_videos.video_id = t.video_id`, channelID, channelID)
		if err != nil {
			return fmt.Errorf("total the reach of %s: %w", channelID, err)
		}
		return nil
	})
}

// VideoMetrics are a video's lifetime analytics numbers.
type VideoMetrics struct {
	VideoID     string
	Views       int64
	WatchHours  float64
	AvgViewSec  float64
	AvgViewPct  float64
	Subscribers int64
	Revenue     float64
	HasRevenue  bool
}

// PutVideoMetrics updates the lifetime analytics numbers of channelID's
// stored videos (videos not stored are skipped) and returns how many it
// updated. Views only ever grow: a total from an analytics day YouTube
// has not finished counting never lowers the Data API's.
func (db *DB) PutVideoMetrics(ctx context.Context, channelID string, ms []VideoMetrics, at time.Time) (int, error) {
	defer db.bump(channelID)
	n := 0
	err := db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `UPDATE insights_videos SET views = MAX(views, ?), watch_hours = ?,
			avg_view_sec = ?, avg_view_pct = ?, subscribers = ?, revenue = COALESCE(?, revenue),
			revenue_views = COALESCE(?, revenue_views), updated_at = ?
			WHERE channel_id = ? AND video_id = ?`)
		if err != nil {
			return fmt.Errorf("prepare video metrics: %w", err)
		}
		defer up.Close()
		for _, m := range ms {
			res, err := up.ExecContext(ctx, m.Views, m.WatchHours, m.AvgViewSec, m.AvgViewPct, m.Subscribers,
				nullFloat(m.Revenue, m.HasRevenue), nullInt(m.Views, m.HasRevenue), at.UnixMilli(), channelID, m.VideoID)
			if err != nil {
				return fmt.Errorf("store metrics of %s: %w", m.VideoID, err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}

// MonthlyVideo is one video's views and revenue in one month, summed from
// its days.
type MonthlyVideo struct {
	VideoID    string
	Month      string // YYYY-MM
	Views      int64
	Revenue    float64
	HasRevenue bool // every day with views in the month carried revenue
}

// MonthlyByVideo sums channelID's stored days per video and month.
func (db *DB) MonthlyByVideo(ctx context.Context, channelID string) ([]MonthlyVideo, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT video_id, substr(day, 1, 7) AS month,
		COALESCE(SUM(views), 0), COALESCE(SUM(revenue), 0),
		SUM(CASE WHEN views IS NOT NULL AND revenue IS NULL THEN 1 ELSE 0 END) = 0 AND COUNT(revenue) > 0
		FROM insights_video_days WHERE channel_id = ? AND views IS NOT NULL
		GROUP BY video_id, month ORDER BY month, video_id`, channelID)
	if err != nil {
		return nil, fmt.Errorf("read monthly numbers of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := []MonthlyVideo{}
	for rows.Next() {
		var m MonthlyVideo
		if err := rows.Scan(&m.VideoID, &m.Month, &m.Views, &m.Revenue, &m.HasRevenue); err != nil {
			return nil, fmt.Errorf("scan monthly numbers: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DayTotal is a channel's numbers on one day, summed over its videos.
type DayTotal struct {
	Day     string  `json:"day"`
	Views   int64   `json:"views"`
	Revenue float64 `json:"revenue"`
}

// DailyTotals sums channelID's stored days from fromDay to toDay
// (inclusive, YYYY-MM-DD), oldest first; days without rows are left out.
func (db *DB) DailyTotals(ctx context.Context, channelID, fromDay, toDay string) ([]DayTotal, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT day, COALESCE(SUM(views), 0), COALESCE(SUM(revenue), 0)
		FROM insights_video_days WHERE channel_id = ? AND day >= ? AND day <= ? AND views IS NOT NULL
		GROUP BY day ORDER BY day`, channelID, fromDay, toDay)
	if err != nil {
		return nil, fmt.Errorf("read daily totals of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := []DayTotal{}
	for rows.Next() {
		var d DayTotal
		if err := rows.Scan(&d.Day, &d.Views, &d.Revenue); err != nil {
			return nil, fmt.Errorf("scan daily totals: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// LastStatsDay is the newest day with Analytics views stored for
// channelID ("" when none).
func (db *DB) LastStatsDay(ctx context.Context, channelID string) (string, error) {
	var day sql.NullString
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT MAX(day) FROM insights_video_days WHERE channel_id = ? AND views IS NOT NULL`,
		channelID).Scan(&day)
	if err != nil {
		return "", fmt.Errorf("read the last day of %s: %w", channelID, err)
	}
	return day.String, nil
}

// Revenue states of an analytics link.
const (
	RevenueUnknown      = ""              // not asked yet
	RevenueYes          = "yes"           // estimated revenue arrives
	RevenueNoScope      = "no-scope"      // the monetary scope was not granted
	RevenueNotMonetised = "not-monetised" // YouTube refuses revenue: the channel is not in the Partner Program
)

// AnalyticsLink is a channel linked to YouTube Analytics with a Google
// sign-in. The grant itself lives in the key store under Account.
type AnalyticsLink struct {
	ChannelID    string    `json:"channel_id"`
	Account      string    `json:"account"`
	YouTubeID    string    `json:"youtube_id"`
	JobID        string    `json:"job_id"`
	JobCreatedAt time.Time `json:"job_created_at"`
	Revenue      string    `json:"revenue"`
	LinkedAt     time.Time `json:"linked_at"`
	LastSync     time.Time `json:"last_sync"`
	LastAttempt  time.Time `json:"last_attempt"`
	LastError    string    `json:"last_error"`
	RetryAt      time.Time `json:"retry_at"`
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func timeMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// PutAnalyticsLink stores (or replaces) l.
func (db *DB) PutAnalyticsLink(ctx context.Context, l AnalyticsLink) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO insights_analytics (channel_id, account, youtube_id, job_id, job_created_at,
			revenue, linked_at, last_sync, last_attempt, last_error, retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET account = excluded.account, youtube_id = excluded.youtube_id, job_id = excluded.job_id,
			job_created_at = excluded.job_created_at, revenue = excluded.revenue, linked_at = excluded.linked_at,
			last_sync = excluded.last_sync, last_attempt = excluded.last_attempt, last_error = excluded.last_error,
			retry_at = excluded.retry_at`,
			l.ChannelID, l.Account, l.YouTubeID, l.JobID, timeMs(l.JobCreatedAt), l.Revenue, timeMs(l.LinkedAt),
			timeMs(l.LastSync), timeMs(l.LastAttempt), l.LastError, timeMs(l.RetryAt))
		if err != nil {
			return fmt.Errorf("store the analytics link of %s: %w", l.ChannelID, err)
		}
		return nil
	})
}

const linkCols = `channel_id, account, youtube_id, job_id, job_created_at, revenue, linked_at, last_sync, last_attempt, last_error, retry_at`

func scanLink(sc interface{ Scan(...any) error }) (AnalyticsLink, error) {
	var l AnalyticsLink
	var job, linked, last, attempt, retry int64
	err := sc.Scan(&l.ChannelID, &l.Account, &l.YouTubeID, &l.JobID, &job, &l.Revenue, &linked, &last, &attempt, &l.LastError, &retry)
	l.JobCreatedAt, l.LinkedAt, l.LastSync, l.LastAttempt, l.RetryAt = msTime(job), msTime(linked), msTime(last), msTime(attempt), msTime(retry)
	return l, err
}

// AnalyticsLinkOf returns channelID's link, or an error wrapping
// store.ErrNotFound.
func (db *DB) AnalyticsLinkOf(ctx context.Context, channelID string) (AnalyticsLink, error) {
	l, err := scanLink(db.st.ReadDB().QueryRowContext(ctx, `SELECT `+linkCols+` FROM insights_analytics WHERE channel_id = ?`, channelID))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("analytics link of %s: %w", channelID, store.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("read the analytics link of %s: %w", channelID, err)
	}
	return l, nil
}

// AnalyticsLinks lists every linked channel.
func (db *DB) AnalyticsLinks(ctx context.Context) ([]AnalyticsLink, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT `+linkCols+` FROM insights_analytics ORDER BY linked_at, channel_id`)
	if err != nil {
		return nil, fmt.Errorf("list analytics links: %w", err)
	}
	defer rows.Close()
	out := []AnalyticsLink{}
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("scan analytics link: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DeleteAnalyticsLink forgets channelID's link and which days were
// fetched; the stored numbers stay (Insights keeps working from them).
func (db *DB) DeleteAnalyticsLink(ctx context.Context, channelID string) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM insights_analytics WHERE channel_id = ?`,
			`DELETE FROM insights_analytics_videos WHERE channel_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, channelID); err != nil {
				return fmt.Errorf("unlink analytics of %s: %w", channelID, err)
			}
		}
		return nil
	})
}

// AddAPIQuota records units spent on api on day and returns the day's total.
func (db *DB) AddAPIQuota(ctx context.Context, api, day string, units int) (int, error) {
	var total int
	err := db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO insights_api_quota (api, day, units) VALUES (?, ?, ?)
			ON CONFLICT DO UPDATE SET units = units + excluded.units RETURNING units`, api, day, units).Scan(&total); err != nil {
			return fmt.Errorf("record %s quota of %s: %w", api, day, err)
		}
		return nil
	})
	return total, err
}

// APIQuotaUsed is the units spent on api on day.
func (db *DB) APIQuotaUsed(ctx context.Context, api, day string) (int, error) {
	var n int
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT units FROM insights_api_quota WHERE api = ? AND day = ?`, api, day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s quota of %s: %w", api, day, err)
	}
	return n, nil
}

// NicheCategory is channelID's chosen niche category ("" when none).
func (db *DB) NicheCategory(ctx context.Context, channelID string) (string, error) {
	var c string
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT niche_category FROM insights_channel_settings WHERE channel_id = ?`,
		channelID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the niche category of %s: %w", channelID, err)
	}
	return c, nil
}

// SetNicheCategory stores channelID's niche category ("" clears it).
func (db *DB) SetNicheCategory(ctx context.Context, channelID, category string) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO insights_channel_settings (channel_id, niche_category) VALUES (?, ?)
			ON CONFLICT DO UPDATE SET niche_category = excluded.niche_category`, channelID, category)
		if err != nil {
			return fmt.Errorf("store the niche category of %s: %w", channelID, err)
		}
		return nil
	})
}

// ViewsByVideo sums each video's stored views from fromDay to toDay
// (inclusive).
func (db *DB) ViewsByVideo(ctx context.Context, channelID, fromDay, toDay string) (map[string]int64, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT video_id, COALESCE(SUM(views), 0) FROM insights_video_days
		WHERE channel_id = ? AND day >= ? AND day <= ? AND views IS NOT NULL GROUP BY video_id`, channelID, fromDay, toDay)
	if err != nil {
		return nil, fmt.Errorf("read views by video of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("scan views by video: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// DayRows counts channelID's stored video days with Analytics views.
func (db *DB) DayRows(ctx context.Context, channelID string) (int, error) {
	var n int
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM insights_video_days WHERE channel_id = ? AND views IS NOT NULL`,
		channelID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the days of %s: %w", channelID, err)
	}
	return n, nil
}
