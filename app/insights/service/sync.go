package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"tubeagency/app/events"
	"tubeagency/app/google"
	"tubeagency/app/insights"
	"tubeagency/app/insights/analytics"
	"tubeagency/app/insights/youtube"
	"tubeagency/internal/store"
)

// AnalyticsScopes are what linking a channel asks for: the account's
// channel and uploads, and its analytics. RevenueScopes add revenue.
var (
	AnalyticsScopes = []string{google.ScopeYouTubeReadOnly, google.ScopeAnalytics}
	RevenueScopes   = append(append([]string(nil), AnalyticsScopes...), google.ScopeAnalyticsMonetary)
)

// Sentinel errors of the analytics link.
var (
	// ErrNotLinked reports a channel not linked to YouTube Analytics.
	ErrNotLinked = errors.New("the channel is not linked to YouTube Analytics")
	// ErrNoSignIn reports a finish without a sign-in in progress.
	ErrNoSignIn = errors.New("no YouTube sign-in is waiting for this channel: start it again")
	// ErrSyncing reports a sync asked for while one runs.
	ErrSyncing = errors.New("the channel is syncing already")
)

// SignInTimeout is how long a sign-in waits for the browser.
const SignInTimeout = 10 * time.Minute

// AnalyticsLag is how many days before today (Pacific) a sync reads up
// to: YouTube Analytics holds no rows for the most recent days yet.
const AnalyticsLag = 3

// MaxSyncVideos is the most uploads a sync reads.
const MaxSyncVideos = 5000

// ReportDelay is how long YouTube takes to make a new reporting job's
// first reports.
const ReportDelay = 48 * time.Hour

// pending is a sign-in waiting for the browser.
type pending struct {
	flow      *google.Flow
	channelID string
	claimed   atomic.Bool // Wait or Finish took the result
	stop      context.CancelFunc
}

// LinkStart is a sign-in in progress: open URL in a browser.
type LinkStart struct {
	ChannelID   string `json:"channel_id"`
	URL         string `json:"url"`
	RedirectURL string `json:"redirect_url"`
}

// LinkAnalytics starts the Google sign-in that links a channel to YouTube
// Analytics, asking for revenue too when withRevenue. A channel already
// linked extends its grant (incremental scopes) instead of signing in
// anew. The sign-in completes in the background when the browser comes
// back (an insights event says so), or by FinishAnalyticsLink.
func (s *Service) LinkAnalytics(ctx context.Context, channelID string, withRevenue bool) (LinkStart, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return LinkStart{}, err
	}
	auth, err := s.auth()
	if err != nil {
		return LinkStart{}, err
	}
	scopes := AnalyticsScopes
	if withRevenue {
		scopes = RevenueScopes
	}
	var flow *google.Flow
	if l, err := s.db.AnalyticsLinkOf(ctx, ch.ID); err == nil {
		flow, err = auth.AddScopes(ctx, l.Account, scopes)
		if errors.Is(err, google.ErrNotSignedIn) || errors.Is(err, google.ErrSignInAgain) {
			flow, err = auth.SignIn(ctx, scopes)
		}
		if err != nil {
			return LinkStart{}, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return LinkStart{}, err
	} else if flow, err = auth.SignIn(ctx, scopes); err != nil {
		return LinkStart{}, err
	}
	p := &pending{flow: flow, channelID: ch.ID}
	s.mu.Lock()
	if old := s.flows[ch.ID]; old != nil {
		old.claimed.Store(true)
		old.stop()
		old.flow.Close()
	}
	s.flows[ch.ID] = p
	base := s.ctx
	s.mu.Unlock()
	wctx, stop := context.WithTimeout(base, SignInTimeout)
	p.stop = stop
	s.background(func(context.Context) {
		defer stop()
		g, err := flow.Wait(wctx)
		if p.claimed.Swap(true) {
			return // Finish took it, or a newer sign-in replaced it
		}
		if err := s.completeLink(base, p, g, err); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("insights: link analytics", "channel", ch.ID, "err", err)
		}
	})
	s.cfg.Emit(events.Insights, Event{ChannelID: ch.ID, State: "signing_in"})
	return LinkStart{ChannelID: ch.ID, URL: flow.URL, RedirectURL: flow.RedirectURL}, nil
}

