package wire

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"tubeagency/providers"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	scenarios := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"1.5", 1500 * time.Millisecond},
		{"-4", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, sc := range scenarios {
		h := http.Header{}
		if sc.value != "" {
			h.Set("Retry-After", sc.value)
		}
		if got := RetryAfter(h, now); got != sc.want {
			t.Errorf("Retry-After %q = %v, want %v", sc.value, got, sc.want)
		}
	}
}

func TestStatusError(t *testing.T) {
	scenarios := []struct {
		status    int
		sentinel  error
		retryable bool
	}{
		{400, providers.ErrBadResponse, false},
		{401, providers.ErrMisconfigured, false},
		{403, providers.ErrMisconfigured, false},
		{404, providers.ErrMisconfigured, false},
		{408, providers.ErrUnavailable, true},
		{429, providers.ErrRateLimited, true},
		{500, providers.ErrUnavailable, true},
		{503, providers.ErrUnavailable, true},
	}
	for _, sc := range scenarios {
		e := StatusError("groq", sc.status, http.Header{}, "", time.Now())
		if !errors.Is(e, sc.sentinel) || e.Retryable != sc.retryable || e.Message == "" {
			t.Errorf("%d: %+v", sc.status, e)
		}
	}
}

func TestScrub(t *testing.T) {
	got := Scrub("Incorrect API key provided: sk-abc123\n\n  please check", "sk-abc123")
	if strings.Contains(got, "sk-abc123") || got != "Incorrect API key provided: [redacted] please check" {
		t.Fatalf("scrubbed = %q", got)
	}
	if len(Scrub(strings.Repeat("x", 1000), "")) > 310 {
		t.Fatal("long message not bounded")
	}
}

func TestEvents(t *testing.T) {
	stream := ": keep-alive\n\nevent: a\ndata: one\ndata: two\n\ndata: [DONE]\n\ndata: after\n\n"
	var got []string
	err := Events(strings.NewReader(stream), func(ev, data string) (bool, error) {
		got = append(got, ev+"="+data)
		return data == "[DONE]", nil
	})
	if err != nil || strings.Join(got, "|") != "a=one\ntwo|=[DONE]" {
		t.Fatalf("events %q, err %v", got, err)
	}
	err = Events(strings.NewReader("data: one\n\ndata: half"), func(string, string) (bool, error) { return false, nil })
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("stream without terminator: err = %v", err)
	}
}

func TestParseReset(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	scenarios := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"1s", time.Second},
		{"6m0s", 6 * time.Minute},
		{"2m59.56s", 2*time.Minute + 59560*time.Millisecond},
		{"20ms", 20 * time.Millisecond},
		{"7.66s", 7660 * time.Millisecond},
		{"0d5m", 5 * time.Minute},
		{"1d2h", MaxWait},
		{"12", 12 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{fmt.Sprint(now.Add(90 * time.Second).Unix()), 90 * time.Second},
		{now.Add(40 * time.Second).Format(time.RFC3339), 40 * time.Second},
		{now.Add(1500 * time.Millisecond).Format(time.RFC3339Nano), 1500 * time.Millisecond},
		{now.Add(-time.Minute).Format(time.RFC3339), 0},
		{"-3s", 0},
		{"NaN", 0},
		{"1e300", MaxWait},
		{"9999h", MaxWait},
		{"soon", 0},
	}
	for _, sc := range scenarios {
		if got := ParseReset(sc.value, now); got != sc.want {
			t.Errorf("ParseReset(%q) = %v, want %v", sc.value, got, sc.want)
		}
	}
}

