package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"tubeagency/internal/hlc"
	"tubeagency/internal/store"
)

// minPullPage is the smallest page a pull shrinks to after timeouts.
const minPullPage = 10

// farAhead is how far ahead of this computer's clock a stored row's clock
// value must be to lose to any pulled version: the same bound (one day)
// schema 0002 puts on the server, where such a row (stamped by a broken
// clock) is replaced by the next write whatever its clock.
const farAhead = 24 * time.Hour

// schemaTwoTables and schemaTwoColumns are what sync/schema/0002 added: a
// project without it gets neither.
var (
	schemaTwoTables  = []string{"devices"}
	schemaTwoColumns = map[string][]string{"channels": {"autopilot_host"}}
)

// pull fetches every entity's rows above its cursor: in one request per
// page through tubeagency_pull when the project has it, table by table
// otherwise. A page that times out (or is too large to read) halves the page
// size for the next try and becomes a ceiling; full pages double the size
// again, below the ceiling, and every 50 full pages under it the ceiling is
// tried again. Sync holds the run token, which guards these fields.
func (s *Syncer) pull(ctx context.Context, r Remote) error {
	if s.pullPage == 0 {
		s.pullPage = s.opts.PullPage
	}
	if cp, ok := r.(ChangesPuller); ok && s.serverSchema() != 1 {
		err := s.pullChanges(ctx, cp)
		if !errors.Is(err, ErrNoPullFunction) {
			return err
		}
		s.setServerSchema(1)
	}
	return s.pullTables(ctx, r)
}

// pageFailed shrinks the page after a timeout or an answer too large.
func (s *Syncer) pageFailed(ctx context.Context, page int, err error) {
	if (isTimeout(err) || errors.Is(err, ErrResponseTooLarge)) && ctx.Err() == nil {
		s.pullCeil, s.pullOK = page, 0
		s.pullPage = max(minPullPage, page/2)
	}
}

// pageFull grows the page after a full one, below the ceiling.
func (s *Syncer) pageFull(page int) {
	next := min(s.opts.PullPage, page*2)
	if s.pullCeil > 0 && next >= s.pullCeil {
		next = page
		if s.pullOK++; s.pullOK >= 50 {
			s.pullCeil, s.pullOK = s.pullCeil*2, 0
		}
	}
	s.pullPage = next
}

// pullChanges pulls every table in one request per page. Rows this device
// wrote are not sent, but the page's Last covers them: the cursors move
// past them, so a device that is the only writer reaches the head in one
// request and the server never scans its rows again. (A row of its own that
// comes anyway, bare or whole, is skipped by its device id.)
func (s *Syncer) pullChanges(ctx context.Context, cp ChangesPuller) error {
	device := s.st.DeviceID()
	for {
		cursors, err := s.cursors(ctx)
		if err != nil {
			return err
		}
		page := s.pullPage
		res, err := cp.PullChanges(ctx, cursors, page, device)
		if err != nil {
			s.pageFailed(ctx, page, err)
			return err
		}
		s.setServerSchema(2)
		last := res.Last
		if len(res.Changes) > 0 {
			last = max(last, res.Changes[len(res.Changes)-1].Seq)
		}
		behind := false
		for _, c := range cursors {
			behind = behind || c < last
		}
		if !behind {
			return nil // at the head already
		}
		rows := map[*store.Entity][]RemoteRow{}
		for _, c := range res.Changes {
			e, ok := store.EntityByTable(c.Table)
			if !ok || c.Row == nil || strings.HasSuffix(c.Row.HLC(), "-"+device) {
				continue // not ours to keep, or ours already
			}
			rows[e] = append(rows[e], RemoteRow{Seq: c.Seq, Row: c.Row})
		}
		// Every row of every table asked for up to last is in this page or
		// this device's own (the page is the first rows above the cursors in
		// one order), so every cursor may move to last.
		moved := make(map[string]int64, len(cursors))
		for t := range cursors {
			moved[t] = last
		}
		if err := s.applyPage(ctx, rows, moved); err != nil {
			return err
		}
		if !res.More {
			return nil
		}
		s.pageFull(page)
	}
}

// cursors reads every entity's cursor.
func (s *Syncer) cursors(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64, len(store.Entities))
	for _, e := range store.Entities {
		c, err := s.Cursor(ctx, e.Table)
		if err != nil {
			return nil, err
		}
		out[e.Table] = c
	}
	return out, nil
}

