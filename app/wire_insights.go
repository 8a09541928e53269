package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/predictor"
	"tubeagency/app/insights/trends"
	"tubeagency/app/insights/youtube"
	"tubeagency/app/secrets"
	"tubeagency/app/studio"
	"tubeagency/internal/store"
)

// secretYouTube is the secret name of the YouTube Data API key.
const secretYouTube = "youtube/api_key"

// insightsParts are the insights tables and the per-channel title models.
// The YouTube key lives in the runtime's key store (Keys) and API answers in
// the providers' two-tier cache.
type insightsParts struct {
	db       *insights.DB
	endpoint string // YouTube API base URL; "" is Google's

	mu     sync.Mutex
	models map[string]channelModel
}

type channelModel struct {
	version string
	model   *predictor.Model
}

// EnvYouTubeEndpoint, when set, is the base URL the YouTube Data API client
// talks to instead of Google's: a proxy, or a local server speaking the
// API's wire format in end-to-end tests.
const EnvYouTubeEndpoint = "TUBEAGENCY_YOUTUBE_ENDPOINT"

// buildInsights migrates the insights tables.
func (rt *Runtime) buildInsights(ctx context.Context) error {
	db, err := insights.OpenDB(ctx, rt.store)
	if err != nil {
		return fmt.Errorf("start insights: %w", err)
	}
	rt.insights = &insightsParts{db: db, models: map[string]channelModel{}, endpoint: os.Getenv(EnvYouTubeEndpoint)}
	return nil
}

// secretStore is the runtime's key store, opened on first use.
func (rt *Runtime) secretStore() (*secrets.Store, error) { return rt.Keys() }

// apiCache is the providers' two-tier cache, which keeps YouTube answers
// for their TTL class (nil, meaning no caching, before it is open).
func (rt *Runtime) apiCache() youtube.Cache { return rt.providers.cache }

// youtubeClient makes a client with the stored key, or fails with
// insights.ErrNoAPIKey.
func (rt *Runtime) youtubeClient(ctx context.Context) (*youtube.Client, error) {
	s, err := rt.secretStore()
	if err != nil {
		return nil, err
	}
	key, err := s.Get(secretYouTube)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil, insights.ErrNoAPIKey
	}
	if err != nil {
		return nil, fmt.Errorf("read the YouTube API key: %w", err)
	}
	return youtube.New(ctx, youtube.Config{APIKey: key, Quota: rt.insights.db, Cache: rt.apiCache(),
		Endpoint: rt.insights.endpoint, Now: func() time.Time { return rt.opts.Now() }})
}

// channelModel returns channelID's title model, retraining it when the
// channel's videos changed since the last training.
func (rt *Runtime) channelModel(ctx context.Context, channelID string) (*predictor.Model, error) {
	p := rt.insights
	version, err := p.db.Version(ctx, channelID)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	cm, ok := p.models[channelID]
	p.mu.Unlock()
	if ok && cm.version == version {
		return cm.model, nil
	}
	videos, err := p.db.Videos(ctx, channelID)
	if err != nil {
		return nil, err
	}
	m := predictor.Train(videos, predictor.Options{Now: rt.opts.Now()})
	p.mu.Lock()
	p.models[channelID] = channelModel{version: version, model: m}
	p.mu.Unlock()
	return m, nil
}

// ScoreTitle scores a title (with optional thumbnail text) for a channel:
//
//	func (rt *Runtime) ScoreTitle(ctx context.Context, channelID, title, thumbnailText string) (predictor.Score, error)
//
// Score.Value is 0–100, Score.Features the inputs that drove it,
// Score.Calibrated whether the channel's own model (30+ videos with
// statistics) made it, and Score.Accuracy that model's cross-validated AUC
// (zero when uncalibrated). Scoring takes microseconds once the model is
// trained; training happens on the first call after the channel's videos
// change.
func (rt *Runtime) ScoreTitle(ctx context.Context, channelID, title, thumbnailText string) (predictor.Score, error) {
	m, err := rt.channelModel(ctx, channelID)
	if err != nil {
		return predictor.Score{}, err
	}
	return m.Score(title, thumbnailText), nil
}

// StudioInsights adapts the predictor and the trend finder to the studio's
// TitleScorer and TrendSource interfaces.
func (rt *Runtime) StudioInsights() StudioInsights { return StudioInsights{rt: rt} }

