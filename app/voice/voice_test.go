package voice_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tubeagency/app/voice"
	"tubeagency/app/voice/elevenlabs"
	"tubeagency/app/voice/espeak"
	"tubeagency/app/voice/openai"
)

const secretKey = "sk-test-SECRET-0123456789"

func keyOf(k string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return k, nil }
}

func TestParseWAV(t *testing.T) {
	oneSecond := voice.PCMToWAV(make([]byte, 16000*2), 16000, 1)
	streamed := append([]byte(nil), oneSecond...)
	binary.LittleEndian.PutUint32(streamed[4:], 0xFFFFFFFF)
	binary.LittleEndian.PutUint32(streamed[40:], 0xFFFFFFFF)
	// A LIST chunk (odd size, padded) before data must be skipped.
	withList := append([]byte(nil), oneSecond[:36]...)
	withList = append(withList, []byte("LIST")...)
	withList = binary.LittleEndian.AppendUint32(withList, 3)
	withList = append(withList, 'a', 'b', 'c', 0)
	withList = append(withList, oneSecond[36:]...)
	stereo := voice.PCMToWAV(make([]byte, 8000*4/2), 8000, 2)

	scenarios := []struct {
		name    string
		in      []byte
		seconds float64
		wantErr bool
	}{
		{name: "mono 16 kHz, one second", in: oneSecond, seconds: 1},
		{name: "streamed sizes", in: streamed, seconds: 1},
		{name: "LIST chunk before data", in: withList, seconds: 1},
		{name: "stereo 8 kHz, half a second", in: stereo, seconds: 0.5},
		{name: "not a WAV", in: []byte("ID3\x03 mp3 data here"), wantErr: true},
		{name: "truncated header", in: oneSecond[:20], wantErr: true},
		{name: "data before fmt", in: append([]byte("RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00"), 1, 2, 3, 4), wantErr: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			info, err := voice.ParseWAV(sc.in)
			if sc.wantErr {
				if !errors.Is(err, voice.ErrBadAudio) {
					t.Fatalf("err = %v, want ErrBadAudio", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Seconds != sc.seconds {
				t.Fatalf("seconds = %v, want %v", info.Seconds, sc.seconds)
			}
		})
	}
}

func requireEspeak(t *testing.T) {
	t.Helper()
	if err := (&espeak.Client{}).Available(context.Background()); err != nil {
		t.Fatalf("espeak-ng must be installed for the voice tests (apt install espeak-ng): %v", err)
	}
}

func TestEspeakMeasuredDurationMatchesTheText(t *testing.T) {
	requireEspeak(t)
	words := strings.Repeat("The quick brown fox jumps over the lazy dog near the river bank. ", 10)
	n := len(strings.Fields(words))
	path := filepath.Join(t.TempDir(), "audio", "p1.wav")
	c := &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}}
	res, err := c.Synthesize(context.Background(), voice.Request{Text: words, WordsPerMinute: 160}, path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != res.Bytes || res.Bytes < 1000 {
		t.Fatalf("file %v (%v), result says %d bytes", st, err, res.Bytes)
	}
	expected := float64(n) / 160 * 60
	if res.Seconds < expected*0.6 || res.Seconds > expected*1.6 {
		t.Fatalf("%d words at 160 wpm measured %.1f s, want near %.1f s", n, res.Seconds, expected)
	}
	if res.Engine != "espeak-ng" || res.MimeType != "audio/wav" {
		t.Fatalf("result %+v", res)
	}
}

// elevenLabsServer speaks ElevenLabs' wire format: PCM on success, a
// {"detail": {...}} body on failure.
func elevenLabsServer(t *testing.T, status int, pcmBytes int) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/v1/text-to-speech/") {
			http.Error(w, `{"detail":"Not Found"}`, 404)
			return
		}
		if r.URL.Query().Get("output_format") != "pcm_22050" {
			t.Errorf("output_format = %q", r.URL.Query().Get("output_format"))
		}
		var body struct {
			Text    string `json:"text"`
			ModelID string `json:"model_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Text == "" || body.ModelID == "" {
			t.Errorf("body %+v err %v", body, err)
		}
		if r.Header.Get("xi-api-key") != secretKey {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`)
			return
		}
		switch status {
		case 200:
			w.Header().Set("Content-Type", "audio/pcm")
			_, _ = w.Write(make([]byte, pcmBytes))
		case 429:
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(429)
			_, _ = io.WriteString(w, `{"detail":{"status":"too_many_concurrent_requests","message":"Too many concurrent requests"}}`)
		default:
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota. You have 0 credits remaining."}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestElevenLabsWireFormat(t *testing.T) {
	scenarios := []struct {
		name    string
		key     string
		status  int
		wantErr string
		seconds float64
	}{
		{name: "two seconds of PCM", key: secretKey, status: 200, seconds: 2},
		{name: "bad key", key: "wrong-" + secretKey, status: 200, wantErr: "invalid_api_key"},
		{name: "rate limited", key: secretKey, status: 429, wantErr: "too_many_concurrent_requests"},
		{name: "quota", key: secretKey, status: 401, wantErr: "quota_exceeded"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			srv, _ := elevenLabsServer(t, sc.status, 22050*2*2)
			c := &elevenlabs.Client{Key: keyOf(sc.key), BaseURL: srv.URL}
			wav, err := c.Synthesize(context.Background(), voice.Request{Text: "Hello there"})
			if sc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), sc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, sc.wantErr)
				}
				if strings.Contains(err.Error(), secretKey) {
					t.Fatalf("error leaks the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			info, err := voice.ParseWAV(wav)
			if err != nil || info.Seconds != sc.seconds || info.SampleRate != 22050 {
				t.Fatalf("info %+v err %v", info, err)
			}
		})
	}
}

