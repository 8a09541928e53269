package app

import (
	"tubeagency/internal/atomicfile"

	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"tubeagency/app/secrets"
	"tubeagency/app/studio"
	"tubeagency/internal/store"

	"golang.org/x/text/unicode/norm"
)

// StudioInfo describes the pipeline for the Studio page.
type StudioInfo struct {
	Steps   []string          `json:"steps"`
	Targets map[string]Target `json:"targets"` // by channel format
	Voices  []string          `json:"voices"`  // voice engines that can run now
	// VoiceHelp says what to do when no voice engine is available.
	VoiceHelp string `json:"voice_help,omitempty"`
}

// Target is a format's script length.
type Target struct {
	WordsPerMinute int `json:"words_per_minute"`
	MinSeconds     int `json:"min_seconds"`
	MaxSeconds     int `json:"max_seconds"`
	Words          int `json:"words"`
}

// ExportFile is a package rendered for saving.
type ExportFile struct {
	Name     string `json:"name"`
	MimeType string `json:"mime_type"`
	Content  string `json:"content"`
}

// StudioInfo lists the steps, the script targets and the voice engines.
func (a *App) StudioInfo() (StudioInfo, error) {
	ctx, cancel := a.call()
	defer cancel()
	info := StudioInfo{Steps: studio.Steps, Targets: map[string]Target{}}
	for _, f := range []string{store.FormatShorts, store.FormatLong} {
		t := studio.TargetFor(f)
		info.Targets[f] = Target{WordsPerMinute: t.WordsPerMinute, MinSeconds: t.MinSeconds, MaxSeconds: t.MaxSeconds, Words: t.Words}
	}
	info.Voices = a.rt.studio.voice.Available(ctx)
	if len(info.Voices) == 0 {
		info.VoiceHelp = "No voice engine is available: add an ElevenLabs key in Settings → Voice-over or an OpenAI key in Settings → Providers, or install espeak-ng (on Debian: sudo apt install espeak-ng)."
	}
	return info, nil
}

// StudioCreate makes a package for channelID about topic (empty: the
// pipeline picks the first idea) and starts generating it in the
// background; progress arrives as job events. withVoice adds the voice-over.
func (a *App) StudioCreate(channelID, topic string, withVoice bool) (Package, error) {
	topic = strings.TrimSpace(topic)
	var c checker
	c.text("channel_id", channelID, 1, 64)
	c.text("topic", topic, 0, 200)
	if err := c.check(); err != nil {
		return Package{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	if _, err := store.Get[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, channelID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Package{}, &FieldError{Field: "channel_id", Message: "names no channel: pick an existing channel"}
		}
		return Package{}, err
	}
	p, err := a.rt.studio.studio.Create(ctx, channelID, topic)
	if err != nil {
		return Package{}, err
	}
	a.rt.changed("packages", p)
	a.rt.runInBackground(p.ID, func(ctx context.Context) error {
		_, err := a.rt.studio.studio.Run(ctx, p.ID, studio.RunOptions{SkipVoice: !withVoice, Source: "studio"})
		return err
	})
	return packageOf(p), nil
}

// StudioRun resumes (or starts) package id: every step not done runs, in
// the background.
func (a *App) StudioRun(id string, withVoice bool) error {
	if err := a.checkPackage(id); err != nil {
		return err
	}
	if slices.Contains(a.rt.studio.studio.Running(), id) {
		return studio.ErrBusy
	}
	a.rt.runInBackground(id, func(ctx context.Context) error {
		_, err := a.rt.studio.studio.Run(ctx, id, studio.RunOptions{SkipVoice: !withVoice, Source: "studio"})
		return err
	})
	return nil
}

// StudioRegenerate runs one step of package id again, bypassing the cache,
// in the background.
func (a *App) StudioRegenerate(id, step string) error {
	if !slices.Contains(studio.Steps, step) {
		return &FieldError{Field: "step", Message: "must be one of " + strings.Join(studio.Steps, ", ")}
	}
	if err := a.checkPackage(id); err != nil {
		return err
	}
	if slices.Contains(a.rt.studio.studio.Running(), id) {
		return studio.ErrBusy
	}
	a.rt.runInBackground(id, func(ctx context.Context) error {
		_, err := a.rt.studio.studio.RunStep(ctx, id, step, studio.RunOptions{Source: "studio"})
		return err
	})
	return nil
}

// StudioCancel stops package id's run; finished steps stay saved. It
// reports whether a run was stopped.
func (a *App) StudioCancel(id string) (bool, error) {
	return a.rt.studio.studio.Cancel(id), nil
}

// StudioDelete stops package id's run if any, deletes the package (a
// tombstone that syncs) and removes its voice-over file from this device.
func (a *App) StudioDelete(id string) error {
	ctx, cancel := a.call()
	defer cancel()
	a.rt.studio.studio.Cancel(id)
	var voiceFile string
	err := a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		p, err := store.Get[store.Package](ctx, m.Tx(), store.PackageEntity, id)
		if err != nil {
			return notFound(err, "package")
		}
		if p.Content.Voice != nil {
			voiceFile = p.Content.Voice.File
		}
		return m.Delete(store.PackageEntity, id)
	})
	if err != nil {
		return err
	}
	if voiceFile != "" && validAudioName(voiceFile) {
		if err := os.Remove(filepath.Join(a.rt.studio.studio.AudioDir(), voiceFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("the package is deleted, but its voice-over file could not be removed: %w", err)
		}
	}
	a.rt.changed("packages", map[string]string{"deleted": id})
	return nil
}

