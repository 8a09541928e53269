package app

import (
	"encoding/json"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
)

// The page receives every time as RFC 3339 (a time.Time left out when zero),
// never as unix milliseconds. Synced rows, the outbox, SQLite and the
// server keep unix milliseconds (the store's records are that format), so
// the records that cross to the page are converted here: the types below
// are the store's records as the page sees them, field for field (a test
// holds them to the records' fields), with times as times.

// msTime is a stored unix-millisecond time as the page receives it: zero
// (left out, "never") when ms is 0 or less.
func msTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// unixMS is the reverse of msTime: 0 for the zero time.
func unixMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Meta is a synced row's bookkeeping (store.Meta).
type Meta struct {
	ID        string    `json:"id"`
	HLC       string    `json:"hlc"`
	Deleted   bool      `json:"deleted"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

func metaOf(m store.Meta) Meta {
	return Meta{ID: m.ID, HLC: m.HLC, Deleted: m.Deleted, CreatedAt: msTime(m.CreatedAt), UpdatedAt: msTime(m.UpdatedAt)}
}

// Channel is a channel (store.Channel).
type Channel struct {
	Meta
	Name          string  `json:"name"`
	Niche         string  `json:"niche"`
	Language      string  `json:"language"`
	Audience      string  `json:"audience"`
	Format        string  `json:"format"`
	Cadence       float64 `json:"cadence"` // videos per week
	YouTubeID     string  `json:"youtube_id"`
	Autopilot     bool    `json:"autopilot"`
	AutopilotHost string  `json:"autopilot_host"` // device id; "" when none is chosen yet
}

func channelOf(c store.Channel) Channel {
	return Channel{Meta: metaOf(c.Meta), Name: c.Name, Niche: c.Niche, Language: c.Language, Audience: c.Audience,
		Format: c.Format, Cadence: c.Cadence, YouTubeID: c.YouTubeID, Autopilot: c.Autopilot, AutopilotHost: c.AutopilotHost}
}

func channelsOf(cs []store.Channel) []Channel {
	out := make([]Channel, len(cs))
	for i, c := range cs {
		out[i] = channelOf(c)
	}
	return out
}

// Activity is an activity log entry (store.Activity).
type Activity struct {
	Meta
	ChannelID string          `json:"channel_id"`
	Kind      string          `json:"kind"`
	Message   string          `json:"message"`
	Data      json.RawMessage `json:"data" ts_type:"unknown"`
}

func activityOf(a store.Activity) Activity {
	return Activity{Meta: metaOf(a.Meta), ChannelID: a.ChannelID, Kind: a.Kind, Message: a.Message, Data: a.Data}
}

func activitiesOf(as []store.Activity) []Activity {
	out := make([]Activity, len(as))
	for i, a := range as {
		out[i] = activityOf(a)
	}
	return out
}

// StepState is one studio step's outcome (store.StepState).
type StepState struct {
	Status   string    `json:"status"` // pending, running, done, failed, cancelled
	Provider string    `json:"provider,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
	Cached   bool      `json:"cached,omitempty"`
	Error    string    `json:"error,omitempty"`
	At       time.Time `json:"at,omitzero"`
	// Note says why another provider than the first in line wrote the
	// step (store.StepState.Note).
	Note string `json:"note,omitempty"`
}

