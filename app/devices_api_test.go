package app

import (
	"errors"
	"fmt"
	"testing"
	"time"

	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabasetest"
)

// TestAppWithAProjectWithoutSchemaTwo runs the app against a Supabase
// project that applied only 0001: sign-up, changes sync both ways (the
// channels' autopilot hosts stay on this device), Settings → Sync says
// pulls go table by table and what to do, Settings → Autopilot says hosts
// are not shared, and nothing is refused.
func TestAppWithAProjectWithoutSchemaTwo(t *testing.T) {
	env := supabasetest.StartAt(t, 1)
	rt := startTest(t)
	rt.keys.mode = "file"
	a := rt.API()
	in := validChannel()
	in.Autopilot = true
	ch, err := a.CreateChannel(in)
	if err != nil {
		t.Fatal(err)
	}
	if ch.AutopilotHost != rt.store.DeviceID() {
		t.Fatalf("a channel switched on here is hosted by %q, want this device", ch.AutopilotHost)
	}
	if _, err := a.SaveSyncSettings(SyncSettingsInput{URL: env.URL, AnonKey: env.AnonKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncSignUp(SyncCredentials{Email: "v1@example.com", Password: "a good password"}); err != nil {
		t.Fatal(err)
	}
	waitSync(t, rt, "the queue drained", func(s cloudsync.Status) bool {
		return s.State == cloudsync.StateOnline && s.Pending == 0 && !s.LastSync.IsZero()
	})
	v, err := a.SyncStatus()
	if err != nil || v.PullMode != cloudsync.PullPerTable || v.PullNote == "" || v.DeadLetters != 0 {
		t.Fatalf("sync status on a 0001 project = %+v, %v", v, err)
	}
	var name string
	if err := env.Admin.QueryRow(`SELECT name FROM public.channels WHERE id = $1`, ch.ID).Scan(&name); err != nil || name != ch.Name {
		t.Fatalf("server channel %q (%v)", name, err)
	}
	// A change made elsewhere arrives, and this device keeps its host.
	later := fmt.Sprintf("%013d-000000-00000000000000bb", rt.opts.Now().Add(time.Minute).UnixMilli()) // another device, a minute later
	if _, err := env.Admin.Exec(`UPDATE public.channels SET name = 'Renamed elsewhere', hlc = $2 WHERE id = $1`, ch.ID, later); err != nil {
		t.Fatal(err)
	}
	a.SyncNow()
	waitSync(t, rt, "the remote change pulled", func(cloudsync.Status) bool {
		got, err := a.GetChannel(ch.ID)
		return err == nil && got.Name == "Renamed elsewhere"
	})
	got, err := a.GetChannel(ch.ID)
	if err != nil || got.Name != "Renamed elsewhere" || got.AutopilotHost != rt.store.DeviceID() {
		t.Fatalf("channel after the remote change = %+v, %v", got, err)
	}
	hosts, err := a.AutopilotHosts()
	if err != nil || hosts.Shared || hosts.Note == "" || len(hosts.Devices) != 1 || !hosts.Devices[0].This {
		t.Fatalf("autopilot hosts on a 0001 project = %+v, %v", hosts, err)
	}
}

// TestAutopilotHostsBoundMethods: the list shows this device first, a
// channel's host can be set to this device or a known one (not an unknown
// one, named on its field), and the name given stays.
func TestAutopilotHostsBoundMethods(t *testing.T) {
	rt := startTest(t)
	a := rt.API()
	ch, err := a.CreateChannel(validChannel())
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.RenameDevice("  Home server ")
	if err != nil || len(v.Devices) != 1 || v.Devices[0].Name != "Home server" || !v.Devices[0].This || v.Shared {
		t.Fatalf("after rename: %+v, %v", v, err)
	}
	var fe *FieldError
	if _, err := a.RenameDevice(" "); !errors.As(err, &fe) || fe.Field != "name" {
		t.Fatalf("empty name = %v", err)
	}
	if _, err := a.SetAutopilotHost(ch.ID, "00000000000000aa"); !errors.As(err, &fe) || fe.Field != "device_id" {
		t.Fatalf("unknown device = %v", err)
	}
	if _, err := a.SetAutopilotHost("no-such-channel", rt.store.DeviceID()); err == nil {
		t.Fatal("a missing channel got a host")
	}
	v, err = a.SetAutopilotHost(ch.ID, rt.store.DeviceID())
	if err != nil || len(v.Channels) != 1 || v.Channels[0].Host != rt.store.DeviceID() || v.Channels[0].HostName != "Home server" {
		t.Fatalf("after choosing this device: %+v, %v", v, err)
	}
	// Nothing to repair on a healthy database.
	if rep, err := a.RepairClocks(); err != nil || rep.Pending+rep.DeadLetters+rep.Rows != 0 || rep.Clock == "" {
		t.Fatalf("repair = %+v, %v", rep, err)
	}
}
