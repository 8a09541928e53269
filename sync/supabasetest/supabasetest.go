// Package supabasetest gives tests outside sync/ what sync's own tests use: a
// real PostgreSQL 15 holding the schema users apply, behind the
// PostgREST/GoTrue test gateway. It is for tests only.
package supabasetest

import (
	"database/sql"
	"testing"

	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/internal/pgtest"
)

// Env is a running Supabase stand-in.
type Env struct {
	URL     string  // project URL (http on loopback)
	AnonKey string  // the project's anon key
	Admin   *sql.DB // superuser connection to the project's database
}

// Start starts a PostgreSQL cluster and a gateway for tb, both stopped when
// tb ends. It takes a few seconds: share one Env per test where possible.
func Start(tb testing.TB) *Env {
	tb.Helper()
	return StartAt(tb, 0)
}

// StartAt is Start for a project that applied the schema files numbered up
// to upTo (0: all), such as one that never applied 0002.
func StartAt(tb testing.TB, upTo int) *Env {
	tb.Helper()
	pg, err := pgtest.Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = pg.Stop(); pg.Cleanup() })
	h := gateway.StartAt(tb, pg, gateway.Options{}, upTo)
	return &Env{URL: h.URL, AnonKey: h.AnonKey(), Admin: h.Admin}
}
