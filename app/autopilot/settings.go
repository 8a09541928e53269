package autopilot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

func (a *Autopilot) loadSettings(ctx context.Context) (Settings, error) {
	s := DefaultSettings()
	var raw string
	err := a.st.DB().QueryRowContext(ctx, `SELECT value FROM studio_settings WHERE key = 'autopilot'`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read autopilot settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s.Validate() != nil {
		// A damaged row falls back to defaults rather than stopping the app.
		return DefaultSettings(), nil
	}
	return s, nil
}

// Settings are the current settings.
func (a *Autopilot) Settings() Settings {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.settings
}

// SaveSettings validates and stores s, and resizes the pool.
func (a *Autopilot) SaveSettings(ctx context.Context, s Settings) (Settings, error) {
	if err := s.Validate(); err != nil {
		return a.Settings(), err
	}
	b, _ := json.Marshal(s)
	err := a.st.RunInTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO studio_settings(key, value) VALUES ('autopilot', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, string(b))
		return err
	})
	if err != nil {
		return a.Settings(), fmt.Errorf("save autopilot settings: %w", err)
	}
	a.mu.Lock()
	a.settings = s
	a.mu.Unlock()
	a.pool.SetLimits(s.MinWorkers, s.MaxWorkers)
	a.Wake()
	return s, nil
}
