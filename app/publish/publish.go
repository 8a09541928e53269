// Package publish puts rendered packages on YouTube.
//
// An upload job is a device-local row (the media file lives on this
// device): the video's metadata, its files, and the state of its upload.
// The Runner sends due jobs through YouTube's resumable upload protocol,
// implemented here so that a new process can continue a stored session: the
// session URI and the confirmed offset are saved after every chunk, so a
// kill -9, a network cut or a laptop sleep resumes from the last byte
// YouTube confirmed, and a session YouTube forgot (404/410) restarts once
// with a new one (a video only exists once a session completes, so this never
// makes two). Then the thumbnail is set and, when chosen, the SRT goes up as
// captions.
//
// Calls are charged to the Google Cloud project's daily quota before they
// are sent (videos.insert has its own bucket of 100 calls; everything else
// shares 10,000 units), resetting at midnight Pacific time. quotaExceeded
// and uploadLimitExceeded defer a job with a note; 5xx and network errors
// retry with backoff; a grant Google refuses asks the user to sign in again.
//
// Besides the queue the package computes per-channel publishing calendars,
// exports a ready folder for publishing by hand, and parses the YouTube URL a
// user pastes afterwards. Published is the part that syncs; session URIs and
// media never leave the device.
package publish

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// State is where a job is.
type State string

// Job states.
const (
	// StateConfirm: queued automatically for a channel that never
	// published from Tube Agency: it waits for the user's confirmation.
	StateConfirm State = "confirm"
	// StateQueued: waits for its turn, the network, or its RunAfter time.
	StateQueued State = "queued"
	// StateUploading: bytes are going up; the session and offset are saved.
	StateUploading State = "uploading"
	// StateFinishing: the video exists; the thumbnail or captions remain.
	StateFinishing State = "finishing"
	// StateDeferred: waits for a quota reset or YouTube's upload limit
	// (RunAfter, Note say until when and why).
	StateDeferred State = "deferred"
	// StateDone: on YouTube (public, unlisted, private, or scheduled).
	StateDone State = "done"
	// StateFailed: needs the user; Note says why. Retry queues it again.
	StateFailed State = "failed"
	// StateSignIn: Google refused the grant (or it lacks a scope): the user
	// must sign in again; Retry afterwards.
	StateSignIn State = "signin"
	// StateCancelled: the user cancelled it.
	StateCancelled State = "cancelled"
	// StateUnlinked: its channel was unlinked from YouTube before the video
	// went up. It keeps its slot, files and metadata, and goes again when
	// the channel is linked (to the same YouTube channel or another).
	StateUnlinked State = "unlinked"
)

// UnlinkedNote is the note of a job whose channel was unlinked.
const UnlinkedNote = "Waiting for a linked channel: this channel was unlinked from YouTube. Link it again under Settings → YouTube and this upload goes by itself."

// Active reports whether the runner may still pick the job up by itself.
func (s State) Active() bool {
	return s == StateQueued || s == StateUploading || s == StateFinishing || s == StateDeferred
}

// Privacy is a video's visibility.
type Privacy string

// Privacy values.
const (
	Private  Privacy = "private"
	Unlisted Privacy = "unlisted"
	Public   Privacy = "public"
)

// DefaultCategory is YouTube's "People & Blogs".
const DefaultCategory = "22"

// Sentinel errors.
var (
	ErrNotFound = errors.New("publish job not found")
	// ErrAlreadyUploaded reports a change that needs a video not yet on
	// YouTube (moving the slot of an uploaded video is done in YouTube Studio).
	ErrAlreadyUploaded = errors.New("the video is already on youtube")
	// ErrBusy reports a change to a job that is uploading right now.
	ErrBusy = errors.New("the job is uploading")
	// ErrNotLinked reports a channel not linked to a YouTube channel.
	ErrNotLinked = errors.New("channel not linked to a youtube channel")
	// ErrQuotaExceeded reports a spent quota bucket (see QuotaError).
	ErrQuotaExceeded = errors.New("youtube quota exceeded")
	// ErrUploadLimit reports YouTube's per-channel 24-hour upload cap.
	ErrUploadLimit = errors.New("youtube upload limit reached")
	// ErrInvalidURL reports a pasted address that is not a YouTube video's.
	ErrInvalidURL = errors.New("not a youtube video address")
)

// FieldError names the field of bad input. Nothing is written when one is
// returned.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Metadata is what YouTube shows of a video.
type Metadata struct {
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Tags            []string `json:"tags"`
	CategoryID      string   `json:"category_id"`      // empty means DefaultCategory
	DefaultLanguage string   `json:"default_language"` // BCP-47, e.g. "en", "pt-BR"; also the audio language
	// Privacy is the visibility once published. With PublishAt the video is
	// uploaded private and YouTube makes it public at PublishAt.
	Privacy Privacy `json:"privacy"`
	// PublishAt schedules the publication; zero means none.
	PublishAt time.Time `json:"publish_at,omitzero"`
	// MadeForKids is the audience declaration (selfDeclaredMadeForKids).
	MadeForKids bool `json:"made_for_kids"`
	// SyntheticMedia is the altered or synthetic content disclosure
	// (containsSyntheticMedia), sent explicitly either way. DefaultMetadata
	// turns it on for AI voice-overs.
	SyntheticMedia bool `json:"synthetic_media"`
}

