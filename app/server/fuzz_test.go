package server

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzAPI has one method of each parameter shape the app's API uses.
type fuzzAPI struct{ got []string }

type fuzzInput struct {
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Steps map[string]string `json:"steps"`
	N     float64           `json:"n"`
	Inner *struct {
		Text string `json:"text"`
	} `json:"inner"`
}

func (f *fuzzAPI) Text(a, b string) error {
	f.got = append(f.got, a, b)
	return nil
}

func (f *fuzzAPI) Struct(in fuzzInput) (fuzzInput, error) {
	f.got = append(f.got, in.Name)
	f.got = append(f.got, in.Tags...)
	for k, v := range in.Steps {
		f.got = append(f.got, k, v)
	}
	if in.Inner != nil {
		f.got = append(f.got, in.Inner.Text)
	}
	return in, nil
}

func (f *fuzzAPI) List(ids []string, on bool, n int) error {
	f.got = append(f.got, ids...)
	return nil
}

// FuzzCall feeds serve mode's argument decoding arbitrary bodies. It must
// never panic, and whatever reaches a method must be the text that was
// sent: valid UTF-8, with U+FFFD only where the body itself held one
// (as bytes or as an escape), never one the decoder made up.
func FuzzCall(f *testing.F) {
	for _, seed := range []string{
		`["a","b"]`, `[{"name":"x","tags":["a"],"steps":{"k":"v"},"n":1,"inner":{"text":"t"}}]`,
		`[["a","b"],true,3]`, ``, `[]`, `[{"name":"Caf\u00e9 \ud83d\ude8c"}]`, `[{"name":"\ud800"}]`,
		"[\"\xff\xfe\",\"x\"]", `[[[[[[[[[[]]]]]]]]]]`, `[{"steps":{"a":"1","b":"2"}}]`, `[{"nmae":1}]`,
		`["\\ud800\\udc00","\\\\ud800"]`, `[{"inner":null}]`, "[\"\ufffd\",\"\"]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		api := &fuzzAPI{}
		d := NewDispatcher(api)
		for _, m := range []string{"Text", "Struct", "List"} {
			api.got = nil
			_, _, err := d.Call(m, body)
			var bad *ErrBadText
			if errors.As(err, &bad) && bad.Field == "" && !strings.Contains(bad.Reason, "nested") {
				t.Fatalf("%s: a bad-text error names no field: %v", m, err)
			}
			if err != nil {
				continue
			}
			bodyHasReplacement := bytes.Contains(body, []byte("\ufffd")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`))
			for _, s := range api.got {
				if !utf8.ValidString(s) {
					t.Fatalf("%s got invalid UTF-8 %q from %q", m, s, body)
				}
				if strings.ContainsRune(s, utf8.RuneError) && !bodyHasReplacement {
					t.Fatalf("%s got a replaced character in %q from %q", m, s, body)
				}
			}
		}
	})
}
