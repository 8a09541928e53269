package sync

import "tubeagency/internal/store"

// CheckEditForTest checks one edited field of a dead letter of table, as
// EditDeadLetterFields does.
func CheckEditForTest(table, name string, v any) error {
	e, _ := store.EntityByTable(table)
	kinds := make(map[string]store.Kind, len(e.Columns))
	for _, c := range e.Columns {
		kinds[c.Name] = c.Kind
	}
	return checkEdit(table, name, v, kinds)
}

// WhileWaitingForTest runs fn in every Sync between reading the remote and
// taking the run token.
func WhileWaitingForTest(s *Syncer, fn func()) { s.waiting = fn }