// Override is a checklist rule the user chose to publish without
// (store.Override).
type Override struct {
	Rule   string    `json:"rule"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Publication is a package's state on YouTube (store.Publication).
type Publication struct {
	VideoID   string    `json:"video_id"`
	URL       string    `json:"url"`
	PublishAt time.Time `json:"publish_at,omitzero"` // scheduled publication; zero when none
	Status    string    `json:"status"`              // scheduled, public, unlisted or private
	ByHand    bool      `json:"by_hand,omitempty"`   // marked from a pasted address
	At        time.Time `json:"at,omitzero"`         // when it reached YouTube
}

// PackageContent is a package's content (store.PackageContent).
type PackageContent struct {
	Ideas          []string              `json:"ideas,omitempty"`
	Titles         []store.TitleOption   `json:"titles,omitempty"`
	Hook           string                `json:"hook,omitempty"`
	Script         []store.ScriptSection `json:"script,omitempty"`
	WordsPerMinute int                   `json:"words_per_minute,omitempty"`
	Description    string                `json:"description,omitempty"`
	Tags           []string              `json:"tags,omitempty"`
	Thumbnail      string                `json:"thumbnail,omitempty"`
	Voice          *store.Voice          `json:"voice,omitempty"`
	Steps          map[string]StepState  `json:"steps,omitempty"`
	Checklist      *store.Checklist      `json:"checklist,omitempty"`
	Overrides      []Override            `json:"overrides,omitempty"`
	Origin         string                `json:"origin,omitempty"`
	Published      *Publication          `json:"published,omitempty"`
}

func contentOf(c store.PackageContent) PackageContent {
	out := PackageContent{Ideas: c.Ideas, Titles: c.Titles, Hook: c.Hook, Script: c.Script, WordsPerMinute: c.WordsPerMinute,
		Description: c.Description, Tags: c.Tags, Thumbnail: c.Thumbnail, Voice: c.Voice, Checklist: c.Checklist, Origin: c.Origin}
	if c.Steps != nil {
		out.Steps = make(map[string]StepState, len(c.Steps))
		for k, s := range c.Steps {
			out.Steps[k] = StepState{Status: s.Status, Provider: s.Provider, Attempts: s.Attempts, Cached: s.Cached, Error: s.Error, At: msTime(s.At), Note: s.Note}
		}
	}
	if c.Overrides != nil {
		out.Overrides = make([]Override, len(c.Overrides))
		for i, o := range c.Overrides {
			out.Overrides[i] = Override{Rule: o.Rule, Reason: o.Reason, At: msTime(o.At)}
		}
	}
	out.Published = publicationOf(c.Published)
	return out
}

func publicationOf(p *store.Publication) *Publication {
	if p == nil {
		return nil
	}
	return &Publication{VideoID: p.VideoID, URL: p.URL, PublishAt: msTime(p.PublishAt), Status: p.Status, ByHand: p.ByHand, At: msTime(p.At)}
}

// stored is the content as the store keeps it: contentOf in reverse.
func (c PackageContent) stored() store.PackageContent {
	out := store.PackageContent{Ideas: c.Ideas, Titles: c.Titles, Hook: c.Hook, Script: c.Script, WordsPerMinute: c.WordsPerMinute,
		Description: c.Description, Tags: c.Tags, Thumbnail: c.Thumbnail, Voice: c.Voice, Checklist: c.Checklist, Origin: c.Origin}
	if c.Steps != nil {
		out.Steps = make(map[string]store.StepState, len(c.Steps))
		for k, s := range c.Steps {
			out.Steps[k] = store.StepState{Status: s.Status, Provider: s.Provider, Attempts: s.Attempts, Cached: s.Cached, Error: s.Error, At: unixMS(s.At), Note: s.Note}
		}
	}
	if c.Overrides != nil {
		out.Overrides = make([]store.Override, len(c.Overrides))
		for i, o := range c.Overrides {
			out.Overrides[i] = store.Override{Rule: o.Rule, Reason: o.Reason, At: unixMS(o.At)}
		}
	}
	if p := c.Published; p != nil {
		out.Published = &store.Publication{VideoID: p.VideoID, URL: p.URL, PublishAt: unixMS(p.PublishAt), Status: p.Status, ByHand: p.ByHand, At: unixMS(p.At)}
	}
	return out
}

// Package is a video package (store.Package).
type Package struct {
	Meta
	ChannelID string         `json:"channel_id"`
	Status    string         `json:"status"`
	Topic     string         `json:"topic"`
	Title     string         `json:"title"`
	Content   PackageContent `json:"content"`
}

func packageOf(p store.Package) Package {
	return Package{Meta: metaOf(p.Meta), ChannelID: p.ChannelID, Status: p.Status, Topic: p.Topic, Title: p.Title, Content: contentOf(p.Content)}
}

func packagesOf(ps []store.Package) []Package {
	out := make([]Package, len(ps))
	for i, p := range ps {
		out[i] = packageOf(p)
	}
	return out
}

// Device is one device of the account as Settings → Autopilot shows it
// (cloudsync.DeviceInfo).
type Device struct {
	Meta               // ID is the device id
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`               // store.DeviceDesktop or store.DeviceServe
	LastSeen time.Time `json:"last_seen,omitzero"` // its latest heartbeat
	Version  string    `json:"version"`
	This     bool      `json:"this"`  // this computer
	Quiet    bool      `json:"quiet"` // no heartbeat for longer than the takeover time
}

