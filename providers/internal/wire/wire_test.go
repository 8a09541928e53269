package wire

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
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
