package gateway

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

type authError struct {
	Code      int    `json:"code"`
	ErrorCode string `json:"error_code"`
	Msg       string `json:"msg"`
}

type user struct {
	ID    string `json:"id"`
	Aud   string `json:"aud"`
	Role  string `json:"role"`
	Email string `json:"email"`
}

type session struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	ExpiresAt    int64  `json:"expires_at"`
	RefreshToken string `json:"refresh_token"`
	User         user   `json:"user"`
}

func authFail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, authError{Code: status, ErrorCode: code, Msg: msg})
}

func (g *Gateway) auth(w http.ResponseWriter, r *http.Request, path string) {
	ctx := r.Context()
	switch {
	case path == "/health" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"version": "test", "name": "GoTrue", "description": "test gateway"})
	case path == "/signup" && r.Method == http.MethodPost:
		var in struct{ Email, Password string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			authFail(w, 400, "bad_json", "Could not parse request body as JSON")
			return
		}
		in.Email = strings.ToLower(strings.TrimSpace(in.Email))
		if !strings.Contains(in.Email, "@") {
			authFail(w, 400, "validation_failed", "Unable to validate email address: invalid format")
			return
		}
		if len(in.Password) < 6 {
			authFail(w, 422, "weak_password", "Password should be at least 6 characters.")
			return
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.MinCost)
		if err != nil {
			authFail(w, 500, "unexpected_failure", err.Error())
			return
		}
		id := newUUID()
		tag, err := g.admin.Exec(ctx, `INSERT INTO auth.users(id, email, encrypted_password) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING`,
			id, in.Email, string(hash))
		if err != nil {
			authFail(w, 500, "unexpected_failure", "Database error saving new user")
			return
		}
		if tag.RowsAffected() == 0 {
			authFail(w, 422, "user_already_exists", "User already registered")
			return
		}
		g.issue(ctx, w, user{ID: id, Email: in.Email}, "")
	case path == "/token" && r.Method == http.MethodPost:
		var in struct {
			Email        string `json:"email"`
			Password     string `json:"password"`
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			authFail(w, 400, "bad_json", "Could not parse request body as JSON")
			return
		}
		switch r.URL.Query().Get("grant_type") {
		case "password":
			var u user
			var hash string
			err := g.admin.QueryRow(ctx, `SELECT id::text, email, encrypted_password FROM auth.users WHERE email = $1`,
				strings.ToLower(strings.TrimSpace(in.Email))).Scan(&u.ID, &u.Email, &hash)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				authFail(w, 500, "unexpected_failure", "Database error querying schema")
				return
			}
			if err != nil || bcrypt.CompareHashAndPassword([]byte(hash), []byte(in.Password)) != nil {
				authFail(w, 400, "invalid_credentials", "Invalid login credentials")
				return
			}
			g.issue(ctx, w, u, "")
		case "refresh_token":
			g.refresh(ctx, w, in.RefreshToken)
		default:
			authFail(w, 400, "unsupported_grant_type", "unsupported_grant_type")
		}
	case path == "/logout" && r.Method == http.MethodPost:
		c, ok := g.claims(w, r)
		if !ok {
			return
		}
		sub, _ := c["sub"].(string)
		if sub == "" {
			authFail(w, 401, "no_authorization", "This endpoint requires a Bearer token")
			return
		}
		if _, err := g.admin.Exec(ctx, `UPDATE auth.refresh_tokens SET revoked = true WHERE user_id = $1`, sub); err != nil {
			authFail(w, 500, "unexpected_failure", "Database error")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		authFail(w, 404, "not_found", "Not found")
	}
}

func (g *Gateway) refresh(ctx context.Context, w http.ResponseWriter, token string) {
	// Rotation is one conditional UPDATE: of two requests with the same
	// token, exactly one revokes it and gets a new session.
	var u user
	err := g.admin.QueryRow(ctx, `UPDATE auth.refresh_tokens t SET revoked = true FROM auth.users u
		WHERE t.token = $1 AND NOT t.revoked AND u.id = t.user_id RETURNING u.id::text, u.email`, token).Scan(&u.ID, &u.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		var revoked bool
		err := g.admin.QueryRow(ctx, `SELECT revoked FROM auth.refresh_tokens WHERE token = $1`, token).Scan(&revoked)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			authFail(w, 400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
		case err != nil:
			authFail(w, 500, "unexpected_failure", "Database error")
		default:
			authFail(w, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
		}
		return
	}
	if err != nil {
		authFail(w, 500, "unexpected_failure", "Database error")
		return
	}
	g.Stats.Refreshes.Add(1)
	g.issue(ctx, w, u, token)
}

// issue writes a new session for u: an access token and a new refresh
// token (whose parent is the one it replaces).
func (g *Gateway) issue(ctx context.Context, w http.ResponseWriter, u user, parent string) {
	now := g.opts.Now()
	exp := now.Add(g.opts.TokenTTL)
	u.Aud, u.Role = "authenticated", "authenticated"
	access, err := g.sign(jwt.MapClaims{
		"sub": u.ID, "email": u.Email, "role": "authenticated", "aud": "authenticated",
		"iat": now.Unix(), "exp": exp.Unix(), "session_id": newUUID(),
	})
	if err != nil {
		authFail(w, 500, "unexpected_failure", "sign token")
		return
	}
	rt := randomToken()
	var par any
	if parent != "" {
		par = parent
	}
	if _, err := g.admin.Exec(ctx, `INSERT INTO auth.refresh_tokens(token, user_id, parent) VALUES ($1, $2, $3)`, rt, u.ID, par); err != nil {
		authFail(w, 500, "unexpected_failure", "Database error")
		return
	}
	writeJSON(w, http.StatusOK, session{AccessToken: access, TokenType: "bearer", ExpiresIn: int(g.opts.TokenTTL / time.Second),
		ExpiresAt: exp.Unix(), RefreshToken: rt, User: u})
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
