// Package gateway is a test-only stand-in for Supabase's API: the subset of
// PostgREST and GoTrue that Tube Agency's sync client uses, in front of a
// real PostgreSQL, so that PostgreSQL itself enforces row-level security.
//
// PostgREST behaviours it reproduces (https://docs.postgrest.org/en/stable/):
//
//   - Each request runs in its own transaction as the JWT's role:
//     BEGIN; SET LOCAL ROLE <role claim> and set_config('request.jwt.claims',
//     <claims>, true) (sent together as set_config('role', …, true), …);
//     <statement>; COMMIT. A missing token means the anon role. See "Transactions" and "Authentication":
//     https://docs.postgrest.org/en/stable/references/transactions.html and
//     https://docs.postgrest.org/en/stable/references/auth.html
//   - JWTs are HS256 with the server's secret; "exp" is checked. A bad or
//     expired token is 401 with code PGRST301 and a WWW-Authenticate header:
//     https://docs.postgrest.org/en/stable/references/errors.html#jwt-errors
//   - Errors come as {"code","message","details","hint"}; PostgreSQL error
//     codes become HTTP statuses by PostgREST's table (08* 503, 23503/23505
//     409, other 23* 400, 42501 403 when authenticated and 401 otherwise,
//     42P01 404, P0001 400, 53* 503, 5x/XX* 500, the rest 400). A lost or
//     refused database connection is 503 (PGRST000/PGRST001):
//     https://docs.postgrest.org/en/stable/references/errors.html#http-status-codes
//   - Reads: GET /rest/v1/T with select=, horizontal filters col=op.value
//     (eq, neq, gt, gte, lt, lte, is, like and ilike with * as the
//     wildcard, each negated by a not. prefix), order=col.asc|desc[.nullsfirst|
//     .nullslast], limit= and offset=; Prefer: count=exact answers a
//     Content-Range of first-last/total (*/total when empty) and 206 when
//     the page is partial:
//     https://docs.postgrest.org/en/stable/references/api/tables_views.html
//     and https://docs.postgrest.org/en/stable/references/api/pagination_count.html
//   - Writes: POST of one object or an array whose objects all have the same
//     keys (otherwise PGRST102); unknown columns are PGRST204. The body is
//     sent once as json and read by json_to_recordset with the columns'
//     declared types, as PostgREST's generated SQL does. Prefer:
//     resolution=merge-duplicates with on_conflict= (one column or several,
//     comma-separated; the primary key when left out) makes an upsert
//     (INSERT … ON CONFLICT … DO UPDATE of the sent columns),
//     resolution=ignore-duplicates makes DO NOTHING; return=representation
//     answers the written rows, return=minimal an empty body; POST is 201.
//     PATCH and DELETE take the same filters (200 with representation, 204
//     without):
//     https://docs.postgrest.org/en/stable/references/api/tables_views.html#upsert
//   - Functions: POST /rest/v1/rpc/NAME with a JSON object whose keys are
//     the function's named arguments (those with defaults may be left out)
//     calls the function of the exposed schema whose arguments match; a
//     scalar result is the body. No match is 404 with code PGRST202 ("Could
//     not find the function public.NAME(a, b) in the schema cache"), as
//     PostgREST answers for a function a project has not created. Functions
//     returning trigger are not exposed. STABLE and IMMUTABLE functions run
//     in a READ ONLY transaction, as GET and HEAD do:
//     https://docs.postgrest.org/en/stable/references/api/functions.html and
//     https://docs.postgrest.org/en/stable/references/transactions.html#access-mode
//   - The schema cache: only tables and functions of the exposed schema
//     (public) exist; other tables are 404 (42P01). Like PostgREST, the
//     gateway reads the schema at start and again when told to (Reload,
//     PostgREST's NOTIFY pgrst, 'reload schema').
//
// GoTrue behaviours (https://github.com/supabase/auth): POST /auth/v1/signup
// and POST /auth/v1/token?grant_type=password|refresh_token answer a
// session {access_token, token_type, expires_in, expires_at, refresh_token,
// user}; refresh tokens rotate and a used one is refused (400,
// refresh_token_already_used); POST /auth/v1/logout revokes the user's
// refresh tokens; GET /auth/v1/health answers 200. Both APIs require the
// apikey header, as Supabase's API gateway does.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configure New.
type Options struct {
	// DSN connects as the login role authenticator (REST requests).
	DSN string
	// AdminDSN connects as a superuser (auth tables, schema cache).
	AdminDSN string
	// Secret signs and checks JWTs. Empty means a random secret.
	Secret []byte
	// TokenTTL is the lifetime of access tokens. Zero means one hour.
	TokenTTL time.Duration
	// Now is the gateway's clock for issuing and checking tokens. Nil means
	// time.Now.
	Now func() time.Time
	// BeforeStatement, when set, runs before each REST statement, inside
	// the request's transaction. Tests use it to break things mid-request.
	BeforeStatement func(r *http.Request)
	// AfterCommit, when set, runs after a REST write committed and before
	// the response is written.
	AfterCommit func(r *http.Request)
}

