package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"tubeagency/app/events"
	"tubeagency/app/settings"
	"tubeagency/internal/store"
)

// ChannelInput is what the user enters for a channel.
type ChannelInput struct {
	Name      string  `json:"name"`
	Niche     string  `json:"niche"`
	Language  string  `json:"language"`
	Audience  string  `json:"audience"`
	Format    string  `json:"format"`
	Cadence   float64 `json:"cadence"`
	YouTubeID string  `json:"youtube_id"`
	Autopilot bool    `json:"autopilot"`
}

var youtubeIDRe = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)

// normalize trims what the user typed (and runs of spaces inside the
// name); validate then judges it. A listed language gets the list's
// spelling ("PT-br" becomes "pt-BR").
func (in *ChannelInput) normalize() {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Niche = strings.TrimSpace(in.Niche)
	in.Language = strings.TrimSpace(in.Language)
	in.Audience = strings.TrimSpace(in.Audience)
	in.Format = strings.ToLower(strings.TrimSpace(in.Format))
	in.YouTubeID = strings.TrimSpace(in.YouTubeID)
	if in.Language == "" {
		in.Language = "en"
	}
	if l, ok := language(in.Language); ok {
		in.Language = l.Code
	}
}

// checkLanguage refuses a channel language that neither the offline
// templates nor an enabled AI provider can write, so a channel never gets
// text in another language.
func (rt *Runtime) checkLanguage(lang string) error {
	p := rt.providers
	if p == nil || p.templates.Covers(lang) || slices.ContainsFunc(p.settings.Get().Providers, func(s settings.Provider) bool { return s.Enabled }) {
		return nil
	}
	return &FieldError{Field: "language", Message: fmt.Sprintf("needs an AI provider: offline writing covers %s, so for %q turn on an AI provider or a local model in Settings → Providers first",
		strings.Join(p.templates.Languages(), ", "), lang)}
}

func (in ChannelInput) validate() error {
	var c checker
	c.text("name", in.Name, 1, 100)
	c.text("niche", in.Niche, 1, 100)
	c.text("language", in.Language, 2, 35)
	if _, ok := language(in.Language); c.err == nil && !ok {
		c.fail("language", "must be one of the languages in the list (such as en or pt-BR)")
	}
	c.text("audience", in.Audience, 0, 300)
	c.oneOf("format", in.Format, store.FormatLong, store.FormatShorts)
	c.number("cadence", in.Cadence, 0.1, 50)
	c.text("youtube_id", in.YouTubeID, 0, 24)
	if c.err == nil && in.YouTubeID != "" && !youtubeIDRe.MatchString(in.YouTubeID) {
		c.fail("youtube_id", "must be a YouTube channel id: UC followed by 22 letters, digits, - or _")
	}
	return c.check()
}

// ListChannels returns every channel, by name.
func (a *App) ListChannels() ([]Channel, error) {
	ctx, cancel := a.call()
	defer cancel()
	chs, err := store.List[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, "", "name COLLATE NOCASE, id")
	return channelsOf(chs), err
}

// GetChannel returns one channel.
func (a *App) GetChannel(id string) (Channel, error) {
	ctx, cancel := a.call()
	defer cancel()
	ch, err := store.Get[store.Channel](ctx, a.rt.store.ReadDB(), store.ChannelEntity, id)
	return channelOf(ch), notFound(err, "channel")
}

// CreateChannel validates in and stores a new channel.
func (a *App) CreateChannel(in ChannelInput) (Channel, error) {
	in.normalize()
	if err := in.validate(); err != nil {
		return Channel{}, err
	}
	if err := a.rt.checkLanguage(in.Language); err != nil {
		return Channel{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	id, err := uuid.NewV7()
	if err != nil {
		return Channel{}, err
	}
	ch := channelFrom(in)
	ch.ID = id.String()
	if ch.Autopilot {
		ch.AutopilotHost = a.rt.sync.devices.ID() // switched on here: this device runs it
	}
	var out store.Channel
	err = a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		if err := nameFree(ctx, m.Tx(), in.Name, ""); err != nil {
			return err
		}
		var err error
		out, err = store.PutRecord(m, store.ChannelEntity, ch)
		if err != nil {
			return err
		}
		return a.rt.logActivity(m, out.ID, "channel.created", "Channel "+out.Name+" created", nil)
	})
	if err != nil {
		return Channel{}, err
	}
	a.rt.changed(events.Channels, out)
	return channelOf(out), nil
}

