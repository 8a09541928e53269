package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"tubeagency/app/events"
	"tubeagency/app/monitor"
	"tubeagency/providers/cache"
	"tubeagency/providers/router"
)

// monitorHook holds the running monitor and is the provider router's
// observer: the router is built before the monitor starts, so the hook
// forwards to the monitor once it exists and drops what happens before.
// Its zero value is ready.
type monitorHook struct {
	m atomic.Pointer[monitor.Monitor]
}

// mon is the running monitor, nil before Start finished.
func (rt *Runtime) mon() *monitor.Monitor { return rt.monitor.m.Load() }

var _ router.Observer = (*monitorHook)(nil)

func (h *monitorHook) Attempt(provider string, err error, latency time.Duration) {
	if m := h.m.Load(); m != nil {
		m.Attempt(provider, err, latency)
	}
}

func (h *monitorHook) CacheLookup(tier cache.Tier) {
	if m := h.m.Load(); m != nil {
		m.CacheLookup(tier)
	}
}

func (h *monitorHook) RateLimited(provider, scope string) {
	if m := h.m.Load(); m != nil {
		m.RateLimited(provider, scope)
	}
}

func (h *monitorHook) BreakerChange(provider string, from, to gobreaker.State) {
	if m := h.m.Load(); m != nil {
		m.BreakerChange(provider, from, to)
	}
}

// SyncCounted forwards the syncer's push and pull counts.
func (h *monitorHook) SyncCounted(pushed, pulled int) {
	if m := h.m.Load(); m != nil {
		m.SyncPushed(pushed)
		m.SyncPulled(pulled)
	}
}

// startMonitor builds the monitor over the parts already running and
// starts its snapshot loop. It runs last in Start.
func (rt *Runtime) startMonitor(ctx context.Context) error {
	m, err := monitor.New(ctx, monitor.Options{
		Store:   rt.store,
		DataDir: rt.opts.DataDir,
		Now:     rt.opts.Now,
		Start:   rt.start,
		Logger:  rt.log,
		Emit: func(name string, data any) {
			switch name {
			case monitor.EventMetrics:
				rt.emit(events.Metrics, data)
			case monitor.EventAlert:
				rt.emit(events.Alert, data)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("start monitor: %w", err)
	}
	var src monitor.Sources
	if p := rt.providers; p != nil && p.router != nil {
		src.Providers = monitor.RouterProviders(p.router)
		src.Limiters = monitor.RouterLimiters(p.router)
		if p.cache != nil {
			src.Cache = p.cache.Stats
		}
	}
	if s := rt.studio; s != nil && s.autopilot != nil {
		src.Pool = rt.WorkerStats
		s.autopilot.SetJobWrapper(m.TimeJob)
	}
	if sp := rt.sync; sp != nil && sp.syncer != nil {
		src.Sync = func(ctx context.Context) (monitor.SyncStatus, error) {
			st, err := sp.syncer.Status(ctx)
			return monitor.SyncStatus{State: string(st.State), LastSync: st.LastSync, Pending: st.Pending,
				DeadLetters: st.DeadLetters, LagMS: st.LagMS, LastError: st.LastError}, err
		}
	}
	m.SetSources(src)
	rt.monitor.m.Store(m)
	m.Start(rt.ctx)
	return nil
}

// stopMonitor stops the snapshot loop.
func (rt *Runtime) stopMonitor() {
	if m := rt.mon(); m != nil {
		m.Stop()
	}
}

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
		if m := rt.mon(); m != nil {
			s := m.Snapshot()
			h.Summary = s.Summary.Text
			for _, a := range s.Alerts {
				h.Alerts = append(h.Alerts, a.Message)
			}
			if len(h.Alerts) > 0 && code == http.StatusOK {
				h.Status = "degraded"
			}
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
		m := rt.mon()
		if m == nil {
			http.Error(w, "the monitor is not running", http.StatusServiceUnavailable)
			return
		}
		m.Handler().ServeHTTP(w, r)
	})
}