// Stats counts what the gateway served.
type Stats struct {
	Requests  atomic.Int64 // REST requests
	Writes    atomic.Int64 // committed REST writes
	Refreshes atomic.Int64 // refresh-token grants issued
	Expired   atomic.Int64 // requests refused for an expired token
}

// Gateway serves /rest/v1 and /auth/v1.
type Gateway struct {
	opts    Options
	pool    *pgxpool.Pool
	admin   *pgxpool.Pool
	anonKey string
	Stats   Stats

	cacheMu sync.RWMutex
	cache   map[string]*table
	funcs   map[string][]*function
}

type table struct {
	name  string
	cols  []string
	types map[string]string
	pk    string
}

// function is one function of the exposed schema, as the schema cache
// keeps it.
type function struct {
	name     string
	args     []string // argument names, in order
	types    []string // their types, as format_type spells them
	defaults int      // how many of the last arguments have defaults
	readOnly bool     // STABLE or IMMUTABLE
}

// New connects to PostgreSQL and loads the schema cache.
func New(ctx context.Context, opts Options) (*Gateway, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if len(opts.Secret) == 0 {
		opts.Secret = make([]byte, 32)
		_, _ = rand.Read(opts.Secret)
	}
	pool, err := pgxpool.New(ctx, opts.DSN)
	if err != nil {
		return nil, fmt.Errorf("connect authenticator: %w", err)
	}
	admin, err := pgxpool.New(ctx, opts.AdminDSN)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect admin: %w", err)
	}
	g := &Gateway{opts: opts, pool: pool, admin: admin}
	if err := g.loadSchema(ctx); err != nil {
		g.Close()
		return nil, err
	}
	g.anonKey, err = g.sign(jwt.MapClaims{"role": "anon", "iss": "supabase", "iat": opts.Now().Unix(),
		"exp": opts.Now().Add(10 * 365 * 24 * time.Hour).Unix()})
	if err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// Close releases the connection pools.
func (g *Gateway) Close() {
	g.pool.Close()
	g.admin.Close()
}

// AnonKey is the project's public API key (a JWT with role anon).
func (g *Gateway) AnonKey() string { return g.anonKey }

// Sign makes a token with the given claims, for tests that forge tokens.
func (g *Gateway) Sign(claims map[string]any) (string, error) { return g.sign(jwt.MapClaims(claims)) }

func (g *Gateway) sign(c jwt.MapClaims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(g.opts.Secret)
}

// Reload reads the schema again, as PostgREST does on NOTIFY pgrst,
// 'reload schema': tables, columns and functions created since are served.
func (g *Gateway) Reload(ctx context.Context) error { return g.loadSchema(ctx) }

func (g *Gateway) loadSchema(ctx context.Context) error {
	tables, err := g.loadTables(ctx)
	if err != nil {
		return err
	}
	funcs, err := g.loadFunctions(ctx)
	if err != nil {
		return err
	}
	g.cacheMu.Lock()
	g.cache, g.funcs = tables, funcs
	g.cacheMu.Unlock()
	return nil
}

