// Package espeak speaks offline with the espeak-ng program.
package espeak

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"tubeagency/app/voice"
)

// Client runs espeak-ng. The zero value looks espeak-ng up on PATH.
type Client struct {
	// Binary is the program to run. Empty means "espeak-ng" on PATH.
	Binary string
}

var _ voice.Engine = (*Client)(nil)

// Name is "espeak-ng".
func (c *Client) Name() string { return "espeak-ng" }

func (c *Client) binary() (string, error) {
	name := c.Binary
	if name == "" {
		name = "espeak-ng"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: espeak-ng is not installed (on Debian: sudo apt install espeak-ng)", voice.ErrNotConfigured)
	}
	return p, nil
}

// Available reports whether the program is installed.
func (c *Client) Available(ctx context.Context) error {
	_, err := c.binary()
	return err
}

// Synthesize writes req.Text through espeak-ng into a temporary WAV file
// and returns its bytes.
func (c *Client) Synthesize(ctx context.Context, req voice.Request) ([]byte, error) {
	bin, err := c.binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "espeak-*")
	if err != nil {
		return nil, fmt.Errorf("espeak-ng: %w", err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "voice.wav")
	args := []string{"-w", out, "--stdin"}
	if lang := language(req.Language); lang != "" {
		args = append(args, "-v", lang)
	}
	if req.WordsPerMinute > 0 {
		wpm := min(max(req.WordsPerMinute, 80), 450)
		args = append(args, "-s", strconv.Itoa(wpm))
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(req.Text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return nil, fmt.Errorf("espeak-ng: %w: %s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("espeak-ng: read output: %w", err)
	}
	return b, nil
}

// language maps a BCP 47 code to an espeak-ng voice name: espeak-ng knows
// "en", "pt-br", "es", … in lower case.
func language(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return "en"
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r == '-' || r >= '0' && r <= '9') {
			return "en"
		}
	}
	return code
}
