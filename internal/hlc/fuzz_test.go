package hlc

import "testing"

// FuzzParse: Parse never panics, and what it accepts prints back as the
// same text (the fixed-width form is the clock's order in every store).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"1764384000000-000000-3f2a9c1e5b7d4e21", "0000000000000-000000-0000000000000000",
		"9999999999999-999999-ffffffffffffffff", "1764384000000-000000-3F2A9C1E5B7D4E21",
		"1764384000000-00000a-3f2a9c1e5b7d4e21", "+764384000000-000000-3f2a9c1e5b7d4e21",
		"1764384000000--00001-3f2a9c1e5b7d4e21", "", "x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := Parse(s)
		if err != nil {
			return
		}
		if got := ts.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		if ts.Millis < 0 || ts.Counter < 0 {
			t.Fatalf("Parse(%q) = %+v: negative parts", s, ts)
		}
	})
}
