package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"
)

// DefaultAPIBase is the YouTube Data API's base URL.
const DefaultAPIBase = "https://www.googleapis.com/"

// ChunkUnit is the granularity of resumable uploads: every chunk but the
// last is a multiple of it.
const ChunkUnit = 256 << 10

// Response size caps.
const (
	maxErrorBody = 64 << 10
	maxVideoBody = 1 << 20
)

// Clients hands out HTTP clients authorised for a Google grant.
// *google.Auth implements it.
type Clients interface {
	Client(account string) (*http.Client, error)
}

// YouTube is the client of the YouTube Data API calls publishing makes.
// The resumable upload protocol is implemented here (a new process must be
// able to continue a stored session, which google-api-go-client does not
// allow); channels.list, thumbnails.set and captions.insert go through
// google.golang.org/api/youtube/v3.
type YouTube struct {
	base    *url.URL
	clients Clients
}

// NewYouTube makes a client. base is the API's base URL; empty means
// DefaultAPIBase (tests pass a local server's).
func NewYouTube(clients Clients, base string) (*YouTube, error) {
	if base == "" {
		base = DefaultAPIBase
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("youtube base url %q: must be an http(s) URL", base)
	}
	return &YouTube{base: u, clients: clients}, nil
}

// APIError is a YouTube answer other than success.
type APIError struct {
	Status     int    // HTTP status
	Reason     string // errors[0].reason, e.g. quotaExceeded, uploadLimitExceeded
	Message    string
	RetryAfter time.Duration // from a Retry-After header, zero when none
}

func (e *APIError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("youtube answered HTTP %d %s: %s", e.Status, e.Reason, e.Message)
	}
	return fmt.Sprintf("youtube answered HTTP %d: %s", e.Status, e.Message)
}

// Is lets errors.Is match the quota sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrQuotaExceeded:
		return e.Reason == "quotaExceeded" || e.Reason == "dailyLimitExceeded"
	case ErrUploadLimit:
		return e.Reason == "uploadLimitExceeded"
	}
	return false
}

// errorBody is Google's JSON error shape.
type errorBody struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
			Domain  string `json:"domain"`
		} `json:"errors"`
		Status string `json:"status"`
	} `json:"error"`
}

// ParseAPIError reads a non-success answer: Google's JSON error body when
// there is one (at most 64 KiB are read), else the status alone.
func ParseAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{Status: status, Message: http.StatusText(status)}
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && (eb.Error.Message != "" || len(eb.Error.Errors) > 0) {
		e.Message = clip(eb.Error.Message, 300)
		if len(eb.Error.Errors) > 0 {
			e.Reason = clip(eb.Error.Errors[0].Reason, 64)
		}
	}
	if ra := header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && s > 0 && s < 86400 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	}
	return e
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) > n {
		s = s[:n]
	}
	return s
}

func readError(resp *http.Response) *APIError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return ParseAPIError(resp.StatusCode, resp.Header, b)
}

// ParseRange reads a 308 answer's Range header ("bytes=0-N") as the number
// of bytes the server holds; an absent header means none.
func ParseRange(h string) (int64, error) {
	if h == "" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || len(rest) > 42 {
		return 0, fmt.Errorf("range %q: want bytes=0-N", clip(h, 64))
	}
	first, last, ok := strings.Cut(rest, "-")
	if !ok || first != "0" {
		return 0, fmt.Errorf("range %q: want bytes=0-N", clip(h, 64))
	}
	n, err := strconv.ParseInt(last, 10, 64)
	if err != nil || n < 0 || n == 1<<63-1 {
		return 0, fmt.Errorf("range %q: bad end", clip(h, 64))
	}
	return n + 1, nil
}

// wireVideo is the video resource sent when a session starts. The
// booleans have no omitempty: the disclosures are sent either way.
type wireVideo struct {
	Snippet struct {
		Title                string   `json:"title"`
		Description          string   `json:"description"`
		Tags                 []string `json:"tags,omitempty"`
		CategoryID           string   `json:"categoryId"`
		DefaultLanguage      string   `json:"defaultLanguage,omitempty"`
		DefaultAudioLanguage string   `json:"defaultAudioLanguage,omitempty"`
	} `json:"snippet"`
	Status struct {
		PrivacyStatus           string `json:"privacyStatus"`
		PublishAt               string `json:"publishAt,omitempty"`
		SelfDeclaredMadeForKids bool   `json:"selfDeclaredMadeForKids"`
		ContainsSyntheticMedia  bool   `json:"containsSyntheticMedia"`
		Embeddable              bool   `json:"embeddable"`
		License                 string `json:"license"`
	} `json:"status"`
}

