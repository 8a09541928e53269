package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// memKeyring is a hand-written keyring that keeps items in a map; fail
// makes every call fail, hang makes every call block until release closes.
type memKeyring struct {
	mu      sync.Mutex
	items   map[string]string
	fail    error
	hang    chan struct{}
	garbled bool
}

func (k *memKeyring) wait() {
	if k.hang != nil {
		<-k.hang
	}
}

func (k *memKeyring) Get(service, user string) (string, error) {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return "", k.fail
	}
	v, ok := k.items[service+"\x00"+user]
	if !ok {
		return "", ErrNotFound
	}
	if k.garbled {
		return v + "x", nil
	}
	return v, nil
}

func (k *memKeyring) Set(service, user, password string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	if k.items == nil {
		k.items = map[string]string{}
	}
	k.items[service+"\x00"+user] = password
	return nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	if _, ok := k.items[service+"\x00"+user]; !ok {
		return ErrNotFound
	}
	delete(k.items, service+"\x00"+user)
	return nil
}

func openFile(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{Mode: BackendFile})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func TestFileFallbackRoundTripAndReopen(t *testing.T) {
	dir := t.TempDir()
	s := openFile(t, dir)
	if s.Backend() != BackendFile {
		t.Fatalf("backend = %q, want file", s.Backend())
	}
	if _, err := s.Get("provider/groq"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get before set: err = %v, want ErrNotFound", err)
	}
	if err := s.Set("provider/groq", "gsk_live_secret_1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("sync/session", `{"refresh":"r-123"}`); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("provider/groq", "gsk_live_secret_2"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Fatalf("file mode = %o, want 600", mode)
	}

	again := openFile(t, dir)
	for name, want := range map[string]string{"provider/groq": "gsk_live_secret_2", "sync/session": `{"refresh":"r-123"}`} {
		got, err := again.Get(name)
		if err != nil || got != want {
			t.Fatalf("after reopen %s = %q, %v; want %q", name, got, err, want)
		}
	}
	if !again.Has("provider/groq") || again.Has("provider/openai") {
		t.Fatal("Has disagrees with stored names")
	}
	if err := again.Delete("provider/groq"); err != nil {
		t.Fatal(err)
	}
	if err := again.Delete("provider/groq"); err != nil {
		t.Fatalf("deleting a missing name: %v", err)
	}
	if _, err := openFile(t, dir).Get("provider/groq"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted name after reopen: err = %v, want ErrNotFound", err)
	}
	if v, _ := openFile(t, dir).Get("sync/session"); v != `{"refresh":"r-123"}` {
		t.Fatalf("delete touched another name: %q", v)
	}
}

