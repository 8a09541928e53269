package main

// This file is the only adapter between the app and Wails: it binds the
// API, forwards events to the window and formats errors.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"tubeagency/app"
)

// dialogs are the system's file dialogs through the Wails runtime, which
// needs the window's context: it exists once the window has started.
type dialogs struct {
	ctx atomic.Pointer[context.Context] // set in OnStartup, before any bound call runs
	// answerSaveIn, when set, answers every save dialog with the offered
	// name in this folder without showing it (see saveDialogHookEnv).
	answerSaveIn string
	// painted is closed when the dashboard has drawn its first frame with
	// data; the app holds its heavy background work until then
	// (app.Options.Painted).
	painted chan struct{}
}

// saveDialogHookEnv names a folder that answers the save dialog, for the
// desktop smoke test (scripts/desktop-smoke.sh), which cannot click in a
// GTK dialog: with it set, an export is written under its offered name in
// that folder. Unset, as it is unless a test sets it, the dialog shows.
const saveDialogHookEnv = "TUBEAGENCY_TEST_SAVE_DIR"

func (d *dialogs) window() (context.Context, error) {
	ctx := d.ctx.Load()
	if ctx == nil {
		return nil, app.ErrNoDialogs
	}
	return *ctx, nil
}

var (
	_ app.Dialogs = (*dialogs)(nil)
	_ app.Opener  = (*dialogs)(nil)
)

// OpenURL opens url in the system's browser (Google's sign-in page).
func (d *dialogs) OpenURL(_ context.Context, url string) error {
	ctx, err := d.window()
	if err != nil {
		return err
	}
	wruntime.BrowserOpenURL(ctx, url)
	return nil
}

