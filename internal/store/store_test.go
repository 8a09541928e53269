package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"tubeagency/internal/hlc"
)

func openTest(tb testing.TB, path string, opts Options) *Store {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "test.db")
	}
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func newChannel(name string) Channel {
	return Channel{Meta: Meta{ID: uuid.Must(uuid.NewV7()).String()}, Name: name, Niche: "cooking", Language: "en", Format: FormatLong, Cadence: 2}
}

func putChannel(tb testing.TB, s *Store, ch Channel) Channel {
	tb.Helper()
	var out Channel
	err := s.Mutate(context.Background(), func(m *Mutation) error {
		var err error
		out, err = PutRecord(m, ChannelEntity, ch)
		return err
	})
	if err != nil {
		tb.Fatalf("put: %v", err)
	}
	return out
}

func count(tb testing.TB, s *Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := s.DB().QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestPragmas(t *testing.T) {
	s := openTest(t, "", Options{})
	var mode string
	var fk, sync, busy int
	db := s.DB()
	db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	db.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	db.QueryRow(`PRAGMA busy_timeout`).Scan(&busy)
	if mode != "wal" || fk != 1 || sync != 1 || busy != 5000 {
		t.Fatalf("journal_mode=%s foreign_keys=%d synchronous=%d busy_timeout=%d", mode, fk, sync, busy)
	}
	// The read pool cannot write.
	if _, err := s.ReadDB().Exec(`INSERT INTO meta(key, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("read pool accepted a write")
	}
}

func TestMigrationsFreshAndReopened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s := openTest(t, path, Options{})
	v, err := s.SchemaVersion(context.Background(), "core")
	if err != nil || v != 3 {
		t.Fatalf("fresh core version %d, %v", v, err)
	}
	ch := putChannel(t, s, newChannel("Reopen"))
	device := s.DeviceID()
	s.Close()

	s2 := openTest(t, path, Options{})
	if v, _ := s2.SchemaVersion(context.Background(), "core"); v != 3 {
		t.Fatalf("reopened core version %d", v)
	}
	got, err := Get[Channel](context.Background(), s2.ReadDB(), ChannelEntity, ch.ID)
	if err != nil || got.Name != "Reopen" {
		t.Fatalf("reopened channel %+v, %v", got, err)
	}
	if s2.DeviceID() != device {
		t.Fatalf("device id changed across reopen: %s → %s", device, s2.DeviceID())
	}
	// The clock continues after what is stored, even if the wall clock is behind.
	if next, _ := s2.Clock().Now(); next <= got.HLC {
		t.Fatalf("clock %s not after stored %s", next, got.HLC)
	}
}

func TestOlderSchemaUpgrades(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	s := openTest(t, path, Options{})
	v1 := fstest.MapFS{
		"0001_notes.sql": {Data: []byte(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`)},
	}
	if err := s.Migrate(ctx, "notes", v1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`INSERT INTO notes(body) VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := openTest(t, path, Options{})
	v2 := fstest.MapFS{
		"0001_notes.sql":  v1["0001_notes.sql"],
		"0002_pinned.sql": {Data: []byte(`ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;`)},
		"0003_index.sql":  {Data: []byte(`CREATE INDEX notes_pinned ON notes(pinned);`)},
	}
	if err := s2.Migrate(ctx, "notes", v2); err != nil {
		t.Fatal(err)
	}
	if v, _ := s2.SchemaVersion(ctx, "notes"); v != 3 {
		t.Fatalf("upgraded to %d, want 3", v)
	}
	var body string
	var pinned int
	if err := s2.DB().QueryRow(`SELECT body, pinned FROM notes`).Scan(&body, &pinned); err != nil || body != "kept" || pinned != 0 {
		t.Fatalf("row after upgrade %q %d %v", body, pinned, err)
	}
	// Migrating again is a no-op.
	if err := s2.Migrate(ctx, "notes", v2); err != nil {
		t.Fatal(err)
	}
}

func TestFailedMigrationAppliesNothing(t *testing.T) {
	s := openTest(t, "", Options{})
	bad := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte(`CREATE TABLE a (id INTEGER);`)},
		"0002_bad.sql": {Data: []byte(`CREATE TABLE oops (;`)},
	}
	if err := s.Migrate(context.Background(), "bad", bad); err == nil {
		t.Fatal("broken migration accepted")
	}
	if n := count(t, s, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'`); n != 0 {
		t.Fatal("first migration of a failed set was kept")
	}
	if err := s.Migrate(context.Background(), "bad", fstest.MapFS{"x.sql": {Data: []byte("")}}); err == nil {
		t.Fatal("badly named migration accepted")
	}
}

