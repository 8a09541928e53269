package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var filterOps = map[string]string{"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// query is the SQL of one request, built from the URL.
type query struct {
	t      *table
	where  []string
	args   []any
	order  string
	limit  string
	offset int
	cols   string
}

func (g *Gateway) rest(w http.ResponseWriter, r *http.Request, name string) {
	g.Stats.Requests.Add(1)
	claims, ok := g.claims(w, r)
	if !ok {
		return
	}
	g.cacheMu.RLock()
	t := g.cache[name]
	g.cacheMu.RUnlock()
	if t == nil {
		writeJSON(w, http.StatusNotFound, pgError{Code: "42P01", Message: fmt.Sprintf("relation \"public.%s\" does not exist", name)})
		return
	}
	q, perr := parseQuery(t, r.URL.Query())
	if perr != nil {
		writeJSON(w, http.StatusBadRequest, perr)
		return
	}
	prefer := parsePrefer(r.Header.Values("Prefer"))
	var body []byte
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		// Sized from Content-Length, so a large push is read in one buffer
		// instead of one grown by doubling.
		buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), 64<<20)+bytes.MinRead))
		if _, err := buf.ReadFrom(r.Body); err != nil {
			return // the client went away
		}
		body = buf.Bytes()
	}
	var (
		status  int
		payload []byte
		headers = http.Header{}
	)
	readOnly := r.Method == http.MethodGet || r.Method == http.MethodHead
	err := g.inTx(r.Context(), claims, readOnly, func(tx pgx.Tx) error {
		if g.opts.BeforeStatement != nil {
			g.opts.BeforeStatement(r)
		}
		var err error
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			status, payload, err = g.get(r.Context(), tx, q, prefer, headers)
		case http.MethodPost:
			status, payload, err = g.post(r.Context(), tx, q, r.URL.Query().Get("on_conflict"), prefer, body)
		case http.MethodPatch:
			status, payload, err = g.patch(r.Context(), tx, q, prefer, body)
		case http.MethodDelete:
			status, payload, err = g.delete(r.Context(), tx, q, prefer)
		default:
			return &pgError{Code: "PGRST117", Message: "Unsupported HTTP method: " + r.Method}
		}
		return err
	})
	if err != nil {
		g.writeError(w, claims, err)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		g.Stats.Writes.Add(1)
		if g.opts.AfterCommit != nil {
			g.opts.AfterCommit(r)
		}
	}
	for k, v := range headers {
		w.Header()[k] = v
	}
	if payload == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(payload)
	}
}

func (e *pgError) Error() string { return e.Code + ": " + e.Message }

// inTx runs fn as PostgREST runs a request: one transaction (READ ONLY for
// reads), the JWT's role and claims set locally.
func (g *Gateway) inTx(ctx context.Context, claims jwt.MapClaims, readOnly bool, fn func(tx pgx.Tx) error) error {
	mode := pgx.ReadWrite
	if readOnly {
		mode = pgx.ReadOnly
	}
	tx, err := g.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: mode})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // a no-op after commit
	raw, _ := json.Marshal(claims)
	role, _ := claims["role"].(string)
	// SET LOCAL ROLE and the claims in one round trip, as PostgREST sends them.
	if _, err := tx.Exec(ctx, "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", role, string(raw)); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (g *Gateway) writeError(w http.ResponseWriter, claims jwt.MapClaims, err error) {
	var pe *pgError
	if errors.As(err, &pe) {
		status := http.StatusBadRequest
		switch pe.Code {
		case "PGRST117":
			status = http.StatusMethodNotAllowed
		case "PGRST202":
			status = http.StatusNotFound
		}
		writeJSON(w, status, pe)
		return
	}
	var pge *pgconn.PgError
	if errors.As(err, &pge) {
		role, _ := claims["role"].(string)
		body := pgError{Code: pge.Code, Message: pge.Message}
		if pge.Detail != "" {
			body.Details = &pge.Detail
		}
		if pge.Hint != "" {
			body.Hint = &pge.Hint
		}
		writeJSON(w, statusOf(pge.Code, role == "authenticated"), body)
		return
	}
	if errors.Is(err, context.Canceled) {
		return // the client went away; nobody reads the answer
	}
	writeJSON(w, http.StatusServiceUnavailable, pgError{Code: "PGRST001",
		Message: "Could not connect with the database due to an internal error."})
}

