package supabase

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzDecodePullPage: the decoder never panics, and what it accepts holds
// what the syncer relies on (named tables, rising positive sequence
// numbers, rows with an id and a clock); re-encoding an accepted page and
// decoding it again gives the same page.
func FuzzDecodePullPage(f *testing.F) {
	for _, seed := range []string{
		`{"rows":[],"more":false}`, `{"rows":[],"more":false,"last":42}`, `{"rows":[{"t":"channels","s":9}],"last":3}`,
		`{"rows":[],"last":-1}`, `{"rows":[],"last":"x"}`,
		`{"rows":[{"t":"channels","s":1,"r":{"id":"a","hlc":"1796500000000-000000-00000000000000aa","name":"x","cadence":2.5,"autopilot":true}},{"t":"packages","s":7}],"more":true}`,
		`{"rows":[{"t":"devices","s":3,"r":null}],"more":false}`,
		`{"rows":[{"t":"channels","s":2},{"t":"channels","s":2}]}`,
		`{"rows":[{"t":"channels","s":-1}]}`,
		`{"rows":[{"t":"channels","s":1.5}]}`,
		`{"rows":[{"t":"","s":1}]}`,
		`{"rows":[{"t":"channels","s":1,"r":{"id":7}}]}`,
		`{"rows":[{"t":"channels","s":1,"r":[1,2]}]}`,
		`{"rows":[{"t":"channels","s":99999999999999999999}]}`,
		`{"more":true}`, `{"rows":null}`, `[]`, `null`, ``, `{`, `{"rows":[]} {}`,
		`{"rows":[{"t":"channels","s":1,"r":{"id":"a","hlc":"x","user_id":"u","server_seq":1}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := DecodePullPage(body)
		if err != nil {
			return
		}
		var last int64
		type rawChange struct {
			T string         `json:"t"`
			S int64          `json:"s"`
			R map[string]any `json:"r,omitempty"`
		}
		again := struct {
			Rows []rawChange `json:"rows"`
			More bool        `json:"more"`
			Last int64       `json:"last"`
		}{Rows: []rawChange{}, More: page.More, Last: page.Last}
		for _, c := range page.Changes {
			if c.Table == "" || c.Seq <= last {
				t.Fatalf("accepted change %+v after seq %d", c, last)
			}
			last = c.Seq
			if c.Row != nil {
				if c.Row.ID() == "" || c.Row.HLC() == "" {
					t.Fatalf("accepted row without id or hlc: %v", c.Row)
				}
				for _, k := range serverColumns {
					if _, ok := c.Row[k]; ok {
						t.Fatalf("server column %s kept: %v", k, c.Row)
					}
				}
			}
			again.Rows = append(again.Rows, rawChange{T: c.Table, S: c.Seq, R: c.Row})
		}
		b, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if page.Last < last {
			t.Fatalf("last %d below the last change %d", page.Last, last)
		}
		page2, err := DecodePullPage(b)
		if err != nil || len(page2.Changes) != len(page.Changes) || page2.More != page.More || page2.Last != page.Last {
			t.Fatalf("re-decoding %s: %+v, %v", b, page2, err)
		}
	})
}

// FuzzParseErrorBody: any body (PostgREST's, GoTrue's, a proxy's HTML,
// garbage) gives a code and a message without panicking, and the known
// shapes give theirs.
func FuzzParseErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"code":"42501","message":"new row violates row-level security policy","details":null,"hint":null}`,
		`{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`,
		`{"error":"invalid_grant","error_description":"Invalid Refresh Token"}`,
		`{"code":"PGRST202","details":"Searched for the function","hint":null,"message":"Could not find the function"}`,
		`<html><body>Bad Gateway</body></html>`, ``, `null`, `[]`, `{"code":{"x":1}}`, `{"message":7}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		code, msg := parseErrorBody(body)
		if !json.Valid(body) && (code != "" || msg != "") {
			t.Fatalf("invalid JSON %q gave %q, %q", body, code, msg)
		}
	})
}

// FuzzParseRetryAfter: any header value gives a delay that is never
// negative; seconds and HTTP dates in the future are read.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, seed := range []string{"7", " 120 ", "0", "-3", "1e9", "99999999999999999999", now.Add(90 * time.Second).Format(http.TimeFormat),
		"Sat, 05 Dec 2026 11:00:00 GMT", "soon", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v", v, d)
		}
		if strings.TrimSpace(v) == "7" && d != 7*time.Second {
			t.Fatalf("parseRetryAfter(%q) = %v", v, d)
		}
	})
}

func TestParseRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"7": 7 * time.Second, now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		"Sat, 05 Dec 2026 11:00:00 GMT": 0, "-3": 0, "soon": 0, "": 0, "9227000000": time.Hour,
		now.Add(48 * time.Hour).Format(http.TimeFormat): time.Hour,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
