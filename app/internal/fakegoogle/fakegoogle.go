// Package fakegoogle is an httptest server speaking the wire formats of
// Google's OAuth 2.0 endpoints and of the YouTube Data API v3 parts Tube
// Agency uses, for tests.
//
// OAuth: the consent page (/o/oauth2/v2/auth) answers at once with the
// redirect Google would send after the user consented (or declined), the
// token endpoint (/token) checks the PKCE verifier against the S256
// challenge and refreshes tokens (invalid_grant once revoked), /revoke
// revokes. YouTube: channels.list(mine=true), resumable videos.insert (308
// Resume Incomplete with Range, status queries with "bytes */TOTAL", 200
// with the video resource at the end, a completed session answering the
// video again), thumbnails.set and captions.insert (uploadType=media or
// multipart). Access tokens expire by the server's injected clock.
//
// Faults are injected per operation: 5xx, a connection cut partway through
// a request body, a forgotten upload session (404), quotaExceeded,
// uploadLimitExceeded and a 401, each with Google's JSON error body.
package fakegoogle

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Operations faults can be injected into.
const (
	OpToken        = "token"
	OpChannelsList = "channels.list"
	OpVideosInsert = "videos.insert" // starting an upload session
	OpUploadChunk  = "upload.chunk"  // a PUT carrying bytes
	OpUploadQuery  = "upload.query"  // a PUT "bytes */TOTAL"
	OpThumbnailSet = "thumbnails.set"
	OpCaptionsIns  = "captions.insert"
)

// FaultKind is what an injected fault does.
type FaultKind int

// Fault kinds.
const (
	// ServerError answers 503 backendError (after reading the body, which
	// is dropped).
	ServerError FaultKind = iota + 1
	// CutBody reads After bytes of the body (keeping whole 256 KiB units of
	// a chunk, as Google does) and closes the connection without answering.
	CutBody
	// SessionGone forgets the upload session and answers 404.
	SessionGone
	// QuotaExceeded answers 403 quotaExceeded.
	QuotaExceeded
	// UploadLimitExceeded answers 400 uploadLimitExceeded.
	UploadLimitExceeded
	// Unauthorized answers 401 authError whatever the token.
	Unauthorized
)

// Fault is an injected failure: the next Times requests of Op fail as Kind.
type Fault struct {
	Op    string
	Kind  FaultKind
	After int64 // CutBody: body bytes read before the cut
	Times int   // zero means 1
}

// Chunk reports a PUT of bytes to an upload session. Hook is called when
// the bytes are stored, before the 308 or 200 answer is written.
type Chunk struct {
	Session  string
	Start    int64 // first byte of the request
	Length   int64 // bytes in the request body
	Received int64 // bytes the session holds after it
	Total    int64
}

// Video is an uploaded video as the fake holds it.
type Video struct {
	ID        string
	Metadata  map[string]any // the JSON sent when the session started
	Bytes     []byte
	Thumbnail []byte
	ThumbType string
	Captions  []Caption
}

// Caption is an inserted caption track.
type Caption struct {
	ID       string
	Language string
	Name     string
	Body     []byte
}

// Stats counts what reached the server.
type Stats struct {
	Sessions   int            // upload sessions started
	ChunkBytes int64          // body bytes read by chunk PUTs, resent ones included
	Requests   map[string]int // per operation
}

// ChunkUnit is the granularity of resumable uploads.
const ChunkUnit = 256 << 10

// Server is the fake. Create it with New; Close it when done.
type Server struct {
	*httptest.Server

	ClientID     string
	ClientSecret string
	// Now is the clock access tokens expire by. Set before use; nil means
	// time.Now.
	Now func() time.Time
	// TokenLifetime is how long access tokens last. Zero means one hour.
	TokenLifetime time.Duration

	mu            sync.Mutex
	codes         map[string]codeGrant
	refresh       map[string]*grantRec
	access        map[string]accessRec
	granted       []string // what the one fake user granted so far
	deny          bool
	untick        []string
	rotate        bool
	channels      []Channel
	sessions      map[string]*session
	videos        map[string]*Video
	order         []string
	faults        []Fault
	stats         Stats
	hook          func(Chunk)
	partial       func(Chunk)
	inflight      int // PUT handlers running
	verifierSeen  int
	lastAuthQuery url.Values
}

type codeGrant struct {
	clientID, redirect, challenge, method string
	scopes                                []string
}

