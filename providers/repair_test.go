package providers

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRepair(t *testing.T) {
	validate := func(text string) error {
		switch text {
		case "good":
			return nil
		case "bad":
			return &Invalid{Problems: []string{"too short", "no hashtags"}}
		default:
			return errors.New("not JSON")
		}
	}
	scenarios := []struct {
		name      string
		answers   []string
		validate  func(string) error
		wantText  string
		wantCalls int
		wantBad   bool
	}{
		{name: "valid at once", answers: []string{"good"}, validate: validate, wantText: "good", wantCalls: 1},
		{name: "repaired once", answers: []string{"bad", "good"}, validate: validate, wantText: "good", wantCalls: 2},
		{name: "still failing after the repair", answers: []string{"bad", "bad"}, validate: validate, wantCalls: 2, wantBad: true},
		{name: "garbage is not repaired", answers: []string{"<html>"}, validate: validate, wantCalls: 1, wantBad: true},
		{name: "no validation", answers: []string{"<html>"}, wantText: "<html>", wantCalls: 1},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var asked []string
			restarts := 0
			gen := func(_ context.Context, r Request) (Response, error) {
				asked = append(asked, r.User)
				return Response{Text: sc.answers[len(asked)-1], Attempts: 1, Usage: Usage{InputTokens: 10, OutputTokens: 5}}, nil
			}
			resp, err := Repair(context.Background(), Request{User: "write it", Validate: sc.validate, OnRestart: func(Restart) { restarts++ }}, "groq", gen)
			if len(asked) != sc.wantCalls {
				t.Fatalf("%d calls, want %d", len(asked), sc.wantCalls)
			}
			if sc.wantBad {
				var pe *Error
				if !errors.As(err, &pe) || !errors.Is(err, ErrBadResponse) || pe.Retryable || pe.Provider != "groq" {
					t.Fatalf("err %v, want a non-retryable bad response from groq", err)
				}
				return
			}
			if err != nil || resp.Text != sc.wantText {
				t.Fatalf("got %q, %v", resp.Text, err)
			}
			if sc.wantCalls == 2 {
				if !strings.Contains(asked[1], "did not pass these checks:\n- too short\n- no hashtags") || !strings.HasPrefix(asked[1], "write it") {
					t.Fatalf("repair request %q", asked[1])
				}
				if resp.Attempts != 2 || resp.Usage.InputTokens != 20 || restarts != 1 {
					t.Fatalf("attempts %d usage %+v restarts %d", resp.Attempts, resp.Usage, restarts)
				}
			}
		})
	}
}
