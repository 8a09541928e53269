package fakegoogle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The YouTube Data API listing parts, YouTube Analytics API v2
// (reports.query) and YouTube Reporting API v1 (jobs, reports, media) as
// Tube Agency reads them for a signed-in channel.
//
// Data API: channels.list by id or mine, playlistItems.list of the uploads
// playlist (50 a page), videos.list by id (50 at most).
//
// Analytics: GET /v2/reports with ids=channel==MINE, startDate, endDate,
// metrics (views, estimatedMinutesWatched, averageViewDuration,
// averageViewPercentage, subscribersGained, estimatedRevenue, likes,
// comments), dimensions "day" (with filters=video==ID) or "video" (sort
// -views, maxResults ≤ 200, startIndex from 1). Days after the fake's now
// minus AnalyticsLag have no rows yet, as YouTube's most recent days. The
// rows are the daily numbers of the videos given to SetAnalytics;
// estimatedRevenue needs the yt-analytics-monetary.readonly scope and a
// monetised channel (403 forbidden otherwise); asking for impressions
// answers 400, as YouTube does.
//
// Reporting: GET/POST /v1/jobs, GET /v1/jobs/{id}/reports (createdAfter,
// pageToken), GET /v1/media/{name}?alt=media. A job's first reports appear
// ReportDelay after it is created, one per day for the 30 days before it,
// then one more for each day that ends later; a report is a CSV of the
// channel_reach_basic_a1 report type (date, channel_id, video_id,
// traffic_source_type, video_thumbnail_impressions,
// video_thumbnail_impressions_ctr), one row per video, day and traffic
// source, the click-through rate a ratio.

// More operations faults can be injected into.
const (
	OpPlaylistItems  = "playlistItems.list"
	OpVideosList     = "videos.list"
	OpReportsQuery   = "reports.query"
	OpJobsList       = "jobs.list"
	OpJobsCreate     = "jobs.create"
	OpReportsList    = "reports.list"
	OpReportDownload = "media.download"
)

// RateLimited answers 429 rateLimitExceeded with a Retry-After of 30 s.
const RateLimited FaultKind = 100

// AnalyticsLag is how many days before the fake's now YouTube Analytics
// has rows for, and ReportDelay how long after a job is created its first
// reports appear.
const (
	AnalyticsLag = 2
	ReportDelay  = 48 * time.Hour
)

// Scopes of the analytics APIs.
const (
	scopeAnalytics = "https://www.googleapis.com/auth/yt-analytics.readonly"
	scopeMonetary  = "https://www.googleapis.com/auth/yt-analytics-monetary.readonly"
)

// AnalyticsVideo is a video of the signed-in channel.
type AnalyticsVideo struct {
	ID          string
	Title       string
	PublishedAt time.Time
	DurationSec int
}

// Day is one video's numbers on one day.
type Day struct {
	Views        int64
	WatchMinutes float64
	AvgViewSec   float64
	AvgViewPct   float64
	Subscribers  int64
	Revenue      float64 // USD
	Impressions  int64
	CTR          float64 // a ratio: 0.05 is 5 %
}

// DayFunc gives a video's numbers on a day (UTC midnight of the Pacific
// day); it must be deterministic.
type DayFunc func(v AnalyticsVideo, day time.Time) Day

type analytics struct {
	videos     []AnalyticsVideo
	daily      DayFunc
	monetised  bool
	jobs       []job
	queryRows  int // rows answered by reports.query
	downloaded int // reports downloaded
	queries    []url.Values
}

type job struct {
	id, reportType, name string
	created              time.Time
}

// SetAnalytics gives the signed-in channel (the first of SetChannels) its
// videos and their daily numbers, and says whether it is monetised.
func (s *Server) SetAnalytics(videos []AnalyticsVideo, daily DayFunc, monetised bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.an.videos = slices.Clone(videos)
	slices.SortFunc(s.an.videos, func(a, b AnalyticsVideo) int { return b.PublishedAt.Compare(a.PublishedAt) }) // newest first, as uploads are
	s.an.daily = daily
	s.an.monetised = monetised
}

