package monitor

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"tubeagency/providers/fake"
	"tubeagency/providers/openai"
	"tubeagency/providers/router"
	"tubeagency/providers/templates"
)

func inProcess(name string, s *fake.Server) *openai.Client {
	return openai.New(openai.Config{Name: name, BaseURL: s.URL, Model: "m", HTTPClient: s.HTTPClient()})
}

// TestCooldownAndHedgesOnTheInfrastructurePage: a provider that answered
// 429 with Retry-After shows as amber with its cooldown's end time and
// reason in the snapshot and as a gauge; a hedged request (run on
// synctest's clock) is counted by provider and result.
func TestCooldownAndHedgesOnTheInfrastructurePage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tpl, err := templates.New(templates.Options{Dir: t.TempDir(), Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var r *router.Router
	synctest.Test(t, func(t *testing.T) {
		groq := fake.NewInProcess(fake.OpenAI, "Groq title")
		backup := fake.NewInProcess(fake.OpenAI, "Backup title")
		r, err = router.New(router.Config{Providers: []router.Entry{{Provider: inProcess("groq", groq), Label: "Groq"}, {Provider: inProcess("backup", backup), Label: "Backup"}},
			Fallback: tpl, Observer: f.m, Logger: quiet, Now: f.clk.Now, Hedge: true, BudgetInitial: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		groq.Fail(fake.SlowHeaders) // no byte for 2 s: Backup starts after 500 ms and wins
		if resp, _ := r.Generate(ctx, req("rye")); resp.Provider != "backup" {
			t.Fatalf("hedged request answered by %s", resp.Provider)
		}
		groq.FailChecks(fake.CheckOK)
		r.CheckNow(ctx) // Groq's list answers: back in first place
		groq.Fail(fake.Status429)
		groq.SetRetryAfter("90")
		if resp, _ := r.Generate(ctx, req("spelt")); resp.Provider != "backup" || groq.Calls() != 2 {
			t.Fatalf("429: answered by %s, calls %d", resp.Provider, groq.Calls())
		}
	})
	f.m.setSources(Sources{Providers: RouterProviders(r)})
	s := f.tick(t)
	g := s.Providers[0]
	if g.State != router.StateCooldown || g.Health != HealthAmber || !g.CooldownUntil.Equal(f.clk.Now().Add(90*time.Second)) ||
		g.CooldownReason != "rate limit" || g.CooldownStatus != 429 || !strings.Contains(s.Summary.Text, "Groq asked for a pause") {
		t.Fatalf("Groq in its cooldown: %+v, summary %q", g, s.Summary.Text)
	}
	if b := s.Providers[1]; b.Hedges != 1 || b.HedgesWon != 1 || b.FirstByteBudgets["titles"] != 1000 {
		t.Fatalf("Backup: %+v", b)
	}
	raw, _ := json.Marshal(g)
	if !strings.Contains(string(raw), `"cooldown_until":"`) || !strings.Contains(string(raw), `"first_byte_budgets_ms":{`) {
		t.Fatalf("JSON for the page: %s", raw)
	}
	got, _ := scrape(t, f.m)
	want(t, got, map[string]float64{
		`tubeagency_provider_hedges_total{provider=backup,result=won}`:           1,
		`tubeagency_provider_cooldown_seconds{provider=groq}`:                    90,
		`tubeagency_provider_cooldown_seconds{provider=backup}`:                  0,
		`tubeagency_provider_requests_total{outcome=rate_limited,provider=groq}`: 1,
	})
	f.clk.Add(91 * time.Second)
	s = f.tick(t)
	if g := s.Providers[0]; g.State != router.StateHealthy || !g.CooldownUntil.IsZero() || g.Health != HealthGreen {
		t.Fatalf("after the cooldown: %+v", g)
	}
}
