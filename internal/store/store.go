// Package store is Tube Agency's local SQLite store.
//
// Every write to a synced entity commits in the same transaction as exactly
// one outbox entry holding the full row after the change; the syncer replays
// the outbox later. One connection writes; a pool of connections reads.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the sqlite3 driver

	"tubeagency/internal/hlc"
)

//go:embed migrations/*.sql
var coreMigrations embed.FS

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Now is the wall clock for timestamps and the hybrid logical clock.
	// Nil means time.Now.
	Now func() time.Time
	// ReadConns is the size of the read pool. Zero means 4.
	ReadConns int
	// BeforeCommit, when set, runs inside every Mutate transaction after its
	// writes and before the commit. Tests use it to inject failures.
	BeforeCommit func(tx *sql.Tx) error
	// MachineID names the computer, for telling a copied database from a
	// reopened one. Empty means the operating system's machine id (the
	// host name where there is none).
	MachineID string
	// MaxClockDrift is how far ahead of the wall clock values received from
	// other devices (or stored earlier) may move the device's clock. Zero
	// means hlc.DefaultMaxDrift (5 minutes).
	MaxClockDrift time.Duration
	// Logger receives notes about the device id and its clock. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Store is the local database.
type Store struct {
	path    string
	write   *sql.DB
	read    *sql.DB
	clock   *hlc.Clock
	now     func() time.Time
	changes chan struct{}
	opts    Options
}

// Open opens (creating when missing) the database at path and migrates it
// to the newest core schema.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if err := userOnly(path); err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{path: path, write: write, now: opts.Now, changes: make(chan struct{}, 1), opts: opts}
	if err := s.Migrate(ctx, "core", mustSub(coreMigrations, "migrations")); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	s.read = read
	if err := s.initClock(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// userOnly makes the database readable by the user only. SQLite creates
// its files with the process's default mode (usually 0644) and gives the
// -wal and -shm files the mode of the database file, so creating that file
// 0600 first covers all three; files of an older install are narrowed.
func userOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restrict %s to its owner: %w", p, err)
		}
	}
	return nil
}

func dsn(path string, readOnly bool) string {
	v := url.Values{}
	v.Set("_busy_timeout", "5000")
	v.Set("_journal_mode", "WAL")
	v.Set("_synchronous", "NORMAL")
	v.Set("_foreign_keys", "on")
	v.Set("_txlock", "immediate")
	v.Set("_stmt_cache_size", "64") // reuse prepared statements across transactions
	if readOnly {
		v.Set("mode", "ro")
		v.Set("_txlock", "deferred")
	}
	return "file:" + path + "?" + v.Encode()
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded folder is fixed at build time
	}
	return sub
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB is the single writer connection. Use RunInTx for writes.
func (s *Store) DB() *sql.DB { return s.write }

// ReadDB is the read pool.
func (s *Store) ReadDB() *sql.DB { return s.read }

// Clock is the device's hybrid logical clock, shared by every write.
func (s *Store) Clock() *hlc.Clock { return s.clock }

// Now is the store's wall clock.
func (s *Store) Now() time.Time { return s.now() }

// Changes delivers a signal (coalesced) after every committed mutation of a
// synced entity. The syncer listens to it to push without waiting.
func (s *Store) Changes() <-chan struct{} { return s.changes }

// Close closes both pools.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
	return errors.Join(errs...)
}