// AddReachJob gives the channel a channel_reach_basic_a1 reporting job made
// at created, as one the owner (or another app) made before: its reports
// are there from ReportDelay after created. It returns the job's id.
func (s *Server) AddReachJob(created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := job{id: "job-" + randomID(9), reportType: "channel_reach_basic_a1", name: "Tube Agency reach", created: created.UTC()}
	s.an.jobs = append(s.an.jobs, j)
	return j.id
}

// Jobs returns the reporting jobs created so far (id and report type).
func (s *Server) Jobs() [][2]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][2]string
	for _, j := range s.an.jobs {
		out = append(out, [2]string{j.id, j.reportType})
	}
	return out
}

// AnalyticsQueries are the queries reports.query answered, in order.
func (s *Server) AnalyticsQueries() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.an.queries)
}

// AnalyticsRows is how many rows reports.query answered, and
// ReportsDownloaded how many reports were downloaded.
func (s *Server) AnalyticsRows() int     { s.mu.Lock(); defer s.mu.Unlock(); return s.an.queryRows }
func (s *Server) ReportsDownloaded() int { s.mu.Lock(); defer s.mu.Unlock(); return s.an.downloaded }

func (s *Server) totalViews() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.an.videos) == 0 {
		return 1000
	}
	return s.lifetimeLocked(nil, s.now())
}

func (s *Server) videoCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.an.videos) == 0 {
		return 10
	}
	return len(s.an.videos)
}

// pacific is loaded once: LoadLocation reads the zone file on every call,
// and the fake asks for a Pacific day per video day it serves.
var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*3600)
	}
	return loc
}()

// pacificDay is the Pacific day of t at 00:00 UTC (how the fake keys days).
func pacificDay(t time.Time) time.Time {
	y, m, d := t.In(pacific).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// lifetimeLocked sums the views of v (every video when nil) up to now.
func (s *Server) lifetimeLocked(v *AnalyticsVideo, now time.Time) int64 {
	var n int64
	last := pacificDay(now)
	for _, x := range s.an.videos {
		if v != nil && x.ID != v.ID {
			continue
		}
		for d := pacificDay(x.PublishedAt); !d.After(last); d = d.AddDate(0, 0, 1) {
			n += s.an.daily(x, d).Views
		}
	}
	return n
}

// DefaultDay is a plain daily curve: views fall from 1,000 on the first
// day, a long video earns $4 per 1,000 views, a Short $0.05.
func DefaultDay(v AnalyticsVideo, day time.Time) Day {
	age := day.Sub(pacificDay(v.PublishedAt)).Hours()/24 + 1
	h := fnv.New32a()
	h.Write([]byte(v.ID))
	seed := float64(h.Sum32()%1000) / 1000
	views := int64(math.Round(1000 * (0.5 + seed) / math.Sqrt(age)))
	pct := 40 + 20*seed
	rpm := 4.0
	if v.DurationSec > 0 && v.DurationSec <= 180 {
		pct, rpm = 80, 0.05
	}
	avg := float64(v.DurationSec) * pct / 100
	return Day{Views: views, WatchMinutes: float64(views) * avg / 60, AvgViewSec: avg, AvgViewPct: pct,
		Subscribers: views / 200, Revenue: float64(views) / 1000 * rpm,
		Impressions: views * 12, CTR: 0.03 + 0.05*seed}
}

func (s *Server) routeAnalytics(mux *http.ServeMux) {
	mux.HandleFunc("GET /youtube/v3/playlistItems", s.playlistItems)
	mux.HandleFunc("GET /youtube/v3/videos", s.videosList)
	mux.HandleFunc("GET /v2/reports", s.reportsQuery)
	mux.HandleFunc("GET /v1/jobs", s.jobsList)
	mux.HandleFunc("POST /v1/jobs", s.jobsCreate)
	mux.HandleFunc("GET /v1/jobs/{job}/reports", s.reportsList)
	mux.HandleFunc("GET /v1/media/{name...}", s.mediaDownload)
}

// analyticsFault writes an injected fault of the analytics APIs.
func analyticsFault(w http.ResponseWriter, f Fault) {
	switch f.Kind {
	case QuotaExceeded:
		APIError(w, 403, "quotaExceeded", "youtube.quota", "The request cannot be completed because you have exceeded your quota.", "")
	case RateLimited:
		w.Header().Set("Retry-After", "30")
		APIError(w, 429, "rateLimitExceeded", "usageLimits", "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'youtubeanalytics.googleapis.com'.", "RESOURCE_EXHAUSTED")
	default:
		writeFault(w, f)
	}
}

func (s *Server) playlistItems(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpPlaylistItems); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, readScopes...) {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	var uploads string
	if len(s.channels) > 0 {
		uploads = "UU" + strings.TrimPrefix(s.channels[0].ID, "UC")
	}
	vids := slices.Clone(s.an.videos)
	s.mu.Unlock()
	if q.Get("playlistId") != uploads || uploads == "" {
		APIError(w, 404, "playlistNotFound", "youtube.playlistItem", "The playlist identified with the request's playlistId parameter cannot be found.", "")
		return
	}
	limit, _ := strconv.Atoi(q.Get("maxResults"))
	if limit <= 0 || limit > 50 {
		limit = 5
	}
	start, _ := strconv.Atoi(strings.TrimPrefix(q.Get("pageToken"), "p"))
	end := min(start+limit, len(vids))
	items := []map[string]any{}
	for _, v := range vids[min(start, len(vids)):end] {
		items = append(items, map[string]any{"kind": "youtube#playlistItem", "id": "PI" + v.ID,
			"contentDetails": map[string]any{"videoId": v.ID, "videoPublishedAt": v.PublishedAt.Format(time.RFC3339)}})
	}
	body := map[string]any{"kind": "youtube#playlistItemListResponse", "items": items,
		"pageInfo": map[string]any{"totalResults": len(vids), "resultsPerPage": limit}}
	if end < len(vids) {
		body["nextPageToken"] = "p" + strconv.Itoa(end)
	}
	writeJSON(w, 200, body)
}

