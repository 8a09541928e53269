package session

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	cloudsync "tubeagency/sync"
	"tubeagency/sync/supabase"
)

// TestAuthProblemNamesTheField: each sign-in failure a person can fix
// lands on the field that fixes it; anything else stays an error that
// wraps the cause.
func TestAuthProblemNamesTheField(t *testing.T) {
	const url = "https://abc.supabase.co"
	for _, c := range []struct {
		err   error
		field string
		says  string
	}{
		{supabase.ErrNotConfigured, "url", "save the Supabase URL"},
		{fmt.Errorf("sign in: %w", supabase.ErrInvalidCredentials), "password", "wrong email or password"},
		{supabase.ErrUserExists, "email", "sign in instead"},
		{supabase.ErrWeakPassword, "password", "too weak"},
		{supabase.ErrConfirmEmail, "email", "confirm your email"},
		{&cloudsync.Error{Op: "sign in", Status: 0}, "url", "did not answer at " + url},
		{&cloudsync.Error{Op: "sign in", Status: 401}, "anon_key", "refused the anon key"},
		{&cloudsync.Error{Op: "sign in", Status: 403}, "anon_key", "refused the anon key"},
		{&cloudsync.Error{Op: "sign in", Status: 404}, "url", "no Supabase project answers at " + url},
	} {
		var fe *cloudsync.FieldError
		if err := authProblem(c.err, url); !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(fe.Message, c.says) {
			t.Errorf("%v → %v, want %s saying %q", c.err, err, c.field, c.says)
		}
	}
	cause := &cloudsync.Error{Op: "sign in", Status: 500}
	err := authProblem(cause, url)
	var fe *cloudsync.FieldError
	if errors.As(err, &fe) || !errors.Is(err, cause) || err.Error() == cause.Error() {
		t.Fatalf("a server failure = %v", err)
	}
}
