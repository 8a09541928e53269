package studio

import (
	"encoding/json"
	"fmt"
	"strings"

	"tubeagency/internal/store"
)

// Export is a package in a portable shape.
type Export struct {
	Channel     string                `json:"channel"`
	Format      string                `json:"format"`
	Topic       string                `json:"topic"`
	Title       string                `json:"title"`
	Status      string                `json:"status"`
	Titles      []store.TitleOption   `json:"titles"`
	Hook        string                `json:"hook"`
	Script      []store.ScriptSection `json:"script"`
	WPM         int                   `json:"words_per_minute"`
	Seconds     float64               `json:"script_seconds"`
	Description string                `json:"description"`
	Tags        []string              `json:"tags"`
	Thumbnail   string                `json:"thumbnail"`
	Ideas       []string              `json:"ideas"`
	Voice       *store.Voice          `json:"voice,omitempty"`
	Checklist   store.Checklist       `json:"checklist"`
	Overrides   []store.Override      `json:"overrides,omitempty"`
	PackageID   string                `json:"package_id"`
}

// ExportOf collects what a package holds for export. The status and the
// checklist are evaluated afresh, as the studio and the autopilot do, so an
// export never says "ready" for a package the checklist would stop.
func ExportOf(p store.Package, ch store.Channel) Export {
	Settle(&p, ch)
	return Export{Channel: ch.Name, Format: ch.Format, Topic: p.Topic, Title: p.Title, Status: p.Status,
		Checklist: *p.Content.Checklist, Overrides: p.Content.Overrides,
		Titles: nonNil(p.Content.Titles), Hook: p.Content.Hook, Script: nonNil(p.Content.Script), WPM: p.Content.WordsPerMinute,
		Seconds:     round1(ScriptSeconds(p.Content.Hook, p.Content.Script, p.Content.WordsPerMinute)),
		Description: p.Content.Description, Tags: nonNil(p.Content.Tags), Thumbnail: p.Content.Thumbnail,
		Ideas: nonNil(p.Content.Ideas), Voice: p.Content.Voice, PackageID: p.ID}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// JSON renders the export as indented JSON.
func (e Export) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export json: %w", err)
	}
	return append(b, '\n'), nil
}

// Markdown renders the export as a readable document.
func (e Export) Markdown() string {
	var b strings.Builder
	title := e.Title
	if title == "" {
		title = e.Topic
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	fmt.Fprintf(&b, "- Channel: %s (%s)\n", e.Channel, e.Format)
	if e.Topic != "" {
		fmt.Fprintf(&b, "- Topic: %s\n", e.Topic)
	}
	missing := e.Checklist.Missing()
	switch {
	case e.Status == store.StatusOutline:
		fmt.Fprintf(&b, "- Status: outline (%s missing before it is ready to publish)\n", plural(len(missing), "checklist item", "checklist items"))
	default:
		fmt.Fprintf(&b, "- Status: %s\n", e.Status)
	}
	if len(e.Script) > 0 {
		fmt.Fprintf(&b, "- Script length: %s at %d words per minute\n", Clock(e.Seconds), e.WPM)
	}
	if e.Voice != nil {
		fmt.Fprintf(&b, "- Voice-over: %s, %s (%s)\n", e.Voice.File, Clock(e.Voice.Seconds), e.Voice.Engine)
	}
	if len(missing) > 0 || len(e.Overrides) > 0 {
		b.WriteString("\n## Checklist\n\n")
		for _, it := range e.Checklist.Items {
			switch it.State {
			case store.CheckFail:
				fmt.Fprintf(&b, "- [ ] %s: %s\n", it.Label, it.Message)
			case store.CheckOverridden:
				fmt.Fprintf(&b, "- [x] %s (overridden: %s)\n", it.Label, overrideReason(e.Overrides, it.Rule))
			}
		}
	}
	if len(e.Titles) > 0 {
		b.WriteString("\n## Title options\n\n| Score | Title |\n| ---: | --- |\n")
		for _, t := range e.Titles {
			fmt.Fprintf(&b, "| %.0f | %s |\n", t.Score, strings.ReplaceAll(t.Text, "|", `\|`))
		}
	}
	if e.Thumbnail != "" {
		fmt.Fprintf(&b, "\n## Thumbnail text\n\n%s\n", e.Thumbnail)
	}
	if e.Hook != "" || len(e.Script) > 0 {
		b.WriteString("\n## Script\n")
		if e.Hook != "" {
			fmt.Fprintf(&b, "\n**Hook (0:00):** %s\n", e.Hook)
		}
		for _, s := range e.Script {
			fmt.Fprintf(&b, "\n### %s (%s, %.0f s)\n\n%s\n", s.Heading, Clock(s.Start), s.Seconds, strings.Join(s.SpokenLines(), "\n\n"))
			for _, n := range s.Notes {
				fmt.Fprintf(&b, "\n> Note (not spoken): %s\n", n)
			}
		}
	}
	if e.Description != "" {
		fmt.Fprintf(&b, "\n## Description\n\n%s\n", e.Description)
	}
	if len(e.Tags) > 0 {
		fmt.Fprintf(&b, "\n## Tags\n\n%s\n", strings.Join(e.Tags, ", "))
	}
	if len(e.Ideas) > 0 {
		b.WriteString("\n## Ideas\n\n")
		for _, i := range e.Ideas {
			fmt.Fprintf(&b, "- %s\n", i)
		}
	}
	return b.String()
}

func overrideReason(list []store.Override, rule string) string {
	for _, o := range list {
		if o.Rule == rule {
			if o.Reason != "" {
				return o.Reason
			}
			break
		}
	}
	return "no reason given"
}
