package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kind is how a column's value is kept in SQLite and carried in JSON.
type Kind int

// Column kinds.
const (
	Text Kind = iota
	Int
	Real
	Bool // INTEGER 0/1 in SQLite, true/false in JSON
	JSON // TEXT holding JSON in SQLite, a nested value in JSON payloads
)

// Column is one column of a synced table.
type Column struct {
	Name string
	Kind Kind
}

// Entity describes a synced table. Every synced table has the columns id,
// hlc, deleted, created_at and updated_at besides its own.
type Entity struct {
	Table   string
	Columns []Column

	upsertSQL string
	selectSQL string
}

var (
	// ChannelEntity is the channels table.
	ChannelEntity = newEntity("channels",
		Column{"name", Text}, Column{"niche", Text}, Column{"language", Text}, Column{"audience", Text},
		Column{"format", Text}, Column{"cadence", Real}, Column{"youtube_id", Text}, Column{"autopilot", Bool},
		Column{"autopilot_host", Text})
	// PackageEntity is the video packages table.
	PackageEntity = newEntity("packages",
		Column{"channel_id", Text}, Column{"status", Text}, Column{"topic", Text}, Column{"title", Text},
		Column{"content", JSON})
	// ActivityEntity is the activity log.
	ActivityEntity = newEntity("activity",
		Column{"channel_id", Text}, Column{"kind", Text}, Column{"message", Text}, Column{"data", JSON})

	// DeviceEntity is the devices table: one row per installation signed
	// in to the account, kept fresh by its own heartbeat.
	DeviceEntity = newEntity("devices",
		Column{"name", Text}, Column{"kind", Text}, Column{"last_seen", Int}, Column{"version", Text})

	// Entities lists every synced entity, in the order the syncer pulls them.
	Entities = []*Entity{ChannelEntity, PackageEntity, ActivityEntity, DeviceEntity}
)

// EntityByTable finds a synced entity by its table name.
func EntityByTable(table string) (*Entity, bool) {
	for _, e := range Entities {
		if e.Table == table {
			return e, true
		}
	}
	return nil, false
}

func newEntity(table string, own ...Column) *Entity {
	cols := append([]Column{{"id", Text}}, own...)
	cols = append(cols, Column{"hlc", Text}, Column{"deleted", Bool}, Column{"created_at", Int}, Column{"updated_at", Int})
	e := &Entity{Table: table, Columns: cols}
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	sets := make([]string, 0, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		marks[i] = "?"
		if c.Name != "id" {
			sets = append(sets, c.Name+" = excluded."+c.Name)
		}
	}
	e.upsertSQL = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT(id) DO UPDATE SET %s",
		table, strings.Join(names, ", "), strings.Join(marks, ", "), strings.Join(sets, ", "))
	e.selectSQL = fmt.Sprintf("SELECT %s FROM %s WHERE id = ?", strings.Join(names, ", "), table)
	return e
}

// Row is a synced row as a JSON object: the outbox payload and the shape
// the server stores.
type Row map[string]any

// ID is the row's id.
func (r Row) ID() string { s, _ := r["id"].(string); return s }

// HLC is the row's clock value.
func (r Row) HLC() string { s, _ := r["hlc"].(string); return s }

// Op names the kind of change an outbox entry records.
type Op string

// Outbox operations. A delete is an upsert with deleted=true.
const (
	OpInsert Op = "insert"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// bind turns a row's JSON values into SQLite values, column by column.
func (e *Entity) bind(r Row) ([]any, error) {
	args := make([]any, len(e.Columns))
	for i, c := range e.Columns {
		v, ok := r[c.Name]
		if !ok || v == nil {
			switch c.Kind {
			case Text:
				v = ""
			case JSON:
				v = "{}"
			default:
				v = int64(0)
			}
			args[i] = v
			continue
		}
		switch c.Kind {
		case Text:
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s.%s: want text, got %T", e.Table, c.Name, v)
			}
			args[i] = s
		case Int:
			n, err := toFloat(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", e.Table, c.Name, err)
			}
			args[i] = int64(n)
		case Real:
			n, err := toFloat(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", e.Table, c.Name, err)
			}
			args[i] = n
		case Bool:
			switch b := v.(type) {
			case bool:
				if b {
					args[i] = int64(1)
				} else {
					args[i] = int64(0)
				}
			default:
				n, err := toFloat(v)
				if err != nil {
					return nil, fmt.Errorf("%s.%s: want boolean, got %T", e.Table, c.Name, v)
				}
				if n != 0 {
					args[i] = int64(1)
				} else {
					args[i] = int64(0)
				}
			}
		case JSON:
			if s, ok := v.(string); ok && json.Valid([]byte(s)) {
				args[i] = s
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", e.Table, c.Name, err)
			}
			args[i] = string(b)
		}
	}
	return args, nil
}

func toFloat(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case int64:
		return float64(n), nil
	case int:
		return float64(n), nil
	case json.Number:
		return n.Float64()
	default:
		return 0, fmt.Errorf("want number, got %T", v)
	}
}

