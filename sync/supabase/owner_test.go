package supabase

import (
	"encoding/json"
	"testing"
)

func TestWithOwner(t *testing.T) {
	const user = "6f1c2a3b-0000-4000-8000-00000000abcd"
	rows := []json.RawMessage{
		json.RawMessage(`{"id":"a","name":"x"}`),
		json.RawMessage(" {\n} "),
		json.RawMessage(`{ "id" : "b", "content": {"user": "not the owner"} }`),
	}
	out, err := withOwner(rows, user)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"user_id": user, "id": "a", "name": "x"},
		{"user_id": user},
		{"user_id": user, "id": "b", "content": map[string]any{"user": "not the owner"}},
	}
	for i, r := range out {
		var got map[string]any
		if err := json.Unmarshal(r, &got); err != nil {
			t.Fatalf("row %d is not JSON: %v (%s)", i, err, r)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want[i])
		if string(g) != string(w) {
			t.Fatalf("row %d = %s, want %s", i, g, w)
		}
	}
	// The input is left as it was; rows are new slices.
	if string(rows[0]) != `{"id":"a","name":"x"}` {
		t.Fatalf("input changed: %s", rows[0])
	}
	out[0] = append(out[0], 'x')
	if !json.Valid(out[1]) {
		t.Fatal("appending to one row overwrote the next")
	}
	for _, bad := range []string{`[]`, `"x"`, ``, `{`} {
		if _, err := withOwner([]json.RawMessage{json.RawMessage(bad)}, user); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
