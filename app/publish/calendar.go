package publish

import (
	"context"
	"fmt"
	"math"
	"time"
)

// DefaultHour is the local publishing hour when neither the channel nor
// the caller gives one.
const DefaultHour = 17

// Calendar is a channel's publishing rhythm.
type Calendar struct {
	// Cadence is videos per week (the channel's cadence). Below 1 the
	// channel publishes every round(1/Cadence) weeks; above 7, several
	// times a day (at most 4).
	Cadence float64
	// Hour and Minute are the local publishing time: the channel's
	// preference or the best hour from the insights heatmap. Hour -1 means
	// DefaultHour.
	Hour, Minute int
	// Location is the channel's time zone. Nil means UTC.
	Location *time.Location
}

// weekdays spreads n slots over a week, Monday first.
var weekdays = map[int][]time.Weekday{
	1: {time.Thursday},
	2: {time.Tuesday, time.Friday},
	3: {time.Monday, time.Wednesday, time.Friday},
	4: {time.Monday, time.Tuesday, time.Thursday, time.Friday},
	5: {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	6: {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
	7: {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday},
}

func (c Calendar) norm() (days []time.Weekday, perDay, everyWeeks int, loc *time.Location, hour int) {
	loc = c.Location
	if loc == nil {
		loc = time.UTC
	}
	hour = c.Hour
	if hour < 0 || hour > 23 {
		hour = DefaultHour
	}
	cad := c.Cadence
	if cad <= 0 || math.IsNaN(cad) || math.IsInf(cad, 0) {
		return nil, 0, 0, loc, hour
	}
	everyWeeks, perDay = 1, 1
	switch {
	case cad < 1:
		everyWeeks = int(math.Round(1 / cad))
		days = weekdays[1]
	case cad <= 7:
		days = weekdays[int(math.Round(cad))]
	default:
		days = weekdays[7]
		perDay = min(int(math.Ceil(cad/7)), 4)
	}
	return days, perDay, everyWeeks, loc, hour
}

// Slots lists the calendar's publishing times in [from, to), in order.
// Times are wall-clock times in the channel's zone, so they keep their
// local hour across daylight-saving changes.
func (c Calendar) Slots(from, to time.Time) []time.Time {
	days, perDay, every, loc, hour := c.norm()
	if len(days) == 0 || !from.Before(to) {
		return nil
	}
	var out []time.Time
	f := from.In(loc)
	day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if !containsDay(days, day.Weekday()) {
			continue
		}
		if every > 1 {
			_, week := day.ISOWeek()
			if week%every != 0 {
				continue
			}
		}
		for k := 0; k < perDay; k++ {
			h := hour + k*(24/(perDay+1))
			t := time.Date(day.Year(), day.Month(), day.Day(), h%24, c.Minute, 0, 0, loc)
			if !t.Before(from) && t.Before(to) {
				out = append(out, t)
			}
		}
	}
	return out
}

func containsDay(days []time.Weekday, d time.Weekday) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// spacing is the shortest gap between two slots.
func (c Calendar) spacing() time.Duration {
	_, perDay, _, _, _ := c.norm()
	if perDay > 1 {
		return time.Duration(24/(perDay+1)) * time.Hour
	}
	return 24 * time.Hour
}

// Taken reports whether slot is occupied by one of the times: a video
// within half the calendar's slot spacing of it.
func (c Calendar) Taken(slot time.Time, occupied []time.Time) bool {
	half := c.spacing() / 2
	for _, o := range occupied {
		if d := o.Sub(slot); d > -half && d < half {
			return true
		}
	}
	return false
}

// FreeSlots returns up to n free slots after from (searching a year ahead).
func (c Calendar) FreeSlots(from time.Time, occupied []time.Time, n int) []time.Time {
	var out []time.Time
	end := from.AddDate(1, 0, 0)
	for start := from; start.Before(end) && len(out) < n; start = start.AddDate(0, 1, 0) {
		for _, s := range c.Slots(start, start.AddDate(0, 1, 0)) {
			if !c.Taken(s, occupied) {
				out = append(out, s)
				if len(out) == n {
					break
				}
			}
		}
	}
	return out
}

// CalendarOf builds a channel's calendar from its cadence and settings;
// hour overrides the channel's preferred hour when it is 0–23 (the insights
// heatmap's best hour).
func CalendarOf(cadence float64, cs ChannelSettings, hour int) (Calendar, error) {
	cal := Calendar{Cadence: cadence, Hour: cs.Hour, Minute: cs.Minute}
	if hour >= 0 && hour <= 23 {
		cal.Hour, cal.Minute = hour, 0
	}
	if cs.TimeZone != "" {
		loc, err := time.LoadLocation(cs.TimeZone)
		if err != nil {
			return Calendar{}, fieldErr("time_zone", "unknown time zone %q", cs.TimeZone)
		}
		cal.Location = loc
	} else {
		cal.Location = time.Local
	}
	return cal, nil
}

// Where a calendar's publishing hour comes from.
const (
	// HourAnalytics: the channel's best hour from its analytics (the
	// insights heatmap of its past uploads).
	HourAnalytics = "analytics"
	// HourPreferred: the publishing time set for the channel.
	HourPreferred = "preferred"
	// HourDefault: neither: DefaultHour.
	HourDefault = "default"
)

// BestHour finds a channel's best local publishing hour (0–23) in loc from
// its analytics; ok is false when there is not enough data to say. The
// app injects it (publishing does not read analytics itself).
type BestHour func(ctx context.Context, channelID string, loc *time.Location) (hour int, ok bool)

// PlanCalendar builds a channel's calendar: its free slots fall at the
// best hour from its analytics when best knows one, else at the channel's
// preferred time, else at DefaultHour. It returns the calendar and where
// its hour came from (HourAnalytics, HourPreferred or HourDefault). A
// channel publishing several times a day spaces its other slots from that
// hour. best may be nil.
func PlanCalendar(ctx context.Context, cadence float64, cs ChannelSettings, best BestHour) (Calendar, string, error) {
	cal, err := CalendarOf(cadence, cs, -1)
	if err != nil {
		return Calendar{}, "", err
	}
	if best != nil {
		if h, ok := best(ctx, cs.ChannelID, cal.Location); ok && h >= 0 && h <= 23 {
			cal.Hour, cal.Minute = h, 0
			return cal, HourAnalytics, nil
		}
	}
	if cs.Hour >= 0 && cs.Hour <= 23 {
		return cal, HourPreferred, nil
	}
	return cal, HourDefault, nil
}

// Entry is one item on a channel's calendar page.
type Entry struct {
	At    time.Time `json:"at,omitzero"`
	Kind  string    `json:"kind"` // "free", or the job's state: scheduled items are jobs
	JobID string    `json:"job_id,omitempty"`
	Job   *Job      `json:"job,omitempty"`
}

// CalendarView lists a channel's jobs (scheduled, uploading, published,
// failed) and its free slots in [from, to), in time order.
func (db *DB) CalendarView(ctx context.Context, channelID string, cal Calendar, from, to time.Time) ([]Entry, error) {
	jobs, err := db.Jobs(ctx, Filter{ChannelID: channelID, From: from, To: to, Limit: 1000})
	if err != nil {
		return nil, err
	}
	occupied, err := db.Occupied(ctx, channelID)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for i := range jobs {
		if jobs[i].State == StateCancelled {
			continue
		}
		out = append(out, Entry{At: jobs[i].CalendarTime(), Kind: string(jobs[i].State), JobID: jobs[i].ID, Job: &jobs[i]})
	}
	for _, s := range cal.Slots(from, to) {
		if !cal.Taken(s, occupied) {
			out = append(out, Entry{At: s, Kind: "free"})
		}
	}
	sortEntries(out)
	return out, nil
}

func sortEntries(es []Entry) {
	for i := 1; i < len(es); i++ {
		for k := i; k > 0 && es[k].At.Before(es[k-1].At); k-- {
			es[k], es[k-1] = es[k-1], es[k]
		}
	}
}

// Occupied lists the calendar times of a channel's jobs that hold a slot
// (every job but cancelled ones).
func (db *DB) Occupied(ctx context.Context, channelID string) ([]time.Time, error) {
	jobs, err := db.Jobs(ctx, Filter{ChannelID: channelID, Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("occupied slots of %s: %w", channelID, err)
	}
	var out []time.Time
	for _, j := range jobs {
		if j.State != StateCancelled {
			out = append(out, j.CalendarTime())
		}
	}
	return out, nil
}

// NextFreeSlot is the first free slot of the channel's calendar after from,
// or false when its cadence gives none.
func (db *DB) NextFreeSlot(ctx context.Context, channelID string, cal Calendar, from time.Time) (time.Time, bool, error) {
	occ, err := db.Occupied(ctx, channelID)
	if err != nil {
		return time.Time{}, false, err
	}
	s := cal.FreeSlots(from, occ, 1)
	if len(s) == 0 {
		return time.Time{}, false, nil
	}
	return s[0], true, nil
}
