package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on the shape of a call's JSON body, checked before anything is
// decoded into the method's parameters.
const (
	// MaxDepth is the deepest nesting of arrays and objects accepted,
	// counting the argument array itself.
	MaxDepth = 32
	// MaxCollection is the most entries one array or object may hold.
	// Methods cap their own collections lower (for example a package's
	// tags) with field errors.
	MaxCollection = 10000
)

// ErrBadText reports a string in the body that is not text: invalid
// UTF-8, or a lone UTF-16 surrogate escape. Go's JSON decoder would turn
// either into U+FFFD without a word, so the body is checked raw first.
type ErrBadText struct {
	Field  string // the JSON path of the value, e.g. "name" or "content.tags[2]"
	Reason string
}

func (e *ErrBadText) Error() string { return e.Field + ": " + e.Reason }

// checkBody walks a call's JSON body token by token without keeping it:
// every string must be valid UTF-8 without lone surrogates, nesting stays
// within MaxDepth and collections within MaxCollection. Syntax errors are
// left to the decoder, which words them better.
func checkBody(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		array  bool
		key    string // last key read, in an object
		index  int    // next element's index, in an array
		n      int    // entries so far
		expKey bool   // in an object, the next string is a key
	}
	var stack []frame
	// pathIn names the value being read inside frames (the whole stack:
	// the current value; the stack but its top: the container itself).
	pathIn := func(frames []frame, leaf string) string {
		var b strings.Builder
		for i, f := range frames {
			if i == 0 {
				continue // the argument array: named below
			}
			switch {
			case f.array:
				b.WriteString("[" + strconv.Itoa(f.index-1) + "]")
			default:
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		if leaf != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(leaf)
		}
		if b.Len() == 0 {
			if len(frames) > 0 && frames[0].array {
				return "argument " + strconv.Itoa(frames[0].index)
			}
			return "body"
		}
		return b.String()
	}
	path := func(leaf string) string { return pathIn(stack, leaf) }
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // syntax: the decoder reports it
		}
		end := dec.InputOffset()
		raw := body[prev:end]
		prev = end
		// Count the value against its parent before looking at it.
		isKey := false
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if d, ok := tok.(json.Delim); !ok || d == '[' || d == '{' {
				if top.array {
					top.index++
					top.n++
				} else if top.expKey {
					isKey = true
					top.n++
				}
				if top.n > MaxCollection {
					return &ErrBadText{Field: pathIn(stack[:n-1], ""), Reason: fmt.Sprintf("has more than %d entries", MaxCollection)}
				}
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '[', '{':
				if len(stack) > 0 && !stack[len(stack)-1].array {
					stack[len(stack)-1].expKey = true
				}
				stack = append(stack, frame{array: t == '[', expKey: t == '{'})
				if len(stack) > MaxDepth {
					return &ErrBadText{Field: path(""), Reason: fmt.Sprintf("is nested deeper than %d levels", MaxDepth)}
				}
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && !stack[len(stack)-1].array {
					stack[len(stack)-1].expKey = true
				}
			}
		case string:
			top := len(stack) - 1
			field := ""
			if isKey {
				field = path(t)
			} else {
				field = path("")
			}
			if reason := badText(raw); reason != "" {
				return &ErrBadText{Field: field, Reason: reason}
			}
			if isKey {
				stack[top].key = t
				stack[top].expKey = false
			} else if top >= 0 && !stack[top].array {
				stack[top].expKey = true
			}
		default:
			if top := len(stack) - 1; top >= 0 && !stack[top].array {
				stack[top].expKey = true
			}
		}
	}
}

// badText says what is wrong with the raw bytes of one JSON string token
// (quotes and surrounding punctuation included), or "" when it is text.
func badText(raw []byte) string {
	if !utf8.Valid(raw) {
		return "is not valid UTF-8 text"
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' || i+4 >= len(raw) {
			continue
		}
		r, ok := hex4(raw[i+1 : i+5])
		i += 4
		if !ok || r < 0xD800 || r > 0xDFFF {
			continue
		}
		if r >= 0xDC00 {
			return "contains a lone UTF-16 surrogate, which is not text"
		}
		// A high surrogate must be followed by a low one.
		if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
			if lo, ok := hex4(raw[i+3 : i+7]); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 6
				continue
			}
		}
		return "contains a lone UTF-16 surrogate, which is not text"
	}
	return ""
}

func hex4(b []byte) (rune, bool) {
	if len(b) != 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b), 16, 32)
	return rune(n), err == nil
}
