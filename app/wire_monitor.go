package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"tubeagency/app/monitor"
	"tubeagency/app/publish"
	"tubeagency/providers/router"
)

// buildMonitor builds the monitor first of all: the router reports to it
// as it runs, the autopilot's jobs pass through its timer and the syncer
// counts through it. Its snapshot loop starts with startMonitor, once the
// parts it reads exist.
func (rt *Runtime) buildMonitor(ctx context.Context) error {
	m, err := monitor.New(ctx, monitor.Options{
		Store:   rt.store,
		DataDir: rt.opts.DataDir,
		Now:     rt.opts.Now,
		Start:   rt.start,
		Logger:  rt.log,
		Emit:    rt.emit,
	})
	if err != nil {
		return fmt.Errorf("start monitor: %w", err)
	}
	rt.monitor = m
	return nil
}

// startMonitor starts the snapshot loop over the parts already built.
func (rt *Runtime) startMonitor() error {
	p, sp := rt.providers, rt.sync
	rt.monitor.Start(rt.ctx, monitor.Sources{
		Providers: monitor.RouterProviders(p.router),
		Limiters:  monitor.RouterLimiters(p.router),
		Cache:     p.cache.Stats,
		Pool:      rt.WorkerStats,
		Sync: func(ctx context.Context) (monitor.SyncStatus, error) {
			st, err := sp.syncer.Status(ctx)
			out := monitor.SyncStatus{State: string(st.State), LastSync: st.LastSync, Pending: st.Pending,
				DeadLetters: st.DeadLetters, LagMS: st.LagMS, LastError: st.LastError}
			if a := st.ClockAlert; a != nil {
				out.ClockAlert, out.ClockAheadMS = a.Message, a.AheadMS
			}
			return out, err
		},
		YouTube: rt.youtubeQuota,
	})
	return nil
}

// youtubeQuota is today's use of the YouTube quota in a creator's words,
// for the Infrastructure page (nil when publishing is not built).
func (rt *Runtime) youtubeQuota(ctx context.Context) ([]monitor.QuotaBucket, error) {
	if rt.publish == nil {
		return nil, nil
	}
	us, err := rt.publish.db.Quota(ctx, publish.Limits{}, rt.opts.Now())
	if err != nil {
		return nil, err
	}
	out := make([]monitor.QuotaBucket, 0, len(us))
	for _, u := range us {
		label := "YouTube uploads today"
		if u.Bucket == publish.BucketUnits {
			label = "YouTube API units today (thumbnails, captions, lists)"
		}
		out = append(out, monitor.QuotaBucket{Bucket: u.Bucket, Label: label, Used: u.Used, Limit: u.Limit, Reset: u.Reset})
	}
	return out, nil
}

// stopMonitor stops the snapshot loop.
func (rt *Runtime) stopMonitor() { rt.monitor.Stop() }

// Health is the answer of /healthz.
type Health struct {
	Status     string   `json:"status"` // ok, degraded (an alert is active) or failing (the store does not answer)
	Version    string   `json:"version"`
	UptimeSecs int64    `json:"uptime_secs"`
	Store      string   `json:"store"` // ok, or why not
	Summary    string   `json:"summary"`
	Alerts     []string `json:"alerts"`
}

// healthHandler answers /healthz: 200 while the store answers (status ok or
// degraded), 503 when it does not.
func (rt *Runtime) healthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		h := Health{Status: "ok", Version: Version, UptimeSecs: int64(rt.opts.Now().Sub(rt.start) / time.Second), Store: "ok", Alerts: []string{}}
		code := http.StatusOK
		var one int
		if err := rt.store.ReadDB().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
			h.Status, h.Store, code = "failing", "the database does not answer: "+err.Error(), http.StatusServiceUnavailable
		}
		s := rt.monitor.Snapshot()
		h.Summary = s.Summary.Text
		for _, a := range s.Alerts {
			h.Alerts = append(h.Alerts, a.Message)
		}
		if len(h.Alerts) > 0 && code == http.StatusOK {
			h.Status = "degraded"
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(h)
	})
}

// metricsHandler serves the Prometheus text format.
func (rt *Runtime) metricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.monitor.Handler().ServeHTTP(w, r)
	})
}

// The monitor hears the router's hedges too.
var _ router.HedgeObserver = (*monitor.Monitor)(nil)
