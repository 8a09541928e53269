package app

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/app/events"
	"tubeagency/app/render"
	"tubeagency/app/settings"
	"tubeagency/internal/store"
)

// renderParts are the video renderer and its queue. Rendered files live
// under <data-dir>/renders/<package>/; each channel's pictures, clips and
// music under <data-dir>/media/<channel>/.
type renderParts struct {
	renderer *render.Renderer
	root     string // <data-dir>/renders
	media    string // <data-dir>/media
	queue    *renderQueue
	saved    *render.Queue // the queue as SQLite keeps it across restarts
}

// maxRenderTasks bounds the finished tasks kept for RenderStatus; the
// oldest finished ones are forgotten first (their files stay).
const maxRenderTasks = 500

// renderQueue runs one render at a time, in the order asked. ffmpeg
// already keeps every core busy, so a second render at once would only
// slow both. Tasks live in memory; what is asked is also kept in SQLite
// (render.Queue) until its render ends, so renders queued or running when
// the app closes are queued again at the next start, in order, resuming
// from the finished stages on disk.
type renderQueue struct {
	rt     *Runtime
	mu     sync.Mutex
	order  []string               // queued package ids, next first
	tasks  map[string]*RenderTask // the latest task of each package
	seq    int64                  // orders tasks for forgetting
	cancel context.CancelFunc     // of the running render; nil when idle
	wake   chan struct{}
	stop   context.CancelFunc
	closed bool // set by stopRender: no more background work starts
	wg     sync.WaitGroup
}

// buildRender builds the renderer over the studio's voice chain; it needs
// the studio built. startRender starts its queue.
func (rt *Runtime) buildRender(ctx context.Context) error {
	saved, err := render.OpenQueue(ctx, rt.store)
	if err != nil {
		return fmt.Errorf("start rendering: %w", err)
	}
	r := render.New(render.Options{
		FFmpeg: rt.providers.settings.Get().Render.FFmpeg, // settings.json's render.ffmpeg; empty: on PATH
		Voice:  rt.studio.voice,
		Now:    rt.opts.Now,
		Logger: rt.log,
	})
	rt.render = &renderParts{
		renderer: r,
		root:     filepath.Join(rt.opts.DataDir, "renders"),
		media:    filepath.Join(rt.opts.DataDir, "media"),
		queue:    &renderQueue{rt: rt, tasks: map[string]*RenderTask{}, wake: make(chan struct{}, 1)},
		saved:    saved,
	}
	return nil
}

// applyRenderSettings follows a hand edit of settings.json's
// render.ffmpeg: renders use the new program, checked before the next one.
func (rt *Runtime) applyRenderSettings(st settings.Settings) {
	if rt.render == nil || st.Render.FFmpeg == rt.render.renderer.FFmpegPath() {
		return
	}
	rt.render.renderer.SetFFmpeg(st.Render.FFmpeg)
	rt.log.Info("ffmpeg program set in settings.json", "path", st.Render.FFmpeg)
}

// startRender starts the queue's worker, follows the autopilot (a package
// it finished is queued when its channel renders automatically) and
// deleted packages (their renders go too), and queues what a shutdown
// left unrendered.
func (rt *Runtime) startRender() error {
	q := rt.render.queue
	ctx, cancel := context.WithCancel(rt.ctx)
	q.stop = cancel
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		if rt.afterPaint(ctx) {
			q.loop(ctx)
		}
	}()
	rt.hub.Forward(func(name string, data any) {
		switch name {
		case events.Job:
			if ev, ok := data.(autopilot.Event); ok && ev.Status == string(autopilot.JobDone) && ev.PackageID != "" {
				q.goBackground(ctx, func(ctx context.Context) { rt.autoRender(ctx, ev.PackageID) })
			}
		case events.Packages:
			if m, ok := data.(map[string]string); ok && m["deleted"] != "" {
				id := m["deleted"]
				q.goBackground(ctx, func(ctx context.Context) { rt.dropRender(ctx, id) })
			}
		}
	})
	q.goBackground(ctx, func(ctx context.Context) {
		if !rt.afterPaint(ctx) {
			return
		}
		_, _ = rt.checkFFmpeg(ctx) // found once, ready for the first render
		rt.catchUpRenders(ctx)
	})
	return nil
}

