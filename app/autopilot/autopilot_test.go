package autopilot

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tubeagency/app/studio"
	"tubeagency/app/workers"
	"tubeagency/internal/store"
	"tubeagency/providers"
	"tubeagency/providers/templates"
)

// The restart test re-executes this test binary as a child that runs the
// autopilot until the parent kills it.
func TestMain(m *testing.M) {
	if db := os.Getenv("AUTOPILOT_CHILD_DB"); db != "" {
		os.Exit(child(db))
	}
	os.Exit(m.Run())
}

func openStore(tb testing.TB, path string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func addChannel(tb testing.TB, st *store.Store, id string, autopilot bool) store.Channel {
	tb.Helper()
	var out store.Channel
	err := st.Mutate(context.Background(), func(m *store.Mutation) error {
		var err error
		out, err = store.PutRecord(m, store.ChannelEntity, store.Channel{Meta: store.Meta{ID: id}, Name: "Channel " + id,
			Niche: "budget travel", Language: "en", Audience: "students", Format: store.FormatShorts, Cadence: 3, Autopilot: autopilot})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func newTemplates(tb testing.TB) *templates.Provider {
	tb.Helper()
	p, err := templates.New(templates.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

type setup struct {
	st  *store.Store
	ap  *Autopilot
	std *studio.Studio
}

func newAutopilot(tb testing.TB, st *store.Store, gen studio.Generator, quota Quota, settings *Settings, wrap ...func(workers.Job) workers.Job) setup {
	tb.Helper()
	tpl := newTemplates(tb)
	if gen == nil {
		gen = tpl
	}
	var seq atomic.Int64
	log := func(m *store.Mutation, channelID, kind, message string, data any) error {
		raw, _ := json.Marshal(data)
		_, err := store.PutRecord(m, store.ActivityEntity, store.Activity{Meta: store.Meta{ID: fmt.Sprintf("%s-%d-%d", kind, time.Now().UnixNano(), seq.Add(1))},
			ChannelID: channelID, Kind: kind, Message: message, Data: raw})
		return err
	}
	std := studio.New(studio.Config{Store: st, Generator: gen, LogActivity: log})
	cfg := Config{Store: st, Studio: std, Templates: tpl, Quota: quota, LogActivity: log, PoolInterval: 10 * time.Millisecond}
	if len(wrap) > 0 {
		cfg.JobWrapper = wrap[0]
	}
	ap, err := New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if settings != nil {
		if _, err := ap.SaveSettings(context.Background(), *settings); err != nil {
			tb.Fatal(err)
		}
	}
	return setup{st: st, ap: ap, std: std}
}

func noVoice(ahead, maxWorkers int) *Settings {
	s := DefaultSettings()
	s.Ahead, s.Voice, s.MaxWorkers = ahead, false, maxWorkers
	return &s
}

func countJobs(tb testing.TB, st *store.Store, where string, args ...any) int {
	tb.Helper()
	var n int
	if err := st.ReadDB().QueryRow(`SELECT COUNT(*) FROM studio_jobs WHERE `+where, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func activityKinds(tb testing.TB, st *store.Store) map[string]int {
	tb.Helper()
	acts, err := store.List[store.Activity](context.Background(), st.ReadDB(), store.ActivityEntity, "", "created_at")
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, a := range acts {
		out[a.Kind]++
	}
	return out
}

func waitUntil(tb testing.TB, what string, limit time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPlanKeepsAheadWithoutDuplicates(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "on1", true)
	addChannel(t, st, "on2", true)
	addChannel(t, st, "off", false)
	s := newAutopilot(t, st, nil, nil, noVoice(2, 2))
	ctx := context.Background()
	for range 3 {
		if err := s.ap.Plan(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for ch, want := range map[string]int{"on1": 2, "on2": 2, "off": 0} {
		n, _ := store.Count(ctx, st.ReadDB(), store.PackageEntity, "channel_id = ?", ch)
		if n != want || countJobs(t, st, "channel_id = ?", ch) != want {
			t.Errorf("%s: %d packages, %d jobs, want %d", ch, n, countJobs(t, st, "channel_id = ?", ch), want)
		}
	}
	if k := activityKinds(t, st); k["autopilot.queued"] != 2 {
		t.Fatalf("activity %v, want one autopilot.queued per channel", k)
	}
	// Publishing one frees a slot: the next plan queues exactly one more.
	pkgs, _ := store.List[store.Package](ctx, st.ReadDB(), store.PackageEntity, "channel_id = 'on1'", "id")
	_ = st.Mutate(ctx, func(m *store.Mutation) error {
		pkgs[0].Status = store.StatusPublished
		_, err := store.PutRecord(m, store.PackageEntity, pkgs[0])
		return err
	})
	_ = s.ap.Plan(ctx)
	if n := countJobs(t, st, "channel_id = 'on1'"); n != 3 {
		t.Fatalf("on1 has %d jobs after one was published, want 3", n)
	}
}

func TestJobsBuildReadyPackagesOffline(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "a", true)
	s := newAutopilot(t, st, nil, nil, noVoice(3, 2))
	ctx := context.Background()
	if err := s.ap.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	waitUntil(t, "three done jobs", 20*time.Second, func() bool { return countJobs(t, st, "status = 'done'") == 3 })
	pkgs, _ := store.List[store.Package](ctx, st.ReadDB(), store.PackageEntity, "", "id")
	if len(pkgs) != 3 {
		t.Fatalf("%d packages, want 3", len(pkgs))
	}
	for _, p := range pkgs {
		if p.Status != store.StatusReady || len(p.Content.Titles) < 5 || p.Content.Description == "" {
			t.Fatalf("package %s: status %s, %d titles", p.ID, p.Status, len(p.Content.Titles))
		}
	}
	if k := activityKinds(t, st); k["studio.ready"] != 3 {
		t.Fatalf("activity %v, want 3 studio.ready", k)
	}
}

type quotaFake struct {
	spent  bool
	resets time.Time
}

func (q quotaFake) Exhausted(context.Context) (bool, time.Time, error) { return q.spent, q.resets, nil }

// paidGen stands for the paid providers: when the quota is spent it must
// not be asked.
type paidGen struct{ calls atomic.Int32 }

func (g *paidGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	g.calls.Add(1)
	return providers.Response{}, &providers.Error{Provider: "openai", Status: 429, Err: providers.ErrRateLimited, Message: "You exceeded your current quota"}
}

func TestSpentQuotaFollowsTheUsersChoice(t *testing.T) {
	resets := time.Now().Add(6 * time.Hour).Truncate(time.Millisecond)
	scenarios := []struct {
		policy     string
		wantJob    JobState
		wantStatus string
		wantKind   string
	}{
		{policy: OnQuotaTemplates, wantJob: JobDone, wantStatus: store.StatusReady, wantKind: "autopilot.templates"},
		{policy: OnQuotaDefer, wantJob: JobDeferred, wantStatus: store.StatusIdea, wantKind: "autopilot.deferred"},
	}
	for _, sc := range scenarios {
		t.Run(sc.policy, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
			addChannel(t, st, "a", true)
			paid := &paidGen{}
			set := noVoice(1, 1)
			set.OnQuota = sc.policy
			s := newAutopilot(t, st, paid, quotaFake{spent: true, resets: resets}, set)
			ctx := context.Background()
			s.ap.Pool().Start(false)
			defer s.ap.Pool().Stop()
			if err := s.ap.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the job to settle", 10*time.Second, func() bool { return countJobs(t, st, "status = ?", sc.wantJob) == 1 })
			if paid.calls.Load() != 0 {
				t.Fatalf("the paid generator was asked %d times with the quota spent", paid.calls.Load())
			}
			pkgs, _ := store.List[store.Package](ctx, st.ReadDB(), store.PackageEntity, "", "id")
			if len(pkgs) != 1 || pkgs[0].Status != sc.wantStatus {
				t.Fatalf("packages %+v", pkgs)
			}
			if k := activityKinds(t, st); k[sc.wantKind] != 1 {
				t.Fatalf("activity %v, want %s", k, sc.wantKind)
			}
			if sc.policy == OnQuotaDefer {
				var nb int64
				_ = st.ReadDB().QueryRow(`SELECT not_before FROM studio_jobs`).Scan(&nb)
				if nb != resets.UnixMilli() {
					t.Fatalf("deferred until %d, want %d", nb, resets.UnixMilli())
				}
				// Not due yet: a dispatch leaves it alone.
				if n, _ := s.ap.Dispatch(ctx); n != 0 {
					t.Fatalf("dispatched %d deferred jobs before the reset", n)
				}
			}
		})
	}
}

func TestFairnessSecondChannelFinishesWhileFirstHasAThousandQueued(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "big", true)
	addChannel(t, st, "small", true)
	s := newAutopilot(t, st, nil, nil, noVoice(1, 2))
	ctx := context.Background()
	if _, err := s.ap.Enqueue(ctx, "big", 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ap.Enqueue(ctx, "small", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.ap.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	waitUntil(t, "the small channel's jobs", 30*time.Second, func() bool {
		return countJobs(t, st, "channel_id = 'small' AND status = 'done'") == 3
	})
	bigDone := countJobs(t, st, "channel_id = 'big' AND status = 'done'")
	bigOpen := countJobs(t, st, "channel_id = 'big' AND status IN ('queued', 'running')")
	if bigOpen < 900 {
		t.Fatalf("the big channel had only %d open jobs when the small one finished", bigOpen)
	}
	if bigDone > 10 {
		t.Fatalf("the big channel finished %d jobs before the small one's 3: not taking turns", bigDone)
	}
}

func TestJobWrapperSeesEveryDispatchedJob(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "a", true)
	var wrapped, ran atomic.Int32
	s := newAutopilot(t, st, nil, nil, noVoice(2, 2), func(job workers.Job) workers.Job {
		wrapped.Add(1)
		return func(ctx context.Context) {
			ran.Add(1)
			job(ctx)
		}
	})
	if err := s.ap.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	waitUntil(t, "both jobs", 20*time.Second, func() bool { return countJobs(t, st, "status = 'done'") == 2 })
	if wrapped.Load() != 2 || ran.Load() != 2 {
		t.Fatalf("wrapped %d, ran %d, want 2 and 2", wrapped.Load(), ran.Load())
	}
}

func TestRetryAndCancel(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "a", false)
	s := newAutopilot(t, st, nil, nil, noVoice(1, 1))
	ctx := context.Background()
	jobs, err := s.ap.Enqueue(ctx, "a", 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ap.Retry(ctx, jobs[0].ID); !errors.Is(err, ErrNotRetryable) {
		t.Fatalf("retry of a queued job: %v", err)
	}
	if err := s.ap.Cancel(ctx, jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ap.Cancel(ctx, jobs[0].ID); !errors.Is(err, ErrNotCancellable) {
		t.Fatalf("second cancel: %v", err)
	}
	if err := s.ap.Retry(ctx, jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := countJobs(t, st, "status = 'queued'"); n != 2 {
		t.Fatalf("%d queued after retry", n)
	}
	if k := activityKinds(t, st); k["autopilot.cancelled"] != 1 || k["autopilot.retried"] != 1 {
		t.Fatalf("activity %v, want the cancel and the retry logged", k)
	}
	if _, err := s.ap.Enqueue(ctx, "nope", 1); !errors.Is(err, ErrUnknownChannel) {
		t.Fatalf("enqueue for a missing channel: %v", err)
	}
	if _, err := s.ap.Enqueue(ctx, "a", 0); err == nil || !strings.Contains(err.Error(), "count") {
		t.Fatalf("enqueue 0: %v", err)
	}
	// Autopilot is off for the channel: its jobs wait.
	s.ap.Pool().Start(false)
	defer s.ap.Pool().Stop()
	if n, _ := s.ap.Dispatch(ctx); n != 0 {
		t.Fatalf("dispatched %d jobs of a channel with autopilot off", n)
	}
}

// gateGen answers from templates but holds the script step until its
// context ends, announcing the hold.
type gateGen struct {
	inner studio.Generator
	held  chan string
}

func (g *gateGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	if req.Task == providers.TaskScript {
		g.held <- req.Channel.ID
		<-ctx.Done()
		return providers.Response{}, ctx.Err()
	}
	return g.inner.Generate(ctx, req)
}

func TestCancellingARunningPackageInStudioCancelsItsJob(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "a", true)
	gen := &gateGen{inner: newTemplates(t), held: make(chan string, 1)}
	s := newAutopilot(t, st, gen, nil, noVoice(1, 1))
	if err := s.ap.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	<-gen.held
	running := s.std.Running()
	if len(running) != 1 || !s.std.Cancel(running[0]) {
		t.Fatalf("running %v", running)
	}
	waitUntil(t, "the job to be cancelled", 10*time.Second, func() bool {
		return countJobs(t, st, "status = 'cancelled' AND error = 'cancelled by the user'") == 1
	})
	if n := countJobs(t, st, "status = 'queued'"); n != 0 {
		t.Fatalf("%d jobs queued again after the user cancelled", n)
	}
	waitUntil(t, "the cancel to be logged", 5*time.Second, func() bool { return activityKinds(t, st)["autopilot.cancelled"] == 1 })
}

// panicGen stands for a bug in a step: it panics on the tags task.
type panicGen struct{ inner studio.Generator }

func (g panicGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	if req.Task == providers.TaskTags {
		panic("tags exploded")
	}
	return g.inner.Generate(ctx, req)
}

func TestAPanickingStepFailsTheJobInsteadOfLeavingItRunning(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "a", true)
	set := noVoice(1, 1)
	set.MaxAttempts = 1
	s := newAutopilot(t, st, panicGen{inner: newTemplates(t)}, nil, set)
	if err := s.ap.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	waitUntil(t, "the job to fail", 10*time.Second, func() bool {
		return countJobs(t, st, "status = 'failed' AND error LIKE '%tags exploded%'") == 1
	})
	if k := activityKinds(t, st); k["autopilot.failed"] != 1 {
		t.Fatalf("activity %v, want autopilot.failed", k)
	}
	if len(s.std.Running()) != 0 {
		t.Fatalf("still marked running in the studio: %v", s.std.Running())
	}
}

func TestDeletedChannelsJobsAreCancelled(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "gone", true)
	addChannel(t, st, "kept", true)
	s := newAutopilot(t, st, nil, nil, noVoice(2, 1))
	ctx := context.Background()
	if err := s.ap.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Mutate(ctx, func(m *store.Mutation) error { return m.Delete(store.ChannelEntity, "gone") }); err != nil {
		t.Fatal(err)
	}
	if err := s.ap.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countJobs(t, st, "channel_id = 'gone' AND status = 'cancelled' AND error != ''"); n != 2 {
		t.Fatalf("%d of the deleted channel's jobs cancelled with a reason, want 2", n)
	}
	if n := countJobs(t, st, "channel_id = 'kept' AND status = 'queued'"); n != 2 {
		t.Fatalf("%d queued jobs left for the kept channel, want 2", n)
	}
}

func TestSettingsValidation(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	s := newAutopilot(t, st, nil, nil, nil)
	scenarios := []struct {
		field string
		edit  func(*Settings)
	}{
		{"ahead", func(s *Settings) { s.Ahead = 0 }},
		{"on_quota", func(s *Settings) { s.OnQuota = "panic" }},
		{"min_workers", func(s *Settings) { s.MinWorkers = 0 }},
		{"max_workers", func(s *Settings) { s.MaxWorkers = s.MinWorkers - 1 }},
		{"max_attempts", func(s *Settings) { s.MaxAttempts = 11 }},
	}
	for _, sc := range scenarios {
		t.Run(sc.field, func(t *testing.T) {
			in := DefaultSettings()
			sc.edit(&in)
			_, err := s.ap.SaveSettings(context.Background(), in)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err %v, want a field error on %s", err, sc.field)
			}
			if s.ap.Settings() != DefaultSettings() {
				t.Fatal("a rejected setting was kept")
			}
		})
	}
	good := DefaultSettings()
	good.Ahead, good.MaxWorkers = 5, 6
	if _, err := s.ap.SaveSettings(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	again := newAutopilot(t, st, nil, nil, nil)
	if again.ap.Settings() != good || again.ap.Pool().Stats().Max != 6 {
		t.Fatalf("settings after reopening: %+v", again.ap.Settings())
	}
}

// ---- restart after a kill ----

// blockingGen answers from templates but blocks forever on the script step
// once `free` scripts were written, announcing each block on stdout.
type blockingGen struct {
	inner studio.Generator
	free  int32
	n     atomic.Int32
	out   *os.File
	mu    sync.Mutex
}

func (g *blockingGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	if req.Task == providers.TaskScript && g.n.Add(1) > g.free {
		g.mu.Lock()
		fmt.Fprintln(g.out, "BLOCKED")
		g.mu.Unlock()
		<-ctx.Done()
		return providers.Response{}, ctx.Err()
	}
	return g.inner.Generate(ctx, req)
}

func child(db string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tpl, _ := templates.New(templates.Options{})
	gen := &blockingGen{inner: tpl, free: 2, out: os.Stdout}
	std := studio.New(studio.Config{Store: st, Generator: gen})
	ap, err := New(ctx, Config{Store: st, Studio: std, Templates: tpl, PoolInterval: 10 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := ap.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	select {} // until killed
}

func TestRestartAfterKillResumesWithoutDuplicates(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	ctx := context.Background()
	{
		st, err := store.Open(ctx, db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		addChannel(t, st, "a", true)
		addChannel(t, st, "b", true)
		s := newAutopilot(t, st, nil, nil, noVoice(3, 4))
		_ = s
		st.Close()
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "AUTOPILOT_CHILD_DB="+db)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	blocked := make(chan bool, 1)
	go func() {
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
			t.Fatal("the child ended before any job blocked")
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child never blocked")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	st := openStore(t, db)
	if n := countJobs(t, st, "status = 'running'"); n == 0 {
		t.Fatal("no job was running when the child died: the test proves nothing")
	}
	before := countJobs(t, st, "1 = 1")
	pkgsBefore, _ := store.Count(ctx, st.ReadDB(), store.PackageEntity, "")
	if before != 6 || pkgsBefore != 6 {
		t.Fatalf("before restart: %d jobs, %d packages, want 6 and 6", before, pkgsBefore)
	}
	s := newAutopilot(t, st, nil, nil, nil)
	if err := s.ap.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	waitUntil(t, "every job to finish after the restart", 30*time.Second, func() bool { return countJobs(t, st, "status = 'done'") == 6 })
	for _, ch := range []string{"a", "b"} {
		pkgs, _ := store.List[store.Package](ctx, st.ReadDB(), store.PackageEntity, "channel_id = ?", "id", ch)
		if len(pkgs) != 3 {
			t.Fatalf("channel %s has %d packages after the restart, want 3", ch, len(pkgs))
		}
		for _, p := range pkgs {
			if p.Status != store.StatusReady {
				t.Fatalf("package %s is %s", p.ID, p.Status)
			}
		}
	}
	if n := countJobs(t, st, "1 = 1"); n != 6 {
		t.Fatalf("%d jobs after the restart, want 6", n)
	}
	if k := activityKinds(t, st); k["autopilot.resumed"] == 0 {
		t.Fatalf("activity %v lacks autopilot.resumed", k)
	}
}

// garbleAttemptsGen fails the tags step after making the job's attempt
// count unreadable, as a damaged row would be.
type garbleAttemptsGen struct {
	inner studio.Generator
	st    *store.Store
}

func (g garbleAttemptsGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	if req.Task == providers.TaskTags {
		if _, err := g.st.DB().ExecContext(ctx, `UPDATE studio_jobs SET attempts = 'many' WHERE status = 'running'`); err != nil {
			return providers.Response{}, err
		}
		return providers.Response{}, errors.New("the tags step failed")
	}
	return g.inner.Generate(ctx, req)
}

func TestAJobWhoseAttemptsCannotBeReadFailsInsteadOfRetryingForever(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	addChannel(t, st, "a", true)
	set := noVoice(1, 1)
	set.MaxAttempts = 10
	s := newAutopilot(t, st, garbleAttemptsGen{inner: newTemplates(t), st: st}, nil, set)
	if err := s.ap.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.ap.Stop()
	waitUntil(t, "the job to fail", 10*time.Second, func() bool {
		return countJobs(t, st, "status = 'failed' AND error LIKE '%tags step failed%could not be read%'") == 1
	})
	if n := countJobs(t, st, "status IN ('queued', 'running')"); n != 0 {
		t.Fatalf("%d jobs still queued or running", n)
	}
	if k := activityKinds(t, st); k["autopilot.failed"] != 1 {
		t.Fatalf("activity %v, want autopilot.failed", k)
	}
}

func TestJobStates(t *testing.T) {
	for _, sc := range []struct {
		s                 JobState
		waiting, finished bool
	}{
		{JobQueued, true, false}, {JobDeferred, true, false}, {JobRunning, false, false},
		{JobDone, false, true}, {JobFailed, false, true}, {JobCancelled, false, true},
	} {
		if sc.s.Waiting() != sc.waiting || sc.s.Finished() != sc.finished {
			t.Errorf("%s: waiting %v finished %v", sc.s, sc.s.Waiting(), sc.s.Finished())
		}
	}
}
