// Package csvimport reads the table export of YouTube Studio (Analytics →
// Advanced mode → Export current view → Comma-separated values, the
// "Table data.csv" file) one row at a time, so a file of any size streams.
//
// The export's header names the columns; the ones read are Content (the
// video id), Video title, Video publish time and Views, plus Duration,
// Likes and Comments added when present. Other columns are ignored, the
// "Total" row is skipped, and a UTF-8 byte-order mark is handled.
package csvimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"tubeagency/app/insights"
)

// Error is a problem in the file, at a line and column the user can find.
type Error struct {
	Line   int    // 1-based line in the file
	Column string // the column's header name; empty for a whole-row problem
	Msg    string
}

func (e *Error) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, column %q: %s", e.Line, e.Column, e.Msg)
}

// ErrBadFile is wrapped by every error about the file's content.
var ErrBadFile = errors.New("the file is not a YouTube Studio table export")

// Is makes errors.Is(err, ErrBadFile) true for every *Error.
func (e *Error) Is(target error) bool { return target == ErrBadFile }

type field int

const (
	fID field = iota
	fTitle
	fPublished
	fViews
	fDuration
	fLikes
	fComments
	nFields
)

// aliases maps a lower-case header to the field it holds. YouTube Studio
// writes the first name of each list; the others come from older exports
// and hand-made sheets.
var aliases = map[string]field{
	"content": fID, "video": fID, "video id": fID,
	"video title": fTitle, "title": fTitle,
	"video publish time": fPublished, "publish time": fPublished, "published": fPublished, "published at": fPublished,
	"views":    fViews,
	"duration": fDuration, "duration (seconds)": fDuration,
	"likes":          fLikes,
	"comments added": fComments, "comments": fComments,
}

var fieldNames = [nFields]string{"Content", "Video title", "Video publish time", "Views", "Duration", "Likes", "Comments added"}

var required = []field{fID, fTitle, fPublished, fViews}

// Caps on what one file may hold, checked while reading, so that a file
// of any size costs the same small memory and a file that is not an
// export is refused at once instead of after it has been read.
const (
	// MaxLine is the longest line accepted: 1 MB. Real exports have lines
	// of a few hundred bytes.
	MaxLine = 1 << 20
	// MaxRecord is the most bytes one record (a row, which may span lines
	// inside quotes) may take: 4 MB.
	MaxRecord = 4 << 20
)

// limitReader enforces MaxLine and MaxRecord on the bytes it passes on,
// counting lines as it goes. Read resets the record count after each row.
type limitReader struct {
	r        io.Reader
	line     int  // 1-based line being read
	records  bool // enforce MaxRecord (Read resets recBytes per row)
	lineLen  int
	recBytes int
	err      error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.line++
			l.lineLen = 0
			continue
		}
		l.lineLen++
		if l.lineLen > MaxLine {
			l.err = &Error{Line: l.line, Msg: fmt.Sprintf("is longer than %d MB: this is not a YouTube Studio export", MaxLine>>20)}
			return i, l.err
		}
	}
	l.recBytes += n
	if l.records && l.recBytes > MaxRecord+64<<10 { // the CSV reader buffers ahead by up to 64 KB
		l.err = &Error{Line: l.line, Msg: fmt.Sprintf("holds a row larger than %d MB: this is not a YouTube Studio export", MaxRecord>>20)}
		return n, l.err
	}
	return n, err
}

// Guard passes r through while checking it as an upload arrives: lines
// stay under MaxLine, and the header (the first line) must name the
// columns of an export. The first problem ends the stream with an *Error,
// so a caller spooling an upload stops before storing what would be
// refused anyway.
func Guard(r io.Reader) io.Reader {
	return &guard{lim: &limitReader{r: r, line: 1}}
}

type guard struct {
	lim    *limitReader
	header []byte
	done   bool // the header was checked
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.lim.Read(p)
	if g.done {
		return n, err
	}
	chunk := p[:n]
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			g.header = append(g.header, chunk...)
			break
		}
		g.header = append(g.header, chunk[:i+1]...)
		chunk = chunk[i+1:]
		// Blank lines before the header are skipped, as the CSV reader does.
		if len(bytes.TrimSpace(bytes.TrimPrefix(g.header, []byte("\ufeff")))) == 0 {
			g.header = g.header[:0]
			continue
		}
		// A newline inside quotes belongs to the header's field.
		if bytes.Count(g.header, []byte{'"'})%2 == 1 {
			if len(g.header) > MaxRecord {
				return 0, &Error{Line: 1, Msg: fmt.Sprintf("has a header larger than %d MB: this is not a YouTube Studio export", MaxRecord>>20)}
			}
			continue
		}
		g.done = true
		herr := CheckHeader(g.header)
		g.header = nil
		if herr != nil {
			return 0, herr
		}
		return n, err
	}
	if errors.Is(err, io.EOF) {
		g.done = true
		if herr := CheckHeader(g.header); herr != nil {
			return 0, herr
		}
	}
	return n, err
}

// CheckHeader checks the header line of an export: that it parses as CSV
// and names the required columns.
func CheckHeader(line []byte) error {
	line = bytes.TrimPrefix(line, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(line))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &Error{Line: 1, Msg: "the file is empty: export the table from YouTube Studio → Analytics → Advanced mode"}
	}
	if err != nil {
		return csvError(err)
	}
	_, err = columns(header)
	return err
}

