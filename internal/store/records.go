package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Channel formats.
const (
	FormatLong   = "long-form"
	FormatShorts = "shorts"
)

// Package statuses, in pipeline order. A package whose steps are all done
// is ready only when it passes the pre-publish checklist (or the user
// overrode each rule it fails); otherwise it is an outline, and its
// Checklist says what is missing.
const (
	StatusIdea      = "idea"
	StatusScripted  = "scripted"
	StatusVoiced    = "voiced"
	StatusOutline   = "outline"
	StatusReady     = "ready"
	StatusPublished = "published"
)

// Statuses lists package statuses in pipeline order.
var Statuses = []string{StatusIdea, StatusScripted, StatusVoiced, StatusOutline, StatusReady, StatusPublished}

// Meta are the columns every synced row has.
type Meta struct {
	ID        string `json:"id"`
	HLC       string `json:"hlc"`
	Deleted   bool   `json:"deleted"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

// Channel is a YouTube channel the user runs.
type Channel struct {
	Meta
	Name      string  `json:"name"`
	Niche     string  `json:"niche"`
	Language  string  `json:"language"`
	Audience  string  `json:"audience"`
	Format    string  `json:"format"`
	Cadence   float64 `json:"cadence"` // videos per week
	YouTubeID string  `json:"youtube_id"`
	Autopilot bool    `json:"autopilot"`
	// AutopilotHost is the id of the device that runs autopilot for the
	// channel; "" when none is chosen yet.
	AutopilotHost string `json:"autopilot_host"`
}

// Device kinds.
const (
	DeviceDesktop = "desktop"
	DeviceServe   = "serve"
)

// Device is one installation of the app signed in to the account.
type Device struct {
	Meta            // ID is the device id, the last part of every clock value it makes
	Name     string `json:"name"`
	Kind     string `json:"kind"`      // DeviceDesktop or DeviceServe
	LastSeen int64  `json:"last_seen"` // unix ms of its latest heartbeat
	Version  string `json:"version"`
}

// TitleOption is one candidate title with its score (0–100).
type TitleOption struct {
	Text     string   `json:"text"`
	Score    float64  `json:"score"`
	Features []string `json:"features,omitempty"`
	// Calibrated is true when the channel's own trained model made the
	// score; false means rules of thumb, shown as "uncalibrated".
	Calibrated bool `json:"calibrated,omitempty"`
}

// ScriptSection is one timed part of a script. Text is what the narrator
// says, as one block the user edits; Spoken is the same text in lines (one
// per paragraph), kept in step with Text by the studio on every save; Notes
// are directions and on-screen notes for the creator, never spoken. Only
// spoken lines reach the voice-over and captions.
//
// Packages written before Spoken and Notes existed have Text alone, which
// reads as all spoken: SpokenLines handles both.
type ScriptSection struct {
	Heading string   `json:"heading"`
	Text    string   `json:"text"`
	Spoken  []string `json:"spoken,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	Start   float64  `json:"start"`   // seconds from the start of the video
	Seconds float64  `json:"seconds"` // spoken length at the script's words per minute
}

// SpokenLines are the section's spoken lines: Spoken when set, else Text
// split at blank lines (and single line breaks), trimmed, empties dropped.
func (s ScriptSection) SpokenLines() []string {
	if len(s.Spoken) > 0 {
		return s.Spoken
	}
	return SplitLines(s.Text)
}

// SplitLines splits text into its non-empty lines, trimmed.
func SplitLines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Override is a checklist rule the user chose to publish without, with
// their reason. It travels with the package.
type Override struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason,omitempty"`
	At     int64  `json:"at"` // unix ms
}

// Check states of one checklist item.
const (
	CheckPass       = "pass"
	CheckFail       = "fail"
	CheckOverridden = "overridden" // fails, but the user chose to publish anyway
	CheckNA         = "n/a"        // does not apply (chapters on a Short)
)

// CheckItem is the outcome of one checklist rule on a package.
type CheckItem struct {
	Rule    string `json:"rule"`    // stable id, e.g. "script.length"
	Label   string `json:"label"`   // what the rule asks, in plain words
	State   string `json:"state"`   // Check*
	Message string `json:"message"` // what was found and what to do; empty when it passes
}

// Checklist is the pre-publish checklist as last evaluated on a package.
// Version is the rule set's version, so a newer app re-evaluates old
// results.
type Checklist struct {
	Version int         `json:"version"`
	Passed  bool        `json:"passed"` // every item passes, is overridden or does not apply
	Items   []CheckItem `json:"items"`
}

// Missing lists the items that fail (not overridden).
func (c *Checklist) Missing() []CheckItem {
	if c == nil {
		return nil
	}
	var out []CheckItem
	for _, it := range c.Items {
		if it.State == CheckFail {
			out = append(out, it)
		}
	}
	return out
}

