package app

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestNoZeroTimeCrossesTheEdge walks every type a bound method takes or
// returns and requires each time.Time field to be left out when zero
// (`omitzero`), so Go's zero time never reaches the page as year 1: a time
// that never happened is absent, and the dashboard shows it as "never".
func TestNoZeroTimeCrossesTheEdge(t *testing.T) {
	timeType := reflect.TypeOf(time.Time{})
	seen := map[reflect.Type]bool{}
	var bad []string
	var walk func(where string, ty reflect.Type)
	walk = func(where string, ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || ty == timeType || seen[ty] {
			return
		}
		seen[ty] = true
		for i := range ty.NumField() {
			f := ty.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft == timeType && !strings.Contains(tag, "omitzero") {
				bad = append(bad, where+": "+ty.PkgPath()+"."+ty.Name()+"."+f.Name+" `json:\""+tag+"\"`")
			}
			walk(where, f.Type)
		}
	}
	api := reflect.TypeOf(&App{})
	for i := range api.NumMethod() {
		m := api.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ {
			walk(m.Name, m.Type.In(j))
		}
		for j := range m.Type.NumOut() {
			walk(m.Name, m.Type.Out(j))
		}
	}
	if len(seen) < 20 {
		t.Fatalf("walked only %d types: the walk is broken", len(seen))
	}
	for _, b := range bad {
		t.Errorf("a zero time would reach the page (add omitzero): %s", b)
	}
}
