package app

import (
	"encoding/json"

	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/internal/store"
)

// logActivity records an activity entry inside the mutation m, so the entry
// commits with the change it describes.
func (rt *Runtime) logActivity(m *store.Mutation, channelID, kind, message string, data any) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	raw := json.RawMessage("{}")
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		raw = b
	}
	a, err := store.PutRecord(m, store.ActivityEntity, store.Activity{
		Meta: store.Meta{ID: id.String()}, ChannelID: channelID, Kind: kind, Message: message, Data: raw,
	})
	if err != nil {
		return err
	}
	m.AfterCommit(func() { rt.emit(events.Activity, a) })
	return nil
}

// ListActivity returns the newest activity entries, at most limit (1–500).
func (a *App) ListActivity(limit int) ([]Activity, error) {
	if limit <= 0 || limit > 500 {
		return nil, &FieldError{Field: "limit", Message: "must be between 1 and 500"}
	}
	ctx, cancel := a.call()
	defer cancel()
	as, err := store.List[store.Activity](ctx, a.rt.store.ReadDB(), store.ActivityEntity, "", "created_at DESC, id DESC LIMIT ?", limit)
	return activitiesOf(as), err
}
