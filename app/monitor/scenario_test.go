package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tubeagency/app/workers"
	"tubeagency/internal/store"
	"tubeagency/providers"
	"tubeagency/providers/cache"
	"tubeagency/providers/fake"
	"tubeagency/providers/openai"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

const groqKey = "gsk_test_a1b2c3d4e5f6g7h8"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// scrape fetches /metrics from the monitor's handler and parses it with the
// Prometheus text parser; values are keyed "name{label=value,...}" with
// labels sorted, histograms as name_count and name_sum.
func scrape(t testing.TB, m *Monitor) (map[string]float64, string) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept", "text/plain")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("content type %q", ct)
	}
	body, _ := io.ReadAll(res.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text format: %v\n%s", err, body)
	}
	out := map[string]float64{}
	for name, fam := range fams {
		for _, mt := range fam.GetMetric() {
			key := name + labelKey(mt.GetLabel())
			switch fam.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = mt.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = mt.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				k := labelKey(mt.GetLabel())
				out[name+"_count"+k] = float64(mt.GetHistogram().GetSampleCount())
				out[name+"_sum"+k] = mt.GetHistogram().GetSampleSum()
			case dto.MetricType_UNTYPED:
				out[key] = mt.GetUntyped().GetValue()
			}
		}
	}
	return out, string(body)
}

