package router

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"

	"tubeagency/providers/fake"
)

// TestRecoveryWithinOneHealthInterval runs the router's own health loop on
// synctest's virtual clock. Groq fails (its calls and its health checks);
// when it answers again, the next health check restores it, so requests
// made every 100 ms reach it again within one health interval. With its
// breaker open, the passing check half-opens the breaker and the next
// request is the trial that closes it, long before the breaker's own
// cooldown.
func TestRecoveryWithinOneHealthInterval(t *testing.T) {
	const interval = 30 * time.Second
	for _, withBreaker := range []bool{false, true} {
		name := "demoted"
		if withBreaker {
			name = "breaker open"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				first, second := pair(t)
				rec := newRecorder()
				cfg := Config{Providers: []Entry{{Provider: groqIn(first), Label: "Groq"}, {Provider: claudeIn(second), Label: "Anthropic"}},
					HealthInterval: interval, BreakerCooldown: 10 * time.Minute, Observer: rec, Logger: quiet}
				if withBreaker {
					cfg.BreakerThreshold = 1
				}
				r := newRouter(t, cfg)
				r.Start(ctx)
				defer r.Stop()
				synctest.Wait() // the first round of checks

				first.Fail(fake.Status500)
				if resp, _ := r.Generate(ctx, titlesReq()); resp.Provider != "anthropic" {
					t.Fatalf("while Groq fails: %s", resp.Provider)
				}
				time.Sleep(95 * time.Second) // three failed health checks
				s := r.Snapshots()[0]
				if !s.Demoted || !s.CheckFailed || (withBreaker != (s.Breaker == "open")) {
					t.Fatalf("Groq while down: %+v", s)
				}
				calls := first.Calls()
				first.Fail(fake.OK)
				recovered := time.Now()
				for {
					resp, err := r.Generate(ctx, titlesReq())
					if err != nil {
						t.Fatal(err)
					}
					if resp.Provider == "groq" {
						break
					}
					if time.Since(recovered) > 2*interval {
						t.Fatalf("Groq not back %v after it recovered", time.Since(recovered))
					}
					time.Sleep(100 * time.Millisecond)
				}
				took := time.Since(recovered)
				if took > interval {
					t.Fatalf("Groq's first answer came %v after it recovered, more than one %v health interval", took, interval)
				}
				if first.Calls() != calls+1 {
					t.Fatalf("calls to Groq before its check passed: %d", first.Calls()-calls-1)
				}
				if s := r.Snapshots()[0]; s.State != StateHealthy || s.Breaker != "closed" {
					t.Fatalf("Groq after recovering: %+v", s)
				}
				if withBreaker {
					want := "groq:closed->open,groq:open->half-open,groq:half-open->closed"
					if got := strings.Join(rec.breakerChanges(), ","); got != want {
						t.Fatalf("breaker changes %s, want %s", got, want)
					}
				}
			})
		})
	}
}

// TestHealthChecksReadTheModelList: a 200 whose body is not a model list
// (garbage, empty, other JSON) fails the check, and so does a list that
// stalls partway, after the check timeout.
func TestHealthChecksReadTheModelList(t *testing.T) {
	scenarios := []struct {
		fault string
		why   string
	}{
		{fake.CheckGarbage, "the model list was not valid JSON"},
		{fake.CheckEmpty, "the model list was empty"},
		{fake.CheckWrong, "the answer was not a model list"},
		{fake.CheckStall, "the model list did not arrive in time"},
	}
	for _, sc := range scenarios {
		for _, format := range []fake.Format{fake.OpenAI, fake.Anthropic} {
			t.Run(fmt.Sprintf("%s/%v", sc.fault, map[fake.Format]string{fake.OpenAI: "openai", fake.Anthropic: "anthropic"}[format]), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := context.Background()
					srv := fake.NewInProcess(format, "Title")
					e := Entry{Provider: groqIn(srv), Label: "Groq"}
					if format == fake.Anthropic {
						e = Entry{Provider: claudeIn(srv), Label: "Claude"}
					}
					r := newRouter(t, Config{Providers: []Entry{e}, Logger: quiet})
					name := e.Provider.Name()
					if err := r.CheckNow(ctx)[name]; err != nil {
						t.Fatalf("a good model list failed: %v", err)
					}
					srv.FailChecks(sc.fault)
					start := time.Now()
					err := r.CheckNow(ctx)[name]
					took := time.Since(start)
					if err == nil || !strings.Contains(err.Error(), sc.why) {
						t.Fatalf("check = %v, want %q", err, sc.why)
					}
					if want := time.Duration(0); sc.fault == fake.CheckStall {
						if took != DefaultCheckTimeout {
							t.Fatalf("stalled list failed after %v, want the %v check timeout", took, DefaultCheckTimeout)
						}
					} else if took != want {
						t.Fatalf("check took %v", took)
					}
					if s := r.Snapshots()[0]; !s.CheckFailed || !s.Demoted || s.State != StateDegraded {
						t.Fatalf("snapshot = %+v", s)
					}
					srv.FailChecks(fake.CheckFollow)
					if err := r.CheckNow(ctx)[name]; err != nil || r.Snapshots()[0].State != StateHealthy {
						t.Fatalf("check after the list is good again: %v, %+v", err, r.Snapshots()[0])
					}
				})
			})
		}
	}
}

// TestBreakerProbe: Probe half-opens an open breaker at once and reports
// it; a closed breaker is left alone.
func TestBreakerProbe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var changes []string
		b := newBreaker("p", 2, time.Hour, func(from, to gobreaker.State) { changes = append(changes, from.String()+"->"+to.String()) })
		if b.Probe() {
			t.Fatal("a closed breaker was probed")
		}
		for range 2 {
			done, err := b.Allow()
			if err != nil {
				t.Fatal(err)
			}
			done(false, true)
		}
		if b.State() != gobreaker.StateOpen || b.OpenUntil().IsZero() {
			t.Fatalf("after 2 failures: %s", b.State())
		}
		if _, err := b.Allow(); err == nil {
			t.Fatal("an open breaker allowed a call")
		}
		time.Sleep(time.Second)
		if !b.Probe() || b.State() != gobreaker.StateHalfOpen || !b.OpenUntil().IsZero() {
			t.Fatalf("after a probe: %s", b.State())
		}
		done, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Allow(); err == nil {
			t.Fatal("a half-open breaker allowed a second trial at once")
		}
		done(false, true) // the trial fails: open again for the whole cooldown
		if b.State() != gobreaker.StateOpen {
			t.Fatalf("after a failed trial: %s", b.State())
		}
		time.Sleep(time.Hour)
		if b.State() != gobreaker.StateHalfOpen {
			t.Fatalf("after the cooldown: %s", b.State())
		}
		done, _ = b.Allow()
		done(true, true)
		want := "closed->open,open->half-open,half-open->open,open->half-open,half-open->closed"
		if b.State() != gobreaker.StateClosed || strings.Join(changes, ",") != want {
			t.Fatalf("state %s, changes %v", b.State(), changes)
		}
	})
}