// statusOf is PostgREST's table of PostgreSQL error codes to HTTP statuses.
func statusOf(code string, authenticated bool) int {
	switch {
	case strings.HasPrefix(code, "08"):
		return 503
	case strings.HasPrefix(code, "09"):
		return 500
	case strings.HasPrefix(code, "0L"), strings.HasPrefix(code, "0P"):
		return 403
	case code == "23503", code == "23505":
		return 409
	case code == "25006":
		return 405
	case strings.HasPrefix(code, "25"):
		return 500
	case strings.HasPrefix(code, "28"):
		return 403
	case strings.HasPrefix(code, "2D"), strings.HasPrefix(code, "38"), strings.HasPrefix(code, "39"),
		strings.HasPrefix(code, "3B"), strings.HasPrefix(code, "40"):
		return 500
	case code == "53400":
		return 500
	case strings.HasPrefix(code, "53"):
		return 503
	case strings.HasPrefix(code, "54"), strings.HasPrefix(code, "55"), strings.HasPrefix(code, "57"),
		strings.HasPrefix(code, "58"), strings.HasPrefix(code, "F0"), strings.HasPrefix(code, "HV"),
		strings.HasPrefix(code, "XX"):
		return 500
	case code == "P0001":
		return 400
	case strings.HasPrefix(code, "P0"):
		return 500
	case code == "42883", code == "42P01":
		return 404
	case code == "42501":
		if authenticated {
			return 403
		}
		return 401
	default:
		return 400
	}
}

type prefer struct {
	resolution, ret, count string
}

func parsePrefer(vals []string) prefer {
	var p prefer
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "resolution":
				p.resolution = val
			case "return":
				p.ret = val
			case "count":
				p.count = val
			}
		}
	}
	return p
}

func parseQuery(t *table, params url.Values) (*query, *pgError) {
	q := &query{t: t, cols: "*"}
	for key, vals := range params {
		v := vals[len(vals)-1]
		switch key {
		case "select":
			if v == "*" || v == "" {
				continue
			}
			var cols []string
			for _, c := range strings.Split(v, ",") {
				if _, ok := t.types[c]; !ok {
					return nil, &pgError{Code: "42703", Message: fmt.Sprintf("column %s.%s does not exist", t.name, c)}
				}
				cols = append(cols, pgx.Identifier{c}.Sanitize())
			}
			q.cols = strings.Join(cols, ", ")
		case "order":
			var parts []string
			for _, term := range strings.Split(v, ",") {
				f := strings.Split(term, ".")
				if _, ok := t.types[f[0]]; !ok {
					return nil, &pgError{Code: "PGRST100", Message: "failed to parse order (" + v + ")"}
				}
				s := pgx.Identifier{f[0]}.Sanitize()
				for _, m := range f[1:] {
					switch m {
					case "asc":
						s += " ASC"
					case "desc":
						s += " DESC"
					case "nullsfirst":
						s += " NULLS FIRST"
					case "nullslast":
						s += " NULLS LAST"
					default:
						return nil, &pgError{Code: "PGRST100", Message: "failed to parse order (" + v + ")"}
					}
				}
				parts = append(parts, s)
			}
			q.order = " ORDER BY " + strings.Join(parts, ", ")
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, &pgError{Code: "PGRST100", Message: "failed to parse limit (" + v + ")"}
			}
			q.limit = " LIMIT " + strconv.Itoa(n)
		case "offset":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, &pgError{Code: "PGRST100", Message: "failed to parse offset (" + v + ")"}
			}
			q.offset = n
		case "on_conflict", "columns":
		default:
			typ, ok := t.types[key]
			if !ok {
				return nil, &pgError{Code: "42703", Message: fmt.Sprintf("column %s.%s does not exist", t.name, key)}
			}
			op, val, ok := strings.Cut(v, ".")
			negate := op == "not" && ok
			if negate {
				op, val, ok = strings.Cut(val, ".")
			}
			col := pgx.Identifier{key}.Sanitize()
			var cond string
			switch {
			case op == "is" && ok:
				switch val {
				case "null":
					cond = col + " IS NULL"
				case "true", "false":
					cond = col + " IS " + strings.ToUpper(val)
				default:
					return nil, &pgError{Code: "PGRST100", Message: "failed to parse filter (" + v + ")"}
				}
			case (op == "like" || op == "ilike") && ok:
				q.args = append(q.args, strings.ReplaceAll(val, "*", "%")) // PostgREST's wildcard is *
				cond = fmt.Sprintf("%s::text %s $%d::text", col, strings.ToUpper(op), len(q.args))
			default:
				sqlOp, known := filterOps[op]
				if !ok || !known {
					return nil, &pgError{Code: "PGRST100", Message: "failed to parse filter (" + v + ")"}
				}
				q.args = append(q.args, val)
				cond = fmt.Sprintf("%s %s ($%d::text)::%s", col, sqlOp, len(q.args), typ)
			}
			if negate {
				cond = "NOT (" + cond + ")"
			}
			q.where = append(q.where, cond)
		}
	}
	return q, nil
}

