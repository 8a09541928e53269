package app

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"tubeagency/app/autopilot"
	"tubeagency/app/events"
	"tubeagency/app/insights/service"
	"tubeagency/app/monitor"
	"tubeagency/app/publish"
	"tubeagency/app/studio"
	"tubeagency/app/update"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
)

// eventPayloads is the type of every event's payload the page reads, by
// event name (status and settings carry small maps of counts and words).
var eventPayloads = map[string][]any{
	events.Sync:     {cloudsync.Status{}},
	events.Job:      {studio.Progress{}, autopilot.Event{}},
	events.Metrics:  {monitor.Snapshot{}},
	events.Alert:    {monitor.AlertEvent{}},
	events.Activity: {Activity{}},
	events.Channels: {Channel{}},
	events.Packages: {Package{}},
	events.Insights: {service.Event{}},
	events.Render:   {RenderTask{}},
	events.Publish:  {publish.Progress{}},
	events.YouTube:  {YouTubeEvent{}},
	update.Event:    {update.Status{}},
}

// timeName reports whether a JSON field name denotes a point in time:
// "at", "since", "until", "when", "reset", a name ending "_at", "_since", "_until", "_before", "_after", "_of", "_start", "_end",
// "_date" or "_reset", or starting "last_" or "next_" (last_sync,
// next_run). Durations say their unit (_ms, _secs, _seconds, _days, or
// watch_time's hours) and match none of these.
func timeName(name string) bool {
	switch name {
	case "at", "when", "since", "until", "reset", "time", "date", "deadline", "expires":
		return true
	}
	for _, suffix := range []string{"_at", "_since", "_until", "_before", "_after", "_of", "_start", "_end", "_date", "_reset"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return strings.HasPrefix(name, "last_") || strings.HasPrefix(name, "next_")
}

// jsonName is the name encoding/json gives f, as snake case when f has no
// tag (so the rule reads CreatedAt as created_at).
func jsonName(f reflect.StructField) string {
	if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
		return name
	}
	var b strings.Builder
	for i, r := range f.Name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// edgeProblems walks every type reachable from roots and returns each
// field that breaks the edge's one time encoding: a time.Time that is not
// left out when zero, or an integer whose name says it is a time (unix
// seconds or milliseconds). walked counts the struct types seen.
func edgeProblems(roots map[string][]reflect.Type) (bad []string, walked int) {
	timeType := reflect.TypeOf(time.Time{})
	seen := map[reflect.Type]bool{}
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
			field := where + ": " + ty.PkgPath() + "." + ty.Name() + "." + f.Name + " `json:\"" + tag + "\"`"
			switch {
			case ft == timeType && !strings.Contains(tag, "omitzero"):
				bad = append(bad, "a zero time would reach the page (add omitzero): "+field)
			case !f.Anonymous && timeName(jsonName(f)) && ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
				bad = append(bad, "a time crosses as a number (make it a time.Time with omitzero): "+field)
			}
			walk(where, f.Type)
		}
	}
	for where, types := range roots {
		for _, ty := range types {
			walk(where, ty)
		}
	}
	return bad, len(seen)
}

