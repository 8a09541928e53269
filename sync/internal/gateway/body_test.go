package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestBodyColumns(t *testing.T) {
	tbl := &table{name: "packages", types: map[string]string{
		"id": "text", "title": "text", "content": "jsonb", "a\"b": "text", "é": "text",
	}}
	cases := []struct {
		name string
		body string
		cols []string
		code string // expected PostgREST error code, "" for success
	}{
		{"one object", `{"title":"x","id":"1"}`, []string{"id", "title"}, ""},
		{"object with space", " \n {\"id\":\"1\"} ", []string{"id"}, ""},
		{"array", `[{"id":"1","title":"x"},{"title":"y","id":"2"}]`, []string{"id", "title"}, ""},
		{"empty array", `[]`, nil, ""},
		{"nested keys are not columns", `[{"id":"1","content":{"colour":{"x":[{"y":1}]},"k":"}]{,"}},{"id":"2","content":{}}]`, []string{"content", "id"}, ""},
		{"braces and quotes in strings", `[{"id":"{\"a\":1}","title":"[,]\\"},{"id":"}","title":"\"{"}]`, []string{"id", "title"}, ""},
		{"escaped key", `[{"a\"b":"1"},{"a\"b":"2"}]`, []string{"a\"b"}, ""},
		{"unicode escaped key", `[{"\u00e9":"1"}]`, []string{"é"}, ""},
		{"repeated key", `[{"id":"1","id":"2"},{"id":"3"}]`, []string{"id"}, ""},
		{"fewer keys later", `[{"id":"1","title":"x"},{"id":"2"}]`, nil, "PGRST102"},
		{"other keys later", `[{"id":"1","title":"x"},{"id":"2","content":{}}]`, nil, "PGRST102"},
		{"repeated key hides a missing one", `[{"id":"1","title":"x"},{"id":"2","id":"3"}]`, nil, "PGRST102"},
		{"more keys later", `[{"id":"1"},{"id":"2","title":"x"}]`, nil, "PGRST102"},
		{"unknown column first", `[{"id":"1","colour":"red"}]`, nil, "PGRST204"},
		{"unknown column later", `[{"id":"1"},{"colour":"red"}]`, nil, "PGRST204"},
		{"not json", `{"id":`, nil, "PGRST102"},
		{"empty body", ``, nil, "PGRST102"},
		{"array of numbers", `[1,2]`, nil, "PGRST102"},
		{"array of arrays", `[[{"id":"1"}]]`, nil, "PGRST102"},
		{"a string", `"id"`, nil, "PGRST102"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cols, arr, err := bodyColumns(tbl, []byte(c.body))
			if c.code != "" {
				var pe *pgError
				if !errors.As(err, &pe) || pe.Code != c.code {
					t.Fatalf("err = %v, want code %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cols, c.cols) {
				t.Fatalf("cols = %q, want %q", cols, c.cols)
			}
			var rows []map[string]any
			if err := json.Unmarshal(arr, &rows); err != nil {
				t.Fatalf("body is not an array of objects: %v (%s)", err, arr)
			}
		})
	}
}

// TestBodyColumnsMatchesDecoding compares the scanner with decoding every
// object into a map, over bodies whose values hold JSON-looking text.
func TestBodyColumnsMatchesDecoding(t *testing.T) {
	tbl := &table{name: "t", types: map[string]string{"id": "text", "v": "text", "w": "jsonb"}}
	values := []string{`"plain"`, `"{\"id\":1}"`, `"]},{"`, `{"id":{"v":[1,{"w":2}]}}`, `[]`, `null`, `-1.5e3`, `"\\"`, `true`}
	for i := 0; i < 500; i++ {
		var objs []string
		n := 1 + i%4
		for o := 0; o < n; o++ {
			keys := []string{"id", "v", "w"}[:1+(i+o*(i%3))%3]
			var kv []string
			for k, key := range keys {
				kv = append(kv, fmt.Sprintf("%q:%s", key, values[(i+o+k)%len(values)]))
			}
			objs = append(objs, "{"+strings.Join(kv, ",")+"}")
		}
		body := "[" + strings.Join(objs, ",") + "]"
		var decoded []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &decoded); err != nil {
			t.Fatalf("test body %s: %v", body, err)
		}
		same := true
		for _, o := range decoded[1:] {
			if len(o) != len(decoded[0]) {
				same = false
			}
		}
		cols, _, err := bodyColumns(tbl, []byte(body))
		if same {
			if err != nil || len(cols) != len(decoded[0]) {
				t.Fatalf("%s: cols %q, err %v; want %d columns", body, cols, err, len(decoded[0]))
			}
			for _, c := range cols {
				if _, ok := decoded[0][c]; !ok {
					t.Fatalf("%s: column %q is not a key", body, c)
				}
			}
		} else if err == nil {
			t.Fatalf("%s: keys differ but no error", body)
		}
	}
}

func BenchmarkBodyColumns(b *testing.B) {
	tbl := &table{name: "channels", types: map[string]string{}}
	row := map[string]any{"id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "name": "channel", "niche": "science explainers",
		"language": "en", "audience": "curious adults", "format": "long", "cadence": 2.5, "youtube_id": "",
		"autopilot": false, "hlc": "1795929676000-000001-3f2a9c1e5b7d4e21", "deleted": false,
		"created_at": 1795929676000, "updated_at": 1795929676000}
	for k := range row {
		tbl.types[k] = "text"
	}
	rows := make([]map[string]any, 1000)
	for i := range rows {
		rows[i] = row
	}
	body, _ := json.Marshal(rows)
	b.SetBytes(int64(len(body)))
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := bodyColumns(tbl, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-maps", func(b *testing.B) { // what the gateway did before
		for b.Loop() {
			var arr []map[string]json.RawMessage
			if err := json.Unmarshal(body, &arr); err != nil {
				b.Fatal(err)
			}
		}
	})
}
