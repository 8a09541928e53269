package studio

import (
	"context"
	"testing"

	"tubeagency/internal/store"
	"tubeagency/providers/templates"
)

// BenchmarkOfflinePackageNoVoice measures one full package (create, then
// ideas, titles, script, description, tags and thumbnail, each saved
// through the outbox) written by the local templates, voice skipped.
func BenchmarkOfflinePackageNoVoice(b *testing.B) {
	st := openStore(b)
	ch := addChannel(b, st, "Crema Lab", store.FormatLong)
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{Store: st, Generator: tpl})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := s.Create(ctx, ch.ID, "")
		if err != nil {
			b.Fatal(err)
		}
		p, err = s.Run(ctx, p.ID, RunOptions{SkipVoice: true})
		if err != nil || p.Status != store.StatusReady {
			b.Fatalf("status %s err %v", p.Status, err)
		}
	}
}
