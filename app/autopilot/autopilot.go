// Package autopilot keeps every channel that has it switched on supplied
// with ready video packages, around the clock and offline.
//
// Each Tick tops every autopilot channel up to Settings.Ahead upcoming
// (unpublished) packages: it creates the package and a persisted job for it
// in one transaction, then hands queued jobs to the worker pool keyed by
// channel, so channels take turns. Jobs survive restarts: one found running
// at start was interrupted and is queued again, and it resumes the package
// it already made. When the providers' daily quota is spent the job either
// runs on the local templates or waits for the quota to reset, as the user
// chose.
package autopilot

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/studio"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the device-local tables, applied as component "studio".
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // fixed at build time
	}
	return sub
}

// Component is the migration component name of these tables.
const Component = "studio"

// JobState is where a job is in its life.
type JobState string

// Job states. A job waits (queued, deferred), runs, and ends done, failed
// or cancelled; a failed try goes back to queued until MaxAttempts.
const (
	JobQueued    JobState = "queued"
	JobDeferred  JobState = "deferred" // waits for not_before (a quota reset)
	JobRunning   JobState = "running"
	JobDone      JobState = "done"
	JobFailed    JobState = "failed"
	JobCancelled JobState = "cancelled"
)

// Waiting reports a job that may be dispatched once it is due.
func (s JobState) Waiting() bool { return s == JobQueued || s == JobDeferred }

// Finished reports a job that will not run again unless retried.
func (s JobState) Finished() bool { return s == JobDone || s == JobFailed || s == JobCancelled }

// Quota policies: what a job does when the daily quota is spent.
const (
	OnQuotaTemplates = "templates" // write from the local templates now
	OnQuotaDefer     = "defer"     // wait until the quota resets
)

// Sentinel errors.
var (
	ErrInvalidSettings = errors.New("invalid autopilot settings")
	ErrUnknownChannel  = errors.New("channel not found")
)

// Quota tells whether the providers' daily quotas are spent.
type Quota interface {
	// Exhausted reports whether no paid provider can answer today, and when
	// the quota resets.
	Exhausted(ctx context.Context) (bool, time.Time, error)
}

// QuotaFunc adapts a function to Quota.
type QuotaFunc func(ctx context.Context) (bool, time.Time, error)

// Exhausted calls f.
func (f QuotaFunc) Exhausted(ctx context.Context) (bool, time.Time, error) { return f(ctx) }

// Settings are the user's autopilot choices (device-local).
type Settings struct {
	// Ahead is how many upcoming packages each channel keeps, 1–20.
	Ahead int `json:"ahead"`
	// OnQuota is OnQuotaTemplates or OnQuotaDefer.
	OnQuota string `json:"on_quota"`
	// Voice makes voice-overs too (skipped when no engine is available).
	Voice bool `json:"voice"`
	// MinWorkers and MaxWorkers bound the worker pool, 1–32.
	MinWorkers int `json:"min_workers"`
	MaxWorkers int `json:"max_workers"`
	// MaxAttempts is how often a failing job is tried, 1–10.
	MaxAttempts int `json:"max_attempts"`
}

// DefaultSettings are used until the user saves their own.
func DefaultSettings() Settings {
	return Settings{Ahead: 3, OnQuota: OnQuotaTemplates, Voice: true, MinWorkers: 1, MaxWorkers: 4, MaxAttempts: 3}
}

// Validate names the first bad field.
func (s Settings) Validate() error {
	switch {
	case s.Ahead < 1 || s.Ahead > 20:
		return fieldErr("ahead", "must be between 1 and 20")
	case s.OnQuota != OnQuotaTemplates && s.OnQuota != OnQuotaDefer:
		return fieldErr("on_quota", "must be templates or defer")
	case s.MinWorkers < 1 || s.MinWorkers > 32:
		return fieldErr("min_workers", "must be between 1 and 32")
	case s.MaxWorkers < s.MinWorkers || s.MaxWorkers > 32:
		return fieldErr("max_workers", "must be between min_workers and 32")
	case s.MaxAttempts < 1 || s.MaxAttempts > 10:
		return fieldErr("max_attempts", "must be between 1 and 10")
	}
	return nil
}

// FieldError is a settings field that failed validation.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrInvalidSettings) true.
func (e *FieldError) Unwrap() error { return ErrInvalidSettings }

func fieldErr(f, m string) error { return &FieldError{Field: f, Message: m} }

// Job is one persisted autopilot job.
type Job struct {
	ID         string   `json:"id"`
	ChannelID  string   `json:"channel_id"`
	PackageID  string   `json:"package_id"`
	Status     JobState `json:"status"`
	Attempts   int      `json:"attempts"`
	Error      string   `json:"error"`
	NotBefore  int64    `json:"not_before"`
	CreatedAt  int64    `json:"created_at"`
	UpdatedAt  int64    `json:"updated_at"`
	FinishedAt int64    `json:"finished_at"`
}

// Config wires an Autopilot. Store, Studio and Templates are required.
type Config struct {
	Store  *store.Store
	Studio *studio.Studio
	// Templates is the offline generator used when quotas are spent and the
	// policy says so.
	Templates studio.Generator
	// Quota reports spent quotas. Nil means never spent.
	Quota Quota
	// VoiceAvailable reports whether any voice engine can run. Nil means yes.
	VoiceAvailable func(ctx context.Context) bool
	// Emit receives job events. Nil discards them.
	Emit events.Emitter
	// LogActivity records autopilot actions. Nil records nothing.
	LogActivity studio.ActivityLogger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Interval is how often the loop plans when nothing wakes it. Zero means 30 s.
	Interval time.Duration
	// PoolInterval is how often the pool resizes itself. Zero means 1 s.
	PoolInterval time.Duration
	// PerChannel is how many jobs of one channel may sit in the pool at once.
	// Zero means 2.
	PerChannel int
	// PoolOnScale, when set, is told every pool resize.
	PoolOnScale func(workers.Stats)
	// JobWrapper, when set, wraps every job handed to the pool (the
	// monitor times queue waits this way). Nil hands jobs over as they are.
	JobWrapper func(workers.Job) workers.Job
	// DeviceID is this device's id, which hosted channels name in
	// AutopilotHost. Required with Hosts.
	DeviceID string
	// Hosts decides which channels this device runs autopilot for: only
	// their host runs them. Nil means this device runs every channel with
	// autopilot on (one device, or tests).
	Hosts HostLookup
	// Hold, when set, delays the loop's first plan until it is closed (the
	// app holds background work until its window has painted). Nil means
	// the loop plans at once.
	Hold <-chan struct{}
}

// HostLookup decides which device runs autopilot for each channel.
type HostLookup interface {
	// Claim returns the ids, among chs (channels with autopilot on), of
	// those this device runs now: those it hosts, plus those it may claim
	// (nobody hosts them, or their host went quiet), whose new host it
	// writes through sync before answering.
	Claim(ctx context.Context, chs []store.Channel) (map[string]bool, error)
}

// Origin marks the packages the autopilot makes (store.PackageContent.Origin):
// a device that takes a channel over finishes the ones left unfinished.
const Origin = "autopilot"