func (s *Server) videosList(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpVideosList); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, readScopes...) {
		return
	}
	var ids []string // id=a,b or id=a&id=b, as the Go client sends them
	for _, v := range r.URL.Query()["id"] {
		ids = append(ids, strings.Split(v, ",")...)
	}
	if len(ids) > 50 {
		APIError(w, 400, "tooManyIds", "youtube.parameter", "The request specifies too many video IDs.", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	items := []map[string]any{}
	for _, v := range s.an.videos {
		if !slices.Contains(ids, v.ID) {
			continue
		}
		items = append(items, map[string]any{"kind": "youtube#video", "id": v.ID,
			"snippet":        map[string]any{"publishedAt": v.PublishedAt.Format(time.RFC3339), "title": v.Title, "channelId": s.channels[0].ID},
			"contentDetails": map[string]any{"duration": fmt.Sprintf("PT%dM%dS", v.DurationSec/60, v.DurationSec%60)},
			"statistics":     map[string]any{"viewCount": strconv.FormatInt(s.lifetimeLocked(&v, now), 10), "likeCount": "0", "commentCount": "0"}})
	}
	writeJSON(w, 200, map[string]any{"kind": "youtube#videoListResponse", "items": items,
		"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": len(items)}})
}

var analyticsMetrics = []string{"views", "estimatedMinutesWatched", "averageViewDuration", "averageViewPercentage",
	"subscribersGained", "estimatedRevenue", "likes", "comments"}

func metric(d Day, name string) float64 {
	switch name {
	case "views":
		return float64(d.Views)
	case "estimatedMinutesWatched":
		return d.WatchMinutes
	case "averageViewDuration":
		return math.Round(d.AvgViewSec)
	case "averageViewPercentage":
		return d.AvgViewPct
	case "subscribersGained":
		return float64(d.Subscribers)
	case "estimatedRevenue":
		return math.Round(d.Revenue*1000) / 1000
	}
	return 0
}

