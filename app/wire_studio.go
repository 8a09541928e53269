package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/app/events"
	"tubeagency/app/secrets"
	"tubeagency/app/studio"
	"tubeagency/app/voice"
	"tubeagency/app/voice/elevenlabs"
	"tubeagency/app/voice/espeak"
	"tubeagency/app/voice/openai"
	"tubeagency/internal/store"
	"tubeagency/providers/templates"
)

// studioParts are the studio pipeline, the voice chain and the autopilot.
type studioParts struct {
	studio    *studio.Studio
	autopilot *autopilot.Autopilot
	voice     *voice.Chain
	templates *templates.Provider
}

// Secret names of the voice engines' API keys.
const (
	secretElevenLabs = "provider/elevenlabs"
	secretOpenAI     = "provider/openai" // the same key as the OpenAI text provider
)

// buildStudio builds the studio and the autopilot, whose jobs the monitor
// times. startStudio starts the autopilot.
func (rt *Runtime) buildStudio(ctx context.Context) error {
	tpl := rt.providers.templates
	chain := &voice.Chain{Engines: []voice.Engine{
		&elevenlabs.Client{Key: rt.voiceKey(secretElevenLabs)},
		&openai.Client{Key: rt.voiceKey(secretOpenAI)},
		&espeak.Client{},
	}}
	logAct := func(m *store.Mutation, channelID, kind, message string, data any) error {
		return rt.logActivity(m, channelID, kind, message, data)
	}
	std := studio.New(studio.Config{
		Store:       rt.store,
		Generator:   rt, // the provider router (wire_providers.go)
		Scorer:      rt.StudioInsights(),
		Trends:      rt.StudioInsights(),
		Voice:       chain,
		AudioDir:    filepath.Join(rt.opts.DataDir, "audio"),
		Emit:        rt.emit,
		LogActivity: logAct,
		Now:         rt.opts.Now,
	})
	ap, err := autopilot.New(ctx, autopilot.Config{
		Store:          rt.store,
		Studio:         std,
		Templates:      tpl,
		Quota:          autopilot.QuotaFunc(rt.QuotaExhausted),
		VoiceAvailable: func(ctx context.Context) bool { return len(chain.Available(ctx)) > 0 },
		Emit:           rt.emit,
		LogActivity:    logAct,
		Now:            rt.opts.Now,
		JobWrapper:     rt.monitor.TimeJob,
		DeviceID:       rt.sync.devices.ID(),
		Hosts:          rt.sync.devices,
		Hold:           rt.settled,
	})
	if err != nil {
		return fmt.Errorf("start autopilot: %w", err)
	}
	rt.studio = &studioParts{studio: std, autopilot: ap, voice: chain, templates: tpl}
	return nil
}

// startStudio resumes the studio runs a killed or stopped process left
// unfinished, from their last finished step, and starts the autopilot. A
// channel created, edited or switched on elsewhere (Channels page, sync)
// is planned for at once rather than at the next tick.
func (rt *Runtime) startStudio() error {
	std, ap := rt.studio.studio, rt.studio.autopilot
	rt.goBackground(func(ctx context.Context) {
		if !rt.afterPaint(ctx) {
			return
		}
		if _, err := std.Resume(ctx); err != nil && ctx.Err() == nil {
			rt.log.Warn("studio runs not resumed", "err", err)
		}
	})
	rt.hub.Forward(func(name string, _ any) {
		if name == events.Channels {
			ap.Wake()
		}
	})
	return ap.Start(rt.ctx)
}

// stopStudio stops the autopilot; running jobs stay persisted and resume
// at the next start.
func (rt *Runtime) stopStudio() { rt.studio.autopilot.Stop() }

// voiceKey reads a voice engine's API key from the key store when it is
// needed, so a key saved in Settings applies at once. No key: the chain
// moves on to the next engine.
func (rt *Runtime) voiceKey(name string) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		s, err := rt.Keys()
		if err != nil {
			return "", err
		}
		v, err := s.Get(name)
		if errors.Is(err, secrets.ErrNotFound) {
			return "", nil
		}
		return v, err
	}
}

// activitySeen is when the user last opened the dashboard's summary (unix
// ms, 0 when never).
func (rt *Runtime) activitySeen(ctx context.Context) (int64, error) {
	var v string
	err := rt.store.ReadDB().QueryRowContext(ctx, `SELECT value FROM studio_settings WHERE key = 'activity_seen'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read last visit: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, nil // a damaged value means "never": the summary shows everything
	}
	return n, nil
}

// markActivitySeen records now as the last visit.
func (rt *Runtime) markActivitySeen(ctx context.Context, now int64) error {
	return rt.store.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO studio_settings(key, value) VALUES ('activity_seen', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(now, 10))
		if err != nil {
			return fmt.Errorf("record visit: %w", err)
		}
		return nil
	})
}

// AudioHandler serves voice-over files from <data-dir>/audio at
// /api/audio/{file}, in serve mode and through the desktop window's asset
// server alike, as audio/wav with byte ranges (http.ServeContent) so a
// player can seek.
func (rt *Runtime) AudioHandler() http.Handler {
	dir := filepath.Join(rt.opts.DataDir, "audio")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if name == "" {
			name = filepath.Base(r.URL.Path)
		}
		if !validAudioName(name) {
			http.Error(w, "no such voice-over", http.StatusNotFound)
			return
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			http.Error(w, "no such voice-over: generate the voice step again", http.StatusNotFound)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, "voice-over unreadable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, st.ModTime(), f)
	})
}

// validAudioName accepts the names the studio writes: "<uuid>.wav".
func validAudioName(name string) bool {
	base, ok := strings.CutSuffix(name, ".wav")
	if !ok || len(base) == 0 || len(base) > 64 {
		return false
	}
	for _, r := range base {
		if !(r >= 'a' && r <= 'f' || r >= '0' && r <= '9' || r == '-' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// ExportHandler answers GET /api/export/{id}/{format} with the package as a
// file download (format "markdown" or "json"), for browsers in serve mode.
func (rt *Runtime) ExportHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		f, err := rt.exportPackage(ctx, r.PathValue("id"), r.PathValue("format"))
		if err != nil {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(HTTPStatus(err))
			_ = json.NewEncoder(w).Encode(FormatError(err))
			return
		}
		w.Header().Set("Content-Type", f.MimeType)
		// RFC 6266/5987: an ASCII name for old clients, the UTF-8 one for all others.
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		_, _ = w.Write([]byte(f.Content))
	})
}

// emitStudio is a job event from the app layer (a run that could not start).
func (rt *Runtime) emitStudio(p studio.Progress) { rt.emit(events.Job, p) }
