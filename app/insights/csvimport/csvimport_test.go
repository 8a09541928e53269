package csvimport_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tubeagency/app/insights"
	"tubeagency/app/insights/csvimport"
)

func readFixture(t *testing.T, name string) ([]insights.Video, csvimport.Summary, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "insights", name, "Table data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []insights.Video
	sum, err := csvimport.Read(f, "ch1", func(v insights.Video) error {
		got = append(got, v)
		return nil
	})
	return got, sum, err
}

func TestReadGoodExport(t *testing.T) {
	got, sum, err := readFixture(t, "good")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 3 || sum.Skipped != 1 {
		t.Fatalf("summary = %+v, want 3 rows and the Total row skipped", sum)
	}
	want := []insights.Video{
		{ChannelID: "ch1", ID: "dQw4w9WgXcQ", Kind: "own", Title: "How I Grew 3 Channels, Fast",
			PublishedAt: time.Date(2024, 11, 3, 0, 0, 0, 0, time.UTC), DurationSec: 612, Views: 20000, Source: "csv"},
		{ChannelID: "ch1", ID: "abcDEF12345", Kind: "own", Title: "Why Do Cats Purr?",
			PublishedAt: time.Date(2024, 10, 28, 0, 0, 0, 0, time.UTC), DurationSec: 45, Views: 11000, Source: "csv"},
		{ChannelID: "ch1", ID: "xyzXYZ09876", Kind: "own", Title: "10 Tips for Better Sleep",
			PublishedAt: time.Date(2024, 10, 20, 0, 0, 0, 0, time.UTC), DurationSec: 900, Views: 420, Source: "csv"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d videos, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("video %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if !got[1].IsShort() || got[0].IsShort() {
		t.Errorf("a 45 s video is a Short and a 612 s one is not")
	}
}

func TestReadErrorsNameLineAndColumn(t *testing.T) {
	scenarios := []struct {
		name, fixture, text string
		line                int
		column, contains    string
	}{
		{name: "wrong columns", fixture: "wrong_columns", line: 1, column: "Video title", contains: "lacks Video title, Video publish time"},
		{name: "bad number", fixture: "bad_number", line: 4, column: "Views", contains: `"1O" is not a whole number`},
		{name: "bad date", text: "Content,Video title,Video publish time,Views\na,T,yesterday,1\n", line: 2,
			column: "Video publish time", contains: `"yesterday" is not a date`},
		{name: "negative count", text: "Content,Video title,Video publish time,Views,Likes\na,T,2024-01-01,1,-3\n", line: 2,
			column: "Likes", contains: "not a whole number of likes"},
		{name: "short row", text: "Content,Video title,Video publish time,Views\na,T,2024-01-01,1\nb,U\n", line: 3,
			contains: "has 2 fields, the header has 4"},
		{name: "empty title", text: "Content,Video title,Video publish time,Views\na, ,2024-01-01,1\n", line: 2,
			column: "Video title", contains: "title is empty"},
		{name: "broken quote", text: "Content,Video title,Video publish time,Views\na,\"T,2024-01-01,1\n", line: 2,
			contains: "not valid CSV"},
		{name: "empty file", text: "", line: 1, contains: "empty"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var err error
			var n int
			if sc.fixture != "" {
				var got []insights.Video
				got, _, err = readFixture(t, sc.fixture)
				n = len(got)
			} else {
				_, err = csvimport.Read(strings.NewReader(sc.text), "c", func(insights.Video) error { n++; return nil })
			}
			var ce *csvimport.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *csvimport.Error", err)
			}
			if !errors.Is(err, csvimport.ErrBadFile) {
				t.Errorf("errors.Is(err, ErrBadFile) = false")
			}
			if ce.Line != sc.line || ce.Column != sc.column || !strings.Contains(err.Error(), sc.contains) {
				t.Errorf("err = %q (line %d, column %q), want line %d, column %q, containing %q",
					err, ce.Line, ce.Column, sc.line, sc.column, sc.contains)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d", sc.line)) {
				t.Errorf("message %q does not start with the line", err)
			}
			if sc.fixture == "bad_number" && n != 1 {
				t.Errorf("rows before the bad one: got %d, want 1", n)
			}
		})
	}
}

func TestReadByteOrderMark(t *testing.T) {
	got, _, err := readFixture(t, "bom")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "abc" || got[0].Title != "With a BOM" || got[0].Views != 7 {
		t.Fatalf("got %+v", got)
	}
}

func TestCallbackErrorStops(t *testing.T) {
	stop := errors.New("disk full")
	text := "Content,Video title,Video publish time,Views\na,T,2024-01-01,1\nb,U,2024-01-02,2\n"
	sum, err := csvimport.Read(strings.NewReader(text), "c", func(insights.Video) error { return stop })
	if !errors.Is(err, stop) || sum.Rows != 0 {
		t.Fatalf("err = %v, rows = %d", err, sum.Rows)
	}
}

// generator produces an export of n rows on demand and records how many
// bytes it has handed out, so the test can see the reader does not slurp.
type generator struct {
	n, next int
	buf     []byte
	served  int64
}

func (g *generator) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next <= g.n {
		if g.next == 0 {
			g.buf = append(g.buf, "Content,Video title,Video publish time,Duration,Views\n"...)
		} else {
			g.buf = fmt.Appendf(g.buf, "vid%08d,A title about topic number %d,2024-06-%02d,%d,%d\n",
				g.next, g.next%97, 1+g.next%28, 30+g.next%900, g.next%5000)
		}
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.served += int64(n)
	return n, nil
}