// sum adds the numbers of several days, the averages weighted by views.
func sum(days []Day) Day {
	var t Day
	var secs, pcts float64
	for _, d := range days {
		t.Views += d.Views
		t.WatchMinutes += d.WatchMinutes
		t.Subscribers += d.Subscribers
		t.Revenue += d.Revenue
		secs += d.AvgViewSec * float64(d.Views)
		pcts += d.AvgViewPct * float64(d.Views)
	}
	if t.Views > 0 {
		t.AvgViewSec, t.AvgViewPct = secs/float64(t.Views), pcts/float64(t.Views)
	}
	return t
}

func (s *Server) reportsQuery(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpReportsQuery); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, scopeAnalytics, scopeMonetary) {
		return
	}
	q := r.URL.Query()
	bad := func(msg string) { APIError(w, 400, "badRequest", "global", msg, "INVALID_ARGUMENT") }
	if q.Get("ids") != "channel==MINE" {
		bad("Could not find a channel with the ids given: use channel==MINE.")
		return
	}
	start, err1 := time.Parse("2006-01-02", q.Get("startDate"))
	end, err2 := time.Parse("2006-01-02", q.Get("endDate"))
	if err1 != nil || err2 != nil || end.Before(start) {
		bad("Invalid value for parameter startDate or endDate.")
		return
	}
	metrics := strings.Split(q.Get("metrics"), ",")
	for _, m := range metrics {
		if strings.Contains(m, "mpression") {
			bad("Unknown identifier (" + m + ") given in field parameters.metrics.")
			return
		}
		if !slices.Contains(analyticsMetrics, m) {
			bad("Unknown identifier (" + m + ") given in field parameters.metrics.")
			return
		}
	}
	s.mu.Lock()
	monetised := s.an.monetised
	s.mu.Unlock()
	if slices.Contains(metrics, "estimatedRevenue") {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		granted := slices.Contains(s.access[tok].scopes, scopeMonetary)
		s.mu.Unlock()
		if !granted || !monetised {
			APIError(w, 403, "forbidden", "global", "Forbidden", "PERMISSION_DENIED")
			return
		}
	}
	dims := q.Get("dimensions")
	s.mu.Lock()
	last := pacificDay(s.now()).AddDate(0, 0, -AnalyticsLag)
	vids := slices.Clone(s.an.videos)
	daily := s.an.daily
	s.mu.Unlock()
	if end.After(last) {
		end = last
	}
	header := func(dim string) []map[string]any {
		h := []map[string]any{{"name": dim, "columnType": "DIMENSION", "dataType": "STRING"}}
		for _, m := range metrics {
			dt := "INTEGER"
			if strings.HasPrefix(m, "average") || m == "estimatedMinutesWatched" || m == "estimatedRevenue" {
				dt = "FLOAT"
			}
			h = append(h, map[string]any{"name": m, "columnType": "METRIC", "dataType": dt})
		}
		return h
	}
	row := func(dim string, d Day) []any {
		out := []any{dim}
		for _, m := range metrics {
			out = append(out, metric(d, m))
		}
		return out
	}
	rows := [][]any{}
	switch dims {
	case "day":
		id, ok := strings.CutPrefix(q.Get("filters"), "video==")
		if !ok || strings.Contains(id, ",") || strings.Contains(id, ";") {
			bad("The query is not supported: dimensions=day needs filters=video==ID here.")
			return
		}
		var v *AnalyticsVideo
		for i := range vids {
			if vids[i].ID == id {
				v = &vids[i]
			}
		}
		if v != nil {
			for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
				if d.Before(pacificDay(v.PublishedAt)) {
					continue
				}
				if day := daily(*v, d); day.Views > 0 {
					rows = append(rows, row(d.Format("2006-01-02"), day))
				}
			}
		}
	case "video":
		limit, _ := strconv.Atoi(q.Get("maxResults"))
		if q.Get("sort") != "-views" || limit <= 0 || limit > 200 {
			bad("The query is not supported: a top videos report needs sort=-views and maxResults of at most 200.")
			return
		}
		first, _ := strconv.Atoi(q.Get("startIndex"))
		first = max(first, 1)
		type tot struct {
			id string
			d  Day
		}
		var all []tot
		for _, v := range vids {
			var days []Day
			for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
				if !d.Before(pacificDay(v.PublishedAt)) {
					days = append(days, daily(v, d))
				}
			}
			if t := sum(days); t.Views > 0 {
				all = append(all, tot{v.ID, t})
			}
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].d.Views > all[j].d.Views })
		for _, t := range all[min(first-1, len(all)):min(first-1+limit, len(all))] {
			rows = append(rows, row(t.id, t.d))
		}
	default:
		bad("The query is not supported: dimensions must be day or video here.")
		return
	}
	s.mu.Lock()
	s.an.queryRows += len(rows)
	s.an.queries = append(s.an.queries, q)
	s.mu.Unlock()
	body := map[string]any{"kind": "youtubeAnalytics#resultTable", "columnHeaders": header(dims)}
	if len(rows) > 0 {
		body["rows"] = rows
	}
	writeJSON(w, 200, body)
}