// DefaultMetadata is the metadata of a new job: private, not made for
// kids, and the synthetic-media disclosure on when the voice-over is
// synthetic (every voice Tube Agency makes is).
func DefaultMetadata(title, description string, tags []string, language string, syntheticVoice bool) Metadata {
	return Metadata{Title: title, Description: description, Tags: tags, CategoryID: DefaultCategory,
		DefaultLanguage: language, Privacy: Private, SyntheticMedia: syntheticVoice}
}

// YouTube's limits (support.google.com/youtube/answer/57404 and the Data
// API's video resource).
const (
	MaxTitleRunes       = 100
	MaxDescriptionBytes = 5000
	MaxTagsChars        = 500
)

var (
	categoryRe = regexp.MustCompile(`^[0-9]{1,3}$`)
	languageRe = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)
)

// Normalize trims the metadata and fills defaults.
func (m *Metadata) Normalize() {
	m.Title = strings.TrimSpace(m.Title)
	m.Description = strings.TrimSpace(m.Description)
	tags := m.Tags[:0:0]
	for _, t := range m.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	m.Tags = tags
	if m.CategoryID == "" {
		m.CategoryID = DefaultCategory
	}
	if m.Privacy == "" {
		m.Privacy = Private
	}
	m.DefaultLanguage = strings.TrimSpace(m.DefaultLanguage)
	if !m.PublishAt.IsZero() {
		m.PublishAt = m.PublishAt.UTC().Truncate(time.Second)
	}
}

// TagsLength is how YouTube counts the tags' length: their characters plus
// a comma between tags, and quotes around a tag with a space.
func TagsLength(tags []string) int {
	n := 0
	for i, t := range tags {
		if i > 0 {
			n++
		}
		n += utf8.RuneCountInString(t)
		if strings.Contains(t, " ") {
			n += 2
		}
	}
	return n
}

// Validate checks the metadata against YouTube's rules; now is for
// PublishAt, which must be in the future.
func (m Metadata) Validate(now time.Time) error {
	switch {
	case m.Title == "":
		return fieldErr("title", "a title is required")
	case utf8.RuneCountInString(m.Title) > MaxTitleRunes:
		return fieldErr("title", "at most %d characters (this one has %d)", MaxTitleRunes, utf8.RuneCountInString(m.Title))
	case strings.ContainsAny(m.Title, "<>"):
		return fieldErr("title", "YouTube does not accept < or > in titles")
	case !utf8.ValidString(m.Title) || !utf8.ValidString(m.Description):
		return fieldErr("title", "not valid text")
	case len(m.Description) > MaxDescriptionBytes:
		return fieldErr("description", "at most %d bytes (this one has %d)", MaxDescriptionBytes, len(m.Description))
	case strings.ContainsAny(m.Description, "<>"):
		return fieldErr("description", "YouTube does not accept < or > in descriptions")
	case !categoryRe.MatchString(m.CategoryID):
		return fieldErr("category_id", "must be a YouTube category number such as 22")
	case m.DefaultLanguage != "" && !languageRe.MatchString(m.DefaultLanguage):
		return fieldErr("default_language", "must be a language code such as en or pt-BR")
	case m.Privacy != Private && m.Privacy != Unlisted && m.Privacy != Public:
		return fieldErr("privacy", "must be private, unlisted or public")
	case !m.PublishAt.IsZero() && !m.PublishAt.After(now):
		return fieldErr("publish_at", "must be in the future")
	case !m.PublishAt.IsZero() && m.Privacy == Unlisted:
		return fieldErr("publish_at", "a scheduled video becomes public at that time: choose public or private")
	}
	for _, t := range m.Tags {
		if strings.ContainsAny(t, "<>,") || !utf8.ValidString(t) {
			return fieldErr("tags", "tag %q: YouTube does not accept <, > or commas in tags", t)
		}
	}
	if n := TagsLength(m.Tags); n > MaxTagsChars {
		return fieldErr("tags", "at most %d characters in all (these have %d)", MaxTagsChars, n)
	}
	return nil
}

// Published is a package's state on YouTube: what syncs to other devices
// (through the app's outbox). The session URI and the media never sync.
type Published struct {
	PackageID string    `json:"package_id"`
	ChannelID string    `json:"channel_id"`
	VideoID   string    `json:"video_id"`
	URL       string    `json:"url"`
	PublishAt time.Time `json:"publish_at,omitzero"` // scheduled publication, zero when none
	// Status is "scheduled" (private until PublishAt), or the privacy:
	// "public", "unlisted", "private".
	Status string    `json:"status"`
	ByHand bool      `json:"by_hand"` // marked from a pasted address, not uploaded by the app
	At     time.Time `json:"at"`      // when it reached YouTube
}

// WatchURL is the canonical address of a video.
func WatchURL(videoID string) string { return "https://www.youtube.com/watch?v=" + videoID }

// publishedStatus is Published.Status for metadata.
func publishedStatus(m Metadata, now time.Time) string {
	if !m.PublishAt.IsZero() && m.PublishAt.After(now) {
		return "scheduled"
	}
	if !m.PublishAt.IsZero() {
		return string(Public)
	}
	return string(m.Privacy)
}
