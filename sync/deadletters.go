package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"

	"tubeagency/internal/store"
)

// DeadLetter is a change the server refused for good.
type DeadLetter struct {
	ID        int64           `json:"id"`
	Entity    string          `json:"entity"`
	RowID     string          `json:"row_id"`
	Op        string          `json:"op"`
	Payload   json.RawMessage `json:"payload" ts_type:"Record<string, unknown>"`
	HLC       string          `json:"hlc"`
	Status    int             `json:"status"`
	Code      string          `json:"code"`
	Error     string          `json:"error"`
	CreatedAt int64           `json:"created_at"`
}

// DeadLetters lists the refused changes, oldest first.
func (s *Syncer) DeadLetters(ctx context.Context) ([]DeadLetter, error) {
	rows, err := s.st.ReadDB().QueryContext(ctx, `SELECT id, entity, row_id, op, payload, hlc, status, code, error, created_at
		FROM dead_letters ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	out := []DeadLetter{}
	for rows.Next() {
		var d DeadLetter
		var payload string
		if err := rows.Scan(&d.ID, &d.Entity, &d.RowID, &d.Op, &payload, &d.HLC, &d.Status, &d.Code, &d.Error, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan dead letter: %w", err)
		}
		d.Payload = json.RawMessage(payload)
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Syncer) deadLetterTx(ctx context.Context, tx *sql.Tx, id int64) (DeadLetter, error) {
	var d DeadLetter
	var payload string
	err := tx.QueryRowContext(ctx, `SELECT id, entity, row_id, op, payload, hlc FROM dead_letters WHERE id = ?`, id).
		Scan(&d.ID, &d.Entity, &d.RowID, &d.Op, &payload, &d.HLC)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("dead letter %d: %w", id, ErrDeadLetterNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read dead letter %d: %w", id, err)
	}
	d.Payload = json.RawMessage(payload)
	return d, nil
}

// RetryDeadLetter puts the refused change back in the outbox as it was and
// wakes the syncer (useful once the cause, e.g. a policy, is fixed).
func (s *Syncer) RetryDeadLetter(ctx context.Context, id int64) error {
	err := s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		d, err := s.deadLetterTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox(entity, row_id, op, payload, hlc, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			d.Entity, d.RowID, d.Op, string(d.Payload), d.HLC, s.opts.Now().UnixMilli()); err != nil {
			return fmt.Errorf("requeue dead letter %d: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM dead_letters WHERE id = ?`, id)
		return err
	})
	if err == nil {
		s.Wake()
	}
	return err
}

