package sync

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"strings"
	gosync "sync"
	"time"

	"tubeagency/internal/store"
)

// Reach is whether this device can reach the account's other devices.
type Reach int

// Reaches, as the Syncer reports them to Devices.
const (
	// ReachUnknown: nothing reported yet (the app is starting). Devices
	// acts as when offline: it runs only the channels it hosts.
	ReachUnknown Reach = iota
	// ReachAlone: signed out of sync. No other device can be told, so this
	// device runs the channels it hosts and claims those nobody hosts.
	ReachAlone
	// ReachOffline: signed in but the server does not answer: only the
	// channels it hosts.
	ReachOffline
	// ReachOnline: signed in and syncing: it may also take over channels
	// whose host went quiet.
	ReachOnline
)

// Device defaults.
const (
	DefaultHeartbeatEvery  = 10 * time.Minute
	DefaultTakeoverAfter   = 6 * time.Hour
	DefaultTakeoverStagger = 5 * time.Minute
)

// ErrUnknownDevice is a host choice naming a device the account has not seen.
var ErrUnknownDevice = errors.New("no such device on this account")

// DevicesConfig configures NewDevices. Only Store is required.
type DevicesConfig struct {
	Store *store.Store
	// Name is what people call this device ("Ana's laptop"). Empty means
	// the host name.
	Name string
	// Kind is store.DeviceDesktop or store.DeviceServe. Empty means desktop.
	Kind string
	// Version is the app's version, shown beside the device.
	Version string
	// Now is the wall clock. Nil means the store's clock.
	Now func() time.Time
	// HeartbeatEvery is how often the device row's last_seen is written
	// while signed in. Zero means DefaultHeartbeatEvery (10 min).
	HeartbeatEvery time.Duration
	// TakeoverAfter is how old a host's heartbeat must be before another
	// device, online with autopilot running, takes its channels over. Zero
	// means DefaultTakeoverAfter (6 h).
	TakeoverAfter time.Duration
	// TakeoverStagger spreads takeovers: each device waits up to this much
	// longer per channel (a fixed share from its id and the channel's), so
	// two devices seldom claim the same channel in the same moment. Zero
	// means DefaultTakeoverStagger (5 min); negative means none.
	TakeoverStagger time.Duration
	// LogActivity, when set, records takeovers in the activity log, in the
	// same transaction as the host change.
	LogActivity func(m *store.Mutation, channelID, kind, message string, data any) error
	// Logger receives notes. Nil means slog.Default().
	Logger *slog.Logger
}

// Devices is this device among the account's devices: its heartbeat row,
// the list of devices, and which device runs autopilot for each channel.
// Only the host of a channel runs autopilot for it; a host whose heartbeat
// is older than TakeoverAfter loses its channels to another device that is
// online and running autopilot, through sync. Two devices choosing at once
// resolve by last writer wins on the channel row; the loser sees the
// winner's choice at its next pull and stops.
type Devices struct {
	cfg DevicesConfig
	st  *store.Store
	id  string

	mu    gosync.Mutex
	reach Reach
	named bool // the name was given (config or Rename), not the host name's default
	due   bool // write the heartbeat at the next chance, fresh or not
}