// RunInTx runs fn in one write transaction, committing when fn returns nil
// and rolling back otherwise. It must not be nested: the store has a single
// writer connection.
func (s *Store) RunInTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Migrate applies the not yet applied NNNN_name.sql files of fsys, in
// order, for component, in one transaction. Components (the provider cache,
// the syncer, …) own their schema this way without sharing a numbering.
func (s *Store) Migrate(ctx context.Context, component string, fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("read %s migrations: %w", component, err)
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s/%s: name must be NNNN_name.sql", component, name)
		}
		migs = append(migs, mig{v, name})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	return s.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL,
			PRIMARY KEY (component, version))`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?`, component).Scan(&current); err != nil {
			return fmt.Errorf("read %s schema version: %w", component, err)
		}
		for _, m := range migs {
			if m.version <= current {
				continue
			}
			body, err := fs.ReadFile(fsys, m.name)
			if err != nil {
				return fmt.Errorf("read migration %s/%s: %w", component, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("apply migration %s/%s: %w", component, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(component, version, name, applied_at) VALUES (?, ?, ?, ?)`,
				component, m.version, m.name, s.now().UnixMilli()); err != nil {
				return fmt.Errorf("record migration %s/%s: %w", component, m.name, err)
			}
		}
		return nil
	})
}

// SchemaVersion is the newest applied migration of component.
func (s *Store) SchemaVersion(ctx context.Context, component string) (int, error) {
	var v int
	err := s.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?`, component).Scan(&v)
	return v, err
}

// initClock loads or creates the device id and moves the clock past every
// value already stored, so a wall clock that stepped back cannot reorder
// writes across restarts.
//
// The device id is tied to where the database lives (this computer, this
// path). A database opened somewhere else is a copy (or a moved folder), and
// gets a new device id: two installations sharing one id would each skip
// the other's changes when pulling, since pulls leave out the device's own
// versions. A new id is always safe: the old id's versions are pulled once
// and change nothing.
func (s *Store) initClock(ctx context.Context) error {
	home := s.home()
	var device, saved string
	err := s.write.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'device_id'`).Scan(&device)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		device = ""
	case err != nil:
		return fmt.Errorf("read device id: %w", err)
	}
	err = s.write.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'device_home'`).Scan(&saved)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read device home: %w", err)
	}
	switch {
	case device == "": // a new database
		device = hlc.NewDeviceID()
	case saved != "" && saved != home: // a copy, or a moved folder
		old := device
		device = hlc.NewDeviceID()
		s.opts.Logger.Info("the database was copied or moved here, so this installation takes a new device id", "old", old, "new", device)
	case saved == home:
		home = "" // nothing to save
	}
	// (A database from before homes were kept adopts this one and keeps its id.)
	if home != "" {
		if _, err := s.write.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('device_id', ?), ('device_home', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, device, home); err != nil {
			return fmt.Errorf("save device id: %w", err)
		}
	}
	s.clock = hlc.New(device, hlc.Options{Now: s.now, MaxDrift: s.opts.MaxClockDrift})
	return s.SeedClock(ctx)
}

// SeedClock moves the clock past every clock value stored (synced tables
// and outbox) that is within the clock's maximum drift of the wall clock.
// Values beyond it (pulled from a device with a broken clock, or made by
// this device before clocks were bounded) are left out and logged, so a
// restart never re-adopts a bad clock.
func (s *Store) SeedClock(ctx context.Context) error {
	bound := s.clock.Bound()
	tables := make([]string, 0, len(Entities)+1)
	for _, e := range Entities {
		tables = append(tables, e.Table)
	}
	var far []string
	for _, t := range append(tables, "outbox") {
		var sane, ahead sql.NullString
		if err := s.write.QueryRowContext(ctx, `SELECT (SELECT MAX(hlc) FROM `+t+` WHERE hlc <= ?), (SELECT MAX(hlc) FROM `+t+` WHERE hlc > ?)`,
			bound, bound).Scan(&sane, &ahead); err != nil {
			return fmt.Errorf("read clock of %s: %w", t, err)
		}
		if sane.Valid {
			_ = s.clock.Observe(sane.String) // a malformed stored value cannot move the clock
		}
		if ahead.Valid {
			far = append(far, ahead.String)
		}
	}
	if len(far) > 0 {
		s.opts.Logger.Warn("the database holds clock values far ahead of this computer's clock; the clock does not follow them (Settings → Sync → Repair clocks stamps such changes again)",
			"values", far, "max_drift", s.clock.MaxDrift())
	}
	return nil
}

// home identifies where the database lives: a hash of the machine id and
// the database's absolute path.
func (s *Store) home() string {
	machine := s.opts.MachineID
	if machine == "" {
		machine = machineID()
	}
	path, err := filepath.Abs(s.path)
	if err != nil {
		path = s.path
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	sum := sha256.Sum256([]byte(machine + "\x00" + path))
	return hex.EncodeToString(sum[:16])
}

// machineID is the systemd/D-Bus machine id where there is one, else the
// host name.
func machineID() string {
	for _, f := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(f); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return strings.TrimSpace(string(b))
		}
	}
	h, _ := os.Hostname()
	return h
}

// DeviceID is this device's id, part of every clock value it makes.
func (s *Store) DeviceID() string { return s.clock.Device() }

// Integrity runs PRAGMA integrity_check and returns its first line.
func (s *Store) Integrity(ctx context.Context) (string, error) {
	var res string
	err := s.write.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}

// Sizes reports the database and WAL file sizes in bytes.
func (s *Store) Sizes() (db, wal int64) {
	if fi, err := os.Stat(s.path); err == nil {
		db = fi.Size()
	}
	if fi, err := os.Stat(s.path + "-wal"); err == nil {
		wal = fi.Size()
	}
	return db, wal
}
