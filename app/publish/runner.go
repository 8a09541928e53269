package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"tubeagency/app/google"
)

// EventPublish is the event the runner emits, with a Progress.
const EventPublish = "publish"

// Progress is an upload's state for the UI.
type Progress struct {
	JobID       string    `json:"job_id"`
	PackageID   string    `json:"package_id"`
	ChannelID   string    `json:"channel_id"`
	State       State     `json:"state"`
	Sent        int64     `json:"sent"`          // bytes YouTube holds (or that are on their way)
	Total       int64     `json:"total"`         // bytes of the video
	BytesPerSec float64   `json:"bytes_per_sec"` // since this run started
	Note        string    `json:"note,omitempty"`
	VideoID     string    `json:"video_id,omitempty"`
	URL         string    `json:"url,omitempty"`
	RunAfter    time.Time `json:"run_after,omitzero"`
	// At is when the job was as told: the page keeps the later of an event
	// and a record it fetched (whose At is its last change), as a call's
	// answer can arrive after events the job has sent since.
	At time.Time `json:"at,omitzero"`
}

// Defaults of Config.
const (
	DefaultChunkSize     = 8 << 20
	DefaultInterval      = 30 * time.Second
	DefaultTries         = 6
	DefaultRetryLater    = 5 * time.Minute
	DefaultProgressEvery = 500 * time.Millisecond
)

// Config configures NewRunner. DB and YouTube are required.
type Config struct {
	DB      *DB
	YouTube *YouTube
	// Online reports whether the network is up; offline, due jobs wait.
	// Nil means always online.
	Online func() bool
	// Submit runs a job, keyed by channel id: the app passes its worker
	// pool's Submit. Nil means a goroutine per job.
	Submit func(key string, job func(ctx context.Context)) error
	// Emit receives EventPublish events. Nil means none.
	Emit func(event string, data any)
	// OnPublished is told each video that reached YouTube, at least once
	// (it is called again after a failure or a restart until it returns
	// nil): the app writes the package's published state through its
	// outbox there. Nil means nobody is told.
	OnPublished func(ctx context.Context, p Published) error
	// Now is the clock. Nil means the DB's.
	Now func() time.Time
	// Interval is how often Start's loop looks for due jobs. Zero means
	// DefaultInterval.
	Interval time.Duration
	// Concurrency is how many jobs run at once. Zero means 1 (uploads
	// share the link).
	Concurrency int
	// ChunkSize is the bytes per PUT, rounded up to a multiple of 256 KiB.
	// Zero means DefaultChunkSize. A cut costs at most one chunk.
	ChunkSize int64
	// Limits are the project's daily quota limits. Zero means Google's
	// defaults.
	Limits Limits
	// Backoff makes the backoff between attempts of one step. Nil means
	// exponential from 1 s to 1 min.
	Backoff func() backoff.BackOff
	// Tries bounds the attempts of one step (a chunk, a call) before the
	// job waits RetryLater. Zero means DefaultTries.
	Tries uint
	// RetryLater is how long a job waits after its tries, doubling per
	// failed run up to an hour. Zero means DefaultRetryLater.
	RetryLater time.Duration
	// ProgressEvery spaces progress events within a chunk. Zero means
	// DefaultProgressEvery.
	ProgressEvery time.Duration
	// Logger logs failures of the loop itself. Nil means slog.Default().
	Logger *slog.Logger
}

// Runner runs due upload jobs. Start and Stop follow the usual loop shape;
// tests call Dispatch or RunJob directly.
type Runner struct {
	cfg Config
	db  *DB
	yt  *YouTube

	mu      sync.Mutex
	running map[string]*running
	stopped bool
	jobs    sync.WaitGroup
	loop    sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	wake    chan struct{}
}

type running struct {
	cancel    context.CancelFunc
	cancelled bool
	channelID string // set when known: Unlink stops the channel's uploads
}

