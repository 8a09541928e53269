package studio

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tubeagency/internal/store"
	"tubeagency/providers"
)

var _ = store.FormatShorts

func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "t.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func addChannel(tb testing.TB, st *store.Store, name, format string) store.Channel {
	tb.Helper()
	var out store.Channel
	err := st.Mutate(context.Background(), func(m *store.Mutation) error {
		var err error
		out, err = store.PutRecord(m, store.ChannelEntity, store.Channel{
			Meta: store.Meta{ID: "ch-" + strings.ToLower(strings.ReplaceAll(name, " ", "-"))},
			Name: name, Niche: "home espresso", Language: "en", Audience: "beginners", Format: format, Cadence: 2,
		})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// scriptedGen is a hand-written Generator for unit tests: it answers each
// task in the documented plain-text shape, counts calls per task, streams
// its answer in pieces and can be told to block or fail on one task.
type scriptedGen struct {
	mu       sync.Mutex
	calls    map[providers.Task]int
	noCache  map[providers.Task]bool
	block    providers.Task           // wait for ctx on this task
	blocked  chan struct{}            // closed once a call is blocked
	fail     map[providers.Task]error // fail this task
	words    int                      // script words per section; 0: enough for the format (24 for Shorts, 330 long-form)
	expandTo int                      // script words per section when asked to expand
	titles   int                      // title lines per answer
}

func newGen() *scriptedGen {
	return &scriptedGen{calls: map[providers.Task]int{}, noCache: map[providers.Task]bool{}, fail: map[providers.Task]error{},
		blocked: make(chan struct{}), expandTo: 40, titles: 8}
}

func (g *scriptedGen) count(t providers.Task) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[t]
}

func (g *scriptedGen) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	g.mu.Lock()
	g.calls[req.Task]++
	g.noCache[req.Task] = req.NoCache
	err := g.fail[req.Task]
	block := g.block == req.Task
	g.mu.Unlock()
	if err != nil {
		return providers.Response{}, err
	}
	if block {
		close(g.blocked)
		<-ctx.Done()
		return providers.Response{}, ctx.Err()
	}
	text := g.answer(req)
	if req.OnDelta != nil {
		for len(text) > 0 {
			n := min(len(text), 64)
			req.OnDelta(text[:n])
			text = text[n:]
		}
		text = g.answer(req)
	}
	return providers.Response{Text: text, Provider: "scripted", Attempts: 1, Latency: time.Millisecond}, nil
}

func (g *scriptedGen) answer(req providers.Request) string {
	topic := req.Topic
	switch req.Task {
	case providers.TaskIdeas:
		return "1. Why " + req.Channel.Niche + " beats the café\n2. Five mistakes with " + req.Channel.Niche + "\n- \"The one tool that matters\"\n\n"
	case providers.TaskTitles:
		var b strings.Builder
		for i := range g.titles {
			fmt.Fprintf(&b, "%d. %d things nobody tells you about %s (take %d)\n", i+1, i+3, topic, req.Seed)
		}
		return b.String()
	case providers.TaskScript:
		words := g.words
		if words == 0 {
			words = 330
			if req.Channel.Format == store.FormatShorts {
				words = 24
			}
		}
		if strings.Contains(req.User, "Expand it to about") {
			words = g.expandTo
		}
		var b strings.Builder
		b.WriteString("HOOK: You are making " + topic + " wrong, and it takes ten seconds to fix.\n")
		for i, h := range []string{"The setup", "The mistake", "The fix", "Wrap up"} {
			fmt.Fprintf(&b, "## %s\n", h)
			for w := range words {
				fmt.Fprintf(&b, "word%d_%d ", i, w)
			}
			b.WriteString("\n\n")
		}
		return b.String()
	case providers.TaskDescription:
		var b strings.Builder
		b.WriteString("Everything about " + topic + ".")
		for i := range 30 {
			fmt.Fprintf(&b, " Point%d covers one part.", i)
		}
		return b.String() + "\n\n#espresso #homeespresso\n\nChapters:\n0:00 Wrong chapter\n1:00 Also wrong\n"
	case providers.TaskTags:
		return "#espresso, home espresso, Espresso, barista tips, , coffee, espresso machine, latte art, milk frothing, coffee grinder, pour over, coffee beans, espresso shots"
	case providers.TaskThumbnail:
		return "\"Stop ruining your espresso shots today please\"\n"
	}
	return ""
}

// missing lists the checklist items a package fails, for test messages.
func missing(p store.Package) string {
	var out []string
	for _, it := range p.Content.Checklist.Missing() {
		out = append(out, it.Rule+": "+it.Message)
	}
	return strings.Join(out, "\n")
}