func (q *query) whereSQL() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

func (g *Gateway) get(ctx context.Context, tx pgx.Tx, q *query, p prefer, h http.Header) (int, []byte, error) {
	from := "public." + pgx.Identifier{q.t.name}.Sanitize()
	sql := fmt.Sprintf("SELECT coalesce(json_agg(r), '[]'::json)::text, count(*) FROM (SELECT %s FROM %s%s%s%s OFFSET %d) r",
		q.cols, from, q.whereSQL(), q.order, q.limit, q.offset)
	var out string
	var n int
	if err := tx.QueryRow(ctx, sql, q.args...).Scan(&out, &n); err != nil {
		return 0, nil, err
	}
	total := "*"
	status := http.StatusOK
	if p.count == "exact" {
		var all int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+from+q.whereSQL(), q.args...).Scan(&all); err != nil {
			return 0, nil, err
		}
		total = strconv.Itoa(all)
		if q.offset+n < all {
			status = http.StatusPartialContent
		}
	}
	if n == 0 {
		h.Set("Content-Range", "*/"+total)
	} else {
		h.Set("Content-Range", fmt.Sprintf("%d-%d/%s", q.offset, q.offset+n-1, total))
	}
	return status, []byte(out), nil
}

// bodyColumns checks a JSON body as PostgREST does: an object or an array
// of objects with the same keys, all known columns. It returns the columns
// (sorted, so one column set is one SQL text and its prepared statement is
// reused) and the body as an array.
//
// Bodies hold thousands of rows, so it reads keys with a scanner over the
// already validated bytes instead of decoding every value into maps.
func bodyColumns(t *table, body []byte) ([]string, []byte, error) {
	invalid := &pgError{Code: "PGRST102", Message: "Empty or invalid json"}
	if !json.Valid(body) {
		return nil, nil, invalid
	}
	i := skipSpace(body, 0)
	single := body[i] == '{'
	if single {
		body = append(append([]byte{'['}, body[i:]...), ']')
	} else if body[i] != '[' {
		return nil, nil, invalid
	}
	var (
		cols  []string       // the first object's keys
		index map[string]int // column → position in cols
		seen  []bool         // keys met in the current object
		count int            // keys in the current object
		objs  int
	)
	mismatch := &pgError{Code: "PGRST102", Message: "All object keys must match"}
	endObject := func() error {
		if objs == 1 {
			sort.Strings(cols)
			index = make(map[string]int, len(cols))
			for j, c := range cols {
				index[c] = j
			}
			seen = make([]bool, len(cols))
			return nil
		}
		if count != len(cols) {
			return mismatch
		}
		clear(seen)
		return nil
	}
	key := func(raw []byte) error { // raw is the quoted key
		if objs > 1 && bytes.IndexByte(raw, '\\') < 0 {
			// The common case, without allocating: a plain key already met.
			if j, ok := index[string(raw[1:len(raw)-1])]; ok {
				if !seen[j] {
					seen[j] = true
					count++
				}
				return nil
			}
		}
		k, err := unquote(raw)
		if err != nil {
			return invalid
		}
		if _, ok := t.types[k]; !ok {
			return &pgError{Code: "PGRST204", Message: fmt.Sprintf("Could not find the '%s' column of '%s' in the schema cache", k, t.name)}
		}
		if objs == 1 {
			if !slices.Contains(cols, k) { // a repeated key: JSON keeps the last value
				cols = append(cols, k)
			}
			return nil
		}
		j, ok := index[k]
		if !ok {
			return mismatch
		}
		if !seen[j] {
			seen[j] = true
			count++
		}
		return nil
	}
	// The body is valid JSON, so the scan only tracks depth and strings.
	depth, expectKey := 0, false
	for i := skipSpace(body, 0); i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			end := stringEnd(body, i)
			if depth == 2 && expectKey {
				if err := key(body[i : end+1]); err != nil {
					return nil, nil, err
				}
				expectKey = false
			}
			i = end
		case '{':
			depth++
			if depth == 2 {
				objs++
				count = 0
				expectKey = true
			}
		case '[':
			if depth == 1 {
				return nil, nil, invalid // an element that is not an object
			}
			depth++
		case '}', ']':
			if depth == 2 && c == '}' {
				if err := endObject(); err != nil {
					return nil, nil, err
				}
			}
			depth--
		case ',':
			if depth == 2 {
				expectKey = true
			}
		case ' ', '\t', '\r', '\n', ':':
		default:
			if depth == 1 {
				return nil, nil, invalid // an element that is not an object
			}
		}
	}
	if objs == 0 {
		return nil, body, nil
	}
	return cols, body, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote closing the string opened at i.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(b) - 1
}