// NewDevices returns this device's view of the account's devices.
func NewDevices(cfg DevicesConfig) (*Devices, error) {
	if cfg.Store == nil {
		return nil, errors.New("new devices: no store")
	}
	named := cfg.Name != ""
	if !named {
		cfg.Name, _ = os.Hostname()
		if cfg.Name == "" {
			cfg.Name = "this computer"
		}
	}
	if cfg.Kind == "" {
		cfg.Kind = store.DeviceDesktop
	}
	if cfg.Kind != store.DeviceDesktop && cfg.Kind != store.DeviceServe {
		return nil, fmt.Errorf("new devices: kind %q is neither desktop nor serve", cfg.Kind)
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.Now
	}
	if cfg.HeartbeatEvery <= 0 {
		cfg.HeartbeatEvery = DefaultHeartbeatEvery
	}
	if cfg.TakeoverAfter <= 0 {
		cfg.TakeoverAfter = DefaultTakeoverAfter
	}
	if cfg.TakeoverStagger == 0 {
		cfg.TakeoverStagger = DefaultTakeoverStagger
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Devices{cfg: cfg, st: cfg.Store, id: cfg.Store.DeviceID(), named: named}, nil
}

// ID is this device's id.
func (d *Devices) ID() string { return d.id }

// beatSoon makes the next Heartbeat write the row: the last ones went
// nowhere (a project without schema 0002, which has just applied it).
func (d *Devices) beatSoon() {
	d.mu.Lock()
	d.due = true
	d.mu.Unlock()
}

func (d *Devices) setReach(r Reach) {
	d.mu.Lock()
	d.reach = r
	d.mu.Unlock()
}

// Reach is what the syncer last reported.
func (d *Devices) Reach() Reach {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reach
}

// Heartbeat writes this device's row (through the outbox) when its
// last_seen is older than HeartbeatEvery, or its name, kind or version
// changed. The syncer calls it at the start of each sync. A name given
// with Rename is kept across restarts.
func (d *Devices) Heartbeat(ctx context.Context) error {
	now := d.cfg.Now().UnixMilli()
	return d.st.Mutate(ctx, func(m *store.Mutation) error {
		cur, err := store.Get[store.Device](ctx, m.Tx(), store.DeviceEntity, d.id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			cur = store.Device{Meta: store.Meta{ID: d.id}}
		case err != nil:
			return err
		}
		d.mu.Lock()
		if !d.named && cur.Name != "" {
			d.cfg.Name, d.named = cur.Name, true // renamed in an earlier run
		}
		due := d.due
		d.due = false
		d.mu.Unlock()
		if !due && now-cur.LastSeen < d.cfg.HeartbeatEvery.Milliseconds() && cur.Name == d.name() && cur.Kind == d.cfg.Kind && cur.Version == d.cfg.Version {
			return nil
		}
		cur.Name, cur.Kind, cur.Version, cur.LastSeen = d.name(), d.cfg.Kind, d.cfg.Version, now
		_, err = store.PutRecord(m, store.DeviceEntity, cur)
		return err
	})
}

// Rename sets this device's name, written at once through sync.
func (d *Devices) Rename(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return &FieldError{Field: "name", Message: "must not be empty"}
	}
	d.mu.Lock()
	d.cfg.Name, d.named = name, true
	d.mu.Unlock()
	return d.st.Mutate(ctx, func(m *store.Mutation) error {
		cur, err := store.Get[store.Device](ctx, m.Tx(), store.DeviceEntity, d.id)
		if errors.Is(err, store.ErrNotFound) {
			cur = store.Device{Meta: store.Meta{ID: d.id}, Kind: d.cfg.Kind, Version: d.cfg.Version}
		} else if err != nil {
			return err
		}
		cur.Name, cur.LastSeen = name, d.cfg.Now().UnixMilli()
		_, err = store.PutRecord(m, store.DeviceEntity, cur)
		return err
	})
}

// DeviceInfo is one device as Settings → Autopilot shows it.
type DeviceInfo struct {
	store.Device
	This  bool `json:"this"`  // this computer
	Quiet bool `json:"quiet"` // no heartbeat for longer than the takeover time
}

// List is every device of the account this device knows, this one first
// (it is listed even before its first heartbeat), then by name.
func (d *Devices) List(ctx context.Context) ([]DeviceInfo, error) {
	all, err := store.List[store.Device](ctx, d.st.ReadDB(), store.DeviceEntity, "", "name COLLATE NOCASE, id")
	if err != nil {
		return nil, err
	}
	now := d.cfg.Now().UnixMilli()
	out := []DeviceInfo{}
	self := -1
	for _, dev := range all {
		info := DeviceInfo{Device: dev, This: dev.ID == d.id, Quiet: now-dev.LastSeen > d.cfg.TakeoverAfter.Milliseconds()}
		if info.This {
			info.Quiet = false
			self = len(out)
		}
		out = append(out, info)
	}
	if self < 0 {
		d.mu.Lock()
		me := DeviceInfo{Device: store.Device{Meta: store.Meta{ID: d.id}, Name: d.cfg.Name, Kind: d.cfg.Kind, Version: d.cfg.Version, LastSeen: now}, This: true}
		d.mu.Unlock()
		return append([]DeviceInfo{me}, out...), nil
	}
	me := out[self]
	out = append(out[:self], out[self+1:]...)
	return append([]DeviceInfo{me}, out...), nil
}

