// Package hlc is a hybrid logical clock whose text form sorts in time order.
//
// A value looks like 1764384000000-000000-3f2a9c1e5b7d4e21: 13 digits of
// unix milliseconds, a 6-digit counter and the 16-hex-digit id of the device
// that made it. Every field is fixed width, so comparing two values as
// strings compares them as clocks, in SQLite, in PostgreSQL and in Go.
package hlc

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Len is the length of every clock value.
const Len = 13 + 1 + 6 + 1 + 16

// MaxCounter is the largest counter a value can hold; past it the clock
// moves its millisecond forward instead.
const MaxCounter = 999999

// ErrMalformed is returned by Parse for text that is not a clock value.
var ErrMalformed = errors.New("hlc: malformed clock value")

// Timestamp is a parsed clock value.
type Timestamp struct {
	Millis  int64
	Counter int
	Device  string
}

// String formats t in the fixed-width text form.
func (t Timestamp) String() string {
	return fmt.Sprintf("%013d-%06d-%s", t.Millis, t.Counter, t.Device)
}

// Parse reads a value made by String.
func Parse(s string) (Timestamp, error) {
	if len(s) != Len || s[13] != '-' || s[20] != '-' {
		return Timestamp{}, ErrMalformed
	}
	// Exactly the characters String writes: digits, and lower-case hex
	// for the device (strconv alone would take signs, hex either case).
	for i := 0; i < Len; i++ {
		c := s[i]
		switch {
		case i == 13 || i == 20:
		case i < 20 && (c < '0' || c > '9'):
			return Timestamp{}, ErrMalformed
		case i > 20 && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f'):
			return Timestamp{}, ErrMalformed
		}
	}
	ms, err := strconv.ParseInt(s[:13], 10, 64)
	if err != nil {
		return Timestamp{}, ErrMalformed
	}
	c, err := strconv.Atoi(s[14:20])
	if err != nil {
		return Timestamp{}, ErrMalformed
	}
	dev := s[21:]
	if _, err := hex.DecodeString(dev); err != nil {
		return Timestamp{}, ErrMalformed
	}
	return Timestamp{Millis: ms, Counter: c, Device: dev}, nil
}

// NewDeviceID returns a random 16-hex-digit device id.
func NewDeviceID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Clock stamps local writes. Its zero value is not usable: call New.
// A Clock is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	device string
	now    func() time.Time
	last   Timestamp
}

// New returns a clock for device. now may be nil, meaning time.Now.
func New(device string, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{device: device, now: now}
}

// Device is the id this clock stamps into its values.
func (c *Clock) Device() string { return c.device }

// Now returns a value greater than every value this clock has returned or
// observed: the wall clock when it is ahead, otherwise the last value with
// its counter bumped.
func (c *Clock) Now() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if wall > c.last.Millis {
		c.last = Timestamp{Millis: wall}
	} else if c.last.Counter < MaxCounter {
		c.last.Counter++
	} else {
		c.last = Timestamp{Millis: c.last.Millis + 1}
	}
	c.last.Device = c.device
	return c.last.String()
}

// Observe moves the clock past a value received from elsewhere (another
// device, or this device's own earlier run), so later local values sort
// after it. Malformed values are ignored and reported.
func (c *Clock) Observe(remote string) error {
	if remote == "" {
		return nil
	}
	t, err := Parse(remote)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Millis > c.last.Millis || (t.Millis == c.last.Millis && t.Counter > c.last.Counter) {
		c.last.Millis, c.last.Counter = t.Millis, t.Counter
	}
	return nil
}
