package openai

import (
	"testing"
	"unicode/utf8"
)

// FuzzErrorMessage reads any error body the voice service could send (the
// transport caps it first): a message is drawn from the body, never longer
// than it, and never panics.
func FuzzErrorMessage(f *testing.F) {
	for _, s := range []string{
		`{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota."}}`,
		`{"detail":"Invalid API key"}`,
		`{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`,
		`{"detail":[{"loc":["body","text"],"msg":"field required"}]}`,
		`{"error":"rate limited"}`,
		`<html>502 Bad Gateway</html>`,
		`{"detail":{"message":"\u00e9t\u00e9"}}`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := errorMessage(body)
		// JSON escapes only shorten text; an invalid byte becomes U+FFFD
		// (three bytes).
		limit := len(body)
		if !utf8.Valid(body) {
			limit *= 3
		}
		if len(msg) > limit {
			t.Fatalf("message %q is longer than the body %q allows", msg, body)
		}
		if !utf8.ValidString(msg) {
			t.Fatalf("message %q is not valid UTF-8", msg)
		}
	})
}
