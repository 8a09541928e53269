package hlc

import (
	"sort"
	"sync"
	"testing"
	"time"
)

func fixed(ms int64) func() time.Time { return func() time.Time { return time.UnixMilli(ms) } }

func TestTextOrderIsClockOrder(t *testing.T) {
	wall := int64(1_700_000_000_000)
	c := New("00000000000000aa", func() time.Time { return time.UnixMilli(wall) })
	var got []string
	for i := 0; i < 2000; i++ {
		if i%7 == 0 {
			wall++
		}
		if i%13 == 0 {
			wall -= 3 // the wall clock steps back: values must still grow
		}
		got = append(got, c.Now())
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
	c := New("00000000000000aa", fixed(1000))
	remote := Timestamp{Millis: 5000, Counter: 3, Device: "00000000000000bb"}.String()
	if err := c.Observe(remote); err != nil {
		t.Fatal(err)
	}
	if next := c.Now(); next <= remote {
		t.Fatalf("local %q not after remote %q", next, remote)
	}
	if err := c.Observe("garbage"); err == nil {
		t.Fatal("malformed value accepted")
	}
}

func TestCounterOverflowMovesMillisecond(t *testing.T) {
	c := New("00000000000000aa", fixed(1000))
	var prev string
	for i := 0; i <= MaxCounter+5; i++ {
		v := c.Now()
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
	c := New(NewDeviceID(), nil)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				v := c.Now()
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
