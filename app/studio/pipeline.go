package studio

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/internal/store"
	"tubeagency/providers"
)

// Studio runs package pipelines. Create it with New.
type Studio struct {
	cfg Config

	mu      sync.Mutex
	running map[string]*claim

	schemaOnce sync.Once
	schemaErr  error
}

// claim is one run in progress.
type claim struct {
	cancel context.CancelFunc
	byUser bool // Cancel was called: the run is not resumed at the next start
}

// saveTimeout bounds the saves a run makes after its context ended.
const saveTimeout = 10 * time.Second

// New makes a Studio from cfg, filling defaults.
func New(cfg Config) *Studio {
	if cfg.Scorer == nil {
		cfg.Scorer = HeuristicScorer{}
	}
	if cfg.Emit == nil {
		cfg.Emit = func(string, any) {}
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.Now
	}
	if cfg.AudioDir == "" {
		cfg.AudioDir = filepath.Join(filepath.Dir(cfg.Store.Path()), "audio")
	}
	return &Studio{cfg: cfg, running: map[string]*claim{}}
}

// AudioDir is the folder voice-overs are written to.
func (s *Studio) AudioDir() string { return s.cfg.AudioDir }

// RunOptions tune one run.
type RunOptions struct {
	// SkipVoice marks the voice step skipped instead of running it.
	SkipVoice bool
	// Generator overrides the configured one for this run (the autopilot
	// passes the local templates when quotas are spent). Nil means the
	// configured Generator.
	Generator Generator
	// Background marks requests as not interactive (the router may wait
	// for a rate-limit token instead of moving on).
	Background bool
	// NoCache bypasses the provider cache.
	NoCache bool
	// Source names who asked ("studio", "autopilot"), for the activity log.
	Source string
}

// Progress is the payload of a job event.
type Progress struct {
	PackageID string `json:"package_id"`
	ChannelID string `json:"channel_id"`
	Step      string `json:"step"`
	Status    string `json:"status"` // running, done, failed, cancelled, finished
	Chars     int    `json:"chars,omitempty"`
	Delta     string `json:"delta,omitempty"`
	// Restart, on a running step, says the text streamed for it so far is
	// void: an attempt failed partway and another starts over. The page
	// clears what it shows; the deltas that follow are the whole answer,
	// and Chars counts from zero again.
	Restart bool `json:"restart,omitempty"`
	// Note says in plain words who answers now and why ("Switched to
	// Claude: Groq stopped sending its answer for more than 3 s."), sent
	// with Restart; on a done step, it is the saved state's Note.
	Note     string `json:"note,omitempty"`
	Provider string `json:"provider,omitempty"`
	Error    string `json:"error,omitempty"`
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Source   string `json:"source,omitempty"`
}

// NewPackage is a fresh package record with every step pending. id empty
// means a new UUIDv7.
func NewPackage(id, channelID, topic string) (store.Package, error) {
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return store.Package{}, err
		}
		id = u.String()
	}
	steps := make(map[string]store.StepState, len(Steps))
	for _, st := range Steps {
		steps[st] = store.StepState{Status: StatePending}
	}
	return store.Package{Meta: store.Meta{ID: id}, ChannelID: channelID, Status: store.StatusIdea, Topic: topic,
		Content: store.PackageContent{Steps: steps}}, nil
}

// Create stores a new package for channelID with an optional topic.
func (s *Studio) Create(ctx context.Context, channelID, topic string) (store.Package, error) {
	p, err := NewPackage("", channelID, topic)
	if err != nil {
		return p, err
	}
	var out store.Package
	err = s.cfg.Store.Mutate(ctx, func(m *store.Mutation) error {
		if _, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, channelID); err != nil {
			return fmt.Errorf("create package: channel %s: %w", channelID, err)
		}
		out, err = store.PutRecord(m, store.PackageEntity, p)
		return err
	})
	return out, err
}

