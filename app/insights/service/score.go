package service

import (
	"context"
	"fmt"

	"tubeagency/app/insights/predictor"
	"tubeagency/app/insights/trends"
	"tubeagency/app/studio"
	"tubeagency/internal/store"
)

// model returns the channel's title model, retraining it when the
// channel's videos changed since the last training.
func (s *Service) model(ctx context.Context, ch store.Channel) (*predictor.Model, error) {
	version, err := s.db.Version(ctx, ch.ID)
	if err != nil {
		return nil, err
	}
	version += "/" + ch.Language
	s.mu.Lock()
	cm, ok := s.models[ch.ID]
	s.mu.Unlock()
	if ok && cm.version == version {
		return cm.model, nil
	}
	videos, err := s.db.Videos(ctx, ch.ID)
	if err != nil {
		return nil, err
	}
	m := predictor.Train(videos, predictor.Options{Now: s.now(), Language: ch.Language})
	s.mu.Lock()
	s.models[ch.ID] = channelModel{version: version, model: m}
	s.mu.Unlock()
	return m, nil
}

// ScoreTitle scores a title (with optional thumbnail text) for a channel
// in the channel's format: Score.Value is 0–100, Score.Features the
// features present in the title that drove it, Score.Calibrated whether
// the channel's own model (30+ videos with statistics) made it,
// Score.Accuracy that model's cross-validated AUC (zero when
// uncalibrated), and Score.CTR the click-through model's chance when the
// channel's videos carry impressions. Scoring takes microseconds once the
// model is trained; training happens on the first call after the
// channel's videos change.
func (s *Service) ScoreTitle(ctx context.Context, channelID, title, thumbnailText string) (predictor.Score, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return predictor.Score{}, err
	}
	m, err := s.model(ctx, ch)
	if err != nil {
		return predictor.Score{}, err
	}
	return m.ScoreWith(predictor.Input{Title: title, Thumbnail: thumbnailText, Short: ch.Format == store.FormatShorts}), nil
}

// Studio adapts the title scorer and the local trends to the studio's
// TitleScorer and TrendSource.
func (s *Service) Studio() StudioInsights { return StudioInsights{s: s} }

// StudioInsights implements studio.TitleScorer and studio.TrendSource.
type StudioInsights struct{ s *Service }

var (
	_ studio.TitleScorer = StudioInsights{}
	_ studio.TrendSource = StudioInsights{}
)

// ScoreTitle scores a title with the channel's model; the features are
// listed as "label (+0.42)".
func (a StudioInsights) ScoreTitle(ctx context.Context, channelID, title, thumbnail string) (studio.Score, error) {
	sc, err := a.s.ScoreTitle(ctx, channelID, title, thumbnail)
	if err != nil {
		return studio.Score{}, err
	}
	out := studio.Score{Value: sc.Value, Calibrated: sc.Calibrated}
	for _, f := range sc.Features {
		out.Features = append(out.Features, fmt.Sprintf("%s (%+.2f)", f.Label, f.Effect))
	}
	return out, nil
}

// Trends lists the rising terms of the local corpus most relevant to the
// channel, best first (offline: no API call is made).
func (a StudioInsights) Trends(ctx context.Context, channelID string) ([]string, error) {
	ts, err := a.s.LocalTrends(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range ts {
		if t.Label != trends.Mature && t.Relevance[channelID] > 0 {
			out = append(out, t.Term)
		}
	}
	return out, nil
}
