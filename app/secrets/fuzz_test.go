package secrets

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzFile reads whatever the fallback file may hold after a crash, a
// hand edit or a replacement: the store answers or refuses with an error,
// never panics, and an error never quotes the file's content (secrets).
func FuzzFile(f *testing.F) {
	f.Add([]byte(`{"secrets":{"provider/groq":"gsk_live_secret_1"}}`))
	f.Add([]byte(`{"secrets":{"provider/groq":"gsk_live_secret_1"`))
	f.Add([]byte(`{"secrets":null}`))
	f.Add([]byte(`{"secrets":{"provider/groq":17}}`))
	f.Add([]byte(`["gsk_live_secret_1"]`))
	f.Add([]byte("\xff\xfe{\"secrets\":{}}"))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		s, err := Open(dir, Options{Mode: BackendFile})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.Path(), content, 0o600); err != nil {
			t.Fatal(err)
		}
		v, err := s.Get("provider/groq")
		if err == nil {
			if v == "" || !bytes.Contains(content, []byte(v[:min(len(v), 1)])) {
				t.Fatalf("read %q from a file that does not hold it", v)
			}
			return
		}
		msg := strings.ReplaceAll(err.Error(), s.Path(), "")
		if len(content) >= 8 && strings.Contains(msg, string(content)) {
			t.Fatalf("the error quotes the file: %v", err)
		}
		for _, secret := range []string{"gsk_live_secret_1", "r-123"} {
			if bytes.Contains(content, []byte(secret)) && strings.Contains(msg, secret) {
				t.Fatalf("the error quotes a secret: %v", err)
			}
		}
	})
}

// TestOversizedFileIsRefused: a fallback file past the cap is refused with
// an error that says so, without reading it whole.
func TestOversizedFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Mode: BackendFile})
	if err != nil {
		t.Fatal(err)
	}
	big := append([]byte(`{"secrets":{"provider/groq":"`), bytes.Repeat([]byte("a"), maxFileBytes)...)
	big = append(big, `"}}`...)
	if err := os.WriteFile(s.Path(), big, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get("provider/groq")
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Fatalf("get from an oversized file: %v", err)
	}
}
