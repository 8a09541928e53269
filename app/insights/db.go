package insights

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"tubeagency/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the name the insights migrations are recorded under.
const Component = "insights"

// Migrations are the component's schema files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded folder is fixed at build time
	}
	return sub
}

// DB reads and writes the insights tables of the store. It is safe for
// concurrent use.
type DB struct {
	st *store.Store

	mu  sync.Mutex
	gen map[string]uint64 // per channel id: bumped by every write of its videos
}

// OpenDB migrates the insights tables of st and returns a DB over them.
func OpenDB(ctx context.Context, st *store.Store) (*DB, error) {
	if err := st.Migrate(ctx, Component, Migrations()); err != nil {
		return nil, err
	}
	return &DB{st: st, gen: map[string]uint64{}}, nil
}

// batchSize bounds one write transaction of PutVideos, so a long import
// never holds the single writer for long.
const batchSize = 500

// PutVideos stores the latest numbers of videos and one snapshot each,
// taken at takenAt, in transactions of up to 500 videos.
func (db *DB) PutVideos(ctx context.Context, videos []Video, takenAt time.Time) error {
	for start := 0; start < len(videos); start += batchSize {
		end := min(start+batchSize, len(videos))
		if err := db.putBatch(ctx, videos[start:end], takenAt); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) bump(channelIDs ...string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, id := range channelIDs {
		db.gen[id]++
	}
}

func (db *DB) putBatch(ctx context.Context, videos []Video, takenAt time.Time) error {
	defer func() {
		seen := map[string]bool{}
		for _, v := range videos {
			if !seen[v.ChannelID] {
				seen[v.ChannelID] = true
				db.bump(v.ChannelID)
			}
		}
	}()
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `INSERT INTO insights_videos
			(channel_id, video_id, kind, title, published_at, duration_sec, views, likes, comments, source, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel_id, video_id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
			published_at = excluded.published_at,
			duration_sec = CASE WHEN excluded.duration_sec > 0 THEN excluded.duration_sec ELSE duration_sec END,
			views = excluded.views, likes = excluded.likes, comments = excluded.comments,
			source = excluded.source, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("prepare video upsert: %w", err)
		}
		defer up.Close()
		snap, err := tx.PrepareContext(ctx, `INSERT INTO insights_video_snapshots
			(channel_id, video_id, taken_at, views, likes, comments) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET views = excluded.views, likes = excluded.likes, comments = excluded.comments`)
		if err != nil {
			return fmt.Errorf("prepare snapshot: %w", err)
		}
		defer snap.Close()
		at := takenAt.UnixMilli()
		for _, v := range videos {
			if v.Kind == "" {
				v.Kind = KindOwn
			}
			if _, err := up.ExecContext(ctx, v.ChannelID, v.ID, v.Kind, v.Title, v.PublishedAt.UnixMilli(),
				v.DurationSec, v.Views, v.Likes, v.Comments, v.Source, at); err != nil {
				return fmt.Errorf("upsert video %s: %w", v.ID, err)
			}
			if _, err := snap.ExecContext(ctx, v.ChannelID, v.ID, at, v.Views, v.Likes, v.Comments); err != nil {
				return fmt.Errorf("snapshot video %s: %w", v.ID, err)
			}
		}
		return nil
	})
}

const videoCols = `channel_id, video_id, kind, title, published_at, duration_sec, views, likes, comments, source, updated_at`

func scanVideos(rows *sql.Rows) ([]Video, error) {
	defer rows.Close()
	out := []Video{}
	for rows.Next() {
		var v Video
		var pub, upd int64
		if err := rows.Scan(&v.ChannelID, &v.ID, &v.Kind, &v.Title, &pub, &v.DurationSec, &v.Views, &v.Likes,
			&v.Comments, &v.Source, &upd); err != nil {
			return nil, fmt.Errorf("scan video: %w", err)
		}
		v.PublishedAt = time.UnixMilli(pub).UTC()
		v.UpdatedAt = time.UnixMilli(upd).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Videos returns the videos stored under channelID, oldest first.
func (db *DB) Videos(ctx context.Context, channelID string) ([]Video, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT `+videoCols+` FROM insights_videos
		WHERE channel_id = ? ORDER BY published_at, video_id`, channelID)
	if err != nil {
		return nil, fmt.Errorf("list videos of %s: %w", channelID, err)
	}
	return scanVideos(rows)
}

