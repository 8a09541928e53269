package providers

import (
	"reflect"
	"testing"
)

func TestLines(t *testing.T) {
	scenarios := []struct {
		in   string
		want []string
	}{
		{"1. First title\n2) Second title\n\n3: Third", []string{"First title", "Second title", "Third"}},
		{"- \"Quoted title\"\n* **Bold title**\n• “Curly”", []string{"Quoted title", "Bold title", "Curly"}},
		{"Same\nsame\n  Same  ", []string{"Same"}},
		{"10 Tips for Bread\n2026 Guide", []string{"10 Tips for Bread", "2026 Guide"}},
		{"", nil},
	}
	for _, sc := range scenarios {
		if got := Lines(sc.in); !reflect.DeepEqual(got, sc.want) {
			t.Errorf("Lines(%q) = %q, want %q", sc.in, got, sc.want)
		}
	}
}