// NewRunner makes a runner, not yet looping until Start.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.DB == nil || cfg.YouTube == nil {
		return nil, errors.New("publish runner: DB and YouTube are required")
	}
	if cfg.Now == nil {
		cfg.Now = cfg.DB.now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = DefaultChunkSize
	}
	cfg.ChunkSize = (cfg.ChunkSize + ChunkUnit - 1) / ChunkUnit * ChunkUnit
	if cfg.Backoff == nil {
		cfg.Backoff = func() backoff.BackOff {
			b := backoff.NewExponentialBackOff()
			b.InitialInterval = time.Second
			b.MaxInterval = time.Minute
			return b
		}
	}
	if cfg.Tries == 0 {
		cfg.Tries = DefaultTries
	}
	if cfg.RetryLater <= 0 {
		cfg.RetryLater = DefaultRetryLater
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = DefaultProgressEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Runner{cfg: cfg, db: cfg.DB, yt: cfg.YouTube, running: map[string]*running{}, wake: make(chan struct{}, 1)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// Start runs the loop: every Interval, and whenever Kick is called, due
// jobs are dispatched. Jobs a killed process left uploading are due at
// once and resume from their last confirmed byte.
func (r *Runner) Start(ctx context.Context) {
	r.loop.Add(1)
	go func() {
		defer r.loop.Done()
		t := time.NewTicker(r.cfg.Interval)
		defer t.Stop()
		for {
			r.Dispatch(r.ctx)
			select {
			case <-ctx.Done():
				return
			case <-r.ctx.Done():
				return
			case <-t.C:
			case <-r.wake:
			}
		}
	}()
}

// Stop ends the loop, cancels running jobs (their sessions stay saved) and
// waits for them.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	r.cancel()
	r.loop.Wait()
	r.jobs.Wait()
}

// Kick asks the loop to look for due jobs now (a new job, the network came
// back, a sign-in completed).
func (r *Runner) Kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Running reports whether job id is running in this process.
func (r *Runner) Running(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.running[id]
	return ok
}

// Dispatch reports videos not yet reported and submits due jobs, up to
// Concurrency at once. It returns how many it submitted.
func (r *Runner) Dispatch(ctx context.Context) int {
	r.report(ctx)
	if r.cfg.Online != nil && !r.cfg.Online() {
		return 0
	}
	r.mu.Lock()
	free := r.cfg.Concurrency - len(r.running)
	busy := len(r.running)
	r.mu.Unlock()
	if free <= 0 {
		return 0
	}
	jobs, err := r.db.due(ctx, r.cfg.Now(), free+busy)
	if err != nil {
		if ctx.Err() == nil {
			r.cfg.Logger.Warn("publish: list due jobs", "err", err)
		}
		return 0
	}
	n := 0
	for _, j := range jobs {
		if n == free {
			break
		}
		if r.submit(j) {
			n++
		}
	}
	return n
}

func (r *Runner) submit(j Job) bool {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return false
	}
	if _, ok := r.running[j.ID]; ok {
		r.mu.Unlock()
		return false
	}
	jctx, cancel := context.WithCancel(r.ctx)
	run := &running{cancel: cancel, channelID: j.ChannelID}
	r.running[j.ID] = run
	r.jobs.Add(1)
	r.mu.Unlock()
	fn := func(pctx context.Context) {
		defer r.jobs.Done()
		defer func() {
			r.mu.Lock()
			delete(r.running, j.ID)
			r.mu.Unlock()
			cancel()
			// the freed slot goes to the next waiting job now, not at
			// the next tick (up to Interval later)
			r.Kick()
		}()
		stop := context.AfterFunc(pctx, cancel)
		defer stop()
		r.execute(jctx, j.ID, run)
	}
	if r.cfg.Submit == nil {
		go fn(jctx)
		return true
	}
	if err := r.cfg.Submit(j.ChannelID, fn); err != nil {
		r.mu.Lock()
		delete(r.running, j.ID)
		r.mu.Unlock()
		r.jobs.Done()
		cancel()
		return false
	}
	return true
}

// RunJob runs job id now in the caller's goroutine (whatever its RunAfter)
// and returns the job as it ended.
func (r *Runner) RunJob(ctx context.Context, id string) (Job, error) {
	r.mu.Lock()
	if _, ok := r.running[id]; ok {
		r.mu.Unlock()
		return Job{}, fmt.Errorf("run job %s: %w", id, ErrBusy)
	}
	jctx, cancel := context.WithCancel(ctx)
	run := &running{cancel: cancel}
	r.running[id] = run
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, id)
		r.mu.Unlock()
		cancel()
	}()
	r.execute(jctx, id, run)
	return r.db.Job(ctx, id)
}

// Cancel stops job id, running or not. A job whose video is on YouTube
// cannot be cancelled.
func (r *Runner) Cancel(ctx context.Context, id string) (Job, error) {
	r.mu.Lock()
	run, ok := r.running[id]
	if ok {
		run.cancelled = true
		run.cancel()
	}
	r.mu.Unlock()
	return r.db.Cancel(ctx, id)
}

