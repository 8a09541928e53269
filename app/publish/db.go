package publish

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"tubeagency/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the name the publish migrations are recorded under.
const Component = "publish"

// Migrations are the component's schema files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded folder is fixed at build time
	}
	return sub
}

// DB reads and writes the publish tables of the store. It is safe for
// concurrent use.
type DB struct {
	st  *store.Store
	now func() time.Time
}

// OpenDB migrates the publish tables of st. now is the clock jobs are
// stamped and found due by; nil means the store's.
func OpenDB(ctx context.Context, st *store.Store, now func() time.Time) (*DB, error) {
	if err := st.Migrate(ctx, Component, Migrations()); err != nil {
		return nil, err
	}
	if now == nil {
		now = st.Now
	}
	return &DB{st: st, now: now}, nil
}

// Job is one upload. SessionURI is kept out of JSON: it lets anyone holding
// it upload into the session.
type Job struct {
	ID               string    `json:"id"`
	PackageID        string    `json:"package_id"`
	ChannelID        string    `json:"channel_id"`
	Account          string    `json:"account"`
	YouTubeChannelID string    `json:"youtube_channel_id"`
	State            State     `json:"state"`
	ByHand           bool      `json:"by_hand"`
	VideoPath        string    `json:"video_path"`
	VideoType        string    `json:"video_type"`
	VideoSize        int64     `json:"video_size"`
	Meta             Metadata  `json:"meta"`
	ThumbnailPath    string    `json:"thumbnail_path"`
	CaptionsPath     string    `json:"captions_path"`
	UploadCaptions   bool      `json:"upload_captions"`
	SessionURI       string    `json:"-"`
	Offset           int64     `json:"offset"` // bytes YouTube confirmed
	SessionRestarts  int       `json:"session_restarts"`
	VideoID          string    `json:"video_id"`
	ThumbnailDone    bool      `json:"thumbnail_done"`
	CaptionID        string    `json:"caption_id"`
	RunAfter         time.Time `json:"run_after,omitzero"`
	Attempts         int       `json:"attempts"`
	Note             string    `json:"note"`
	PublishedAt      time.Time `json:"published_at,omitzero"`
	CreatedAt        time.Time `json:"created_at,omitzero"`
	UpdatedAt        time.Time `json:"updated_at,omitzero"`
}

// Published is the job's state on YouTube (zero VideoID before upload).
func (j Job) Published() Published {
	p := Published{PackageID: j.PackageID, ChannelID: j.ChannelID, VideoID: j.VideoID, PublishAt: j.Meta.PublishAt,
		ByHand: j.ByHand, At: j.PublishedAt}
	if j.VideoID != "" {
		p.URL = WatchURL(j.VideoID)
		p.Status = publishedStatus(j.Meta, j.PublishedAt)
	}
	return p
}

// NewJob is what Enqueue takes.
type NewJob struct {
	PackageID      string
	ChannelID      string
	VideoPath      string
	Meta           Metadata
	ThumbnailPath  string // empty: YouTube picks a frame
	CaptionsPath   string // an .srt file; empty: none
	UploadCaptions bool
	// Auto marks a job queued by autopilot: for a channel that has not
	// confirmed a first publish it waits in StateConfirm.
	Auto bool
}

const jobColumns = `id, package_id, channel_id, account, youtube_channel_id, state, by_hand, video_path, video_type, video_size,
	meta, thumbnail_path, captions_path, upload_captions, session_uri, offset_bytes, session_restarts, video_id,
	thumbnail_done, caption_id, run_after, attempts, note, published_at, created_at, updated_at`

type scanner interface{ Scan(...any) error }

func scanJob(s scanner) (Job, error) {
	var j Job
	var meta string
	var runAfter, published, created, updated int64
	err := s.Scan(&j.ID, &j.PackageID, &j.ChannelID, &j.Account, &j.YouTubeChannelID, &j.State, &j.ByHand, &j.VideoPath,
		&j.VideoType, &j.VideoSize, &meta, &j.ThumbnailPath, &j.CaptionsPath, &j.UploadCaptions, &j.SessionURI, &j.Offset,
		&j.SessionRestarts, &j.VideoID, &j.ThumbnailDone, &j.CaptionID, &runAfter, &j.Attempts, &j.Note, &published,
		&created, &updated)
	if err != nil {
		return Job{}, err
	}
	if err := json.Unmarshal([]byte(meta), &j.Meta); err != nil {
		return Job{}, fmt.Errorf("job %s: metadata: %w", j.ID, err)
	}
	j.RunAfter = fromMillis(runAfter)
	j.PublishedAt = fromMillis(published)
	j.CreatedAt = fromMillis(created)
	j.UpdatedAt = fromMillis(updated)
	return j, nil
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// videoType is the MIME type of a video file by its extension.
func videoType(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".mov":
		return "video/quicktime"
	case ".webm":
		return "video/webm"
	case ".mkv":
		return "video/x-matroska"
	}
	if t := mime.TypeByExtension(filepath.Ext(path)); strings.HasPrefix(t, "video/") {
		return t
	}
	return "application/octet-stream"
}