func TestLargeFileStreams(t *testing.T) {
	const rows = 300_000 // about 19 MB of CSV
	g := &generator{n: rows}
	var servedAtFirst int64
	var count int
	var sumViews int64
	sum, err := csvimport.Read(g, "c", func(v insights.Video) error {
		if count == 0 {
			servedAtFirst = g.served
		}
		count++
		sumViews += v.Views
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != rows || count != rows {
		t.Fatalf("rows = %d, callbacks = %d, want %d", sum.Rows, count, rows)
	}
	var want int64
	for i := 1; i <= rows; i++ {
		want += int64(i % 5000)
	}
	if sumViews != want {
		t.Errorf("sum of views = %d, want %d", sumViews, want)
	}
	if g.served < 15<<20 {
		t.Fatalf("generator served only %d bytes; the test file is too small to prove streaming", g.served)
	}
	// The first video reached the callback after at most one read buffer of
	// input: the file is read as it is parsed, not loaded whole.
	if servedAtFirst > 128<<10 {
		t.Errorf("first row delivered after %d bytes were read; the reader is not streaming", servedAtFirst)
	}
}

func BenchmarkRead100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		g := &generator{n: 100_000}
		sum, err := csvimport.Read(g, "c", func(insights.Video) error { return nil })
		if err != nil || sum.Rows != 100_000 {
			b.Fatal(sum, err)
		}
		b.SetBytes(g.served)
	}
}

// endless yields its pattern forever and counts what it gave.
type endless struct {
	head    []byte // given once, first
	pattern []byte
	given   int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(e.head) > 0 {
			c := copy(p[n:], e.head)
			e.head = e.head[c:]
			n += c
			continue
		}
		n += copy(p[n:], e.pattern[int(e.given+int64(n))%len(e.pattern):])
	}
	e.given += int64(n)
	return n, nil
}

func TestEndlessStreamsAreRefusedWithinTheCap(t *testing.T) {
	scenarios := []struct {
		name     string
		src      func() *endless
		contains string
	}{
		{"no newline", func() *endless { return &endless{pattern: []byte("Content,Video title,")} }, "longer than 1 MB"},
		{"valid rows under a bad header", func() *endless {
			return &endless{head: []byte("Video,Views\n"), pattern: []byte("abc,12\n")}
		}, "lacks Video title"},
		{"a quoted field that never ends", func() *endless {
			return &endless{head: []byte("Content,Video title,Video publish time,Views\nx,\""), pattern: []byte("line\n")}
		}, "row larger than 4 MB"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name+"/Read", func(t *testing.T) {
			src := sc.src()
			_, err := csvimport.Read(src, "ch1", func(insights.Video) error { return nil })
			if !errors.Is(err, csvimport.ErrBadFile) || !strings.Contains(err.Error(), sc.contains) {
				t.Fatalf("err = %v, want one containing %q", err, sc.contains)
			}
			if src.given > csvimport.MaxRecord+256<<10 {
				t.Fatalf("read %d bytes before refusing", src.given)
			}
		})
	}
	// Guard, which checks an upload as it is spooled, refuses the first
	// two at once (the third is a valid header: Read refuses it later).
	for _, sc := range scenarios[:2] {
		t.Run(sc.name+"/Guard", func(t *testing.T) {
			src := sc.src()
			n, err := io.Copy(io.Discard, csvimport.Guard(src))
			if !errors.Is(err, csvimport.ErrBadFile) || !strings.Contains(err.Error(), sc.contains) {
				t.Fatalf("err = %v after %d bytes, want one containing %q", err, n, sc.contains)
			}
			if src.given > csvimport.MaxLine+64<<10 {
				t.Fatalf("read %d bytes before refusing", src.given)
			}
		})
	}
}

func TestGuardPassesAGoodExportUnchanged(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "insights", "good", "Table data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := io.Copy(&out, csvimport.Guard(strings.NewReader(string(raw)))); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(raw) {
		t.Fatal("Guard changed the file")
	}
	// A header alone, without a newline, is checked at the end.
	if _, err := io.Copy(io.Discard, csvimport.Guard(strings.NewReader("Video,Views"))); !errors.Is(err, csvimport.ErrBadFile) {
		t.Fatalf("bad header without newline: %v", err)
	}
}

// FuzzRead reads arbitrary files. It must never panic, every video it
// passes on is whole, and Guard (which checks an upload as it arrives)
// never refuses a file Read accepts.
func FuzzRead(f *testing.F) {
	good, err := os.ReadFile(filepath.Join("testdata", "insights", "good", "Table data.csv"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(good),
		"Content,Video title,Video publish time,Views\na,T,2024-01-01,1\n",
		"\ufeffContent,Video title,Video publish time,Views,Duration,Likes,Comments added\nTotal,,,9,,,\na,\"T, \"\"quoted\"\"\",Nov 3, 2024,\"1,234\",60,2,3\n",
		"Content,Video title,Video publish time,Views\na,\"multi\nline\",2024-01-01T10:00:00Z,1.0\n",
		"Video,Views\nx,1\n", "", "\n\n", "a,\"b", "Content,Video title,Video publish time,Views\nx,T,yesterday,1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := csvimport.Read(bytes.NewReader(data), "ch", func(v insights.Video) error {
			if v.ID == "" || v.Title == "" || v.PublishedAt.IsZero() || v.Views < 0 || v.ChannelID != "ch" {
				t.Fatalf("incomplete video %+v", v)
			}
			return nil
		})
		if err != nil {
			var fe *csvimport.Error
			if !errors.As(err, &fe) || fe.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		if _, gerr := io.Copy(io.Discard, csvimport.Guard(bytes.NewReader(data))); gerr != nil {
			t.Fatalf("Read accepted the file, Guard refused it: %v", gerr)
		}
	})
}