// stopRender cancels the running render (its finished stages stay for the
// next start) and waits for the worker.
func (rt *Runtime) stopRender() {
	q := rt.render.queue
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	if q.stop != nil {
		q.stop()
	}
	q.wg.Wait()
}

func (q *renderQueue) goBackground(ctx context.Context, fn func(context.Context)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		if ctx.Err() == nil {
			fn(ctx)
		}
	}()
}

// add queues a package. One already queued or rendering keeps its place.
func (q *renderQueue) add(p store.Package, source string) RenderTask {
	q.mu.Lock()
	t, ok := q.tasks[p.ID]
	if ok && (t.State == RenderQueued || t.State == RenderRunning) {
		out := q.snapshot(t)
		q.mu.Unlock()
		return out
	}
	q.seq++
	t = &RenderTask{PackageID: p.ID, ChannelID: p.ChannelID, State: RenderQueued, Source: source, seq: q.seq,
		QueuedAt: q.rt.opts.Now()}
	q.tasks[p.ID] = t
	q.order = append(q.order, p.ID)
	q.forget()
	out := q.snapshot(t)
	q.mu.Unlock()
	q.persist(p, source)
	select {
	case q.wake <- struct{}{}:
	default:
	}
	q.emitAll()
	return out
}

// persist keeps a queued render in SQLite until it ends.
func (q *renderQueue) persist(p store.Package, source string) {
	saved := q.rt.render.saved
	if saved == nil {
		return
	}
	err := saved.Add(context.WithoutCancel(q.rt.ctx), render.Queued{PackageID: p.ID, ChannelID: p.ChannelID, Source: source,
		QueuedAt: q.rt.opts.Now()})
	if err != nil {
		q.rt.log.Warn("keep the render queue", "package", p.ID, "err", err)
	}
}

// unpersist forgets a render that ended (done, failed, or cancelled by the
// user, or its package deleted).
func (q *renderQueue) unpersist(packageID string) {
	saved := q.rt.render.saved
	if saved == nil {
		return
	}
	if err := saved.Remove(context.WithoutCancel(q.rt.ctx), packageID); err != nil {
		q.rt.log.Warn("keep the render queue", "package", packageID, "err", err)
	}
}

// forget drops the oldest finished tasks above maxRenderTasks. Called with mu held.
func (q *renderQueue) forget() {
	for len(q.tasks) > maxRenderTasks {
		var oldest *RenderTask
		for _, t := range q.tasks {
			if t.finished() && (oldest == nil || t.seq < oldest.seq) {
				oldest = t
			}
		}
		if oldest == nil {
			return
		}
		delete(q.tasks, oldest.PackageID)
	}
}

// snapshot copies t with its queue position. Called with mu held.
func (q *renderQueue) snapshot(t *RenderTask) RenderTask {
	out := *t
	out.Position = 0
	for i, id := range q.order {
		if id == t.PackageID {
			out.Position = i + 1
			break
		}
	}
	out.Queue = len(q.order)
	return out
}

// status returns the package's task; ok is false when none is known.
func (q *renderQueue) status(packageID string) (RenderTask, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	t, ok := q.tasks[packageID]
	if !ok {
		return RenderTask{}, false
	}
	return q.snapshot(t), true
}

// list returns the running render and the queue, in order.
func (q *renderQueue) list() []RenderTask {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := []RenderTask{}
	for _, t := range q.tasks {
		if t.State == RenderRunning {
			out = append(out, q.snapshot(t))
		}
	}
	for _, id := range q.order {
		out = append(out, q.snapshot(q.tasks[id]))
	}
	return out
}

