package insights_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/internal/store"
)

func openDB(t *testing.T) (*insights.DB, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := insights.OpenDB(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// Opening again (a restart) applies nothing twice.
	if _, err := insights.OpenDB(ctx, st); err != nil {
		t.Fatal(err)
	}
	return db, st
}

func TestVideosAndSnapshotsOverTime(t *testing.T) {
	db, st := openDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	pub := time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC)
	var vs []insights.Video
	for i := 0; i < 1200; i++ { // more than two write batches
		vs = append(vs, insights.Video{ChannelID: "ch", ID: fmt.Sprintf("v%04d", i), Title: "T", PublishedAt: pub.Add(time.Duration(i) * time.Minute),
			DurationSec: 30, Views: 10, Source: "csv"})
	}
	if err := db.PutVideos(ctx, vs, t0); err != nil {
		t.Fatal(err)
	}
	v1, _ := db.Version(ctx, "ch")
	// A week later the first video has grown; a duration of 0 keeps the known one.
	if err := db.PutVideos(ctx, []insights.Video{{ChannelID: "ch", ID: "v0000", Title: "T2", PublishedAt: pub, Views: 500, Source: "api"}}, t0.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	got, err := db.Videos(ctx, "ch")
	if err != nil || len(got) != 1200 {
		t.Fatalf("videos: %d, %v", len(got), err)
	}
	if got[0].Views != 500 || got[0].Title != "T2" || got[0].DurationSec != 30 || got[0].Kind != insights.KindOwn ||
		!got[0].UpdatedAt.Equal(t0.AddDate(0, 0, 7)) || !got[0].PublishedAt.Equal(pub) {
		t.Errorf("updated video = %+v", got[0])
	}
	v2, _ := db.Version(ctx, "ch")
	if v1 == v2 {
		t.Error("version did not change after new numbers")
	}
	hist, err := db.ViewHistory(ctx, "ch")
	if err != nil {
		t.Fatal(err)
	}
	// Day 0: 1200 × 10; day 7: 1199 × 10 (as last seen) + 500.
	if len(hist) != 2 || hist[0].Value != 12000 || hist[1].Value != 11990+500 {
		t.Errorf("history = %+v", hist)
	}
	if _, ok, _ := db.LatestChannelStats(ctx, "ch"); ok {
		t.Error("no channel snapshot was stored")
	}
	db.PutChannelStats(ctx, insights.ChannelStats{ChannelID: "ch", TakenAt: t0, Subscribers: 5})
	db.PutChannelStats(ctx, insights.ChannelStats{ChannelID: "ch", TakenAt: t0.AddDate(0, 0, 7), Subscribers: 9})
	if s, ok, _ := db.LatestChannelStats(ctx, "ch"); !ok || s.Subscribers != 9 {
		t.Errorf("latest channel stats = %+v %v", s, ok)
	}
	if h, _ := db.ChannelStatsHistory(ctx, "ch"); len(h) != 2 || h[0].Subscribers != 5 {
		t.Errorf("channel history = %+v", h)
	}
	var snaps int
	st.ReadDB().QueryRow(`SELECT COUNT(*) FROM insights_video_snapshots`).Scan(&snaps)
	if snaps != 1201 {
		t.Errorf("snapshots = %d, want 1201", snaps)
	}
	if err := db.DeleteVideo(ctx, "ch", "v0001"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteVideo(ctx, "ch", "v0001"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	// Nothing here is synced: the outbox stays empty.
	if n, _ := st.OutboxDepth(ctx); n != 0 {
		t.Errorf("outbox = %d", n)
	}
}

func TestQuotaEarningsCompetitorsCharts(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	if n, _ := db.QuotaUsed(ctx, "2025-04-01"); n != 0 {
		t.Errorf("fresh quota = %d", n)
	}
	db.AddQuota(ctx, "2025-04-01", 3)
	if n, _ := db.AddQuota(ctx, "2025-04-01", 4); n != 7 {
		t.Errorf("quota total = %d", n)
	}
	if n, _ := db.QuotaUsed(ctx, "2025-04-02"); n != 0 {
		t.Errorf("other day = %d", n)
	}

	at := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	db.PutEarning(ctx, insights.Earning{ChannelID: "ch", Month: "2025-02", Amount: 10, Views: 1000, EnteredAt: at})
	db.PutEarning(ctx, insights.Earning{ChannelID: "ch", Month: "2025-01", Amount: 5, Views: 900, EnteredAt: at})
	db.PutEarning(ctx, insights.Earning{ChannelID: "ch", Month: "2025-02", Amount: 12, Views: 1100, EnteredAt: at})
	es, _ := db.Earnings(ctx, "ch")
	if len(es) != 2 || es[0].Month != "2025-01" || es[1].Amount != 12 || es[1].Views != 1100 {
		t.Errorf("earnings = %+v", es)
	}
	if err := db.DeleteEarning(ctx, "ch", "2024-12"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete missing month: %v", err)
	}

	c := insights.Competitor{ID: "k1", ChannelID: "ch", YouTubeID: "UCother", Title: "Other", AddedAt: at}
	db.PutCompetitor(ctx, c)
	c.Title = "Renamed"
	db.PutCompetitor(ctx, c)
	db.PutVideos(ctx, []insights.Video{{ChannelID: "k1", ID: "x", Kind: insights.KindCompetitor, Title: "x", PublishedAt: at}}, at)
	cs, _ := db.Competitors(ctx, "ch")
	if len(cs) != 1 || cs[0].Title != "Renamed" {
		t.Errorf("competitors = %+v", cs)
	}
	if err := db.DeleteCompetitor(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if vs, _ := db.Videos(ctx, "k1"); len(vs) != 0 {
		t.Errorf("competitor videos survived: %d", len(vs))
	}

	fetched, vs, err := db.Chart(ctx, "us", "0")
	if err != nil || !fetched.IsZero() || len(vs) != 0 {
		t.Errorf("empty chart = %v %v %v", fetched, vs, err)
	}
	db.PutChart(ctx, "us", "0", at, []insights.Video{{ID: "a", Title: "A", PublishedAt: at}, {ID: "b", Title: "B", PublishedAt: at}})
	db.PutChart(ctx, "US", "0", at.Add(time.Hour), []insights.Video{{ID: "c", Title: "C", PublishedAt: at}})
	fetched, vs, _ = db.Chart(ctx, "US", "0")
	if !fetched.Equal(at.Add(time.Hour)) || len(vs) != 1 || vs[0].ID != "c" || vs[0].Kind != insights.KindChart {
		t.Errorf("chart = %v %+v", fetched, vs)
	}
}
