package app

import (
	"context"
	"errors"
	"strings"

	"tubeagency/app/events"
	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
)

// AutopilotHostChannel is one channel in Settings → Autopilot: which device
// runs its autopilot.
type AutopilotHostChannel struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Autopilot bool   `json:"autopilot"`
	Host      string `json:"host"`      // device id; "" when none is chosen yet
	HostName  string `json:"host_name"` // the device's name, or "" when unknown here
}

// AutopilotHostsView is Settings → Autopilot: the account's devices and the
// host of every channel.
type AutopilotHostsView struct {
	ThisDevice    string                 `json:"this_device"`
	Devices       []Device               `json:"devices"`
	Channels      []AutopilotHostChannel `json:"channels"`
	TakeoverHours float64                `json:"takeover_hours"`
	Shared        bool                   `json:"shared"` // false: signed out, or a project without schema 0002: hosts stay on this device
	Note          string                 `json:"note"`   // why hosts are not shared, when they are not
}

func (rt *Runtime) autopilotHosts(ctx context.Context) (AutopilotHostsView, error) {
	d := rt.sync.devices
	out := AutopilotHostsView{ThisDevice: d.ID(), TakeoverHours: cloudsync.DefaultTakeoverAfter.Hours(), Channels: []AutopilotHostChannel{}}
	devices, err := d.List(ctx)
	if err != nil {
		return out, err
	}
	out.Devices = devicesOf(devices)
	names := map[string]string{}
	for _, dev := range out.Devices {
		names[dev.ID] = dev.Name
	}
	chs, err := store.List[store.Channel](ctx, rt.store.ReadDB(), store.ChannelEntity, "", "name COLLATE NOCASE, id")
	if err != nil {
		return out, err
	}
	for _, ch := range chs {
		out.Channels = append(out.Channels, AutopilotHostChannel{ID: ch.ID, Name: ch.Name, Autopilot: ch.Autopilot, Host: ch.AutopilotHost, HostName: names[ch.AutopilotHost]})
	}
	st, err := rt.sync.syncer.Status(ctx)
	if err != nil {
		return out, err
	}
	switch {
	case st.State == cloudsync.StateSignedOut:
		out.Note = "Sign in to sync (Settings → Sync) to share autopilot hosts with your other devices."
	case st.PullMode == cloudsync.PullPerTable:
		out.Note = "Your Supabase project has not applied sync/schema/0002: each device decides alone. Apply it to share hosts."
	default:
		out.Shared = true
	}
	return out, nil
}

// AutopilotHosts lists the account's devices and which one runs autopilot
// for each channel.
func (a *App) AutopilotHosts() (AutopilotHostsView, error) {
	ctx, cancel := a.call()
	defer cancel()
	return a.rt.autopilotHosts(ctx)
}

// SetAutopilotHost makes deviceID (this computer, or another device the
// account has seen) run autopilot for channelID. The choice syncs; the
// device that ran it before stops within one sync cycle.
func (a *App) SetAutopilotHost(channelID, deviceID string) (AutopilotHostsView, error) {
	var c checker
	c.text("channel_id", channelID, 1, 64)
	c.text("device_id", deviceID, 1, 64)
	if err := c.check(); err != nil {
		return AutopilotHostsView{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	ch, err := a.rt.sync.devices.SetHost(ctx, channelID, deviceID)
	var fe *cloudsync.FieldError
	switch {
	case errors.As(err, &fe):
		return AutopilotHostsView{}, &FieldError{Field: fe.Field, Message: fe.Message}
	case err != nil:
		return AutopilotHostsView{}, notFound(err, "channel")
	}
	a.rt.changed(events.Channels, ch)
	a.rt.studio.autopilot.Wake()
	return a.rt.autopilotHosts(ctx)
}

// RenameDevice names this device as the account's other devices show it
// ("home server").
func (a *App) RenameDevice(name string) (AutopilotHostsView, error) {
	name = strings.TrimSpace(name)
	var c checker
	c.text("name", name, 1, 80)
	if err := c.check(); err != nil {
		return AutopilotHostsView{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	if err := a.rt.sync.devices.Rename(ctx, name); err != nil {
		return AutopilotHostsView{}, err
	}
	a.rt.emitStatus()
	return a.rt.autopilotHosts(ctx)
}
