package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"tubeagency/internal/store"
)

func startTest(tb testing.TB) *Runtime {
	tb.Helper()
	rt, err := Start(context.Background(), Options{DataDir: tb.TempDir(), Mode: "test"})
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() { rt.Close() })
	return rt
}

func validChannel() ChannelInput {
	return ChannelInput{Name: "Cozy Cooking", Niche: "home cooking", Language: "en", Audience: "busy parents", Format: "long-form", Cadence: 2}
}

// counts returns channels, packages and outbox entries, tombstones included.
func counts(tb testing.TB, rt *Runtime) [3]int {
	tb.Helper()
	var c [3]int
	for i, q := range []string{`SELECT COUNT(*) FROM channels`, `SELECT COUNT(*) FROM packages`, `SELECT COUNT(*) FROM outbox`} {
		if err := rt.store.DB().QueryRow(q).Scan(&c[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

func TestChannelBadInputNamesFieldAndWritesNothing(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	existing, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	scenarios := []struct {
		name  string
		edit  func(*ChannelInput)
		field string
	}{
		{"empty name", func(c *ChannelInput) { c.Name = "" }, "name"},
		{"blank name", func(c *ChannelInput) { c.Name = "   \t " }, "name"},
		{"empty niche", func(c *ChannelInput) { c.Niche = "" }, "niche"},
		{"over-long name", func(c *ChannelInput) { c.Name = strings.Repeat("n", 101) }, "name"},
		{"over-long audience", func(c *ChannelInput) { c.Audience = strings.Repeat("a", 301) }, "audience"},
		{"bad format enum", func(c *ChannelInput) { c.Format = "vertical" }, "format"},
		{"bad language", func(c *ChannelInput) { c.Language = "english please" }, "language"},
		{"cadence zero", func(c *ChannelInput) { c.Cadence = 0 }, "cadence"},
		{"cadence too high", func(c *ChannelInput) { c.Cadence = 51 }, "cadence"},
		{"invalid utf-8 name", func(c *ChannelInput) { c.Name = "bad \xff\xfe bytes" }, "name"},
		{"invalid utf-8 niche", func(c *ChannelInput) { c.Niche = "\xc3\x28" }, "niche"},
		{"control character", func(c *ChannelInput) { c.Name = "bell\x07" }, "name"},
		{"bad youtube id", func(c *ChannelInput) { c.YouTubeID = "UC123" }, "youtube_id"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := counts(t, rt)
			in := validChannel()
			sc.edit(&in)
			for op, call := range map[string]func() error{
				"create": func() error { _, err := a.CreateChannel(in); return err },
				"update": func() error { _, err := a.UpdateChannel(existing.ID, in); return err },
			} {
				err := call()
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("%s: err = %v, want a FieldError", op, err)
				}
				if fe.Field != sc.field {
					t.Fatalf("%s: field %q, want %q (%v)", op, fe.Field, sc.field, err)
				}
				if body := FormatError(err); body.Fields[sc.field] == "" || len(body.Fields) != 1 || body.Code != CodeInvalid {
					t.Fatalf("%s: formatted %+v", op, body)
				}
			}
			if after := counts(t, rt); after != before {
				t.Fatalf("rows changed on bad input: %v → %v", before, after)
			}
			got, _ := a.GetChannel(existing.ID)
			if got.Name != existing.Name || got.HLC != existing.HLC {
				t.Fatal("existing channel changed on bad input")
			}
		})
	}
}

func TestSQLLookingInputIsStoredVerbatim(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	in := validChannel()
	in.Name = `Robert'); DROP TABLE channels;--`
	in.Niche = `" OR 1=1 -- 😀 ünïcödé`
	ch, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.GetChannel(ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != in.Name || got.Niche != in.Niche {
		t.Fatalf("stored %q / %q", got.Name, got.Niche)
	}
	list, _ := a.ListChannels()
	if len(list) != 1 {
		t.Fatalf("%d channels", len(list))
	}
}

func TestChannelLifecycleAndStatus(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	if id, err := uuid.Parse(ch.ID); err != nil || id.Version() != 7 {
		t.Fatalf("id %q is not a UUIDv7", ch.ID)
	}
	in := validChannel()
	in.Format = "Shorts" // normalised to the enum value
	in.Name = "  Trimmed  "
	up, err := a.UpdateChannel(ch.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if up.Format != store.FormatShorts || up.Name != "Trimmed" || up.HLC <= ch.HLC {
		t.Fatalf("update result %+v", up)
	}
	p, err := a.SavePackage(PackageInput{ChannelID: ch.ID, Topic: "one-pan dinners", Content: PackageContent{Tags: []string{"cooking"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != store.StatusIdea {
		t.Fatalf("new package status %q", p.Status)
	}
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	// create channel + activity, update, package: 4 outbox entries.
	if st.Channels != 1 || st.Packages != 1 || st.Outbox != 4 || st.DataDir == "" {
		t.Fatalf("status %+v", st)
	}
	if err := a.DeleteChannel(ch.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetPackage(p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("package of a deleted channel still readable: %v", err)
	}
	if err := a.DeleteChannel(ch.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	acts, err := a.ListActivity(10)
	if err != nil || len(acts) != 2 || acts[0].Kind != "channel.deleted" {
		t.Fatalf("activity %+v %v", acts, err)
	}
}

func TestPackageBadInput(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, _ := a.CreateChannel(validChannel())
	scenarios := []struct {
		name  string
		in    PackageInput
		field string
	}{
		{"no channel", PackageInput{}, "channel_id"},
		{"unknown channel", PackageInput{ChannelID: "0190b1d2-0000-7000-8000-000000000000"}, "channel_id"},
		{"bad status", PackageInput{ChannelID: ch.ID, Status: "done"}, "status"},
		{"long title", PackageInput{ChannelID: ch.ID, Title: strings.Repeat("t", 101)}, "title"},
		{"long description", PackageInput{ChannelID: ch.ID, Content: PackageContent{Description: strings.Repeat("d", 5001)}}, "content.description"},
		{"too many tag characters", PackageInput{ChannelID: ch.ID, Content: PackageContent{Tags: []string{strings.Repeat("a", 90), strings.Repeat("b", 90), strings.Repeat("c", 90), strings.Repeat("d", 90), strings.Repeat("e", 90), strings.Repeat("f", 90)}}}, "content.tags"},
		{"empty tag", PackageInput{ChannelID: ch.ID, Content: PackageContent{Tags: []string{""}}}, "content.tags"},
		{"invalid utf-8 hook", PackageInput{ChannelID: ch.ID, Content: PackageContent{Hook: "\xff"}}, "content.hook"},
		{"title score out of range", PackageInput{ChannelID: ch.ID, Content: PackageContent{Titles: []store.TitleOption{{Text: "x", Score: 140}}}}, "content.titles"},
		{"unknown package id", PackageInput{ID: "0190b1d2-0000-7000-8000-000000000001", ChannelID: ch.ID}, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := counts(t, rt)
			_, err := a.SavePackage(sc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *FieldError
			if sc.field == "" {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("err = %v, want not found", err)
				}
			} else if !errors.As(err, &fe) || fe.Field != sc.field {
				t.Fatalf("err = %v, want field %s", err, sc.field)
			}
			if after := counts(t, rt); after != before {
				t.Fatalf("rows changed: %v → %v", before, after)
			}
		})
	}
	if _, err := a.ListActivity(0); err == nil {
		t.Fatal("limit 0 accepted")
	}
}

func TestDataDirNotWritable(t *testing.T) {
	dir := t.TempDir()
	blocker := dir + "/file"
	if err := writeFile(blocker); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{DataDir: blocker + "/sub"})
	if !errors.Is(err, ErrDataDir) {
		t.Fatalf("err = %v, want ErrDataDir", err)
	}
}

// Two apps on one data folder would each run the autopilot, the sync and
// the upload queue over the same packages: the second is refused with a
// sentence naming the folder, the first goes on untouched, and the folder
// is free again once the first has closed.
func TestASecondAppOnTheSameDataFolderIsRefused(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.API().CreateChannel(validChannel()); err != nil {
		t.Fatal(err)
	}
	second, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if !errors.Is(err, ErrInUse) || second != nil {
		t.Fatalf("second start = %v, %v; want ErrInUse", second, err)
	}
	if !strings.Contains(err.Error(), "another Tube Agency is using this data folder") || !strings.Contains(err.Error(), dir) {
		t.Errorf("the refusal does not say what and where: %q", err)
	}
	// A folder of its own starts beside it.
	other := startTest(t)
	if _, err := other.API().ListChannels(); err != nil {
		t.Fatal(err)
	}
	chs, err := first.API().ListChannels()
	if err != nil || len(chs) != 1 {
		t.Fatalf("the first app after the refusal: %v, %v", chs, err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatalf("start after the first closed: %v", err)
	}
	defer again.Close()
	if chs, err := again.API().ListChannels(); err != nil || len(chs) != 1 {
		t.Fatalf("the channel after reopening: %v, %v", chs, err)
	}
}

func TestFilesAreTheUsersOnlyAfterFirstStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "TubeAgency")
	rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rt.keys.mode = "file"
	a := rt.API()
	if _, err := a.CreateChannel(validChannel()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetProviderKey("groq", "gsk_file_mode_test_key_0000"); err != nil {
		t.Fatal(err)
	}
	var seen []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		seen = append(seen, rel)
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		// Shipped examples are documentation, not data; they may be readable.
		if strings.HasPrefix(rel, filepath.Join("templates", "examples")) {
			return nil
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", rel, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rt.Close()
	for _, must := range []string{"tubeagency.db", "tubeagency.db-wal", "tubeagency.db-shm", "settings.json", "secrets.json"} {
		if !slices.Contains(seen, must) {
			t.Errorf("%s was not created (saw %v)", must, seen)
		}
	}
}

// The page edits a package's words; the server keeps the step states, so
// it is the server that sends the voice step back to pending when the
// spoken words change, and only then.
func TestEditedScriptOutdatesTheVoiceOver(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	saved, err := a.SavePackage(PackageInput{ChannelID: ch.ID, Topic: "why ice floats"})
	if err != nil {
		t.Fatal(err)
	}
	// What a studio run leaves once the script and the voice-over are done.
	voiced := func() store.Package {
		t.Helper()
		var p store.Package
		err := rt.store.Mutate(context.Background(), func(m *store.Mutation) error {
			var err error
			if p, err = store.Get[store.Package](context.Background(), m.Tx(), store.PackageEntity, saved.ID); err != nil {
				return err
			}
			p.Status = store.StatusVoiced
			p.Content.Hook = "Ice floats."
			p.Content.Script = []store.ScriptSection{{Heading: "Why", Text: "It is less dense than water."}}
			p.Content.Voice = &store.Voice{File: "v.wav", Engine: "espeak-ng", Seconds: 3, Bytes: 100, MimeType: "audio/wav"}
			p.Content.Steps = map[string]store.StepState{"script": {Status: "done"}, "voice": {Status: "done", Provider: "espeak-ng"}}
			p, err = store.PutRecord(m, store.PackageEntity, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	edit := func(p store.Package, change func(*PackageContent)) Package {
		t.Helper()
		in := PackageInput{ID: p.ID, ChannelID: p.ChannelID, Status: p.Status, Topic: p.Topic, Title: p.Title, Content: contentOf(p.Content)}
		in.Content.Script = append([]store.ScriptSection(nil), p.Content.Script...)
		change(&in.Content)
		out, err := a.SavePackage(in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	out := edit(voiced(), func(c *PackageContent) { c.Description = "New description."; c.Tags = []string{"ice"} })
	if out.Content.Steps["voice"].Status != "done" || out.Status != store.StatusVoiced {
		t.Fatalf("an edit off the spoken words outdated the voice-over: %q, %+v", out.Status, out.Content.Steps["voice"])
	}
	for name, change := range map[string]func(*PackageContent){
		"hook":         func(c *PackageContent) { c.Hook = "Ice floats, and that saves every fish in the lake." },
		"section text": func(c *PackageContent) { c.Script[0].Text = "Water expands as it freezes." },
		"section added": func(c *PackageContent) {
			c.Script = append(c.Script, store.ScriptSection{Heading: "More", Text: "Lakes freeze from the top."})
		},
		"section cut": func(c *PackageContent) { c.Script = nil },
		"steps from the page are ignored": func(c *PackageContent) {
			c.Hook = "Changed."
			c.Steps = map[string]StepState{"voice": {Status: "done"}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			out := edit(voiced(), change)
			v := out.Content.Steps["voice"]
			if v.Status != "pending" || !strings.Contains(v.Error, "script changed") {
				t.Fatalf("voice step %+v, want pending with the reason", v)
			}
			if out.Status != store.StatusScripted {
				t.Fatalf("status %q, want scripted", out.Status)
			}
			if out.Content.Steps["script"].Status != "done" || out.Content.Voice == nil {
				t.Fatalf("other steps or the voice-over changed: %+v %+v", out.Content.Steps, out.Content.Voice)
			}
			got, err := a.GetPackage(out.ID)
			if err != nil || got.Content.Steps["voice"].Status != "pending" {
				t.Fatalf("stored voice step %+v, %v", got.Content.Steps["voice"], err)
			}
		})
	}
	// A heading is not spoken: renaming one keeps the voice-over.
	out = edit(voiced(), func(c *PackageContent) { c.Script[0].Heading = "The reason" })
	if out.Content.Steps["voice"].Status != "done" {
		t.Fatalf("a heading edit outdated the voice-over: %+v", out.Content.Steps["voice"])
	}
}
