package app

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tubeagency/app/autopilot"
	"tubeagency/app/events"
	"tubeagency/app/monitor"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabasetest"
)

func TestAlertRuleBadInputNamesFieldAndWritesNothing(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	scenarios := []struct {
		name  string
		id    string
		in    AlertRuleInput
		field string
	}{
		{"unknown rule", "cpu_melting", AlertRuleInput{Enabled: true, Threshold: 5}, "id"},
		{"empty rule", "", AlertRuleInput{Enabled: true, Threshold: 5}, "id"},
		{"error rate above 100%", monitor.RuleErrorRate, AlertRuleInput{Enabled: true, Threshold: 150}, "threshold"},
		{"negative latency", monitor.RuleLatency, AlertRuleInput{Enabled: true, Threshold: -5}, "threshold"},
		{"zero disk", monitor.RuleDiskLow, AlertRuleInput{Enabled: true, Threshold: 0}, "threshold"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, err := a.UpdateAlertRule(sc.id, sc.in)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err = %v, want a field error on %s", err, sc.field)
			}
			if FormatError(err).Code != CodeInvalid {
				t.Fatalf("code = %s", FormatError(err).Code)
			}
		})
	}
	var n int
	if err := rt.store.DB().QueryRow(`SELECT COUNT(*) FROM monitor_rules`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rules written: %d, %v", n, err)
	}
	if _, err := a.ProviderAvailability(0); err == nil || !strings.Contains(err.Error(), "days") {
		t.Fatalf("availability over 0 days: %v", err)
	}
	if _, err := a.ProviderAvailability(31); err == nil {
		t.Fatal("availability over 31 days accepted")
	}

	r, err := a.UpdateAlertRule(monitor.RuleLatency, AlertRuleInput{Enabled: true, Threshold: 900})
	if err != nil || r.Threshold != 900 {
		t.Fatalf("edit = %+v, %v", r, err)
	}
	rules, err := a.ListAlertRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.ID == monitor.RuleLatency && r.Threshold != 900 {
			t.Fatalf("listed %+v", r)
		}
	}
}

