package openai

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/fake"
)

// TestProgressAndRateLimitHeaders: the client reports each read of an
// answer to the progress function of its ctx, and reads the wait a 429
// names in x-ratelimit-* headers when Retry-After is absent.
func TestProgressAndRateLimitHeaders(t *testing.T) {
	srv := fake.NewInProcess(fake.OpenAI, "One two three four")
	c := New(Config{Name: "groq", BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), Key: func() (string, error) { return key, nil }})
	for _, stream := range []bool{false, true} {
		n := 0
		req := providers.Request{User: "u"}
		if stream {
			req.OnDelta = func(string) {}
		}
		if _, err := c.Generate(providers.WithProgress(context.Background(), func() { n++ }), req); err != nil || n == 0 {
			t.Fatalf("stream %v: progress reported %d times, err %v", stream, n, err)
		}
	}
	srv.Fail(fake.Status429)
	srv.SetRetryAfter("")
	srv.SetHeader("X-Ratelimit-Remaining-Requests", "0")
	srv.SetHeader("X-Ratelimit-Reset-Requests", "6m0s")
	_, err := c.Generate(context.Background(), providers.Request{User: "u"})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Status != 429 || pe.RetryAfter != 6*time.Minute {
		t.Fatalf("429: %#v", err)
	}
}

// TestCheckReadsTheModelList: a 200 that is not a whole model list fails
// the check; a stalled one when ctx ends (synctest's clock).
func TestCheckReadsTheModelList(t *testing.T) {
	for fault, want := range map[string]string{
		fake.CheckGarbage: "the model list was not valid JSON",
		fake.CheckEmpty:   "the model list was empty",
		fake.CheckWrong:   "the answer was not a model list",
		fake.CheckStall:   "the model list did not arrive in time",
	} {
		t.Run(fault, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := fake.NewInProcess(fake.OpenAI, "x")
				c := New(Config{Name: "groq", BaseURL: srv.URL, HTTPClient: srv.HTTPClient()})
				srv.FailChecks(fault)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				err := c.Check(ctx)
				if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, providers.ErrBadResponse) && !errors.Is(err, providers.ErrUnavailable) {
					t.Fatalf("check = %v, want %q", err, want)
				}
			})
		})
	}
}

func FuzzReadWhole(f *testing.F) {
	f.Add([]byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`))
	f.Add([]byte(`{"choices":[]}`))
	f.Add([]byte(`{"choices":[{"message":{"content":null}}]}`))
	f.Add([]byte(`{"id":"x","choices":[{"message":{"content":"half`))
	f.Add([]byte(`<html>502</html>`))
	f.Add([]byte(`{"choices":[{"message":{"content":"  "}}],"usage":{"prompt_tokens":-1}}`))
	c := New(Config{Name: "groq", BaseURL: "http://x"})
	f.Fuzz(func(t *testing.T, body []byte) {
		var out providers.Response
		var delta string
		err := c.readWhole(context.Background(), bytes.NewReader(body), func(s string) { delta += s }, &out)
		checkParsed(t, err, out, delta)
	})
}

func FuzzReadStream(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"One \"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"two\"}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"Half\"}}]}\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"Half\"}}]}\n\ndata: {\"error\":{\"message\":\"boom\"}}\n\n"))
	f.Add([]byte("data: not json\n\n"))
	f.Add([]byte(": keep-alive\n\ndata: [DONE]\n\n"))
	c := New(Config{Name: "groq", BaseURL: "http://x"})
	f.Fuzz(func(t *testing.T, body []byte) {
		var out providers.Response
		var delta string
		err := c.readStream(context.Background(), bytes.NewReader(body), func(s string) { delta += s }, &out)
		checkParsed(t, err, out, delta)
		if err == nil && delta != out.Text {
			t.Fatalf("streamed %q but answered %q", delta, out.Text)
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	f.Add([]byte(`{"error":{"message":"Incorrect API key provided: `+key+`","type":"invalid_request_error"}}`), key)
	f.Add([]byte(`{"error":"Rate limit reached"}`), "")
	f.Add([]byte(`<html>`), "k")
	f.Add([]byte(`{"error":{"message":"`+strings.Repeat("é", 400)+`"}}`), "x")
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

// checkParsed is what every parse must hold: an answer has text, a
// failure is a *providers.Error the router can branch on.
func checkParsed(t *testing.T, err error, out providers.Response, delta string) {
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
