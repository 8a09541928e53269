package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

type rpcArgsKey struct{}

// RPCArgs are the arguments of the function call r makes, for hooks
// (BeforeStatement) that act on them; nil for other requests.
func RPCArgs(r *http.Request) map[string]json.RawMessage {
	m, _ := r.Context().Value(rpcArgsKey{}).(map[string]json.RawMessage)
	return m
}

// rpc calls a function of the exposed schema as PostgREST does for
// POST /rpc/NAME: the body's keys name the arguments.
func (g *Gateway) rpc(w http.ResponseWriter, r *http.Request, name string) {
	g.Stats.Requests.Add(1)
	claims, ok := g.claims(w, r)
	if !ok {
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, pgError{Code: "PGRST117", Message: "Unsupported HTTP method: " + r.Method})
		return
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return // the client went away
	}
	args := map[string]json.RawMessage{}
	if body := bytes.TrimSpace(buf.Bytes()); len(body) > 0 {
		if err := json.Unmarshal(body, &args); err != nil {
			writeJSON(w, http.StatusBadRequest, pgError{Code: "PGRST102", Message: "Empty or invalid json"})
			return
		}
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	g.cacheMu.RLock()
	candidates := g.funcs[name]
	g.cacheMu.RUnlock()
	f := match(candidates, keys)
	if f == nil {
		details := fmt.Sprintf("Searched for the function public.%s with parameters %s or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
			name, strings.Join(keys, ", "))
		if len(keys) == 0 {
			details = fmt.Sprintf("Searched for the function public.%s without parameters, but no matches were found in the schema cache.", name)
		}
		writeJSON(w, http.StatusNotFound, pgError{Code: "PGRST202", Details: &details,
			Message: fmt.Sprintf("Could not find the function public.%s(%s) in the schema cache", name, strings.Join(keys, ", "))})
		return
	}
	named := make([]string, 0, len(keys))
	defs := make([]string, 0, len(keys))
	for _, k := range keys {
		i := slices.Index(f.args, k)
		id := pgx.Identifier{k}.Sanitize()
		named = append(named, id+" := _."+id)
		defs = append(defs, id+" "+f.types[i])
	}
	call := "public." + pgx.Identifier{name}.Sanitize() + "(" + strings.Join(named, ", ") + ")"
	sql := "SELECT coalesce(to_json(" + call + ")::text, 'null')"
	if len(keys) > 0 {
		sql += " FROM json_to_record($1::json) AS _(" + strings.Join(defs, ", ") + ")"
	}
	r = r.WithContext(context.WithValue(r.Context(), rpcArgsKey{}, args))
	var out string
	err := g.inTx(r.Context(), claims, f.readOnly, func(tx pgx.Tx) error {
		if g.opts.BeforeStatement != nil {
			g.opts.BeforeStatement(r)
		}
		if len(keys) == 0 {
			return tx.QueryRow(r.Context(), sql).Scan(&out)
		}
		return tx.QueryRow(r.Context(), sql, buf.String()).Scan(&out)
	})
	if err != nil {
		g.writeError(w, claims, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(out))
}

// match finds the function whose arguments the keys name: every key is an
// argument, and every argument without a default is a key.
func match(candidates []*function, keys []string) *function {
	for _, f := range candidates {
		ok := true
		for _, k := range keys {
			if !slices.Contains(f.args, k) {
				ok = false
				break
			}
		}
		for i, a := range f.args {
			if i < len(f.args)-f.defaults && !slices.Contains(keys, a) {
				ok = false
			}
		}
		if ok {
			return f
		}
	}
	return nil
}
