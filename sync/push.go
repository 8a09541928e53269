package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"tubeagency/internal/store"
)

// change is the newest pending change of one row, with every outbox entry
// it stands for.
type change struct {
	entry store.OutboxEntry
	seqs  []int64
}

// push drains the outbox batch by batch until it is empty or a batch fails
// transiently.
func (s *Syncer) push(ctx context.Context, r Remote) error {
	for {
		entries, err := s.st.Outbox(ctx, s.st.ReadDB(), 0, s.opts.BatchSize)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		for _, group := range mergeBatch(capBytes(entries, s.opts.BatchBytes)) {
			if err := s.pushGroup(ctx, r, group); err != nil {
				return err
			}
		}
	}
}

// capBytes keeps the longest prefix of entries whose payloads fit in limit
// bytes, and at least one entry. The rest is read again by the next batch.
func capBytes(entries []store.OutboxEntry, limit int) []store.OutboxEntry {
	total := 0
	for i, e := range entries {
		total += len(e.Payload)
		if total > limit && i > 0 {
			return entries[:i]
		}
	}
	return entries
}

// mergeBatch keeps the newest entry per row and groups rows by entity, in
// the order entities first appear.
func mergeBatch(entries []store.OutboxEntry) [][]*change {
	byRow := map[string]*change{}
	var order []string
	for _, e := range entries {
		k := e.Entity + "\x00" + e.RowID
		c := byRow[k]
		if c == nil {
			c = &change{}
			byRow[k] = c
			order = append(order, k)
		}
		c.entry = e // entries come in seq order: the last is the newest
		c.seqs = append(c.seqs, e.Seq)
	}
	groups := map[string][]*change{}
	var entities []string
	for _, k := range order {
		c := byRow[k]
		if _, ok := groups[c.entry.Entity]; !ok {
			entities = append(entities, c.entry.Entity)
		}
		groups[c.entry.Entity] = append(groups[c.entry.Entity], c)
	}
	out := make([][]*change, 0, len(entities))
	for _, e := range entities {
		out = append(out, groups[e])
	}
	return out
}

// pushGroup sends changes of one entity. A permanent refusal splits the
// group until the refused row stands alone, then parks it as a dead letter.
// To a project without schema 0002, rows go without the columns it added
// and devices rows are not sent at all (it has no such table; the next
// heartbeat is written again).
func (s *Syncer) pushGroup(ctx context.Context, r Remote, group []*change) error {
	table := group[0].entry.Entity
	if _, ok := store.EntityByTable(table); !ok {
		return s.deadLetter(ctx, group, &Error{Op: "push " + table, Code: "unknown_entity", Permanent: true,
			Message: "this version of the app does not sync " + table})
	}
	legacy := s.serverSchema() == 1
	if legacy && slices.Contains(schemaTwoTables, table) {
		return s.ack(ctx, group)
	}
	rows := make([]json.RawMessage, len(group))
	for i, c := range group {
		rows[i] = json.RawMessage(c.entry.Payload)
		if drop := schemaTwoColumns[table]; legacy && len(drop) > 0 {
			stripped, err := withoutColumns(rows[i], drop)
			if err != nil {
				return s.deadLetter(ctx, []*change{c}, &Error{Op: "push " + table, Code: "bad_payload", Permanent: true, Message: err.Error()})
			}
			rows[i] = stripped
		}
	}
	err := r.Push(ctx, table, rows)
	switch {
	case err == nil:
		if err := s.ack(ctx, group); err != nil {
			return err
		}
		s.count(len(group), 0)
		if table != store.DeviceEntity.Table {
			s.markActive()
		}
		return nil
	case IsPermanent(err) && len(group) > 1:
		half := len(group) / 2
		if err := s.pushGroup(ctx, r, group[:half]); err != nil {
			return err
		}
		return s.pushGroup(ctx, r, group[half:])
	case IsPermanent(err):
		return s.deadLetter(ctx, group, err)
	default:
		s.noteFailure(ctx, group, err)
		return err
	}
}

// withoutColumns returns the JSON object row without the named keys.
func withoutColumns(row json.RawMessage, names []string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		return nil, fmt.Errorf("outbox payload is not a JSON object: %w", err)
	}
	for _, n := range names {
		delete(m, n)
	}
	return json.Marshal(m)
}

func seqList(group []*change) (string, []any) {
	var args []any
	for _, c := range group {
		for _, q := range c.seqs {
			args = append(args, q)
		}
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(args)), ","), args
}

// ack deletes exactly the sent outbox entries (an entry written after the
// batch was read has a higher seq and stays) and clears dead letters the
// accepted changes supersede, in one transaction.
func (s *Syncer) ack(ctx context.Context, group []*change) error {
	marks, args := seqList(group)
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq IN (`+marks+`)`, args...); err != nil {
			return fmt.Errorf("delete pushed outbox entries: %w", err)
		}
		var refused bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM dead_letters)`).Scan(&refused); err != nil {
			return fmt.Errorf("look for dead letters: %w", err)
		}
		for _, c := range group {
			if !refused {
				break // the common case: nothing to clear
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM dead_letters WHERE entity = ? AND row_id = ? AND hlc <= ?`,
				c.entry.Entity, c.entry.RowID, c.entry.HLC); err != nil {
				return fmt.Errorf("clear superseded dead letter: %w", err)
			}
		}
		return setMeta(ctx, tx, "last_push", strconv.FormatInt(s.opts.Now().UnixMilli(), 10))
	})
}

// deadLetter moves the refused change out of the outbox and into
// dead_letters, in one transaction: nothing is dropped.
func (s *Syncer) deadLetter(ctx context.Context, group []*change, cause error) error {
	var re *Error
	errors.As(cause, &re)
	status, code, msg := 0, "", cause.Error()
	if re != nil {
		status, code = re.Status, re.Code
		if re.Message != "" {
			msg = re.Message
		}
	}
	marks, args := seqList(group)
	err := s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		for _, c := range group {
			e := c.entry
			if _, err := tx.ExecContext(ctx, `INSERT INTO dead_letters(entity, row_id, op, payload, hlc, status, code, error, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT(entity, row_id) DO UPDATE SET op = excluded.op, payload = excluded.payload, hlc = excluded.hlc,
				  status = excluded.status, code = excluded.code, error = excluded.error, created_at = excluded.created_at`,
				e.Entity, e.RowID, string(e.Op), e.Payload, e.HLC, status, code, msg, s.opts.Now().UnixMilli()); err != nil {
				return fmt.Errorf("save dead letter %s %s: %w", e.Entity, e.RowID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq IN (`+marks+`)`, args...); err != nil {
			return fmt.Errorf("delete dead-lettered outbox entries: %w", err)
		}
		return nil
	})
	if err == nil {
		s.opts.Logger.Warn("sync: change refused by the server", "entity", group[0].entry.Entity, "row", group[0].entry.RowID, "code", code)
	}
	return err
}

// noteFailure counts the attempt on the entries, for the UI. Failing to
// record it is not worth failing the sync for.
func (s *Syncer) noteFailure(ctx context.Context, group []*change, cause error) {
	marks, args := seqList(group)
	args = append([]any{cause.Error()}, args...)
	_ = s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq IN (`+marks+`)`, args...)
		return err
	})
}