func TestFileWritesAreAtomic(t *testing.T) {
	dir := t.TempDir()
	s := openFile(t, dir)
	path := filepath.Join(dir, FileName)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	readerErr := make(chan error, 1)
	go func() { // a reader never sees a half-written file
		for {
			select {
			case <-stop:
				readerErr <- nil
				return
			default:
			}
			b, err := os.ReadFile(path)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			var body fileBody
			if err == nil {
				err = json.Unmarshal(b, &body)
			}
			if err != nil {
				readerErr <- fmt.Errorf("reader saw a broken file: %v", err)
				return
			}
		}
	}()
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if err := s.Set(fmt.Sprintf("provider/p%d-%d", w, i), strings.Repeat("k", 200+i)); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	if err := <-readerErr; err != nil {
		t.Fatal(err)
	}
	m, err := openFile(t, dir).readFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 100 {
		t.Fatalf("stored %d names, want 100", len(m))
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".secrets-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestBackendSelection(t *testing.T) {
	scenarios := []struct {
		name        string
		mode        string
		ring        func() *memKeyring
		wantBackend string
		wantErr     error
		wantWarning string
	}{
		{"working keyring is used", "", func() *memKeyring { return &memKeyring{} }, BackendKeyring, nil, ""},
		{"failing keyring falls back to file", "auto", func() *memKeyring {
			return &memKeyring{fail: errors.New("The name org.freedesktop.secrets was not provided by any .service files")}
		}, BackendFile, nil, "No system keyring is available"},
		{"keyring returning other data falls back", "", func() *memKeyring { return &memKeyring{garbled: true} }, BackendFile, nil, "different value"},
		{"hung keyring falls back within the probe timeout", "", func() *memKeyring { return &memKeyring{hang: make(chan struct{})} }, BackendFile, nil, "did not answer"},
		{"keyring mode refuses the file", BackendKeyring, func() *memKeyring { return &memKeyring{fail: errors.New("no dbus")} }, "", ErrNoKeyring, ""},
		{"file mode skips the keyring", BackendFile, func() *memKeyring { return &memKeyring{} }, BackendFile, nil, "as configured"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			dir := t.TempDir()
			ring := sc.ring()
			if ring.hang != nil {
				defer close(ring.hang)
			}
			s, err := Open(dir, Options{Mode: sc.mode, Keyring: ring, ProbeTimeout: 100 * time.Millisecond})
			if sc.wantErr != nil {
				if !errors.Is(err, sc.wantErr) {
					t.Fatalf("err = %v, want %v", err, sc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Backend() != sc.wantBackend {
				t.Fatalf("backend = %q, want %q", s.Backend(), sc.wantBackend)
			}
			if sc.wantWarning == "" && s.Warning() != "" || !strings.Contains(s.Warning(), sc.wantWarning) {
				t.Fatalf("warning = %q, want it to contain %q", s.Warning(), sc.wantWarning)
			}
			if s.Backend() == BackendFile && sc.mode != BackendFile && !strings.Contains(s.Warning(), filepath.Join(dir, FileName)) {
				t.Fatalf("warning %q does not name the file", s.Warning())
			}
			if err := s.Set("provider/openai", "sk-test-value"); err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(filepath.Join(dir, FileName))
			switch s.Backend() {
			case BackendKeyring:
				if statErr == nil {
					t.Fatal("keyring backend wrote the fallback file")
				}
				if got, _ := ring.Get(DefaultService, "provider/openai"); got != "sk-test-value" {
					t.Fatalf("keyring holds %q", got)
				}
				if len(ring.items) != 1 {
					t.Fatalf("probe item left in keyring: %d items", len(ring.items))
				}
			case BackendFile:
				if statErr != nil {
					t.Fatalf("file backend did not write the file: %v", statErr)
				}
			}
			if v, err := s.Get("provider/openai"); err != nil || v != "sk-test-value" {
				t.Fatalf("get = %q, %v", v, err)
			}
			if err := s.Delete("provider/openai"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get("provider/openai"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("after delete err = %v", err)
			}
		})
	}
	if _, err := Open(t.TempDir(), Options{Mode: "vault"}); err == nil || !strings.Contains(err.Error(), "vault") {
		t.Fatalf("unknown mode: err = %v", err)
	}
	if _, err := Open("", Options{}); err == nil {
		t.Fatal("empty data folder accepted")
	}
}

// TestSystemKeyringSelectionMatchesThisMachine opens with the real
// go-keyring and checks the choice against a direct call to the same
// keyring: on a machine with a Secret Service the store must use it, on
// one without (a headless CI box) it must fall back to the file.
func TestSystemKeyringSelectionMatchesThisMachine(t *testing.T) {
	s, err := Open(t.TempDir(), Options{ProbeTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	direct := make(chan error, 1)
	go func() {
		user := fmt.Sprintf("probe/direct-%d", time.Now().UnixNano())
		err := keyring.Set(DefaultService, user, "v")
		if err == nil {
			_ = keyring.Delete(DefaultService, user)
		}
		direct <- err
	}()
	var directErr error
	select {
	case directErr = <-direct:
	case <-time.After(2 * time.Second):
		directErr = errors.New("no answer")
	}
	want := BackendKeyring
	if directErr != nil {
		want = BackendFile
	}
	if s.Backend() != want {
		t.Fatalf("backend = %q, but a direct keyring call gave %v", s.Backend(), directErr)
	}
	if (s.Backend() == BackendFile) != (s.Warning() != "") {
		t.Fatalf("backend %q with warning %q", s.Backend(), s.Warning())
	}
}

func TestInvalidInputIsRejectedAndNothingWritten(t *testing.T) {
	dir := t.TempDir()
	s := openFile(t, dir)
	scenarios := []struct {
		name, key, value string
		want             error
	}{
		{"no namespace", "groq", "v", ErrInvalidName},
		{"upper case", "Provider/Groq", "v", ErrInvalidName},
		{"empty", "", "v", ErrInvalidName},
		{"path escape", "provider/../x", "v", ErrInvalidName},
		{"trailing slash", "provider/", "v", ErrInvalidName},
		{"too long", "provider/" + strings.Repeat("a", 130), "v", ErrInvalidName},
		{"empty value", "provider/groq", "", ErrInvalidValue},
		{"huge value", "provider/groq", strings.Repeat("x", MaxValueBytes+1), ErrInvalidValue},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if err := s.Set(sc.key, sc.value); !errors.Is(err, sc.want) {
				t.Fatalf("err = %v, want %v", err, sc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("rejected input wrote the file: %v", err)
	}
}

func TestSecretValuesNeverInErrors(t *testing.T) {
	const key = "sk-ant-api03-SECRET-never-show-me"
	dir := t.TempDir()
	s := openFile(t, dir)
	var errs []error
	errs = append(errs, s.Set("provider/anthropic", key)) // nil
	errs = append(errs, s.Set("Provider/Anthropic", key))
	errs = append(errs, s.Set("provider/anthropic", key+strings.Repeat("x", MaxValueBytes)))
	// a corrupt file whose bytes include the key: the JSON error must not quote it
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"secrets":{"provider/anthropic":"`+key+`"`+key), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Get("provider/anthropic")
	errs = append(errs, err)
	errs = append(errs, s.Set("provider/groq", key))
	ringErr := errors.New("dbus: access denied")
	failing, err := Open(t.TempDir(), Options{Keyring: &memKeyring{fail: ringErr}, Mode: BackendKeyring})
	errs = append(errs, err)
	if failing != nil {
		t.Fatal("keyring mode opened with a failing keyring")
	}
	nonNil := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		nonNil++
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("error leaks the secret: %v", err)
		}
	}
	if nonNil != 5 {
		t.Fatalf("got %d errors, want 5: %v", nonNil, errs)
	}
}

func TestKeyringInstalledLaterKeepsFileSecrets(t *testing.T) {
	dir := t.TempDir()
	before := openFile(t, dir)
	if err := before.Set("provider/groq", "gsk_old_value"); err != nil {
		t.Fatal(err)
	}
	if err := before.Set("sync/session", "tok"); err != nil {
		t.Fatal(err)
	}
	ring := &memKeyring{}
	s, err := Open(dir, Options{Keyring: ring})
	if err != nil || s.Backend() != BackendKeyring {
		t.Fatalf("open: %v %s", err, s.Backend())
	}
	if v, err := s.Get("provider/groq"); err != nil || v != "gsk_old_value" {
		t.Fatalf("file secret after the keyring appeared: %q %v", v, err)
	}
	if err := s.Set("provider/groq", "gsk_new_value"); err != nil {
		t.Fatal(err)
	}
	if v, _ := ring.Get(DefaultService, "provider/groq"); v != "gsk_new_value" {
		t.Fatalf("keyring holds %q", v)
	}
	m, err := openFile(t, dir).readFile()
	if err != nil || len(m) != 1 || m["sync/session"] != "tok" {
		t.Fatalf("file after moving one secret: %v %v", m, err)
	}
	if err := s.Delete("sync/session"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("empty fallback file left behind: %v", err)
	}
	if _, err := s.Get("sync/session"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted secret: %v", err)
	}
}