// pullTables pulls table by table (a project without tubeagency_pull, or a
// Remote without PullChanges), leaving out the device's own versions on the
// server. A project known to lack schema 0002 has no devices table.
func (s *Syncer) pullTables(ctx context.Context, r Remote) error {
	legacy := s.serverSchema() == 1
	for _, e := range store.Entities {
		if legacy && slices.Contains(schemaTwoTables, e.Table) {
			continue
		}
		for {
			cursor, err := s.Cursor(ctx, e.Table)
			if err != nil {
				return err
			}
			page := s.pullPage
			rows, err := r.Pull(ctx, e.Table, cursor, page, s.st.DeviceID())
			if err != nil {
				s.pageFailed(ctx, page, err)
				return err
			}
			if len(rows) == 0 {
				break
			}
			if err := s.applyPage(ctx, map[*store.Entity][]RemoteRow{e: rows}, map[string]int64{e.Table: rows[len(rows)-1].Seq}); err != nil {
				return err
			}
			if len(rows) < page {
				break
			}
			s.pageFull(page)
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

// applyPage writes pulled rows by last-writer-wins and moves the cursors,
// in one transaction. A row is applied when its clock is newer than the
// local row's (or the local row's is more than a day ahead: a broken
// clock's) and than every pending local change of that row. A column the
// server did not send (a project without schema 0002) keeps its local value.
// Every pulled clock moves this device's clock, within its maximum drift; a
// value beyond it is applied all the same and raises a clock alert.
func (s *Syncer) applyPage(ctx context.Context, rows map[*store.Entity][]RemoteRow, cursors map[string]int64) error {
	clock := s.st.Clock()
	var (
		applied int
		tables  []string
		alerts  []ClockAlert
		content bool // a change people made (heartbeats do not count)
	)
	err := s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		applied, tables, alerts, content = 0, nil, nil, false
		for _, e := range store.Entities {
			page := rows[e]
			if len(page) == 0 {
				continue
			}
			local, pending, err := pageClocks(ctx, tx, e, page)
			if err != nil {
				return err
			}
			n := 0
			for _, rr := range page {
				id, remote := rr.Row.ID(), rr.Row.HLC()
				if err := clock.Observe(remote); err != nil {
					var de *hlc.DriftError
					if !errors.As(err, &de) {
						continue // a malformed clock cannot be ordered; the server's CHECK forbids it
					}
					alerts = append(alerts, ClockAlert{Device: de.Device, Table: e.Table, RowID: id, HLC: remote, AheadMS: de.Ahead.Milliseconds()})
				}
				if (local[id] >= remote && !clock.AheadOf(local[id], farAhead)) || pending[id] >= remote {
					continue // "" (no local row, nothing pending) sorts before every clock
				}
				if err := keepLocalColumns(ctx, tx, e, rr.Row, local[id] != ""); err != nil {
					return err
				}
				if err := e.PutRow(ctx, tx, rr.Row); err != nil {
					return err
				}
				local[id] = remote // a page may hold a row once only, but stay correct if not
				n++
			}
			if n > 0 {
				applied += n
				tables = append(tables, e.Table)
				content = content || e != store.DeviceEntity
			}
		}
		for _, e := range store.Entities {
			seq, ok := cursors[e.Table]
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors(entity, server_seq) VALUES (?, ?)
				ON CONFLICT(entity) DO UPDATE SET server_seq = MAX(server_seq, excluded.server_seq)`, e.Table, seq); err != nil {
				return fmt.Errorf("save %s cursor: %w", e.Table, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(alerts) > 0 {
		s.raiseClockAlert(alerts)
	}
	if applied > 0 {
		s.count(0, applied)
		if content {
			s.markActive()
		}
		if s.opts.Pulled != nil {
			s.opts.Pulled(tables)
		}
	}
	return nil
}

// keepLocalColumns fills the columns row lacks from the local row (when
// there is one): a project without schema 0002 does not send them, and a
// missing column must not wipe what this device knows.
func keepLocalColumns(ctx context.Context, tx *sql.Tx, e *store.Entity, row store.Row, exists bool) error {
	if !exists {
		return nil
	}
	var missing []string
	for _, c := range e.Columns {
		if _, ok := row[c.Name]; !ok {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	lr, err := e.GetRow(ctx, tx, row.ID())
	if err != nil {
		return fmt.Errorf("read local %s %s: %w", e.Table, row.ID(), err)
	}
	for _, c := range missing {
		row[c] = lr[c]
	}
	return nil
}

// raiseClockAlert keeps the newest far-ahead change for Status, logs each
// and tells the frontend.
func (s *Syncer) raiseClockAlert(alerts []ClockAlert) {
	now := s.opts.Now()
	for i := range alerts {
		a := &alerts[i]
		a.At = now
		a.Message = fmt.Sprintf("Device %s wrote %s %s with a clock %s ahead of this computer's. The change was kept, but this device's clock did not follow it. Check that device's date and time, then use Repair clocks on it.",
			a.Device, strings.TrimSuffix(a.Table, "s"), a.RowID, time.Duration(a.AheadMS*int64(time.Millisecond)).Round(time.Minute))
		s.opts.Logger.Warn("sync: a pulled change carries a clock far ahead of this computer's", "device", a.Device, "table", a.Table, "row", a.RowID, "hlc", a.HLC, "ahead", time.Duration(a.AheadMS)*time.Millisecond)
	}
	last := alerts[len(alerts)-1]
	s.mu.Lock()
	s.clockAlert = &last
	s.mu.Unlock()
	s.emit()
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
			var clock sql.NullString
			if err := res.Scan(&id, &clock); err != nil {
				return err
			}
			into[id] = clock.String
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