func TestMetricsAndHealthzRoutes(t *testing.T) {
	rt := startTest(t)
	if _, err := rt.API().CreateChannel(validChannel()); err != nil {
		t.Fatal(err)
	}
	if err := rt.monitor.Tick(t.Context(), time.Now()); err != nil { // a snapshot after the write
		t.Fatal(err)
	}
	h := rt.HTTPHandlers()

	rec := httptest.NewRecorder()
	h["GET /metrics"].ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	depth, err := rt.store.OutboxDepth(t.Context())
	if err != nil || depth == 0 {
		t.Fatalf("outbox depth %d, %v", depth, err)
	}
	if got := fams["tubeagency_outbox_depth"].GetMetric()[0].GetGauge().GetValue(); got != float64(depth) {
		t.Fatalf("outbox depth metric = %v, store says %d", got, depth)
	}
	for _, name := range []string{"tubeagency_uptime_seconds", "tubeagency_store_bytes", "tubeagency_worker_pool_size", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}

	rec = httptest.NewRecorder()
	h["GET /healthz"].ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var body Health
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
		t.Fatalf("/healthz: %d %s %v", rec.Code, rec.Body, err)
	}
	if body.Status != "ok" || body.Store != "ok" || !strings.HasPrefix(body.Summary, "All systems green") {
		t.Fatalf("/healthz = %+v", body)
	}

	// a closed database makes /healthz fail with 503
	rt.store.ReadDB().Close()
	rec = httptest.NewRecorder()
	h["GET /healthz"].ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"failing"`) {
		t.Fatalf("/healthz with a closed store: %d %s", rec.Code, rec.Body)
	}
}

// TestMetricsEventsFlow waits for the snapshot loop's "metrics" events
// (every 1.5 s) on the same hub the desktop and serve mode listen to.
func TestMetricsEventsFlow(t *testing.T) {
	rt := startTest(t)
	ch, stop := rt.Hub().Subscribe(64)
	defer stop()
	deadline := time.After(10 * time.Second)
	var got []monitor.Snapshot
	for len(got) < 2 {
		select {
		case ev := <-ch:
			if ev.Name == events.Metrics {
				got = append(got, ev.Data.(monitor.Snapshot))
			}
		case <-deadline:
			t.Fatalf("%d metrics events in 10 s", len(got))
		}
	}
	if !got[1].At.After(got[0].At) || !got[1].Summary.Green || len(got[1].Providers) == 0 {
		t.Fatalf("snapshots = %+v", got)
	}
	if !got[1].Pool.Available {
		t.Fatal("the worker pool is not watched")
	}
	raw, err := json.Marshal(got[1])
	if err != nil || !strings.Contains(string(raw), `"summary"`) {
		t.Fatalf("snapshot JSON: %s, %v", raw, err)
	}
}

// TestSyncScenarioMetrics signs in against a real PostgreSQL behind the
// Supabase test gateway, lets the queue drain, and checks the monitor's
// push and pull counts, pending, dead letters and sync state; then a
// second device signs in and pulls every row. (Whether the first device's
// own pull brings its rows back depends on timing, so there the pull count
// is only checked against the metric and the server.)
func TestSyncScenarioMetrics(t *testing.T) {
	env := supabasetest.Start(t)
	rt := startTest(t)
	rt.keys.mode = "file"
	a := rt.API()
	for _, name := range []string{"Cozy Cooking", "Night Sky", "Tiny Gardens"} {
		in := validChannel()
		in.Name = name
		if _, err := a.CreateChannel(in); err != nil {
			t.Fatal(err)
		}
	}
	queued, err := rt.store.OutboxDepth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.monitor.Tick(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if s := rt.monitor.Snapshot(); s.Sync.State != string(cloudsync.StateSignedOut) || s.Sync.Pending != queued || s.Sync.Pushed != 0 {
		t.Fatalf("signed out: %+v", s.Sync)
	}

	if _, err := a.SaveSyncSettings(SyncSettingsInput{URL: env.URL, AnonKey: env.AnonKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncSignUp(SyncCredentials{Email: "monitor@example.com", Password: "a good password"}); err != nil {
		t.Fatal(err)
	}
	waitSync(t, rt, "the queue drained", func(s cloudsync.Status) bool {
		return s.State == cloudsync.StateOnline && s.Pending == 0 && !s.LastSync.IsZero()
	})
	if err := rt.monitor.Tick(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	s := rt.monitor.Snapshot()
	var onServer int
	if err := env.Admin.QueryRow(`SELECT (SELECT count(*) FROM public.channels) + (SELECT count(*) FROM public.activity) + (SELECT count(*) FROM public.devices)`).Scan(&onServer); err != nil {
		t.Fatal(err)
	}
	queued++ // the first sync signed in also sends this device's heartbeat
	if (s.Sync.State != "online" && s.Sync.State != "syncing") || s.Sync.Pending != 0 || s.Sync.DeadLetters != 0 || s.Sync.LastSync.IsZero() ||
		s.Sync.Pushed != int64(queued) || int(s.Sync.Pushed) != onServer || int(s.Sync.Pulled) > onServer {
		t.Fatalf("after sync: %+v; queued %d, on the server %d", s.Sync, queued, onServer)
	}
	rec := httptest.NewRecorder()
	rt.HTTPHandlers()["GET /metrics"].ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := fams["tubeagency_sync_pushed_total"].GetMetric()[0].GetCounter().GetValue(); got != float64(queued) {
		t.Fatalf("pushed metric = %v, want %d", got, queued)
	}
	if got := fams["tubeagency_sync_pulled_total"].GetMetric()[0].GetCounter().GetValue(); got != float64(s.Sync.Pulled) {
		t.Fatalf("pulled metric = %v, snapshot %d", got, s.Sync.Pulled)
	}

	// a second device signing in to the same account pulls every row and
	// pushes nothing but its own heartbeat
	rt2 := startTest(t)
	rt2.keys.mode = "file"
	if _, err := rt2.API().SaveSyncSettings(SyncSettingsInput{URL: env.URL, AnonKey: env.AnonKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := rt2.API().SyncSignIn(SyncCredentials{Email: "monitor@example.com", Password: "a good password"}); err != nil {
		t.Fatal(err)
	}
	waitSync(t, rt2, "the first pull", func(s cloudsync.Status) bool { return !s.LastSync.IsZero() })
	if err := rt2.monitor.Tick(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if s2 := rt2.monitor.Snapshot().Sync; s2.Pulled != int64(onServer) || s2.Pushed != 1 {
		t.Fatalf("second device: %+v, want %d pulled", s2, onServer)
	}
}

// TestAutopilotJobsReachTheMonitor fills a channel through the autopilot
// and checks that the monitor timed the jobs' queue waits (through the
// autopilot's job wrapper) and counted the router's calls (through its
// observer hook): the templates answer, since no provider is switched on.
func TestAutopilotJobsReachTheMonitor(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	s := autopilot.DefaultSettings()
	s.Ahead, s.Voice = 2, false
	if _, err := a.AutopilotSaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AutopilotSetChannel(ch.ID, true, 3); err != nil {
		t.Fatal(err)
	}
	guard := time.Now().Add(60 * time.Second) // a failure guard, not a timing assertion
	var snap monitor.Snapshot
	for {
		if err := rt.monitor.Tick(t.Context(), time.Now()); err != nil {
			t.Fatal(err)
		}
		snap = rt.monitor.Snapshot()
		if snap.Pool.JobsTimed >= 2 && snap.Pool.Completed >= 2 {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("jobs never reached the monitor: %+v", snap.Pool)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rec := httptest.NewRecorder()
	rt.HTTPHandlers()["GET /metrics"].ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := fams["tubeagency_job_queue_wait_seconds"].GetMetric()[0].GetHistogram().GetSampleCount(); n < 2 {
		t.Fatalf("job waits observed: %d", n)
	}
	templatesOK := 0.0
	for _, m := range fams["tubeagency_provider_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["provider"] == "templates" && labels["outcome"] == "ok" {
			templatesOK = m.GetCounter().GetValue()
		}
	}
	if templatesOK < 2 {
		t.Fatalf("templates answers counted: %v", templatesOK)
	}
}