// Running lists the ids of packages being generated now.
func (s *Studio) Running() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.running))
	for id := range s.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Cancel stops the run of package id. It reports whether one was running.
// A run cancelled this way is not resumed at the next start.
func (s *Studio) Cancel(id string) bool {
	s.mu.Lock()
	c, ok := s.running[id]
	if ok {
		c.byUser = true
	}
	s.mu.Unlock()
	if ok {
		c.cancel()
	}
	return ok
}

// claim marks package id as running. release ends the claim and reports
// whether the user cancelled the run.
func (s *Studio) claim(ctx context.Context, id string) (context.Context, func() bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, busy := s.running[id]; busy {
		return nil, nil, ErrBusy
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &claim{cancel: cancel}
	s.running[id] = c
	return ctx, func() bool {
		s.mu.Lock()
		delete(s.running, id)
		byUser := c.byUser
		s.mu.Unlock()
		cancel()
		return byUser
	}, nil
}

// runStats aggregates what one run used, for the activity log.
type runStats struct {
	Providers map[string]int `json:"providers"`
	Fallbacks int            `json:"fallbacks"`
	CacheHits int            `json:"cache_hits"`
	Steps     int            `json:"steps"`
	Source    string         `json:"source,omitempty"`
	Engine    string         `json:"voice_engine,omitempty"`
}

func (r *runStats) add(resp providers.Response) {
	if r.Providers == nil {
		r.Providers = map[string]int{}
	}
	if resp.Provider != "" {
		r.Providers[resp.Provider]++
	}
	if resp.Fallback {
		r.Fallbacks++
	}
	if resp.Cached {
		r.CacheHits++
	}
}

// Run performs every step of package id that is not done yet, saving each
// as it finishes. Cancelling ctx (or Cancel(id)) stops it after saving the
// running step as cancelled; running it again resumes.
func (s *Studio) Run(ctx context.Context, id string, opts RunOptions) (store.Package, error) {
	p, err := s.run(ctx, id, opts)
	if err == nil {
		// After the claim is released, so a client that asks Running on this
		// event no longer sees the package; sent even when the run only had
		// to mark the voice step skipped.
		s.cfg.Emit(events.Job, s.progress(p, "", "finished", opts))
	}
	return p, err
}

func (s *Studio) run(parent context.Context, id string, opts RunOptions) (p store.Package, err error) {
	ctx, release, err := s.claim(parent, id)
	if err != nil {
		return store.Package{}, err
	}
	tracked := false
	defer func() {
		byUser := release()
		// A run that ended keeps no record; one stopped because the app is
		// shutting down (its parent context ended) is resumed at the next start.
		if tracked && (byUser || parent.Err() == nil) {
			err = errors.Join(err, s.untrack(parent, id))
		}
	}()
	p, err = s.load(ctx, id)
	if err != nil {
		return p, err
	}
	ch, err := s.channel(ctx, p.ChannelID)
	if err != nil {
		return p, err
	}
	if err := s.track(ctx, p, opts); err != nil {
		return p, err
	}
	tracked = opts.Source != SourceAutopilot
	stats := &runStats{Source: opts.Source}
	for _, step := range Steps {
		st := p.Content.Steps[step]
		if st.Status == StateDone || st.Status == StateSkipped && (step != StepVoice || opts.SkipVoice) {
			continue
		}
		if step == StepVoice && opts.SkipVoice {
			if p, err = s.save(ctx, ch, p, step, store.StepState{Status: StateSkipped}, nil, stats, nil); err != nil {
				return p, err
			}
			continue
		}
		p, err = s.runStep(ctx, ch, p, step, opts, stats)
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// RunStep (re)generates one step of package id alone, bypassing the cache.
// The steps it builds on must be done.
func (s *Studio) RunStep(ctx context.Context, id, step string, opts RunOptions) (store.Package, error) {
	if !slices.Contains(Steps, step) {
		return store.Package{}, fmt.Errorf("%w: %q (want one of %v)", ErrUnknownStep, step, Steps)
	}
	p, err := func() (store.Package, error) {
		ctx, release, err := s.claim(ctx, id)
		if err != nil {
			return store.Package{}, err
		}
		defer func() { release() }()
		p, err := s.load(ctx, id)
		if err != nil {
			return p, err
		}
		ch, err := s.channel(ctx, p.ChannelID)
		if err != nil {
			return p, err
		}
		opts.NoCache = true
		return s.runStep(ctx, ch, p, step, opts, &runStats{Source: opts.Source})
	}()
	if err == nil {
		s.cfg.Emit(events.Job, s.progress(p, "", "finished", opts))
	}
	return p, err
}

func (s *Studio) channel(ctx context.Context, id string) (store.Channel, error) {
	ch, err := store.Get[store.Channel](ctx, s.cfg.Store.ReadDB(), store.ChannelEntity, id)
	if err != nil {
		return ch, fmt.Errorf("load channel %s: %w", id, err)
	}
	return ch, nil
}

func (s *Studio) load(ctx context.Context, id string) (store.Package, error) {
	p, err := store.Get[store.Package](ctx, s.cfg.Store.ReadDB(), store.PackageEntity, id)
	if err != nil {
		return p, fmt.Errorf("load package %s: %w", id, err)
	}
	if p.Content.Steps == nil {
		p.Content.Steps = map[string]store.StepState{}
	}
	return p, nil
}

func (s *Studio) progress(p store.Package, step, status string, opts RunOptions) Progress {
	done := 0
	for _, st := range Steps {
		if x := p.Content.Steps[st].Status; x == StateDone || x == StateSkipped {
			done++
		}
	}
	return Progress{PackageID: p.ID, ChannelID: p.ChannelID, Step: step, Status: status, Done: done, Total: len(Steps), Source: opts.Source}
}

// runStep performs one step and saves its outcome.
func (s *Studio) runStep(ctx context.Context, ch store.Channel, p store.Package, step string, opts RunOptions, stats *runStats) (store.Package, error) {
	ev := s.progress(p, step, StateRunning, opts)
	s.cfg.Emit(events.Job, ev)
	gen := opts.Generator
	if gen == nil {
		gen = s.cfg.Generator
	}
	// The generator calls onDelta and onRestart one at a time.
	chars, note := 0, ""
	startOver := func(n string) {
		chars, note = 0, n
		d := ev
		d.Restart, d.Note = true, note
		s.cfg.Emit(events.Job, d)
	}
	r := &stepRun{s: s, ch: ch, p: p, opts: opts, gen: gen, onDelta: func(text string) {
		chars += len(text)
		d := ev
		d.Chars, d.Delta = chars, text
		s.cfg.Emit(events.Job, d)
	}, onRestart: func(rs providers.Restart) { startOver(switchNote(rs)) }, startOver: startOver}
	apply, state, err := r.do(ctx, step)
	if err != nil {
		status := StateFailed
		if ctx.Err() != nil {
			status, err = StateCancelled, fmt.Errorf("%w: %s", ErrCancelled, step)
			if errors.Is(context.Cause(ctx), ErrMoved) {
				return p, err // another device carries on: leave the package as it was
			}
		}
		// Save the outcome even though ctx may be cancelled: the package must
		// say the step stopped, and its earlier steps stay as they were.
		saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
		defer cancel()
		failed := store.StepState{Status: status, Error: userMessage(err)}
		np, saveErr := s.save(saveCtx, ch, p, step, failed, nil, nil, func(m *store.Mutation, np store.Package) error {
			if status == StateFailed && s.cfg.LogActivity != nil {
				return s.cfg.LogActivity(m, np.ChannelID, "studio.failed",
					fmt.Sprintf("%s step of %q failed: %s", step, displayName(np), failed.Error),
					map[string]any{"package_id": np.ID, "step": step, "error": failed.Error, "source": opts.Source})
			}
			return nil
		})
		if saveErr == nil {
			p = np
		}
		fev := s.progress(p, step, status, opts)
		fev.Error = failed.Error
		s.cfg.Emit(events.Job, fev)
		return p, errors.Join(err, saveErr)
	}
	if state.Status == "" {
		state.Status = StateDone
	}
	if state.Note == "" {
		state.Note = note
	}
	if r.resp != nil {
		state.Note = withNotes(state.Note, r.resp.Notes)
	}
	stats.Steps++
	if r.resp != nil {
		stats.add(*r.resp)
	}
	if step == StepVoice {
		stats.Engine = state.Provider
	}
	np, err := s.save(ctx, ch, p, step, state, apply, stats, nil)
	if err != nil {
		return p, err
	}
	dev := s.progress(np, step, StateDone, opts)
	dev.Provider, dev.Note = state.Provider, state.Note
	s.cfg.Emit(events.Job, dev)
	s.cfg.Emit(events.Packages, np)
	return np, nil
}

// save re-reads the package inside a write transaction, applies one step's
// result to it (so an edit the user saved meanwhile to another part is
// kept), settles it (spoken lines, checklist, status) and writes it
// through the outbox.
//
// The save that makes the package ready also records "studio.ready" in the
// activity log, with what the run used (stats), in the same transaction;
// one that finishes every step short of the checklist records
// "studio.outline" with what is missing.
//
// known is the package as this run last saw it: when the stored row still
// carries its clock value, nobody wrote in between and it is used as is
// instead of decoding the row again.
func (s *Studio) save(ctx context.Context, ch store.Channel, known store.Package, step string, state store.StepState, apply func(*store.Package), stats *runStats,
	also func(*store.Mutation, store.Package) error) (store.Package, error) {
	id := known.ID
	var out store.Package
	err := s.cfg.Store.Mutate(ctx, func(m *store.Mutation) error {
		p, err := current(ctx, m.Tx(), known)
		if err != nil {
			return fmt.Errorf("save %s step of package %s: %w", step, id, err)
		}
		if p.Content.Steps == nil {
			p.Content.Steps = map[string]store.StepState{}
		}
		if apply != nil {
			apply(&p)
		}
		state.At = s.cfg.Now().UnixMilli()
		p.Content.Steps[step] = state
		was := p.Status
		Settle(&p, ch)
		if out, err = putPackage(m, p); err != nil {
			return err
		}
		if stats != nil && was != out.Status && s.cfg.LogActivity != nil {
			switch out.Status {
			case store.StatusReady:
				err = s.logReady(m, out, stats)
			case store.StatusOutline:
				err = s.logOutline(m, out, stats)
			}
			if err != nil {
				return err
			}
		}
		if also != nil {
			return also(m, out)
		}
		return nil
	})
	return out, err
}

// statusOf derives a package's status from its steps and its checklist
// (Settle evaluates it first); a published package stays published.
func statusOf(p store.Package) string {
	if p.Status == store.StatusPublished {
		return p.Status
	}
	ok := func(step string) bool {
		st := p.Content.Steps[step].Status
		return st == StateDone || st == StateSkipped
	}
	all := true
	for _, st := range Steps {
		all = all && ok(st)
	}
	switch {
	case all && p.Content.Checklist != nil && p.Content.Checklist.Passed:
		return store.StatusReady
	case all:
		return store.StatusOutline
	case p.Content.Steps[StepVoice].Status == StateDone:
		return store.StatusVoiced
	case ok(StepScript):
		return store.StatusScripted
	default:
		return store.StatusIdea
	}
}

func (s *Studio) logReady(m *store.Mutation, p store.Package, stats *runStats) error {
	msg := fmt.Sprintf("Package %q is ready", displayName(p))
	if stats.Source == SourceAutopilot {
		msg = fmt.Sprintf("Autopilot made package %q ready", displayName(p))
	}
	return s.cfg.LogActivity(m, p.ChannelID, "studio.ready", msg, map[string]any{"package_id": p.ID, "providers": stats.Providers,
		"fallbacks": stats.Fallbacks, "cache_hits": stats.CacheHits, "steps": stats.Steps, "source": stats.Source, "voice_engine": stats.Engine})
}

func (s *Studio) logOutline(m *store.Mutation, p store.Package, stats *runStats) error {
	missing := p.Content.Checklist.Missing()
	labels := make([]string, len(missing))
	rules := make([]string, len(missing))
	for i, it := range missing {
		labels[i], rules[i] = strings.ToLower(it.Label[:1])+it.Label[1:], it.Rule
	}
	msg := fmt.Sprintf("Package %q is an outline: %s", displayName(p), strings.Join(labels, "; "))
	if stats.Source == SourceAutopilot {
		msg = fmt.Sprintf("Autopilot made package %q, an outline: %s", displayName(p), strings.Join(labels, "; "))
	}
	return s.cfg.LogActivity(m, p.ChannelID, "studio.outline", msg, map[string]any{"package_id": p.ID, "missing": rules,
		"providers": stats.Providers, "fallbacks": stats.Fallbacks, "steps": stats.Steps, "source": stats.Source})
}

func displayName(p store.Package) string {
	switch {
	case p.Title != "":
		return p.Title
	case p.Topic != "":
		return p.Topic
	default:
		return p.ID
	}
}

// userMessage turns a step error into a sentence for the package view.
func userMessage(err error) string {
	var pe *providers.Error
	switch {
	case errors.Is(err, ErrCancelled):
		return "Cancelled: run the package again to resume from this step."
	case errors.As(err, &pe):
		return fmt.Sprintf("%s could not answer (%s): try again, or check Settings → Providers.", pe.Provider, pe.Error())
	default:
		return err.Error()
	}
}

// current is the stored package: known itself (with its own copy of the
// steps) when the row's clock value is still known's, else the row read again.
func current(ctx context.Context, q store.Querier, known store.Package) (store.Package, error) {
	var hlc string
	var deleted bool
	err := q.QueryRowContext(ctx, `SELECT hlc, deleted FROM packages WHERE id = ?`, known.ID).Scan(&hlc, &deleted)
	if errors.Is(err, sql.ErrNoRows) || err == nil && deleted {
		return known, store.ErrNotFound
	}
	if err != nil {
		return known, err
	}
	if known.HLC == "" || hlc != known.HLC {
		return readPackage(ctx, q, known.ID)
	}
	p := known
	p.Content.Steps = make(map[string]store.StepState, len(known.Content.Steps))
	for k, v := range known.Content.Steps {
		p.Content.Steps[k] = v
	}
	return p, nil
}

// readPackage and putPackage are the store's typed fast paths.
func readPackage(ctx context.Context, q store.Querier, id string) (store.Package, error) {
	return store.GetPackage(ctx, q, id)
}

func putPackage(m *store.Mutation, p store.Package) (store.Package, error) {
	return store.PutPackage(m, p)
}

// switchNote says in plain words who answers a step now and why the text
// shown before was dropped.
func switchNote(rs providers.Restart) string {
	reason := strings.TrimSpace(rs.Reason)
	if reason == "" {
		reason = rs.From + " stopped partway."
	}
	if rs.From == rs.Label {
		return "Started over: " + reason
	}
	return "Switched to " + rs.Label + ": " + reason
}

// withNotes adds to a step's note what the generator said on the way
// (why the local templates answered, a rejected key), leaving out what the
// note says already: after "Switched to Local templates: …" the templates'
// "answered instead" adds nothing.
func withNotes(note string, notes []string) string {
	switched := note != ""
	for _, n := range notes {
		n = strings.TrimSpace(n)
		if n == "" || strings.Contains(note, n) || switched && strings.HasSuffix(n, " answered instead.") {
			continue
		}
		if note != "" {
			note += " "
		}
		note += n
	}
	return note
}
