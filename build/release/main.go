// Command release signs release files and writes the update feed.
//
//	go run ./build/release keygen -dir DIR [-W]
//	    makes a minisign key pair: DIR/tubeagency-release.key (encrypted
//	    with $TUBEAGENCY_SIGNING_PASSWORD; -W leaves it unencrypted, for
//	    throwaway test keys only) and DIR/tubeagency-release.pub.
//	go run ./build/release feed -version V -base-url URL [-notes FILE] [-pubkey FILE] -out FEED platform=FILE...
//	    signs each FILE (writing FILE.minisig beside it) with the key in
//	    $TUBEAGENCY_SIGNING_KEY (the key file's text) or the file named by
//	    $TUBEAGENCY_SIGNING_KEY_FILE, decrypted with
//	    $TUBEAGENCY_SIGNING_PASSWORD, and writes the feed. Before writing it
//	    checks every file against the public key the app has compiled in
//	    (or -pubkey), so a feed the app would refuse is never published.
//
// Platforms are the feed's asset keys: linux-amd64 (the raw binary),
// linux-amd64-deb (the .deb) and windows-amd64 (the exe).
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aead.dev/minisign"

	"tubeagency/app/update"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: release keygen -dir DIR | release feed -version V -base-url URL -out FEED platform=FILE")
	}
	switch args[0] {
	case "keygen":
		return keygen(args[1:], stdout)
	case "feed":
		return feed(args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func keygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	dir := fs.String("dir", "", "folder for the key pair")
	plain := fs.Bool("W", false, "store the private key unencrypted (throwaway keys for tests only, as minisign -W)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("keygen: -dir is required")
	}
	password := os.Getenv("TUBEAGENCY_SIGNING_PASSWORD")
	if password == "" && !*plain {
		return errors.New("keygen: set TUBEAGENCY_SIGNING_PASSWORD: the private key is stored encrypted with it")
	}
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	var enc []byte
	if *plain {
		enc, err = priv.MarshalText()
	} else {
		// scrypt with minisign's parameters: seconds of work and 1 GiB.
		enc, err = minisign.EncryptKey(password, priv)
	}
	if err != nil {
		return err
	}
	pubText, err := pub.MarshalText()
	if err != nil {
		return err
	}
	keyFile := filepath.Join(*dir, "tubeagency-release.key")
	pubFile := filepath.Join(*dir, "tubeagency-release.pub")
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keygen: %w (an existing key is never overwritten)", err)
	}
	if _, err := f.Write(enc); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	pubDoc := strings.TrimSpace(string(pubText)) + "\n"
	if err := os.WriteFile(pubFile, []byte(pubDoc), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "private key: %s (keep it secret, never commit it)\npublic key:  %s\n%s", keyFile, pubFile, pubDoc)
	return nil
}

func signingKey() (minisign.PrivateKey, error) {
	text := []byte(os.Getenv("TUBEAGENCY_SIGNING_KEY"))
	if len(text) == 0 {
		name := os.Getenv("TUBEAGENCY_SIGNING_KEY_FILE")
		if name == "" {
			return minisign.PrivateKey{}, errors.New("set TUBEAGENCY_SIGNING_KEY (the private key file's text) or TUBEAGENCY_SIGNING_KEY_FILE")
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return minisign.PrivateKey{}, err
		}
		text = b
	}
	if minisign.IsEncrypted(text) {
		k, err := minisign.DecryptKey(os.Getenv("TUBEAGENCY_SIGNING_PASSWORD"), text)
		if err != nil {
			return k, fmt.Errorf("decrypt the signing key (check TUBEAGENCY_SIGNING_PASSWORD): %w", err)
		}
		return k, nil
	}
	var k minisign.PrivateKey
	if err := k.UnmarshalText(text); err != nil {
		return k, fmt.Errorf("signing key: %w", err)
	}
	return k, nil
}

func feed(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("feed", flag.ContinueOnError)
	version := fs.String("version", "", "release version, e.g. 1.2.0")
	baseURL := fs.String("base-url", "", "where the files will be downloaded from (their names are appended)")
	notesFile := fs.String("notes", "", "file with the release notes")
	pubFile := fs.String("pubkey", "", "public key to check against (default: the key compiled into the app)")
	out := fs.String("out", "", "feed file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	if *version == "" || *baseURL == "" || *out == "" || len(files) == 0 {
		return errors.New("feed: -version, -base-url, -out and at least one platform=FILE are required")
	}
	priv, err := signingKey()
	if err != nil {
		return err
	}
	pub, err := update.ReleaseKey()
	if *pubFile != "" {
		b, rerr := os.ReadFile(*pubFile)
		if rerr != nil {
			return rerr
		}
		pub, err = update.ParsePublicKey(string(b))
	}
	if err != nil {
		return err
	}
	if pub.ID() != priv.ID() {
		return fmt.Errorf("the signing key %X is not the one the app trusts (%X): the app would refuse this release", priv.ID(), pub.ID())
	}
	f := update.Feed{Version: strings.TrimPrefix(*version, "v"), Date: time.Now().UTC().Format(time.RFC3339), Assets: map[string]update.Asset{}}
	if *notesFile != "" {
		b, err := os.ReadFile(*notesFile)
		if err != nil {
			return err
		}
		f.Notes = strings.TrimSpace(string(b))
	}
	for _, pf := range files {
		platform, file, ok := strings.Cut(pf, "=")
		if !ok {
			return fmt.Errorf("%q: want platform=FILE", pf)
		}
		a, err := signFile(priv, file, update.TrustedComment(f.Version, platform))
		if err != nil {
			return err
		}
		a.URL = strings.TrimSuffix(*baseURL, "/") + "/" + filepath.Base(file)
		// What the app will do: check the file against the feed entry.
		fh, err := os.Open(file)
		if err != nil {
			return err
		}
		err = update.Verify(fh, a, pub, update.TrustedComment(f.Version, platform))
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		f.Assets[platform] = a
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if _, err := update.ParseFeed(b); err != nil {
		return err
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: version %s, %d files signed by key %X\n", *out, f.Version, len(f.Assets), priv.ID())
	return nil
}

// signFile hashes and signs file (prehashed, as minisign -S) and writes
// the signature to file.minisig.
func signFile(priv minisign.PrivateKey, file, comment string) (update.Asset, error) {
	fh, err := os.Open(file)
	if err != nil {
		return update.Asset{}, err
	}
	defer fh.Close()
	h := sha256.New()
	mr := minisign.NewReader(fh)
	n, err := io.Copy(h, mr)
	if err != nil {
		return update.Asset{}, fmt.Errorf("read %s: %w", file, err)
	}
	sig := mr.SignWithComments(priv, comment, "signature from the Tube Agency release key")
	if err := os.WriteFile(file+".minisig", sig, 0o644); err != nil {
		return update.Asset{}, err
	}
	return update.Asset{Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Signature: string(sig)}, nil
}
