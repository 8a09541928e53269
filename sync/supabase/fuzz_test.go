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

// FuzzDecodeTableRows: PostgREST's answer to a table pull never panics the
// decoder, and what it accepts holds what the syncer relies on (sequence
// numbers above the cursor and rising, rows with a text id and clock, no
// server columns); re-encoding the accepted rows decodes to the same rows.
func FuzzDecodeTableRows(f *testing.F) {
	for _, seed := range []string{
		`[]`, `[{"id":"a","hlc":"1796500000000-000000-00000000000000aa","server_seq":3,"user_id":"u","name":"x","cadence":2.5}]`,
		`[{"id":"a","hlc":"h","server_seq":3},{"id":"b","hlc":"h","server_seq":9,"synced_at":"2026-12-05T00:00:00Z"}]`,
		`[{"id":"a","hlc":"h","server_seq":3},{"id":"b","hlc":"h","server_seq":3}]`,
		`[{"id":"a","hlc":"h","server_seq":1.5}]`, `[{"id":"a","hlc":"h","server_seq":"3"}]`, `[{"id":"a","hlc":"h","server_seq":-1}]`,
		`[{"id":"a","hlc":"h","server_seq":99999999999999999999}]`, `[{"id":7,"hlc":"h","server_seq":3}]`, `[{"hlc":"h","server_seq":3}]`,
		`[null]`, `[1]`, `null`, `{}`, ``, `[`, `[] []`, `<html>502</html>`,
	} {
		f.Add([]byte(seed), int64(0))
	}
	f.Add([]byte(`[{"id":"a","hlc":"h","server_seq":3}]`), int64(3))
	f.Fuzz(func(t *testing.T, body []byte, after int64) {
		rows, err := DecodeTableRows(body, after)
		if err != nil {
			return
		}
		last := after
		again := make([]map[string]any, 0, len(rows))
		for _, r := range rows {
			if r.Seq <= last {
				t.Fatalf("accepted seq %d after %d", r.Seq, last)
			}
			last = r.Seq
			if r.Row.ID() == "" || r.Row.HLC() == "" {
				t.Fatalf("accepted a row without id or hlc: %v", r.Row)
			}
			for _, k := range serverColumns {
				if _, ok := r.Row[k]; ok {
					t.Fatalf("server column %s kept: %v", k, r.Row)
				}
			}
			m := map[string]any{"server_seq": r.Seq}
			for k, v := range r.Row {
				m[k] = v
			}
			again = append(again, m)
		}
		b, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		rows2, err := DecodeTableRows(b, after)
		if err != nil || len(rows2) != len(rows) {
			t.Fatalf("re-decoding %s: %d rows, %v", b, len(rows2), err)
		}
		for i := range rows {
			if rows2[i].Seq != rows[i].Seq || rows2[i].Row.ID() != rows[i].Row.ID() || rows2[i].Row.HLC() != rows[i].Row.HLC() {
				t.Fatalf("row %d re-decoded as %+v, was %+v", i, rows2[i], rows[i])
			}
		}
	})
}

// FuzzDecodeSession: any key store value gives a usable session or an
// error that never quotes it; an accepted session carries a refresh token,
// a user id and tokens a request header can carry, and survives encoding.
func FuzzDecodeSession(f *testing.F) {
	for _, seed := range []string{
		`{"access_token":"eyJ.a.b","refresh_token":"r1","expires_at":17,"user_id":"u","email":"e@x.io"}`,
		`{"access_token":"","refresh_token":"r1","user_id":"u"}`, `{"refresh_token":"r1","user_id":"u","extra":[1,2]}`,
		`{"access_token":"a b","refresh_token":"r","user_id":"u"}`, `{"access_token":"a","refresh_token":"r","user_id":"u","expires_at":1e30}`,
		`{"refresh_token":"r","user_id":"u"} x`, `null`, `[]`, `"s"`, ``, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := DecodeSession(raw)
		if err != nil {
			// A secret of four or more characters never shows in the error.
			var probe Session
			if json.Unmarshal(raw, &probe) == nil {
				for _, secret := range []string{probe.AccessToken, probe.RefreshToken} {
					if len(secret) >= 4 && strings.Contains(err.Error(), secret) {
						t.Fatalf("error %q quotes a token", err)
					}
				}
			}
			return
		}
		if s.RefreshToken == "" || s.UserID == "" || !headerSafe(s.AccessToken) || !headerSafe(s.RefreshToken) {
			t.Fatalf("accepted %+v", s)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if s2, err := DecodeSession(b); err != nil || s2 != s {
			t.Fatalf("re-decoding: %+v, %v", s2, err)
		}
	})
}
