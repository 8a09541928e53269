package studio

import (
	"strings"

	"tubeagency/internal/store"
)

// Settle brings the parts of p that derive from others up to date: each
// script section's spoken lines from its text (or its text from its lines,
// for a package that has lines alone), the section timings, the checklist
// and the status. The studio calls it on every save; the app calls it
// before saving a package the user edited, so an edit that fixes the script
// makes the package ready, and one that breaks it makes it an outline.
func Settle(p *store.Package, ch store.Channel) {
	timeScript(p, ch)
	c := Check(*p, ch)
	p.Content.Checklist = &c
	p.Status = statusOf(*p)
}

// Retime moves the chapters of p's description to where the sections of
// its script start now, as the studio does when it writes a new script:
// the description's chapter lines (and their heading) are replaced by
// Chapters timed from the script (or from the voice-over that speaks it).
// The app calls it when the user saves a script that changed under a
// description they did not edit, so chapters never keep the timestamps of
// a longer script. A package without a description is left as it is.
func Retime(p *store.Package, ch store.Channel) {
	if strings.TrimSpace(p.Content.Description) == "" {
		return
	}
	timeScript(p, ch)
	p.Content.Description = Describe(p.Content.Description, p.Content.Hook, chapterTimed(p.Content), ch.Language, ch.Format == store.FormatShorts)
}

// timeScript brings each section's spoken lines and timings up to date
// with its text.
func timeScript(p *store.Package, ch store.Channel) {
	for i := range p.Content.Script {
		sec := &p.Content.Script[i]
		if strings.TrimSpace(sec.Text) == "" && len(sec.Spoken) > 0 {
			sec.Text = strings.Join(sec.Spoken, "\n\n")
		}
		sec.Spoken = store.SplitLines(sec.Text)
	}
	if len(p.Content.Script) > 0 {
		wpm := p.Content.WordsPerMinute
		if wpm <= 0 {
			wpm = TargetFor(ch.Format).WordsPerMinute
		}
		Time(p.Content.Hook, p.Content.Script, wpm)
	}
}