func (g *Gateway) loadFunctions(ctx context.Context) (map[string][]*function, error) {
	rows, err := g.admin.Query(ctx, `SELECT p.proname, coalesce(p.proargnames[1:p.pronargs], '{}'),
			coalesce((SELECT array_agg(format_type(t, NULL) ORDER BY i) FROM unnest(p.proargtypes) WITH ORDINALITY AS a(t, i)), '{}'),
			p.pronargdefaults, p.provolatile IN ('s', 'i')
		FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public' AND p.prokind = 'f' AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype`)
	if err != nil {
		return nil, fmt.Errorf("load functions: %w", err)
	}
	defer rows.Close()
	out := map[string][]*function{}
	for rows.Next() {
		f := &function{}
		if err := rows.Scan(&f.name, &f.args, &f.types, &f.defaults, &f.readOnly); err != nil {
			return nil, err
		}
		out[f.name] = append(out[f.name], f)
	}
	return out, rows.Err()
}

func (g *Gateway) loadTables(ctx context.Context) (map[string]*table, error) {
	// Types as format_type spells them, so they work as casts and as
	// json_to_recordset column definitions.
	rows, err := g.admin.Query(ctx, `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
		FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("load schema cache: %w", err)
	}
	defer rows.Close()
	cache := map[string]*table{}
	for rows.Next() {
		var tn, cn, dt string
		if err := rows.Scan(&tn, &cn, &dt); err != nil {
			return nil, err
		}
		t := cache[tn]
		if t == nil {
			t = &table{name: tn, types: map[string]string{}, pk: "id"}
			cache[tn] = t
		}
		t.cols = append(t.cols, cn)
		t.types[cn] = dt
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The primary key, the conflict target of an upsert that names none.
	pks, err := g.admin.Query(ctx, `SELECT c.relname, string_agg(a.attname, ',' ORDER BY k.n)
		FROM pg_catalog.pg_index i
		JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
		JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE n.nspname = 'public' AND i.indisprimary GROUP BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("load primary keys: %w", err)
	}
	defer pks.Close()
	for pks.Next() {
		var tn, cols string
		if err := pks.Scan(&tn, &cols); err != nil {
			return nil, err
		}
		if t := cache[tn]; t != nil {
			t.pk = cols
		}
	}
	return cache, pks.Err()
}

// ServeHTTP routes a request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("apikey")
	if key == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "No API key found in request"})
		return
	}
	if key != g.anonKey {
		if _, err := g.parse(key); err != nil {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Invalid API key"})
			return
		}
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/rest/v1/rpc/"):
		g.rpc(w, r, strings.TrimPrefix(r.URL.Path, "/rest/v1/rpc/"))
	case strings.HasPrefix(r.URL.Path, "/rest/v1/"):
		g.rest(w, r, strings.TrimPrefix(r.URL.Path, "/rest/v1/"))
	case strings.HasPrefix(r.URL.Path, "/auth/v1/"):
		g.auth(w, r, strings.TrimPrefix(r.URL.Path, "/auth/v1"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "no Route matched with those values"})
	}
}

// claims checks the bearer token and returns its claims, or writes the
// PostgREST JWT error.
func (g *Gateway) claims(w http.ResponseWriter, r *http.Request) (jwt.MapClaims, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return jwt.MapClaims{"role": "anon"}, true
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		pgrstJWTError(w, "Authorization header is not a bearer token")
		return nil, false
	}
	c, err := g.parse(tok)
	if err != nil {
		msg := "JWSError JWSInvalidSignature"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "JWT expired"
			g.Stats.Expired.Add(1)
		}
		pgrstJWTError(w, msg)
		return nil, false
	}
	role, _ := c["role"].(string)
	switch role {
	case "anon", "authenticated", "service_role":
	default:
		pgrstJWTError(w, "JWT role is not allowed")
		return nil, false
	}
	return c, true
}

func (g *Gateway) parse(tok string) (jwt.MapClaims, error) {
	c := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, c, func(*jwt.Token) (any, error) { return g.opts.Secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(g.opts.Now), jwt.WithExpirationRequired())
	return c, err
}

func pgrstJWTError(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+msg+`"`)
	writeJSON(w, http.StatusUnauthorized, pgError{Code: "PGRST301", Message: msg})
}

type pgError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Details *string `json:"details"`
	Hint    *string `json:"hint"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