type grantRec struct {
	scopes  []string
	revoked bool
}

type accessRec struct {
	scopes  []string
	expires time.Time
	refresh string
}

type session struct {
	id    string
	total int64
	ctype string
	meta  map[string]any
	data  []byte
	video string // set when complete
}

// Channel is a channel channels.list(mine=true) returns.
type Channel struct {
	ID          string
	Title       string
	CustomURL   string
	Subscribers int64
}

// New starts a fake with one channel.
func New() *Server {
	s := &Server{
		ClientID:     "fake-client.apps.googleusercontent.com",
		ClientSecret: "fake-secret",
		codes:        map[string]codeGrant{},
		refresh:      map[string]*grantRec{},
		access:       map[string]accessRec{},
		sessions:     map[string]*session{},
		videos:       map[string]*Video{},
		channels:     []Channel{{ID: "UCfakeChannel00000000001", Title: "Fake Channel", CustomURL: "@fakechannel", Subscribers: 1200}},
		stats:        Stats{Requests: map[string]int{}},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /o/oauth2/v2/auth", s.consent)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
	mux.HandleFunc("GET /youtube/v3/channels", s.channelsList)
	mux.HandleFunc("POST /upload/youtube/v3/videos", s.startUpload)
	mux.HandleFunc("PUT /upload/youtube/v3/videos", s.putUpload)
	mux.HandleFunc("POST /upload/youtube/v3/thumbnails/set", s.thumbnailSet)
	mux.HandleFunc("POST /upload/youtube/v3/captions", s.captionsInsert)
	s.Server = httptest.NewServer(mux)
	return s
}

// AuthURL, TokenURL and RevokeURL are the OAuth endpoints.
func (s *Server) AuthURL() string   { return s.URL + "/o/oauth2/v2/auth" }
func (s *Server) TokenURL() string  { return s.URL + "/token" }
func (s *Server) RevokeURL() string { return s.URL + "/revoke" }

// APIBase is the YouTube API base URL (what option.WithEndpoint takes).
func (s *Server) APIBase() string { return s.URL + "/" }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// OnChunk sets a hook called after each chunk's bytes are stored and before
// the answer is written (kill tests stop the client there).
func (s *Server) OnChunk(h func(Chunk)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// OnPartial sets a hook called when half of a chunk's body has been read
// (kill tests stop the client in the middle of a request there).
func (s *Server) OnPartial(h func(Chunk)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = h
}

// Deny makes the consent page answer error=access_denied.
func (s *Server) Deny(v bool) { s.mu.Lock(); s.deny = v; s.mu.Unlock() }

// Untick makes the consent page leave scopes out of the grant, as a user
// unticking them on Google's granular consent screen does.
func (s *Server) Untick(scopes ...string) { s.mu.Lock(); s.untick = scopes; s.mu.Unlock() }

// RotateRefreshTokens makes every refresh answer a new refresh token and
// revoke the old one.
func (s *Server) RotateRefreshTokens(v bool) { s.mu.Lock(); s.rotate = v; s.mu.Unlock() }

// SetChannels replaces what channels.list(mine=true) returns.
func (s *Server) SetChannels(c ...Channel) { s.mu.Lock(); s.channels = c; s.mu.Unlock() }

// RevokeAll revokes every refresh and access token, as a user removing the
// app's access (or Google expiring a testing app's grant) does.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		g.revoked = true
	}
	s.access = map[string]accessRec{}
}

// ExpireAccessTokens makes every issued access token invalid (a 401 on
// use) while refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]accessRec{}
}

// LastAuthQuery is the query of the last consent page request.
func (s *Server) LastAuthQuery() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAuthQuery
}

// VerifiedExchanges counts code exchanges whose PKCE verifier matched.
func (s *Server) VerifiedExchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.verifierSeen
}

// Videos returns copies of the uploaded videos in upload order.
func (s *Server) Videos() []Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Video, 0, len(s.order))
	for _, id := range s.order {
		v := *s.videos[id]
		v.Bytes = slices.Clone(v.Bytes)
		v.Captions = slices.Clone(v.Captions)
		out = append(out, v)
	}
	return out
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = map[string]int{}
	for k, v := range s.stats.Requests {
		st.Requests[k] = v
	}
	return st
}

