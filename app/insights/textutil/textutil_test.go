package textutil_test

import (
	"reflect"
	"testing"

	"tubeagency/app/insights/textutil"
)

func TestWordsKeywordsNGrams(t *testing.T) {
	scenarios := []struct {
		in                string
		words, kw, ngrams []string
	}{
		{"How to Bake Sourdough Bread", []string{"how", "to", "bake", "sourdough", "bread"},
			[]string{"bake", "sourdough", "bread"}, []string{"bake", "bake sourdough", "sourdough", "sourdough bread", "bread"}},
		{"Don't STOP: 10 Air-Fryer tips!", []string{"dont", "stop", "10", "air", "fryer", "tips"},
			[]string{"stop", "air", "fryer", "tips"}, []string{"stop", "air", "air fryer", "fryer", "fryer tips", "tips"}},
		{"Café crème — café", []string{"café", "crème", "café"}, []string{"café", "crème"}, []string{"café", "café crème", "crème", "crème café"}},
		{"", nil, nil, nil},
	}
	for _, sc := range scenarios {
		if got := textutil.Words(sc.in); !reflect.DeepEqual(got, sc.words) {
			t.Errorf("Words(%q) = %q, want %q", sc.in, got, sc.words)
		}
		if got := textutil.Keywords(sc.in); !reflect.DeepEqual(got, sc.kw) {
			t.Errorf("Keywords(%q) = %q, want %q", sc.in, got, sc.kw)
		}
		if got := textutil.NGrams(sc.in); !reflect.DeepEqual(got, sc.ngrams) {
			t.Errorf("NGrams(%q) = %q, want %q", sc.in, got, sc.ngrams)
		}
	}
	if !textutil.IsStopword("the") || textutil.IsStopword("bread") {
		t.Error("stopwords")
	}
}
