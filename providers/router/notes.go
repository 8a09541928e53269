package router

import (
	"fmt"
	"math"
	"time"
)

// whyKind is why a provider did not answer a request.
type whyKind int

const (
	whyNone        whyKind = iota
	whySlow                // no first byte within the budget
	whyStalled             // the answer went quiet for longer than the budget
	whyTimeout             // the whole answer took longer than the attempt may
	whyCooldown            // it asked for a pause (429/503 with a time)
	whyBreaker             // its breaker is open after repeated failures
	whyMisconfig           // its key or address was rejected
	whyQuota               // its daily quota is used up
	whyLimited             // its requests-per-minute limit is used up
	whyUnreachable         // its server could not be reached
	whyBadAnswer           // its answer was malformed, empty or cut off
	whyError               // it answered with an error status
	whyInterrupted         // its answer broke off partway
	whyDropped             // it closed the connection early
)

// why is one provider's reason for not answering, in plain words.
type why struct {
	label  string
	kind   whyKind
	d      time.Duration // the budget blown, or the wait asked for
	status int
	text   string // whyMisconfig: the full sentence
}

// sentence says w in plain words, as one sentence.
func (w why) sentence() string {
	switch w.kind {
	case whySlow:
		return fmt.Sprintf("%s did not start answering within %s.", w.label, seconds(w.d))
	case whyStalled:
		return fmt.Sprintf("%s stopped sending its answer for more than %s.", w.label, seconds(w.d))
	case whyTimeout:
		return w.label + " did not finish its answer in time."
	case whyCooldown:
		if w.status == 429 {
			return fmt.Sprintf("%s asked to wait %s (rate limit).", w.label, wait(w.d))
		}
		return fmt.Sprintf("%s is overloaded and asked to wait %s.", w.label, wait(w.d))
	case whyBreaker:
		return w.label + " failed several times in a row and is paused for a moment."
	case whyMisconfig:
		return w.text
	case whyQuota:
		return w.label + " used its daily quota."
	case whyLimited:
		return w.label + " used its requests for this minute."
	case whyUnreachable:
		return w.label + " could not be reached."
	case whyBadAnswer:
		return w.label + " sent a broken answer."
	case whyInterrupted:
		return w.label + " broke off its answer partway."
	case whyDropped:
		return w.label + " closed the connection before its answer was complete."
	case whyError:
		if w.status != 0 {
			return fmt.Sprintf("%s answered with an error (%d).", w.label, w.status)
		}
		return w.label + " answered with an error."
	}
	return ""
}

// seconds writes a budget: "1 s", "1.5 s".
func seconds(d time.Duration) string {
	s := d.Seconds()
	if s == math.Trunc(s) {
		return fmt.Sprintf("%.0f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// wait writes a wait rounded up: "3 s", "2 min", "about 3 h".
func wait(d time.Duration) string {
	switch {
	case d <= 0:
		return "a moment"
	case d < 90*time.Second:
		return fmt.Sprintf("%d s", int(math.Ceil(d.Seconds())))
	case d < 90*time.Minute:
		return fmt.Sprintf("%d min", int(math.Ceil(d.Minutes())))
	default:
		return fmt.Sprintf("about %d h", int(math.Round(d.Hours())))
	}
}

// Local templates' label in notes and restarts.
const templatesLabel = "Local templates"

// fallbackNotes explain why the templates answered: one sentence per
// provider that did not, in routing order, then what happened.
func fallbackNotes(notes []string, whys []why) []string {
	seen := make(map[string]bool, len(whys))
	n := 0
	for _, w := range whys {
		s := w.sentence()
		if s == "" || seen[w.label] {
			continue
		}
		seen[w.label] = true
		notes = append(notes, s)
		n++
	}
	if n > 0 {
		notes = append(notes, templatesLabel+" answered instead.")
	}
	return notes
}

// answeredNotes are the notes kept when a provider answered after others
// did not: what the user can act on (a rejected key) or should know (a
// spent daily quota).
func answeredNotes(notes []string, whys []why) []string {
	for _, w := range whys {
		switch w.kind {
		case whyMisconfig:
			notes = append(notes, w.text)
		case whyQuota:
			notes = append(notes, w.label+" used its daily quota, so another provider answered.")
		}
	}
	return notes
}

// restartReason is the reason given with a restart.
func restartReason(w why) string {
	if s := w.sentence(); s != "" {
		return s
	}
	return w.label + " stopped partway."
}