// SetHost makes device run autopilot for channelID (the user's choice in
// Settings → Autopilot), written through sync like any channel edit. The
// device must be this one or one the account has seen.
func (d *Devices) SetHost(ctx context.Context, channelID, device string) (store.Channel, error) {
	var out store.Channel
	err := d.st.Mutate(ctx, func(m *store.Mutation) error {
		if device != d.id {
			if _, err := store.Get[store.Device](ctx, m.Tx(), store.DeviceEntity, device); errors.Is(err, store.ErrNotFound) {
				return &FieldError{Field: "device_id", Message: ErrUnknownDevice.Error()}
			} else if err != nil {
				return err
			}
		}
		ch, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, channelID)
		if err != nil {
			return fmt.Errorf("channel %s: %w", channelID, err)
		}
		if ch.AutopilotHost == device {
			out = ch
			return nil
		}
		ch.AutopilotHost = device
		out, err = store.PutRecord(m, store.ChannelEntity, ch)
		return err
	})
	return out, err
}

// Claim is the autopilot's host lookup: of chs (channels with autopilot
// on), the ids of those this device runs now. It runs the channels it
// hosts; it claims a channel nobody hosts unless it is offline (or not
// known yet); and when online it takes over a channel whose host's last
// heartbeat (or, for a host never seen, the channel's last change) is older
// than TakeoverAfter plus its stagger. Claims are written through sync, in
// one transaction that checks each channel again.
func (d *Devices) Claim(ctx context.Context, chs []store.Channel) (map[string]bool, error) {
	mine := map[string]bool{}
	reach := d.Reach()
	var want []string
	var seen map[string]int64
	for _, ch := range chs {
		switch {
		case ch.AutopilotHost == d.id:
			mine[ch.ID] = true
		case ch.AutopilotHost == "" && (reach == ReachAlone || reach == ReachOnline):
			want = append(want, ch.ID)
		case ch.AutopilotHost != "" && reach == ReachOnline:
			if seen == nil {
				var err error
				if seen, err = d.lastSeen(ctx); err != nil {
					return nil, err
				}
			}
			if d.quiet(ch, seen) {
				want = append(want, ch.ID)
			}
		}
	}
	if len(want) == 0 {
		return mine, nil
	}
	err := d.st.Mutate(ctx, func(m *store.Mutation) error {
		for _, id := range want {
			ch, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, id)
			if err != nil {
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				return err
			}
			old := ch.AutopilotHost
			switch {
			case old == d.id:
				mine[id] = true
				continue
			case old != "" && !d.quiet(ch, seen):
				continue // another device chose since it was read
			}
			ch.AutopilotHost = d.id
			if _, err := store.PutRecord(m, store.ChannelEntity, ch); err != nil {
				return err
			}
			mine[id] = true
			if old != "" && d.cfg.LogActivity != nil {
				hours := (d.cfg.Now().UnixMilli() - d.lastSign(ch, old, seen)) / time.Hour.Milliseconds()
				msg := fmt.Sprintf("Autopilot for %s moved to %s: the device that ran it was last seen %d hours ago", ch.Name, d.name(), hours)
				if err := d.cfg.LogActivity(m, ch.ID, "autopilot.took_over", msg, map[string]any{"from": old, "to": d.id}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim autopilot channels: %w", err)
	}
	return mine, nil
}

// quiet reports a channel whose host has shown no sign of life for longer
// than the takeover time (plus this device's stagger for it).
func (d *Devices) quiet(ch store.Channel, seen map[string]int64) bool {
	last := d.lastSign(ch, ch.AutopilotHost, seen)
	wait := d.cfg.TakeoverAfter
	if d.cfg.TakeoverStagger > 0 {
		h := fnv.New32a()
		_, _ = h.Write([]byte(d.id + "\x00" + ch.ID))
		wait += time.Duration(uint64(d.cfg.TakeoverStagger) * uint64(h.Sum32()%1000) / 1000)
	}
	return d.cfg.Now().UnixMilli()-last > wait.Milliseconds()
}

// lastSign is host's last heartbeat, or for a host never seen here the
// channel's last change (the choice of that host is its last sign of life).
func (d *Devices) lastSign(ch store.Channel, host string, seen map[string]int64) int64 {
	if last, ok := seen[host]; ok {
		return last
	}
	return ch.UpdatedAt
}

func (d *Devices) name() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg.Name
}

// lastSeen reads every known device's last heartbeat.
func (d *Devices) lastSeen(ctx context.Context) (map[string]int64, error) {
	all, err := store.List[store.Device](ctx, d.st.ReadDB(), store.DeviceEntity, "", "id")
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(all))
	for _, dev := range all {
		out[dev.ID] = dev.LastSeen
	}
	return out, nil
}

// FieldError is an input that failed validation, named by its field.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }
