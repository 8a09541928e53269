package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tubeagency/app/store"
)

// pull fetches every entity's rows above its cursor, page by page.
func (s *Syncer) pull(ctx context.Context, r Remote) error {
	for _, e := range store.Entities {
		for {
			cursor, err := s.Cursor(ctx, e.Table)
			if err != nil {
				return err
			}
			rows, err := r.Pull(ctx, e.Table, cursor, s.opts.PullPage, s.st.DeviceID())
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				break
			}
			if err := s.apply(ctx, e, rows); err != nil {
				return err
			}
			s.count(0, len(rows))
			if len(rows) < s.opts.PullPage {
				break
			}
		}
	}
	return nil
}

// Cursor is the highest server sequence of table applied on this device.
func (s *Syncer) Cursor(ctx context.Context, table string) (int64, error) {
	var c int64
	err := s.st.ReadDB().QueryRowContext(ctx, `SELECT server_seq FROM sync_cursors WHERE entity = ?`, table).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s cursor: %w", table, err)
	}
	return c, nil
}

// apply writes pulled rows by last-writer-wins and moves the cursor, in one
// transaction. A row is applied when its clock is newer than the local row
// and than every pending local change of that row.
func (s *Syncer) apply(ctx context.Context, e *store.Entity, rows []RemoteRow) error {
	clock := s.st.Clock()
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		var last int64
		for _, rr := range rows {
			last = max(last, rr.Seq)
			remote := rr.Row.HLC()
			if err := clock.Observe(remote); err != nil {
				continue // a malformed clock cannot be ordered; the server's CHECK forbids it
			}
			local, err := e.GetRow(ctx, tx, rr.Row.ID())
			if err == nil && local.HLC() >= remote {
				continue
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read local %s %s: %w", e.Table, rr.Row.ID(), err)
			}
			var pending sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT MAX(hlc) FROM outbox WHERE entity = ? AND row_id = ?`,
				e.Table, rr.Row.ID()).Scan(&pending); err != nil {
				return fmt.Errorf("read pending %s %s: %w", e.Table, rr.Row.ID(), err)
			}
			if pending.Valid && pending.String >= remote {
				continue
			}
			if err := e.PutRow(ctx, tx, rr.Row); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors(entity, server_seq) VALUES (?, ?)
			ON CONFLICT(entity) DO UPDATE SET server_seq = MAX(server_seq, excluded.server_seq)`, e.Table, last)
		if err != nil {
			return fmt.Errorf("save %s cursor: %w", e.Table, err)
		}
		return nil
	})
}