// StudioRunning lists the packages being generated now.
func (a *App) StudioRunning() ([]string, error) {
	return a.rt.studio.studio.Running(), nil
}

// StudioExport renders package id as "markdown" or "json". The desktop
// saves the content through the browser's download; serve mode can also
// link to /api/export/{id}/{format}.
func (a *App) StudioExport(id, format string) (ExportFile, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.exportPackage(ctx, id, format)
}

// nonFileChars are the runs of characters a file name does without:
// everything but letters (of any script), digits and combining marks.
var nonFileChars = regexp.MustCompile(`[^\p{L}\p{N}\p{M}]+`)

// maxFileBase is the longest export file name, before its extension, in
// characters.
const maxFileBase = 80

// fileBase makes a file name of a title: letters and digits of any
// language kept as they are ("6 erros de finanças" → "6-erros-de-finanças"),
// other runs turned into one hyphen, and cut at a word boundary.
func fileBase(title string) string {
	base := strings.Trim(nonFileChars.ReplaceAllString(norm.NFC.String(strings.ToLower(title)), "-"), "-")
	r := []rune(base)
	if len(r) <= maxFileBase {
		return base
	}
	cut := string(r[:maxFileBase])
	// A cut that falls inside a word goes back to the word's start; one
	// that falls at a word's end keeps the word.
	if r[maxFileBase] != '-' {
		if i := strings.LastIndexByte(cut, '-'); i > maxFileBase/2 {
			cut = cut[:i]
		}
	}
	return strings.Trim(cut, "-")
}

// SavedFile is where an export was written.
type SavedFile struct {
	Name  string `json:"name"` // the file name, without its folder
	Bytes int    `json:"bytes"`
}

// StudioExportSave renders package id as "markdown" or "json" and saves it
// where the user chooses in the system's save dialog (the desktop window;
// a browser downloads from /api/export/{id}/{format} instead). The file is
// readable by the user only. Cancelling the dialog saves nothing and
// returns an empty name.
func (a *App) StudioExportSave(id, format string) (SavedFile, error) {
	if a.rt.opts.Dialogs == nil {
		return SavedFile{}, ErrNoDialogs
	}
	ctx, cancel := context.WithTimeout(a.rt.ctx, 10*time.Minute)
	defer cancel()
	f, err := a.rt.exportPackage(ctx, id, format)
	if err != nil {
		return SavedFile{}, err
	}
	pattern := "*.md"
	kind := "Markdown"
	if format == "json" {
		pattern, kind = "*.json", "JSON"
	}
	path, err := a.rt.opts.Dialogs.SaveFile(ctx, FileDialog{
		Title:       "Export the package",
		DefaultName: f.Name,
		Filters:     []FileFilter{{Name: kind + " (" + pattern + ")", Pattern: pattern}},
	})
	if err != nil || path == "" {
		return SavedFile{}, err
	}
	if err := atomicfile.Write(path, []byte(f.Content)); err != nil {
		return SavedFile{}, fmt.Errorf("save the export: %w", err)
	}
	return SavedFile{Name: filepath.Base(path), Bytes: len(f.Content)}, nil
}

func (rt *Runtime) exportPackage(ctx context.Context, id, format string) (ExportFile, error) {
	if format != "markdown" && format != "json" {
		return ExportFile{}, &FieldError{Field: "format", Message: "must be markdown or json"}
	}
	p, err := store.Get[store.Package](ctx, rt.store.ReadDB(), store.PackageEntity, id)
	if err != nil {
		return ExportFile{}, notFound(err, "package")
	}
	ch, err := store.Get[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, p.ChannelID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ExportFile{}, err
	}
	e := studio.ExportOf(p, ch)
	base := fileBase(p.Title)
	if base == "" {
		base = "package-" + p.ID
	}
	if format == "json" {
		b, err := e.JSON()
		if err != nil {
			return ExportFile{}, err
		}
		return ExportFile{Name: base + ".json", MimeType: "application/json", Content: string(b)}, nil
	}
	return ExportFile{Name: base + ".md", MimeType: "text/markdown; charset=utf-8", Content: e.Markdown()}, nil
}