// DiscardDeadLetter forgets a refused change. The local row keeps its
// value; the server keeps its own.
func (s *Syncer) DiscardDeadLetter(ctx context.Context, id int64) error {
	return s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.deadLetterTx(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM dead_letters WHERE id = ?`, id)
		return err
	})
}

// EditDeadLetter saves row (the edited payload) as a new local change of
// the refused row, which queues it for push, and removes the dead letter,
// in one transaction. The caller validates row's fields; its id must be the
// dead letter's row id.
func (s *Syncer) EditDeadLetter(ctx context.Context, id int64, row store.Row) (store.Row, error) {
	var out store.Row
	err := s.st.Mutate(ctx, func(m *store.Mutation) error {
		d, err := s.deadLetterTx(ctx, m.Tx(), id)
		if err != nil {
			return err
		}
		e, ok := store.EntityByTable(d.Entity)
		if !ok {
			return fmt.Errorf("edit dead letter %d: unknown entity %s", id, d.Entity)
		}
		if row.ID() != d.RowID {
			return fmt.Errorf("edit dead letter %d: the id must stay %s", id, d.RowID)
		}
		if out, err = m.Put(e, row); err != nil {
			return err
		}
		_, err = m.Tx().ExecContext(ctx, `DELETE FROM dead_letters WHERE id = ?`, id)
		return err
	})
	if err == nil {
		s.Wake()
	}
	return out, err
}

// readOnlyColumns are set by the app, never edited by hand.
var readOnlyColumns = map[string]bool{"id": true, "hlc": true, "deleted": true, "created_at": true, "updated_at": true}

// MaxEditText caps a text field edited in a dead letter, in characters.
const MaxEditText = 20000

// EditDeadLetterFields applies edited fields to the refused row and saves
// it as a new local change, which queues it for push, and removes the dead
// letter, in one transaction. The fields are named as in the payload and
// checked against the entity's columns: an unknown or app-set field, or a
// value of the wrong kind (text of valid UTF-8 without control characters
// and at most MaxEditText characters, a number, a whole number for integer
// columns, true or false, a JSON object or list), is a *FieldError naming "payload.<field>", and nothing
// is written. The edit applies to the row as this device has it now (it
// may have changed since the refusal); the refused payload stands in when
// the row is gone.
func (s *Syncer) EditDeadLetterFields(ctx context.Context, id int64, fields map[string]any) (store.Row, error) {
	if len(fields) == 0 {
		return nil, &FieldError{Field: "payload", Message: "has no changes"}
	}
	var out store.Row
	err := s.st.Mutate(ctx, func(m *store.Mutation) error {
		d, err := s.deadLetterTx(ctx, m.Tx(), id)
		if err != nil {
			return err
		}
		e, ok := store.EntityByTable(d.Entity)
		if !ok {
			return fmt.Errorf("edit dead letter %d: unknown table %s", id, d.Entity)
		}
		row, err := e.GetRow(ctx, m.Tx(), d.RowID)
		if err != nil {
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("edit dead letter %d: read %s %s: %w", id, d.Entity, d.RowID, err)
			}
			row = nil
			if err := json.Unmarshal(d.Payload, &row); err != nil {
				return fmt.Errorf("edit dead letter %d: read payload: %w", id, err)
			}
		}
		kinds := make(map[string]store.Kind, len(e.Columns))
		for _, col := range e.Columns {
			kinds[col.Name] = col.Kind
		}
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		sort.Strings(names) // the first bad field is always the same one
		for _, name := range names {
			if err := checkEdit(d.Entity, name, fields[name], kinds); err != nil {
				return err
			}
			row[name] = fields[name]
		}
		if out, err = m.Put(e, row); err != nil {
			return err
		}
		_, err = m.Tx().ExecContext(ctx, `DELETE FROM dead_letters WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.Wake()
	return out, nil
}

// checkEdit checks one edited field of a dead letter of table.
func checkEdit(table, name string, v any, kinds map[string]store.Kind) error {
	field := "payload." + name
	kind, known := kinds[name]
	fail := func(msg string) error { return &FieldError{Field: field, Message: msg} }
	switch {
	case !known:
		return fail("is not a field of " + table)
	case readOnlyColumns[name]:
		return fail("is set by the app and cannot be edited")
	case kind == store.Text:
		str, ok := v.(string)
		if !ok {
			return fail("must be text")
		}
		if !utf8.ValidString(str) {
			return fail("is not valid UTF-8 text")
		}
		for _, r := range str {
			if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
				return fail("contains a control character")
			}
		}
		if utf8.RuneCountInString(str) > MaxEditText {
			return fail(fmt.Sprintf("must be at most %d characters", MaxEditText))
		}
	case kind == store.Int:
		f, ok := v.(float64)
		if !ok || f != f {
			return fail("must be a number")
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fail("must be a whole number")
		}
	case kind == store.Real:
		if f, ok := v.(float64); !ok || f != f || math.IsInf(f, 0) {
			return fail("must be a number")
		}
	case kind == store.Bool:
		if _, ok := v.(bool); !ok {
			return fail("must be true or false")
		}
	case kind == store.JSON:
		switch v.(type) {
		case map[string]any, []any:
		default:
			return fail("must be a JSON object or list")
		}
	}
	return nil
}

// Adopt prepares this device's rows for the account userID when it differs
// from the account they last synced with (or none): every local row
// without a pending change is queued (of the devices, only this one's),
// and pull cursors restart from zero, in one transaction. It returns how
// many rows it queued.
func (s *Syncer) Adopt(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.st.RunInTx(ctx, func(tx *sql.Tx) error {
		prev, err := s.meta(ctx, tx, "user_id")
		if err != nil {
			return err
		}
		if prev == userID {
			return nil
		}
		now := s.opts.Now().UnixMilli()
		for _, e := range store.Entities {
			// Of the devices, only this one belongs to the new account: the
			// others are the old account's.
			only := ""
			if e == store.DeviceEntity {
				only = s.st.DeviceID()
			}
			rows, err := tx.QueryContext(ctx, `SELECT id FROM `+e.Table+` t WHERE NOT EXISTS
				(SELECT 1 FROM outbox o WHERE o.entity = ? AND o.row_id = t.id) AND (? = '' OR t.id = ?) ORDER BY id`, e.Table, only, only)
			if err != nil {
				return fmt.Errorf("list %s to adopt: %w", e.Table, err)
			}
			var ids []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			for _, id := range ids {
				r, err := e.GetRow(ctx, tx, id)
				if err != nil {
					return fmt.Errorf("read %s %s to adopt: %w", e.Table, id, err)
				}
				payload, err := json.Marshal(r)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO outbox(entity, row_id, op, payload, hlc, created_at) VALUES (?, ?, 'update', ?, ?, ?)`,
					e.Table, id, string(payload), r.HLC(), now); err != nil {
					return fmt.Errorf("queue %s %s: %w", e.Table, id, err)
				}
				n++
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_cursors`); err != nil {
			return fmt.Errorf("reset cursors: %w", err)
		}
		// The other devices were the old account's: forget them here (they
		// were never this device's to push); the new account's arrive.
		if _, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id != ?`, s.st.DeviceID()); err != nil {
			return fmt.Errorf("forget the old account's devices: %w", err)
		}
		return setMeta(ctx, tx, "user_id", userID)
	})
	return n, err
}