// Unlink ends channelID's link to YouTube (DB.Unlink) and stops its
// uploads of a video not on YouTube yet running now: they wait in StateUnlinked with the others, their
// session kept for a link to the same YouTube channel. An upload whose last
// chunk completes before it stops is on YouTube, and ends done.
func (r *Runner) Unlink(ctx context.Context, channelID string) ([]string, error) {
	moved, err := r.db.Unlink(ctx, channelID)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	for id, run := range r.running {
		if run.channelID == channelID && slices.Contains(moved, id) {
			run.cancelled = true // the state is written: settle leaves it
			run.cancel()
		}
	}
	r.mu.Unlock()
	for _, id := range moved {
		r.emitJob(ctx, id) // the panels and the calendar show the wait
	}
	return moved, nil
}

func (r *Runner) emit(j Job, sent float64, speed float64) {
	if r.cfg.Emit == nil {
		return
	}
	p := j.Progress(r.cfg.Now())
	p.BytesPerSec = speed
	if j.VideoID == "" {
		p.Sent = int64(sent)
	}
	r.cfg.Emit(EventPublish, p)
}

// Progress is the job as an event told at time at: the bytes YouTube
// holds are its saved offset (all of them once the video exists).
func (j Job) Progress(at time.Time) Progress {
	p := Progress{JobID: j.ID, PackageID: j.PackageID, ChannelID: j.ChannelID, State: j.State, Sent: j.Offset,
		Total: j.VideoSize, Note: j.Note, VideoID: j.VideoID, RunAfter: j.RunAfter, At: at}
	if j.VideoID != "" {
		p.URL = WatchURL(j.VideoID)
		p.Sent = j.VideoSize
	}
	return p
}

func (r *Runner) emitJob(ctx context.Context, id string) {
	if j, err := r.db.Job(ctx, id); err == nil {
		r.emit(j, float64(j.Offset), 0)
	}
}

// report tells OnPublished about videos it has not accepted yet.
func (r *Runner) report(ctx context.Context) {
	if r.cfg.OnPublished == nil {
		return
	}
	jobs, err := r.db.unreported(ctx)
	if err != nil {
		return
	}
	for _, j := range jobs {
		if err := r.cfg.OnPublished(ctx, j.Published()); err != nil {
			if ctx.Err() == nil {
				r.cfg.Logger.Warn("publish: report a published video", "job", j.ID, "err", err)
			}
			continue
		}
		_ = r.db.markReported(ctx, j.ID)
	}
}

// execute runs one job's remaining steps and settles its state.
func (r *Runner) execute(ctx context.Context, id string, run *running) {
	// a stopped runner's context outlives nothing: use a detached one for
	// saving the outcome
	save := context.WithoutCancel(ctx)
	j, err := r.db.Job(save, id)
	if err != nil {
		return
	}
	r.mu.Lock()
	run.channelID = j.ChannelID
	r.mu.Unlock()
	if !j.State.Active() && j.State != StateFailed && j.State != StateSignIn {
		return
	}
	if ctx.Err() != nil {
		return
	}
	bucket, err := r.steps(ctx, &j)
	r.settle(save, j, bucket, err, run)
}

// steps uploads the video if needed, then sets the thumbnail and captions.
// It returns the quota bucket of the call that failed.
func (r *Runner) steps(ctx context.Context, j *Job) (string, error) {
	if j.VideoID == "" {
		if err := r.upload(ctx, j); err != nil {
			return BucketInsert, err
		}
		r.report(ctx)
	}
	if j.ThumbnailPath != "" && !j.ThumbnailDone {
		err := r.call(ctx, BucketUnits, CostThumbnail, func() error {
			return r.yt.setThumbnail(ctx, j.Account, j.VideoID, j.ThumbnailPath)
		})
		switch {
		case err == nil:
			j.ThumbnailDone = true
			if err := r.db.update(ctx, j.ID, `thumbnail_done = 1`); err != nil {
				return "", err
			}
		case optional(err):
			j.Note = appendNote(j.Note, "Thumbnail not set: "+sentence(err))
			j.ThumbnailDone = true
			if err := r.db.update(ctx, j.ID, `thumbnail_done = 1, note = ?`, j.Note); err != nil {
				return "", err
			}
		default:
			return BucketUnits, err
		}
	}
	if j.UploadCaptions && j.CaptionsPath != "" && j.CaptionID == "" {
		var id string
		err := r.call(ctx, BucketUnits, CostCaption, func() error {
			var err error
			id, err = r.yt.insertCaption(ctx, j.Account, j.VideoID, j.CaptionsPath, captionLanguage(j.Meta), "Tube Agency")
			return err
		})
		switch {
		case err == nil:
			j.CaptionID = id
			if err := r.db.update(ctx, j.ID, `caption_id = ?`, id); err != nil {
				return "", err
			}
		case optional(err):
			j.Note = appendNote(j.Note, "Captions not added: "+sentence(err))
			j.CaptionID = "-"
			if err := r.db.update(ctx, j.ID, `caption_id = '-', note = ?`, j.Note); err != nil {
				return "", err
			}
		default:
			return BucketUnits, err
		}
	}
	return "", nil
}

