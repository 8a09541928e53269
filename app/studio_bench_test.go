package app

import (
	"context"
	"testing"

	"tubeagency/app/studio"
	"tubeagency/internal/store"
)

// BenchmarkStudioPackageThroughRuntime measures one offline package
// without voice as the app makes it: the provider router (no provider
// configured, so the local templates answer), the insights title scorer,
// trends, and every step saved through the outbox with its job events.
func BenchmarkStudioPackageThroughRuntime(b *testing.B) {
	rt := startTest(b)
	in := validChannel()
	ch, err := rt.API().CreateChannel(in)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s := rt.studio.studio
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := s.Create(ctx, ch.ID, "")
		if err != nil {
			b.Fatal(err)
		}
		if p, err = s.Run(ctx, p.ID, studio.RunOptions{SkipVoice: true}); err != nil || p.Status != store.StatusReady {
			b.Fatalf("status %s err %v", p.Status, err)
		}
	}
}
