package openai

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/fake"
)

const key = "gsk_test_SECRET_0123456789"

func client(url string) *Client {
	return New(Config{Name: "groq", BaseURL: url, Model: "llama-3.1-8b-instant", Key: func() (string, error) { return key, nil }})
}

func TestGenerateWholeAndStreamed(t *testing.T) {
	srv := fake.New(fake.OpenAI, "One title\nTwo title")
	defer srv.Close()
	c := client(srv.URL)
	req := providers.Request{Task: providers.TaskTitles, System: "You write titles.", User: "Titles about bread", MaxTokens: 200, Temperature: 0.8}
	resp, err := c.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "One title\nTwo title" || resp.Provider != "groq" || resp.Usage.InputTokens != 12 || resp.Usage.OutputTokens != 34 || resp.Model != "fake-model" {
		t.Fatalf("resp = %+v", resp)
	}
	if srv.LastKey() != key {
		t.Fatal("key not sent as a bearer token")
	}
	var sent struct {
		Model    string  `json:"model"`
		MaxTok   int     `json:"max_tokens"`
		Temp     float64 `json:"temperature"`
		Messages []struct{ Role, Content string }
	}
	if err := json.Unmarshal(srv.LastBody(), &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Model != "llama-3.1-8b-instant" || sent.MaxTok != 200 || sent.Temp != 0.8 || len(sent.Messages) != 2 || sent.Messages[0].Role != "system" || sent.Messages[1].Content != "Titles about bread" {
		t.Fatalf("sent %s", srv.LastBody())
	}

	var deltas []string
	req.OnDelta = func(s string) { deltas = append(deltas, s) }
	resp, err = c.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "One title\nTwo title" || len(deltas) < 2 || strings.Join(deltas, "") != resp.Text || resp.Usage.OutputTokens != 34 {
		t.Fatalf("streamed resp = %+v, deltas %q", resp, deltas)
	}
}

func TestFaultsBecomeProviderErrors(t *testing.T) {
	scenarios := []struct {
		fault      string
		sentinel   error
		status     int
		retryable  bool
		retryAfter time.Duration
		stream     bool
	}{
		{fake.Status500, providers.ErrUnavailable, 500, true, 0, false},
		{fake.HTML502, providers.ErrUnavailable, 502, true, 0, false},
		{fake.Status503, providers.ErrUnavailable, 503, true, time.Second, false},
		{fake.Status429, providers.ErrRateLimited, 429, true, time.Second, false},
		{fake.Status401, providers.ErrMisconfigured, 401, false, 0, false},
		{fake.Malformed, providers.ErrBadResponse, 0, true, 0, false},
		{fake.EmptyChoices, providers.ErrBadResponse, 0, true, 0, false},
		{fake.Truncated, providers.ErrUnavailable, 0, true, 0, false},
		{fake.BrokenStream, providers.ErrBadResponse, 0, true, 0, true},
		{fake.StreamError, providers.ErrUnavailable, 0, true, 0, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.fault, func(t *testing.T) {
			srv := fake.New(fake.OpenAI, "x")
			defer srv.Close()
			srv.Fail(sc.fault)
			srv.EchoKey()
			req := providers.Request{User: "u"}
			if sc.stream {
				req.OnDelta = func(string) {}
			}
			_, err := client(srv.URL).Generate(context.Background(), req)
			var pe *providers.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *providers.Error", err, err)
			}
			if !errors.Is(err, sc.sentinel) || pe.Status != sc.status || pe.Retryable != sc.retryable || pe.RetryAfter != sc.retryAfter {
				t.Fatalf("err = %+v", pe)
			}
			if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "<html") {
				t.Fatalf("error text leaks the key or an HTML page: %v", err)
			}
		})
	}
}

func TestTransportFaults(t *testing.T) {
	_, err := client(fake.RefusedURL()).Generate(context.Background(), providers.Request{User: "u"})
	var pe *providers.Error
	if !errors.As(err, &pe) || !pe.Network || !pe.Retryable || !errors.Is(err, providers.ErrUnavailable) {
		t.Fatalf("refused: err = %#v", err)
	}
	srv := fake.New(fake.OpenAI, "x")
	defer srv.Close()
	srv.Fail(fake.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := client(srv.URL).Generate(ctx, providers.Request{User: "u"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hang: err = %v, want deadline exceeded", err)
	}
	if _, err := New(Config{Name: "x", BaseURL: "http://[::1", Key: func() (string, error) { return "", nil }}).Generate(context.Background(), providers.Request{}); !errors.Is(err, providers.ErrMisconfigured) {
		t.Fatalf("bad url: err = %v", err)
	}
	noKey := New(Config{Name: "groq", BaseURL: srv.URL, Key: func() (string, error) { return "", errors.New("secret not found") }})
	if _, err := noKey.Generate(context.Background(), providers.Request{}); !errors.Is(err, providers.ErrMisconfigured) {
		t.Fatalf("missing key: err = %v", err)
	}
}

func TestCheck(t *testing.T) {
	srv := fake.New(fake.OpenAI, "x")
	defer srv.Close()
	if err := client(srv.URL).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Fail(fake.Status401)
	if err := client(srv.URL).Check(context.Background()); !errors.Is(err, providers.ErrMisconfigured) {
		t.Fatalf("check with a rejected key: %v", err)
	}
	if srv.Checks() != 2 || srv.Calls() != 0 {
		t.Fatalf("checks %d calls %d", srv.Checks(), srv.Calls())
	}
}

func TestModelsURL(t *testing.T) {
	scenarios := map[string]string{
		"https://api.groq.com/openai/v1":     "https://api.groq.com/openai/v1/models",
		"https://models.github.ai/inference": "https://models.github.ai/catalog/models",
		"http://127.0.0.1:11434/v1/":         "http://127.0.0.1:11434/v1/models",
	}
	for base, want := range scenarios {
		if got := New(Config{Name: "x", BaseURL: base}).cfg.ModelsURL; got != want {
			t.Errorf("%s: models URL %s, want %s", base, got, want)
		}
	}
}

func TestOpenAIItselfGetsMaxCompletionTokens(t *testing.T) {
	openaiClient := New(Config{Name: "openai", BaseURL: "https://api.openai.com/v1"})
	groqClient := New(Config{Name: "groq", BaseURL: "https://api.groq.com/openai/v1"})
	if !openaiClient.newTokensField || groqClient.newTokensField {
		t.Fatal("max_completion_tokens chosen for the wrong service")
	}
}
