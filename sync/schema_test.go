package sync_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/schema"
)

// pullPage is the answer of public.tubeagency_pull.
type pullPage struct {
	Rows []struct {
		T string         `json:"t"`
		S int64          `json:"s"`
		R map[string]any `json:"r"`
	} `json:"rows"`
	More bool  `json:"more"`
	Last int64 `json:"last"`
}

func rpcPull(t *testing.T, h *gateway.Harness, token, body string) (int, string, pullPage) {
	t.Helper()
	status, code, raw := call(t, h, "POST", "/rest/v1/rpc/tubeagency_pull", token, body, nil)
	var p pullPage
	if status == 200 {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatalf("pull answer %q: %v", raw, err)
		}
	}
	return status, code, p
}

const (
	devA = "00000000000000aa"
	devB = "00000000000000bb"
)

func clockOf(dev string, n int) string { return fmt.Sprintf("1796500000000-%06d-%s", n, dev) }

// TestPullFunctionReadsEveryTableInOnePage checks public.tubeagency_pull:
// rows of every table named in the cursors, above each cursor, in
// server_seq order across tables, the caller's own rows as bare sequence
// numbers, the page limit and "more", and nothing of other users.
func TestPullFunctionReadsEveryTableInOnePage(t *testing.T) {
	h := gateway.Start(t, pg, gateway.Options{})
	s := signUp(t, h, "rpc@example.com")
	other := signUp(t, h, "rpc-other@example.com")
	write := func(token, table, body string) {
		t.Helper()
		if status, code, raw := call(t, h, "POST", "/rest/v1/"+table, token, body, nil); status != 201 {
			t.Fatalf("write %s: %d %s %s", table, status, code, raw)
		}
	}
	write(s.AccessToken, "channels", `{"id":"c1","name":"one","hlc":"`+clockOf(devB, 1)+`","created_at":1,"updated_at":1,"autopilot_host":"`+devB+`"}`)
	write(s.AccessToken, "packages", `{"id":"p1","channel_id":"c1","status":"idea","hlc":"`+clockOf(devA, 2)+`","created_at":1,"updated_at":1}`)
	write(s.AccessToken, "devices", `{"id":"`+devB+`","name":"laptop","kind":"desktop","last_seen":5,"version":"1","hlc":"`+clockOf(devB, 3)+`","created_at":1,"updated_at":1}`)
	write(s.AccessToken, "activity", `{"id":"a1","kind":"x","message":"m","hlc":"`+clockOf(devB, 4)+`","created_at":1,"updated_at":1}`)
	write(other.AccessToken, "channels", `{"id":"theirs","name":"not yours","hlc":"`+clockOf(devB, 5)+`","created_at":1,"updated_at":1}`)

	all := `{"channels":0,"packages":0,"activity":0,"devices":0}`
	status, code, p := rpcPull(t, h, s.AccessToken, `{"cursors":`+all+`,"page_limit":10,"device":"`+devA+`"}`)
	if status != 200 || len(p.Rows) != 3 || p.More {
		t.Fatalf("pull = %d %s %+v; want 3 rows (the caller's package left out), no more", status, code, p)
	}
	wantTables := []string{"channels", "devices", "activity"}
	for i, r := range p.Rows {
		if r.T != wantTables[i] || (i > 0 && r.S <= p.Rows[i-1].S) {
			t.Fatalf("row %d = %s seq %d; want %v in server_seq order", i, r.T, r.S, wantTables)
		}
	}
	if p.Last != p.Rows[2].S {
		t.Fatalf("last = %d, want the newest row's %d", p.Last, p.Rows[2].S)
	}
	ch := p.Rows[0].R
	if ch["id"] != "c1" || ch["autopilot_host"] != devB || ch["user_id"] != nil || ch["server_seq"] != nil || ch["synced_at"] != nil {
		t.Fatalf("channel row = %v; want the row without the server's columns", ch)
	}
	if d := p.Rows[1].R; d["name"] != "laptop" || d["kind"] != "desktop" {
		t.Fatalf("device row = %v", d)
	}
	// Only the caller's own rows above a cursor: none sent, the cursor
	// still reaches the head.
	own := fmt.Sprintf(`{"cursors":{"packages":0},"device":"%s"}`, devA)
	if _, _, po := rpcPull(t, h, s.AccessToken, own); len(po.Rows) != 0 || po.More || po.Last < p.Rows[0].S {
		t.Fatalf("own rows only = %+v; want no rows and last at the head", po)
	}

	// A page of 2 says there is more; cursors above the first rows skip them.
	_, _, p2 := rpcPull(t, h, s.AccessToken, `{"cursors":`+all+`,"page_limit":2}`)
	if len(p2.Rows) != 2 || !p2.More || p2.Rows[1].R == nil || p2.Last != p2.Rows[1].S {
		t.Fatalf("page of 2 = %+v; want 2 full rows, more, last at the second (no device given: own rows come whole)", p2)
	}
	after := fmt.Sprintf(`{"cursors":{"channels":%d,"packages":%d,"activity":%d,"devices":%d},"page_limit":2}`,
		p2.Rows[1].S, p2.Rows[1].S, p2.Rows[1].S, p2.Rows[1].S)
	_, _, p3 := rpcPull(t, h, s.AccessToken, after)
	if len(p3.Rows) != 2 || p3.More || p3.Rows[0].T != "devices" || p3.Rows[1].T != "activity" {
		t.Fatalf("second page = %+v; want devices then activity, no more", p3)
	}
	// Only the tables named are read.
	_, _, p4 := rpcPull(t, h, s.AccessToken, `{"cursors":{"devices":0}}`)
	if len(p4.Rows) != 1 || p4.Rows[0].T != "devices" {
		t.Fatalf("devices only = %+v", p4)
	}
	// The limit is clamped, not trusted.
	if status, code, p5 := rpcPull(t, h, s.AccessToken, `{"cursors":`+all+`,"page_limit":-5}`); status != 200 || len(p5.Rows) != 1 || !p5.More {
		t.Fatalf("page_limit -5 = %d %s %+v; want one row", status, code, p5)
	}
	// Other users see none of it; anonymous callers may not call it.
	if _, _, po := rpcPull(t, h, other.AccessToken, `{"cursors":`+all+`}`); len(po.Rows) != 1 || po.Rows[0].R["id"] != "theirs" {
		t.Fatalf("other user's pull = %+v", po)
	}
	if status, code, _ := rpcPull(t, h, "", `{"cursors":`+all+`}`); status != 401 || code != "42501" {
		t.Fatalf("anonymous pull = %d %s; want 401 42501", status, code)
	}
	// An unknown argument is an unknown function, as PostgREST says.
	if status, code, _ := rpcPull(t, h, s.AccessToken, `{"cursors":{},"colour":"red"}`); status != 404 || code != "PGRST202" {
		t.Fatalf("unknown argument = %d %s; want 404 PGRST202", status, code)
	}
}

// TestSchemaTwoOverOneWithData applies 0002 to a project that has run on
// 0001 and holds rows: the rows keep their values (autopilot_host empty),
// the pull function serves them, the new column and table take writes, and
// the clock bound refuses far-future values while letting a row stored with
// one before be replaced. The same file applied to an empty 0001 project
// is TestMain's template (every file in order).
func TestSchemaTwoOverOneWithData(t *testing.T) {
	h := gateway.StartAt(t, pg, gateway.Options{}, 1)
	s := signUp(t, h, "upgrade@example.com")
	if status, code, _ := rpcPull(t, h, s.AccessToken, `{"cursors":{"channels":0}}`); status != 404 || code != "PGRST202" {
		t.Fatalf("pull on 0001 = %d %s; want 404 PGRST202", status, code)
	}
	for i := range 3 {
		body := fmt.Sprintf(`{"id":"old%d","name":"old %d","hlc":"%s","created_at":1,"updated_at":1}`, i, i, clockOf(devB, i))
		if status, code, raw := call(t, h, "POST", "/rest/v1/channels", s.AccessToken, body, nil); status != 201 {
			t.Fatalf("write on 0001: %d %s %s", status, code, raw)
		}
	}
	// A row a broken client stamped far in the future, before any bound.
	if status, code, raw := call(t, h, "POST", "/rest/v1/channels", s.AccessToken,
		`{"id":"poisoned","name":"stuck","hlc":"9999999999999-999999-`+devB+`","created_at":1,"updated_at":1}`, nil); status != 201 {
		t.Fatalf("poisoned write on 0001: %d %s %s", status, code, raw)
	}
	files, err := schema.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Number >= 2 {
			if _, err := h.Admin.Exec(f.SQL); err != nil {
				t.Fatalf("apply %s over 0001 with data: %v", f.Name, err)
			}
		}
	}
	if err := h.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	status, code, p := rpcPull(t, h, s.AccessToken, `{"cursors":{"channels":0,"packages":0,"activity":0,"devices":0}}`)
	if status != 200 || len(p.Rows) != 4 {
		t.Fatalf("pull after 0002 = %d %s %+v", status, code, p)
	}
	for _, r := range p.Rows {
		if r.R["autopilot_host"] != "" || !strings.HasPrefix(r.R["name"].(string), "old") && r.R["id"] != "poisoned" {
			t.Fatalf("row after upgrade = %v", r.R)
		}
	}
	upsert := map[string]string{"Prefer": "resolution=merge-duplicates"}
	cases := []struct {
		name, table, body string
		status            int
		code              string
	}{
		{"host on an old row", "channels?on_conflict=id", `{"id":"old1","name":"old 1","autopilot_host":"` + devA + `","hlc":"` + clockOf(devA, 9) + `","created_at":1,"updated_at":2}`, 201, ""},
		{"a device row", "devices?on_conflict=user_id,id", `{"id":"` + devA + `","name":"server","kind":"serve","last_seen":7,"version":"1","hlc":"` + clockOf(devA, 10) + `","created_at":1,"updated_at":1}`, 201, ""},
		{"an unknown kind", "devices", `{"id":"` + devB + `","kind":"phone","hlc":"` + clockOf(devB, 11) + `","created_at":1,"updated_at":1}`, 400, "23514"},
		{"a far-future clock", "channels", `{"id":"new","name":"x","hlc":"9999999999999-000000-` + devA + `","created_at":1,"updated_at":1}`, 400, "23514"},
		{"a sane write over the poisoned row", "channels?on_conflict=id", `{"id":"poisoned","name":"recovered","hlc":"` + clockOf(devA, 12) + `","created_at":1,"updated_at":3}`, 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code, raw := call(t, h, "POST", "/rest/v1/"+c.table, s.AccessToken, c.body, upsert)
			if status != c.status || code != c.code {
				t.Fatalf("= %d %q %s; want %d %q", status, code, raw, c.status, c.code)
			}
		})
	}
	var host, name string
	if err := h.Admin.QueryRow(`SELECT (SELECT autopilot_host FROM public.channels WHERE id = 'old1'), (SELECT name FROM public.channels WHERE id = 'poisoned')`).Scan(&host, &name); err != nil || host != devA || name != "recovered" {
		t.Fatalf("after writes: old1 host %q, poisoned row named %q (%v)", host, name, err)
	}
	// Applying everything again, in order, changes nothing.
	for _, f := range files {
		if _, err := h.Admin.Exec(f.SQL); err != nil {
			t.Fatalf("re-apply %s: %v", f.Name, err)
		}
	}
	if status, code, raw := call(t, h, "POST", "/rest/v1/channels", s.AccessToken, `{"id":"late","name":"x","hlc":"9999999999999-000000-`+devA+`","created_at":1,"updated_at":1}`, nil); status != 400 || code != "23514" {
		t.Fatalf("far-future write after re-applying = %d %s %s", status, code, raw)
	}
}
