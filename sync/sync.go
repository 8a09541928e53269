// Package sync replays the local outbox to a remote store and pulls other
// devices' changes back, so every device converges on the same rows.
//
// Importers alias it as cloudsync. The package declares the Remote it
// replays to; sync/supabase implements it for Supabase (PostgREST + Auth).
//
// Push drains the outbox in seq order, in batches, merging several changes
// of one row into the newest, and deletes the sent entries in the same
// transaction that records success. Transient failures (network, timeout,
// 5xx, 429) back off exponentially with jitter and are retried for ever; a
// permanent failure (row-level security, a constraint, a 400) is isolated by
// splitting the batch and parks the one bad row in dead_letters, where the
// user can retry, edit or discard it. Pull applies rows above a saved cursor
// by last-writer-wins on the hybrid logical clock, never over a newer
// pending local change, and saves the cursor in the same transaction.
package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tubeagency/internal/store"
)

// Remote is the server the outbox is replayed to. Calls are made one at a
// time by the Syncer; an implementation may rely on that.
type Remote interface {
	// Push upserts rows (full row JSON objects with id, hlc and deleted)
	// into table. The server keeps the row with the newest hlc, so a
	// repeated or stale push is harmless.
	Push(ctx context.Context, table string, rows []json.RawMessage) error
	// Pull returns up to limit rows of table whose server sequence is above
	// after, in ascending sequence order, leaving out rows whose clock value
	// was made by the device exceptDevice ("" leaves out none): a device
	// already has every version it wrote.
	Pull(ctx context.Context, table string, after int64, limit int, exceptDevice string) ([]RemoteRow, error)
	// Probe checks the server answers.
	Probe(ctx context.Context) error
	// UserID is the id of the account the rows belong to.
	UserID() string
}

// RemoteRow is one pulled row with its server sequence.
type RemoteRow struct {
	Seq int64
	Row store.Row
}

// ChangesPuller is a Remote that reads every table's changes in one request
// (schema 0002's tubeagency_pull). The Syncer uses it when the Remote has
// it, and pulls table by table when it does not or when the server answers
// ErrNoPullFunction (a project that has not applied 0002).
type ChangesPuller interface {
	// PullChanges returns up to limit changes of the tables named in
	// cursors, each above its table's cursor, in ascending server sequence
	// across tables. Changes whose clock value device made are left out:
	// the device has them. The page covers every change of those tables up
	// to its Last sequence number, so every cursor may move there.
	PullChanges(ctx context.Context, cursors map[string]int64, limit int, device string) (ChangePage, error)
}

// ChangePage is one page of changes.
type ChangePage struct {
	Changes []Change // ascending Seq
	More    bool     // further changes wait above Last
	// Last is the sequence number the page covers up to: every change of
	// the tables asked for at or below it is in Changes or was left out as
	// the puller's own. At least the last Seq.
	Last int64
}

// Change is one changed row of a pull page.
type Change struct {
	Table string
	Seq   int64
	Row   store.Row // nil: a version the puller wrote itself, sent bare
}

// Error is a failed remote call. Remotes return it so the Syncer can tell
// a retryable failure from a permanent one without reading messages.
type Error struct {
	Op         string        // what was attempted, e.g. "push channels"
	Status     int           // HTTP status; 0 when no answer arrived
	Code       string        // server error code (SQLSTATE or PGRST…), when given
	Message    string        // the server's message, for people
	Permanent  bool          // retrying the same request cannot succeed
	RetryAfter time.Duration // the server's Retry-After, when given
	Err        error         // the underlying error, when any
}

func (e *Error) Error() string {
	switch {
	case e.Status == 0 && e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	case e.Code != "":
		return fmt.Sprintf("%s: %d %s: %s", e.Op, e.Status, e.Code, e.Message)
	default:
		return fmt.Sprintf("%s: %d %s", e.Op, e.Status, e.Message)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel errors.
var (
	// ErrSignedOut means there is no session: the app keeps working and
	// queueing changes until the user signs in.
	ErrSignedOut = errors.New("not signed in to sync")
	// ErrSessionExpired means the server refused the session and it could
	// not be refreshed: the user must sign in again.
	ErrSessionExpired = errors.New("sync session expired: sign in again")
	// ErrDeadLetterNotFound means no dead letter has the given id.
	ErrDeadLetterNotFound = errors.New("dead letter not found")
	// ErrNoPullFunction means the project has no tubeagency_pull function
	// (it has not applied sync/schema/0002): the Syncer pulls table by table.
	ErrNoPullFunction = errors.New("the Supabase project has not applied sync/schema/0002_devices_and_pull.sql")
	// ErrResponseTooLarge means an answer was larger than the client reads
	// (a pull page of very large rows): the Syncer asks for smaller pages.
	ErrResponseTooLarge = errors.New("the server's answer was larger than the client reads")
)

// IsPermanent reports whether err is a remote refusal that retrying the
// same request cannot fix: row-level security (42501), a constraint
// violation (23xxx) or a 400.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// Classify decides whether a server answer is permanent: SQLSTATE 42501,
// any 23xxx, or HTTP 400. Everything else (network errors, timeouts, 5xx,
// 429, 401 before a refresh) is worth retrying.
func Classify(status int, code string) bool {
	switch {
	case code == "42501":
		return true
	case len(code) == 5 && code[:2] == "23":
		return true
	case status == 400:
		return true
	}
	return false
}
