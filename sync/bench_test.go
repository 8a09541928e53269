package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/supabase"
)

// benchRows makes n channel rows shaped exactly like outbox payloads.
func benchRows(n int, tag string) []json.RawMessage {
	out := make([]json.RawMessage, n)
	now := time.Now().UnixMilli()
	for i := range out {
		r := store.Row{"id": newID(), "name": fmt.Sprintf("%s channel %d", tag, i), "niche": "science explainers", "language": "en",
			"audience": "curious adults", "format": "long", "cadence": 2.5, "youtube_id": "", "autopilot": false,
			"hlc": fmt.Sprintf("%013d-%06d-3f2a9c1e5b7d4e21", now, i%1000000), "deleted": false, "created_at": now, "updated_at": now}
		out[i], _ = json.Marshal(r)
	}
	return out
}

// directWriter runs statements as a signed-in user, the way the gateway
// runs a request (transaction, role, claims), in one pipelined pgx batch.
type directWriter struct {
	conn   *pgx.Conn
	claims string
}

func newDirectWriter(b *testing.B, h *gateway.Harness, userID string) *directWriter {
	conn, err := pgx.Connect(context.Background(), pg.DSN("authenticator", h.DB))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	return &directWriter{conn: conn, claims: `{"role":"authenticated","sub":"` + userID + `"}`}
}

func (w *directWriter) exec(ctx context.Context, statement, body string) error {
	bt := &pgx.Batch{}
	bt.Queue("BEGIN")
	bt.Queue("SET LOCAL ROLE authenticated")
	bt.Queue("SELECT set_config('request.jwt.claims', $1, true)", w.claims)
	bt.Queue(statement, body)
	bt.Queue("COMMIT")
	return w.conn.SendBatch(ctx, bt).Close()
}

// withOwnerRows names the owner in each row, as the client does.
func withOwnerRows(rows []json.RawMessage, userID string) []json.RawMessage {
	for j, r := range rows {
		rows[j] = append([]byte(`{"user_id":"`+userID+`",`), r[1:]...)
	}
	return rows
}

// BenchmarkPush compares pushing rows through the REST path (supabase
// client → HTTP → gateway → PostgreSQL, row-level security and the
// last-writer-wins trigger included) with a direct pgx batch insert of the
// same kind of rows through the same statement, trigger and policies, into
// the same table. The two alternate batch by batch, so load on the machine
// hits both alike; it reports each path's rows/s and REST as a percentage
// of direct.
func BenchmarkPush(b *testing.B) {
	const batch = 1000
	h := gateway.Start(b, pg, gateway.Options{})
	s := signUp(b, h, "bench@example.com")
	d := newDevice(b, h, devOpts{})
	d.signIn(b, "bench@example.com")
	ctx := context.Background()
	direct := newDirectWriter(b, h, s.UserID)
	// The statement the gateway builds for this body, as PostgREST does.
	const insert = `INSERT INTO public.channels (audience, autopilot, cadence, created_at, deleted, format, hlc, id, language, name, niche, updated_at, user_id, youtube_id)
		SELECT audience, autopilot, cadence, created_at, deleted, format, hlc, id, language, name, niche, updated_at, user_id, youtube_id
		FROM json_to_recordset($1::json) AS _(audience text, autopilot boolean, cadence double precision, created_at bigint, deleted boolean,
		  format text, hlc text, id text, language text, name text, niche text, updated_at bigint, user_id uuid, youtube_id text)
		ON CONFLICT (id) DO UPDATE SET audience = EXCLUDED.audience, autopilot = EXCLUDED.autopilot, cadence = EXCLUDED.cadence,
		  created_at = EXCLUDED.created_at, deleted = EXCLUDED.deleted, format = EXCLUDED.format, hlc = EXCLUDED.hlc, id = EXCLUDED.id,
		  language = EXCLUDED.language, name = EXCLUDED.name, niche = EXCLUDED.niche, updated_at = EXCLUDED.updated_at, user_id = EXCLUDED.user_id,
		  youtube_id = EXCLUDED.youtube_id`
	restRows := make([][]json.RawMessage, b.N)
	directRows := make([][]byte, b.N)
	for i := 0; i < b.N; i++ {
		restRows[i] = benchRows(batch, "rest")
		// The body the client sends: each row names its owner.
		directRows[i], _ = json.Marshal(withOwnerRows(benchRows(batch, "direct"), s.UserID))
	}
	var restTime, directTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := d.cl.Push(ctx, "channels", restRows[i]); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := direct.exec(ctx, insert, string(directRows[i])); err != nil {
			b.Fatal(err)
		}
		restTime += t1.Sub(t0)
		directTime += time.Since(t1)
	}
	rows := float64(b.N * batch)
	b.ReportMetric(rows/restTime.Seconds(), "rest-rows/s")
	b.ReportMetric(rows/directTime.Seconds(), "direct-rows/s")
	b.ReportMetric(100*directTime.Seconds()/restTime.Seconds(), "rest-%-of-direct")
}

