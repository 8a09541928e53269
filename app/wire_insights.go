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

	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/insights/csvimport"
	"tubeagency/app/insights/predictor"
	"tubeagency/app/insights/service"
	"tubeagency/app/insights/youtube"
	"tubeagency/internal/store"
	"tubeagency/providers/cache"
)

// insightsParts are the insights domain service and the Google sign-in it
// links analytics with.
type insightsParts struct {
	svc    *service.Service
	google *googleAuth
}

// Environment overrides of the Google endpoints: a proxy, or local servers
// speaking the APIs' wire formats in end-to-end tests.
const (
	// EnvYouTubeEndpoint is the YouTube Data API's base URL.
	EnvYouTubeEndpoint = "TUBEAGENCY_YOUTUBE_ENDPOINT"
	// EnvAnalyticsEndpoint is the base URL of YouTube Analytics and the
	// Reporting API.
	EnvAnalyticsEndpoint = "TUBEAGENCY_ANALYTICS_ENDPOINT"
	// EnvGoogleOAuthEndpoint is the base URL of Google's OAuth endpoints
	// (/o/oauth2/v2/auth, /token and /revoke under it).
	EnvGoogleOAuthEndpoint = "TUBEAGENCY_GOOGLE_OAUTH_ENDPOINT"
)

// buildInsights migrates the insights tables and builds the service, with
// the providers' two-tier cache for YouTube answers. startInsights starts
// its daily analytics sync.
func (rt *Runtime) buildInsights(ctx context.Context) error {
	db, err := insights.OpenDB(ctx, rt.store)
	if err != nil {
		return fmt.Errorf("start insights: %w", err)
	}
	p := &insightsParts{}
	p.google = &googleAuth{rt: rt, oauthBase: strings.TrimSuffix(os.Getenv(EnvGoogleOAuthEndpoint), "/")}
	analyticsBase := os.Getenv(EnvAnalyticsEndpoint)
	var apiCache youtube.Cache
	if rt.providers != nil && rt.providers.cache != nil {
		apiCache = rt.providers.cache
	}
	p.svc, err = service.New(service.Config{
		Store: rt.store,
		DB:    db,
		Keys: func() (service.Keys, error) {
			ks, err := rt.Keys()
			if err != nil {
				return nil, err
			}
			return ks, nil
		},
		Auth:      p.google.get,
		Cache:     apiCache,
		Endpoints: service.Endpoints{YouTube: os.Getenv(EnvYouTubeEndpoint), Analytics: analyticsBase, Reporting: analyticsBase},
		Activity: func(ctx context.Context, channelID, kind, message string, data any) error {
			return rt.store.Mutate(ctx, func(m *store.Mutation) error { return rt.logActivity(m, channelID, kind, message, data) })
		},
		Emit:   rt.emit,
		Now:    func() time.Time { return rt.opts.Now() },
		Logger: rt.log,
	})
	if err != nil {
		return fmt.Errorf("start insights: %w", err)
	}
	rt.insights = p
	return nil
}

var _ youtube.Cache = (*cache.Cache)(nil)

func (rt *Runtime) startInsights() error { return rt.insights.svc.Start() }
func (rt *Runtime) stopInsights()        { rt.insights.svc.Stop() }

// StudioInsights is the insights service's title scorer and trend source
// for the studio.
func (rt *Runtime) StudioInsights() service.StudioInsights { return rt.insights.svc.Studio() }

// ScoreTitle scores a title for a channel with its title model.
func (rt *Runtime) ScoreTitle(ctx context.Context, channelID, title, thumbnailText string) (predictor.Score, error) {
	return rt.insights.svc.ScoreTitle(ctx, channelID, title, thumbnailText)
}

// secretGoogleClient is the key store name of the user's Google OAuth
// client ("Desktop app" client id and secret) as JSON. Grants live beside
// it as google/<account> (package google); the hyphen keeps the two apart.
const secretGoogleClient = "google/oauth-client"

// oauthClient is the stored Google OAuth client.
type oauthClient struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

// maxClientBytes caps the stored client read back from the key store.
const maxClientBytes = 4 << 10

// googleAuth builds the Google sign-in from the stored OAuth client on
// first use, and again after the client changes. Every grant shares the
// key store, so one sign-in serves every feature that asks for its scopes.
type googleAuth struct {
	rt        *Runtime
	oauthBase string // "" means Google's endpoints

	mu     sync.Mutex
	client *oauthClient
	auth   *google.Auth
}

func (g *googleAuth) lock() func() {
	g.mu.Lock()
	return g.mu.Unlock
}

// readClient reads the stored OAuth client; ok is false when none is set.
func (g *googleAuth) readClient() (oauthClient, bool, error) {
	ks, err := g.rt.Keys()
	if err != nil {
		return oauthClient{}, false, err
	}
	if !ks.Has(secretGoogleClient) {
		return oauthClient{}, false, nil
	}
	v, err := ks.Get(secretGoogleClient)
	if err != nil {
		return oauthClient{}, false, fmt.Errorf("read the google oauth client: %w", err)
	}
	var c oauthClient
	if len(v) > maxClientBytes || json.Unmarshal([]byte(v), &c) != nil || c.ID == "" {
		return oauthClient{}, false, errors.New("read the google oauth client: unreadable, set it again in Settings → YouTube")
	}
	return c, true, nil
}

// get returns the sign-in, or google.ErrNoClient while no client is set.
func (g *googleAuth) get() (service.Auth, error) {
	c, ok, err := g.readClient()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, google.ErrNoClient
	}
	defer g.lock()()
	if g.auth != nil && g.client != nil && *g.client == c {
		return g.auth, nil
	}
	ks, err := g.rt.Keys()
	if err != nil {
		return nil, err
	}
	cfg := google.Config{ClientID: c.ID, ClientSecret: c.Secret, Secrets: ks, Now: func() time.Time { return g.rt.opts.Now() }}
	if g.oauthBase != "" {
		cfg.AuthURL, cfg.TokenURL, cfg.RevokeURL = g.oauthBase+"/o/oauth2/v2/auth", g.oauthBase+"/token", g.oauthBase+"/revoke"
	}
	a, err := google.New(cfg)
	if err != nil {
		return nil, err
	}
	g.auth, g.client = a, &c
	return a, nil
}

// setClient stores the OAuth client (clientID "" forgets it).
func (g *googleAuth) setClient(c oauthClient) error {
	ks, err := g.rt.Keys()
	if err != nil {
		return err
	}
	defer g.lock()()
	g.auth, g.client = nil, nil
	if c.ID == "" {
		if ks.Has(secretGoogleClient) {
			return ks.Delete(secretGoogleClient)
		}
		return nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := ks.Set(secretGoogleClient, string(b)); err != nil {
		return errors.New("store the google oauth client: the key store refused it")
	}
	return nil
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