// Voice is the metadata of a package's voice-over. The audio file itself
// stays in the data folder and never syncs.
type Voice struct {
	File     string  `json:"file"`
	Engine   string  `json:"engine"`
	Seconds  float64 `json:"seconds"`
	Bytes    int64   `json:"bytes"`
	MimeType string  `json:"mime_type"`
}

// StepState records one studio step's outcome.
type StepState struct {
	Status   string `json:"status"` // pending, running, done, failed, cancelled
	Provider string `json:"provider,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Cached   bool   `json:"cached,omitempty"`
	Error    string `json:"error,omitempty"`
	At       int64  `json:"at,omitempty"`
	// Note says in plain words why another provider than the first in
	// line wrote the step ("Switched to Claude: Groq stopped …", "Groq
	// could not be reached. Local templates answered instead."). Empty
	// when the first provider asked answered.
	Note string `json:"note,omitempty"`
}

// PackageContent is everything a video package holds besides its status.
type PackageContent struct {
	Ideas          []string             `json:"ideas,omitempty"`
	Titles         []TitleOption        `json:"titles,omitempty"`
	Hook           string               `json:"hook,omitempty"`
	Script         []ScriptSection      `json:"script,omitempty"`
	WordsPerMinute int                  `json:"words_per_minute,omitempty"`
	Description    string               `json:"description,omitempty"`
	Tags           []string             `json:"tags,omitempty"`
	Thumbnail      string               `json:"thumbnail,omitempty"`
	Voice          *Voice               `json:"voice,omitempty"`
	Steps          map[string]StepState `json:"steps,omitempty"`
	// Checklist is the pre-publish checklist, evaluated by the studio on
	// every save. Nil on packages saved before it existed.
	Checklist *Checklist `json:"checklist,omitempty"`
	// Overrides are the checklist rules the user chose to publish without.
	Overrides []Override `json:"overrides,omitempty"`
	// Origin is who made the package: "autopilot" for the packages it
	// keeps ready (another device taking a channel over finishes those),
	// "" for the user's own.
	Origin string `json:"origin,omitempty"`
	// Published is where the package is on YouTube, once it is there.
	Published *Publication `json:"published,omitempty"`
}

// Publication is a package's state on YouTube. It syncs with the package;
// the media and the upload session stay on the device that uploaded.
type Publication struct {
	VideoID   string `json:"video_id"`
	URL       string `json:"url"`
	PublishAt int64  `json:"publish_at,omitempty"` // scheduled publication, unix ms; 0 when none
	Status    string `json:"status"`               // scheduled, public, unlisted or private
	ByHand    bool   `json:"by_hand,omitempty"`    // marked from a pasted address
	At        int64  `json:"at"`                   // when it reached YouTube, unix ms
}

// Package is a video package: from idea to a publishable set of texts and audio.
type Package struct {
	Meta
	ChannelID string         `json:"channel_id"`
	Status    string         `json:"status"`
	Topic     string         `json:"topic"`
	Title     string         `json:"title"`
	Content   PackageContent `json:"content"`
}

// Activity is one entry in the activity log.
type Activity struct {
	Meta
	ChannelID string          `json:"channel_id"`
	Kind      string          `json:"kind"`
	Message   string          `json:"message"`
	Data      json.RawMessage `json:"data" ts_type:"unknown"`
}

// ToRow turns a record into a Row.
func ToRow(v any) (Row, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var r Row
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	return r, nil
}

// FromRow fills a record from a Row.
func FromRow[T any](r Row) (T, error) {
	var v T
	b, err := json.Marshal(r)
	if err != nil {
		return v, err
	}
	err = json.Unmarshal(b, &v)
	return v, err
}

// PutRecord writes a typed record through m.Put and returns it as stored.
func PutRecord[T any](m *Mutation, e *Entity, v T) (T, error) {
	var zero T
	r, err := ToRow(v)
	if err != nil {
		return zero, fmt.Errorf("encode %s: %w", e.Table, err)
	}
	stored, err := m.Put(e, r)
	if err != nil {
		return zero, err
	}
	return FromRow[T](stored)
}

// Get reads the live (not deleted) record id of e.
func Get[T any](ctx context.Context, q Querier, e *Entity, id string) (T, error) {
	var zero T
	r, err := e.GetRow(ctx, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, ErrNotFound
	}
	if err != nil {
		return zero, fmt.Errorf("read %s %s: %w", e.Table, id, err)
	}
	if d, _ := r["deleted"].(bool); d {
		return zero, ErrNotFound
	}
	return FromRow[T](r)
}

// List reads live records of e matching where (SQL after WHERE, with args),
// ordered by order.
func List[T any](ctx context.Context, q Querier, e *Entity, where, order string, args ...any) ([]T, error) {
	sqlText := e.selectSQL[:len(e.selectSQL)-len("WHERE id = ?")] + "WHERE deleted = 0"
	if where != "" {
		sqlText += " AND (" + where + ")"
	}
	if order != "" {
		sqlText += " ORDER BY " + order
	}
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", e.Table, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		r, err := e.scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", e.Table, err)
		}
		v, err := FromRow[T](r)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", e.Table, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Count counts live rows of e matching where.
func Count(ctx context.Context, q Querier, e *Entity, where string, args ...any) (int, error) {
	sqlText := "SELECT COUNT(*) FROM " + e.Table + " WHERE deleted = 0"
	if where != "" {
		sqlText += " AND (" + where + ")"
	}
	var n int
	err := q.QueryRowContext(ctx, sqlText, args...).Scan(&n)
	return n, err
}

// OutboxDepth is the number of outbox entries waiting to be pushed.
func (s *Store) OutboxDepth(ctx context.Context) (int, error) {
	return s.OutboxDepthIn(ctx, s.read)
}

// OutboxDepthIn is OutboxDepth read through q: a transaction that reads
// other tables too gets a depth of the same moment.
func (s *Store) OutboxDepthIn(ctx context.Context, q Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT n FROM outbox_count WHERE id = 1`).Scan(&n)
	return n, err
}