// SessionReceived is how many bytes the upload session holds, -1 when
// unknown.
func (s *Server) SessionReceived(id string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.sessions[id]; ok {
		return int64(len(se.data))
	}
	return -1
}

// fault takes the next fault for op, if any. Callers hold no lock.
func (s *Server) fault(op string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[op]++
	for i, f := range s.faults {
		if f.Op != op {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		} else {
			s.faults[i] = f
		}
		return f, true
	}
	return Fault{}, false
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ---- error bodies ----

type errItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

// APIError writes Google's JSON error body.
func APIError(w http.ResponseWriter, code int, reason, domain, message, status string) {
	body := map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"errors": []errItem{{Message: message, Domain: domain, Reason: reason}},
	}}
	if status != "" {
		body["error"].(map[string]any)["status"] = status
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func writeFault(w http.ResponseWriter, f Fault) {
	switch f.Kind {
	case ServerError:
		APIError(w, 503, "backendError", "global", "Backend Error", "UNAVAILABLE")
	case SessionGone:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "Not Found")
	case QuotaExceeded:
		APIError(w, 403, "quotaExceeded", "youtube.quota",
			`The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.`, "")
	case UploadLimitExceeded:
		APIError(w, 400, "uploadLimitExceeded", "youtube.video", "The user has exceeded the number of videos they may upload.", "")
	case Unauthorized:
		unauthorized(w)
	}
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code":    401,
		"message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
		"errors": []errItem{{Message: "Invalid Credentials", Domain: "global", Reason: "authError",
			Location: "Authorization", LocationType: "header"}},
		"status": "UNAUTHENTICATED",
	}})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// ---- OAuth ----

var loopbackRe = regexp.MustCompile(`^http://(127\.0\.0\.1|\[::1\]|localhost):\d+(/.*)?$`)

