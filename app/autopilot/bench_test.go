package autopilot

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"tubeagency/internal/store"
)

// BenchmarkAutopilotFill100Channels measures the autopilot filling 100
// channels with one package each from the local templates (no voice),
// from switching on to every job done: packages per second, and the
// largest worker count the pool reached (default settings: 1–4 workers).
func BenchmarkAutopilotFill100Channels(b *testing.B) {
	ctx := context.Background()
	var total time.Duration
	peak := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for c := range 100 {
			addChannel(b, st, fmt.Sprintf("c%03d", c), true)
		}
		s := newAutopilot(b, st, nil, nil, noVoice(1, 4))
		b.StartTimer()
		start := time.Now()
		if err := s.ap.Start(ctx); err != nil {
			b.Fatal(err)
		}
		for countJobs(b, st, "status = 'done'") < 100 {
			time.Sleep(10 * time.Millisecond) // polling lightly: the workers need the CPU
		}
		total += time.Since(start)
		b.StopTimer()
		peak = max(peak, s.ap.Pool().Stats().Peak)
		s.ap.Stop()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(100*b.N)/total.Seconds(), "packages/s")
	b.ReportMetric(float64(peak), "peak-workers")
}
