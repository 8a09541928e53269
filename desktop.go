package main

// This file is the only adapter between the app and Wails: it binds the
// API, forwards events to the window and formats errors.

import (
	"context"
	"io/fs"
	"net/http"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"tubeagency/app"
)

func runDesktop(rt *app.Runtime, assets fs.FS) error {
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
			rt.Hub().Forward(func(name string, data any) { wruntime.EventsEmit(ctx, name, data) })
		},
		OnShutdown: func(context.Context) { _ = rt.Close() },
		Bind:       []any{rt.API()},
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