// checkFile reports a missing or unusable file as a FieldError.
func checkFile(field, path string, maxBytes int64, exts ...string) (int64, error) {
	if path == "" {
		return 0, fieldErr(field, "a file is required")
	}
	if !filepath.IsAbs(path) {
		return 0, fieldErr(field, "must be an absolute path")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fieldErr(field, "cannot read %s", path)
	}
	if !fi.Mode().IsRegular() || fi.Size() == 0 {
		return 0, fieldErr(field, "%s is not a non-empty file", path)
	}
	if maxBytes > 0 && fi.Size() > maxBytes {
		return 0, fieldErr(field, "%s is larger than YouTube accepts (%d MB)", path, maxBytes>>20)
	}
	if len(exts) > 0 {
		ext := strings.ToLower(filepath.Ext(path))
		ok := false
		for _, e := range exts {
			ok = ok || e == ext
		}
		if !ok {
			return 0, fieldErr(field, "must be a %s file", strings.Join(exts, ", "))
		}
	}
	return fi.Size(), nil
}

// File limits YouTube enforces.
const (
	MaxVideoBytes     = 256 << 30 // 256 GB
	MaxThumbnailBytes = 2 << 20   // 2 MB
	MaxCaptionBytes   = 10 << 20
)

// Enqueue validates nj and stores a new job: queued when the channel is
// linked (or waiting for confirmation, see NewJob.Auto). Bad input returns a
// FieldError and writes nothing.
func (db *DB) Enqueue(ctx context.Context, nj NewJob) (Job, error) {
	now := db.now()
	nj.Meta.Normalize()
	switch {
	case strings.TrimSpace(nj.PackageID) == "":
		return Job{}, fieldErr("package_id", "a package is required")
	case strings.TrimSpace(nj.ChannelID) == "":
		return Job{}, fieldErr("channel_id", "a channel is required")
	}
	if err := nj.Meta.Validate(now); err != nil {
		return Job{}, err
	}
	size, err := checkFile("video_path", nj.VideoPath, MaxVideoBytes)
	if err != nil {
		return Job{}, err
	}
	if nj.ThumbnailPath != "" {
		if _, err := checkFile("thumbnail_path", nj.ThumbnailPath, MaxThumbnailBytes, ".png", ".jpg", ".jpeg"); err != nil {
			return Job{}, err
		}
	}
	if nj.UploadCaptions {
		if _, err := checkFile("captions_path", nj.CaptionsPath, MaxCaptionBytes, ".srt"); err != nil {
			return Job{}, err
		}
	}
	meta, err := json.Marshal(nj.Meta)
	if err != nil {
		return Job{}, fmt.Errorf("encode metadata: %w", err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	err = db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		cs, err := channelSettingsTx(ctx, tx, nj.ChannelID)
		if err != nil {
			return err
		}
		if cs.YouTubeChannelID == "" || cs.Account == "" {
			return fmt.Errorf("enqueue %s: %w", nj.ChannelID, ErrNotLinked)
		}
		state := StateQueued
		if nj.Auto && cs.ConfirmedAt.IsZero() {
			state = StateConfirm
		}
		if !nj.Auto && cs.ConfirmedAt.IsZero() { // publishing by hand is the confirmation
			if _, err := tx.ExecContext(ctx, `UPDATE publish_channels SET confirmed_at = ?, updated_at = ? WHERE channel_id = ?`,
				now.UnixMilli(), now.UnixMilli(), nj.ChannelID); err != nil {
				return fmt.Errorf("confirm channel %s: %w", nj.ChannelID, err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO publish_jobs (id, package_id, channel_id, account, youtube_channel_id, state,
			video_path, video_type, video_size, meta, thumbnail_path, captions_path, upload_captions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, nj.PackageID, nj.ChannelID, cs.Account, cs.YouTubeChannelID, state, nj.VideoPath, videoType(nj.VideoPath), size,
			string(meta), nj.ThumbnailPath, nj.CaptionsPath, nj.UploadCaptions, now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return fmt.Errorf("insert publish job: %w", err)
		}
		return nil
	})
	if err != nil {
		return Job{}, err
	}
	return db.Job(ctx, id)
}

// Job reads one job.
func (db *DB) Job(ctx context.Context, id string) (Job, error) {
	j, err := scanJob(db.st.ReadDB().QueryRowContext(ctx, `SELECT `+jobColumns+` FROM publish_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read job %s: %w", id, err)
	}
	return j, nil
}

// Filter selects jobs for Jobs. Zero fields do not filter.
type Filter struct {
	ChannelID string
	PackageID string
	States    []State
	// From and To bound the job's calendar time: PublishAt, else when it
	// was published, else when it was created.
	From, To time.Time
	Limit    int // zero means 500
}

// Jobs lists jobs, oldest first.
func (db *DB) Jobs(ctx context.Context, f Filter) ([]Job, error) {
	q := `SELECT ` + jobColumns + ` FROM publish_jobs WHERE 1=1`
	var args []any
	if f.ChannelID != "" {
		q += ` AND channel_id = ?`
		args = append(args, f.ChannelID)
	}
	if f.PackageID != "" {
		q += ` AND package_id = ?`
		args = append(args, f.PackageID)
	}
	if len(f.States) > 0 {
		q += ` AND state IN (?` + strings.Repeat(`, ?`, len(f.States)-1) + `)`
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.Limit <= 0 {
		f.Limit = 500
	}
	q += ` ORDER BY created_at, id`
	rows, err := db.st.ReadDB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		at := j.CalendarTime()
		if (!f.From.IsZero() && at.Before(f.From)) || (!f.To.IsZero() && !at.Before(f.To)) {
			continue
		}
		out = append(out, j)
		if len(out) == f.Limit {
			break
		}
	}
	return out, rows.Err()
}

// CalendarTime is where the job sits on a calendar: its PublishAt, else
// when it reached YouTube, else when it was queued.
func (j Job) CalendarTime() time.Time {
	switch {
	case !j.Meta.PublishAt.IsZero():
		return j.Meta.PublishAt
	case !j.PublishedAt.IsZero():
		return j.PublishedAt
	}
	return j.CreatedAt
}

// due lists active jobs whose RunAfter has come, oldest first.
func (db *DB) due(ctx context.Context, now time.Time, limit int) ([]Job, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT `+jobColumns+` FROM publish_jobs
		WHERE state IN ('queued', 'uploading', 'finishing', 'deferred') AND run_after <= ?
		ORDER BY run_after, created_at, id LIMIT ?`, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("list due jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list due jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// OpenPackages lists the packages with an upload that is not over (any
// state but done and cancelled): their files may still be read.
func (db *DB) OpenPackages(ctx context.Context) (map[string]bool, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT DISTINCT package_id FROM publish_jobs WHERE state NOT IN ('done', 'cancelled')`)
	if err != nil {
		return nil, fmt.Errorf("list packages with open uploads: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list packages with open uploads: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list packages with open uploads: %w", err)
	}
	return out, nil
}

// unreported lists done jobs whose Published was not yet accepted by the
// app.
func (db *DB) unreported(ctx context.Context) ([]Job, error) {
	rows, err := db.st.ReadDB().QueryContext(ctx, `SELECT `+jobColumns+` FROM publish_jobs
		WHERE reported = 0 AND video_id != '' ORDER BY updated_at LIMIT 100`)
	if err != nil {
		return nil, fmt.Errorf("list unreported jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func (db *DB) markReported(ctx context.Context, id string) error {
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE publish_jobs SET reported = 1 WHERE id = ?`, id)
		return err
	})
}

// update applies set (a column list such as "state = ?, note = ?") to job
// id, stamping updated_at.
func (db *DB) update(ctx context.Context, id, set string, args ...any) error {
	args = append(args, db.now().UnixMilli(), id)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE publish_jobs SET `+set+`, updated_at = ? WHERE id = ?`, args...)
		if err != nil {
			return fmt.Errorf("update job %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("update job %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

// saveSession records a new upload session (offset 0).
func (db *DB) saveSession(ctx context.Context, id, uri string, restarts int) error {
	return db.updateRunning(ctx, id, `state = 'uploading', session_uri = ?, offset_bytes = 0, session_restarts = ?, note = ''`, uri, restarts)
}

// saveOffset records the bytes YouTube confirmed.
func (db *DB) saveOffset(ctx context.Context, id string, offset int64) error {
	return db.updateRunning(ctx, id, `state = 'uploading', offset_bytes = ?`, offset)
}

// errStopped: the user cancelled the job, or unlinked its channel, while it
// ran; what the run learns after that is not written over their choice.
var errStopped = errors.New("the upload was stopped")

// updateRunning is update for what a run writes: it leaves a job the user
// stopped meanwhile (cancelled or unlinked) as they left it and reports
// errStopped. Without it, a chunk answered just after Cancel marked the job
// uploading again, and the next dispatch sent the rest.
func (db *DB) updateRunning(ctx context.Context, id, set string, args ...any) error {
	args = append(args, db.now().UnixMilli(), id)
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE publish_jobs SET `+set+`, updated_at = ?
			WHERE id = ? AND state NOT IN ('cancelled', 'unlinked')`, args...)
		if err != nil {
			return fmt.Errorf("update job %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("update job %s: %w", id, errStopped)
		}
		return nil
	})
}

// saveVideo records the finished upload: the session is spent.
func (db *DB) saveVideo(ctx context.Context, id, videoID string, at time.Time) error {
	return db.update(ctx, id, `state = 'finishing', video_id = ?, session_uri = '', published_at = ?, note = '', attempts = 0`,
		videoID, at.UnixMilli())
}

// setState moves a running job to state with a note and a RunAfter (a job
// the user stopped meanwhile stays stopped).
func (db *DB) setState(ctx context.Context, id string, s State, note string, runAfter time.Time) error {
	return db.updateRunning(ctx, id, `state = ?, note = ?, run_after = ?`, string(s), note, millis(runAfter))
}

// Retry queues a failed, signed-out, deferred or cancelled job again now.
// Its upload resumes where it stopped.
func (db *DB) Retry(ctx context.Context, id string) (Job, error) {
	j, err := db.Job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	switch j.State {
	case StateFailed, StateSignIn, StateDeferred, StateCancelled, StateQueued:
	case StateUnlinked:
		return Job{}, fmt.Errorf("retry job %s: %w", id, ErrNotLinked)
	default:
		return Job{}, fmt.Errorf("retry job %s in state %s: %w", id, j.State, ErrBusy)
	}
	next := StateQueued
	if j.VideoID != "" {
		next = StateFinishing
	}
	if err := db.update(ctx, id, `state = ?, note = '', run_after = 0, attempts = 0, session_restarts = 0`, string(next)); err != nil {
		return Job{}, err
	}
	return db.Job(ctx, id)
}

// Confirm lets a job waiting for the user's confirmation run, and records
// that the channel confirmed its first publish.
func (db *DB) Confirm(ctx context.Context, id string) (Job, error) {
	now := db.now().UnixMilli()
	err := db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		var ch string
		var state State
		err := tx.QueryRowContext(ctx, `SELECT channel_id, state FROM publish_jobs WHERE id = ?`, id).Scan(&ch, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("confirm job %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("confirm job %s: %w", id, err)
		}
		if state != StateConfirm {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publish_jobs SET state = 'queued', updated_at = ? WHERE id = ?`, now, id); err != nil {
			return fmt.Errorf("confirm job %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publish_channels SET confirmed_at = ?, updated_at = ? WHERE channel_id = ? AND confirmed_at = 0`,
			now, now, ch); err != nil {
			return fmt.Errorf("confirm channel %s: %w", ch, err)
		}
		return nil
	})
	if err != nil {
		return Job{}, err
	}
	return db.Job(ctx, id)
}

// Cancel stops a job that is not uploading right now (Runner.Cancel stops
// one that is). A job whose video is on YouTube cannot be cancelled.
func (db *DB) Cancel(ctx context.Context, id string) (Job, error) {
	j, err := db.Job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	if j.VideoID != "" {
		return Job{}, fmt.Errorf("cancel job %s: %w", id, ErrAlreadyUploaded)
	}
	if j.State == StateCancelled {
		return j, nil
	}
	if err := db.update(ctx, id, `state = 'cancelled', session_uri = '', offset_bytes = 0, note = 'Cancelled.'`); err != nil {
		return Job{}, err
	}
	return db.Job(ctx, id)
}

// Reschedule moves a job's publication to at (in the future), or, with a
// zero at, unschedules it: the video is then uploaded private, to publish
// when the user chooses. Only jobs whose video is not on YouTube yet move.
func (db *DB) Reschedule(ctx context.Context, id string, at time.Time) (Job, error) {
	j, err := db.Job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	if j.VideoID != "" || j.ByHand {
		return Job{}, fmt.Errorf("reschedule job %s: %w", id, ErrAlreadyUploaded)
	}
	if j.State == StateUploading && j.Offset > 0 {
		return Job{}, fmt.Errorf("reschedule job %s: %w", id, ErrBusy)
	}
	m := j.Meta
	if at.IsZero() {
		if !m.PublishAt.IsZero() {
			m.Privacy = Private
		}
		m.PublishAt = time.Time{}
	} else {
		m.PublishAt = at
		if m.Privacy == Unlisted {
			m.Privacy = Public
		}
	}
	m.Normalize()
	if err := m.Validate(db.now()); err != nil {
		return Job{}, err
	}
	b, _ := json.Marshal(m)
	// a session not yet sent to is started again, so the new time is in its metadata
	if err := db.update(ctx, id, `meta = ?, session_uri = '', offset_bytes = 0`, string(b)); err != nil {
		return Job{}, err
	}
	return db.Job(ctx, id)
}

// ChannelSettings are a channel's publishing choices.
type ChannelSettings struct {
	ChannelID        string `json:"channel_id"`
	YouTubeChannelID string `json:"youtube_channel_id"`
	YouTubeTitle     string `json:"youtube_title"`
	Account          string `json:"account"` // Google grant id
	// AutoPublish lets autopilot queue rendered packages into free slots.
	// Off by default.
	AutoPublish bool `json:"auto_publish"`
	// ConfirmedAt is when the user confirmed the channel's first publish;
	// zero means every automatically queued job waits in StateConfirm.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	TimeZone    string    `json:"time_zone"` // IANA name; empty means the computer's
	Hour        int       `json:"hour"`      // preferred local hour, -1 for DefaultHour
	Minute      int       `json:"minute"`
}

// NeedsConfirmation reports whether the next publish must be confirmed by
// the user.
func (c ChannelSettings) NeedsConfirmation() bool { return c.ConfirmedAt.IsZero() }

func channelSettingsTx(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, channelID string) (ChannelSettings, error) {
	c := ChannelSettings{ChannelID: channelID, Hour: -1}
	var confirmed int64
	err := q.QueryRowContext(ctx, `SELECT youtube_channel_id, youtube_title, account, auto_publish, confirmed_at, time_zone, hour, minute
		FROM publish_channels WHERE channel_id = ?`, channelID).Scan(&c.YouTubeChannelID, &c.YouTubeTitle, &c.Account, &c.AutoPublish,
		&confirmed, &c.TimeZone, &c.Hour, &c.Minute)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read publish settings of %s: %w", channelID, err)
	}
	c.ConfirmedAt = fromMillis(confirmed)
	return c, nil
}

