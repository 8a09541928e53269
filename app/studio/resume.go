package studio

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"tubeagency/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// RunsComponent is the migration component of the studio's device-local
// table of runs in progress.
const RunsComponent = "studio-runs"

// Migrations are the studio's device-local tables.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // fixed at build time
	}
	return sub
}

// schema applies the migrations once per Studio.
func (s *Studio) schema(ctx context.Context) error {
	s.schemaOnce.Do(func() {
		if err := s.cfg.Store.Migrate(ctx, RunsComponent, Migrations()); err != nil {
			s.schemaErr = fmt.Errorf("studio runs table: %w", err)
		}
	})
	return s.schemaErr
}

// track records that the run of p started, so Resume finds it if the
// process dies before it ends. Autopilot runs are left to the autopilot.
func (s *Studio) track(ctx context.Context, p store.Package, opts RunOptions) error {
	if opts.Source == SourceAutopilot {
		return nil
	}
	if err := s.schema(ctx); err != nil {
		return err
	}
	now := s.cfg.Now().UnixMilli()
	return s.cfg.Store.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO studio_runs(package_id, channel_id, source, skip_voice, started_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(package_id) DO UPDATE SET source = excluded.source, skip_voice = excluded.skip_voice,
			updated_at = excluded.updated_at`, p.ID, p.ChannelID, opts.Source, opts.SkipVoice, now, now)
		if err != nil {
			return fmt.Errorf("record the run of package %s: %w", p.ID, err)
		}
		return nil
	})
}

// untrack removes the record of a run that ended. ctx may be cancelled
// already: the removal still happens.
func (s *Studio) untrack(ctx context.Context, id string) error {
	if err := s.schema(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	return s.cfg.Store.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM studio_runs WHERE package_id = ?`, id); err != nil {
			return fmt.Errorf("forget the run of package %s: %w", id, err)
		}
		return nil
	})
}

// Interrupted lists the packages whose studio runs a previous process left
// unfinished, oldest first.
func (s *Studio) Interrupted(ctx context.Context) ([]string, error) {
	if err := s.schema(ctx); err != nil {
		return nil, err
	}
	rows, err := s.cfg.Store.ReadDB().QueryContext(ctx, `SELECT package_id FROM studio_runs ORDER BY started_at, package_id`)
	if err != nil {
		return nil, fmt.Errorf("find interrupted runs: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Resume continues every studio run a previous process left unfinished
// (killed, crashed, or stopped while generating), one after another, each
// from its first unfinished step, with the options it started with. Steps
// that had finished are not run again, and no package is created: the run
// fills the package it already made. The app calls it once at start, in
// the background; it returns how many runs it resumed when they have all
// ended, or when ctx ends. A run whose package was deleted meanwhile is
// forgotten.
func (s *Studio) Resume(ctx context.Context) (int, error) {
	if err := s.schema(ctx); err != nil {
		return 0, err
	}
	type pending struct {
		id, channel, source string
		skipVoice           bool
	}
	rows, err := s.cfg.Store.ReadDB().QueryContext(ctx, `SELECT package_id, channel_id, source, skip_voice FROM studio_runs ORDER BY started_at, package_id`)
	if err != nil {
		return 0, fmt.Errorf("find interrupted runs: %w", err)
	}
	var list []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.channel, &p.source, &p.skipVoice); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, nil
	}
	if s.cfg.LogActivity != nil {
		byChannel := map[string]int{}
		for _, p := range list {
			byChannel[p.channel]++
		}
		err := s.cfg.Store.Mutate(ctx, func(m *store.Mutation) error {
			for ch, n := range byChannel {
				msg := fmt.Sprintf("Studio resumed %s interrupted when the app stopped", plural(n, "package", "packages"))
				if err := s.cfg.LogActivity(m, ch, "studio.resumed", msg, map[string]any{"packages": n}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("log resumed runs: %w", err)
		}
	}
	n := 0
	var errs []error
	for _, p := range list {
		if ctx.Err() != nil {
			break
		}
		_, err := s.Run(ctx, p.id, RunOptions{SkipVoice: p.skipVoice, Source: p.source})
		switch {
		case errors.Is(err, store.ErrNotFound):
			// the package or its channel was deleted: nothing to resume
			if uerr := s.untrack(ctx, p.id); uerr != nil {
				errs = append(errs, uerr)
			}
			continue
		case errors.Is(err, ErrBusy):
			continue // already running: the user pressed Resume first
		case err != nil && ctx.Err() == nil:
			errs = append(errs, fmt.Errorf("resume package %s: %w", p.id, err))
		}
		n++
	}
	return n, errors.Join(errs...)
}