// VideosOfKind returns every video of kind published at or after since.
func (db *DB) VideosOfKind(ctx context.Context, kind string, since time.Time) ([]Video, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT `+videoCols+` FROM insights_videos
		WHERE kind = ? AND published_at >= ? ORDER BY published_at, video_id`, kind, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("list %s videos: %w", kind, err)
	}
	return scanVideos(rows)
}

// DeleteVideo removes one video and its snapshots.
func (db *DB) DeleteVideo(ctx context.Context, channelID, videoID string) error {
	defer db.bump(channelID)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM insights_videos WHERE channel_id = ? AND video_id = ?`, channelID, videoID)
		if err != nil {
			return fmt.Errorf("delete video %s: %w", videoID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("video %s: %w", videoID, store.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM insights_video_snapshots WHERE channel_id = ? AND video_id = ?`, channelID, videoID)
		return err
	})
}

// Version changes whenever the videos of channelID change through db:
// models trained on them are stale when it differs. It reads no rows, so
// the title scorer can check it on every keystroke.
func (db *DB) Version(_ context.Context, channelID string) (string, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return strconv.FormatUint(db.gen[channelID], 10), nil
}

// Point is one value at one time.
type Point struct {
	At    time.Time `json:"at,omitzero"`
	Value float64   `json:"value"`
}

// ViewHistory is the channel's total views at each snapshot time: the sum
// over its videos of the newest snapshot taken at or before that time. It
// reads the snapshots once, in time order.
func (db *DB) ViewHistory(ctx context.Context, channelID string) ([]Point, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT taken_at, video_id, views FROM insights_video_snapshots
		WHERE channel_id = ? ORDER BY taken_at`, channelID)
	if err != nil {
		return nil, fmt.Errorf("read view history of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := []Point{}
	latest := map[string]int64{}
	var total, last int64
	started := false
	for rows.Next() {
		var at, views int64
		var id string
		if err := rows.Scan(&at, &id, &views); err != nil {
			return nil, fmt.Errorf("scan view history: %w", err)
		}
		if started && at != last {
			out = append(out, Point{At: time.UnixMilli(last).UTC(), Value: float64(total)})
		}
		total += views - latest[id]
		latest[id] = views
		last, started = at, true
	}
	if started {
		out = append(out, Point{At: time.UnixMilli(last).UTC(), Value: float64(total)})
	}
	return out, rows.Err()
}

// LatestChannelStats is channelID's newest channel snapshot; ok is false
// when there is none.
func (db *DB) LatestChannelStats(ctx context.Context, channelID string) (ChannelStats, bool, error) {
	s := ChannelStats{ChannelID: channelID}
	var at int64
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT taken_at, subscribers, views, videos FROM insights_channel_snapshots
		WHERE channel_id = ? ORDER BY taken_at DESC LIMIT 1`, channelID).Scan(&at, &s.Subscribers, &s.Views, &s.Videos)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("read channel stats of %s: %w", channelID, err)
	}
	s.TakenAt = time.UnixMilli(at).UTC()
	return s, true, nil
}

// PutChannelStats stores a channel-level snapshot.
func (db *DB) PutChannelStats(ctx context.Context, s ChannelStats) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO insights_channel_snapshots (channel_id, taken_at, subscribers, views, videos)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET subscribers = excluded.subscribers, views = excluded.views,
			videos = excluded.videos`, s.ChannelID, s.TakenAt.UnixMilli(), s.Subscribers, s.Views, s.Videos)
		if err != nil {
			return fmt.Errorf("store channel stats of %s: %w", s.ChannelID, err)
		}
		return nil
	})
}

// ChannelStatsHistory returns channelID's snapshots, oldest first.
func (db *DB) ChannelStatsHistory(ctx context.Context, channelID string) ([]ChannelStats, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT taken_at, subscribers, views, videos
		FROM insights_channel_snapshots WHERE channel_id = ? ORDER BY taken_at`, channelID)
	if err != nil {
		return nil, fmt.Errorf("read channel stats of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := []ChannelStats{}
	for rows.Next() {
		s := ChannelStats{ChannelID: channelID}
		var at int64
		if err := rows.Scan(&at, &s.Subscribers, &s.Views, &s.Videos); err != nil {
			return nil, fmt.Errorf("scan channel stats: %w", err)
		}
		s.TakenAt = time.UnixMilli(at).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// Competitor is a channel the user watches beside one of their own.
type Competitor struct {
	ID        string    `json:"id"`
	ChannelID string    `json:"channel_id"`
	YouTubeID string    `json:"youtube_id"`
	Title     string    `json:"title"`
	AddedAt   time.Time `json:"added_at,omitzero"`
}

// PutCompetitor adds (or renames) a competitor of c.ChannelID.
func (db *DB) PutCompetitor(ctx context.Context, c Competitor) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO insights_competitors (id, channel_id, youtube_id, title, added_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id, youtube_id) DO UPDATE SET title = excluded.title`,
			c.ID, c.ChannelID, c.YouTubeID, c.Title, c.AddedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("store competitor %s: %w", c.YouTubeID, err)
		}
		return nil
	})
}

