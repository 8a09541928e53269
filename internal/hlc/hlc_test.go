package hlc

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustNow(tb testing.TB, c *Clock) string {
	tb.Helper()
	v, err := c.Now()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func fixed(ms int64) func() time.Time { return func() time.Time { return time.UnixMilli(ms) } }

func TestTextOrderIsClockOrder(t *testing.T) {
	wall := int64(1_700_000_000_000)
	c := New("00000000000000aa", Options{Now: func() time.Time { return time.UnixMilli(wall) }})
	var got []string
	for i := 0; i < 2000; i++ {
		if i%7 == 0 {
			wall++
		}
		if i%13 == 0 {
			wall -= 3 // the wall clock steps back: values must still grow
		}
		got = append(got, mustNow(t, c))
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("value %d %q not after %q", i, got[i], got[i-1])
		}
		if len(got[i]) != Len {
			t.Fatalf("length %d, want %d", len(got[i]), Len)
		}
	}
	if !sort.StringsAreSorted(got) {
		t.Fatal("values not sorted as text")
	}
}

func TestObserveMovesPastRemote(t *testing.T) {
	c := New("00000000000000aa", Options{Now: fixed(1000)})
	remote := Timestamp{Millis: 5000, Counter: 3, Device: "00000000000000bb"}.String()
	if err := c.Observe(remote); err != nil {
		t.Fatal(err)
	}
	if next := mustNow(t, c); next <= remote {
		t.Fatalf("local %q not after remote %q", next, remote)
	}
	if err := c.Observe("garbage"); err == nil {
		t.Fatal("malformed value accepted")
	}
}

func TestCounterOverflowMovesMillisecond(t *testing.T) {
	c := New("00000000000000aa", Options{Now: fixed(1000)})
	var prev string
	for i := 0; i <= MaxCounter+5; i++ {
		v := mustNow(t, c)
		if v <= prev {
			t.Fatalf("not increasing at %d", i)
		}
		prev = v
	}
	ts, _ := Parse(prev)
	if ts.Millis != 1001 {
		t.Fatalf("millis %d, want 1001", ts.Millis)
	}
}

func TestParseRoundTrip(t *testing.T) {
	in := Timestamp{Millis: 1764384000000, Counter: 42, Device: "3f2a9c1e5b7d4e21"}
	out, err := Parse(in.String())
	if err != nil || out != in {
		t.Fatalf("round trip %v %v", out, err)
	}
	for _, bad := range []string{"", "1764384000000-000042", "176438400000x-000042-3f2a9c1e5b7d4e21", "1764384000000-000042-zzzzzzzzzzzzzzzz"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestConcurrentUnique(t *testing.T) {
	c := New(NewDeviceID(), Options{})
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				v, err := c.Now()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[v] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 8000 {
		t.Fatalf("%d unique values, want 8000", len(seen))
	}
}

// A value far ahead of the wall clock moves the clock only up to the
// maximum drift, and is reported with the device that made it.
func TestObserveKeepsClockWithinDrift(t *testing.T) {
	wall := int64(1_796_500_000_000)
	c := New("00000000000000aa", Options{Now: fixed(wall), MaxDrift: 5 * time.Minute})
	poison := "9999999999999-999999-00000000000000bb"
	err := c.Observe(poison)
	var de *DriftError
	if !errors.As(err, &de) || !errors.Is(err, ErrTooFarAhead) || de.Device != "00000000000000bb" || de.Value != poison {
		t.Fatalf("Observe(far future) = %v, want a DriftError naming device bb", err)
	}
	next := mustNow(t, c)
	ts, _ := Parse(next)
	if bound := wall + (5 * time.Minute).Milliseconds(); ts.Millis > bound || ts.Millis < wall {
		t.Fatalf("clock at %d after observing the far future, want within [%d, %d]", ts.Millis, wall, bound)
	}
	if next > c.Bound() {
		t.Fatalf("value %s beyond the bound %s", next, c.Bound())
	}
	// Within the drift the clock follows as before.
	near := Timestamp{Millis: wall + 60_000, Counter: 7, Device: "00000000000000bb"}.String()
	if err := c.Observe(near); err != nil {
		t.Fatal(err)
	}
	// The clock already sits at the bound, ahead of near: it stays there.
	if v := mustNow(t, c); v <= near {
		t.Fatalf("%s not after %s", v, near)
	}
	// Many stamps at the bound never overflow the 13 digits.
	c2 := New("00000000000000aa", Options{Now: fixed(MaxMillis - 1), MaxDrift: time.Hour})
	_ = c2.Observe("9999999999999-999999-00000000000000bb")
	var last string
	for i := 0; i < 3*MaxCounter; i++ {
		v, err := c2.Now()
		if err != nil {
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("err = %v, want ErrOutOfRange", err)
			}
			if last != "" && len(last) != Len {
				t.Fatalf("last good value %q", last)
			}
			return
		}
		if len(v) != Len {
			t.Fatalf("value %q has %d characters", v, len(v))
		}
		last = v
	}
	t.Fatal("a clock at the end of its range kept making values")
}

func TestFormatRefusesWhatTheSchemaRefuses(t *testing.T) {
	for _, ts := range []Timestamp{
		{Millis: MaxMillis + 1, Device: "00000000000000aa"},
		{Millis: -1, Device: "00000000000000aa"},
		{Millis: 1, Counter: MaxCounter + 1, Device: "00000000000000aa"},
		{Millis: 1, Device: "00000000000000AA"},
		{Millis: 1, Device: "aa"},
	} {
		if s, err := ts.Format(); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Format(%+v) = %q, %v; want ErrOutOfRange", ts, s, err)
		}
		if s := ts.String(); !strings.HasPrefix(s, "invalid(") {
			t.Errorf("String(%+v) = %q looks valid", ts, s)
		}
	}
	c := New("not-a-device", Options{})
	if v, err := c.Now(); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("a clock with a bad device id made %q, %v", v, err)
	}
}

func TestResetForgetsObservedValues(t *testing.T) {
	c := New("00000000000000aa", Options{Now: fixed(2000), MaxDrift: time.Hour})
	_ = c.Observe(Timestamp{Millis: 5000, Device: "00000000000000bb"}.String())
	c.Reset()
	ts, _ := Parse(mustNow(t, c))
	if ts.Millis != 2000 || ts.Counter != 0 {
		t.Fatalf("after reset: %+v, want the wall clock", ts)
	}
}