func captionLanguage(m Metadata) string {
	if m.DefaultLanguage != "" {
		return m.DefaultLanguage
	}
	return "en"
}

func appendNote(note, s string) string {
	if note == "" {
		return s
	}
	return note + " " + s
}

// optional reports a refusal of a thumbnail or caption that retrying will
// not fix and that must not hold the published video back (a channel not
// verified for custom thumbnails, a malformed SRT, a missing file).
func optional(err error) bool {
	var fe *fileError
	if errors.As(err, &fe) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 400 && ae.Status < 500 && ae.Status != 401 && ae.Status != 429 &&
			!errors.Is(ae, ErrQuotaExceeded) && ae.Reason != "insufficientPermissions" && ae.Reason != "rateLimitExceeded" &&
			ae.Reason != "userRateLimitExceeded"
	}
	return false
}

// call charges cost from bucket, then runs fn with retries.
func (r *Runner) call(ctx context.Context, bucket string, cost int, fn func() error) error {
	if err := r.db.Charge(ctx, bucket, cost, r.cfg.Limits, r.cfg.Now()); err != nil {
		return err
	}
	_, err := r.retry(ctx, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// retryWith runs op with backoff while it fails transiently, and returns
// op's last error (backoff's wrappers removed).
func retryWith[T any](ctx context.Context, r *Runner, op func() (T, error)) (T, error) {
	var last error
	v, err := backoff.Retry(ctx, func() (T, error) {
		v, err := op()
		last = err
		if err == nil {
			return v, nil
		}
		if !transient(err) {
			return v, backoff.Permanent(err)
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			return v, backoff.RetryAfter(int(ae.RetryAfter / time.Second))
		}
		return v, err
	}, backoff.WithBackOff(r.cfg.Backoff()), backoff.WithMaxTries(r.cfg.Tries), backoff.WithMaxElapsedTime(0))
	if err != nil && ctx.Err() == nil && last != nil {
		err = last
	}
	return v, err
}

func (r *Runner) retry(ctx context.Context, op func() (struct{}, error)) (struct{}, error) {
	return retryWith(ctx, r, op)
}

// transient reports an error worth retrying: 5xx, 429, rate limits,
// network failures.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, google.ErrSignInAgain) || errors.Is(err, google.ErrNotSignedIn) || errors.Is(err, google.ErrBadClient) {
		return false
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return false
	}
	var qe *QuotaError
	if errors.As(err, &qe) {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Status == 429 || ae.Status == 408 ||
			ae.Reason == "rateLimitExceeded" || ae.Reason == "userRateLimitExceeded" || ae.Reason == "backendError"
	}
	return true // transport errors: a cut, a reset, a timeout, DNS while the network comes back
}

func sessionGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusGone)
}

