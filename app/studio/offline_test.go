package studio

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tubeagency/app/voice"
	"tubeagency/app/voice/elevenlabs"
	"tubeagency/app/voice/espeak"
	voiceopenai "tubeagency/app/voice/openai"
	"tubeagency/internal/store"
	"tubeagency/providers/anthropic"
	"tubeagency/providers/openai"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

// deadURL is an address where nothing listens: connections are refused,
// as they are for every provider when the machine is offline.
func deadURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func key() (string, error) { return "sk-offline-test-key", nil }

// offlineRouter is the real router with real clients whose endpoints are
// all unreachable, falling back to the real local templates.
func offlineRouter(tb testing.TB) *router.Router {
	tb.Helper()
	tpl, err := templates.New(templates.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	dead := deadURL(tb)
	r, err := router.New(router.Config{
		Providers: []router.Entry{
			{Provider: openai.New(openai.Config{Name: "groq", BaseURL: dead + "/v1", Model: "llama-3.3-70b", Key: key})},
			{Provider: anthropic.New(anthropic.Config{BaseURL: dead, Model: "claude-haiku", Key: key})},
			{Provider: openai.New(openai.Config{Name: "ollama", BaseURL: dead + "/v1", Model: "llama3"}), Offline: true},
		},
		Fallback: tpl,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestOfflinePipelineEveryProviderUnreachable(t *testing.T) {
	st := openStore(t)
	ch := addChannel(t, st, "Crema Lab", store.FormatShorts)
	dead := deadURL(t)
	ttsKey := func(context.Context) (string, error) { return "sk-offline-test-key", nil }
	chain := &voice.Chain{Engines: []voice.Engine{
		&elevenlabs.Client{Key: ttsKey, BaseURL: dead},
		&voiceopenai.Client{Key: ttsKey, BaseURL: dead},
		&espeak.Client{},
	}}
	audio := filepath.Join(t.TempDir(), "audio")
	var kinds []string
	s := New(Config{Store: st, Generator: offlineRouter(t), Voice: chain, AudioDir: audio, LogActivity: logTo(st, &kinds)})
	ctx := context.Background()
	p, err := s.Create(ctx, ch.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err = s.Run(ctx, p.ID, RunOptions{Source: "studio"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != store.StatusReady {
		t.Fatalf("status %q, steps %+v", p.Status, p.Content.Steps)
	}
	for _, step := range Steps[:len(Steps)-1] {
		if st := p.Content.Steps[step]; st.Status != StateDone || st.Provider != templates.Name {
			t.Fatalf("step %s: %+v, want done by the templates", step, st)
		}
		// The step says why the templates wrote it.
		if n := p.Content.Steps[step].Note; !strings.HasSuffix(n, "Local templates answered instead.") || !strings.Contains(n, "ollama ") {
			t.Fatalf("step %s note %q: want why the providers did not answer", step, n)
		}
	}
	if len(p.Content.Ideas) == 0 || len(p.Content.Titles) < MinTitles || p.Content.Hook == "" || len(p.Content.Script) == 0 ||
		p.Content.Description == "" || len(p.Content.Tags) == 0 || p.Content.Thumbnail == "" || p.Title == "" || p.Topic == "" {
		t.Fatalf("incomplete package: %+v", p.Content)
	}
	v := p.Content.Voice
	if v == nil || v.Engine != "espeak-ng" {
		t.Fatalf("voice %+v, want espeak-ng after both online engines failed", v)
	}
	path := filepath.Join(audio, v.File)
	fi, err := os.Stat(path)
	if err != nil || fi.Size() == 0 || fi.Size() != v.Bytes {
		t.Fatalf("voice-over file %v %v, metadata %d bytes", fi, err, v.Bytes)
	}
	info, err := voice.ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	words := Words(SpokenText(p.Content.Hook, p.Content.Script))
	expected := ScriptSeconds(p.Content.Hook, p.Content.Script, p.Content.WordsPerMinute)
	if info.Seconds != v.Seconds || info.Seconds < expected*0.5 || info.Seconds > expected*2 {
		t.Fatalf("%d words at %d wpm should take about %.1f s; the WAV lasts %.1f s (metadata %.1f s)",
			words, p.Content.WordsPerMinute, expected, info.Seconds, v.Seconds)
	}
	if len(kinds) != 1 || kinds[0] != "studio.ready" {
		t.Fatalf("activity %v", kinds)
	}
}

var _ Generator = (*router.Router)(nil)
