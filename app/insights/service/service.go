// Package service is the insights domain's orchestration: it owns what
// the app's bound methods call. It reads and writes the insights tables
// (insights.DB) and the channels of the store, talks to YouTube (the Data
// API with a key or a signed-in account, YouTube Analytics and the
// Reporting API with the account), keeps each channel's title model
// trained, and syncs linked channels' analytics in the background.
//
// Every "last N days" it computes (the audit's windows, the trends' eight
// weeks, the projection's recent uploads) is an insights.Span made from one
// clock reading per call, so the audit, the trends and the dashboard agree
// on which videos they count.
//
// The service never imports the app: the app builds it with a Config and
// maps its results and errors to what the frontend sees.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"tubeagency/app/events"
	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/insights/predictor"
	"tubeagency/app/insights/youtube"
	"tubeagency/internal/store"
)

// Keys is the key store the YouTube API key lives in. *secrets.Store
// implements it; Get returns an error wrapping secrets.ErrNotFound for a
// missing name.
type Keys interface {
	Get(name string) (string, error)
	Set(name, value string) error
	Delete(name string) error
	Has(name string) bool
	Warning() string
}

// Auth is the Google sign-in. *google.Auth implements it.
type Auth interface {
	SignIn(ctx context.Context, scopes []string) (*google.Flow, error)
	AddScopes(ctx context.Context, account string, scopes []string) (*google.Flow, error)
	Client(account string) (*http.Client, error)
	Grant(account string) (google.Grant, error)
	SignOut(ctx context.Context, account string) error
}

// Endpoints are the base URLs of the APIs. Empty means Google's.
type Endpoints struct {
	YouTube   string // Data API v3
	Analytics string // YouTube Analytics API v2
	Reporting string // YouTube Reporting API v1
}

// Config configures New. Store and DB are required.
type Config struct {
	Store *store.Store
	DB    *insights.DB
	// Keys opens the key store (on first use); nil means no key store, so
	// no YouTube API key.
	Keys func() (Keys, error)
	// Auth returns the Google sign-in; it fails with google.ErrNoClient
	// while no OAuth client is configured. Nil means the same.
	Auth func() (Auth, error)
	// Cache keeps Data API answers for their TTL class; nil means none.
	Cache     youtube.Cache
	Endpoints Endpoints
	// Activity records an entry of the activity log; nil records nothing.
	Activity func(ctx context.Context, channelID, kind, message string, data any) error
	// Emit sends events (events.Insights); nil sends none.
	Emit events.Emitter
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives what a background sync cannot return. Nil means
	// slog.Default().
	Logger *slog.Logger
	// SyncEvery is how often the loop syncs linked channels. Zero means 6
	// hours; negative means the loop never syncs on its own.
	SyncEvery time.Duration
	// HistoryDays is how many days of daily numbers a first sync reads.
	// Zero means 365.
	HistoryDays int
	// AnalyticsLimit is the daily budget of requests per analytics API.
	// Zero means analytics.DefaultDailyRequests.
	AnalyticsLimit int
	// Parallel is how many analytics requests run at once. Zero means 4.
	Parallel int
}

// Defaults of Config.
const (
	DefaultSyncEvery   = 6 * time.Hour
	DefaultHistoryDays = 365
	DefaultParallel    = 4
)

// Service is the insights domain. It is safe for concurrent use.
type Service struct {
	cfg Config
	db  *insights.DB
	st  *store.Store
	log *slog.Logger

	mu     sync.Mutex
	models map[string]channelModel
	flows  map[string]*pending // analytics sign-ins in progress, by channel
	syncs  map[string]bool     // channels syncing now

	ctx    context.Context // the loop's, set by Start
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}
}

type channelModel struct {
	version string
	model   *predictor.Model
}

// New makes a service; Start runs its background sync.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.DB == nil {
		return nil, errors.New("insights service: a store and the insights tables are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SyncEvery == 0 {
		cfg.SyncEvery = DefaultSyncEvery
	}
	if cfg.HistoryDays <= 0 {
		cfg.HistoryDays = DefaultHistoryDays
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.Emit == nil {
		cfg.Emit = func(string, any) {}
	}
	s := &Service{cfg: cfg, db: cfg.DB, st: cfg.Store, log: cfg.Logger, models: map[string]channelModel{},
		flows: map[string]*pending{}, syncs: map[string]bool{}, wake: make(chan struct{}, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.cancel() // not started: background work started before Start ends at once
	return s, nil
}

// DB is the insights tables.
func (s *Service) DB() *insights.DB { return s.db }

// now is the service's clock, to the millisecond the tables keep.
func (s *Service) now() time.Time { return s.cfg.Now().Truncate(time.Millisecond) }

// Start runs the sync loop until Stop: it syncs every linked channel
// every SyncEvery (those waiting for a quota reset once it passed).
func (s *Service) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.cfg.SyncEvery < 0 {
		return nil
	}
	s.wg.Add(1)
	go s.loop(s.ctx)
	return nil
}

// Stop ends the loop, any sign-in still waiting and any sync, and waits
// for them.
func (s *Service) Stop() {
	s.mu.Lock()
	s.cancel()
	for _, p := range s.flows {
		p.flow.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// background runs fn on the service's context, tracked by Stop.
func (s *Service) background(fn func(ctx context.Context)) {
	s.mu.Lock()
	ctx := s.ctx
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		fn(ctx)
	}()
}

func (s *Service) loop(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := s.SyncDue(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("insights: analytics sync", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// SyncDue syncs every linked channel whose last sync is older than
// SyncEvery and that is not waiting for a quota reset; the loop calls it
// every minute, tests call it with the clock they set.
func (s *Service) SyncDue(ctx context.Context) error {
	links, err := s.db.AnalyticsLinks(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	var errs []error
	for _, l := range links {
		if now.Before(l.RetryAt) || now.Sub(l.LastAttempt) < s.cfg.SyncEvery && now.Sub(l.LastSync) < s.cfg.SyncEvery {
			continue
		}
		if _, err := s.SyncAnalytics(ctx, l.ChannelID); err != nil {
			errs = append(errs, fmt.Errorf("sync %s: %w", l.ChannelID, err))
		}
	}
	return errors.Join(errs...)
}

// Channel reads a live channel, or fails wrapping store.ErrNotFound.
func (s *Service) Channel(ctx context.Context, id string) (store.Channel, error) {
	ch, err := store.Get[store.Channel](ctx, s.st.ReadDB(), store.ChannelEntity, id)
	if err != nil {
		return ch, fmt.Errorf("channel %s: %w", id, err)
	}
	return ch, nil
}

func (s *Service) channels(ctx context.Context) ([]store.Channel, error) {
	return store.List[store.Channel](ctx, s.st.ReadDB(), store.ChannelEntity, "", "name COLLATE NOCASE, id")
}

func (s *Service) activity(ctx context.Context, channelID, kind, message string, data any) error {
	if s.cfg.Activity == nil {
		return nil
	}
	return s.cfg.Activity(ctx, channelID, kind, message, data)
}

func (s *Service) auth() (Auth, error) {
	if s.cfg.Auth == nil {
		return nil, google.ErrNoClient
	}
	return s.cfg.Auth()
}
