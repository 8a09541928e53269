package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tubeagency/app/update"
)

// A release cut with a throwaway key: keygen, then feed over three files;
// the feed parses and every file verifies against the public key, with
// the trusted comment naming its version and platform. (The key is stored
// unencrypted: minisign's scrypt costs seconds and 1 GiB per use.)
func TestKeygenAndSignedFeed(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TUBEAGENCY_SIGNING_PASSWORD", "")
	var out bytes.Buffer
	if err := run([]string{"keygen", "-dir", dir}, &out); err == nil || !strings.Contains(err.Error(), "TUBEAGENCY_SIGNING_PASSWORD") {
		t.Fatalf("keygen without a password: %v", err)
	}
	if err := run([]string{"keygen", "-W", "-dir", dir}, &out); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "tubeagency-release.key")
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", st, err)
	}
	if err := run([]string{"keygen", "-W", "-dir", dir}, &out); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Fatalf("second keygen over the same key: %v", err)
	}
	files := map[string]string{
		"linux-amd64":     filepath.Join(dir, "tubeagency"),
		"linux-amd64-deb": filepath.Join(dir, "tubeagency_1.2.0_amd64.deb"),
		"windows-amd64":   filepath.Join(dir, "tubeagency.exe"),
	}
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("Faster start.\n"), 0o644)
	args := []string{"feed", "-version", "v1.2.0", "-base-url", "https://example.org/releases/v1.2.0/", "-notes", notes,
		"-pubkey", filepath.Join(dir, "tubeagency-release.pub"), "-out", filepath.Join(dir, "feed.json")}
	for p, f := range files {
		if err := os.WriteFile(f, bytes.Repeat([]byte(p), 5000), 0o755); err != nil {
			t.Fatal(err)
		}
		args = append(args, p+"="+f)
	}

	t.Setenv("TUBEAGENCY_SIGNING_KEY_FILE", keyFile)
	if err := run(args, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "feed.json"))
	if err != nil {
		t.Fatal(err)
	}
	feed, err := update.ParseFeed(b)
	if err != nil {
		t.Fatal(err)
	}
	if feed.Version != "1.2.0" || feed.Notes != "Faster start." || len(feed.Assets) != 3 {
		t.Fatalf("feed: %+v", feed)
	}
	pubText, _ := os.ReadFile(filepath.Join(dir, "tubeagency-release.pub"))
	pub, err := update.ParsePublicKey(string(pubText))
	if err != nil {
		t.Fatal(err)
	}
	for p, f := range files {
		a := feed.Assets[p]
		if a.URL != "https://example.org/releases/v1.2.0/"+filepath.Base(f) {
			t.Errorf("%s url %s", p, a.URL)
		}
		fh, _ := os.Open(f)
		err := update.Verify(fh, a, pub, update.TrustedComment("1.2.0", p))
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if sig, err := os.ReadFile(f + ".minisig"); err != nil || string(sig) != a.Signature {
			t.Errorf("%s.minisig: %v", f, err)
		}
	}
	// The key the app has compiled in is not this one: without -pubkey
	// the tool refuses to publish a feed the app would refuse.
	noPub := []string{"feed", "-version", "1.2.0", "-base-url", "https://example.org/", "-out", filepath.Join(dir, "x.json"), "linux-amd64=" + files["linux-amd64"]}
	if err := run(noPub, &out); err == nil || !strings.Contains(err.Error(), "not the one the app trusts") {
		t.Fatalf("signing with a key the app does not trust: %v", err)
	}
	// No key in the environment: a clear error, nothing written.
	t.Setenv("TUBEAGENCY_SIGNING_KEY_FILE", "")
	os.Remove(filepath.Join(dir, "feed.json"))
	if err := run(args, &out); err == nil || !strings.Contains(err.Error(), "TUBEAGENCY_SIGNING_KEY") {
		t.Fatalf("no key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "feed.json")); err == nil {
		t.Fatal("a feed was written without a key")
	}
}
