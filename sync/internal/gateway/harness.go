package gateway

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"tubeagency/sync/internal/pgtest"
)

// Clock is a settable clock for tokens. Its zero value reads time.Now plus
// the offset added with Advance.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the current time of the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Harness is a gateway serving a fresh database of pg over HTTP.
type Harness struct {
	*Gateway
	URL   string
	DB    string
	Admin *sql.DB
	Clock *Clock
	srv   *httptest.Server
}

// Start creates a database, a gateway and an HTTP server for tb, all
// closed when tb ends. opts.DSN, AdminDSN and Now are filled in.
func Start(tb testing.TB, pg *pgtest.Server, opts Options) *Harness {
	tb.Helper()
	return StartAt(tb, pg, opts, 0)
}

// StartAt is Start over a database with the schema files numbered up to
// upTo applied (0: all): a project that has not applied the newer files.
func StartAt(tb testing.TB, pg *pgtest.Server, opts Options, upTo int) *Harness {
	tb.Helper()
	db := pg.NewDatabaseAt(tb, upTo)
	clock := &Clock{}
	opts.DSN = pg.DSN("authenticator", db)
	opts.AdminDSN = pg.DSN("postgres", db)
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	g, err := New(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(g)
	tb.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		g.Close()
	})
	return &Harness{Gateway: g, URL: srv.URL, DB: db, Admin: pg.Admin(tb, db), Clock: clock, srv: srv}
}