func (a *App) checkPackage(id string) error {
	ctx, cancel := a.call()
	defer cancel()
	_, err := store.Get[store.Package](ctx, a.rt.store.ReadDB(), store.PackageEntity, id)
	return notFound(err, "package")
}

// runInBackground runs a studio job outside the bound call, which returns
// at once; the job ends with the app. Its outcome arrives as job events
// from the studio; an error before any step ran is reported here.
func (rt *Runtime) runInBackground(id string, fn func(ctx context.Context) error) {
	rt.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
		defer cancel()
		if err := fn(ctx); err != nil && !errors.Is(err, studio.ErrCancelled) && !errors.Is(err, context.Canceled) {
			rt.emitStudio(studio.Progress{PackageID: id, Status: "failed", Error: err.Error(), Total: len(studio.Steps)})
		}
	})
}

// VoiceEngine is one text-to-speech engine for Settings → Voice-over. It
// never carries a key, only whether one is saved and its last characters.
type VoiceEngine struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Available bool   `json:"available"`
	Message   string `json:"message,omitempty"` // what is missing when not available
	NeedsKey  bool   `json:"needs_key"`
	HasKey    bool   `json:"has_key"`
	KeyHint   string `json:"key_hint,omitempty"`
	// KeyFrom names where the key is managed when it is shared with a text
	// provider ("Settings → Providers → OpenAI").
	KeyFrom string `json:"key_from,omitempty"`
}

var voiceLabels = map[string]string{"elevenlabs": "ElevenLabs", "openai-tts": "OpenAI text-to-speech", "espeak-ng": "espeak-ng (offline)"}

// VoiceEngines lists the voice chain in the order it is tried.
func (a *App) VoiceEngines() ([]VoiceEngine, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.voiceEngines(ctx), nil
}

func (rt *Runtime) voiceEngines(ctx context.Context) []VoiceEngine {
	out := []VoiceEngine{}
	for _, e := range rt.studio.voice.Engines {
		v := VoiceEngine{Name: e.Name(), Label: voiceLabels[e.Name()]}
		if err := e.Available(ctx); err != nil {
			v.Message = strings.TrimPrefix(err.Error(), "voice engine not configured: ")
		} else {
			v.Available = true
		}
		var secret string
		switch e.Name() {
		case "elevenlabs":
			v.NeedsKey, secret = true, secretElevenLabs
		case "openai-tts":
			v.NeedsKey, secret, v.KeyFrom = true, secretOpenAI, "Settings → Providers → OpenAI"
		}
		if secret != "" {
			if key, err := rt.voiceKey(secret)(ctx); err == nil && key != "" {
				v.HasKey, v.KeyHint = true, maskKey(key)
			}
		}
		out = append(out, v)
	}
	return out
}

// SetVoiceKey saves the ElevenLabs API key in the key store (the OpenAI
// key is the one in Settings → Providers).
func (a *App) SetVoiceKey(engine, key string) ([]VoiceEngine, error) {
	key = strings.TrimSpace(key)
	var c checker
	c.oneOf("engine", engine, "elevenlabs")
	c.text("key", key, 8, 512)
	if c.err == nil && strings.ContainsAny(key, " \t\n\r") {
		c.fail("key", "must not contain spaces or line breaks: paste the key alone")
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	ks, err := a.rt.Keys()
	if err != nil {
		return nil, fmt.Errorf("the key store could not be opened: %w", err)
	}
	if err := ks.Set(secretElevenLabs, key); err != nil {
		return nil, fmt.Errorf("save the ElevenLabs key: %w", err)
	}
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.voiceEngines(ctx), nil
}

// ClearVoiceKey removes the ElevenLabs API key.
func (a *App) ClearVoiceKey(engine string) ([]VoiceEngine, error) {
	var c checker
	c.oneOf("engine", engine, "elevenlabs")
	if err := c.check(); err != nil {
		return nil, err
	}
	ks, err := a.rt.Keys()
	if err != nil {
		return nil, fmt.Errorf("the key store could not be opened: %w", err)
	}
	if err := ks.Delete(secretElevenLabs); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return nil, fmt.Errorf("remove the ElevenLabs key: %w", err)
	}
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.voiceEngines(ctx), nil
}
