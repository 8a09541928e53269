// Package secrets keeps API keys and session tokens out of the database and
// the settings file.
//
// A Store writes to the operating system's keyring (macOS Keychain, Windows
// Credential Manager, the freedesktop Secret Service on Linux) through
// zalando/go-keyring. Where no keyring answers — a headless server, a
// minimal Linux desktop without GNOME Keyring or KWallet, a container — it
// falls back to secrets.json in the data folder, written atomically with
// mode 0600 so only the user's own account can read it, and Warning
// explains that in a sentence the UI shows next to the key fields.
//
// When a keyring appears later, values still in the file are read from it
// and move to the keyring the next time they are set.
//
// Names are namespaced with a slash, for example "provider/groq" or
// "sync/session". Values never appear in errors or logs.
package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"tubeagency/internal/atomicfile"
)

// Backends a Store can use.
const (
	BackendKeyring = "keyring"
	BackendFile    = "file"
)

// FileName is the fallback file inside the data folder.
const FileName = "secrets.json"

// DefaultService is the keyring service name secrets are filed under.
const DefaultService = "tubeagency"

// DefaultProbeTimeout bounds the keyring probe in Open.
const DefaultProbeTimeout = 3 * time.Second

// MaxValueBytes is the longest value Set accepts.
const MaxValueBytes = 8 << 10

// maxFileBytes caps the fallback file read back: room for hundreds of
// secrets at MaxValueBytes each, far less than a damaged or replaced file
// could otherwise make the app hold.
const maxFileBytes = 4 << 20

// Sentinel errors.
var (
	// ErrNotFound reports a name with no stored value.
	ErrNotFound = errors.New("secret not found")
	// ErrInvalidName reports a name outside the allowed form.
	ErrInvalidName = errors.New("invalid secret name")
	// ErrInvalidValue reports an empty or too long value.
	ErrInvalidValue = errors.New("invalid secret value")
	// ErrNoKeyring reports that Mode "keyring" was asked for and no keyring answered.
	ErrNoKeyring = errors.New("no system keyring available")
)

// Keyring is the part of an OS keyring a Store uses. go-keyring's package
// functions implement it through SystemKeyring.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// SystemKeyring is the operating system's keyring, through go-keyring.
type SystemKeyring struct{}

