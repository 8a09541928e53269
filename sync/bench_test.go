package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tubeagency/internal/store"
	"tubeagency/sync/internal/gateway"
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

// BenchmarkConvergeAfterReconnect measures a device with 10,000 pending
// changes signing in and syncing until its outbox is empty and every row is
// on the server (push in batches of 500, then pull).
func BenchmarkConvergeAfterReconnect(b *testing.B) {
	h := gateway.Start(b, pg, gateway.Options{})
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		email := fmt.Sprintf("converge%d@example.com", i)
		signUp(b, h, email)
		d := newDevice(b, h, devOpts{})
		ids := putChannels(b, d.st, 9000, "converge")
		err := d.st.Mutate(context.Background(), func(m *store.Mutation) error {
			for j := 0; j < 1000; j++ {
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
		assertConverged(b, h, d.st, s.UserID, 9000)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/converge")
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
