// Package hlc is a hybrid logical clock whose text form sorts in time order.
//
// A value looks like 1764384000000-000000-3f2a9c1e5b7d4e21: 13 digits of
// unix milliseconds, a 6-digit counter and the 16-hex-digit id of the device
// that made it. Every field is fixed width, so comparing two values as
// strings compares them as clocks, in SQLite, in PostgreSQL and in Go.
//
// A clock never runs more than a maximum drift ahead of its wall clock:
// a value received from a device whose clock is far ahead moves this clock
// only up to that bound (Observe reports it), so one device with a wrong
// clock cannot drag every other device along, or push the millisecond field
// past its 13 digits.
package hlc

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
)

// Len is the length of every clock value.
const Len = 13 + 1 + 6 + 1 + 16

// MaxCounter is the largest counter a value can hold; past it the clock
// moves its millisecond forward instead.
const MaxCounter = 999999

// MaxMillis is the largest millisecond a value can hold (13 digits).
const MaxMillis = 9_999_999_999_999

// DefaultMaxDrift is how far ahead of the wall clock a clock may be moved
// by values it observes, unless Options say otherwise.
const DefaultMaxDrift = 5 * time.Minute

// Errors.
var (
	// ErrMalformed is returned by Parse for text that is not a clock value.
	ErrMalformed = errors.New("hlc: malformed clock value")
	// ErrOutOfRange is a value that does not fit the fixed-width form (a
	// millisecond beyond 13 digits, a counter beyond 6, a device id that is
	// not 16 lower-case hex digits). The schema refuses such values, so the
	// clock refuses to make them.
	ErrOutOfRange = errors.New("hlc: clock value does not fit its fixed-width form")
	// ErrTooFarAhead is wrapped by DriftError: an observed value is further
	// ahead of the wall clock than the maximum drift.
	ErrTooFarAhead = errors.New("hlc: clock value too far ahead of the wall clock")
)