// Channel reads a channel's publishing settings (defaults when none).
func (db *DB) Channel(ctx context.Context, channelID string) (ChannelSettings, error) {
	return channelSettingsTx(ctx, db.st.ReadDB(), channelID)
}

// Link records that channelID publishes to the YouTube channel yt through
// Google grant account.
func (db *DB) Link(ctx context.Context, channelID, account string, yt Channel) error {
	switch {
	case channelID == "":
		return fieldErr("channel_id", "a channel is required")
	case account == "":
		return fieldErr("account", "sign in with Google first")
	case !channelIDRe.MatchString(yt.ID):
		return fieldErr("youtube_channel_id", "must be a YouTube channel id (UC…)")
	}
	now := db.now().UnixMilli()
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO publish_channels (channel_id, youtube_channel_id, youtube_title, account, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET youtube_channel_id = excluded.youtube_channel_id,
			youtube_title = excluded.youtube_title, account = excluded.account, updated_at = excluded.updated_at`,
			channelID, yt.ID, yt.Title, account, now)
		if err != nil {
			return fmt.Errorf("link channel %s: %w", channelID, err)
		}
		// jobs the channel's unlinking stopped go again, awaiting the
		// user's go-ahead if the channel never confirmed a publish; a
		// session opened for another YouTube channel or grant is dropped
		if _, err := tx.ExecContext(ctx, `UPDATE publish_jobs SET
			state = CASE WHEN (SELECT confirmed_at FROM publish_channels WHERE channel_id = ?) = 0 THEN 'confirm' ELSE 'queued' END,
			session_uri = CASE WHEN account = ? AND youtube_channel_id = ? THEN session_uri ELSE '' END,
			offset_bytes = CASE WHEN account = ? AND youtube_channel_id = ? THEN offset_bytes ELSE 0 END,
			note = '', run_after = 0, attempts = 0, updated_at = ?
			WHERE channel_id = ? AND state = 'unlinked'`, channelID, account, yt.ID, account, yt.ID, now, channelID); err != nil {
			return fmt.Errorf("link channel %s: %w", channelID, err)
		}
		// waiting jobs follow the link (a new grant after signing in again)
		if _, err := tx.ExecContext(ctx, `UPDATE publish_jobs SET account = ?, youtube_channel_id = ?, updated_at = ?
			WHERE channel_id = ? AND video_id = '' AND state NOT IN ('done', 'cancelled')`, account, yt.ID, now, channelID); err != nil {
			return fmt.Errorf("link channel %s: %w", channelID, err)
		}
		return nil
	})
}

// Unlink ends the link of channelID to its YouTube channel; the
// channel's other publishing choices stay. Its uploads whose video is not
// on YouTube yet (queued, waiting, failed, to confirm or uploading) move to
// StateUnlinked with UnlinkedNote, keeping their slot and files, until Link;
// uploads whose video is up finish on the channel they went to. It returns
// the jobs moved. A channel that is not linked is a FieldError on
// channel_id, and changes nothing.
func (db *DB) Unlink(ctx context.Context, channelID string) ([]string, error) {
	if channelID == "" {
		return nil, fieldErr("channel_id", "a channel is required")
	}
	now := db.now().UnixMilli()
	var moved []string
	err := db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		cs, err := channelSettingsTx(ctx, tx, channelID)
		if err != nil {
			return err
		}
		if cs.YouTubeChannelID == "" {
			return fieldErr("channel_id", "is not linked to a YouTube channel")
		}
		rows, err := tx.QueryContext(ctx, `UPDATE publish_jobs SET state = 'unlinked', note = ?, run_after = 0, updated_at = ?
			WHERE channel_id = ? AND video_id = '' AND state IN ('confirm', 'queued', 'uploading', 'deferred', 'failed', 'signin')
			RETURNING id`, UnlinkedNote, now, channelID)
		if err != nil {
			return fmt.Errorf("unlink channel %s: %w", channelID, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("unlink channel %s: %w", channelID, err)
			}
			moved = append(moved, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("unlink channel %s: %w", channelID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publish_channels SET youtube_channel_id = '', youtube_title = '', account = '', updated_at = ?
			WHERE channel_id = ?`, now, channelID); err != nil {
			return fmt.Errorf("unlink channel %s: %w", channelID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// SetChannel saves a channel's auto-publish choice, time zone and
// preferred time (hour -1 for the default).
func (db *DB) SetChannel(ctx context.Context, channelID string, autoPublish bool, timeZone string, hour, minute int) error {
	if channelID == "" {
		return fieldErr("channel_id", "a channel is required")
	}
	if timeZone != "" {
		if _, err := time.LoadLocation(timeZone); err != nil {
			return fieldErr("time_zone", "unknown time zone %q", timeZone)
		}
	}
	if hour < -1 || hour > 23 {
		return fieldErr("hour", "must be 0 to 23")
	}
	if minute < 0 || minute > 59 {
		return fieldErr("minute", "must be 0 to 59")
	}
	now := db.now().UnixMilli()
	return db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO publish_channels (channel_id, auto_publish, time_zone, hour, minute, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET auto_publish = excluded.auto_publish,
			time_zone = excluded.time_zone, hour = excluded.hour, minute = excluded.minute, updated_at = excluded.updated_at`,
			channelID, autoPublish, timeZone, hour, minute, now)
		if err != nil {
			return fmt.Errorf("save publish settings of %s: %w", channelID, err)
		}
		return nil
	})
}