func toWire(m Metadata) wireVideo {
	var v wireVideo
	v.Snippet.Title = m.Title
	v.Snippet.Description = m.Description
	v.Snippet.Tags = m.Tags
	v.Snippet.CategoryID = m.CategoryID
	v.Snippet.DefaultLanguage = m.DefaultLanguage
	v.Snippet.DefaultAudioLanguage = m.DefaultLanguage
	v.Status.PrivacyStatus = string(m.Privacy)
	if !m.PublishAt.IsZero() {
		v.Status.PrivacyStatus = string(Private) // YouTube publishes it at publishAt
		v.Status.PublishAt = m.PublishAt.UTC().Format(time.RFC3339)
	}
	v.Status.SelfDeclaredMadeForKids = m.MadeForKids
	v.Status.ContainsSyntheticMedia = m.SyntheticMedia
	v.Status.Embeddable = true
	v.Status.License = "youtube"
	return v
}

// videoResource is the part of the finished upload's answer read back.
type videoResource struct {
	ID     string `json:"id"`
	Status struct {
		UploadStatus  string `json:"uploadStatus"`
		PrivacyStatus string `json:"privacyStatus"`
		PublishAt     string `json:"publishAt"`
	} `json:"status"`
}

var videoIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)

// ParseVideoResource reads the answer of a completed upload (at most
// 1 MiB).
func ParseVideoResource(b []byte) (videoResource, error) {
	var v videoResource
	if len(b) > maxVideoBody {
		return v, errors.New("video resource larger than 1 MiB")
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("video resource: %w", err)
	}
	if !videoIDRe.MatchString(v.ID) {
		return v, fmt.Errorf("video resource: id %q is not a video id", clip(v.ID, 32))
	}
	return v, nil
}

// uploadStatus is where a session is: Offset bytes held, or the video when
// complete.
type uploadStatus struct {
	Offset int64
	Video  *videoResource
}

func (y *YouTube) client(account string) (*http.Client, error) {
	c, err := y.clients.Client(account)
	if err != nil {
		return nil, fmt.Errorf("google grant %s: %w", account, err)
	}
	return c, nil
}

// checkSession refuses a stored session URI pointing anywhere but the API's
// host or Google's (the authorised client would send the token there).
func (y *YouTube) checkSession(uri string) error {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return errors.New("stored upload session is not a URL")
	}
	if u.Host != y.base.Host && !strings.HasSuffix(u.Hostname(), ".googleapis.com") {
		return fmt.Errorf("stored upload session points at %s, not YouTube", u.Hostname())
	}
	return nil
}

// startSession opens a resumable upload session and returns its URI.
func (y *YouTube) startSession(ctx context.Context, account string, m Metadata, size int64, ctype string) (string, error) {
	c, err := y.client(account)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(toWire(m))
	if err != nil {
		return "", fmt.Errorf("encode video metadata: %w", err)
	}
	u := y.base.JoinPath("upload/youtube/v3/videos")
	u.RawQuery = "uploadType=resumable&part=snippet,status"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("X-Upload-Content-Length", strconv.FormatInt(size, 10))
	req.Header.Set("X-Upload-Content-Type", ctype)
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("start upload session: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("start upload session: %w", readError(resp))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	loc := resp.Header.Get("Location")
	if loc == "" || len(loc) > 4096 {
		return "", errors.New("start upload session: the answer has no session address")
	}
	if err := y.checkSession(loc); err != nil {
		return "", fmt.Errorf("start upload session: %w", err)
	}
	return loc, nil
}

// query asks a session what it holds (PUT, empty body, "bytes */TOTAL").
func (y *YouTube) query(ctx context.Context, account, uri string, total int64) (uploadStatus, error) {
	if err := y.checkSession(uri); err != nil {
		return uploadStatus{}, err
	}
	c, err := y.client(account)
	if err != nil {
		return uploadStatus{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uri, http.NoBody)
	if err != nil {
		return uploadStatus{}, err
	}
	req.ContentLength = 0
	req.Header.Set("Content-Range", "bytes */"+strconv.FormatInt(total, 10))
	resp, err := c.Do(req)
	if err != nil {
		return uploadStatus{}, fmt.Errorf("query upload session: %w", err)
	}
	defer resp.Body.Close()
	st, err := sessionAnswer(resp)
	if err != nil {
		return uploadStatus{}, fmt.Errorf("query upload session: %w", err)
	}
	return st, nil
}

// putChunk sends n bytes of r from start. progress is told the bytes
// written so far in this request.
func (y *YouTube) putChunk(ctx context.Context, account, uri string, r io.ReaderAt, start, n, total int64, progress func(int64)) (uploadStatus, error) {
	if err := y.checkSession(uri); err != nil {
		return uploadStatus{}, err
	}
	c, err := y.client(account)
	if err != nil {
		return uploadStatus{}, err
	}
	body := func() io.ReadCloser {
		return io.NopCloser(&countingReader{r: io.NewSectionReader(r, start, n), progress: progress})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uri, body())
	if err != nil {
		return uploadStatus{}, err
	}
	req.GetBody = func() (io.ReadCloser, error) { return body(), nil }
	req.ContentLength = n
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, total))
	resp, err := c.Do(req)
	if err != nil {
		return uploadStatus{}, fmt.Errorf("upload bytes %d-%d: %w", start, start+n-1, err)
	}
	defer resp.Body.Close()
	st, err := sessionAnswer(resp)
	if err != nil {
		return uploadStatus{}, fmt.Errorf("upload bytes %d-%d: %w", start, start+n-1, err)
	}
	return st, nil
}

