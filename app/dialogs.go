package app

import (
	"context"
	"errors"
)

// Dialogs are the operating system's file dialogs. The desktop window
// provides them (the Wails adapter in main); serve mode has none. Every
// path the app reads or writes on the user's behalf comes from here,
// never from the page.
type Dialogs interface {
	// OpenFile asks for an existing file; "" means the user cancelled.
	OpenFile(ctx context.Context, d FileDialog) (string, error)
	// SaveFile asks where to save a file; "" means the user cancelled.
	SaveFile(ctx context.Context, d FileDialog) (string, error)
}

// FileDialog describes one dialog.
type FileDialog struct {
	Title       string
	DefaultName string // SaveFile: the file name offered
	Filters     []FileFilter
}

// FileFilter is one "files of type" choice, e.g. {"Markdown", "*.md"}.
type FileFilter struct {
	Name    string
	Pattern string // semicolon-separated globs
}

// ErrNoDialogs is returned by methods that need a file dialog when the app
// runs without a window (serve mode), where a browser uploads and
// downloads files instead.
var ErrNoDialogs = errors.New("file dialogs exist only in the desktop window: in a browser, use the upload and download buttons")

// Opener opens an address in the system's browser. The desktop window
// provides it (the Wails adapter in main); serve mode has none, and the
// page shows the address for the user to open instead.
type Opener interface {
	OpenURL(ctx context.Context, url string) error
}