// TestNoZeroTimeCrossesTheEdge walks every type a bound method takes or
// returns and every event payload. Each time is an RFC 3339 time.Time left
// out when zero (`omitzero`), so Go's zero time never reaches the page as
// year 1 and no time reaches it as unix milliseconds, the page's 1970: a
// field named like a time (timeName) is never an integer.
func TestNoZeroTimeCrossesTheEdge(t *testing.T) {
	roots := map[string][]reflect.Type{}
	api := reflect.TypeOf(&App{})
	for i := range api.NumMethod() {
		m := api.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ {
			roots[m.Name] = append(roots[m.Name], m.Type.In(j))
		}
		for j := range m.Type.NumOut() {
			roots[m.Name] = append(roots[m.Name], m.Type.Out(j))
		}
	}
	for name, payloads := range eventPayloads {
		for _, p := range payloads {
			roots["event "+name] = append(roots["event "+name], reflect.TypeOf(p))
		}
	}
	bad, walked := edgeProblems(roots)
	if walked < 100 {
		t.Fatalf("walked only %d types: the walk is broken", walked)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// TestEdgeRuleCatchesMilliseconds: the walk finds what it is for, so the
// test above cannot pass by looking at nothing.
func TestEdgeRuleCatchesMilliseconds(t *testing.T) {
	type inner struct {
		At     int64 `json:"at"`
		Seen   int64 `json:"last_seen"`
		Since  int64
		LagMS  int64     `json:"lag_ms"`
		Count  int       `json:"count"`
		Zeroed time.Time `json:"zeroed,omitempty"`
		Fine   time.Time `json:"fine,omitzero"`
	}
	type outer struct {
		Items []*inner          `json:"items"`
		ByID  map[string]inner  `json:"by_id"`
		Store store.Package     `json:"store"`
		Under json.RawMessage   `json:"under"`
		When  map[string]string `json:"when"`
	}
	bad, _ := edgeProblems(map[string][]reflect.Type{"X": {reflect.TypeOf(outer{})}})
	got := strings.Join(bad, "\n")
	for _, want := range []string{"inner.At ", "inner.Seen ", "inner.Since ", "inner.Zeroed ", "store.Meta.CreatedAt ", "store.Meta.UpdatedAt ", "store.StepState.At ", "store.Override.At ", "store.Publication.PublishAt ", "store.Publication.At "} {
		if !strings.Contains(got, want) {
			t.Errorf("the rule missed %s:\n%s", want, got)
		}
	}
	for _, clean := range []string{"LagMS", "Count", "Fine", "outer.When"} {
		if strings.Contains(got, clean) {
			t.Errorf("the rule flagged %s:\n%s", clean, got)
		}
	}
}

// TestEdgeRecordsMirrorTheStore: every field of a store record reaches the
// page under the same JSON name, so a field added to a record is not
// silently dropped at the edge.
func TestEdgeRecordsMirrorTheStore(t *testing.T) {
	pairs := []struct{ stored, edge any }{
		{store.Meta{}, Meta{}}, {store.Channel{}, Channel{}}, {store.Activity{}, Activity{}}, {store.Package{}, Package{}},
		{store.PackageContent{}, PackageContent{}}, {store.StepState{}, StepState{}}, {store.Override{}, Override{}},
		{store.Publication{}, Publication{}}, {cloudsync.DeviceInfo{}, Device{}}, {autopilot.Job{}, AutopilotJob{}},
		{cloudsync.DeadLetter{}, DeadLetter{}},
	}
	names := func(v any) map[string]bool {
		out := map[string]bool{}
		var add func(ty reflect.Type)
		add = func(ty reflect.Type) {
			for i := range ty.NumField() {
				f := ty.Field(i)
				if f.Anonymous {
					add(f.Type)
					continue
				}
				out[jsonName(f)] = true
			}
		}
		add(reflect.TypeOf(v))
		return out
	}
	for _, p := range pairs {
		s, e := names(p.stored), names(p.edge)
		for n := range s {
			if !e[n] {
				t.Errorf("%T has %q, %T does not", p.stored, n, p.edge)
			}
		}
		for n := range e {
			if !s[n] {
				t.Errorf("%T has %q, %T does not", p.edge, n, p.stored)
			}
		}
	}
}

// TestEdgeRecordsRoundTrip: a stored package becomes what the page sees
// (every time RFC 3339, zero ones absent) and comes back from a save as it
// was stored, millisecond for millisecond.
func TestEdgeRecordsRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 5, 19, 55, 1, 234_000_000, time.UTC)
	p := store.Package{
		Meta:      store.Meta{ID: "p1", HLC: "h", CreatedAt: at.UnixMilli(), UpdatedAt: at.Add(time.Minute).UnixMilli()},
		ChannelID: "c1", Status: store.StatusReady, Topic: "ice", Title: "Why ice floats",
		Content: store.PackageContent{
			Ideas: []string{"ice"}, Hook: "Ice floats.", WordsPerMinute: 150, Tags: []string{"ice"}, Origin: "autopilot",
			Titles:    []store.TitleOption{{Text: "Why ice floats", Score: 70}},
			Script:    []store.ScriptSection{{Heading: "Why", Text: "Less dense.", Start: 1, Seconds: 2}},
			Voice:     &store.Voice{File: "p1.wav", Engine: "espeak-ng", Seconds: 2, Bytes: 10, MimeType: "audio/wav"},
			Steps:     map[string]store.StepState{"ideas": {Status: "done", Provider: "groq", Attempts: 2, Cached: true, At: at.UnixMilli()}, "voice": {Status: "pending"}},
			Checklist: &store.Checklist{Version: 1, Passed: true, Items: []store.CheckItem{{Rule: "r", Label: "l", State: store.CheckPass}}},
			Overrides: []store.Override{{Rule: "tags.count", Reason: "few", At: at.UnixMilli()}},
			Published: &store.Publication{VideoID: "v", URL: "https://youtu.be/v", Status: "public", At: at.UnixMilli()},
		},
	}
	view := packageOf(p)
	b, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{`"created_at":"2026-12-05T19:55:01.234Z"`, `"updated_at":"2026-12-05T19:56:01.234Z"`,
		`"ideas":{"status":"done","provider":"groq","attempts":2,"cached":true,"at":"2026-12-05T19:55:01.234Z"}`,
		`"voice":{"status":"pending"}`, `"reason":"few","at":"2026-12-05T19:55:01.234Z"`, `"status":"public","at":"2026-12-05T19:55:01.234Z"`} {
		if !strings.Contains(js, want) {
			t.Errorf("the page would not see %s in\n%s", want, js)
		}
	}
	if strings.Contains(js, "publish_at") || strings.Contains(js, "0001-01-01") || strings.Contains(js, "1970") {
		t.Errorf("a zero time reaches the page: %s", js)
	}
	var back PackageContent
	if err := json.Unmarshal(b, &struct {
		Content *PackageContent `json:"content"`
	}{&back}); err != nil {
		t.Fatal(err)
	}
	if got := back.stored(); !reflect.DeepEqual(got, p.Content) {
		t.Fatalf("the page's content stored back as\n%+v\nwant\n%+v", got, p.Content)
	}
	if ch := channelOf(store.Channel{Meta: store.Meta{ID: "c"}}); !ch.CreatedAt.IsZero() {
		t.Fatalf("an unset created_at became %v", ch.CreatedAt)
	}
}