// UpdateChannel validates in and replaces channel id's fields with it.
func (a *App) UpdateChannel(id string, in ChannelInput) (Channel, error) {
	in.normalize()
	if err := in.validate(); err != nil {
		return Channel{}, err
	}
	ctx, cancel := a.call()
	defer cancel()
	var out store.Channel
	err := a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		old, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, id)
		if err != nil {
			return notFound(err, "channel")
		}
		// A name kept as it was passes even when a synced device brought
		// another channel of the same name: only a new name must be free.
		if nameKey(old.Name) != nameKey(in.Name) {
			if err := nameFree(ctx, m.Tx(), in.Name, id); err != nil {
				return err
			}
		}
		ch := channelFrom(in)
		ch.Meta, ch.AutopilotHost = old.Meta, old.AutopilotHost
		if ch.Autopilot && ch.AutopilotHost == "" {
			ch.AutopilotHost = a.rt.sync.devices.ID()
		}
		out, err = store.PutRecord(m, store.ChannelEntity, ch)
		return err
	})
	if err != nil {
		return Channel{}, err
	}
	a.rt.changed(events.Channels, out)
	return channelOf(out), nil
}

// DeleteChannel deletes a channel and its packages (as tombstones, so the
// deletion syncs to other devices).
func (a *App) DeleteChannel(id string) error {
	ctx, cancel := a.call()
	defer cancel()
	err := a.rt.store.Mutate(ctx, func(m *store.Mutation) error {
		ch, err := store.Get[store.Channel](ctx, m.Tx(), store.ChannelEntity, id)
		if err != nil {
			return notFound(err, "channel")
		}
		pkgs, err := store.List[store.Package](ctx, m.Tx(), store.PackageEntity, "channel_id = ?", "", id)
		if err != nil {
			return err
		}
		for _, p := range pkgs {
			if err := m.Delete(store.PackageEntity, p.ID); err != nil {
				return err
			}
		}
		if err := m.Delete(store.ChannelEntity, id); err != nil {
			return err
		}
		return a.rt.logActivity(m, id, "channel.deleted", "Channel "+ch.Name+" deleted", nil)
	})
	if err != nil {
		return err
	}
	a.rt.changed(events.Channels, map[string]string{"deleted": id})
	return nil
}

// nameKey is what two channel names are compared by: letters in lower
// case (Unicode NFC) with whitespace ignored at the ends and runs of it
// counted as one space.
func nameKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(name))), " ")
}

// nameFree refuses name when a channel other than self already has it, so
// that every picker and the delete dialog tell channels apart. It runs in
// the write transaction that stores the channel: two saves of one name
// cannot both pass.
func nameFree(ctx context.Context, q store.Querier, name, self string) error {
	list, err := store.List[store.Channel](ctx, q, store.ChannelEntity, "id <> ?", "", self)
	if err != nil {
		return fmt.Errorf("check the channel name: %w", err)
	}
	key := nameKey(name)
	for _, c := range list {
		if nameKey(c.Name) == key {
			return &FieldError{Field: "name", Message: fmt.Sprintf("is already used by another channel (“%s”): choose one you can tell apart in every list", c.Name)}
		}
	}
	return nil
}

func channelFrom(in ChannelInput) store.Channel {
	return store.Channel{
		Name: in.Name, Niche: in.Niche, Language: in.Language, Audience: in.Audience,
		Format: in.Format, Cadence: in.Cadence, YouTubeID: in.YouTubeID, Autopilot: in.Autopilot,
	}
}

// notFound turns the store's not-found into the app's, naming the record.
func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &NotFoundError{What: what}
	}
	return err
}

// NotFoundError says which kind of record does not exist.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found: it may have been deleted" }

// Is makes errors.Is(err, store.ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == store.ErrNotFound }

// changed tells the frontend that data changed and the outbox grew.
func (rt *Runtime) changed(name string, data any) {
	rt.emit(name, data)
	rt.emitStatus()
}
