package service

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/analysis"
	"tubeagency/app/insights/csvimport"
)

// Windows are the audit's windows in days.
var Windows = []int{30, 60, 90}

// AuditResult is a channel's audit and its total views over time.
type AuditResult struct {
	ChannelID string           `json:"channel_id"`
	TimeZone  string           `json:"time_zone"`
	Report    analysis.Report  `json:"report"`
	History   []insights.Point `json:"history"`
	// Stats is the newest channel snapshot from the YouTube API; nil when
	// the channel was never fetched.
	Stats *insights.ChannelStats `json:"stats"`
}

// Audit audits a channel's stored videos over 30, 60 and 90 days,
// reading weekdays and hours in loc (nil means UTC).
func (s *Service) Audit(ctx context.Context, channelID string, loc *time.Location) (AuditResult, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return AuditResult{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	vs, err := s.db.Videos(ctx, ch.ID)
	if err != nil {
		return AuditResult{}, err
	}
	hist, err := s.db.ViewHistory(ctx, ch.ID)
	if err != nil {
		return AuditResult{}, err
	}
	r := analysis.Audit(vs, analysis.Options{Now: s.now(), TargetPerWeek: ch.Cadence, Location: loc,
		Windows: Windows, Language: ch.Language})
	res := AuditResult{ChannelID: ch.ID, TimeZone: loc.String(), Report: r, History: hist}
	if st, ok, err := s.db.LatestChannelStats(ctx, ch.ID); err != nil {
		return AuditResult{}, err
	} else if ok {
		res.Stats = &st
	}
	return res, nil
}

// ImportResult says what an import stored.
type ImportResult struct {
	Rows    int `json:"rows"`
	Skipped int `json:"skipped"`
	// Columns are the optional columns the file carried (csvimport.Column…).
	Columns []string `json:"columns"`
	// Currency is the revenue column's currency; "" without one.
	Currency string `json:"currency"`
}

// ImportCSV checks a whole YouTube Studio export (pass 1, nothing kept),
// then imports it in batches (pass 2); open is called once per pass. A bad
// file fails with a *csvimport.Error naming line and column, and changes
// nothing.
func (s *Service) ImportCSV(ctx context.Context, channelID string, open func() (io.ReadCloser, error)) (ImportResult, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return ImportResult{}, err
	}
	r, err := open()
	if err != nil {
		return ImportResult{}, fmt.Errorf("open the export: %w", err)
	}
	_, err = csvimport.Read(r, ch.ID, func(insights.Video) error { return ctx.Err() })
	r.Close()
	if err != nil {
		return ImportResult{}, err
	}
	if r, err = open(); err != nil {
		return ImportResult{}, fmt.Errorf("open the export: %w", err)
	}
	defer r.Close()
	now := s.now()
	batch := make([]insights.Video, 0, 500)
	flush := func() error {
		err := s.db.PutVideos(ctx, batch, now)
		batch = batch[:0]
		return err
	}
	sum, err := csvimport.Read(r, ch.ID, func(v insights.Video) error {
		v.UpdatedAt = now
		batch = append(batch, v)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Rows: sum.Rows, Skipped: sum.Skipped, Columns: sum.Columns, Currency: sum.Currency}
	if res.Columns == nil {
		res.Columns = []string{}
	}
	return res, s.activity(ctx, ch.ID, "insights.imported",
		fmt.Sprintf("Imported %d videos of %s from a YouTube Studio export", res.Rows, ch.Name), res)
}

// AddVideo stores (or updates) a video entered by hand; the caller has
// checked its fields.
func (s *Service) AddVideo(ctx context.Context, v insights.Video) (insights.Video, error) {
	ch, err := s.Channel(ctx, v.ChannelID)
	if err != nil {
		return insights.Video{}, err
	}
	now := s.now()
	v.ChannelID, v.Kind, v.Source, v.UpdatedAt = ch.ID, insights.KindOwn, "manual", now
	if err := s.db.PutVideos(ctx, []insights.Video{v}, now); err != nil {
		return insights.Video{}, err
	}
	return v, nil
}

// Videos lists a channel's stored videos, newest first.
func (s *Service) Videos(ctx context.Context, channelID string) ([]insights.Video, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return nil, err
	}
	vs, err := s.db.Videos(ctx, ch.ID)
	slices.Reverse(vs)
	return vs, err
}

// DeleteVideo removes a stored video and its snapshots (store.ErrNotFound
// when there is none).
func (s *Service) DeleteVideo(ctx context.Context, channelID, videoID string) error {
	return s.db.DeleteVideo(ctx, channelID, videoID)
}