func TestOpenAITTSWireFormat(t *testing.T) {
	var inputs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/audio/speech" || r.Method != http.MethodPost {
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"error":{"message":"Unknown request URL","type":"invalid_request_error","code":"unknown_url"}}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+secretKey {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":{"message":"Incorrect API key provided: wrong-sk-***789.","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		var body struct {
			Model, Input, Voice string
			ResponseFormat      string `json:"response_format"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body.ResponseFormat != "wav" || body.Model == "" || body.Voice == "" {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":{"message":"bad request","type":"invalid_request_error","code":null}}`)
			return
		}
		inputs = append(inputs, body.Input)
		// A streamed WAV: sizes left at 0xFFFFFFFF, one second per part.
		wav := voice.PCMToWAV(make([]byte, 24000*2), 24000, 1)
		binary.LittleEndian.PutUint32(wav[4:], 0xFFFFFFFF)
		binary.LittleEndian.PutUint32(wav[40:], 0xFFFFFFFF)
		w.Header().Set("Content-Type", "audio/wav")
		_, _ = w.Write(wav)
	}))
	defer srv.Close()

	long := strings.Repeat("This sentence is part of a long script. ", 200) // ~8 KB: two or three parts
	c := &openai.Client{Key: keyOf(secretKey), BaseURL: srv.URL}
	wav, err := c.Synthesize(context.Background(), voice.Request{Text: long, WordsPerMinute: 150})
	if err != nil {
		t.Fatal(err)
	}
	info, err := voice.ParseWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 2 || info.Seconds != float64(len(inputs)) {
		t.Fatalf("%d parts gave %.2f s, want one second per part", len(inputs), info.Seconds)
	}
	if strings.Join(inputs, " ") != strings.TrimSpace(long) {
		t.Fatalf("parts do not add up to the text")
	}

	bad := &openai.Client{Key: keyOf("wrong-" + secretKey), BaseURL: srv.URL}
	_, err = bad.Synthesize(context.Background(), voice.Request{Text: "hi"})
	if err == nil || !strings.Contains(err.Error(), "Incorrect API key") || strings.Contains(err.Error(), secretKey) {
		t.Fatalf("bad key: %v", err)
	}
}

func TestChainFallsBackInOrder(t *testing.T) {
	requireEspeak(t)
	failing, failCalls := elevenLabsServer(t, 500, 0)
	scenarios := []struct {
		name       string
		engines    []voice.Engine
		wantEngine string
		wantErr    error
	}{
		{
			name: "elevenlabs fails, espeak answers",
			engines: []voice.Engine{
				&elevenlabs.Client{Key: keyOf(secretKey), BaseURL: failing.URL},
				&openai.Client{}, // no key: skipped
				&espeak.Client{},
			},
			wantEngine: "espeak-ng",
		},
		{
			name:    "nothing configured",
			engines: []voice.Engine{&elevenlabs.Client{}, &openai.Client{Key: keyOf("")}, &espeak.Client{Binary: "espeak-ng-not-installed"}},
			wantErr: voice.ErrNoEngine,
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v.wav")
			c := &voice.Chain{Engines: sc.engines}
			res, err := c.Synthesize(context.Background(), voice.Request{Text: "A short voice over."}, path)
			if sc.wantErr != nil {
				if !errors.Is(err, sc.wantErr) {
					t.Fatalf("err = %v, want %v", err, sc.wantErr)
				}
				if !strings.Contains(err.Error(), "Settings") || !strings.Contains(err.Error(), "espeak-ng") {
					t.Fatalf("message does not tell the user what to do: %v", err)
				}
				if _, statErr := os.Stat(path); !os.IsNotExist(statErr) {
					t.Fatalf("a file was written despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Engine != sc.wantEngine || len(res.Skipped) != 2 {
				t.Fatalf("result %+v, want %s after skipping two", res, sc.wantEngine)
			}
			for _, s := range res.Skipped {
				if strings.Contains(s, secretKey) {
					t.Fatalf("skip reason leaks the key: %s", s)
				}
			}
		})
	}
	if failCalls.Load() == 0 {
		t.Fatal("the failing ElevenLabs server was never called")
	}
}

func TestChainHonoursCancelWhileAServerHangs(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c := &voice.Chain{Engines: []voice.Engine{&elevenlabs.Client{Key: keyOf(secretKey), BaseURL: srv.URL}, &espeak.Client{}}}
	_, err := c.Synthesize(ctx, voice.Request{Text: "hello"}, filepath.Join(t.TempDir(), "v.wav"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

func TestEmptyText(t *testing.T) {
	c := &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}}
	if _, err := c.Synthesize(context.Background(), voice.Request{Text: "  "}, filepath.Join(t.TempDir(), "v.wav")); !errors.Is(err, voice.ErrEmptyText) {
		t.Fatalf("err = %v", err)
	}
}