// unquote decodes a JSON string; keys without escapes need no decoding.
func unquote(q []byte) (string, error) {
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1]), nil
	}
	var s string
	err := json.Unmarshal(q, &s)
	return s, err
}

// recordset is PostgREST's way of reading a body: the payload as json,
// expanded by json_to_recordset with each column's declared type.
func recordset(t *table, cols []string, param int) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = pgx.Identifier{c}.Sanitize() + " " + t.types[c]
	}
	return fmt.Sprintf("json_to_recordset($%d::json) AS _(%s)", param, strings.Join(defs, ", "))
}

func (g *Gateway) post(ctx context.Context, tx pgx.Tx, q *query, onConflict string, p prefer, body []byte) (int, []byte, error) {
	cols, arr, err := bodyColumns(q.t, body)
	if err != nil {
		return 0, nil, err
	}
	if len(cols) == 0 {
		return http.StatusCreated, []byte("[]"), nil
	}
	from := "public." + pgx.Identifier{q.t.name}.Sanitize()
	names := make([]string, len(cols))
	sets := make([]string, len(cols))
	for i, c := range cols {
		names[i] = pgx.Identifier{c}.Sanitize()
		sets[i] = names[i] + " = EXCLUDED." + names[i]
	}
	list := strings.Join(names, ", ")
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", from, list, list, recordset(q.t, cols, 1))
	if onConflict == "" {
		onConflict = q.t.pk
	}
	// on_conflict names one column or several, comma-separated; PostgreSQL
	// itself refuses (42P10) a list that matches no unique constraint.
	var target []string
	for _, c := range strings.Split(onConflict, ",") {
		if _, ok := q.t.types[c]; !ok {
			return 0, nil, &pgError{Code: "42703", Message: fmt.Sprintf("column %s.%s does not exist", q.t.name, c)}
		}
		target = append(target, pgx.Identifier{c}.Sanitize())
	}
	switch p.resolution {
	case "merge-duplicates":
		sql += " ON CONFLICT (" + strings.Join(target, ", ") + ") DO UPDATE SET " + strings.Join(sets, ", ")
	case "ignore-duplicates":
		sql += " ON CONFLICT (" + strings.Join(target, ", ") + ") DO NOTHING"
	}
	return g.write(ctx, tx, sql, p, http.StatusCreated, string(arr))
}

func (g *Gateway) write(ctx context.Context, tx pgx.Tx, sql string, p prefer, status int, args ...any) (int, []byte, error) {
	if p.ret != "representation" {
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return 0, nil, err
		}
		if status == http.StatusOK {
			status = http.StatusNoContent
		}
		return status, nil, nil
	}
	var out string
	err := tx.QueryRow(ctx, "WITH w AS ("+sql+" RETURNING *) SELECT coalesce(json_agg(w), '[]'::json)::text FROM w", args...).Scan(&out)
	if err != nil {
		return 0, nil, err
	}
	return status, []byte(out), nil
}

func (g *Gateway) patch(ctx context.Context, tx pgx.Tx, q *query, p prefer, body []byte) (int, []byte, error) {
	cols, arr, err := bodyColumns(q.t, body)
	if err != nil {
		return 0, nil, err
	}
	if len(cols) == 0 {
		return http.StatusOK, []byte("[]"), nil
	}
	from := "public." + pgx.Identifier{q.t.name}.Sanitize()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = pgx.Identifier{c}.Sanitize()
	}
	list := strings.Join(names, ", ")
	args := append([]any{}, q.args...)
	args = append(args, string(arr))
	where := q.whereSQL()
	sql := fmt.Sprintf("UPDATE %s SET (%s) = (SELECT %s FROM %s LIMIT 1)%s",
		from, list, list, recordset(q.t, cols, len(args)), where)
	return g.write(ctx, tx, sql, p, http.StatusOK, args...)
}

func (g *Gateway) delete(ctx context.Context, tx pgx.Tx, q *query, p prefer) (int, []byte, error) {
	sql := "DELETE FROM public." + pgx.Identifier{q.t.name}.Sanitize() + q.whereSQL()
	return g.write(ctx, tx, sql, p, http.StatusOK, q.args...)
}