func TestRateLimitReset(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	scenarios := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", h(), 0},
		{"requests spent", h("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s",
			"x-ratelimit-remaining-tokens", "900", "x-ratelimit-reset-tokens", "100ms"), 30 * time.Second},
		{"both spent: the later", h("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s",
			"x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "1m"), time.Minute},
		{"none says spent: the earliest", h("x-ratelimit-reset-requests", "30s", "x-ratelimit-reset-tokens", "2s"), 2 * time.Second},
		{"anthropic", h("anthropic-ratelimit-requests-remaining", "0",
			"anthropic-ratelimit-requests-reset", now.Add(25*time.Second).Format(time.RFC3339),
			"anthropic-ratelimit-output-tokens-remaining", "100",
			"anthropic-ratelimit-output-tokens-reset", now.Add(5*time.Second).Format(time.RFC3339)), 25 * time.Second},
		{"anthropic input tokens", h("anthropic-ratelimit-input-tokens-remaining", "0",
			"anthropic-ratelimit-input-tokens-reset", now.Add(8*time.Second).Format(time.RFC3339)), 8 * time.Second},
		{"unreadable", h("x-ratelimit-reset-requests", "later", "x-ratelimit-remaining-requests", "0"), 0},
	}
	for _, sc := range scenarios {
		if got := RateLimitReset(sc.h, now); got != sc.want {
			t.Errorf("%s: %v, want %v", sc.name, got, sc.want)
		}
	}
	// Retry-After wins; 503s read only Retry-After
	both := h("Retry-After", "4", "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s")
	if Wait(429, both, now) != 4*time.Second || Wait(503, h("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s"), now) != 0 ||
		Wait(429, h("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s"), now) != 30*time.Second {
		t.Fatal("Wait does not prefer Retry-After, or reads rate-limit resets on a 503")
	}
	if e := StatusError("groq", 429, h("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s"), "", now); e.RetryAfter != 30*time.Second {
		t.Fatalf("429 RetryAfter = %v", e.RetryAfter)
	}
}

func TestModelList(t *testing.T) {
	scenarios := []struct {
		body string
		n    int
		err  string
	}{
		{`{"object":"list","data":[{"id":"a"},{"id":"b"}]}`, 2, ""},
		{`{"data":[],"has_more":false,"first_id":null,"last_id":null}`, 0, ""},
		{`[{"id":"openai/gpt-4o-mini"}]`, 1, ""},
		{"", 0, "the model list was empty"},
		{"  \n", 0, "the model list was empty"},
		{"<html>Bad gateway</html>", 0, "the model list was not valid JSON"},
		{`{"object":"list","data":[{"id":`, 0, "the model list was not valid JSON"},
		{`{"status":"ok"}`, 0, "the answer was not a model list"},
		{`{"data":{"id":"a"}}`, 0, "the answer was not a model list"},
		{`null`, 0, "the answer was not a model list"},
		{`[1,`, 0, "the model list was not valid JSON"},
	}
	for _, sc := range scenarios {
		n, err := ModelList([]byte(sc.body))
		if n != sc.n || (err == nil) != (sc.err == "") || (err != nil && err.Error() != sc.err) {
			t.Errorf("ModelList(%q) = %d, %v; want %d, %q", sc.body, n, err, sc.n, sc.err)
		}
	}
}

func TestProgressBody(t *testing.T) {
	n := 0
	b := ProgressBody(io.NopCloser(iotest.OneByteReader(strings.NewReader("abc"))), func() { n++ })
	raw, err := io.ReadAll(b)
	if err != nil || string(raw) != "abc" || n != 3 {
		t.Fatalf("read %q, %v, progress %d", raw, err, n)
	}
}

func FuzzParseReset(f *testing.F) {
	for _, s := range []string{"1s", "6m0s", "2m59.56s", "20ms", "0d5m", "1d", "12", "0.5", "1767225600", "2026-03-01T12:00:40Z",
		"2026-03-01T12:00:01.5+01:00", "-1s", "NaN", "Inf", "1e309", "9223372036854775807ns", "d", "0d", "99999999999999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := ParseReset(v, now); d < 0 || d > MaxWait {
			t.Fatalf("ParseReset(%q) = %v, outside [0, %v]", v, d, MaxWait)
		}
	})
}

func FuzzRateLimitHeaders(f *testing.F) {
	f.Add("30s", "0", "1m0s", "5", "2026-03-01T12:00:40Z", "0", "12")
	f.Add("", "", "", "", "", "", "")
	f.Add("2m59.56s", "-1", "7.66s", "0", "yesterday", "x", "Sun, 01 Mar 2026 12:01:00 GMT")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, resetReq, remReq, resetTok, remTok, anthReset, anthRem, retryAfter string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-Ratelimit-Reset-Requests": resetReq, "X-Ratelimit-Remaining-Requests": remReq,
			"X-Ratelimit-Reset-Tokens": resetTok, "X-Ratelimit-Remaining-Tokens": remTok,
			"Anthropic-Ratelimit-Requests-Reset": anthReset, "Anthropic-Ratelimit-Requests-Remaining": anthRem, "Retry-After": retryAfter} {
			if v != "" {
				h[k] = []string{v}
			}
		}
		for _, d := range []time.Duration{RateLimitReset(h, now), RetryAfter(h, now), Wait(429, h, now), Wait(503, h, now)} {
			if d < 0 || d > MaxWait {
				t.Fatalf("a wait of %v from %v", d, h)
			}
		}
		if e := StatusError("p", 429, h, "", now); e.RetryAfter != Wait(429, h, now) || !e.Retryable {
			t.Fatalf("429 error = %+v", e)
		}
	})
}

func FuzzEvents(f *testing.F) {
	f.Add("data: {\"a\":1}\n\ndata: [DONE]\n\n")
	f.Add("event: message_start\ndata: {}\n\n: ping\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	f.Add("data: one\ndata: two\n\n")
	f.Add("data: half")
	f.Add("\r\n\r\ndata:\r\n\r\n")
	f.Fuzz(func(t *testing.T, stream string) {
		calls := 0
		err := Events(strings.NewReader(stream), func(event, data string) (bool, error) {
			calls++
			if data == "" {
				t.Fatal("an event without data was passed on")
			}
			return data == "[DONE]", nil
		})
		if calls > strings.Count(stream, "data:") {
			t.Fatalf("%d events from %d data lines", calls, strings.Count(stream, "data:"))
		}
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, bufio.ErrTooLong) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func FuzzModelList(f *testing.F) {
	for _, s := range []string{`{"object":"list","data":[{"id":"a"}]}`, `[{"id":"x"}]`, "", "<html>", `{"data":null}`, `{"data":[1,2,3]}`, "[", "null"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, err := ModelList(raw)
		if n < 0 || (err == nil && !json.Valid(raw)) || (err != nil && n != 0) {
			t.Fatalf("ModelList(%q) = %d, %v", raw, n, err)
		}
	})
}