func TestInjectedFailureBeforeCommitLeavesNothing(t *testing.T) {
	boom := errors.New("injected")
	s := openTest(t, "", Options{BeforeCommit: func(tx *sql.Tx) error {
		// The row and its outbox entry are written at this point…
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 1 {
			return fmt.Errorf("expected the outbox entry inside the transaction, got %d (%v)", n, err)
		}
		return boom // …and the commit never happens.
	}})
	err := s.Mutate(context.Background(), func(m *Mutation) error {
		_, err := PutRecord(m, ChannelEntity, newChannel("Never"))
		return err
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the injected failure", err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM channels`); n != 0 {
		t.Fatalf("%d channels after rollback", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != 0 {
		t.Fatalf("%d outbox entries after rollback", n)
	}
}

func TestEveryWriteHasExactlyOneOutboxEntry(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "", Options{})
	ch := putChannel(t, s, newChannel("One"))
	ch.Niche = "baking"
	ch2 := putChannel(t, s, ch)
	if err := s.Mutate(ctx, func(m *Mutation) error { return m.Delete(ChannelEntity, ch.ID) }); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Outbox(ctx, s.ReadDB(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d outbox entries, want 3", len(entries))
	}
	wantOps := []Op{OpInsert, OpUpdate, OpDelete}
	for i, e := range entries {
		if e.Op != wantOps[i] || e.RowID != ch.ID || e.Entity != "channels" {
			t.Errorf("entry %d = %s %s %s", i, e.Op, e.Entity, e.RowID)
		}
		if !strings.Contains(e.Payload, `"hlc":"`+e.HLC+`"`) {
			t.Errorf("entry %d payload lacks its clock: %s", i, e.Payload)
		}
	}
	if !(entries[0].HLC < entries[1].HLC && entries[1].HLC < entries[2].HLC) {
		t.Error("clock values do not grow across writes")
	}
	if !strings.Contains(entries[2].Payload, `"deleted":true`) {
		t.Errorf("delete payload is not a tombstone: %s", entries[2].Payload)
	}
	if ch.CreatedAt <= 0 || ch.UpdatedAt < ch.CreatedAt {
		t.Errorf("insert stamped created_at %d, updated_at %d", ch.CreatedAt, ch.UpdatedAt)
	}
	if ch2.CreatedAt != ch.CreatedAt {
		t.Error("update changed created_at")
	}
	// The tombstone stays in the table; reads do not see it.
	if n := count(t, s, `SELECT COUNT(*) FROM channels WHERE deleted = 1`); n != 1 {
		t.Fatalf("%d tombstones", n)
	}
	if _, err := Get[Channel](ctx, s.ReadDB(), ChannelEntity, ch.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted channel readable: %v", err)
	}
	// Deleting a tombstone again writes nothing.
	if err := s.Mutate(ctx, func(m *Mutation) error { return m.Delete(ChannelEntity, ch.ID) }); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != 3 {
		t.Fatalf("%d outbox entries after a repeated delete", n)
	}
}

func TestConcurrentWritersExactCounts(t *testing.T) {
	s := openTest(t, "", Options{})
	const workers, each = 8, 500
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := s.Mutate(context.Background(), func(m *Mutation) error {
					_, err := PutRecord(m, ChannelEntity, newChannel(fmt.Sprintf("w%d-%d", w, i)))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM channels`); n != workers*each {
		t.Fatalf("%d channels, want %d", n, workers*each)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != workers*each {
		t.Fatalf("%d outbox entries, want %d", n, workers*each)
	}
	if n, err := s.OutboxDepth(context.Background()); err != nil || n != workers*each {
		t.Fatalf("outbox depth %d (%v), want %d", n, err, workers*each)
	}
	if n := count(t, s, `SELECT COUNT(DISTINCT hlc) FROM outbox`); n != workers*each {
		t.Fatalf("%d distinct clock values, want %d", n, workers*each)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM channels c JOIN outbox o ON o.row_id = c.id AND o.hlc = c.hlc`); n != workers*each {
		t.Fatalf("%d rows match their outbox entry", n)
	}
}

func TestRunInTxRollsBackOnPanic(t *testing.T) {
	s := openTest(t, "", Options{})
	func() {
		defer func() { recover() }()
		s.RunInTx(context.Background(), func(tx *sql.Tx) error {
			tx.Exec(`INSERT INTO meta(key, value) VALUES ('panic', 'x')`)
			panic("boom")
		})
	}()
	if n := count(t, s, `SELECT COUNT(*) FROM meta WHERE key = 'panic'`); n != 0 {
		t.Fatal("write of a panicking transaction kept")
	}
	// The writer connection is usable afterwards.
	putChannel(t, s, newChannel("after panic"))
}

// crashChildEnv makes the test binary a writer that prints each id once its
// transaction has committed, until it is killed.
const crashChildEnv = "TUBEAGENCY_STORE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

func crashChild(path string) {
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		ch := newChannel(fmt.Sprintf("crash %d", i))
		err := s.Mutate(context.Background(), func(m *Mutation) error {
			_, err := PutRecord(m, ChannelEntity, ch)
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(out, ch.ID)
		out.Flush()
	}
}

func TestCrashSafetyUnderSIGKILL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewSource(1))
	var printed []string
	const trials = 50
	for trial := 0; trial < trials; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first committed write, then kill at a random moment.
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("trial %d: child wrote nothing: %s", trial, stderr.String())
		}
		printed = append(printed, first)
		time.Sleep(time.Duration(rng.Intn(40)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			printed = append(printed, l)
		}
		cmd.Wait()
	}

	s := openTest(t, path, Options{})
	if res, err := s.Integrity(context.Background()); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	for _, id := range printed {
		var rowHLC, outHLC string
		err := s.DB().QueryRow(`SELECT c.hlc, o.hlc FROM channels c JOIN outbox o ON o.row_id = c.id WHERE c.id = ?`, id).Scan(&rowHLC, &outHLC)
		if err != nil {
			t.Fatalf("committed id %s lost after SIGKILL: %v", id, err)
		}
		if rowHLC != outHLC {
			t.Fatalf("id %s: row clock %s, outbox clock %s", id, rowHLC, outHLC)
		}
	}
	// Rows and outbox entries agree one to one: a killed transaction left neither.
	if a, b := count(t, s, `SELECT COUNT(*) FROM channels`), count(t, s, `SELECT COUNT(*) FROM outbox`); a != b {
		t.Fatalf("%d channels but %d outbox entries", a, b)
	}
	t.Logf("%d trials, %d committed writes verified", trials, len(printed))
}

func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"bare-insert", "with-outbox"} {
		b.Run(mode, func(b *testing.B) {
			s := openTest(b, "", Options{})
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ch := newChannel("bench")
				start := time.Now()
				var err error
				if mode == "bare-insert" {
					stamp, _ := s.Clock().Now()
					err = s.RunInTx(ctx, func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, `INSERT INTO channels (id, name, niche, language, audience, format, cadence, youtube_id, autopilot, hlc, deleted, created_at, updated_at)
							VALUES (?, ?, ?, ?, '', ?, ?, '', 0, ?, 0, ?, ?)`, ch.ID, ch.Name, ch.Niche, ch.Language, ch.Format, ch.Cadence, stamp, 1, 1)
						return err
					})
				} else {
					err = s.Mutate(ctx, func(m *Mutation) error {
						_, err := PutRecord(m, ChannelEntity, ch)
						return err
					})
				}
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

func TestOutboxDepthFollowsInsertsAndDeletes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "", Options{})
	for i := 0; i < 25; i++ {
		putChannel(t, s, newChannel(fmt.Sprintf("c%d", i)))
	}
	if _, err := s.DB().Exec(`DELETE FROM outbox WHERE seq % 3 = 0`); err != nil {
		t.Fatal(err)
	}
	// A rolled-back write leaves the depth alone.
	boom := errors.New("boom")
	err := s.Mutate(ctx, func(m *Mutation) error {
		if _, err := PutRecord(m, ChannelEntity, newChannel("never")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	got, err := s.OutboxDepth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := count(t, s, `SELECT COUNT(*) FROM outbox`); got != want || want != 17 {
		t.Fatalf("depth %d, outbox holds %d (want 17)", got, want)
	}
}

// TestCoreUpgradeFromVersionOne takes a database back to the first core
// schema, with data written under it, and reopens it: the outbox count
// migration applies and counts what was already queued, and the devices
// migration adds the autopilot host to the channels already there.
func TestCoreUpgradeFromVersionOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	s := openTest(t, path, Options{})
	for _, q := range []string{
		`DROP TRIGGER outbox_count_insert`, `DROP TRIGGER outbox_count_delete`, `DROP TABLE outbox_count`,
		`DROP TABLE devices`, `ALTER TABLE channels DROP COLUMN autopilot_host`,
		`DELETE FROM schema_migrations WHERE component = 'core' AND version >= 2`,
	} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 7; i++ {
		// Written as version 1 wrote them: no autopilot_host column.
		if _, err := s.DB().Exec(`INSERT INTO channels (id, name, niche, language, audience, format, cadence, youtube_id, autopilot, hlc, deleted, created_at, updated_at)
			VALUES (?, ?, 'n', 'en', '', 'long-form', 1, '', 1, ?, 0, 1, 1)`, fmt.Sprintf("v1-%d", i), fmt.Sprintf("v1-%d", i),
			fmt.Sprintf("1796500000000-%06d-00000000000000aa", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`INSERT INTO outbox(entity, row_id, op, payload, hlc, created_at) VALUES ('channels', ?, 'insert', '{}', '1796500000000-000000-00000000000000aa', 1)`,
			fmt.Sprintf("v1-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s2 := openTest(t, path, Options{})
	if v, _ := s2.SchemaVersion(context.Background(), "core"); v != 3 {
		t.Fatalf("core version %d after upgrade", v)
	}
	ch, err := Get[Channel](context.Background(), s2.ReadDB(), ChannelEntity, "v1-3")
	if err != nil || ch.AutopilotHost != "" || !ch.Autopilot || ch.Name != "v1-3" {
		t.Fatalf("channel after upgrade %+v, %v", ch, err)
	}
	if n, err := s2.OutboxDepth(context.Background()); err != nil || n != 7 {
		t.Fatalf("depth after upgrade %d, %v", n, err)
	}
	putChannel(t, s2, newChannel("v2"))
	if n, _ := s2.OutboxDepth(context.Background()); n != 8 {
		t.Fatalf("depth after a write %d", n)
	}
}

// TestCopiedDatabaseTakesNewDeviceID checks that a database opened from
// another place (a copied or moved data folder, or another computer) takes
// a new device id, while reopening it where it lives keeps the id, and a
// database from before homes were kept keeps its id.
func TestCopiedDatabaseTakesNewDeviceID(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	s := openTest(t, path, Options{MachineID: "machine-1"})
	ch := putChannel(t, s, newChannel("Copied"))
	device := s.DeviceID()
	s.Close()

	copyPath := filepath.Join(dir, "copy", "a.db")
	if err := os.MkdirAll(filepath.Dir(copyPath), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c := openTest(t, copyPath, Options{MachineID: "machine-1"})
	if c.DeviceID() == device {
		t.Fatalf("the copy kept device id %s", device)
	}
	got, err := Get[Channel](ctx, c.ReadDB(), ChannelEntity, ch.ID)
	if err != nil || got.Name != "Copied" {
		t.Fatalf("copy lost its channel: %+v, %v", got, err)
	}
	if next, _ := c.Clock().Now(); next <= got.HLC || !strings.HasSuffix(next, c.DeviceID()) {
		t.Fatalf("copy's clock %s not after stored %s under its own id", next, got.HLC)
	}
	copyDevice := c.DeviceID()
	c.Close()
	if c2 := openTest(t, copyPath, Options{MachineID: "machine-1"}); c2.DeviceID() != copyDevice {
		t.Fatalf("reopened copy changed id again: %s → %s", copyDevice, c2.DeviceID())
	} else {
		c2.Close()
	}

	// The original, reopened where it lives, keeps its id.
	o := openTest(t, path, Options{MachineID: "machine-1"})
	if o.DeviceID() != device {
		t.Fatalf("original changed id: %s → %s", device, o.DeviceID())
	}
	o.Close()

	// The same path on another computer is another device.
	m := openTest(t, path, Options{MachineID: "machine-2"})
	if m.DeviceID() == device {
		t.Fatal("another computer kept the device id")
	}
	moved := m.DeviceID()
	m.Close()

	// A database from before homes were kept keeps its id and adopts this home.
	w, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`DELETE FROM meta WHERE key = 'device_home'`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	l := openTest(t, path, Options{MachineID: "machine-3"})
	if l.DeviceID() != moved {
		t.Fatalf("an older database changed id: %s → %s", moved, l.DeviceID())
	}
	l.Close()
	if l2 := openTest(t, path, Options{MachineID: "machine-3"}); l2.DeviceID() != moved {
		t.Fatalf("adopted home not kept: %s → %s", moved, l2.DeviceID())
	} else {
		l2.Close()
	}
}

func TestPackageFastPathsCoverEveryColumn(t *testing.T) {
	var p Package
	var content string
	var deleted bool
	cols := packageColumns(&p, &content, &deleted)
	if len(cols) != len(PackageEntity.Columns) {
		t.Fatalf("%d columns mapped, the entity has %d", len(cols), len(PackageEntity.Columns))
	}
	for _, c := range PackageEntity.Columns {
		if cols[c.Name] == nil {
			t.Errorf("column %s is not mapped to a field", c.Name)
		}
	}
	st := openTest(t, filepath.Join(t.TempDir(), "t.db"), Options{})
	ctx := context.Background()
	in := Package{Meta: Meta{ID: "0190b1d2-0000-7000-8000-000000000001"}, ChannelID: "c", Status: StatusIdea, Topic: "t", Title: "T",
		Content: PackageContent{Tags: []string{"a", "b"}, Hook: "h"}}
	var stored Package
	err := st.Mutate(ctx, func(m *Mutation) error {
		var err error
		stored, err = PutPackage(m, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fast, err := GetPackage(ctx, st.ReadDB(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := Get[Package](ctx, st.ReadDB(), PackageEntity, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(fast, stored) || fast.HLC == "" || fast.CreatedAt == 0 {
		t.Fatalf("fast path %+v\nslow path %+v\nas stored %+v", fast, slow, stored)
	}
	if _, err := GetPackage(ctx, st.ReadDB(), "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing package: %v", err)
	}
}

// TestRestartDoesNotReadoptAFarFutureClock reopens a database holding a
// row stamped far in the future (pulled from a device with a broken clock):
// the clock stays within its maximum drift of the wall clock, the stamps it
// makes keep their fixed width, and the reopening logs the bad value.
func TestRestartDoesNotReadoptAFarFutureClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "poisoned.db")
	wall := time.UnixMilli(1_796_500_000_000)
	now := func() time.Time { return wall }
	s := openTest(t, path, Options{Now: now})
	if err := s.RunInTx(context.Background(), func(tx *sql.Tx) error {
		return ChannelEntity.PutRow(context.Background(), tx, Row{"id": "poisoned", "name": "x", "niche": "x", "language": "en",
			"format": FormatLong, "cadence": 1.0, "hlc": "9999999999999-999999-00000000000000bb", "created_at": 1, "updated_at": 1})
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var logs bytes.Buffer
	s2 := openTest(t, path, Options{Now: now, MaxClockDrift: time.Minute, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ch := putChannel(t, s2, newChannel("after restart"))
	if len(ch.HLC) != hlc.Len || ch.HLC > s2.Clock().Bound() {
		t.Fatalf("stamp after restart %s, bound %s", ch.HLC, s2.Clock().Bound())
	}
	if !strings.Contains(logs.String(), "9999999999999-999999-00000000000000bb") {
		t.Fatalf("the far-future value was not logged: %s", logs.String())
	}
}