func sessionAnswer(resp *http.Response) (uploadStatus, error) {
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxVideoBody+1))
		if err != nil {
			return uploadStatus{}, fmt.Errorf("read the video resource: %w", err)
		}
		v, err := ParseVideoResource(b)
		if err != nil {
			return uploadStatus{}, err
		}
		return uploadStatus{Video: &v}, nil
	case http.StatusPermanentRedirect: // 308 Resume Incomplete
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		n, err := ParseRange(resp.Header.Get("Range"))
		if err != nil {
			return uploadStatus{}, err
		}
		return uploadStatus{Offset: n}, nil
	default:
		return uploadStatus{}, readError(resp)
	}
}

type countingReader struct {
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.n)
	}
	return n, err
}

func (y *YouTube) service(ctx context.Context, account string) (*yt.Service, error) {
	c, err := y.client(account)
	if err != nil {
		return nil, err
	}
	svc, err := yt.NewService(ctx, option.WithHTTPClient(c), option.WithEndpoint(y.base.String()))
	if err != nil {
		return nil, fmt.Errorf("youtube client: %w", err)
	}
	return svc, nil
}

// translate turns a google-api-go-client error into an APIError, keeping
// others (transport errors, ErrSignInAgain) as they are.
func translate(err error) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		e := &APIError{Status: ge.Code, Message: clip(ge.Message, 300)}
		if len(ge.Errors) > 0 {
			e.Reason = ge.Errors[0].Reason
			if e.Message == "" {
				e.Message = clip(ge.Errors[0].Message, 300)
			}
		}
		if ra := ge.Header.Get("Retry-After"); ra != "" {
			if s, err := strconv.Atoi(ra); err == nil && s > 0 && s < 86400 {
				e.RetryAfter = time.Duration(s) * time.Second
			}
		}
		return e
	}
	return err
}

// Channel is a YouTube channel of a signed-in account.
type Channel struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Handle      string `json:"handle"` // customUrl, e.g. @name
	Thumbnail   string `json:"thumbnail"`
	Subscribers int64  `json:"subscribers"`
}

var channelIDRe = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)

// MyChannels lists the channels of account's grant (channels.list with
// mine=true, 1 unit). A grant made for a brand account lists that account's
// channel.
func (y *YouTube) MyChannels(ctx context.Context, account string) ([]Channel, error) {
	svc, err := y.service(ctx, account)
	if err != nil {
		return nil, err
	}
	resp, err := svc.Channels.List([]string{"snippet", "statistics"}).Mine(true).MaxResults(50).Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("list my youtube channels: %w", translate(err))
	}
	out := make([]Channel, 0, len(resp.Items))
	for _, it := range resp.Items {
		c := Channel{ID: it.Id}
		if it.Snippet != nil {
			c.Title, c.Handle = it.Snippet.Title, it.Snippet.CustomUrl
			if it.Snippet.Thumbnails != nil && it.Snippet.Thumbnails.Default != nil {
				c.Thumbnail = it.Snippet.Thumbnails.Default.Url
			}
		}
		if it.Statistics != nil {
			c.Subscribers = int64(it.Statistics.SubscriberCount)
		}
		out = append(out, c)
	}
	return out, nil
}

// setThumbnail uploads path as videoID's thumbnail (50 units).
func (y *YouTube) setThumbnail(ctx context.Context, account, videoID, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &fileError{err: fmt.Errorf("open thumbnail: %w", err)}
	}
	defer f.Close()
	svc, err := y.service(ctx, account)
	if err != nil {
		return err
	}
	ctype := "image/png"
	if ext := strings.ToLower(path); strings.HasSuffix(ext, ".jpg") || strings.HasSuffix(ext, ".jpeg") {
		ctype = "image/jpeg"
	}
	if _, err := svc.Thumbnails.Set(videoID).Media(f, googleapi.ContentType(ctype)).Context(ctx).Do(); err != nil {
		return fmt.Errorf("set thumbnail of %s: %w", videoID, translate(err))
	}
	return nil
}

// insertCaption uploads the SRT at path as a caption track of videoID
// (400 units) and returns the track id.
func (y *YouTube) insertCaption(ctx context.Context, account, videoID, path, language, name string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &fileError{err: fmt.Errorf("open captions: %w", err)}
	}
	defer f.Close()
	svc, err := y.service(ctx, account)
	if err != nil {
		return "", err
	}
	c := &yt.Caption{Snippet: &yt.CaptionSnippet{VideoId: videoID, Language: language, Name: name}}
	got, err := svc.Captions.Insert([]string{"snippet"}, c).Media(f, googleapi.ContentType("application/octet-stream")).Context(ctx).Do()
	if err != nil {
		return "", fmt.Errorf("insert captions of %s: %w", videoID, translate(err))
	}
	return got.Id, nil
}

// fileError is a local file problem: the user must fix it, retrying will
// not.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }
