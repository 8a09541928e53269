// Package events fans application events out to listeners: the desktop
// window (through the Wails adapter) and every server-sent-events client of
// serve mode receive the same names and payloads.
package events

import (
	"sync"
)

// Event names shared by the desktop and serve mode.
const (
	Status   = "status"   // online/offline, pending outbox, dead letters
	Sync     = "sync"     // sync state, last sync, lag
	Job      = "job"      // progress of a generation, voice or autopilot job
	Metrics  = "metrics"  // a snapshot every 1–2 s
	Alert    = "alert"    // raised or resolved
	Activity = "activity" // a new activity entry
	Channels = "channels" // the channel list changed
	Packages = "packages" // a package changed
	Settings = "settings" // settings or templates reloaded
	Insights = "insights" // an analytics link or sync of a channel changed
	Render   = "render"   // a video render queued, progressing, finished or removed
	Publish  = "publish"  // an upload's progress or state (publish.Progress)
	YouTube  = "youtube"  // a YouTube sign-in finished, failed, or an account or link changed
)

// Emitter sends one event. Domain code receives an Emitter, never the hub.
type Emitter func(name string, data any)

// Event is one emitted event.
type Event struct {
	Name string `json:"name"`
	Data any    `json:"data"`
}

// Hub delivers every emitted event to every subscriber. A slow subscriber
// loses events rather than blocking the emitter. The zero value is ready.
type Hub struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
	fwd  []Emitter
}

// Emit delivers an event. It never blocks on a subscriber; forwarders are
// called outside the hub's lock, so one may emit in turn or take its time
// without holding up Subscribe and Forward.
func (h *Hub) Emit(name string, data any) {
	h.mu.Lock()
	fwd := h.fwd // Forward only appends: this prefix never changes
	for ch := range h.subs {
		select {
		case ch <- Event{Name: name, Data: data}:
		default:
		}
	}
	h.mu.Unlock()
	for _, f := range fwd {
		f(name, data)
	}
}

// Forward sends every later event to f as well (the desktop adapter).
func (h *Hub) Forward(f Emitter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fwd = append(h.fwd[:len(h.fwd):len(h.fwd)], f) // a new array: earlier Emit copies stay as they were
}

// Subscribe returns a channel of events and a function that ends the
// subscription. buffer is how many events may wait before new ones drop.
func (h *Hub) Subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, buffer)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
		})
	}
}
