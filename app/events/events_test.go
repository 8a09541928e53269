package events

import (
	"testing"
	"time"
)

func TestAForwarderMayEmitAndSubscribe(t *testing.T) {
	var h Hub
	ch, stop := h.Subscribe(4)
	defer stop()
	done := make(chan struct{})
	h.Forward(func(name string, _ any) {
		if name == "first" {
			// Re-entering the hub from a forwarder must not deadlock.
			h.Emit("second", nil)
			_, unsub := h.Subscribe(1)
			unsub()
			close(done)
		}
	})
	go h.Emit("first", nil)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a forwarder that emits deadlocked the hub")
	}
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case ev := <-ch:
			got[ev.Name] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("subscriber got only %v", got)
		}
	}
}

func TestSlowSubscriberLosesEventsInsteadOfBlocking(t *testing.T) {
	var h Hub
	_, stop := h.Subscribe(1)
	defer stop()
	for i := 0; i < 100; i++ {
		h.Emit("x", i) // would block at the second event if Emit waited
	}
}
