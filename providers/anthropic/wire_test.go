package anthropic

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/fake"
)

// TestRateLimitHeadersAndChecks: a 429 names its wait in
// anthropic-ratelimit-*-reset headers; a model list that is not one fails
// the check.
func TestRateLimitHeadersAndChecks(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := fake.NewInProcess(fake.Anthropic, "x")
	c := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), Now: func() time.Time { return now }, Key: func() (string, error) { return key, nil }})
	srv.Fail(fake.Status429)
	srv.SetRetryAfter("")
	srv.SetHeader("Anthropic-Ratelimit-Requests-Remaining", "0")
	srv.SetHeader("Anthropic-Ratelimit-Requests-Reset", now.Add(42*time.Second).Format(time.RFC3339))
	_, err := c.Generate(context.Background(), providers.Request{User: "u"})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Status != 429 || pe.RetryAfter != 42*time.Second {
		t.Fatalf("429: %#v", err)
	}
	srv.Fail(fake.OK)
	if err := c.Check(context.Background()); err != nil {
		t.Fatalf("good list: %v", err)
	}
	srv.FailChecks(fake.CheckWrong)
	if err := c.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "not a model list") {
		t.Fatalf("wrong list: %v", err)
	}
}

func FuzzReadWhole(f *testing.F) {
	f.Add([]byte(`{"id":"msg_01","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}}`))
	f.Add([]byte(`{"content":[]}`))
	f.Add([]byte(`{"content":[{"type":"tool_use","id":"t"},{"type":"text","text":" "}]}`))
	f.Add([]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	f.Add([]byte(`{"content":[{"type":"text","text":"half`))
	c := New(Config{BaseURL: "http://x"})
	f.Fuzz(func(t *testing.T, body []byte) {
		var out providers.Response
		var delta string
		err := c.readWhole(context.Background(), bytes.NewReader(body), func(s string) { delta += s }, &out)
		checkParsed(t, err, out)
	})
}

func FuzzReadStream(f *testing.F) {
	f.Add([]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":3}}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":2}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
	f.Add([]byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Half\"}}\n\n"))
	f.Add([]byte("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"))
	f.Add([]byte("event: ping\ndata: {\"type\": \"ping\"}\n\n"))
	f.Add([]byte("data: {\"type\":\"message_start\",\"message\":null}\n\n"))
	c := New(Config{BaseURL: "http://x"})
	f.Fuzz(func(t *testing.T, body []byte) {
		var out providers.Response
		var delta string
		err := c.readStream(context.Background(), bytes.NewReader(body), func(s string) { delta += s }, &out)
		checkParsed(t, err, out)
		if err == nil && delta != out.Text {
			t.Fatalf("streamed %q but answered %q", delta, out.Text)
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	f.Add([]byte(`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key `+key+`"}}`), key)
	f.Add([]byte(`{"type":"error","error":null}`), "")
	f.Add([]byte(`<html>`), "k")
	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		msg := errorMessage(body, secret)
		if len(secret) >= 8 && strings.Contains(msg, secret) {
			t.Fatalf("message %q leaks %q", msg, secret)
		}
		if len(msg) > 300+len("…") {
			t.Fatalf("message of %d bytes", len(msg))
		}
	})
}

func checkParsed(t *testing.T, err error, out providers.Response) {
	t.Helper()
	if err == nil {
		if strings.TrimSpace(out.Text) == "" {
			t.Fatal("an empty answer was accepted")
		}
		return
	}
	var pe *providers.Error
	if !errors.As(err, &pe) || !pe.Retryable {
		t.Fatalf("parse error %#v is not a retryable *providers.Error", err)
	}
}
