package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"

	"tubeagency/internal/store"
)

// minPullPage is the smallest page a pull shrinks to after timeouts.
const minPullPage = 10

// pull fetches every entity's rows above its cursor, page by page. A page
// that times out halves the page size for the next try (large rows on a
// slow link) and becomes a ceiling; full pages double the size again, below
// the ceiling, and every 50 full pages under it the ceiling is tried again.
// Sync holds runMu, which guards these fields.
func (s *Syncer) pull(ctx context.Context, r Remote) error {
	if s.pullPage == 0 {
		s.pullPage = s.opts.PullPage
	}
	for _, e := range store.Entities {
		for {
			cursor, err := s.Cursor(ctx, e.Table)
			if err != nil {
				return err
			}
			page := s.pullPage
			rows, err := r.Pull(ctx, e.Table, cursor, page, s.st.DeviceID())
			if err != nil {
				if isTimeout(err) && ctx.Err() == nil {
					s.pullCeil, s.pullOK = page, 0
					s.pullPage = max(minPullPage, page/2)
				}
				return err
			}
			if len(rows) == 0 {
				break
			}
			if err := s.apply(ctx, e, rows); err != nil {
				return err
			}
			s.count(0, len(rows))
			if len(rows) < page {
				break
			}
			next := min(s.opts.PullPage, page*2)
			if s.pullCeil > 0 && next >= s.pullCeil {
				next = page
				if s.pullOK++; s.pullOK >= 50 {
					s.pullCeil, s.pullOK = s.pullCeil*2, 0
				}
			}
			s.pullPage = next
		}
	}
	return nil
}

// isTimeout reports a request that ran out of time (its deadline, or the
// transport's wait for the answer's headers).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
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
// and than every pending local change of that row. The local and pending
// clocks of the whole page are read with two queries.
func (s *Syncer) apply(ctx context.Context, e *store.Entity, rows []RemoteRow) error {
	clock := s.st.Clock()
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		local, pending, err := pageClocks(ctx, tx, e, rows)
		if err != nil {
			return err
		}
		var last int64
		for _, rr := range rows {
			last = max(last, rr.Seq)
			id, remote := rr.Row.ID(), rr.Row.HLC()
			if err := clock.Observe(remote); err != nil {
				continue // a malformed clock cannot be ordered; the server's CHECK forbids it
			}
			if local[id] >= remote || pending[id] >= remote {
				continue // "" (no local row, nothing pending) sorts before every clock
			}
			if err := e.PutRow(ctx, tx, rr.Row); err != nil {
				return err
			}
			local[id] = remote // a page may hold a row once only, but stay correct if not
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sync_cursors(entity, server_seq) VALUES (?, ?)
			ON CONFLICT(entity) DO UPDATE SET server_seq = MAX(server_seq, excluded.server_seq)`, e.Table, last)
		if err != nil {
			return fmt.Errorf("save %s cursor: %w", e.Table, err)
		}
		return nil
	})
}

// pageClocks reads, for the rows of a page, the clock of each local row and
// the newest clock of each row's pending changes.
func pageClocks(ctx context.Context, tx *sql.Tx, e *store.Entity, rows []RemoteRow) (local, pending map[string]string, err error) {
	local, pending = map[string]string{}, map[string]string{}
	ids := make([]any, len(rows))
	for i, rr := range rows {
		ids[i] = rr.Row.ID()
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	read := func(into map[string]string, query string, args ...any) error {
		res, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			var id string
			var hlc sql.NullString
			if err := res.Scan(&id, &hlc); err != nil {
				return err
			}
			into[id] = hlc.String
		}
		return res.Err()
	}
	if err := read(local, `SELECT id, hlc FROM `+e.Table+` WHERE id IN (`+marks+`)`, ids...); err != nil {
		return nil, nil, fmt.Errorf("read local %s clocks: %w", e.Table, err)
	}
	args := append([]any{e.Table}, ids...)
	if err := read(pending, `SELECT row_id, MAX(hlc) FROM outbox WHERE entity = ? AND row_id IN (`+marks+`) GROUP BY row_id`, args...); err != nil {
		return nil, nil, fmt.Errorf("read pending %s clocks: %w", e.Table, err)
	}
	return local, pending, nil
}