// upload sends the video through a resumable session, resuming the stored
// one. The session URI and confirmed offset are saved after every chunk.
func (r *Runner) upload(ctx context.Context, j *Job) error {
	f, err := os.Open(j.VideoPath)
	if err != nil {
		return &fileError{err: fmt.Errorf("open the video: %w", err)}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return &fileError{err: fmt.Errorf("read the video: %w", err)}
	}
	if fi.Size() != j.VideoSize {
		return &fileError{err: fmt.Errorf("the video file changed size since it was queued (%d, now %d bytes): queue it again", j.VideoSize, fi.Size())}
	}
	total := j.VideoSize
	pt := r.newTracker(*j)
	offset := j.Offset
	if j.SessionURI != "" {
		st, err := retryWith(ctx, r, func() (uploadStatus, error) { return r.yt.query(ctx, j.Account, j.SessionURI, total) })
		switch {
		case sessionGone(err):
			j.SessionURI = ""
			j.SessionRestarts++
			if j.SessionRestarts > 1 {
				return errSessionLost
			}
		case err != nil:
			return err
		case st.Video != nil:
			return r.uploaded(ctx, j, st.Video)
		default:
			offset = st.Offset
			if err := r.db.saveOffset(ctx, j.ID, offset); err != nil {
				return err
			}
		}
	}
	for {
		if j.SessionURI == "" {
			if err := r.newSession(ctx, j); err != nil {
				return err
			}
			offset = 0
		}
		j.State, j.Offset = StateUploading, offset
		pt.begin(offset)
		r.emit(*j, float64(offset), 0)
		video, err := r.sendFrom(ctx, j, f, offset, pt)
		if sessionGone(err) {
			j.SessionURI = ""
			j.SessionRestarts++
			if j.SessionRestarts > 1 {
				return errSessionLost
			}
			continue
		}
		if err != nil {
			return err
		}
		return r.uploaded(ctx, j, video)
	}
}

var errSessionLost = &APIError{Status: http.StatusNotFound, Reason: "sessionLost",
	Message: "YouTube forgot the upload session twice; try again later"}

func (r *Runner) newSession(ctx context.Context, j *Job) error {
	if err := r.db.Charge(ctx, BucketInsert, CostInsert, r.cfg.Limits, r.cfg.Now()); err != nil {
		return err
	}
	uri, err := retryWith(ctx, r, func() (string, error) {
		return r.yt.startSession(ctx, j.Account, j.Meta, j.VideoSize, j.VideoType)
	})
	if err != nil {
		return err
	}
	j.SessionURI = uri
	return r.db.saveSession(ctx, j.ID, uri, j.SessionRestarts)
}

// sendFrom PUTs chunks from offset until the session completes.
func (r *Runner) sendFrom(ctx context.Context, j *Job, f *os.File, offset int64, pt *tracker) (*videoResource, error) {
	total := j.VideoSize
	for {
		if offset >= total {
			// every byte is there but no video came back: ask once more
			st, err := retryWith(ctx, r, func() (uploadStatus, error) { return r.yt.query(ctx, j.Account, j.SessionURI, total) })
			if err != nil {
				return nil, err
			}
			if st.Video != nil {
				return st.Video, nil
			}
			if st.Offset >= total {
				return nil, &APIError{Status: 500, Message: "YouTube holds every byte but did not finish the video"}
			}
			offset = st.Offset
			continue
		}
		needQuery := false
		st, err := retryWith(ctx, r, func() (uploadStatus, error) {
			if needQuery { // after a failure, YouTube says where to go on from
				st, err := r.yt.query(ctx, j.Account, j.SessionURI, total)
				if err != nil || st.Video != nil {
					return st, err
				}
				offset = st.Offset
				needQuery = false
				if offset >= total {
					return st, nil
				}
			}
			n := min(r.cfg.ChunkSize, total-offset)
			start := offset
			snap := *j // the transport may still read the body after the answer: it gets a copy
			st, err := r.yt.putChunk(ctx, j.Account, j.SessionURI, f, start, n, total, func(sent int64) { pt.progress(snap, start+sent) })
			if err != nil {
				needQuery = true
			}
			return st, err
		})
		if err != nil {
			return nil, err
		}
		if st.Video != nil {
			return st.Video, nil
		}
		offset = st.Offset
		if err := r.db.saveOffset(ctx, j.ID, offset); err != nil {
			return nil, err
		}
		j.Offset = offset
		pt.progress(*j, offset)
	}
}

// uploaded records the finished video.
func (r *Runner) uploaded(ctx context.Context, j *Job, v *videoResource) error {
	now := r.cfg.Now()
	if err := r.db.saveVideo(ctx, j.ID, v.ID, now); err != nil {
		return err
	}
	j.VideoID, j.State, j.SessionURI, j.Offset, j.PublishedAt = v.ID, StateFinishing, "", j.VideoSize, now
	r.emit(*j, float64(j.VideoSize), 0)
	return nil
}

