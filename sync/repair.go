package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tubeagency/internal/hlc"
	"tubeagency/internal/store"
)

// RepairReport says what RepairClocks did.
type RepairReport struct {
	// Pending is how many rows with queued changes were stamped again.
	Pending int `json:"pending"`
	// DeadLetters is how many changes refused for their clock were queued
	// again, stamped anew.
	DeadLetters int `json:"dead_letters"`
	// Rows is how many stored rows stamped far ahead (pulled from a device
	// with a broken clock) were stamped again and queued, so the server's
	// copy is replaced too.
	Rows int `json:"rows"`
	// Clock is the clock value this device stamps next.
	Clock string `json:"clock"`
}

// RepairClocks recovers a device (and its account) from a clock dragged
// ahead: by a broken device before clocks were bounded, or a client
// writing far-future values. It runs with no sync in flight and:
//
//  1. starts the clock again from the wall clock and the stored values
//     within the maximum drift;
//  2. stamps again, from that clock, every row whose pending change carries
//     a clock value beyond the drift or one the schema refuses (such as a
//     14-digit millisecond), replacing those outbox entries;
//  3. does the same for dead letters holding such values (the server
//     refused them for their clock), which are queued again;
//  4. stamps again and queues every stored row whose clock value is beyond
//     the drift, so the server's far-future copy is replaced (schema 0002
//     lets any write replace a row stamped more than a day ahead) and
//     other devices follow.
//
// It works offline; the next sync delivers the result. The clock alert is
// cleared.
func (s *Syncer) RepairClocks(ctx context.Context) (RepairReport, error) {
	if err := s.acquire(ctx); err != nil {
		return RepairReport{}, err
	}
	defer s.release()
	clock := s.st.Clock()
	clock.Reset()
	if err := s.st.SeedClock(ctx); err != nil {
		return RepairReport{}, err
	}
	var rep RepairReport
	err := s.st.Mutate(ctx, func(m *store.Mutation) error {
		rep = RepairReport{}
		bound := clock.Bound()
		bad := func(v string) bool {
			_, err := hlc.Parse(v)
			return err != nil || v > bound
		}
		type key struct{ table, id string }
		redo := map[key]bool{}
		var order []key
		add := func(k key) {
			if !redo[k] {
				redo[k] = true
				order = append(order, k)
			}
		}
		// 2. Pending changes stamped beyond the bound (or malformed).
		rows, err := m.Tx().QueryContext(ctx, `SELECT DISTINCT entity, row_id FROM outbox WHERE length(hlc) != ? OR hlc > ? ORDER BY entity, row_id`, hlc.Len, bound)
		if err != nil {
			return fmt.Errorf("find pending changes to stamp again: %w", err)
		}
		keys, err := scanKeys(rows)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := m.Tx().ExecContext(ctx, `DELETE FROM outbox WHERE entity = ? AND row_id = ? AND (length(hlc) != ? OR hlc > ?)`, k[0], k[1], hlc.Len, bound); err != nil {
				return fmt.Errorf("drop badly stamped changes of %s %s: %w", k[0], k[1], err)
			}
			add(key{k[0], k[1]})
			rep.Pending++
		}
		// 3. Dead letters refused for their clock.
		dls, err := m.Tx().QueryContext(ctx, `SELECT id, entity, row_id, hlc FROM dead_letters ORDER BY id`)
		if err != nil {
			return fmt.Errorf("read dead letters: %w", err)
		}
		type dl struct {
			id             int64
			table, row, ts string
		}
		var refused []dl
		for dls.Next() {
			var d dl
			if err := dls.Scan(&d.id, &d.table, &d.row, &d.ts); err != nil {
				dls.Close()
				return err
			}
			if bad(d.ts) {
				refused = append(refused, d)
			}
		}
		if err := errors.Join(dls.Err(), dls.Close()); err != nil {
			return fmt.Errorf("read dead letters: %w", err)
		}
		for _, d := range refused {
			if _, err := m.Tx().ExecContext(ctx, `DELETE FROM dead_letters WHERE id = ?`, d.id); err != nil {
				return fmt.Errorf("drop dead letter %d: %w", d.id, err)
			}
			add(key{d.table, d.row})
			rep.DeadLetters++
		}
		// 4. Stored rows stamped beyond the bound.
		for _, e := range store.Entities {
			rs, err := m.Tx().QueryContext(ctx, `SELECT ?, id FROM `+e.Table+` WHERE length(hlc) != ? OR hlc > ? ORDER BY id`, e.Table, hlc.Len, bound)
			if err != nil {
				return fmt.Errorf("find %s stamped ahead: %w", e.Table, err)
			}
			keys, err := scanKeys(rs)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if !redo[key{k[0], k[1]}] {
					rep.Rows++
				}
				add(key{k[0], k[1]})
			}
		}
		// Stamp each once, from the repaired clock: one new outbox entry per
		// row holding the row as this device has it.
		for _, k := range order {
			e, ok := store.EntityByTable(k.table)
			if !ok {
				continue // a table this version does not know: nothing to stamp
			}
			row, err := e.GetRow(ctx, m.Tx(), k.id)
			if errors.Is(err, sql.ErrNoRows) {
				continue // the change's row is gone: nothing left to send
			}
			if err != nil {
				return fmt.Errorf("read %s %s: %w", k.table, k.id, err)
			}
			if _, err := m.Put(e, row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return RepairReport{}, fmt.Errorf("repair clocks: %w", err)
	}
	rep.Clock, _ = clock.Now()
	s.mu.Lock()
	s.clockAlert = nil
	s.mu.Unlock()
	s.opts.Logger.Info("sync: clocks repaired", "pending", rep.Pending, "dead_letters", rep.DeadLetters, "rows", rep.Rows)
	s.emit()
	s.Wake()
	return rep, nil
}

func scanKeys(rows *sql.Rows) ([][2]string, error) {
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
