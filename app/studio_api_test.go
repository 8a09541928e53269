package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/autopilot"
	"tubeagency/app/studio"
	"tubeagency/app/voice"
	"tubeagency/internal/store"
)

// waitPackage polls until package id reaches status or the deadline passes.
func waitPackage(tb testing.TB, a *App, id, status string) Package {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		p, err := a.GetPackage(id)
		if err == nil && p.Status == status && len(a.rt.studio.studio.Running()) == 0 {
			return p
		}
		if time.Now().After(deadline) {
			tb.Fatalf("package %s never reached %s: %+v (err %v)", id, status, p.Content.Steps, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func serveMux(rt *Runtime) *http.ServeMux {
	mux := http.NewServeMux()
	for pattern, h := range rt.HTTPHandlers() {
		mux.Handle(pattern, h)
	}
	return mux
}

func TestStudioOfflinePackageWithVoiceServedAndExported(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	in := validChannel()
	in.Format = store.FormatShorts
	ch, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	events, stop := rt.Hub().Subscribe(1000)
	defer stop()
	p, err := a.StudioCreate(ch.ID, "", true)
	if err != nil {
		t.Fatal(err)
	}
	p = waitPackage(t, a, p.ID, store.StatusReady)
	for _, step := range studio.Steps {
		if st := p.Content.Steps[step]; st.Status != studio.StateDone || st.Provider == "" {
			t.Fatalf("step %s: %+v", step, st)
		}
	}
	if p.Content.Steps[studio.StepVoice].Provider != "espeak-ng" {
		t.Fatalf("voice by %q", p.Content.Steps[studio.StepVoice].Provider)
	}
	// The voice-over is a real WAV in the data folder whose measured length
	// fits the script at its words per minute.
	path := filepath.Join(rt.opts.DataDir, "audio", p.Content.Voice.File)
	info, err := voice.ReadWAVFile(path)
	if err != nil || info.DataBytes == 0 {
		t.Fatalf("voice-over %s: %+v %v", path, info, err)
	}
	want := studio.ScriptSeconds(p.Content.Hook, p.Content.Script, p.Content.WordsPerMinute)
	if info.Seconds < want*0.5 || info.Seconds > want*2 {
		t.Fatalf("voice-over lasts %.1f s; the script reads in %.1f s", info.Seconds, want)
	}
	sawDone := 0
	for len(events) > 0 {
		ev := <-events
		if pr, ok := ev.Data.(studio.Progress); ok && ev.Name == "job" && pr.PackageID == p.ID && pr.Status == studio.StateDone {
			sawDone++
		}
	}
	if sawDone != len(studio.Steps) {
		t.Fatalf("%d step-done events, want %d", sawDone, len(studio.Steps))
	}

	srv := httptest.NewServer(serveMux(rt))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/audio/" + p.Content.Voice.File)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	disk, _ := os.ReadFile(path)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "audio/wav" || len(body) != len(disk) {
		t.Fatalf("audio route: %d %s, %d bytes of %d", res.StatusCode, res.Header.Get("Content-Type"), len(body), len(disk))
	}
	for _, bad := range []string{"..%2Ftubeagency.db", "tubeagency.db", "x.wav.exe"} {
		res, err := http.Get(srv.URL + "/api/audio/" + bad)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Fatalf("audio route served %q with %d", bad, res.StatusCode)
		}
	}

	res, err = http.Get(srv.URL + "/api/export/" + p.ID + "/json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	var exp studio.Export
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; filename=") || json.Unmarshal(body, &exp) != nil || exp.Title != p.Title {
		t.Fatalf("json export: %d %q %s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}
	md, err := a.StudioExport(p.ID, "markdown")
	if err != nil || !strings.HasSuffix(md.Name, ".md") || !strings.Contains(md.Content, "# "+p.Title) || !strings.Contains(md.Content, "0:00") {
		t.Fatalf("markdown export %+v %v", md.Name, err)
	}
	res, _ = http.Get(srv.URL + "/api/export/" + p.ID + "/pdf")
	res.Body.Close()
	if res.StatusCode != 422 {
		t.Fatalf("pdf export answered %d, want 422", res.StatusCode)
	}

	// Deleting the package removes its voice-over from this device too.
	if err := a.StudioDelete(p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("voice-over still on disk after the delete: %v", err)
	}
	if _, err := a.GetPackage(p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("package after delete: %v", err)
	}
	if err := a.StudioDelete(p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestStudioAPIBadInputNamesTheFieldAndWritesNothing(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	before := counts(t, rt)
	scenarios := []struct {
		name  string
		call  func() error
		field string
	}{
		{"no channel", func() error { _, err := a.StudioCreate("", "x", false); return err }, "channel_id"},
		{"unknown channel", func() error { _, err := a.StudioCreate("nope", "x", false); return err }, "channel_id"},
		{"topic too long", func() error { _, err := a.StudioCreate(ch.ID, strings.Repeat("t", 201), false); return err }, "topic"},
		{"control character in topic", func() error { _, err := a.StudioCreate(ch.ID, "a\x00b", false); return err }, "topic"},
		{"unknown step", func() error { return a.StudioRegenerate("x", "music") }, "step"},
		{"export format", func() error { _, err := a.StudioExport("x", "pdf"); return err }, "format"},
		{"cadence", func() error { _, err := a.AutopilotSetChannel(ch.ID, true, 0); return err }, "cadence"},
		{"enqueue count", func() error { _, err := a.AutopilotEnqueue(ch.ID, 0); return err }, "count"},
		{"enqueue channel", func() error { _, err := a.AutopilotEnqueue("nope", 1); return err }, "channel_id"},
		{"settings", func() error {
			s := autopilot.DefaultSettings()
			s.Ahead = 99
			_, err := a.AutopilotSaveSettings(s)
			return err
		}, "ahead"},
		{"retry unknown job", func() error { return a.AutopilotRetry("nope") }, "job_id"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			err := sc.call()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err %v, want a field error on %s", err, sc.field)
			}
		})
	}
	if after := counts(t, rt); after != before {
		t.Fatalf("bad input wrote rows: %v → %v", before, after)
	}
	if err := a.StudioRun("nope", false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("run of a missing package: %v", err)
	}
}

func TestAutopilotAPIFillsChannelAndSummarises(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	s := autopilot.DefaultSettings()
	s.Ahead, s.Voice = 2, false
	if _, err := a.AutopilotSaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AutopilotSetChannel(ch.ID, true, 3); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	var ov AutopilotOverview
	for {
		ov, err = a.AutopilotOverview()
		if err != nil {
			t.Fatal(err)
		}
		if len(ov.Channels) == 1 && ov.Channels[0].Ready == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("autopilot did not fill the channel: %+v", ov.Channels)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := ov.Channels[0]
	if !c.Autopilot || c.Cadence != 3 || c.Upcoming != 2 || c.NextRun.IsZero() || ov.Pool.Size < 1 {
		t.Fatalf("overview %+v pool %+v", c, ov.Pool)
	}
	sum, err := a.ActivitySummary()
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Channels) != 1 || sum.Channels[0].Generated != 2 || sum.Channels[0].Queued != 2 || sum.Providers["templates"] == 0 {
		t.Fatalf("summary %+v", sum)
	}
	if sum.Kinds["autopilot.on"] != 1 || sum.Kinds["channel.created"] != 1 {
		t.Fatalf("kinds %v", sum.Kinds)
	}
}

func TestActivitySummaryCoversOnlySinceTheLastVisit(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	clock := func() time.Time { return now }
	rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	a := rt.API()
	if _, err := a.CreateChannel(validChannel()); err != nil {
		t.Fatal(err)
	}
	sum, err := a.ActivitySummary()
	if err != nil || !sum.Since.IsZero() || sum.Entries != 1 {
		t.Fatalf("first visit: %+v %v", sum, err)
	}
	if err := a.ActivityMarkSeen(); err != nil {
		t.Fatal(err)
	}
	rt.Close()

	// Away for an hour: a channel is made on another start, then the user opens the app.
	now = now.Add(time.Hour)
	rt2, err := Start(context.Background(), Options{DataDir: dir, Mode: "test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	in := validChannel()
	in.Name = "Second"
	if _, err := rt2.API().CreateChannel(in); err != nil {
		t.Fatal(err)
	}
	sum, err = rt2.API().ActivitySummary()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Since.IsZero() || sum.Entries != 1 || sum.Kinds["channel.created"] != 1 {
		t.Fatalf("after the visit: %+v, want only the second channel", sum)
	}
}

func TestVoiceKeysComeFromTheKeyStore(t *testing.T) {
	rt := startTest(t)
	rt.keys.mode = "file"
	ctx := context.Background()
	get := rt.voiceKey(secretElevenLabs)
	if k, err := get(ctx); err != nil || k != "" {
		t.Fatalf("before a key is saved: %q %v, want empty", k, err)
	}
	ks, err := rt.Keys()
	if err != nil {
		t.Fatal(err)
	}
	const secret = "el-SECRET-7f3a"
	if err := ks.Set(secretElevenLabs, secret); err != nil {
		t.Fatal(err)
	}
	if k, err := get(ctx); err != nil || k != secret {
		t.Fatalf("after saving: %q %v", k, err)
	}
	info, err := rt.API().StudioInfo()
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Voices) == 0 || info.Voices[0] != "elevenlabs" {
		t.Fatalf("voices %v, want elevenlabs first once its key is saved", info.Voices)
	}
	b, _ := json.Marshal(info)
	if strings.Contains(string(b), secret) {
		t.Fatal("the key leaked into StudioInfo")
	}
	var n int
	if err := rt.store.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE payload LIKE '%' || ? || '%'`, secret).Scan(&n); err != nil || n != 0 {
		t.Fatalf("key found in %d outbox rows (%v)", n, err)
	}
}

func TestChannelSwitchedOnElsewhereIsPlannedAtOnce(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	in := validChannel()
	in.Autopilot = true
	ch, err := a.CreateChannel(in) // through the Channels page, not the Autopilot one
	if err != nil {
		t.Fatal(err)
	}
	// The planning loop ticks every 30 s; the channel event must wake it sooner.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := store.Count(context.Background(), rt.store.ReadDB(), store.PackageEntity, "channel_id = ?", ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n == autopilot.DefaultSettings().Ahead {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d packages planned 10 s after the channel was created with autopilot on", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAudioHandlerServesTheDesktopPath(t *testing.T) {
	rt := startTest(t)
	dir := filepath.Join(rt.opts.DataDir, "audio")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	name := "0192f0a4-1b2c-7d3e-8f40-123456789abc.wav"
	wav := voice.PCMToWAV(make([]byte, 3200), 16000, 1)
	if err := os.WriteFile(filepath.Join(dir, name), wav, 0o600); err != nil {
		t.Fatal(err)
	}
	// The desktop asset server hands over requests it has no file for,
	// without route parameters: the handler takes the name from the path.
	for _, path := range []string{"/audio/" + name, "/audio/../tubeagency.db", "/audio/notes.txt"} {
		rec := httptest.NewRecorder()
		rt.AudioHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		want := 404
		if path == "/audio/"+name {
			want = 200
		}
		if rec.Code != want || want == 200 && rec.Body.Len() != len(wav) {
			t.Fatalf("%s: %d with %d bytes, want %d", path, rec.Code, rec.Body.Len(), want)
		}
	}
}

func TestAutopilotDefersWhenEveryDailyQuotaIsSpent(t *testing.T) {
	rt := startTest(t)
	rt.keys.mode = "file"
	a := rt.API()
	ctx := context.Background()
	// Groq is the only usable remote provider: keyed, allowed one request a
	// day, and unreachable.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/v1"
	l.Close()
	view, err := a.ListProviders()
	if err != nil {
		t.Fatal(err)
	}
	var model string
	for _, p := range view.Providers {
		if p.Name == "groq" {
			model = p.Model
		}
	}
	if _, err := a.SaveProvider(ProviderInput{Name: "groq", Enabled: true, Model: model, BaseURL: dead, DailyQuota: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetProviderKey("groq", "gsk_quota_test_key_0000abcd"); err != nil {
		t.Fatal(err)
	}
	if spent, _, _ := rt.QuotaExhausted(ctx); spent {
		t.Fatal("quota spent before any request")
	}
	// Today's one request is used (as a call to Groq would count it; the
	// router may already have found the network down and not try at all).
	if !rt.providers.quotas.Take("groq", 1) {
		t.Fatal("the quota refused its first request")
	}
	if spent, _, _ := rt.QuotaExhausted(ctx); !spent {
		t.Fatal("the one daily request was used but the quota is not spent")
	}

	s := autopilot.DefaultSettings()
	s.Ahead, s.Voice, s.OnQuota = 1, false, autopilot.OnQuotaDefer
	if _, err := a.AutopilotSaveSettings(s); err != nil {
		t.Fatal(err)
	}
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AutopilotSetChannel(ch.ID, true, 2); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ov, err := a.AutopilotOverview()
		if err != nil {
			t.Fatal(err)
		}
		if len(ov.Channels) == 1 && ov.Channels[0].Deferred == 1 {
			if ov.Channels[0].Ready != 0 {
				t.Fatalf("a package was written despite the defer choice: %+v", ov.Channels[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no job deferred: %+v", ov.Channels)
		}
		time.Sleep(20 * time.Millisecond)
	}
	sum, err := a.ActivitySummary()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Kinds["autopilot.deferred"] != 1 || sum.Channels[0].Deferred != 1 {
		t.Fatalf("summary %+v", sum)
	}
}

func TestVoiceKeyAPI(t *testing.T) {
	rt := startTest(t)
	rt.keys.mode = "file"
	a := rt.API()
	const secret = "el-SECRET-key-0000wxyz"
	bad := []struct {
		name, engine, key, field string
	}{
		{"unknown engine", "espeak-ng", secret, "engine"},
		{"empty key", "elevenlabs", "  ", "key"},
		{"short key", "elevenlabs", "abc", "key"},
		{"key with a space", "elevenlabs", "abcd efgh ijkl", "key"},
	}
	for _, sc := range bad {
		t.Run(sc.name, func(t *testing.T) {
			_, err := a.SetVoiceKey(sc.engine, sc.key)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err %v, want a field error on %s", err, sc.field)
			}
			if k, _ := rt.voiceKey(secretElevenLabs)(context.Background()); k != "" {
				t.Fatal("a rejected key was stored")
			}
		})
	}
	engines, err := a.SetVoiceKey("elevenlabs", "  "+secret+"  ")
	if err != nil {
		t.Fatal(err)
	}
	if len(engines) != 3 || engines[0].Name != "elevenlabs" || !engines[0].Available || !engines[0].HasKey || engines[0].KeyHint != "••••wxyz" {
		t.Fatalf("engines %+v", engines)
	}
	if engines[1].KeyFrom == "" || engines[1].Available {
		t.Fatalf("openai-tts %+v: want unavailable, keyed from Providers", engines[1])
	}
	b, _ := json.Marshal(engines)
	if strings.Contains(string(b), secret) {
		t.Fatal("the key came back from the API")
	}
	if engines, err = a.ClearVoiceKey("elevenlabs"); err != nil || engines[0].HasKey || engines[0].Available {
		t.Fatalf("after clearing: %+v %v", engines, err)
	}
	if engines[0].Message == "" || !strings.Contains(engines[0].Message, "Settings") {
		t.Fatalf("no hint on what to do: %+v", engines[0])
	}
}

// The desktop holds the autopilot until the window has painted: a channel
// created with autopilot on gets no packages before, and its packages
// after. Without a paint report the wait ends at PaintWait.
func TestAutopilotWaitsForTheFirstPaint(t *testing.T) {
	countOf := func(rt *Runtime, channelID string) int {
		n, err := store.Count(context.Background(), rt.store.ReadDB(), store.PackageEntity, "channel_id = ?", channelID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitPlanned := func(rt *Runtime, channelID string) {
		deadline := time.Now().Add(20 * time.Second)
		for countOf(rt, channelID) != autopilot.DefaultSettings().Ahead {
			if time.Now().After(deadline) {
				t.Fatalf("%d packages planned", countOf(rt, channelID))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Run("painted", func(t *testing.T) {
		painted := make(chan struct{})
		rt, err := Start(context.Background(), Options{DataDir: t.TempDir(), Mode: "test", Painted: painted, PaintWait: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rt.Close() })
		in := validChannel()
		in.Autopilot = true
		ch, err := rt.API().CreateChannel(in)
		if err != nil {
			t.Fatal(err)
		}
		// Unheld, the plan takes a few ms (TestChannelSwitchedOnElsewhereIsPlannedAtOnce).
		time.Sleep(300 * time.Millisecond)
		if n := countOf(rt, ch.ID); n != 0 {
			t.Fatalf("%d packages planned before the window painted", n)
		}
		close(painted)
		waitPlanned(rt, ch.ID)
	})
	t.Run("never painted", func(t *testing.T) {
		rt, err := Start(context.Background(), Options{DataDir: t.TempDir(), Mode: "test", Painted: make(chan struct{}), PaintWait: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rt.Close() })
		in := validChannel()
		in.Autopilot = true
		ch, err := rt.API().CreateChannel(in)
		if err != nil {
			t.Fatal(err)
		}
		waitPlanned(rt, ch.ID)
	})
}