// OutboxEntry is one recorded change waiting to be pushed.
type OutboxEntry struct {
	Seq       int64  `json:"seq"`
	Entity    string `json:"entity"`
	RowID     string `json:"row_id"`
	Op        Op     `json:"op"`
	Payload   string `json:"payload"`
	HLC       string `json:"hlc"`
	CreatedAt int64  `json:"created_at"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
}

// Outbox reads up to limit entries with seq above after, in seq order.
func (s *Store) Outbox(ctx context.Context, q Querier, after int64, limit int) ([]OutboxEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, entity, row_id, op, payload, hlc, created_at, attempts, last_error
		FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		if err := rows.Scan(&e.Seq, &e.Entity, &e.RowID, &e.Op, &e.Payload, &e.HLC, &e.CreatedAt, &e.Attempts, &e.LastError); err != nil {
			return nil, fmt.Errorf("scan outbox: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// packageColumns points each column of PackageEntity at the field of p
// that holds it, so the typed fast paths below read and write exactly the
// entity's columns, in its order.
func packageColumns(p *Package, content *string, deleted *bool) map[string]any {
	return map[string]any{
		"id": &p.ID, "channel_id": &p.ChannelID, "status": &p.Status, "topic": &p.Topic, "title": &p.Title,
		"content": content, "hlc": &p.HLC, "deleted": deleted, "created_at": &p.CreatedAt, "updated_at": &p.UpdatedAt,
	}
}

// GetPackage reads a live package straight into its record, decoding the
// content column once (Get round-trips through a map, which the studio's
// per-step saves cannot afford).
func GetPackage(ctx context.Context, q Querier, id string) (Package, error) {
	var p Package
	var content string
	var deleted bool
	cols := packageColumns(&p, &content, &deleted)
	ptrs := make([]any, len(PackageEntity.Columns))
	for i, c := range PackageEntity.Columns {
		ptrs[i] = cols[c.Name]
	}
	err := q.QueryRowContext(ctx, PackageEntity.selectSQL, id).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) || err == nil && deleted {
		return Package{}, ErrNotFound
	}
	if err != nil {
		return Package{}, fmt.Errorf("read package %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(content), &p.Content); err != nil {
		return Package{}, fmt.Errorf("decode package %s: %w", id, err)
	}
	return p, nil
}

// PutPackage writes p through m (row and outbox entry) without the JSON
// round trips of PutRecord, and returns p as stored (clock and times set).
func PutPackage(m *Mutation, p Package) (Package, error) {
	content, err := json.Marshal(p.Content)
	if err != nil {
		return p, fmt.Errorf("encode package %s: %w", p.ID, err)
	}
	s := string(content)
	deleted := false
	r := make(Row, len(PackageEntity.Columns))
	for name, ptr := range packageColumns(&p, &s, &deleted) {
		switch v := ptr.(type) {
		case *string:
			r[name] = *v
		case *int64:
			r[name] = *v
		case *bool:
			r[name] = *v
		}
	}
	delete(r, "hlc") // stamped by Put
	stored, err := m.Put(PackageEntity, r)
	if err != nil {
		return p, err
	}
	p.HLC = stored.HLC()
	p.CreatedAt, _ = stored["created_at"].(int64)
	p.UpdatedAt, _ = stored["updated_at"].(int64)
	p.Deleted = false
	return p, nil
}