// FinishAnalyticsLink completes a sign-in from the address the browser
// ended on, pasted by the user when the browser runs on another computer
// than the app (serve mode).
func (s *Service) FinishAnalyticsLink(ctx context.Context, channelID, redirected string) (AnalyticsStatus, error) {
	s.mu.Lock()
	p := s.flows[channelID]
	s.mu.Unlock()
	if p == nil || p.claimed.Load() {
		return AnalyticsStatus{}, ErrNoSignIn
	}
	g, err := p.flow.Finish(ctx, redirected)
	if errors.Is(err, google.ErrStateMismatch) {
		return AnalyticsStatus{}, err // the wrong address: the sign-in still waits
	}
	if p.claimed.Swap(true) {
		return AnalyticsStatus{}, ErrNoSignIn
	}
	p.stop()
	if err := s.completeLink(ctx, p, g, err); err != nil {
		return AnalyticsStatus{}, err
	}
	return s.AnalyticsStatus(ctx, channelID)
}

// Event is the payload of an insights event.
type Event struct {
	ChannelID string `json:"channel_id"`
	// State is signing_in, linked, link_failed, syncing, synced,
	// sync_failed or unlinked.
	State   string `json:"state"`
	Message string `json:"message"`
}

func (s *Service) completeLink(ctx context.Context, p *pending, g google.Grant, err error) error {
	s.mu.Lock()
	if s.flows[p.channelID] == p {
		delete(s.flows, p.channelID)
	}
	s.mu.Unlock()
	var scopeErr *google.ScopeError
	if err != nil && !errors.As(err, &scopeErr) || err == nil && g.Account == "" {
		s.cfg.Emit(events.Insights, Event{ChannelID: p.channelID, State: "link_failed", Message: SignInMessage(err)})
		return err
	}
	if !g.Has(google.ScopeAnalytics, google.ScopeYouTubeReadOnly) {
		err := fmt.Errorf("the sign-in did not grant YouTube Analytics: %w", scopeErr)
		s.cfg.Emit(events.Insights, Event{ChannelID: p.channelID, State: "link_failed",
			Message: "Google did not grant access to YouTube Analytics: sign in again and leave its boxes ticked."})
		return err
	}
	now := s.now()
	link, lerr := s.db.AnalyticsLinkOf(ctx, p.channelID)
	switch {
	case errors.Is(lerr, store.ErrNotFound):
		link = insights.AnalyticsLink{ChannelID: p.channelID, LinkedAt: now}
	case lerr != nil:
		return lerr
	case link.Account != g.Account:
		// Another account: another YouTube channel, another job.
		if err := s.db.DeleteAnalyticsLink(ctx, p.channelID); err != nil {
			return err
		}
		link = insights.AnalyticsLink{ChannelID: p.channelID, LinkedAt: now}
	}
	link.Account = g.Account
	link.Revenue = insights.RevenueNoScope
	if g.Has(google.ScopeAnalyticsMonetary) {
		link.Revenue = insights.RevenueUnknown
	}
	link.LastError, link.RetryAt = "", time.Time{}
	if err := s.db.PutAnalyticsLink(ctx, link); err != nil {
		return err
	}
	ch, err := s.Channel(ctx, p.channelID)
	if err != nil {
		return err
	}
	if err := s.activity(ctx, ch.ID, "insights.linked", fmt.Sprintf("Linked %s to YouTube Analytics", ch.Name), nil); err != nil {
		return err
	}
	s.cfg.Emit(events.Insights, Event{ChannelID: ch.ID, State: "linked"})
	_, err = s.SyncAnalytics(ctx, ch.ID)
	return err
}

// SignInMessage says in words why a sign-in failed.
func SignInMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, google.ErrDenied):
		return "The sign-in was declined at Google: nothing was linked."
	case errors.Is(err, context.DeadlineExceeded):
		return "The sign-in waited ten minutes for the browser and stopped: start it again."
	case errors.Is(err, context.Canceled):
		return "The sign-in was stopped."
	case errors.Is(err, google.ErrBadClient):
		return "Google rejected the OAuth client: check its id and secret in Settings → Google sign-in."
	case errors.Is(err, google.ErrSignInAgain):
		return "Google asks you to sign in again."
	default:
		return "The sign-in failed: " + err.Error()
	}
}

