// Package update checks a signed release feed and installs newer releases.
//
// The feed is a small JSON document (Feed) that names the latest version,
// its release notes and, per platform, the file's URL, size, SHA-256 and
// minisign signature. A check fetches it at most once a day (Options.Every)
// while checks are on; a failed fetch (offline) is silent and is retried at
// the next tick. Install downloads the file, checks its size, its SHA-256
// and its minisign signature against the public key compiled into the app,
// and only then replaces the running binary (minio/selfupdate) and asks for
// a restart. A binary owned by a Debian package is never replaced: the
// verified .deb is saved and the user is told the command that installs it.
package update

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"aead.dev/minisign"
	"golang.org/x/mod/semver"
)

// DefaultFeedURL is where releases are published. A build may set another
// with -ldflags "-X tubeagency/app/update.DefaultFeedURL=…".
var DefaultFeedURL = "https://github.com/tubeagency/tubeagency/releases/latest/download/feed.json"

// releaseKey is the minisign public key releases are signed with (see
// docs/RELEASING.md). Only files signed by its private key are installed.
//
//go:embed release.pub
var releaseKey string

// ReleaseKey is the compiled-in public key.
func ReleaseKey() (minisign.PublicKey, error) {
	return ParsePublicKey(releaseKey)
}

// Limits on what is read from the network.
const (
	// MaxFeedBytes caps the feed document.
	MaxFeedBytes = 1 << 20
	// MaxAssetBytes caps one release file.
	MaxAssetBytes = 1 << 30
	// maxSignatureBytes caps one signature's text.
	maxSignatureBytes = 4 << 10
)

// Feed is the release feed.
type Feed struct {
	// Version is the release's semantic version ("1.4.0" or "v1.4.0").
	Version string `json:"version"`
	// Notes are the release notes, plain text.
	Notes string `json:"notes,omitempty"`
	// Date is when the release was cut (RFC 3339), for display only.
	Date string `json:"date,omitempty"`
	// Assets are the release files by platform: "linux-amd64" (the raw
	// binary), "linux-amd64-deb" (the Debian package), "windows-amd64"
	// (the exe).
	Assets map[string]Asset `json:"assets"`
}

// Asset is one release file.
type Asset struct {
	URL  string `json:"url"`
	Size int64  `json:"size"`
	// SHA256 is the file's SHA-256, lowercase hex.
	SHA256 string `json:"sha256"`
	// Signature is the text of the file's minisign signature (prehashed,
	// minisign's default). Its trusted comment must be TrustedComment of
	// the feed's version and the asset's platform, so a signed file cannot
	// be offered under another version or platform.
	Signature string `json:"signature"`
}

// TrustedComment is the signed comment of a release file's signature.
func TrustedComment(version, platform string) string {
	return "tubeagency " + canonical(version) + " " + platform
}

// Feed errors name the field at fault.
var ErrFeed = errors.New("release feed is not valid")

// ParseFeed decodes and checks a feed document.
func ParseFeed(b []byte) (*Feed, error) {
	if len(b) > MaxFeedBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrFeed, MaxFeedBytes)
	}
	var f Feed
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFeed, err)
	}
	if !semver.IsValid(canonical(f.Version)) {
		return nil, fmt.Errorf("%w: version %q is not a semantic version", ErrFeed, f.Version)
	}
	if len(f.Notes) > 64<<10 {
		return nil, fmt.Errorf("%w: notes longer than 64 KB", ErrFeed)
	}
	if len(f.Assets) == 0 {
		return nil, fmt.Errorf("%w: assets: none listed", ErrFeed)
	}
	for p, a := range f.Assets {
		if err := a.check(); err != nil {
			return nil, fmt.Errorf("%w: assets.%s.%v", ErrFeed, p, err)
		}
	}
	return &f, nil
}

func (a Asset) check() error {
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("url: %q is not an http(s) address", a.URL)
	}
	if a.Size <= 0 || a.Size > MaxAssetBytes {
		return fmt.Errorf("size: %d is not between 1 and %d", a.Size, int64(MaxAssetBytes))
	}
	if h, err := hex.DecodeString(a.SHA256); err != nil || len(h) != 32 || strings.ToLower(a.SHA256) != a.SHA256 {
		return fmt.Errorf("sha256: %q is not 64 lowercase hex digits", a.SHA256)
	}
	if len(a.Signature) > maxSignatureBytes {
		return fmt.Errorf("signature: longer than %d bytes", maxSignatureBytes)
	}
	var s minisign.Signature
	if err := s.UnmarshalText([]byte(a.Signature)); err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	return nil
}

// ParsePublicKey reads a minisign public key: the key line alone, or the
// whole .pub file with its comment line.
func ParsePublicKey(text string) (minisign.PublicKey, error) {
	var k minisign.PublicKey
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if err := k.UnmarshalText([]byte(strings.TrimSpace(lines[len(lines)-1]))); err != nil {
		return k, fmt.Errorf("minisign public key: %w", err)
	}
	return k, nil
}

// canonical gives a version the leading "v" semver wants.
func canonical(v string) string {
	if v != "" && v[0] != 'v' {
		return "v" + v
	}
	return v
}

// Newer reports whether version a is newer than b. A b that is not a
// semantic version (a development build) is older than every release.
func Newer(a, b string) bool {
	a, b = canonical(a), canonical(b)
	if !semver.IsValid(a) {
		return false
	}
	if !semver.IsValid(b) {
		return true
	}
	return semver.Compare(a, b) > 0
}