// columns maps the header's names to the fields read, or says which
// required ones are missing.
func columns(header []string) ([nFields]int, error) {
	idx := [nFields]int{}
	for i := range idx {
		idx[i] = -1
	}
	for i, h := range header {
		if f, ok := aliases[strings.ToLower(strings.TrimSpace(h))]; ok && idx[f] < 0 {
			idx[f] = i
		}
	}
	var missing []string
	for _, f := range required {
		if idx[f] < 0 {
			missing = append(missing, fieldNames[f])
		}
	}
	if len(missing) > 0 {
		return idx, &Error{Line: 1, Column: missing[0], Msg: fmt.Sprintf(
			"the header lacks %s: expected the columns Content, Video title, Video publish time and Views of a YouTube Studio export",
			strings.Join(missing, ", "))}
	}
	return idx, nil
}

// Summary counts what Read did.
type Summary struct {
	Rows    int `json:"rows"`    // videos passed to fn
	Skipped int `json:"skipped"` // the Total row and blank lines
}

// Read parses r and calls fn with each video, in file order, with
// ChannelID, Kind "own" and Source "csv" set. It stops at the first error,
// from the file (an *Error naming line and column) or from fn.
func Read(r io.Reader, channelID string, fn func(insights.Video) error) (Summary, error) {
	var sum Summary
	lim := &limitReader{r: r, line: 1, records: true}
	br := bufio.NewReaderSize(lim, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // checked below, to name the line in our words
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return sum, &Error{Line: 1, Msg: "the file is empty: export the table from YouTube Studio → Analytics → Advanced mode"}
	}
	if err != nil {
		return sum, csvError(err)
	}
	idx, err := columns(header)
	if err != nil {
		return sum, err
	}
	width := len(header)
	for {
		lim.recBytes = 0
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return sum, nil
		}
		if err != nil {
			return sum, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			sum.Skipped++
			continue
		}
		if len(rec) != width {
			return sum, &Error{Line: line, Msg: fmt.Sprintf("has %d fields, the header has %d", len(rec), width)}
		}
		id := strings.TrimSpace(rec[idx[fID]])
		if strings.EqualFold(id, "total") {
			sum.Skipped++
			continue
		}
		v, err := parseRow(rec, idx, line)
		if err != nil {
			return sum, err
		}
		v.ChannelID, v.Kind, v.Source = channelID, insights.KindOwn, "csv"
		if err := fn(v); err != nil {
			return sum, err
		}
		sum.Rows++
	}
}

func parseRow(rec []string, idx [nFields]int, line int) (insights.Video, error) {
	var v insights.Video
	fail := func(f field, format string, args ...any) error {
		return &Error{Line: line, Column: fieldNames[f], Msg: fmt.Sprintf(format, args...)}
	}
	v.ID = strings.TrimSpace(rec[idx[fID]])
	if v.ID == "" {
		return v, fail(fID, "the video id is empty")
	}
	v.Title = strings.TrimSpace(rec[idx[fTitle]])
	if v.Title == "" {
		return v, fail(fTitle, "the title is empty")
	}
	pub := strings.TrimSpace(rec[idx[fPublished]])
	t, ok := parseTime(pub)
	if !ok {
		return v, fail(fPublished, "%q is not a date (expected e.g. Nov 3, 2024 or 2024-11-03)", clip(pub))
	}
	v.PublishedAt = t
	var err error
	if v.Views, err = parseCount(rec[idx[fViews]]); err != nil {
		return v, fail(fViews, "%q is not a whole number of views", clip(rec[idx[fViews]]))
	}
	if idx[fDuration] >= 0 {
		d, err := parseCount(rec[idx[fDuration]])
		if err != nil {
			return v, fail(fDuration, "%q is not a duration in seconds", clip(rec[idx[fDuration]]))
		}
		v.DurationSec = int(d)
	}
	if idx[fLikes] >= 0 {
		if v.Likes, err = parseCount(rec[idx[fLikes]]); err != nil {
			return v, fail(fLikes, "%q is not a whole number of likes", clip(rec[idx[fLikes]]))
		}
	}
	if idx[fComments] >= 0 {
		if v.Comments, err = parseCount(rec[idx[fComments]]); err != nil {
			return v, fail(fComments, "%q is not a whole number of comments", clip(rec[idx[fComments]]))
		}
	}
	return v, nil
}

var separators = strings.NewReplacer(",", "", " ", "", "\u00a0", "")

// parseCount reads a non-negative whole number; thousands separators
// (1,234 or 1 234) and a ".0" that spreadsheets add are accepted. An empty
// cell is zero, as YouTube Studio leaves cells of metrics it lacks empty.
func parseCount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.ContainsAny(s, ", \u00a0") {
		s = separators.Replace(s)
	}
	s = strings.TrimSuffix(s, ".0")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a count")
	}
	return n, nil
}

// Date layouts by how the cell starts: with a digit (ISO forms) or a
// month name (YouTube Studio's "Nov 3, 2024").
var (
	numericLayouts = []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05",
		"2006-01-02 15:04", "2006/01/02"}
	namedLayouts = []string{"Jan 2, 2006", "January 2, 2006", "Jan 2, 2006 15:04"}
)

func parseTime(s string) (time.Time, bool) {
	layouts := namedLayouts
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		layouts = numericLayouts
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func csvError(err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Line: pe.Line, Msg: "is not valid CSV: " + pe.Err.Error()}
	}
	return fmt.Errorf("read csv: %w", err)
}