// Get reads one secret; go-keyring's ErrNotFound becomes ErrNotFound.
func (SystemKeyring) Get(service, user string) (string, error) {
	v, err := keyring.Get(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	return v, err
}

// Set writes one secret.
func (SystemKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

// Delete removes one secret; a missing one is ErrNotFound.
func (SystemKeyring) Delete(service, user string) error {
	err := keyring.Delete(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// Options configure Open. The zero value probes the system keyring and
// falls back to the file.
type Options struct {
	// Mode selects the backend: "" or "auto" probes the keyring and falls
	// back to the file; "keyring" fails with ErrNoKeyring when no keyring
	// answers; "file" always uses the file (tests, portable installs).
	Mode string
	// Service is the keyring service name. Empty means DefaultService.
	Service string
	// Keyring is the OS keyring. Nil means SystemKeyring.
	Keyring Keyring
	// ProbeTimeout bounds the probe write, read and delete: a Secret Service
	// call over D-Bus can hang when no daemon answers. Zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
}

// Store reads and writes secrets. It is safe for concurrent use.
type Store struct {
	backend string
	warning string
	service string
	ring    Keyring
	path    string

	mu sync.Mutex // serializes file reads and writes
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)+$`)

// ValidName reports whether name is namespaced ("area/item"), lowercase
// letters, digits, '.', '_' and '-', at most 128 characters.
func ValidName(name string) bool { return len(name) <= 128 && nameRe.MatchString(name) }

// Open selects a backend for the data folder dataDir (see Options.Mode).
func Open(dataDir string, opts Options) (*Store, error) {
	if dataDir == "" {
		return nil, errors.New("open secrets: no data folder given")
	}
	if opts.Service == "" {
		opts.Service = DefaultService
	}
	if opts.Keyring == nil {
		opts.Keyring = SystemKeyring{}
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = DefaultProbeTimeout
	}
	s := &Store{service: opts.Service, ring: opts.Keyring, path: filepath.Join(dataDir, FileName)}
	switch opts.Mode {
	case BackendFile:
		s.useFile("secrets are kept in " + s.path + " as configured")
		return s, nil
	case "", "auto", BackendKeyring:
	default:
		return nil, fmt.Errorf("open secrets: mode %q: must be auto, keyring or file", opts.Mode)
	}
	if err := probe(opts.Keyring, opts.Service, opts.ProbeTimeout); err != nil {
		if opts.Mode == BackendKeyring {
			return nil, fmt.Errorf("open secrets: %w: %v", ErrNoKeyring, err)
		}
		s.useFile("No system keyring is available (" + err.Error() + "), so API keys are stored in " + s.path +
			", readable only by your user account. Install and unlock a keyring such as GNOME Keyring or KWallet to keep them encrypted.")
		return s, nil
	}
	s.backend = BackendKeyring
	return s, nil
}

func (s *Store) useFile(warning string) {
	s.backend = BackendFile
	s.warning = warning
}

// probe proves the keyring can write, read back and delete a throwaway
// item within timeout.
func probe(ring Keyring, service string, timeout time.Duration) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	user := "probe/" + hex.EncodeToString(b[:])
	want := hex.EncodeToString(b[:4])
	done := make(chan error, 1)
	go func() { // a hung D-Bus call would block Open forever; the goroutine ends when the call does
		if err := ring.Set(service, user, want); err != nil {
			done <- err
			return
		}
		got, err := ring.Get(service, user)
		_ = ring.Delete(service, user)
		if err != nil {
			done <- err
			return
		}
		if got != want {
			done <- errors.New("keyring returned a different value than was stored")
			return
		}
		done <- nil
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("keyring did not answer within %s", timeout)
	}
}

// Backend is "keyring" or "file".
func (s *Store) Backend() string { return s.backend }

// Warning is a sentence for the user when secrets are not in a keyring,
// empty otherwise.
func (s *Store) Warning() string { return s.warning }

// Path is the fallback file, used when Backend is "file".
func (s *Store) Path() string { return s.path }

// Get returns the value stored under name, or ErrNotFound.
func (s *Store) Get(name string) (string, error) {
	if !ValidName(name) {
		return "", fmt.Errorf("get secret %q: %w", name, ErrInvalidName)
	}
	if s.backend == BackendKeyring {
		v, err := s.ring.Get(s.service, name)
		if errors.Is(err, ErrNotFound) {
			return s.getLegacy(name)
		}
		if err != nil {
			return "", fmt.Errorf("get secret %s: %w", name, err)
		}
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.readFile()
	if err != nil {
		return "", fmt.Errorf("get secret %s: %w", name, err)
	}
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("get secret %s: %w", name, ErrNotFound)
	}
	return v, nil
}

// Has reports whether a value is stored under name.
func (s *Store) Has(name string) bool {
	_, err := s.Get(name)
	return err == nil
}

// Set stores value under name, replacing any earlier value.
func (s *Store) Set(name, value string) error {
	if !ValidName(name) {
		return fmt.Errorf("set secret %q: %w", name, ErrInvalidName)
	}
	if value == "" || len(value) > MaxValueBytes {
		return fmt.Errorf("set secret %s: %w: must be 1 to %d bytes", name, ErrInvalidValue, MaxValueBytes)
	}
	if s.backend == BackendKeyring {
		if err := s.ring.Set(s.service, name, value); err != nil {
			return fmt.Errorf("set secret %s: %w", name, err)
		}
		return s.dropLegacy(name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.readFile()
	if err != nil {
		return fmt.Errorf("set secret %s: %w", name, err)
	}
	m[name] = value
	if err := s.writeFile(m); err != nil {
		return fmt.Errorf("set secret %s: %w", name, err)
	}
	return nil
}

// Delete removes name. Deleting a missing name is not an error.
func (s *Store) Delete(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("delete secret %q: %w", name, ErrInvalidName)
	}
	if s.backend == BackendKeyring {
		if err := s.ring.Delete(s.service, name); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("delete secret %s: %w", name, err)
		}
		return s.dropLegacy(name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.readFile()
	if err != nil {
		return fmt.Errorf("delete secret %s: %w", name, err)
	}
	if _, ok := m[name]; !ok {
		return nil
	}
	delete(m, name)
	if err := s.writeFile(m); err != nil {
		return fmt.Errorf("delete secret %s: %w", name, err)
	}
	return nil
}

// getLegacy reads name from a fallback file left from a time without a
// keyring (a keyring installed later must not make stored keys vanish).
func (s *Store) getLegacy(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.readFile()
	if err != nil {
		return "", fmt.Errorf("get secret %s: %w", name, err)
	}
	if v, ok := m[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("get secret %s: %w", name, ErrNotFound)
}

// dropLegacy removes name from the fallback file once the keyring holds
// it (or it was deleted), and the file itself when it is left empty.
func (s *Store) dropLegacy(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Stat(s.path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	m, err := s.readFile()
	if err != nil {
		return nil // an unreadable old file is left alone; the keyring holds the value
	}
	if _, ok := m[name]; !ok {
		return nil
	}
	delete(m, name)
	if len(m) == 0 {
		if err := os.Remove(s.path); err != nil {
			return fmt.Errorf("remove %s: %w", s.path, err)
		}
		return nil
	}
	return s.writeFile(m)
}

// fileBody is the fallback file's shape.
type fileBody struct {
	Version int               `json:"version"`
	Secrets map[string]string `json:"secrets"`
}

func (s *Store) readFile() (map[string]string, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.path, err)
	}
	if len(b) > maxFileBytes {
		return nil, fmt.Errorf("read %s: the file is larger than %d MiB, which no set of secrets needs", s.path, maxFileBytes>>20)
	}
	var body fileBody
	if err := json.Unmarshal(b, &body); err != nil {
		// the JSON error may quote file content, which is secret
		return nil, fmt.Errorf("read %s: the file is not valid JSON", s.path)
	}
	if body.Secrets == nil {
		body.Secrets = map[string]string{}
	}
	return body.Secrets, nil
}

// writeFile replaces the file atomically (encoding/json sorts the keys): a 0600 temp file in the same
// folder, synced, then renamed over the old one.
func (s *Store) writeFile(m map[string]string) error {
	b, err := json.MarshalIndent(fileBody{Version: 1, Secrets: m}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode secrets: %w", err)
	}
	return atomicfile.Write(s.path, append(b, '\n'))
}