func labelKey(ls []*dto.LabelPair) string {
	if len(ls) == 0 {
		return ""
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.GetName() + "=" + l.GetValue()
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

func want(t *testing.T, got map[string]float64, expect map[string]float64) {
	t.Helper()
	for k, v := range expect {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

func groqClient(url string) *openai.Client {
	return openai.New(openai.Config{Name: "groq", BaseURL: url, Model: "llama", Key: func() (string, error) { return groqKey, nil }})
}

func backupClient(url string) *openai.Client {
	return openai.New(openai.Config{Name: "backup", BaseURL: url, Model: "mini", Key: func() (string, error) { return "sk-backup-zz9", nil }})
}

func req(topic string) providers.Request {
	return providers.Request{Task: providers.TaskTitles, User: "Ten titles about " + topic, Topic: topic,
		Channel: providers.Channel{Name: "Bread Lab", Niche: "baking", Language: "en", Format: "long-form"}}
}

// TestRouterScenarioMetricsAndAlerts drives the real router against fake
// servers speaking the OpenAI wire format, with the monitor as its
// observer, and checks the scraped metrics, the snapshot and the alerts at
// each step: healthy calls, a cache hit, a failing server that trips the
// breaker, a channel over its rate limit, and recovery.
func TestRouterScenarioMetricsAndAlerts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	groqSrv := fake.New(fake.OpenAI, "Title one\nTitle two")
	defer groqSrv.Close()
	backupSrv := fake.New(fake.OpenAI, "Backup one\nBackup two")
	defer backupSrv.Close()
	c, err := cache.Open(ctx, f.st, cache.Options{Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	q, err := router.OpenQuotas(ctx, f.st, f.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templates.New(templates.Options{Dir: t.TempDir(), Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Config{
		Providers: []router.Entry{{Provider: groqClient(groqSrv.URL), Label: "Groq", DailyQuota: 100},
			{Provider: backupClient(backupSrv.URL), Label: "Backup"}},
		Fallback: tpl, Cache: c, Quotas: q, Observer: f.m, Logger: quiet, Now: f.clk.Now,
		MaxAttempts: 1, BreakerThreshold: 2, BreakerCooldown: breakerCooldown, ChannelRPM: 1, GlobalRPM: 1 << 20,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.m.setSources(Sources{Providers: RouterProviders(r), Limiters: RouterLimiters(r), Cache: c.Stats})

	gen := func(rq providers.Request, wantProvider string, wantCached bool) {
		t.Helper()
		resp, err := r.Generate(ctx, rq)
		if err != nil || resp.Provider != wantProvider || resp.Cached != wantCached {
			t.Fatalf("generate %q: provider %q cached %v err %v; want %q cached %v", rq.Topic, resp.Provider, resp.Cached, err, wantProvider, wantCached)
		}
	}

	// 1. three healthy calls and one repeat from the first cache tier
	for _, topic := range []string{"sourdough", "rye", "focaccia"} {
		gen(req(topic), "groq", false)
	}
	gen(req("sourdough"), "groq", true)
	s := f.tick(t)
	got, _ := scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_provider_requests_total{outcome=ok,provider=groq}`:    3,
		`tubeagency_provider_requests_total{outcome=error,provider=groq}`: 0,
		`tubeagency_provider_latency_seconds_count{provider=groq}`:        3,
		`tubeagency_cache_lookups_total{tier=miss}`:                       3,
		`tubeagency_cache_lookups_total{tier=l1}`:                         1,
		`tubeagency_cache_lookups_total{tier=l2}`:                         0,
		`tubeagency_alerts_active`:                                        0,
	})
	if !s.Summary.Green || s.Providers[0].Health != HealthGreen || s.Providers[0].Requests != 3 {
		t.Fatalf("after healthy calls: summary %+v providers %+v", s.Summary, s.Providers)
	}
	if l1 := s.Cache.Tiers[0]; l1.Hits != 1 || l1.Lookups != 4 || l1.HitRate != 0.25 {
		t.Fatalf("l1 tier = %+v", l1)
	}
	if len(s.Limiters) == 0 || s.Limiters[0].Name != "global" {
		t.Fatalf("limiters = %+v", s.Limiters)
	}

	// 2. Groq's server fails: its first failed call puts it behind Backup,
	// which answers at once; when Backup fails too, Groq's second failed
	// call opens its breaker, and Backup answers again
	groqSrv.Fail(fake.Status500)
	gen(req("baguette"), "backup", false)
	gen(req("brioche"), "backup", false) // Groq is tried after Backup now: not at all
	backupSrv.Fail(fake.Status500)
	gen(req("ciabatta"), "templates", false)
	backupSrv.Fail(fake.OK)
	gen(req("bagel"), "backup", false) // breaker open: Groq is skipped
	s = f.tick(t)
	got, text := scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_provider_requests_total{outcome=ok,provider=groq}`:            3,
		`tubeagency_provider_requests_total{outcome=unavailable,provider=groq}`:   2,
		`tubeagency_provider_requests_total{outcome=ok,provider=backup}`:          3,
		`tubeagency_provider_requests_total{outcome=unavailable,provider=backup}`: 1,
		`tubeagency_breaker_state_changes_total{provider=groq,to=open}`:           1,
		`tubeagency_breaker_state{provider=groq}`:                                 2,
		`tubeagency_cache_lookups_total{tier=miss}`:                               7,
	})
	g := s.Providers[0]
	if g.Name != "groq" || g.Health != HealthRed || g.Breaker != "open" || g.Calls5m != 5 || g.ErrorRate5m != 0.4 {
		t.Fatalf("groq after failures = %+v", g)
	}
	evs := f.rec.take()
	keys := []string{}
	for _, e := range evs {
		if e.Type != AlertRaised {
			t.Fatalf("unexpected %+v", e)
		}
		keys = append(keys, e.Alert.Key)
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[breaker_open:groq error_rate:groq]" {
		t.Fatalf("raised %v", keys)
	}
	if s.Summary.Green || !strings.Contains(s.Summary.Text, "2 problems") {
		t.Fatalf("summary = %+v", s.Summary)
	}
	if strings.Contains(text, groqKey) || strings.Contains(fmt.Sprintf("%+v", s), groqKey) {
		t.Fatal("an API key leaked into the metrics or the snapshot")
	}

	// 3. a channel over its per-minute limit: the templates answer
	limited := req("pretzel")
	limited.Channel.ID = "chan-1"
	gen(limited, "backup", false)
	limited.Topic, limited.User = "bagel", "Ten titles about bagel"
	resp, err := r.Generate(ctx, limited)
	if err != nil || !resp.Fallback || resp.Provider == "backup" {
		t.Fatalf("limited request answered by %q fallback %v: %v", resp.Provider, resp.Fallback, err)
	}
	got, _ = scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_rate_limit_rejections_total{provider=,scope=channel}`: 1,
	})

	// 4. Groq recovers: its next passing health check half-opens the
	// breaker at once, the next request is the trial that closes it, and
	// once the failures leave the 5-minute window both alerts resolve
	groqSrv.Fail(fake.OK)
	f.clk.Add(5*time.Minute + 20*time.Second)
	r.CheckNow(ctx)
	if b := r.Snapshots()[0].Breaker; b != "half-open" {
		t.Fatalf("after a passing check the breaker is %s, want half-open", b)
	}
	gen(req("pumpernickel"), "groq", false)
	f.tick(t)
	f.clk.Add(DefaultResolveAfter)
	s = f.tick(t)
	evs = f.rec.take()
	keys = keys[:0]
	for _, e := range evs {
		if e.Type != AlertResolved {
			t.Fatalf("unexpected %+v", e)
		}
		keys = append(keys, e.Alert.Key)
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[breaker_open:groq error_rate:groq]" {
		t.Fatalf("resolved %v", keys)
	}
	if s.Providers[0].Health != HealthGreen || !s.Summary.Green {
		t.Fatalf("after recovery: %+v / %+v", s.Providers[0], s.Summary)
	}
	got, _ = scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_breaker_state_changes_total{provider=groq,to=half-open}`: 1,
		`tubeagency_breaker_state_changes_total{provider=groq,to=closed}`:    1,
		`tubeagency_breaker_state{provider=groq}`:                            0,
		`tubeagency_provider_requests_total{outcome=ok,provider=groq}`:       4,
	})
}

// TestHealthChecksThroughTheRouter runs the router's own health checks
// against a fake server that goes down and comes back, and checks the
// monitor records them, turns the provider red and raises and resolves the
// "unreachable" alert.
// The provider is red while its checks fail and amber while it recovers.
func TestHealthChecksThroughTheRouter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	srv := fake.New(fake.OpenAI, "ok")
	defer srv.Close()
	tpl, err := templates.New(templates.Options{Dir: t.TempDir(), Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Config{Providers: []router.Entry{{Provider: groqClient(srv.URL), Label: "Groq"}},
		Fallback: tpl, Observer: f.m, Logger: quiet, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.m.setSources(Sources{Providers: RouterProviders(r)})
	steps := []struct {
		fault  string
		health string
		event  string
	}{
		{fake.OK, HealthGreen, ""},
		{fake.Status503, HealthRed, AlertRaised},
		{fake.Status503, HealthRed, ""},
		{fake.OK, HealthGreen, AlertResolved}, // one passing check restores it at once
	}
	for i, st := range steps {
		srv.Fail(st.fault)
		f.clk.Add(30 * time.Second)
		r.CheckNow(ctx)
		f.tick(t)
		f.clk.Add(DefaultResolveAfter) // an alert resolves once clear this long
		s := f.tick(t)
		if h := s.Providers[0].Health; h != st.health {
			t.Fatalf("step %d: health %s, want %s (%+v)", i, h, st.health, s.Providers[0])
		}
		evs := f.rec.take()
		if st.event == "" && len(evs) != 0 || st.event != "" && (len(evs) != 1 || evs[0].Type != st.event || evs[0].Alert.Key != "provider_down:groq") {
			t.Fatalf("step %d: events %+v, want %q", i, evs, st.event)
		}
	}
	av, err := f.m.Availability(ctx, 30)
	if err != nil || len(av) != 1 || av[0].Checks != 4 || av[0].Passed != 2 {
		t.Fatalf("availability = %+v, %v", av, err)
	}
	got, _ := scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_provider_health_checks_total{provider=groq,result=ok}`:     2,
		`tubeagency_provider_health_checks_total{provider=groq,result=failed}`: 2,
	})
}

// TestPoolScenario runs jobs through the real worker pool, timed by the
// monitor, with an injected clock.
func TestPoolScenario(t *testing.T) {
	f := newFixture(t)
	pool := workers.New(workers.Config{Min: 2, Max: 2, Now: f.clk.Now})
	f.m.setSources(Sources{Pool: pool.Stats})
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(2)
	var done sync.WaitGroup
	done.Add(3)
	block := func(ctx context.Context) { started.Done(); <-release; done.Done() }
	for range 2 {
		if err := pool.Submit("chan-a", f.m.TimeJob(block)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pool.Submit("chan-a", f.m.TimeJob(func(context.Context) { done.Done() })); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	pool.Start(false)
	defer pool.Stop()
	defer unblock() // runs before Stop when the test fails early
	started.Wait()
	s := f.tick(t)
	if p := s.Pool; !p.Available || p.Size != 2 || p.Busy != 2 || p.Waiting != 1 {
		t.Fatalf("pool while busy = %+v", p)
	}
	got, _ := scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_worker_pool_size`:    2,
		`tubeagency_worker_pool_busy`:    2,
		`tubeagency_worker_pool_waiting`: 1,
	})
	f.clk.Add(3 * time.Second) // the third job waits 3 s for a worker
	unblock()
	done.Wait()
	s = f.tick(t)
	if s.Pool.JobsTimed != 3 || s.Pool.JobWaitP95 != 3000 || !strings.HasSuffix(s.Summary.Text, "0 jobs queued.") {
		t.Fatalf("after the jobs: %+v / %q", s.Pool, s.Summary.Text)
	}
	got, _ = scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_job_queue_wait_seconds_count`: 3,
		`tubeagency_job_queue_wait_seconds_sum`:   3,
	})
}

// TestStoreAndProcessGauges checks the store, outbox, disk, uptime and
// process figures after real writes.
func TestStoreAndProcessGauges(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for i := range 3 {
		err := f.st.Mutate(ctx, func(m *store.Mutation) error {
			_, err := store.PutRecord(m, store.ChannelEntity, store.Channel{Meta: store.Meta{ID: uuid.Must(uuid.NewV7()).String()}, Name: fmt.Sprint("Channel ", i), Niche: "baking", Format: "shorts", Cadence: 3})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Add(90 * time.Second)
	s := f.tick(t)
	if s.Store.Outbox != 3 || s.Store.DBBytes == 0 || s.UptimeSecs != 90 || s.Disk.FreeBytes != 50<<30 {
		t.Fatalf("snapshot = %+v %+v uptime %d", s.Store, s.Disk, s.UptimeSecs)
	}
	if s.Process.MemoryBytes <= 0 || s.Process.Goroutines <= 0 {
		t.Fatalf("process = %+v", s.Process)
	}
	got, _ := scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_outbox_depth`:         3,
		`tubeagency_uptime_seconds`:       90,
		`tubeagency_data_disk_free_bytes`: 50 << 30,
		`tubeagency_store_bytes{file=db}`: float64(s.Store.DBBytes),
		`tubeagency_sync_pushed_total`:    0,
	})
	for _, name := range []string{"process_resident_memory_bytes", "process_cpu_seconds_total", "go_goroutines"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s missing from /metrics", name)
		}
	}
	// the real disk of the data folder answers too
	free, total, err := diskSpace(f.dir)
	if err != nil || total <= 0 || free < 0 || free > total {
		t.Fatalf("disk space of %s: %d of %d, %v", filepath.Base(f.dir), free, total, err)
	}
}

// breakerCooldown is long: only a passing health check half-opens the
// breaker in these tests.
const breakerCooldown = time.Hour

// The YouTube quota comes with each snapshot when a source gives it; a
// failing source says why and fails the tick, never stale numbers.
func TestYouTubeQuotaInTheSnapshot(t *testing.T) {
	f := newFixture(t)
	if s := f.tick(t); s.YouTube.Available || s.YouTube.Buckets == nil || len(s.YouTube.Buckets) != 0 {
		t.Fatalf("without a source: %+v", s.YouTube)
	}
	reset := t0.Add(7 * time.Hour)
	var fail error
	used := 3
	f.m.setSources(Sources{YouTube: func(context.Context) ([]QuotaBucket, error) {
		if fail != nil {
			return nil, fail
		}
		return []QuotaBucket{{Bucket: "videos.insert", Label: "YouTube uploads today", Used: used, Limit: 100, Reset: reset}}, nil
	}})
	s := f.tick(t)
	if !s.YouTube.Available || len(s.YouTube.Buckets) != 1 || s.YouTube.Buckets[0].Used != 3 || !s.YouTube.Buckets[0].Reset.Equal(reset) {
		t.Fatalf("with a source: %+v", s.YouTube)
	}
	used = 4
	if s := f.tick(t); s.YouTube.Buckets[0].Used != 4 {
		t.Fatalf("the next tick: %+v", s.YouTube)
	}
	fail = errors.New("database is locked")
	err := f.m.Tick(context.Background(), f.clk.Now())
	s = f.m.Snapshot()
	if err == nil || !strings.Contains(err.Error(), "read youtube quota") || s.YouTube.Available || len(s.YouTube.Buckets) != 0 ||
		s.YouTube.Error != "database is locked" {
		t.Fatalf("a failing source: %v, %+v", err, s.YouTube)
	}
}
