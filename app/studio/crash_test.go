package studio

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tubeagency/internal/store"
	"tubeagency/providers"
	"tubeagency/providers/templates"
)

// The kill test re-executes this test binary as a child that runs a studio
// package until the parent kills it.
func TestMain(m *testing.M) {
	if db := os.Getenv("STUDIO_CHILD_DB"); db != "" {
		os.Exit(studioChild(db, os.Getenv("STUDIO_CHILD_PACKAGE")))
	}
	os.Exit(m.Run())
}

// haltingGen answers from the templates until it reaches the task halt,
// then says so on out and waits forever: the parent kills the process
// there, in the middle of a step.
type haltingGen struct {
	inner *templates.Provider
	halt  providers.Task
	out   *os.File
}

func (g *haltingGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	if req.Task == g.halt {
		fmt.Fprintln(g.out, "BLOCKED")
		select {}
	}
	return g.inner.Generate(ctx, req)
}

func studioChild(db, pkg string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s := New(Config{Store: st, Generator: &haltingGen{inner: tpl, halt: providers.TaskDescription, out: os.Stdout}})
	if _, err := s.Run(ctx, pkg, RunOptions{SkipVoice: true, Source: "studio"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// countingGen answers from the templates and counts the requests per task.
type countingGen struct {
	inner *templates.Provider
	mu    sync.Mutex
	calls map[providers.Task]int
}

func (g *countingGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	g.mu.Lock()
	g.calls[req.Task]++
	g.mu.Unlock()
	return g.inner.Generate(ctx, req)
}

// TestKilledRunResumesOnceAtStart kills (SIGKILL) a process in the middle
// of a studio run, after ideas, titles and the script were saved and while
// the description was being written. At the next start Resume finishes that
// run: the finished steps are not asked for again, no second package
// appears, the package ends ready, and the run is finished once (a second
// Resume finds nothing to do).
func TestKilledRunResumesOnceAtStart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	ctx := context.Background()
	var pkgID string
	{
		st, err := store.Open(ctx, db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := addChannel(t, st, "Crema Lab", store.FormatLong)
		s := New(Config{Store: st, Generator: newGen()})
		p, err := s.Create(ctx, ch.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		pkgID = p.ID
		st.Close()
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STUDIO_CHILD_DB="+db, "STUDIO_CHILD_PACKAGE="+pkgID)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if strings.TrimSpace(lines.Text()) == "BLOCKED" {
				blocked <- true
				return
			}
		}
		blocked <- false
	}()
	select {
	case ok := <-blocked:
		if !ok {
			t.Fatal("the child ended before the description step")
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child never reached the description step")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	st := openStoreAt(t, db)
	mid, err := store.Get[store.Package](ctx, st.ReadDB(), store.PackageEntity, pkgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{StepIdeas, StepTitles, StepScript} {
		if mid.Content.Steps[step].Status != StateDone {
			t.Fatalf("before the restart, step %s is %+v: the test proves nothing", step, mid.Content.Steps[step])
		}
	}
	if mid.Content.Steps[StepDescription].Status == StateDone {
		t.Fatal("the description finished before the kill: the test proves nothing")
	}

	tpl, err := templates.New(templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen := &countingGen{inner: tpl, calls: map[providers.Task]int{}}
	var kinds []string
	rec := &recorder{}
	s := New(Config{Store: st, Generator: gen, Emit: rec.emit, LogActivity: logTo(st, &kinds)})
	if ids, err := s.Interrupted(ctx); err != nil || len(ids) != 1 || ids[0] != pkgID {
		t.Fatalf("interrupted runs %v, err %v", ids, err)
	}
	n, err := s.Resume(ctx)
	if err != nil || n != 1 {
		t.Fatalf("resumed %d, err %v", n, err)
	}
	final, err := store.Get[store.Package](ctx, st.ReadDB(), store.PackageEntity, pkgID)
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != store.StatusReady {
		t.Fatalf("after the restart: status %s, missing:\n%s", final.Status, missing(final))
	}
	for _, task := range []providers.Task{providers.TaskIdeas, providers.TaskTitles, providers.TaskScript} {
		if gen.calls[task] != 0 {
			t.Fatalf("the resumed run asked for %s again (%d times): a finished step was repeated", task, gen.calls[task])
		}
	}
	for _, task := range []providers.Task{providers.TaskDescription, providers.TaskTags, providers.TaskThumbnail} {
		if gen.calls[task] != 1 {
			t.Fatalf("%s asked %d times, want once", task, gen.calls[task])
		}
	}
	if final.Title != mid.Title || final.Topic != mid.Topic || final.Content.Hook != mid.Content.Hook {
		t.Fatal("the resumed run changed what was saved before the kill")
	}
	if count, _ := store.Count(ctx, st.ReadDB(), store.PackageEntity, ""); count != 1 {
		t.Fatalf("%d packages after the restart, want 1", count)
	}
	if got := rec.statuses(""); len(got) != 1 || got[0] != "finished" {
		t.Fatalf("finished events %v, want one", got)
	}
	if len(kinds) != 2 || kinds[0] != "studio.resumed" || kinds[1] != "studio.ready" {
		t.Fatalf("activity %v, want studio.resumed then studio.ready", kinds)
	}
	// finished once: nothing is left to resume, and a second start does nothing
	if ids, _ := s.Interrupted(ctx); len(ids) != 0 {
		t.Fatalf("runs still recorded: %v", ids)
	}
	if n, err := s.Resume(ctx); n != 0 || err != nil {
		t.Fatalf("second resume: %d, %v", n, err)
	}
}

// TestResumeKeepsOnlyRunsStoppedByShutdown: a run that finishes, fails or
// is cancelled by the user leaves nothing to resume; one stopped because
// the app shut down (its context ended) is resumed; an autopilot run is
// never recorded (its job resumes it); a run whose package was deleted is
// forgotten.
func TestResumeKeepsOnlyRunsStoppedByShutdown(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
	ctx := context.Background()
	gen := newGen()
	s := New(Config{Store: st, Generator: gen})

	done, _ := s.Create(ctx, ch.ID, "")
	if _, err := s.Run(ctx, done.ID, RunOptions{SkipVoice: true}); err != nil {
		t.Fatal(err)
	}
	auto, _ := s.Create(ctx, ch.ID, "")
	if _, err := s.Run(ctx, auto.ID, RunOptions{SkipVoice: true, Source: SourceAutopilot}); err != nil {
		t.Fatal(err)
	}
	gen.fail[providers.TaskTags] = &providers.Error{Provider: "groq", Err: providers.ErrUnavailable, Message: "down"}
	failed, _ := s.Create(ctx, ch.ID, "")
	if _, err := s.Run(ctx, failed.ID, RunOptions{SkipVoice: true}); err == nil {
		t.Fatal("the failing run succeeded")
	}
	delete(gen.fail, providers.TaskTags)

	stopAt := func(id string, byUser bool) {
		t.Helper()
		g := newGen()
		g.block = providers.TaskScript
		sx := New(Config{Store: st, Generator: g})
		runCtx, shutdown := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { _, err := sx.Run(runCtx, id, RunOptions{SkipVoice: true}); errc <- err }()
		<-g.blocked
		if byUser {
			sx.Cancel(id)
		} else {
			shutdown()
		}
		<-errc
		shutdown()
	}
	cancelled, _ := s.Create(ctx, ch.ID, "")
	stopAt(cancelled.ID, true)
	shutdown, _ := s.Create(ctx, ch.ID, "")
	stopAt(shutdown.ID, false)
	gone, _ := s.Create(ctx, ch.ID, "")
	stopAt(gone.ID, false)
	if err := st.Mutate(ctx, func(m *store.Mutation) error { return m.Delete(store.PackageEntity, gone.ID) }); err != nil {
		t.Fatal(err)
	}

	ids, err := s.Interrupted(ctx)
	if err != nil || len(ids) != 2 || !(ids[0] == shutdown.ID && ids[1] == gone.ID) {
		t.Fatalf("interrupted %v (err %v), want the two stopped by shutdown", ids, err)
	}
	n, err := s.Resume(ctx)
	if err != nil || n != 1 {
		t.Fatalf("resumed %d, err %v", n, err)
	}
	p, _ := store.Get[store.Package](ctx, st.ReadDB(), store.PackageEntity, shutdown.ID)
	if p.Status != store.StatusReady {
		t.Fatalf("resumed package is %s:\n%s", p.Status, missing(p))
	}
	if ids, _ := s.Interrupted(ctx); len(ids) != 0 {
		t.Fatalf("left behind: %v", ids)
	}
}

func openStoreAt(tb testing.TB, path string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
