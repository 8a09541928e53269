package app

import (
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"tubeagency/app/events"
	"tubeagency/app/studio"
	"tubeagency/internal/store"
)

// PackageInput is a package as the user saves it. An empty ID creates one.
type PackageInput struct {
	ID        string         `json:"id"`
	ChannelID string         `json:"channel_id"`
	Status    string         `json:"status"`
	Topic     string         `json:"topic"`
	Title     string         `json:"title"`
	Content   PackageContent `json:"content"`
}

// YouTube's own limits, so that a package saved here can be published as is.
const (
	maxTitle       = 100
	maxDescription = 5000
	maxTagsChars   = 500
)

// Caps on a package's collections, far above what the studio writes, so
// one request can neither store a huge row nor make every later save
// (each an outbox entry holding the whole row) huge.
const (
	maxIdeas    = 50
	maxTitles   = 50
	maxSections = 200
	maxTags     = 100 // YouTube's 500 characters allow at most about that many
	maxSteps    = 16
)

func (in *PackageInput) normalize() {
	in.Topic = strings.TrimSpace(in.Topic)
	in.Title = strings.TrimSpace(in.Title)
	if in.Status == "" {
		in.Status = store.StatusIdea
	}
}

func (in PackageInput) validate() error {
	var c checker
	c.text("channel_id", in.ChannelID, 1, 64)
	c.oneOf("status", in.Status, store.Statuses...)
	c.text("topic", in.Topic, 0, 200)
	c.text("title", in.Title, 0, maxTitle)
	c.count("content.ideas", len(in.Content.Ideas), maxIdeas)
	c.count("content.titles", len(in.Content.Titles), maxTitles)
	c.count("content.script", len(in.Content.Script), maxSections)
	c.count("content.tags", len(in.Content.Tags), maxTags)
	c.count("content.steps", len(in.Content.Steps), maxSteps)
	for _, idea := range in.Content.Ideas {
		c.text("content.ideas", idea, 0, 300)
	}
	for _, t := range in.Content.Titles {
		c.text("content.titles", t.Text, 1, maxTitle)
		c.number("content.titles", t.Score, 0, 100)
	}
	c.text("content.hook", in.Content.Hook, 0, 2000)
	total := 0
	for _, s := range in.Content.Script {
		c.text("content.script", s.Heading, 0, 200)
		c.text("content.script", s.Text, 0, 50000)
		total += utf8.RuneCountInString(s.Text)
	}
	if total > 100000 {
		c.fail("content.script", "must be at most 100000 characters in all")
	}
	c.text("content.description", in.Content.Description, 0, maxDescription)
	tagChars := 0
	for _, t := range in.Content.Tags {
		c.text("content.tags", t, 1, 100)
		tagChars += utf8.RuneCountInString(t)
	}
	if tagChars > maxTagsChars {
		c.fail("content.tags", "must be at most %d characters in all", maxTagsChars)
	}
	c.text("content.thumbnail", in.Content.Thumbnail, 0, 100)
	return c.check()
}

// ListPackages returns the packages of one channel, or of all when
// channelID is empty, newest first.
func (a *App) ListPackages(channelID string) ([]Package, error) {
	ctx, cancel := a.call()
	defer cancel()
	if channelID == "" {
		ps, err := store.List[store.Package](ctx, a.rt.store.ReadDB(), store.PackageEntity, "", "updated_at DESC, id")
		return packagesOf(ps), err
	}
	ps, err := store.List[store.Package](ctx, a.rt.store.ReadDB(), store.PackageEntity, "channel_id = ?", "updated_at DESC, id", channelID)
	return packagesOf(ps), err
}

// GetPackage returns one package.
func (a *App) GetPackage(id string) (Package, error) {
	ctx, cancel := a.call()
	defer cancel()
	p, err := store.Get[store.Package](ctx, a.rt.store.ReadDB(), store.PackageEntity, id)
	return packageOf(p), notFound(err, "package")
}

// SavePackage validates in and creates or updates the package.
func (a *App) SavePackage(in PackageInput) (Package, error) {
	in.normalize()
	if err := in.validate(); err != nil {
		return Package{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	var out store.Package
	err := a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		ch, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, in.ChannelID)
		if err != nil {
			if err == store.ErrNotFound {
				return &FieldError{Field: "channel_id", Message: "names no channel: pick an existing channel"}
			}
			return err
		}
		p := store.Package{ChannelID: in.ChannelID, Status: in.Status, Topic: in.Topic, Title: in.Title, Content: in.Content.stored()}
		if in.ID == "" {
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			p.ID = id.String()
			p.Content.Voice, p.Content.Steps, p.Content.Published = nil, nil, nil
		} else {
			old, err := store.Get[store.Package](ctx, m.Tx(), store.PackageEntity, in.ID)
			if err != nil {
				return notFound(err, "package")
			}
			p.Meta = old.Meta
			// The voice-over and the step states are the studio's record of
			// what it did (the voice names a file on this device): the page
			// edits text, not those.
			p.Content.Voice, p.Content.Steps = old.Content.Voice, old.Content.Steps
			p.Content.Published = old.Content.Published // written by publishing only
			outdateVoice(&p, old)
			// A script edited under an untouched description moves its
			// chapters; a description the user edited too is kept as written.
			if spoken(p.Content) != spoken(old.Content) && p.Content.Description == old.Content.Description {
				studio.Retime(&p, ch)
			}
		}
		studio.Settle(&p, ch) // the checklist decides ready or outline, and an override the user saved counts
		out, err = store.PutRecord(m, store.PackageEntity, p)
		return err
	})
	if err != nil {
		return Package{}, err
	}
	a.rt.changed(events.Packages, out)
	return packageOf(out), nil
}

// outdateVoice sends the voice step of p back to pending when the words
// it speaks (the hook and the script) differ from those of old, which the
// recorded voice-over reads: a package counted voiced or ready is scripted
// again until the voice step runs.
func outdateVoice(p *store.Package, old store.Package) {
	if p.Content.Steps[studio.StepVoice].Status != studio.StateDone || spoken(p.Content) == spoken(old.Content) {
		return
	}
	p.Content.Steps = maps.Clone(p.Content.Steps)
	p.Content.Steps[studio.StepVoice] = store.StepState{Status: studio.StatePending, Error: "The script changed: run the voice step again to match it."}
	if p.Status == store.StatusReady || p.Status == store.StatusVoiced {
		p.Status = store.StatusScripted
	}
}

// spoken is what a voice-over of c reads.
func spoken(c store.PackageContent) string {
	parts := []string{c.Hook}
	for _, s := range c.Script {
		parts = append(parts, s.Text)
	}
	return strings.Join(parts, "\n")
}

// DeletePackage deletes a package (as a tombstone).
func (a *App) DeletePackage(id string) error {
	ctx, cancel := a.call()
	defer cancel()
	err := a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		if _, err := store.Get[store.Package](ctx, m.Tx(), store.PackageEntity, id); err != nil {
			return notFound(err, "package")
		}
		return m.Delete(store.PackageEntity, id)
	})
	if err != nil {
		return err
	}
	a.rt.changed(events.Packages, map[string]string{"deleted": id})
	return nil
}
