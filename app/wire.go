package app

import "context"

// component is one part of the running app, started in order and stopped
// in the reverse order.
type component struct {
	name  string
	start func() error
	stop  func()
}

// build constructs every part in dependency order, each from parts already
// built, and starts nothing:
//
//	store (opened by Start)
//	→ monitor            (observes everything below as it runs)
//	→ providers: settings, templates, cache, quotas, router (observer: monitor)
//	→ insights service   (YouTube answers kept in the providers' cache)
//	→ devices            (this device's heartbeat and autopilot hosts)
//	→ studio and autopilot (jobs timed by the monitor; scoring by insights;
//	                      hosts asked of devices)
//	→ renderer           (speaks through the studio's voice chain)
//	→ syncer, account    (counts through the monitor; heartbeat by devices;
//	                      wakes the autopilot when channels arrive)
//	→ update checks      (when a release feed is configured)
//	→ publish            (upload queue; writes published packages through the outbox)
func (rt *Runtime) build(ctx context.Context) error {
	for _, b := range []func(context.Context) error{
		rt.buildMonitor,
		rt.buildProviders,
		rt.buildInsights,
		rt.buildDevices,
		rt.buildStudio,
		rt.buildRender,
		rt.buildSync,
		rt.buildUpdates,
		rt.buildPublish,
	} {
		if err := b(ctx); err != nil {
			return err
		}
	}
	return nil
}

// startAll starts the built parts in order. When one fails, startAll
// returns its error; the caller stops those already started (stopAll).
func (rt *Runtime) startAll() error {
	for _, c := range []component{
		{"monitor", rt.startMonitor, rt.stopMonitor},
		{"providers", rt.startProviders, rt.stopProviders},
		{"insights", rt.startInsights, rt.stopInsights},
		{"studio", rt.startStudio, rt.stopStudio},
		{"render", rt.startRender, rt.stopRender},
		{"sync", rt.startSync, rt.stopSync},
		{"updates", rt.startUpdates, rt.stopUpdates},
		{"publish", rt.startPublish, rt.stopPublish},
	} {
		if err := c.start(); err != nil {
			return err
		}
		rt.started = append(rt.started, c)
	}
	return nil
}

// stopAll stops what startAll started, newest first. It may be called
// more than once.
func (rt *Runtime) stopAll() {
	for i := len(rt.started) - 1; i >= 0; i-- {
		rt.started[i].stop()
	}
	rt.started = nil
}