func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.lastAuthQuery = q
	deny, untick, prior := s.deny, s.untick, slices.Clone(s.granted)
	s.mu.Unlock()
	switch {
	case q.Get("client_id") != s.ClientID:
		http.Error(w, "Error 401: invalid_client. The OAuth client was not found.", http.StatusUnauthorized)
		return
	case !loopbackRe.MatchString(q.Get("redirect_uri")):
		http.Error(w, "Error 400: redirect_uri_mismatch", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "Error 400: invalid_request: response_type", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43:
		http.Error(w, "Error 400: invalid_request: code_challenge_method must be S256 for this client", http.StatusBadRequest)
		return
	case q.Get("scope") == "":
		http.Error(w, "Error 400: invalid_request: Missing required parameter: scope", http.StatusBadRequest)
		return
	}
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	rq := redirect.Query()
	rq.Set("state", q.Get("state"))
	if deny {
		rq.Set("error", "access_denied")
		redirect.RawQuery = rq.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
		return
	}
	var scopes []string
	for _, sc := range strings.Fields(q.Get("scope")) {
		if !slices.Contains(untick, sc) && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if q.Get("include_granted_scopes") == "true" {
		for _, sc := range prior {
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	code := "4/0A" + randomID(24)
	s.mu.Lock()
	s.codes[code] = codeGrant{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method"), scopes: scopes}
	s.mu.Unlock()
	rq.Set("code", code)
	rq.Set("scope", strings.Join(scopes, " "))
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpToken); ok {
		writeFault(w, f)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", "Bad Request")
		return
	}
	if r.PostForm.Get("client_id") != s.ClientID || r.PostForm.Get("client_secret") != s.ClientSecret {
		oauthError(w, 401, "invalid_client", "The OAuth client was not found.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var scopes []string
	var refresh string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		g, ok := s.codes[code]
		delete(s.codes, code) // a code is good once
		if !ok {
			oauthError(w, 400, "invalid_grant", "Malformed auth code.")
			return
		}
		if r.PostForm.Get("redirect_uri") != g.redirect {
			oauthError(w, 400, "redirect_uri_mismatch", "Bad Request")
			return
		}
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if g.method != "S256" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			oauthError(w, 400, "invalid_grant", "Invalid code verifier.")
			return
		}
		s.verifierSeen++
		scopes = g.scopes
		refresh = "1//0g" + randomID(36)
		s.refresh[refresh] = &grantRec{scopes: scopes}
		for _, sc := range scopes {
			if !slices.Contains(s.granted, sc) {
				s.granted = append(s.granted, sc)
			}
		}
	case "refresh_token":
		old := r.PostForm.Get("refresh_token")
		g, ok := s.refresh[old]
		if !ok || g.revoked {
			oauthError(w, 400, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		scopes = g.scopes
		if s.rotate {
			g.revoked = true
			refresh = "1//0g" + randomID(36)
			s.refresh[refresh] = &grantRec{scopes: scopes}
		}
	default:
		oauthError(w, 400, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	}
	life := s.TokenLifetime
	if life <= 0 {
		life = time.Hour
	}
	access := "ya29.a0" + randomID(48)
	src := refresh
	if src == "" {
		src = r.PostForm.Get("refresh_token")
	}
	s.access[access] = accessRec{scopes: scopes, expires: s.now().Add(life), refresh: src}
	body := map[string]any{"access_token": access, "expires_in": int(life.Seconds()) - 1,
		"scope": strings.Join(scopes, " "), "token_type": "Bearer"}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	_ = r.ParseForm()
	tok := r.Form.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.refresh[tok]; ok {
		g.revoked = true
		for k, a := range s.access {
			if a.refresh == tok {
				delete(s.access, k)
			}
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if _, ok := s.access[tok]; ok {
		delete(s.access, tok)
		w.WriteHeader(http.StatusOK)
		return
	}
	oauthError(w, 400, "invalid_token", "Token expired or revoked")
}

// authorize checks the bearer token and that it carries one of scopes. It
// writes the error answer and returns false when the request may not go on.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scopes ...string) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	a, known := s.access[tok]
	s.mu.Unlock()
	if !ok || !known || !s.now().Before(a.expires) {
		unauthorized(w)
		return false
	}
	for _, sc := range scopes {
		if slices.Contains(a.scopes, sc) {
			return true
		}
	}
	APIError(w, 403, "insufficientPermissions", "global", "Request had insufficient authentication scopes.", "PERMISSION_DENIED")
	return false
}

// Scopes accepted per method (developers.google.com/youtube/v3/docs).
var (
	readScopes    = []string{"https://www.googleapis.com/auth/youtube.readonly", "https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/youtube.force-ssl"}
	uploadScopes  = []string{"https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/youtube.force-ssl"}
	captionScopes = []string{"https://www.googleapis.com/auth/youtube.force-ssl", "https://www.googleapis.com/auth/youtubepartner"}
)

// ---- YouTube ----

func (s *Server) channelsList(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpChannelsList); ok {
		writeFault(w, f)
		return
	}
	if !s.authorize(w, r, readScopes...) {
		return
	}
	q := r.URL.Query()
	if q.Get("mine") != "true" || q.Get("part") == "" {
		APIError(w, 400, "missingRequiredParameter", "youtube.parameter", "No filter selected. Expected one of: mine, id, forHandle, forUsername, managedByMe, categoryId", "")
		return
	}
	s.mu.Lock()
	chans := slices.Clone(s.channels)
	s.mu.Unlock()
	items := make([]map[string]any, 0, len(chans))
	for _, c := range chans {
		items = append(items, map[string]any{
			"kind": "youtube#channel", "etag": "etag-" + c.ID, "id": c.ID,
			"snippet": map[string]any{"title": c.Title, "description": "", "customUrl": c.CustomURL,
				"publishedAt": "2020-01-02T03:04:05Z",
				"thumbnails":  map[string]any{"default": map[string]any{"url": "https://yt3.ggpht.example/" + c.ID, "width": 88, "height": 88}}},
			"contentDetails": map[string]any{"relatedPlaylists": map[string]any{"likes": "", "uploads": "UU" + strings.TrimPrefix(c.ID, "UC")}},
			"statistics":     map[string]any{"viewCount": "1000", "subscriberCount": strconv.FormatInt(c.Subscribers, 10), "hiddenSubscriberCount": false, "videoCount": "10"},
		})
	}
	writeJSON(w, 200, map[string]any{"kind": "youtube#channelListResponse", "etag": "etag-list",
		"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": 5}, "items": items})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) startUpload(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpVideosInsert); ok {
		writeFault(w, f)
		return
	}
	if !s.authorize(w, r, uploadScopes...) {
		return
	}
	q := r.URL.Query()
	if q.Get("uploadType") != "resumable" {
		APIError(w, 400, "invalidParameter", "global", "this fake only takes uploadType=resumable for videos", "")
		return
	}
	parts := strings.Split(q.Get("part"), ",")
	if !slices.Contains(parts, "snippet") || !slices.Contains(parts, "status") {
		APIError(w, 400, "invalidPart", "youtube.part", "part must include snippet and status", "")
		return
	}
	total, err := strconv.ParseInt(r.Header.Get("X-Upload-Content-Length"), 10, 64)
	if err != nil || total <= 0 {
		APIError(w, 400, "invalidValue", "global", "X-Upload-Content-Length is required", "")
		return
	}
	ctype := r.Header.Get("X-Upload-Content-Type")
	if !strings.HasPrefix(ctype, "video/") && ctype != "application/octet-stream" {
		APIError(w, 400, "invalidValue", "global", "X-Upload-Content-Type must be video/* or application/octet-stream", "")
		return
	}
	var meta map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&meta); err != nil {
		APIError(w, 400, "parseError", "global", "Parse Error", "")
		return
	}
	if msg := checkVideoMeta(meta); msg != "" {
		reason := "invalidVideoMetadata"
		if strings.Contains(msg, "publishAt") {
			reason = "invalidPublishAt"
		}
		APIError(w, 400, reason, "youtube.video", msg, "")
		return
	}
	id := "ADPycd" + randomID(30)
	s.mu.Lock()
	s.sessions[id] = &session{id: id, total: total, ctype: ctype, meta: meta, data: make([]byte, 0, min(total, 1<<30))}
	s.stats.Sessions++
	s.mu.Unlock()
	w.Header().Set("Location", s.URL+"/upload/youtube/v3/videos?uploadType=resumable&part="+url.QueryEscape(q.Get("part"))+"&upload_id="+id)
	w.Header().Set("X-GUploader-UploadID", id)
	w.WriteHeader(http.StatusOK)
}

// checkVideoMeta applies the rules YouTube applies to a new video's
// snippet and status, returning the error message or "".
func checkVideoMeta(meta map[string]any) string {
	sn, _ := meta["snippet"].(map[string]any)
	st, _ := meta["status"].(map[string]any)
	if sn == nil || st == nil {
		return "snippet and status are required"
	}
	title, _ := sn["title"].(string)
	if strings.TrimSpace(title) == "" || len([]rune(title)) > 100 || strings.ContainsAny(title, "<>") {
		return "The request metadata specifies an invalid video title."
	}
	if d, _ := sn["description"].(string); len(d) > 5000 || strings.ContainsAny(d, "<>") {
		return "The request metadata specifies an invalid video description."
	}
	priv, _ := st["privacyStatus"].(string)
	if priv != "private" && priv != "unlisted" && priv != "public" {
		return "invalid privacyStatus"
	}
	if pa, ok := st["publishAt"].(string); ok && pa != "" {
		if priv != "private" {
			return "The request metadata specifies a publishAt time but the video is not private."
		}
		if _, err := time.Parse(time.RFC3339, pa); err != nil {
			return "The request metadata specifies an invalid scheduled publishing time (publishAt)."
		}
	}
	return ""
}

// ParseContentRange parses "bytes A-B/TOTAL" or "bytes */TOTAL" (start=-1).
func ParseContentRange(h string) (start, end, total int64, ok bool) {
	rest, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	total, err := strconv.ParseInt(tot, 10, 64)
	if err != nil || total < 0 {
		return 0, 0, 0, false
	}
	if rng == "*" {
		return -1, -1, total, true
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start || end >= total {
		return 0, 0, 0, false
	}
	return start, end, total, true
}

// WaitIdle returns once no upload PUT is being handled: after killing a
// client, its last request is fully stored (or dropped) before the next
// client asks where the session stands.
func (s *Server) WaitIdle() {
	for {
		s.mu.Lock()
		n := s.inflight
		s.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *Server) putUpload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}()
	id := r.URL.Query().Get("upload_id")
	start, end, total, ok := ParseContentRange(r.Header.Get("Content-Range"))
	op := OpUploadChunk
	if ok && start < 0 {
		op = OpUploadQuery
	}
	f, faulty := s.fault(op)
	if faulty && f.Kind == SessionGone {
		s.mu.Lock()
		delete(s.sessions, id)
		s.mu.Unlock()
	}
	s.mu.Lock()
	se := s.sessions[id]
	s.mu.Unlock()
	if se == nil {
		writeFault(w, Fault{Kind: SessionGone})
		return
	}
	if !ok || total != se.total {
		APIError(w, 400, "badContent", "global", "Failed to parse Content-Range header.", "")
		return
	}
	if faulty && f.Kind != CutBody && f.Kind != ServerError {
		writeFault(w, f)
		return
	}
	if start < 0 { // a status query
		s.answer(w, se)
		return
	}
	n := end - start + 1
	if n%ChunkUnit != 0 && end+1 != total {
		APIError(w, 400, "badContent", "global", "Chunk size must be a multiple of 256 KiB except for the last chunk.", "")
		return
	}
	s.mu.Lock()
	have := int64(len(se.data))
	s.mu.Unlock()
	if start > have {
		APIError(w, 400, "badContent", "global", fmt.Sprintf("Content-Range starts at %d but the session holds %d bytes.", start, have), "")
		return
	}
	limit := n
	if faulty && f.Kind == CutBody && f.After < n {
		limit = f.After
	}
	buf := make([]byte, limit)
	half := limit / 2
	got, err := io.ReadFull(r.Body, buf[:half])
	s.mu.Lock()
	partial := s.partial
	s.mu.Unlock()
	if err == nil && partial != nil {
		partial(Chunk{Session: id, Start: start, Length: n, Received: have + int64(got), Total: total})
	}
	if err == nil {
		var rest int
		rest, err = io.ReadFull(r.Body, buf[half:])
		got += rest
	}
	s.mu.Lock()
	s.stats.ChunkBytes += int64(got)
	s.mu.Unlock()
	buf = buf[:got]
	if faulty && f.Kind == CutBody || err != nil {
		// keep whole 256 KiB units of what arrived, as Google does
		keep := int64(got) / ChunkUnit * ChunkUnit
		s.store(se, start, buf[:keep])
		cut(w)
		return
	}
	if faulty && f.Kind == ServerError {
		_, _ = io.Copy(io.Discard, r.Body)
		writeFault(w, f)
		return
	}
	if extra, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 1)); extra > 0 {
		APIError(w, 400, "badContent", "global", "The request body is longer than its Content-Range.", "")
		return
	}
	s.store(se, start, buf)
	s.mu.Lock()
	hook := s.hook
	received := int64(len(se.data))
	s.mu.Unlock()
	if hook != nil {
		hook(Chunk{Session: id, Start: start, Length: n, Received: received, Total: total})
	}
	s.answer(w, se)
}

// store appends the part of b (starting at start) the session does not
// hold yet; it completes the video when all bytes arrived.
func (s *Server) store(se *session, start int64, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	have := int64(len(se.data))
	if start+int64(len(b)) <= have || start > have {
		return
	}
	se.data = append(se.data, b[have-start:]...)
	if int64(len(se.data)) == se.total && se.video == "" {
		vid := randomID(8)[:11]
		se.video = vid
		s.videos[vid] = &Video{ID: vid, Metadata: se.meta, Bytes: se.data}
		s.order = append(s.order, vid)
	}
}

// answer tells the client where the session is: 308 with Range, or the
// video once complete.
func (s *Server) answer(w http.ResponseWriter, se *session) {
	s.mu.Lock()
	have, vid := int64(len(se.data)), se.video
	s.mu.Unlock()
	if vid != "" {
		writeJSON(w, 200, s.videoResource(vid))
		return
	}
	if have > 0 {
		w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", have-1))
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(308)
}

func (s *Server) videoResource(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.videos[id]
	sn, _ := v.Metadata["snippet"].(map[string]any)
	st, _ := v.Metadata["status"].(map[string]any)
	status := map[string]any{"uploadStatus": "uploaded"}
	for k, val := range st {
		status[k] = val
	}
	return map[string]any{"kind": "youtube#video", "etag": "etag-" + id, "id": id, "snippet": sn, "status": status}
}

// cut closes the connection without an answer.
func cut(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fakegoogle: cannot hijack the connection")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// mediaBody reads an uploadType=media or multipart request: the JSON
// metadata (nil for media) and the media bytes, at most limit of them.
func mediaBody(r *http.Request, limit int64) (meta map[string]any, media []byte, mediaType string, err error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, nil, "", fmt.Errorf("content type: %w", err)
	}
	switch r.URL.Query().Get("uploadType") {
	case "media":
		b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return nil, nil, "", err
		}
		return nil, b, ct, nil
	case "multipart":
		if ct != "multipart/related" {
			return nil, nil, "", fmt.Errorf("multipart upload with content type %s", ct)
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		p, err := mr.NextPart()
		if err != nil {
			return nil, nil, "", fmt.Errorf("metadata part: %w", err)
		}
		mb, _ := io.ReadAll(io.LimitReader(p, 64<<10))
		if len(bytes.TrimSpace(mb)) > 0 {
			if err := json.Unmarshal(mb, &meta); err != nil {
				return nil, nil, "", fmt.Errorf("metadata part: %w", err)
			}
		}
		p, err = mr.NextPart()
		if err != nil {
			return nil, nil, "", fmt.Errorf("media part: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(p, limit+1))
		return meta, b, p.Header.Get("Content-Type"), err
	default:
		return nil, nil, "", fmt.Errorf("uploadType %q", r.URL.Query().Get("uploadType"))
	}
}

func (s *Server) thumbnailSet(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpThumbnailSet); ok {
		writeFault(w, f)
		return
	}
	if !s.authorize(w, r, uploadScopes...) {
		return
	}
	vid := r.URL.Query().Get("videoId")
	_, media, mtype, err := mediaBody(r, 2<<20)
	if err != nil {
		APIError(w, 400, "mediaBodyRequired", "youtube.thumbnail", "The request does not include the image content: "+err.Error(), "")
		return
	}
	if len(media) > 2<<20 {
		APIError(w, 413, "mediaBodyTooLarge", "global", "Media larger than 2097152 bytes.", "")
		return
	}
	if mtype != "image/jpeg" && mtype != "image/png" && mtype != "application/octet-stream" {
		APIError(w, 400, "invalidImage", "youtube.thumbnail", "The provided image content is invalid.", "")
		return
	}
	s.mu.Lock()
	v, ok := s.videos[vid]
	if ok {
		v.Thumbnail, v.ThumbType = media, mtype
	}
	s.mu.Unlock()
	if !ok {
		APIError(w, 404, "videoNotFound", "youtube.thumbnail", "The video that you are trying to update cannot be found.", "")
		return
	}
	writeJSON(w, 200, map[string]any{"kind": "youtube#thumbnailSetResponse", "etag": "etag-thumb",
		"items": []any{map[string]any{"default": map[string]any{"url": "https://i.ytimg.com/vi/" + vid + "/default.jpg", "width": 120, "height": 90}}}})
}

func (s *Server) captionsInsert(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpCaptionsIns); ok {
		writeFault(w, f)
		return
	}
	if !s.authorize(w, r, captionScopes...) {
		return
	}
	if !strings.Contains(r.URL.Query().Get("part"), "snippet") {
		APIError(w, 400, "invalidPart", "youtube.part", "part must include snippet", "")
		return
	}
	meta, media, _, err := mediaBody(r, 10<<20)
	if err != nil || meta == nil {
		APIError(w, 400, "parseError", "global", fmt.Sprintf("captions.insert needs metadata and media: %v", err), "")
		return
	}
	sn, _ := meta["snippet"].(map[string]any)
	vid, _ := sn["videoId"].(string)
	lang, _ := sn["language"].(string)
	name, _ := sn["name"].(string)
	if lang == "" {
		APIError(w, 400, "invalidMetadata", "youtube.caption", "The request contains invalid metadata values: snippet.language is required.", "")
		return
	}
	if !bytes.Contains(media, []byte("-->")) {
		APIError(w, 400, "invalidCaptionTrack", "youtube.caption", "The caption track is malformed or in an unsupported format.", "")
		return
	}
	id := "AUieDa" + randomID(20)
	s.mu.Lock()
	v, ok := s.videos[vid]
	if ok {
		v.Captions = append(v.Captions, Caption{ID: id, Language: lang, Name: name, Body: media})
	}
	s.mu.Unlock()
	if !ok {
		APIError(w, 404, "videoNotFound", "youtube.video", "The video identified by the videoId parameter could not be found.", "")
		return
	}
	writeJSON(w, 200, map[string]any{"kind": "youtube#caption", "etag": "etag-" + id, "id": id,
		"snippet": map[string]any{"videoId": vid, "language": lang, "name": name, "trackKind": "standard", "status": "serving"}})
}

// Sum is the hex SHA-256 of b, for comparing uploaded bytes with a file.
func Sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
