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
	c := Check(*p, ch)
	p.Content.Checklist = &c
	p.Status = statusOf(*p)
}