// settle records how a run ended.
func (r *Runner) settle(ctx context.Context, j Job, bucket string, err error, run *running) {
	now := r.cfg.Now()
	var qe *QuotaError
	var ae *APIError
	switch {
	case err == nil:
		_ = r.db.setState(ctx, j.ID, StateDone, j.Note, time.Time{})
		r.report(ctx)
	case run.cancelled:
		// Cancel wrote the state
	case errors.Is(err, context.Canceled):
		// the runner stopped (or the caller gave up): the job stays as it
		// is and resumes from its saved session next time
		return
	case errors.As(err, &qe):
		_ = r.db.setState(ctx, j.ID, StateDeferred, quotaNote(qe.Bucket, qe.Reset), qe.Reset)
	case errors.Is(err, ErrQuotaExceeded):
		if bucket == "" {
			bucket = BucketUnits
		}
		_ = r.db.MarkSpent(ctx, bucket, r.cfg.Limits, now)
		reset := NextReset(now)
		_ = r.db.setState(ctx, j.ID, StateDeferred, quotaNote(bucket, reset), reset)
	case errors.Is(err, ErrUploadLimit):
		at := now.Add(24 * time.Hour)
		_ = r.db.setState(ctx, j.ID, StateDeferred, "YouTube's daily upload limit for this channel is reached (YouTube says: try again in 24 hours). Tube Agency tries again at "+
			at.Format(time.RFC3339)+".", at)
	case errors.Is(err, google.ErrSignInAgain) || errors.Is(err, google.ErrNotSignedIn) ||
		errors.As(err, &ae) && (ae.Status == 401 || ae.Reason == "insufficientPermissions"):
		_ = r.db.setState(ctx, j.ID, StateSignIn, signInNote(err), time.Time{})
	case transient(err) || errors.Is(err, context.DeadlineExceeded):
		attempts := j.Attempts + 1
		wait := min(r.cfg.RetryLater<<min(attempts-1, 8), time.Hour)
		at := now.Add(wait)
		state := StateQueued
		if j.VideoID != "" {
			state = StateFinishing
		}
		_ = r.db.updateRunning(ctx, j.ID, `state = ?, note = ?, run_after = ?, attempts = ?`, string(state),
			"YouTube could not be reached ("+sentence(err)+"). Tube Agency tries again at "+at.Format(time.RFC3339)+"; the upload resumes where it stopped.",
			at.UnixMilli(), attempts)
	default:
		_ = r.db.setState(ctx, j.ID, StateFailed, sentence(err), time.Time{})
	}
	r.emitJob(ctx, j.ID)
}

func quotaNote(bucket string, reset time.Time) string {
	what := "the YouTube API daily quota (10,000 units) is used up"
	if bucket == BucketInsert {
		what = "the YouTube API's daily upload quota (100 uploads) is used up"
	}
	return "Waiting: " + what + ". It resets at midnight Pacific time (" + reset.Format(time.RFC3339) + "); the job runs then by itself."
}

func signInNote(err error) string {
	var ae *APIError
	if errors.As(err, &ae) && ae.Reason == "insufficientPermissions" {
		return "The Google sign-in does not allow this (a permission was not granted). Sign in again under Settings → YouTube and allow every permission asked, then retry."
	}
	return "Google no longer accepts the sign-in for this channel. Sign in again under Settings → YouTube, then retry."
}

// sentence is an error as a user reads it.
func sentence(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.Message != "" {
			return ae.Message
		}
		return ae.Error()
	}
	return err.Error()
}

// tracker spaces progress events and measures speed by the injected clock.
type tracker struct {
	r      *Runner
	mu     sync.Mutex
	start  time.Time
	from   int64
	last   time.Time
	lastAt int64
}

func (r *Runner) newTracker(Job) *tracker { return &tracker{r: r} }

func (t *tracker) begin(offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.start = t.r.cfg.Now()
	t.from = offset
	t.last = time.Time{}
}

func (t *tracker) progress(j Job, sent int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.r.cfg.Now()
	if !t.last.IsZero() && now.Sub(t.last) < t.r.cfg.ProgressEvery && sent != j.VideoSize && sent != j.Offset {
		return
	}
	if sent == t.lastAt && !t.last.IsZero() {
		return
	}
	t.last, t.lastAt = now, sent
	speed := 0.0
	if el := now.Sub(t.start).Seconds(); el > 0 {
		speed = float64(sent-t.from) / el
	}
	j.State = StateUploading
	t.r.emit(j, float64(sent), speed)
}
