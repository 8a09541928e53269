package publish_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tubeagency/app/publish"
)

func TestCalendarSlots(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, ny) // a Monday; DST starts on Sunday the 8th
	cal := publish.Calendar{Cadence: 5, Hour: 17, Location: ny}
	slots := cal.Slots(from, from.AddDate(0, 0, 14))
	if len(slots) != 10 {
		t.Fatalf("%d slots in two weeks of 5/week", len(slots))
	}
	for _, s := range slots {
		l := s.In(ny)
		if l.Hour() != 17 || l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
			t.Fatalf("slot %v", l)
		}
	}
	// across the change the local hour holds, so the UTC hour moves
	if slots[0].UTC().Hour() != 22 || slots[5].UTC().Hour() != 21 {
		t.Fatalf("UTC hours %d and %d, want 22 (EST) and 21 (EDT)", slots[0].UTC().Hour(), slots[5].UTC().Hour())
	}
	if n := len((publish.Calendar{Cadence: 0.5, Location: ny}).Slots(from, from.AddDate(0, 0, 28))); n != 2 {
		t.Fatalf("every other week: %d slots in 4 weeks", n)
	}
	if n := len((publish.Calendar{Cadence: 14, Hour: 9, Location: ny}).Slots(from, from.AddDate(0, 0, 7))); n != 14 {
		t.Fatalf("14/week: %d slots", n)
	}
	if len((publish.Calendar{Cadence: 0}).Slots(from, from.AddDate(0, 0, 7))) != 0 {
		t.Fatal("no cadence, yet slots")
	}
}

func TestFreeSlotsAndRescheduling(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	if err := e.db.SetChannel(ctx, channelID, false, "Europe/Lisbon", 18, 30); err != nil {
		t.Fatal(err)
	}
	cs, _ := e.db.Channel(ctx, channelID)
	cal, err := publish.CalendarOf(3, cs, -1)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now() // Monday 2026-03-02 18:00 UTC: today's 18:30 slot is still ahead
	first, ok, err := e.db.NextFreeSlot(ctx, channelID, cal, now)
	if err != nil || !ok {
		t.Fatal(err)
	}
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	if l := first.In(lisbon); l.Weekday() != time.Monday || l.Hour() != 18 || l.Minute() != 30 {
		t.Fatalf("first free slot %v", l)
	}
	j := e.enqueue(1000, func(nj *publish.NewJob) { nj.Meta.PublishAt = first; nj.Meta.Privacy = publish.Public })
	second, _, _ := e.db.NextFreeSlot(ctx, channelID, cal, now)
	if l := second.In(lisbon); l.Weekday() != time.Wednesday {
		t.Fatalf("next free slot %v, want Wednesday", l)
	}
	view, err := e.db.CalendarView(ctx, channelID, cal, now, now.AddDate(0, 0, 7))
	if err != nil || len(view) != 3 || view[0].JobID != j.ID || view[1].Kind != "free" {
		t.Fatalf("calendar view %+v %v", view, err)
	}
	// move the job to Wednesday: Monday is free again
	moved, err := e.db.Reschedule(ctx, j.ID, second)
	if err != nil || !moved.Meta.PublishAt.Equal(second) {
		t.Fatalf("reschedule: %v", err)
	}
	if again, _, _ := e.db.NextFreeSlot(ctx, channelID, cal, now); !again.Equal(first) {
		t.Fatalf("after moving, first free %v, want %v", again, first)
	}
	// into the past: refused, nothing changes
	var fe *publish.FieldError
	if _, err := e.db.Reschedule(ctx, j.ID, now.Add(-time.Hour)); !errors.As(err, &fe) || fe.Field != "publish_at" {
		t.Fatalf("past slot: %v", err)
	}
	// unschedule: private, no time
	un, err := e.db.Reschedule(ctx, j.ID, time.Time{})
	if err != nil || !un.Meta.PublishAt.IsZero() || un.Meta.Privacy != publish.Private {
		t.Fatalf("unschedule: %+v %v", un.Meta, err)
	}
	// once on YouTube the slot moves in Studio only
	got, _ := e.runner.RunJob(ctx, j.ID)
	if got.State != publish.StateDone {
		t.Fatalf("upload %s", got.State)
	}
	if _, err := e.db.Reschedule(ctx, j.ID, second); !errors.Is(err, publish.ErrAlreadyUploaded) {
		t.Fatalf("moving an uploaded video: %v", err)
	}
}

func TestPlanCalendarPrefersTheBestHourFromAnalytics(t *testing.T) {
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	cs := publish.ChannelSettings{ChannelID: "ch-1", TimeZone: "Europe/Lisbon", Hour: 9, Minute: 30}
	var asked string
	var askedIn *time.Location
	best := func(ok bool) publish.BestHour {
		return func(_ context.Context, id string, loc *time.Location) (int, bool) {
			asked, askedIn = id, loc
			return 21, ok
		}
	}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, lisbon) // a Monday
	cases := []struct {
		name   string
		cs     publish.ChannelSettings
		best   publish.BestHour
		source string
		hour   int
		minute int
	}{
		{"analytics", cs, best(true), publish.HourAnalytics, 21, 0},
		{"not enough data", cs, best(false), publish.HourPreferred, 9, 30},
		{"no analytics at all", cs, nil, publish.HourPreferred, 9, 30},
		{"no preference either", publish.ChannelSettings{ChannelID: "ch-1", TimeZone: "Europe/Lisbon", Hour: -1}, best(false), publish.HourDefault, publish.DefaultHour, 0},
	}
	for _, c := range cases {
		cal, source, err := publish.PlanCalendar(t.Context(), 3, c.cs, c.best)
		if err != nil || source != c.source {
			t.Fatalf("%s: source %q, %v", c.name, source, err)
		}
		slots := cal.Slots(from, from.AddDate(0, 0, 7))
		if len(slots) != 3 {
			t.Fatalf("%s: %d slots a week, want 3", c.name, len(slots))
		}
		for _, s := range slots {
			if l := s.In(lisbon); l.Hour() != c.hour || l.Minute() != c.minute {
				t.Fatalf("%s: slot at %s, want %02d:%02d", c.name, l, c.hour, c.minute)
			}
		}
	}
	if asked != "ch-1" || askedIn.String() != "Europe/Lisbon" {
		t.Fatalf("best hour asked for %q in %v", asked, askedIn)
	}
	if _, _, err := publish.PlanCalendar(t.Context(), 3, publish.ChannelSettings{TimeZone: "Mars/Olympus"}, best(true)); err == nil {
		t.Fatal("an unknown time zone was accepted")
	}
}