// BenchmarkConvergeAfterReconnect measures a device with 10,000 (and
// 100,000) pending changes signing in and syncing until its outbox is
// empty and every row is on the server: the rows (nine in ten of the
// changes), one in nine of them edited again offline; push in batches of
// 500, then pull every table up to the head (its own rows come back as bare
// sequence numbers). It reports ms per convergence.
func BenchmarkConvergeAfterReconnect(b *testing.B) {
	for _, pending := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", pending/1000), func(b *testing.B) {
			rows, edits := pending*9/10, pending/10
			h := gateway.Start(b, pg, gateway.Options{})
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				email := fmt.Sprintf("converge%d@example.com", i)
				signUp(b, h, email)
				d := newDevice(b, h, devOpts{})
				ids := putChannels(b, d.st, rows, "converge")
				err := d.st.Mutate(context.Background(), func(m *store.Mutation) error {
					for j := 0; j < edits; j++ {
						r, err := store.ChannelEntity.GetRow(context.Background(), m.Tx(), ids[j*9])
						if err != nil {
							return err
						}
						r["name"] = "edited offline"
						if _, err := m.Put(store.ChannelEntity, r); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				s := d.signIn(b, email)
				b.StartTimer()
				d.syncUntil(b, 1)
				b.StopTimer()
				assertConverged(b, h, d.st, s.UserID, rows)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/converge")
		})
	}
}

// countingTransport counts a device's requests, and its pull requests.
type countingTransport struct {
	all, pulls atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.all.Add(1)
	if strings.Contains(r.URL.Path, "/rpc/") {
		c.pulls.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// BenchmarkPropagation measures how long a change written on device A
// takes to be visible on device B, both online with their sync loops
// running as in the app (A pushes when it writes; B pulls every 5 s). A
// writes 100 channels at random moments (0–1 s apart, so they fall at
// every point of B's cycle); each is timed from A's commit to the moment
// B's pull has applied it. It reports p50, p95 and the worst in ms, and
// B's requests per pull cycle.
func BenchmarkPropagation(b *testing.B) {
	const writes = 100
	h := gateway.Start(b, pg, gateway.Options{})
	var lat []time.Duration
	var bRequests, bPulls int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		email := fmt.Sprintf("propagation%d@example.com", i)
		signUp(b, h, email)
		var mu gosync.Mutex
		written := map[string]time.Time{}
		var seen []time.Duration
		var bst *store.Store
		done := make(chan struct{})
		onPulled := func([]string) {
			mu.Lock()
			defer mu.Unlock()
			for id, at := range written {
				var n int
				if err := bst.ReadDB().QueryRow(`SELECT COUNT(*) FROM channels WHERE id = ?`, id).Scan(&n); err == nil && n == 1 {
					seen = append(seen, time.Since(at))
					delete(written, id)
				}
			}
			if len(seen) == writes {
				select {
				case <-done:
				default:
					close(done)
				}
			}
		}
		tr := &countingTransport{}
		a := newDevice(b, h, devOpts{devices: true})
		bd := newDevice(b, h, devOpts{devices: true, syncer: func(o *cloudsync.Options) { o.Pulled = onPulled },
			configure: func(c *supabase.Config) { c.Transport = tr }})
		bst = bd.st
		a.signIn(b, email)
		bd.signIn(b, email)
		a.sy.Start(context.Background())
		bd.sy.Start(context.Background())
		rng := rand.New(rand.NewPCG(uint64(i), 42))
		// Count B's requests from its first finished cycle on (signing in,
		// the first probe and heartbeat are not the steady state).
		for {
			if st, _ := bd.sy.Status(context.Background()); st.State == cloudsync.StateOnline && !st.LastSync.IsZero() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		tr.all.Store(0)
		tr.pulls.Store(0)
		b.StartTimer()
		for range writes {
			time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
			id := newID()
			err := a.st.Mutate(context.Background(), func(m *store.Mutation) error {
				_, err := m.Put(store.ChannelEntity, channelRow(id, "propagated"))
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			mu.Lock()
			written[id] = time.Now()
			mu.Unlock()
		}
		select {
		case <-done:
		case <-time.After(2 * time.Minute): // a failure guard
			b.Fatalf("B saw %d of %d writes", len(seen), writes)
		}
		b.StopTimer()
		a.sy.Stop()
		bd.sy.Stop()
		lat = append(lat, seen...)
		bRequests += tr.all.Load()
		bPulls += tr.pulls.Load()
		b.StartTimer()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Milliseconds()) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(bRequests)/float64(bPulls), "b-requests/pull")
}

// BenchmarkPullNewDevice measures a new device signing in to an account
// holding 5,000 rows and pulling them all (pages of 1,000, applied by
// last-writer-wins into SQLite). It reports rows applied per second.
func BenchmarkPullNewDevice(b *testing.B) {
	const n = 5000
	h := gateway.Start(b, pg, gateway.Options{})
	signUp(b, h, "pull@example.com")
	a := newDevice(b, h, devOpts{})
	a.signIn(b, "pull@example.com")
	putChannels(b, a.st, n, "pull")
	a.syncUntil(b, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := newDevice(b, h, devOpts{})
		d.signIn(b, "pull@example.com")
		b.StartTimer()
		d.syncUntil(b, 1)
		b.StopTimer()
		if got := len(localRows(b, d.st)); got != n {
			b.Fatalf("pulled %d of %d rows", got, n)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkOwnerNamed measures what naming the owner in each pushed row
// saves PostgreSQL: the same 1,000-row statement through pgx, with user_id
// left to its default (auth.uid(), worked out from the claims for every
// row) and with user_id in the body, alternating batch by batch.
func BenchmarkOwnerNamed(b *testing.B) {
	h := gateway.Start(b, pg, gateway.Options{})
	s := signUp(b, h, "owner@example.com")
	ctx := context.Background()
	direct := newDirectWriter(b, h, s.UserID)
	statement := func(owner bool) string {
		col, def := "", ""
		if owner {
			col, def = "user_id, ", "user_id uuid, "
		}
		return `INSERT INTO public.channels (audience, autopilot, cadence, created_at, deleted, format, hlc, id, language, name, niche, updated_at, ` + col + `youtube_id)
			SELECT audience, autopilot, cadence, created_at, deleted, format, hlc, id, language, name, niche, updated_at, ` + col + `youtube_id
			FROM json_to_recordset($1::json) AS _(audience text, autopilot boolean, cadence double precision, created_at bigint, deleted boolean,
			  format text, hlc text, id text, language text, name text, niche text, updated_at bigint, ` + def + `youtube_id text)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`
	}
	var took [2]time.Duration
	for i := 0; i < b.N; i++ {
		for k, owner := range []bool{false, true} {
			b.StopTimer()
			rows := benchRows(1000, "owner")
			if owner {
				rows = withOwnerRows(rows, s.UserID)
			}
			body, _ := json.Marshal(rows)
			b.StartTimer()
			t0 := time.Now()
			if err := direct.exec(ctx, statement(owner), string(body)); err != nil {
				b.Fatal(err)
			}
			took[k] += time.Since(t0)
		}
	}
	b.ReportMetric(float64(b.N*1000)/took[0].Seconds(), "default-owner-rows/s")
	b.ReportMetric(float64(b.N*1000)/took[1].Seconds(), "named-owner-rows/s")
}

// BenchmarkBodyParse compares the two ways of reading a pushed body in
// PostgreSQL: PostgREST's json_to_recordset over $1::json, which the
// gateway uses, and jsonb_populate_recordset over $1::jsonb, which it used
// before. The same 1,000-row body and upsert, alternating batch by batch.
func BenchmarkBodyParse(b *testing.B) {
	h := gateway.Start(b, pg, gateway.Options{})
	s := signUp(b, h, "parse@example.com")
	ctx := context.Background()
	direct := newDirectWriter(b, h, s.UserID)
	const cols = `audience, autopilot, cadence, created_at, deleted, format, hlc, id, language, name, niche, updated_at, user_id, youtube_id`
	statements := []string{
		`INSERT INTO public.channels (` + cols + `) SELECT ` + cols + `
			FROM json_to_recordset($1::json) AS _(audience text, autopilot boolean, cadence double precision, created_at bigint, deleted boolean,
			  format text, hlc text, id text, language text, name text, niche text, updated_at bigint, user_id uuid, youtube_id text)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
		`INSERT INTO public.channels (` + cols + `) SELECT ` + cols + `
			FROM jsonb_populate_recordset(NULL::public.channels, $1::jsonb)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
	}
	var took [2]time.Duration
	for i := 0; i < b.N; i++ {
		for k, statement := range statements {
			b.StopTimer()
			body, _ := json.Marshal(withOwnerRows(benchRows(1000, "parse"), s.UserID))
			b.StartTimer()
			t0 := time.Now()
			if err := direct.exec(ctx, statement, string(body)); err != nil {
				b.Fatal(err)
			}
			took[k] += time.Since(t0)
		}
	}
	b.ReportMetric(float64(b.N*1000)/took[0].Seconds(), "json-rows/s")
	b.ReportMetric(float64(b.N*1000)/took[1].Seconds(), "jsonb-rows/s")
}
