// Package applog sets up the app's structured log: text to the console
// (stderr) and the same records to a rotating file in <data-dir>/logs/,
// which is what a person attaches to a bug report.
//
// The file rotates with lumberjack (10 MB × 5 by default). Attribute values
// whose key names a secret (key, token, password, secret, authorization,
// cookie) are replaced by "[redacted]" before any handler sees them: the
// rest of the app already keeps secrets out of its messages, and this is
// the second lock on the door.
package applog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// FileName is the current log file's name inside Options.Dir.
const FileName = "tubeagency.log"

// Defaults for the zero values of Options.
const (
	DefaultMaxSizeMB  = 10
	DefaultMaxBackups = 5
)

// Options configure Open.
type Options struct {
	// Dir is the folder of the log files, normally <data-dir>/logs. Empty
	// means no file: records go to Console only.
	Dir string
	// Level is the lowest level written to both outputs. The zero value is
	// slog.LevelInfo.
	Level slog.Level
	// Console also receives every record (stderr in the app). Nil means none.
	Console io.Writer
	// MaxSizeMB is the size at which the file rotates. Zero means 10.
	MaxSizeMB int
	// MaxBackups is how many rotated files are kept. Zero means 5.
	MaxBackups int
}

// Log is an open log: the logger and the file behind it.
type Log struct {
	*slog.Logger
	// Path is the current log file ("" when Options.Dir was empty).
	Path string
	file *lumberjack.Logger
}

// Close closes the file (the logger keeps writing to the console).
func (l *Log) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// Dir is the folder holding the log files ("" when there is none).
func (l *Log) Dir() string {
	if l.Path == "" {
		return ""
	}
	return filepath.Dir(l.Path)
}

// ParseLevel reads a level name: debug, info, warn or error (any case).
// The empty string is info.
func ParseLevel(s string) (slog.Level, error) {
	if s == "" {
		return slog.LevelInfo, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("log level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Open creates opts.Dir when needed and returns the logger. The file is
// opened on the first record; Open fails early when the folder cannot be
// created or written.
func Open(opts Options) (*Log, error) {
	if opts.MaxSizeMB <= 0 {
		opts.MaxSizeMB = DefaultMaxSizeMB
	}
	if opts.MaxBackups <= 0 {
		opts.MaxBackups = DefaultMaxBackups
	}
	hopts := &slog.HandlerOptions{Level: opts.Level, ReplaceAttr: redact}
	var hs []slog.Handler
	if opts.Console != nil {
		hs = append(hs, slog.NewTextHandler(opts.Console, hopts))
	}
	l := &Log{}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("create log folder: %w", err)
		}
		l.Path = filepath.Join(opts.Dir, FileName)
		f, err := os.OpenFile(l.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open log file: %w", err)
		}
		f.Close()
		l.file = &lumberjack.Logger{Filename: l.Path, MaxSize: opts.MaxSizeMB, MaxBackups: opts.MaxBackups}
		hs = append(hs, slog.NewTextHandler(l.file, hopts))
	}
	l.Logger = slog.New(fanout(hs))
	return l, nil
}

// secretKeys are attribute keys (or key suffixes, after a dot or an
// underscore) whose values are never written.
var secretKeys = []string{"key", "api_key", "apikey", "token", "password", "secret", "authorization", "cookie", "access_token", "refresh_token"}

// IsSecretKey reports whether an attribute named k holds a secret.
func IsSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretKeys {
		if k == s || strings.HasSuffix(k, "_"+s) || strings.HasSuffix(k, "."+s) || strings.HasSuffix(k, "-"+s) {
			return true
		}
	}
	return false
}

func redact(_ []string, a slog.Attr) slog.Attr {
	if IsSecretKey(a.Key) && a.Value.Kind() != slog.KindGroup {
		return slog.String(a.Key, "[redacted]")
	}
	return a
}

// fanout sends each record to every handler.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}