func (s *Server) jobsList(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpJobsList); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, scopeAnalytics, scopeMonetary) {
		return
	}
	s.mu.Lock()
	jobs := []map[string]any{}
	for _, j := range s.an.jobs {
		jobs = append(jobs, map[string]any{"id": j.id, "reportTypeId": j.reportType, "name": j.name, "createTime": j.created.Format(time.RFC3339Nano)})
	}
	s.mu.Unlock()
	body := map[string]any{}
	if len(jobs) > 0 {
		body["jobs"] = jobs
	}
	writeJSON(w, 200, body)
}

func (s *Server) jobsCreate(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpJobsCreate); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, scopeAnalytics, scopeMonetary) {
		return
	}
	var in struct {
		ReportTypeID string `json:"reportTypeId"`
		Name         string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&in); err != nil || in.ReportTypeID == "" {
		APIError(w, 400, "badRequest", "global", "Request contains an invalid argument.", "INVALID_ARGUMENT")
		return
	}
	if in.ReportTypeID != "channel_reach_basic_a1" {
		APIError(w, 400, "badRequest", "global", "This fake only makes channel_reach_basic_a1 reports.", "INVALID_ARGUMENT")
		return
	}
	s.mu.Lock()
	for _, j := range s.an.jobs {
		if j.reportType == in.ReportTypeID {
			s.mu.Unlock()
			APIError(w, 409, "alreadyExists", "global", "Job for this report type already exists.", "ALREADY_EXISTS")
			return
		}
	}
	j := job{id: "job-" + randomID(9), reportType: in.ReportTypeID, name: in.Name, created: s.now().UTC()}
	s.an.jobs = append(s.an.jobs, j)
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"id": j.id, "reportTypeId": j.reportType, "name": j.name, "createTime": j.created.Format(time.RFC3339Nano)})
}

// reports are a job's reports available at now: one per day from 30 days
// before the job up to the last day that ended a day ago, each created
// ReportDelay after the job or a day after its day ends.
func (s *Server) reportsLocked(j job, now time.Time) []map[string]any {
	var out []map[string]any
	if now.Before(j.created.Add(ReportDelay)) {
		return out
	}
	first := pacificDay(j.created).AddDate(0, 0, -30)
	for d := first; !d.After(pacificDay(now).AddDate(0, 0, -2)); d = d.AddDate(0, 0, 1) {
		created := d.AddDate(0, 0, 2)
		if created.Before(j.created.Add(ReportDelay)) {
			created = j.created.Add(ReportDelay)
		}
		if created.After(now) {
			continue
		}
		id := d.Format("20060102")
		out = append(out, map[string]any{"id": id, "jobId": j.id,
			"startTime": d.Add(8 * time.Hour).Format(time.RFC3339), "endTime": d.AddDate(0, 0, 1).Add(8 * time.Hour).Format(time.RFC3339),
			"createTime":  created.Format(time.RFC3339Nano),
			"downloadUrl": s.URL + "/v1/media/CHANNEL/" + url.PathEscape(j.id) + "/" + id + "?alt=media"})
	}
	return out
}