// TestEventsCarryEdgeRecords: a record a part of the app emits as stored
// (the studio's packages, the activity log) reaches the page as an edge
// record.
func TestEventsCarryEdgeRecords(t *testing.T) {
	rt := startTest(t)
	evs, stop := rt.Hub().Subscribe(10)
	defer stop()
	at := time.UnixMilli(1764961200000)
	rt.emit(events.Packages, store.Package{Meta: store.Meta{ID: "p", UpdatedAt: at.UnixMilli()}})
	rt.emit(events.Channels, store.Channel{Meta: store.Meta{ID: "c", CreatedAt: at.UnixMilli()}})
	rt.emit(events.Activity, store.Activity{Meta: store.Meta{ID: "a", CreatedAt: at.UnixMilli()}})
	rt.emit(events.Channels, map[string]string{"deleted": "c"})
	want := []any{
		Package{Meta: Meta{ID: "p", UpdatedAt: at}},
		Channel{Meta: Meta{ID: "c", CreatedAt: at}},
		Activity{Meta: Meta{ID: "a", CreatedAt: at}},
		map[string]string{"deleted": "c"},
	}
	for i, w := range want {
		var got any
		for got == nil {
			select {
			case e := <-evs:
				if e.Name == events.Packages || e.Name == events.Channels || e.Name == events.Activity {
					got = e.Data
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("event %d never came", i)
			}
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("event %d = %#v, want %#v", i, got, w)
		}
	}
}