// Competitors lists the competitors of channelID; an empty channelID lists all.
func (db *DB) Competitors(ctx context.Context, channelID string) ([]Competitor, error) {
	q := `SELECT id, channel_id, youtube_id, title, added_at FROM insights_competitors`
	var args []any
	if channelID != "" {
		q += ` WHERE channel_id = ?`
		args = append(args, channelID)
	}
	rows, err := db.st.ReadDB().QueryContext(ctx, q+` ORDER BY added_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list competitors: %w", err)
	}
	defer rows.Close()
	out := []Competitor{}
	for rows.Next() {
		var c Competitor
		var at int64
		if err := rows.Scan(&c.ID, &c.ChannelID, &c.YouTubeID, &c.Title, &at); err != nil {
			return nil, fmt.Errorf("scan competitor: %w", err)
		}
		c.AddedAt = time.UnixMilli(at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteCompetitor removes a competitor and the videos stored for it.
func (db *DB) DeleteCompetitor(ctx context.Context, id string) error {
	defer db.bump(id)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM insights_competitors WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete competitor %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("competitor %s: %w", id, store.ErrNotFound)
		}
		for _, table := range []string{"insights_videos", "insights_video_snapshots"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE channel_id = ?`, id); err != nil {
				return fmt.Errorf("delete videos of competitor %s: %w", id, err)
			}
		}
		return nil
	})
}

// Earning is what a channel actually earned in one month.
type Earning struct {
	ChannelID string    `json:"channel_id"`
	Month     string    `json:"month"` // YYYY-MM
	Amount    float64   `json:"amount"`
	Views     int64     `json:"views"`
	EnteredAt time.Time `json:"entered_at,omitzero"`
}

// PutEarning stores (or replaces) one month's earnings.
func (db *DB) PutEarning(ctx context.Context, e Earning) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO insights_earnings (channel_id, month, amount, views, entered_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET amount = excluded.amount, views = excluded.views,
			entered_at = excluded.entered_at`, e.ChannelID, e.Month, e.Amount, e.Views, e.EnteredAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("store earnings of %s %s: %w", e.ChannelID, e.Month, err)
		}
		return nil
	})
}

// Earnings lists channelID's entered months, oldest first.
func (db *DB) Earnings(ctx context.Context, channelID string) ([]Earning, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT month, amount, views, entered_at FROM insights_earnings
		WHERE channel_id = ? ORDER BY month`, channelID)
	if err != nil {
		return nil, fmt.Errorf("list earnings of %s: %w", channelID, err)
	}
	defer rows.Close()
	out := []Earning{}
	for rows.Next() {
		e := Earning{ChannelID: channelID}
		var at int64
		if err := rows.Scan(&e.Month, &e.Amount, &e.Views, &at); err != nil {
			return nil, fmt.Errorf("scan earnings: %w", err)
		}
		e.EnteredAt = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteEarning removes one month's entry.
func (db *DB) DeleteEarning(ctx context.Context, channelID, month string) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM insights_earnings WHERE channel_id = ? AND month = ?`, channelID, month)
		if err != nil {
			return fmt.Errorf("delete earnings %s: %w", month, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("earnings %s: %w", month, store.ErrNotFound)
		}
		return nil
	})
}

// AddQuota records units spent on day and returns the day's total.
func (db *DB) AddQuota(ctx context.Context, day string, units int) (int, error) {
	var total int
	err := db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO insights_quota (day, units) VALUES (?, ?)
			ON CONFLICT (day) DO UPDATE SET units = units + excluded.units RETURNING units`, day, units).Scan(&total); err != nil {
			return fmt.Errorf("record quota of %s: %w", day, err)
		}
		return nil
	})
	return total, err
}

// QuotaUsed is the units spent on day.
func (db *DB) QuotaUsed(ctx context.Context, day string) (int, error) {
	var n int
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT units FROM insights_quota WHERE day = ?`, day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read quota of %s: %w", day, err)
	}
	return n, nil
}

// ChartKey is the ChannelID chart videos are stored under.
func ChartKey(region, category string) string {
	return "chart:" + strings.ToUpper(region) + "/" + category
}

// PutChart replaces the stored most-popular chart of region and category.
func (db *DB) PutChart(ctx context.Context, region, category string, fetchedAt time.Time, videos []Video) error {
	key := ChartKey(region, category)
	err := db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM insights_videos WHERE channel_id = ?`, key); err != nil {
			return fmt.Errorf("clear chart %s: %w", key, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO insights_charts (region, category, fetched_at) VALUES (?, ?, ?)
			ON CONFLICT DO UPDATE SET fetched_at = excluded.fetched_at`, strings.ToUpper(region), category, fetchedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("record chart %s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range videos {
		videos[i].ChannelID, videos[i].Kind = key, KindChart
	}
	return db.PutVideos(ctx, videos, fetchedAt)
}

// Chart returns the last stored chart of region and category and when it
// was fetched (the zero time when never).
func (db *DB) Chart(ctx context.Context, region, category string) (time.Time, []Video, error) {
	var at int64
	err := db.st.ReadDB().QueryRowContext(ctx, `SELECT fetched_at FROM insights_charts WHERE region = ? AND category = ?`,
		strings.ToUpper(region), category).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, []Video{}, nil
	}
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("read chart: %w", err)
	}
	vids, err := db.Videos(ctx, ChartKey(region, category))
	return time.UnixMilli(at).UTC(), vids, err
}