// UnlinkAnalytics forgets a channel's link (the numbers fetched stay);
// with signOut, the Google grant is revoked too unless another channel
// uses it.
func (s *Service) UnlinkAnalytics(ctx context.Context, channelID string, signOut bool) error {
	link, err := s.db.AnalyticsLinkOf(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotLinked
	}
	if err != nil {
		return err
	}
	if err := s.db.DeleteAnalyticsLink(ctx, channelID); err != nil {
		return err
	}
	if signOut {
		links, err := s.db.AnalyticsLinks(ctx)
		if err != nil {
			return err
		}
		shared := slices.ContainsFunc(links, func(l insights.AnalyticsLink) bool { return l.Account == link.Account })
		if auth, err := s.auth(); err == nil && !shared {
			if err := auth.SignOut(ctx, link.Account); err != nil {
				return err
			}
		}
	}
	s.cfg.Emit(events.Insights, Event{ChannelID: channelID, State: "unlinked"})
	return nil
}

// AnalyticsStatus is what the UI shows of a channel's analytics link.
type AnalyticsStatus struct {
	ChannelID string `json:"channel_id"`
	// ClientConfigured is false while no Google OAuth client is set up.
	ClientConfigured bool `json:"client_configured"`
	Linked           bool `json:"linked"`
	// SigningIn is true while a sign-in waits for the browser.
	SigningIn bool   `json:"signing_in"`
	Syncing   bool   `json:"syncing"`
	YouTubeID string `json:"youtube_id"`
	// Revenue is insights.Revenue…: "" (not asked yet), yes, no-scope or
	// not-monetised.
	Revenue string `json:"revenue"`
	// LastSync is when the last complete sync ended ("last updated");
	// nil when never.
	LastSync  *time.Time `json:"last_sync,omitzero"`
	LastError string     `json:"last_error"`
	// RetryAt is when a sync stopped by a quota goes on; nil when none waits.
	RetryAt *time.Time `json:"retry_at,omitzero"`
	// NeedsSignIn is true when Google no longer honours the grant.
	NeedsSignIn bool `json:"needs_sign_in"`
	// LastDay is the newest day with daily numbers stored ("" when none);
	// Days how many video days are stored.
	LastDay string `json:"last_day"`
	Days    int    `json:"days"`
	// Impressions: the reach reports. JobCreatedAt is when the reporting
	// job was made; ReportsExpected when its first reports should arrive,
	// while none has; Reports how many were imported, covering ReachFrom
	// to ReachTo.
	JobCreatedAt    *time.Time `json:"job_created_at,omitzero"`
	ReportsExpected *time.Time `json:"reports_expected,omitzero"`
	Reports         int        `json:"reports"`
	ReachFrom       string     `json:"reach_from"`
	ReachTo         string     `json:"reach_to"`
	// Quota: the analytics requests of today (Pacific) and the daily budget.
	QuotaUsed  int    `json:"quota_used"`
	QuotaLimit int    `json:"quota_limit"`
	QuotaDay   string `json:"quota_day"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// AnalyticsStatus reads a channel's analytics link, offline.
func (s *Service) AnalyticsStatus(ctx context.Context, channelID string) (AnalyticsStatus, error) {
	ch, err := s.Channel(ctx, channelID)
	if err != nil {
		return AnalyticsStatus{}, err
	}
	now := s.now()
	st := AnalyticsStatus{ChannelID: ch.ID, QuotaDay: analytics.Day(now), QuotaLimit: s.cfg.AnalyticsLimit}
	if st.QuotaLimit <= 0 {
		st.QuotaLimit = analytics.DefaultDailyRequests
	}
	if st.QuotaUsed, err = s.db.APIQuotaUsed(ctx, analytics.APIAnalytics, st.QuotaDay); err != nil {
		return st, err
	}
	_, aerr := s.auth()
	st.ClientConfigured = aerr == nil
	s.mu.Lock()
	st.SigningIn = s.flows[ch.ID] != nil
	st.Syncing = s.syncs[ch.ID]
	s.mu.Unlock()
	link, err := s.db.AnalyticsLinkOf(ctx, ch.ID)
	if errors.Is(err, store.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Linked, st.YouTubeID, st.Revenue = true, link.YouTubeID, link.Revenue
	st.LastSync, st.LastError, st.JobCreatedAt = timePtr(link.LastSync), link.LastError, timePtr(link.JobCreatedAt)
	if now.Before(link.RetryAt) {
		st.RetryAt = &link.RetryAt
	}
	st.NeedsSignIn = link.LastError == needsSignIn
	if st.LastDay, err = s.db.LastStatsDay(ctx, ch.ID); err != nil {
		return st, err
	}
	if st.Days, err = s.db.DayRows(ctx, ch.ID); err != nil {
		return st, err
	}
	reach, err := s.db.Reach(ctx, ch.ID)
	if err != nil {
		return st, err
	}
	st.Reports, st.ReachFrom, st.ReachTo = reach.Reports, reach.FirstDay, reach.LastDay
	if reach.Reports == 0 && !link.JobCreatedAt.IsZero() {
		st.ReportsExpected = timePtr(link.JobCreatedAt.Add(ReportDelay))
	}
	return st, nil
}

// needsSignIn is the link's error when Google refuses the grant.
const needsSignIn = "Google asks you to sign in again: link YouTube Analytics again."

// SyncResult says what a sync fetched.
type SyncResult struct {
	// Mode is how the daily numbers were read (Plan.Mode): "videos" (one
	// request per video over its missing days), "days" (one request per
	// missing day and 200 videos), "both", or "" when no day was missing.
	Mode     string `json:"mode"`
	Videos   int    `json:"videos"`   // uploads listed
	Fetched  int    `json:"fetched"`  // videos whose days were read
	Rows     int    `json:"rows"`     // video days stored
	Through  string `json:"through"`  // the last day read
	Reports  int    `json:"reports"`  // reach reports imported
	Requests int    `json:"requests"` // analytics and reporting requests sent
	// ReachError says why impressions could not be read this time, when
	// the rest of the sync worked.
	ReachError string `json:"reach_error"`
}

// SyncAnalytics reads what a linked channel's numbers lack: its uploads
// (Data API), the daily numbers of the days not yet fetched (YouTube
// Analytics), every video's totals, and the reach reports not yet
// imported. What each step stores stays when a later one fails; a quota
// stop records when to go on.
func (s *Service) SyncAnalytics(ctx context.Context, channelID string) (SyncResult, error) {
	s.mu.Lock()
	if s.syncs[channelID] {
		s.mu.Unlock()
		return SyncResult{}, ErrSyncing
	}
	s.syncs[channelID] = true
	s.mu.Unlock()
	res, ev, err := s.syncAnalytics(ctx, channelID)
	s.mu.Lock()
	delete(s.syncs, channelID)
	s.mu.Unlock()
	// Told after the sync is over, so a listener may start the next.
	if ev != nil {
		s.cfg.Emit(events.Insights, *ev)
	}
	return res, err
}

// syncAnalytics is SyncAnalytics while the channel is marked syncing; ev
// is the event that tells how it ended (nil when it never started).
func (s *Service) syncAnalytics(ctx context.Context, channelID string) (SyncResult, *Event, error) {
	link, err := s.db.AnalyticsLinkOf(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) {
		return SyncResult{}, nil, ErrNotLinked
	}
	if err != nil {
		return SyncResult{}, nil, err
	}
	s.cfg.Emit(events.Insights, Event{ChannelID: channelID, State: "syncing"})
	day := analytics.Day(s.now())
	before := s.requests(ctx, day)
	res, err := s.sync(ctx, &link)
	res.Requests = s.requests(ctx, day) - before
	now := s.now()
	link.LastAttempt = now
	var qe *analytics.QuotaError
	switch {
	case err == nil:
		link.LastSync, link.LastError, link.RetryAt = now, res.ReachError, time.Time{}
	case errors.As(err, &qe):
		link.LastError, link.RetryAt = errText(err), qe.RetryAt
	case errors.Is(err, google.ErrSignInAgain) || errors.Is(err, google.ErrNotSignedIn):
		link.LastError = needsSignIn
	default:
		link.LastError = errText(err)
	}
	failed := &Event{ChannelID: channelID, State: "sync_failed", Message: link.LastError}
	if perr := s.db.PutAnalyticsLink(context.WithoutCancel(ctx), link); perr != nil {
		return res, failed, errors.Join(err, perr)
	}
	if err != nil {
		return res, failed, err
	}
	ch, cerr := s.Channel(ctx, channelID)
	if cerr == nil && res.Rows+res.Reports > 0 {
		cerr = s.activity(ctx, ch.ID, "insights.synced", fmt.Sprintf("Synced %d video days and %d impressions reports of %s from YouTube Analytics",
			res.Rows, res.Reports, ch.Name), res)
	}
	return res, &Event{ChannelID: channelID, State: "synced", Message: res.ReachError}, cerr
}

// errText is an error's sentence, capitalised.
func errText(err error) string {
	m := err.Error()
	r, size := utf8.DecodeRuneInString(m)
	return string(unicode.ToUpper(r)) + m[size:]
}

func (s *Service) requests(ctx context.Context, day string) int {
	a, _ := s.db.APIQuotaUsed(ctx, analytics.APIAnalytics, day)
	r, _ := s.db.APIQuotaUsed(ctx, analytics.APIReporting, day)
	return a + r
}

// shift adds n days to a YYYY-MM-DD day.
func shift(day string, n int) string {
	t, err := time.Parse(insights.DayLayout, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(insights.DayLayout)
}

// span is the number of days from a to b, both included.
func span(a, b string) int {
	ta, err1 := time.Parse(insights.DayLayout, a)
	tb, err2 := time.Parse(insights.DayLayout, b)
	if err1 != nil || err2 != nil || tb.Before(ta) {
		return 0
	}
	return int(tb.Sub(ta).Hours()/24) + 1
}

// Plan is how a sync reads the missing days: some videos one request
// each over their missing days, the others together one request per day
// (and 200 videos) from DayFrom.
type Plan struct {
	// Videos and Days map each video read that way to its first missing
	// day.
	Videos, Days map[string]string
	DayFrom      string // the first day read per day; "" when none
	Last         string // the last day to read
	Cost         int    // requests
}

// Mode names the plan: "videos", "days", "both", or "" when no day is
// missing.
func (p Plan) Mode() string {
	switch {
	case len(p.Videos) > 0 && len(p.Days) > 0:
		return "both"
	case len(p.Videos) > 0:
		return "videos"
	case len(p.Days) > 0:
		return "days"
	}
	return ""
}

// PlanDays decides how to read what is missing at the least requests:
// each video needs the days after its last fetched one (or from its
// publish day, or the start of the history) up to last. A video read on
// its own costs a request; the days from a cut-off on cost a request each
// per 200 videos, for every video missing only those. The cut-off is
// chosen to cost least: a first sync of a year reads per video, a daily
// sync per day, and a sync after a quota stop reads the videos not yet
// read on their own and the new day for the rest.
func PlanDays(published map[string]string, through map[string]string, last, historyStart string) Plan {
	p := Plan{Videos: map[string]string{}, Days: map[string]string{}, Last: last}
	need := map[string]string{}
	var froms []string
	for id, pub := range published {
		from := max(pub, historyStart)
		if t, ok := through[id]; ok {
			from = max(from, shift(t, 1))
		}
		if from <= last {
			need[id] = from
			froms = append(froms, from)
		}
	}
	if len(need) == 0 {
		return p
	}
	slices.Sort(froms)
	pages := (len(published) + analytics.TopVideosPage - 1) / analytics.TopVideosPage
	// Cut-off at froms[k]: the k videos missing more days go one by one.
	best, cut := len(froms), "" // no day reading at all
	for k := 0; k < len(froms); k++ {
		if k > 0 && froms[k] == froms[k-1] {
			continue
		}
		if c := k + span(froms[k], last)*pages; c < best {
			best, cut = c, froms[k]
		}
	}
	for id, from := range need {
		if cut != "" && from >= cut {
			p.Days[id] = from
		} else {
			p.Videos[id] = from
		}
	}
	p.DayFrom, p.Cost = cut, best
	return p
}

func (s *Service) sync(ctx context.Context, link *insights.AnalyticsLink) (SyncResult, error) {
	var res SyncResult
	auth, err := s.auth()
	if err != nil {
		return res, err
	}
	hc, err := auth.Client(link.Account)
	if err != nil {
		return res, err
	}
	grant, err := auth.Grant(link.Account)
	if err != nil {
		return res, err
	}
	switch {
	case !grant.Has(google.ScopeAnalyticsMonetary):
		link.Revenue = insights.RevenueNoScope
	case link.Revenue == insights.RevenueNoScope:
		link.Revenue = insights.RevenueUnknown
	}
	now := s.cfg.Now
	ac, err := analytics.New(ctx, analytics.Config{HTTPClient: hc, Quota: s.db, AnalyticsEndpoint: s.cfg.Endpoints.Analytics,
		ReportingEndpoint: s.cfg.Endpoints.Reporting, Limit: s.cfg.AnalyticsLimit, Now: now})
	if err != nil {
		return res, err
	}
	yc, err := youtube.New(ctx, youtube.Config{HTTPClient: hc, Quota: s.db, Cache: s.cfg.Cache, Endpoint: s.cfg.Endpoints.YouTube, Now: now})
	if err != nil {
		return res, err
	}
	// 1. The channel and its uploads.
	mine, err := yc.Mine(ctx)
	if err != nil {
		return res, err
	}
	link.YouTubeID = mine.ID
	ids, err := yc.UploadIDs(ctx, mine.Uploads, MaxSyncVideos)
	if err != nil {
		return res, err
	}
	vs, err := yc.Videos(ctx, ids)
	if err != nil {
		return res, err
	}
	if err := s.storeUploads(ctx, link.ChannelID, vs, mine); err != nil {
		return res, err
	}
	res.Videos = len(vs)
	// 2. The daily numbers not yet fetched.
	last := shift(analytics.Day(now()), -AnalyticsLag)
	published := map[string]string{}
	earliest := last
	for _, v := range vs {
		d := analytics.Day(v.PublishedAt)
		published[v.ID] = d
		earliest = min(earliest, d)
	}
	through, err := s.db.FetchedThrough(ctx, link.ChannelID)
	if err != nil {
		return res, err
	}
	plan := PlanDays(published, through, last, shift(last, -(s.cfg.HistoryDays-1)))
	res.Mode, res.Through = plan.Mode(), last
	rv := &revenueState{link: link}
	if err := s.fetchByVideo(ctx, ac, link.ChannelID, plan, rv, &res); err != nil {
		return res, err
	}
	if err := s.fetchByDay(ctx, ac, link.ChannelID, plan, rv, &res); err != nil {
		return res, err
	}
	// 3. Every video's totals (a request per 200 videos), when days came.
	if res.Mode != "" && len(vs) > 0 {
		tot, err := rv.query(func(rev bool) ([]insights.DailyStats, error) { return ac.Videos(ctx, earliest, last, rev) })
		if err != nil {
			return res, err
		}
		ms := make([]insights.VideoMetrics, 0, len(tot))
		for _, t := range tot {
			ms = append(ms, insights.VideoMetrics{VideoID: t.VideoID, Views: t.Views, WatchHours: t.WatchMinutes / 60,
				AvgViewSec: t.AvgViewSec, AvgViewPct: t.AvgViewPct, Subscribers: t.Subscribers, Revenue: t.Revenue, HasRevenue: t.HasRevenue})
		}
		if _, err := s.db.PutVideoMetrics(ctx, link.ChannelID, ms, s.now()); err != nil {
			return res, err
		}
	}
	// 4. Impressions from the reach reports: their failure leaves the rest.
	if n, err := s.importReach(ctx, ac, link); err != nil {
		var qe *analytics.QuotaError
		if errors.Is(err, context.Canceled) || errors.Is(err, google.ErrSignInAgain) {
			return res, err
		}
		if errors.As(err, &qe) {
			res.ReachError = "Impressions wait for the Reporting API's quota: " + err.Error()
		} else {
			res.ReachError = "Impressions could not be read this time (" + err.Error() + "): check that the YouTube Reporting API is enabled for the Google Cloud project."
		}
	} else {
		res.Reports = n
	}
	return res, nil
}

// revenueState asks for revenue while YouTube gives it: a refusal (the
// channel is not in the Partner Program) turns it off for the link.
type revenueState struct {
	mu   sync.Mutex
	link *insights.AnalyticsLink
}

func (r *revenueState) on() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.link.Revenue == insights.RevenueUnknown || r.link.Revenue == insights.RevenueYes
}

func (r *revenueState) query(do func(rev bool) ([]insights.DailyStats, error)) ([]insights.DailyStats, error) {
	rev := r.on()
	rows, err := do(rev)
	if rev && errors.Is(err, analytics.ErrForbidden) {
		r.mu.Lock()
		r.link.Revenue = insights.RevenueNotMonetised
		r.mu.Unlock()
		return do(false)
	}
	if rev && err == nil {
		r.mu.Lock()
		r.link.Revenue = insights.RevenueYes
		r.mu.Unlock()
	}
	return rows, err
}

// fetchByVideo reads each video's missing days, Parallel at a time; each
// video's rows are stored with its new last day, so a stop keeps them.
// The first error stops handing out videos; requests already sent finish
// and are kept.
func (s *Service) fetchByVideo(ctx context.Context, ac *analytics.Client, channelID string, plan Plan, rv *revenueState, res *SyncResult) error {
	stopped := make(chan struct{})
	ids := make([]string, 0, len(plan.Videos))
	for id := range plan.Videos {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	work := make(chan string)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for i := 0; i < s.cfg.Parallel; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				rows, err := rv.query(func(rev bool) ([]insights.DailyStats, error) {
					return ac.VideoDays(ctx, id, plan.Videos[id], plan.Last, rev)
				})
				if err == nil {
					err = s.db.PutDailyStats(ctx, channelID, rows, map[string]string{id: plan.Last})
				}
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
						close(stopped)
					}
				} else {
					res.Fetched++
					res.Rows += len(rows)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, id := range ids {
		select {
		case work <- id:
		case <-stopped:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// fetchByDay reads the missing days one by one (a request per 200 videos
// with views that day); each day is stored with the videos it completes.
func (s *Service) fetchByDay(ctx context.Context, ac *analytics.Client, channelID string, plan Plan, rv *revenueState, res *SyncResult) error {
	if plan.DayFrom == "" {
		return nil
	}
	fetched := map[string]bool{}
	for d := plan.DayFrom; d <= plan.Last; d = shift(d, 1) {
		rows, err := rv.query(func(rev bool) ([]insights.DailyStats, error) { return ac.Videos(ctx, d, d, rev) })
		if err != nil {
			return err
		}
		through := map[string]string{}
		for id, from := range plan.Days {
			if from <= d {
				through[id] = d
				fetched[id] = true
			}
		}
		if err := s.db.PutDailyStats(ctx, channelID, rows, through); err != nil {
			return err
		}
		res.Rows += len(rows)
	}
	res.Fetched += len(fetched)
	return nil
}

// importReach makes the reporting job on the first sync and imports the
// reach reports not yet imported, each in one transaction.
func (s *Service) importReach(ctx context.Context, ac *analytics.Client, link *insights.AnalyticsLink) (int, error) {
	if link.JobID == "" {
		j, err := ac.EnsureJob(ctx)
		if err != nil {
			return 0, err
		}
		link.JobID, link.JobCreatedAt = j.ID, j.CreatedAt
		if link.JobCreatedAt.IsZero() {
			link.JobCreatedAt = s.now()
		}
		// Kept at once: the job exists now, whatever happens next.
		if err := s.db.PutAnalyticsLink(ctx, *link); err != nil {
			return 0, err
		}
	}
	reports, err := ac.Reports(ctx, link.JobID, time.Time{})
	if err != nil {
		return 0, err
	}
	done, err := s.db.ImportedReports(ctx, link.ChannelID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range reports {
		if done[r.ID] {
			continue
		}
		rows, err := ac.Download(ctx, r)
		if err != nil {
			return n, err
		}
		if err := s.db.PutReach(ctx, link.ChannelID, insights.Report{ID: r.ID, StartDay: r.StartDay, CreatedAt: r.CreatedAt}, rows, s.now()); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		return n, s.db.ApplyDailyTotals(ctx, link.ChannelID)
	}
	return n, nil
}