// OpenFolder shows dir in the system's file manager.
func (d *dialogs) OpenFolder(dir string) error {
	ctx, err := d.window()
	if err != nil {
		return app.ErrNoWindow
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	wruntime.BrowserOpenURL(ctx, (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String())
	return nil
}

// Quit closes the window; runDesktop then returns.
func (d *dialogs) Quit() {
	if ctx, err := d.window(); err == nil {
		wruntime.Quit(ctx)
	}
}

// paintedEvent is what the dashboard emits once its first frame with data
// is on screen: {"page": "dashboard", "webview_ms": <ms since the page
// started loading>, "channels": n, "packages": n}.
const paintedEvent = "painted"

// logPainted logs painted_ms, the time from the process's start to the
// dashboard's first frame with data, and closes painted, once.
func logPainted(log *slog.Logger, once *sync.Once, painted chan struct{}, data ...any) {
	once.Do(func() {
		defer close(painted)
		attrs := []any{"painted_ms", time.Since(processStart).Milliseconds()}
		if len(data) > 0 {
			if m, ok := data[0].(map[string]any); ok {
				for _, k := range []string{"page", "webview_ms", "channels", "packages"} {
					if v, ok := m[k]; ok {
						attrs = append(attrs, k, v)
					}
				}
			}
		}
		log.Info("painted", attrs...)
	})
}

func filters(fs []app.FileFilter) []wruntime.FileFilter {
	out := make([]wruntime.FileFilter, len(fs))
	for i, f := range fs {
		out[i] = wruntime.FileFilter{DisplayName: f.Name, Pattern: f.Pattern}
	}
	return out
}

func (d *dialogs) OpenFile(_ context.Context, fd app.FileDialog) (string, error) {
	ctx, err := d.window()
	if err != nil {
		return "", err
	}
	return wruntime.OpenFileDialog(ctx, wruntime.OpenDialogOptions{Title: fd.Title, Filters: filters(fd.Filters)})
}

func (d *dialogs) SaveFile(_ context.Context, fd app.FileDialog) (string, error) {
	if d.answerSaveIn != "" {
		return filepath.Join(d.answerSaveIn, filepath.Base(fd.DefaultName)), nil
	}
	ctx, err := d.window()
	if err != nil {
		return "", err
	}
	return wruntime.SaveFileDialog(ctx, wruntime.SaveDialogOptions{
		Title: fd.Title, DefaultFilename: fd.DefaultName, Filters: filters(fd.Filters), CanCreateDirectories: true,
	})
}

// instanceID names the window of one data folder: a second launch on the
// same folder finds it by this name (Wails' single-instance lock: the
// session bus on Linux, a named mutex on Windows) and hands itself over.
// Another folder is another name, so two folders open side by side.
func instanceID(dataDir string) string {
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	sum := sha256.Sum256([]byte(dataDir))
	return "tubeagency-" + hex.EncodeToString(sum[:8])
}

// toFront brings the window to the front: what a second launch of the app
// on the same data folder does instead of starting again.
func toFront(ctx context.Context, log *slog.Logger) {
	log.Info("the app was launched again on this data folder: showing its window")
	wruntime.WindowUnminimise(ctx)
	wruntime.WindowShow(ctx)
}

func runDesktop(rt *app.Runtime, dlg *dialogs, log *slog.Logger, assets fs.FS, id string) error {
	var painted sync.Once
	return wails.Run(&options.App{
		Title:     "Tube Agency",
		Width:     1280,
		Height:    800,
		MinWidth:  1024,
		MinHeight: 700,
		AssetServer: &assetserver.Options{
			Assets: assets,
			// Requests the embedded dashboard does not answer (voice-over
			// audio, export downloads, file imports) go to the same routes
			// serve mode mounts.
			Handler: routes(rt),
		},
		BackgroundColour: &options.RGBA{R: 17, G: 19, B: 24, A: 255},
		OnStartup: func(ctx context.Context) {
			dlg.ctx.Store(&ctx)
			rt.Hub().Forward(func(name string, data any) { wruntime.EventsEmit(ctx, name, data) })
			wruntime.EventsOn(ctx, paintedEvent, func(data ...any) { logPainted(log, &painted, dlg.painted, data...) })
		},
		OnDomReady: func(context.Context) {
			log.Info("page loaded", "dom_ready_ms", time.Since(processStart).Milliseconds())
		},
		OnShutdown: func(context.Context) { _ = rt.Close() },
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: id,
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				if ctx, err := dlg.window(); err == nil {
					toFront(ctx, log)
				}
			},
		},
		Bind: []any{rt.API()},
		ErrorFormatter: func(err error) any {
			return app.FormatError(err)
		},
		Linux: &linux.Options{
			ProgramName:      "tubeagency",
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
}

func routes(rt *app.Runtime) http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range rt.HTTPHandlers() {
		mux.Handle(pattern, h)
	}
	return mux
}

// startFailurePage is the window shown when the app could not start.
var startFailurePage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tube Agency</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;padding:28px 32px;background:#111318;color:#e8eaf0}
h1{font-size:19px;margin:0 0 12px}p{margin:0 0 10px;white-space:pre-wrap;overflow-wrap:anywhere}</style></head>
<body><h1>Tube Agency could not start</h1><p data-testid="start-failure">{{.}}</p></body></html>`))

// runStartFailure shows why the app could not start in a small window of
// its own, until the user closes it. Launched again on a data folder whose
// window is open, it hands over to that window instead (which comes to the
// front) and the process ends before anything shows.
func runStartFailure(id, why string) error {
	// The window's heading says it could not start; the sentence says why.
	why = strings.ReplaceAll(strings.TrimPrefix(why, "cannot start: "), "`", "")
	if why != "" {
		why = strings.ToUpper(why[:1]) + why[1:]
	}
	var page bytes.Buffer
	if err := startFailurePage.Execute(&page, why); err != nil {
		return err
	}
	return wails.Run(&options.App{
		Title:  "Tube Agency",
		Width:  640,
		Height: 280,
		AssetServer: &assetserver.Options{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(page.Bytes())
		})},
		BackgroundColour:   &options.RGBA{R: 17, G: 19, B: 24, A: 255},
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: id},
		Linux:              &linux.Options{ProgramName: "tubeagency", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
}
