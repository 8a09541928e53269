package sync

import (
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"tubeagency/internal/store"
)

// FuzzCheckEdit: edited fields as the API decodes them (any JSON object)
// never panic the check, and every value it accepts for a table's column
// is of that column's kind, so what the edit writes is what the schema
// holds.
func FuzzCheckEdit(f *testing.F) {
	for _, seed := range []string{
		`{"name":"short","cadence":2.5,"autopilot":true}`, `{"content":{"script":[]}}`, `{"content":"text"}`,
		`{"last_seen":1764384000000}`, `{"last_seen":1.5}`, `{"last_seen":1e300}`, `{"hlc":"x","id":"y"}`,
		`{"name":"\u0007"}`, `{"name":null}`, `{"nope":1}`, `{}`,
	} {
		for _, table := range []string{"channels", "packages", "activity", "devices"} {
			f.Add(table, []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, table string, body []byte) {
		e, ok := store.EntityByTable(table)
		if !ok || len(body) > 1<<20 {
			return
		}
		var fields map[string]any
		if json.Unmarshal(body, &fields) != nil {
			return
		}
		kinds := make(map[string]store.Kind, len(e.Columns))
		for _, c := range e.Columns {
			kinds[c.Name] = c.Kind
		}
		for name, v := range fields {
			err := checkEdit(table, name, v, kinds)
			if err != nil {
				if fe, ok := err.(*FieldError); !ok || fe.Field != "payload."+name {
					t.Fatalf("error %v does not name payload.%s", err, name)
				}
				continue
			}
			if readOnlyColumns[name] {
				t.Fatalf("accepted an edit of %s", name)
			}
			switch kinds[name] {
			case store.Text:
				s, ok := v.(string)
				if !ok || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxEditText {
					t.Fatalf("accepted %#v as text", v)
				}
			case store.Int:
				if x, ok := v.(float64); !ok || x != math.Trunc(x) {
					t.Fatalf("accepted %#v as a whole number", v)
				}
			case store.Real:
				if _, ok := v.(float64); !ok {
					t.Fatalf("accepted %#v as a number", v)
				}
			case store.Bool:
				if _, ok := v.(bool); !ok {
					t.Fatalf("accepted %#v as true or false", v)
				}
			case store.JSON:
				switch v.(type) {
				case map[string]any, []any:
				default:
					t.Fatalf("accepted %#v as JSON", v)
				}
			}
		}
	})
}