// StudioInsights implements studio.TitleScorer and studio.TrendSource.
type StudioInsights struct{ rt *Runtime }

var (
	_ studio.TitleScorer = StudioInsights{}
	_ studio.TrendSource = StudioInsights{}
)

// ScoreTitle scores a title with the channel's model; the features are
// listed as "label (+0.42)".
func (s StudioInsights) ScoreTitle(ctx context.Context, channelID, title, thumbnail string) (studio.Score, error) {
	sc, err := s.rt.ScoreTitle(ctx, channelID, title, thumbnail)
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
func (s StudioInsights) Trends(ctx context.Context, channelID string) ([]string, error) {
	ts, err := s.rt.localTrends(ctx)
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

// localTrends ranks the terms of every stored video: own channels,
// competitors and the last charts.
func (rt *Runtime) localTrends(ctx context.Context) ([]trends.Trend, error) {
	now := rt.opts.Now()
	since := now.AddDate(0, 0, -8*7)
	var corpus []insights.Video
	for _, kind := range []string{insights.KindOwn, insights.KindCompetitor, insights.KindChart} {
		vs, err := rt.insights.db.VideosOfKind(ctx, kind, since)
		if err != nil {
			return nil, err
		}
		corpus = append(corpus, vs...)
	}
	niches, err := rt.niches(ctx)
	if err != nil {
		return nil, err
	}
	return trends.Rising(corpus, niches, trends.Options{Now: now}), nil
}

// niches describes every channel for relevance: its niche and own titles.
func (rt *Runtime) niches(ctx context.Context) ([]trends.Niche, error) {
	chs, err := store.List[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, "", "name COLLATE NOCASE, id")
	if err != nil {
		return nil, err
	}
	out := make([]trends.Niche, 0, len(chs))
	for _, ch := range chs {
		vs, err := rt.insights.db.Videos(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		n := trends.Niche{ChannelID: ch.ID, Niche: ch.Niche + " " + ch.Audience}
		for _, v := range vs {
			n.Titles = append(n.Titles, v.Title)
		}
		out = append(out, n)
	}
	return out, nil
}

// MaxUploadBytes bounds a CSV streamed to the import route.
const MaxUploadBytes = 1 << 30

// InsightsImportHandler streams a YouTube Studio export to
// POST /api/insights/import/{channel} (Content-Type text/csv): the body is
// spooled to a temporary file in the data folder, checked whole, then
// imported in batches, so a file of any size uses constant memory. Serve
// mode mounts it; the answer is an ImportResult or an ErrorBody.
func (rt *Runtime) InsightsImportHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply := func(status int, v any) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(v)
		}
		fail := func(err error) { reply(HTTPStatus(err), FormatError(err)) }
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			fail(&FieldError{Field: "csv", Message: "send the file as text/csv"})
			return
		}
		tmp, err := os.CreateTemp(rt.opts.DataDir, ".import-*.csv")
		if err != nil {
			fail(fmt.Errorf("spool upload: %w", err))
			return
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		// Guard checks the header from the first line and caps line
		// length while the upload arrives, so a stream that is not an
		// export is refused at once instead of after it is stored.
		n, err := io.Copy(tmp, csvimport.Guard(http.MaxBytesReader(w, r.Body, MaxUploadBytes)))
		if err != nil {
			var tooBig *http.MaxBytesError
			var bad *csvimport.Error
			if errors.As(err, &bad) {
				fail(csvFieldError(err))
				return
			}
			if errors.As(err, &tooBig) {
				fail(&FieldError{Field: "csv", Message: fmt.Sprintf("is larger than %d GB", MaxUploadBytes>>30)})
				return
			}
			fail(fmt.Errorf("receive upload: %w", err))
			return
		}
		if n == 0 {
			fail(&FieldError{Field: "csv", Message: "is empty: export the table from YouTube Studio → Analytics → Advanced mode"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Minute)
		defer cancel()
		res, err := rt.importCSV(ctx, r.PathValue("channel"), func() (io.ReadCloser, error) { return os.Open(tmp.Name()) })
		if err != nil {
			fail(err)
			return
		}
		reply(http.StatusOK, res)
	})
}