// DriftError reports an observed value beyond the maximum drift. The clock
// moved only up to the bound.
type DriftError struct {
	Value  string        // the value observed
	Device string        // the device whose clock made it
	Ahead  time.Duration // how far it is ahead of the local wall clock
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("clock value %s of device %s is %s ahead of this computer's clock", e.Value, e.Device, e.Ahead.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrTooFarAhead) true.
func (e *DriftError) Unwrap() error { return ErrTooFarAhead }

// Timestamp is a parsed clock value.
type Timestamp struct {
	Millis  int64
	Counter int
	Device  string
}

// Format writes t in the fixed-width text form, refusing (ErrOutOfRange)
// anything that would not be exactly Len characters of digits and
// lower-case hex, which the sync schema's CHECK would refuse.
func (t Timestamp) Format() (string, error) {
	if t.Millis < 0 || t.Millis > MaxMillis || t.Counter < 0 || t.Counter > MaxCounter || !validDevice(t.Device) {
		return "", fmt.Errorf("%w: millis %d, counter %d, device %q", ErrOutOfRange, t.Millis, t.Counter, t.Device)
	}
	return fmt.Sprintf("%013d-%06d-%s", t.Millis, t.Counter, t.Device), nil
}

// String formats t like Format, for logs and tests; a value out of range
// prints as "invalid(…)" rather than as something that looks valid.
func (t Timestamp) String() string {
	s, err := t.Format()
	if err != nil {
		return fmt.Sprintf("invalid(%d-%d-%s)", t.Millis, t.Counter, t.Device)
	}
	return s
}

func validDevice(d string) bool {
	if len(d) != 16 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Parse reads a value made by Format.
func Parse(s string) (Timestamp, error) {
	if len(s) != Len || s[13] != '-' || s[20] != '-' {
		return Timestamp{}, ErrMalformed
	}
	// Exactly the characters Format writes: digits, and lower-case hex
	// for the device (strconv alone would take signs, hex either case).
	for i := 0; i < 20; i++ {
		if c := s[i]; i != 13 && (c < '0' || c > '9') {
			return Timestamp{}, ErrMalformed
		}
	}
	dev := s[21:]
	if !validDevice(dev) {
		return Timestamp{}, ErrMalformed
	}
	ms, err := strconv.ParseInt(s[:13], 10, 64)
	if err != nil {
		return Timestamp{}, ErrMalformed
	}
	c, err := strconv.Atoi(s[14:20])
	if err != nil {
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

// Options configure New. The zero value is ready to use.
type Options struct {
	// Now is the wall clock. Nil means time.Now.
	Now func() time.Time
	// MaxDrift is how far ahead of the wall clock an observed value may
	// move the clock. Zero means DefaultMaxDrift.
	MaxDrift time.Duration
}

// Clock stamps local writes. Its zero value is not usable: call New.
// A Clock is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	device string
	opts   Options
	last   Timestamp
}

// New returns a clock for device.
func New(device string, opts Options) *Clock {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxDrift <= 0 {
		opts.MaxDrift = DefaultMaxDrift
	}
	return &Clock{device: device, opts: opts}
}

// Device is the id this clock stamps into its values.
func (c *Clock) Device() string { return c.device }

// MaxDrift is the bound Observe keeps the clock within.
func (c *Clock) MaxDrift() time.Duration { return c.opts.MaxDrift }

// Now returns a value greater than every value this clock has returned or
// observed: the wall clock when it is ahead, otherwise the last value with
// its counter bumped. It fails (ErrOutOfRange) rather than return a value
// the schema would refuse, which only a wall clock beyond the year 2286 or
// an invalid device id can cause.
func (c *Clock) Now() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.last
	wall := c.opts.Now().UnixMilli()
	if wall > next.Millis {
		next = Timestamp{Millis: wall}
	} else if next.Counter < MaxCounter {
		next.Counter++
	} else {
		next = Timestamp{Millis: next.Millis + 1}
	}
	next.Device = c.device
	s, err := next.Format()
	if err != nil {
		return "", err
	}
	c.last = next
	return s, nil
}

// Bound is the newest value the clock may hold now: the wall clock plus the
// maximum drift, as a clock value of the highest counter. A value above it
// is too far ahead.
func (c *Clock) Bound() string {
	ms := min(c.opts.Now().Add(c.opts.MaxDrift).UnixMilli(), MaxMillis)
	return fmt.Sprintf("%013d-%06d-ffffffffffffffff", ms, MaxCounter)
}

// Observe moves the clock past a value received from elsewhere (another
// device, or this device's own earlier run), so later local values sort
// after it. A value further ahead of the wall clock than the maximum drift
// moves the clock only up to that bound and is reported as a *DriftError.
// Malformed values are ignored and reported (ErrMalformed).
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
	wall := c.opts.Now()
	bound := wall.Add(c.opts.MaxDrift).UnixMilli()
	var drift error
	if t.Millis > bound {
		ahead := min(t.Millis-wall.UnixMilli(), int64(math.MaxInt64/time.Millisecond)) // no overflow near year 0
		drift = &DriftError{Value: remote, Device: t.Device, Ahead: time.Duration(ahead) * time.Millisecond}
		t = Timestamp{Millis: min(bound, MaxMillis), Counter: 0}
	}
	if t.Millis > c.last.Millis || (t.Millis == c.last.Millis && t.Counter > c.last.Counter) {
		c.last.Millis, c.last.Counter = t.Millis, t.Counter
	}
	return drift
}

// Reset forgets every value observed or made, so the clock starts again from
// the wall clock. Repairing a clock dragged ahead uses it, then observes the
// values that are still within the bound.
func (c *Clock) Reset() {
	c.mu.Lock()
	c.last = Timestamp{}
	c.mu.Unlock()
}

// AheadOf reports whether value is more than d ahead of the wall clock (a
// malformed value is not).
func (c *Clock) AheadOf(value string, d time.Duration) bool {
	t, err := Parse(value)
	if err != nil {
		return false
	}
	return t.Millis > c.opts.Now().Add(d).UnixMilli()
}