func (s *Server) reportsList(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpReportsList); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, scopeAnalytics, scopeMonetary) {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	var jb *job
	for i := range s.an.jobs {
		if s.an.jobs[i].id == r.PathValue("job") {
			jb = &s.an.jobs[i]
		}
	}
	if jb == nil {
		s.mu.Unlock()
		APIError(w, 404, "notFound", "global", "Requested entity was not found.", "NOT_FOUND")
		return
	}
	all := s.reportsLocked(*jb, s.now())
	s.mu.Unlock()
	if after := q.Get("createdAfter"); after != "" {
		t, err := time.Parse(time.RFC3339Nano, after)
		if err != nil {
			APIError(w, 400, "badRequest", "global", "Invalid value at 'created_after'.", "INVALID_ARGUMENT")
			return
		}
		all = slices.DeleteFunc(all, func(m map[string]any) bool {
			c, _ := time.Parse(time.RFC3339Nano, m["createTime"].(string))
			return !c.After(t)
		})
	}
	const page = 10
	start, _ := strconv.Atoi(q.Get("pageToken"))
	end := min(start+page, len(all))
	body := map[string]any{}
	if start < len(all) {
		body["reports"] = all[start:end]
	}
	if end < len(all) {
		body["nextPageToken"] = strconv.Itoa(end)
	}
	writeJSON(w, 200, body)
}

// traffic sources a reach report splits impressions by.
var trafficSources = []int{3, 5, 8}

func (s *Server) mediaDownload(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.fault(OpReportDownload); ok {
		analyticsFault(w, f)
		return
	}
	if !s.authorize(w, r, scopeAnalytics, scopeMonetary) {
		return
	}
	if r.URL.Query().Get("alt") != "media" {
		APIError(w, 400, "badRequest", "global", "alt=media is required.", "INVALID_ARGUMENT")
		return
	}
	parts := strings.Split(r.PathValue("name"), "/")
	if len(parts) != 3 || parts[0] != "CHANNEL" {
		APIError(w, 404, "notFound", "global", "Requested entity was not found.", "NOT_FOUND")
		return
	}
	day, err := time.Parse("20060102", parts[2])
	s.mu.Lock()
	found := false
	for _, j := range s.an.jobs {
		if j.id == parts[1] {
			for _, rep := range s.reportsLocked(j, s.now()) {
				found = found || rep["id"] == parts[2]
			}
		}
	}
	vids := slices.Clone(s.an.videos)
	daily := s.an.daily
	channel := s.channels[0].ID
	if found {
		s.an.downloaded++
	}
	s.mu.Unlock()
	if err != nil || !found {
		APIError(w, 404, "notFound", "global", "Requested entity was not found.", "NOT_FOUND")
		return
	}
	var b bytes.Buffer
	b.WriteString("date,channel_id,video_id,traffic_source_type,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n")
	for _, v := range vids {
		if day.Before(pacificDay(v.PublishedAt)) {
			continue
		}
		d := daily(v, day)
		if d.Impressions == 0 {
			continue
		}
		// Split the day's impressions over traffic sources, each with the
		// same rate: the video's day adds back up to d.
		left := d.Impressions
		for i, src := range trafficSources {
			n := d.Impressions / int64(len(trafficSources))
			if i == len(trafficSources)-1 {
				n = left
			}
			left -= n
			if n > 0 {
				fmt.Fprintf(&b, "%s,%s,%s,%d,%d,%.6f\n", day.Format("20060102"), channel, v.ID, src, n, d.CTR)
			}
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(b.Bytes())
}