// cancelTask takes a queued package off the queue or stops its running
// render. ok is false when it was neither queued nor rendering.
func (q *renderQueue) cancelTask(packageID string) (RenderTask, bool) {
	q.mu.Lock()
	t, found := q.tasks[packageID]
	if !found || t.finished() {
		q.mu.Unlock()
		return RenderTask{}, false
	}
	wasQueued := t.State == RenderQueued
	if wasQueued {
		q.removeQueued(packageID)
		t.State, t.Detail = RenderCancelled, "taken off the queue"
		t.FinishedAt = q.rt.opts.Now()
	} else if q.cancel != nil {
		t.cancelled = true
		q.cancel() // the worker records the outcome when ffmpeg has stopped
	}
	out := q.snapshot(t)
	q.mu.Unlock()
	if wasQueued {
		q.unpersist(packageID)
	}
	q.emitAll()
	return out, true
}

// removeQueued drops id from the order. Called with mu held.
func (q *renderQueue) removeQueued(id string) {
	for i, o := range q.order {
		if o == id {
			q.order = append(q.order[:i:i], q.order[i+1:]...)
			return
		}
	}
}

// emitAll sends every queued task's new position and the running one's
// state, so each Studio shows its place in the line.
func (q *renderQueue) emitAll() {
	for _, t := range q.list() {
		q.rt.emit(events.Render, t)
	}
}

func (q *renderQueue) emit(packageID string) {
	if t, ok := q.status(packageID); ok {
		q.rt.emit(events.Render, t)
	}
}

// loop renders queued packages one at a time until ctx ends.
func (q *renderQueue) loop(ctx context.Context) {
	for {
		q.mu.Lock()
		var id string
		if len(q.order) > 0 {
			id, q.order = q.order[0], q.order[1:]
		}
		q.mu.Unlock()
		if id == "" {
			select {
			case <-ctx.Done():
				return
			case <-q.wake:
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		q.runOne(ctx, id)
	}
}

// runOne renders one package and records how it ended.
func (q *renderQueue) runOne(ctx context.Context, id string) {
	rt := q.rt
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	now := rt.opts.Now()
	q.mu.Lock()
	t := q.tasks[id]
	if t == nil || t.State != RenderQueued {
		q.mu.Unlock()
		return
	}
	t.State, t.StartedAt, t.Stage, t.Percent = RenderRunning, now, "", 0
	q.cancel = cancel
	q.mu.Unlock()
	q.emitAll()

	man, err := rt.renderNow(rctx, id, func(p render.Progress) {
		q.mu.Lock()
		if t.State == RenderRunning {
			t.Stage, t.Percent, t.Detail = p.Stage, round1(p.Percent), p.Detail
			t.ElapsedSeconds, t.RemainingSeconds = round1(p.Elapsed.Seconds()), round1(p.Remaining.Seconds())
		}
		q.mu.Unlock()
		q.emit(id)
	})

	q.mu.Lock()
	q.cancel = nil
	t.FinishedAt = rt.opts.Now()
	t.RemainingSeconds = 0
	switch {
	case err == nil:
		t.State, t.Stage, t.Percent, t.Detail = RenderDone, render.StageDone, 100, ""
		t.Seconds = man.Seconds
	case t.cancelled:
		t.State, t.Detail = RenderCancelled, "stopped: the finished stages are kept, so rendering again goes on from there"
	case ctx.Err() != nil:
		// The app is stopping: queued again at the next start if autopilot
		// wants it; finished stages are kept either way.
		t.State, t.Detail = RenderCancelled, "stopped as the app closed"
	default:
		t.State = RenderFailed
		t.Problem, t.Error, t.Help = describeRenderError(err)
	}
	failed := t.State == RenderFailed
	byAutopilot := t.Source == "autopilot"
	closing := ctx.Err() != nil && !t.cancelled && err != nil
	q.mu.Unlock()
	if !closing { // a render the app's closing stopped stays queued for the next start
		q.unpersist(id)
	}
	q.emit(id)
	if err == nil {
		rt.log.Info("rendered", "package", id, "seconds", man.Seconds, "bytes", fileBytes(man.Video))
		rt.keepLastRenders(ctx, man.ChannelID)
		if byAutopilot {
			if j, queued, err := rt.autoPublish(ctx, id); err != nil {
				rt.log.Warn("queue the automatic upload", "package", id, "err", err)
			} else if queued {
				rt.log.Info("automatic upload queued", "package", id, "job", j.ID, "state", j.State, "publish_at", j.Meta.PublishAt)
			}
		}
	} else if failed {
		rt.log.Warn("render failed", "package", id, "err", err)
	}
}

// renderNow renders a package as it is stored now.
func (rt *Runtime) renderNow(ctx context.Context, packageID string, progress func(render.Progress)) (render.Manifest, error) {
	job, err := rt.renderJob(ctx, packageID)
	if err != nil {
		return render.Manifest{}, err
	}
	return rt.render.renderer.Render(ctx, job, progress)
}

// autoRender queues a package the autopilot finished, when its channel is
// on autopilot and renders automatically, and the package is ready.
func (rt *Runtime) autoRender(ctx context.Context, packageID string) {
	p, err := store.Get[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, packageID)
	if err != nil || p.Status != store.StatusReady {
		return
	}
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, p.ChannelID)
	if err != nil || !ch.Autopilot {
		return
	}
	s, err := rt.renderSettings(ctx)
	if err != nil {
		rt.log.Warn("read render settings", "err", err)
		return
	}
	if s.Channels[ch.ID].Manual {
		return
	}
	rt.render.queue.add(p, "autopilot")
}

// resumeQueuedRenders queues again, in the order asked, the renders that
// were queued or running when the app last closed (the SQLite render
// queue). Only those: packages never queued are not rendered at start. A
// package deleted meanwhile leaves the queue.
func (rt *Runtime) resumeQueuedRenders(ctx context.Context) {
	saved := rt.render.saved
	if saved == nil {
		return
	}
	list, err := saved.List(ctx)
	if err != nil {
		rt.log.Warn("read the render queue", "err", err)
		return
	}
	for _, r := range list {
		if ctx.Err() != nil {
			return
		}
		p, err := store.Get[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, r.PackageID)
		if errors.Is(err, store.ErrNotFound) {
			rt.render.queue.unpersist(r.PackageID)
			continue
		}
		if err != nil {
			rt.log.Warn("resume a queued render", "package", r.PackageID, "err", err)
			continue
		}
		rt.render.queue.add(p, r.Source)
	}
	if len(list) > 0 {
		rt.log.Info("renders queued before closing resumed", "count", len(list))
	}
}

// catchUpRenders queues the ready packages of autopilot channels that
// render automatically whose render a shutdown stopped (it resumes from its
// finished stages), and removes the renders of packages deleted meanwhile
// (on another device, say). Packages never rendered are left to the user:
// a backlog of thousands must not start rendering, and competing with the
// window, the moment the app opens.
func (rt *Runtime) catchUpRenders(ctx context.Context) {
	rt.resumeQueuedRenders(ctx)
	// Only packages with a render folder can have a stopped render, so the
	// folders are walked, not every ready package: with thousands of
	// packages the start reads a few rows instead of every package's content.
	entries, _ := os.ReadDir(rt.render.root)
	type stopped struct {
		id      string
		updated int64
	}
	var todo []stopped
	for _, e := range entries {
		if ctx.Err() != nil {
			return
		}
		if !e.IsDir() {
			continue
		}
		var status string
		var deleted bool
		var updated int64
		err := rt.store.ReadDB().QueryRowContext(ctx,
			`SELECT status, deleted, updated_at FROM packages WHERE id = ?`, e.Name()).Scan(&status, &deleted, &updated)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && deleted:
			rt.dropRender(ctx, e.Name())
			continue
		case err != nil || status != store.StatusReady:
			continue
		}
		dir, err := render.Dir(rt.render.root, e.Name())
		if err != nil {
			continue
		}
		if m, err := render.ReadManifest(dir); err == nil && m.Video != nil {
			continue
		}
		todo = append(todo, stopped{e.Name(), updated})
	}
	// Oldest first, as the queue would have taken them.
	slices.SortFunc(todo, func(a, b stopped) int {
		return cmp.Or(cmp.Compare(a.updated, b.updated), strings.Compare(a.id, b.id))
	})
	for _, s := range todo {
		if ctx.Err() != nil {
			return
		}
		rt.autoRender(ctx, s.id)
	}
}

// dropRender stops any render of a deleted package and removes its files.
func (rt *Runtime) dropRender(ctx context.Context, packageID string) {
	q := rt.render.queue
	q.cancelTask(packageID)
	q.unpersist(packageID)
	// A running render lets go of its folder once ffmpeg has stopped.
	for range 50 {
		err := render.Remove(rt.render.root, packageID)
		if !errors.Is(err, render.ErrBusy) {
			if err != nil {
				rt.log.Warn("remove renders of a deleted package", "package", packageID, "err", err)
			}
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	q.mu.Lock()
	delete(q.tasks, packageID)
	q.mu.Unlock()
}

// keepLastRenders applies the "keep the last N renders per channel"
// setting to one channel.
func (rt *Runtime) keepLastRenders(ctx context.Context, channelID string) {
	s, err := rt.renderSettings(ctx)
	if err != nil || s.KeepLast <= 0 || channelID == "" {
		return
	}
	if _, err := rt.pruneRenders(ctx, s.KeepLast, channelID); err != nil {
		rt.log.Warn("keep the last renders", "channel", channelID, "err", err)
	}
}

// uploadsNeedingRenders is the cleanup's InUse: a package whose upload is
// not over (queued, waiting, to confirm, uploading, setting its thumbnail
// or captions, failed and retryable, or waiting for a sign-in or a linked
// channel) still needs its rendered files. Publishing does not import
// render, nor render publishing: the app joins them here.
func (rt *Runtime) uploadsNeedingRenders(ctx context.Context) (render.InUse, error) {
	if rt.publish == nil {
		return nil, nil
	}
	ids, err := rt.publish.db.OpenPackages(ctx)
	if err != nil {
		return nil, err
	}
	return func(packageID string) bool { return ids[packageID] }, nil
}

// pruneRenders keeps the newest keep renders of each channel (of one when
// channelID is set) and removes the others.
func (rt *Runtime) pruneRenders(ctx context.Context, keep int, channelID string) (render.Pruned, error) {
	where, args := "", []any{}
	if channelID != "" {
		where, args = "channel_id = ?", []any{channelID}
	}
	pkgs, err := store.List[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, where, "id", args...)
	if err != nil {
		return render.Pruned{}, err
	}
	list := make([]render.Rendered, 0, len(pkgs))
	for _, p := range pkgs {
		list = append(list, render.Rendered{PackageID: p.ID, ChannelID: p.ChannelID})
	}
	inUse, err := rt.uploadsNeedingRenders(ctx)
	if err != nil {
		return render.Pruned{}, fmt.Errorf("keep the last %d renders: %w", keep, err)
	}
	out, err := render.KeepLast(rt.render.root, keep, list, inUse)
	if err != nil {
		return out, fmt.Errorf("keep the last %d renders: %w", keep, err)
	}
	if len(out.Removed) > 0 {
		q := rt.render.queue
		q.mu.Lock()
		for _, id := range out.Removed {
			if t := q.tasks[id]; t != nil && t.finished() {
				delete(q.tasks, id)
			}
		}
		q.mu.Unlock()
		for _, id := range out.Removed {
			rt.emit(events.Render, RenderTask{PackageID: id, State: RenderNone, Detail: "removed to keep the last renders"})
		}
	}
	return out, nil
}

func fileBytes(f *render.FileInfo) int64 {
	if f == nil {
		return 0
	}
	return f.Bytes
}