func devicesOf(ds []cloudsync.DeviceInfo) []Device {
	out := make([]Device, len(ds))
	for i, d := range ds {
		out[i] = Device{Meta: metaOf(d.Meta), Name: d.Name, Kind: d.Kind, LastSeen: msTime(d.LastSeen), Version: d.Version, This: d.This, Quiet: d.Quiet}
	}
	return out
}

// AutopilotJob is one autopilot job (autopilot.Job).
type AutopilotJob struct {
	ID         string             `json:"id"`
	ChannelID  string             `json:"channel_id"`
	PackageID  string             `json:"package_id"`
	Status     autopilot.JobState `json:"status"`
	Attempts   int                `json:"attempts"`
	Error      string             `json:"error"`
	NotBefore  time.Time          `json:"not_before,omitzero"` // a deferred job waits until then
	CreatedAt  time.Time          `json:"created_at,omitzero"`
	UpdatedAt  time.Time          `json:"updated_at,omitzero"`
	FinishedAt time.Time          `json:"finished_at,omitzero"`
}

func autopilotJobsOf(js []autopilot.Job) []AutopilotJob {
	out := make([]AutopilotJob, len(js))
	for i, j := range js {
		out[i] = AutopilotJob{ID: j.ID, ChannelID: j.ChannelID, PackageID: j.PackageID, Status: j.Status, Attempts: j.Attempts, Error: j.Error,
			NotBefore: msTime(j.NotBefore), CreatedAt: msTime(j.CreatedAt), UpdatedAt: msTime(j.UpdatedAt), FinishedAt: msTime(j.FinishedAt)}
	}
	return out
}

// DeadLetter is a change the server refused for good (cloudsync.DeadLetter).
// Payload is the refused row as it syncs.
type DeadLetter struct {
	ID        int64           `json:"id"`
	Entity    string          `json:"entity"`
	RowID     string          `json:"row_id"`
	Op        string          `json:"op"`
	Payload   json.RawMessage `json:"payload" ts_type:"Record<string, unknown>"`
	HLC       string          `json:"hlc"`
	Status    int             `json:"status"`
	Code      string          `json:"code"`
	Error     string          `json:"error"`
	CreatedAt time.Time       `json:"created_at,omitzero"`
}

func deadLettersOf(ds []cloudsync.DeadLetter, err error) ([]DeadLetter, error) {
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetter, len(ds))
	for i, d := range ds {
		out[i] = DeadLetter{ID: d.ID, Entity: d.Entity, RowID: d.RowID, Op: d.Op, Payload: d.Payload, HLC: d.HLC,
			Status: d.Status, Code: d.Code, Error: d.Error, CreatedAt: msTime(d.CreatedAt)}
	}
	return out, nil
}

// edgeEvent is an event's payload as the page receives it: the store's
// records (the studio and the activity log emit them as they are saved)
// become the types above.
func edgeEvent(data any) any {
	switch v := data.(type) {
	case store.Channel:
		return channelOf(v)
	case store.Package:
		return packageOf(v)
	case store.Activity:
		return activityOf(v)
	}
	return data
}
