package monitor

import (
	"sync"
	"time"
)

// Window geometry: calls are counted in BucketWidth slices, and the last
// windowBuckets slices are kept (10 minutes), enough for the 5-minute
// error-rate rule.
const (
	BucketWidth   = 10 * time.Second
	windowBuckets = 60
)

// window counts calls and failures over the recent past in fixed buckets.
// The zero value is an empty window.
type window struct {
	mu      sync.Mutex
	buckets [windowBuckets]bucket
}

type bucket struct {
	slot          int64 // unix time / BucketWidth of what it counts
	calls, failed uint32
}

// add counts one call at now.
func (w *window) add(now time.Time, failed bool) {
	slot := now.UnixNano() / int64(BucketWidth)
	w.mu.Lock()
	b := &w.buckets[slot%windowBuckets]
	if b.slot != slot {
		*b = bucket{slot: slot}
	}
	b.calls++
	if failed {
		b.failed++
	}
	w.mu.Unlock()
}

// rate is the failed fraction of the calls in the span before now (whole
// buckets, so a span of 5 minutes covers 5 min to 5 min 10 s), and how many
// calls it saw. With no calls the rate is 0.
func (w *window) rate(now time.Time, span time.Duration) (float64, int) {
	cur := now.UnixNano() / int64(BucketWidth)
	n := min(int64(span/BucketWidth), windowBuckets-1)
	var calls, failed uint64
	w.mu.Lock()
	for _, b := range w.buckets {
		if b.slot <= cur && b.slot >= cur-n {
			calls += uint64(b.calls)
			failed += uint64(b.failed)
		}
	}
	w.mu.Unlock()
	if calls == 0 {
		return 0, 0
	}
	return float64(failed) / float64(calls), int(calls)
}