// scanRow reads one row of e into a Row, turning SQLite values into JSON ones.
func (e *Entity) scanRow(sc interface{ Scan(...any) error }) (Row, error) {
	vals := make([]any, len(e.Columns))
	ptrs := make([]any, len(e.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := sc.Scan(ptrs...); err != nil {
		return nil, err
	}
	return e.rowFromValues(vals), nil
}

// rowFromValues turns SQLite values, in column order, into a Row.
func (e *Entity) rowFromValues(vals []any) Row {
	r := make(Row, len(e.Columns))
	for i, c := range e.Columns {
		v := vals[i]
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		switch c.Kind {
		case Bool:
			n, _ := toFloat(v)
			r[c.Name] = n != 0
		case Int:
			n, _ := toFloat(v)
			r[c.Name] = int64(n)
		case Real:
			n, _ := toFloat(v)
			r[c.Name] = n
		case JSON:
			s, _ := v.(string)
			if s == "" {
				s = "{}"
			}
			r[c.Name] = json.RawMessage(s)
		default:
			s, _ := v.(string)
			r[c.Name] = s
		}
	}
	return r
}

// GetRow reads the row id of e through q (a transaction or a pool),
// including tombstones. It returns sql.ErrNoRows when there is none.
func (e *Entity) GetRow(ctx context.Context, q Querier, id string) (Row, error) {
	return e.scanRow(q.QueryRowContext(ctx, e.selectSQL, id))
}

// Querier is satisfied by *sql.DB and *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// PutRow writes r into e's table as it is, without an outbox entry. The
// syncer uses it to apply rows pulled from the server.
func (e *Entity) PutRow(ctx context.Context, tx *sql.Tx, r Row) error {
	args, err := e.bind(r)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, e.upsertSQL, args...); err != nil {
		return fmt.Errorf("upsert %s %s: %w", e.Table, r.ID(), err)
	}
	return nil
}

// Mutation is a write transaction that stamps rows with the clock and
// records each change in the outbox.
type Mutation struct {
	ctx     context.Context
	tx      *sql.Tx
	s       *Store
	changed int
	after   []func()
}

// AfterCommit runs fn once the transaction has committed (never when it
// rolls back). Use it for events that describe the change.
func (m *Mutation) AfterCommit(fn func()) { m.after = append(m.after, fn) }

// Tx is the underlying transaction, for reads and for device-local tables
// that are not synced.
func (m *Mutation) Tx() *sql.Tx { return m.tx }

// Mutate runs fn in one transaction. Every Put and Delete inside it writes
// its row and exactly one outbox entry; all of it commits or none of it does.
func (s *Store) Mutate(ctx context.Context, fn func(m *Mutation) error) error {
	var changed int
	var after []func()
	err := s.RunInTx(ctx, func(tx *sql.Tx) error {
		m := &Mutation{ctx: ctx, tx: tx, s: s}
		if err := fn(m); err != nil {
			return err
		}
		if s.opts.BeforeCommit != nil {
			if err := s.opts.BeforeCommit(tx); err != nil {
				return err
			}
		}
		changed, after = m.changed, m.after
		return nil
	})
	if err != nil {
		return err
	}
	if changed > 0 {
		select {
		case s.changes <- struct{}{}:
		default:
		}
	}
	for _, fn := range after {
		fn()
	}
	return nil
}

// Put stamps r (hlc, updated_at; created_at when new), upserts it into e
// and appends its outbox entry. It returns the row as written.
func (m *Mutation) Put(e *Entity, r Row) (Row, error) {
	id := r.ID()
	if id == "" {
		return nil, errors.New("put " + e.Table + ": row has no id")
	}
	now := m.s.now().UnixMilli()
	op := OpUpdate
	old, err := e.GetRow(m.ctx, m.tx, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		op = OpInsert
		if n, err := toFloat(r["created_at"]); err != nil || n <= 0 {
			r["created_at"] = now
		}
	case err != nil:
		return nil, fmt.Errorf("read %s %s: %w", e.Table, id, err)
	default:
		r["created_at"] = old["created_at"]
	}
	if d, _ := r["deleted"].(bool); d {
		op = OpDelete
	} else {
		r["deleted"] = false
	}
	stamp, err := m.s.clock.Now()
	if err != nil {
		return nil, fmt.Errorf("stamp %s %s: %w", e.Table, id, err)
	}
	r["hlc"] = stamp
	r["updated_at"] = now
	args, err := e.bind(r)
	if err != nil {
		return nil, err
	}
	if _, err := m.tx.ExecContext(m.ctx, e.upsertSQL, args...); err != nil {
		return nil, fmt.Errorf("upsert %s %s: %w", e.Table, id, err)
	}
	// The payload carries exactly what was stored: the bound values, read
	// back the way scanRow reads them.
	stored := e.rowFromValues(args)
	if err := m.appendOutbox(e, op, stored); err != nil {
		return nil, err
	}
	m.changed++
	return stored, nil
}

// Delete tombstones the row id of e. Deleting a missing row is an error;
// deleting a tombstone again is a no-op.
func (m *Mutation) Delete(e *Entity, id string) error {
	old, err := e.GetRow(m.ctx, m.tx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("delete %s %s: %w", e.Table, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", e.Table, id, err)
	}
	if d, _ := old["deleted"].(bool); d {
		return nil
	}
	old["deleted"] = true
	_, err = m.Put(e, old)
	return err
}

func (m *Mutation) appendOutbox(e *Entity, op Op, r Row) error {
	payload, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode outbox payload %s %s: %w", e.Table, r.ID(), err)
	}
	_, err = m.tx.ExecContext(m.ctx,
		`INSERT INTO outbox(entity, row_id, op, payload, hlc, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Table, r.ID(), string(op), string(payload), r.HLC(), m.s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("append outbox %s %s: %w", e.Table, r.ID(), err)
	}
	return nil
}

// ErrNotFound is returned when a row does not exist (or is a tombstone).
var ErrNotFound = errors.New("not found")
