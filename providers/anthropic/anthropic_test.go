package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"tubeagency/providers"
	"tubeagency/providers/fake"
)

const key = "sk-ant-api03-SECRET-abcdef"

func client(url string) *Client {
	return New(Config{BaseURL: url, Model: "claude-3-5-haiku-latest", Key: func() (string, error) { return key, nil }})
}

func TestGenerateWholeAndStreamed(t *testing.T) {
	srv := fake.New(fake.Anthropic, "HOOK: hi\n## One\nBody")
	defer srv.Close()
	c := client(srv.URL)
	req := providers.Request{Task: providers.TaskScript, System: "sys", User: "write", Temperature: 1.4}
	resp, err := c.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "HOOK: hi\n## One\nBody" || resp.Provider != "anthropic" || resp.Usage.InputTokens != 12 || resp.Usage.OutputTokens != 34 {
		t.Fatalf("resp = %+v", resp)
	}
	var sent struct {
		Model     string  `json:"model"`
		MaxTokens int     `json:"max_tokens"`
		System    string  `json:"system"`
		Temp      float64 `json:"temperature"`
	}
	if err := json.Unmarshal(srv.LastBody(), &sent); err != nil {
		t.Fatal(err)
	}
	if sent.MaxTokens != DefaultMaxTokens || sent.System != "sys" || sent.Temp != 1 || srv.LastKey() != key {
		t.Fatalf("sent %s", srv.LastBody())
	}
	var deltas []string
	req.OnDelta = func(s string) { deltas = append(deltas, s) }
	resp, err = c.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(deltas, "") != resp.Text || resp.Text != "HOOK: hi\n## One\nBody" || len(deltas) < 2 || resp.Usage.OutputTokens != 34 || resp.Usage.InputTokens != 12 {
		t.Fatalf("streamed resp = %+v deltas %q", resp, deltas)
	}
}

func TestFaults(t *testing.T) {
	scenarios := []struct {
		fault     string
		sentinel  error
		retryable bool
		stream    bool
	}{
		{fake.Status529, providers.ErrUnavailable, true, false},
		{fake.Status500, providers.ErrUnavailable, true, false},
		{fake.HTML502, providers.ErrUnavailable, true, false},
		{fake.Status429, providers.ErrRateLimited, true, false},
		{fake.Status401, providers.ErrMisconfigured, false, false},
		{fake.Malformed, providers.ErrBadResponse, true, false},
		{fake.EmptyChoices, providers.ErrBadResponse, true, false},
		{fake.BrokenStream, providers.ErrBadResponse, true, true},
		{fake.StreamError, providers.ErrUnavailable, true, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.fault, func(t *testing.T) {
			srv := fake.New(fake.Anthropic, "x")
			defer srv.Close()
			srv.Fail(sc.fault)
			srv.EchoKey()
			req := providers.Request{User: "u"}
			if sc.stream {
				req.OnDelta = func(string) {}
			}
			_, err := client(srv.URL).Generate(context.Background(), req)
			var pe *providers.Error
			if !errors.As(err, &pe) || !errors.Is(err, sc.sentinel) || pe.Retryable != sc.retryable {
				t.Fatalf("err = %#v", err)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("error leaks the key: %v", err)
			}
		})
	}
	srv := fake.New(fake.Anthropic, "x")
	defer srv.Close()
	if err := client(srv.URL).Check(context.Background()); err != nil || srv.Checks() != 1 {
		t.Fatalf("check: %v", err)
	}
}
