package monitor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tubeagency/app/workers"
	"tubeagency/providers/cache"
)

// Sources are the parts the monitor reads on every Tick. A nil function
// means the part is not running; its section of the snapshot says so.
type Sources struct {
	// Providers describes every configured provider (the router's snapshots).
	Providers func() []ProviderStatus
	// Limiters reports the rate limiters' tokens.
	Limiters func() []LimiterStatus
	// Cache reports the answer cache's counters and sizes.
	Cache func() cache.Stats
	// Pool reports the job worker pool.
	Pool func() workers.Stats
	// Sync reports the syncer.
	Sync func(ctx context.Context) (SyncStatus, error)
	// YouTube reports today's use of the YouTube Data API quota buckets
	// (nil when publishing is not built).
	YouTube func(ctx context.Context) ([]QuotaBucket, error)
}

// QuotaBucket is one daily quota of an outside service, such as YouTube's
// videos.insert calls or its units for everything else.
type QuotaBucket struct {
	Bucket string    `json:"bucket"` // the service's name for it, e.g. "videos.insert"
	Label  string    `json:"label"`  // in a creator's words, e.g. "YouTube uploads today"
	Used   int       `json:"used"`
	Limit  int       `json:"limit"`
	Reset  time.Time `json:"reset,omitzero"` // when Used goes back to zero
}

// YouTubeView is the YouTube quota as the Infrastructure page shows it.
type YouTubeView struct {
	Available bool          `json:"available"` // false while publishing is not built or its quota cannot be read
	Buckets   []QuotaBucket `json:"buckets"`
	Error     string        `json:"error,omitempty"` // why the quota could not be read
}

// ProviderStatus is one provider as its router reports it. It holds no secret.
type ProviderStatus struct {
	Name        string    `json:"name"`
	Label       string    `json:"label"`
	State       string    `json:"state"` // healthy, degraded, breaker_open, misconfigured, disabled
	Message     string    `json:"message,omitempty"`
	Breaker     string    `json:"breaker"` // closed, half-open, open
	LatencyP50  float64   `json:"latency_p50_ms"`
	LatencyP95  float64   `json:"latency_p95_ms"`
	SuccessRate float64   `json:"success_rate"` // 0–1
	Requests    uint64    `json:"requests"`
	Failures    uint64    `json:"failures"`
	QuotaUsed   int       `json:"quota_used"`
	QuotaLimit  int       `json:"quota_limit"` // 0 means unlimited
	LastError   string    `json:"last_error,omitempty"`
	LastCheck   time.Time `json:"last_check,omitzero"`
	CheckFailed bool      `json:"check_failed"` // the last health check failed
	// Demoted: the last call or check failed, so it is tried after the others.
	Demoted bool `json:"demoted"`
	// BreakerOpenUntil is when an open breaker half-opens by itself; zero
	// when it is not open.
	BreakerOpenUntil time.Time `json:"breaker_open_until,omitzero"`
	// CooldownUntil is when the pause the provider asked for (429 or 503
	// with a time) ends; zero when there is none. CooldownReason says why
	// ("rate limit", "overloaded") and CooldownStatus which status asked.
	CooldownUntil  time.Time `json:"cooldown_until,omitzero"`
	CooldownReason string    `json:"cooldown_reason,omitempty"`
	CooldownStatus int       `json:"cooldown_status,omitempty"`
	// FirstByteBudgets are the per-task first-byte budgets in ms, keyed
	// by task ("script", "script:stream"); tasks not yet answered are absent.
	FirstByteBudgets map[string]float64 `json:"first_byte_budgets_ms"`
	// Hedges counts requests where it was started alongside a slow
	// provider; HedgesWon those it answered.
	Hedges    uint64 `json:"hedges"`
	HedgesWon uint64 `json:"hedges_won"`
}

// Provider health colours of the Infrastructure table.
const (
	HealthGreen = "green"
	HealthAmber = "amber"
	HealthRed   = "red"
	HealthGrey  = "grey"
)

// ProviderView is a provider with what the monitor adds.
type ProviderView struct {
	ProviderStatus
	ErrorRate5m  float64 `json:"error_rate_5m"` // failed fraction of the calls in the last 5 min
	Calls5m      int     `json:"calls_5m"`
	FailedChecks int     `json:"failed_checks"` // health checks failed in a row
	Availability float64 `json:"availability"`  // 30-day ratio, -1 when never checked
	Health       string  `json:"health"`        // green, amber, red, grey
}

// LimiterStatus is one rate limiter.
type LimiterStatus struct {
	Name       string  `json:"name"`
	TokensLeft float64 `json:"tokens_left"`
	Burst      int     `json:"burst"`
	PerMinute  float64 `json:"per_minute"`
}

// CacheTier is one tier of the answer cache.
type CacheTier struct {
	Tier     string  `json:"tier"` // l1, l2
	Hits     uint64  `json:"hits"`
	Lookups  uint64  `json:"lookups"`  // lookups that reached this tier
	HitRate  float64 `json:"hit_rate"` // Hits/Lookups, 0 when none
	Bytes    int64   `json:"bytes"`
	MaxBytes int64   `json:"max_bytes"`
}

// CacheView is the answer cache.
type CacheView struct {
	Available bool        `json:"available"`
	Tiers     []CacheTier `json:"tiers"`
	Misses    uint64      `json:"misses"`
	Entries   int64       `json:"entries"`
	Evictions uint64      `json:"evictions"`
}

func cacheView(st cache.Stats) CacheView {
	l1Lookups := st.L1Hits + st.L2Hits + st.Misses
	l2Lookups := st.L2Hits + st.Misses
	rate := func(h, n uint64) float64 {
		if n == 0 {
			return 0
		}
		return float64(h) / float64(n)
	}
	return CacheView{Available: true, Misses: st.Misses, Entries: st.L2Entries, Evictions: st.Evictions, Tiers: []CacheTier{
		{Tier: "l1", Hits: st.L1Hits, Lookups: l1Lookups, HitRate: rate(st.L1Hits, l1Lookups), Bytes: st.L1Bytes, MaxBytes: st.MaxBytes},
		{Tier: "l2", Hits: st.L2Hits, Lookups: l2Lookups, HitRate: rate(st.L2Hits, l2Lookups), Bytes: st.L2Bytes, MaxBytes: st.MaxBytes},
	}}
}

// PoolView is the job worker pool.
type PoolView struct {
	Available   bool    `json:"available"`
	Size        int     `json:"size"`
	Busy        int     `json:"busy"`
	Waiting     int     `json:"waiting"`
	Min         int     `json:"min"`
	Max         int     `json:"max"`
	Utilisation float64 `json:"utilisation"`
	Completed   int64   `json:"completed"`
	JobWaitP95  float64 `json:"job_wait_p95_ms"` // over the last 128 jobs
	JobsTimed   int     `json:"jobs_timed"`
}

// SyncStatus is the syncer as it reports itself.
type SyncStatus struct {
	State       string    `json:"state"` // signed_out, offline, connecting, online, syncing, error
	LastSync    time.Time `json:"last_sync,omitzero"`
	Pending     int       `json:"pending"`
	DeadLetters int       `json:"dead_letters"`
	LagMS       int64     `json:"lag_ms"`
	LastError   string    `json:"last_error"`
	// ClockAlert names a synced change stamped far ahead of this computer's
	// clock (the device and the row), "" when none was seen lately;
	// ClockAheadMS is how far ahead.
	ClockAlert   string `json:"clock_alert"`
	ClockAheadMS int64  `json:"clock_ahead_ms"`
}

// SyncView is sync with the monitor's counts.
type SyncView struct {
	Available bool `json:"available"`
	SyncStatus
	Pushed      int64 `json:"pushed"`
	Pulled      int64 `json:"pulled"`
	Failures    int64 `json:"failures"`
	FailingSecs int64 `json:"failing_secs"` // how long sync has been in error; 0 when it is not
}

// StoreView is the local database.
type StoreView struct {
	DBBytes  int64 `json:"db_bytes"`
	WALBytes int64 `json:"wal_bytes"`
	Outbox   int   `json:"outbox"`
}

// DiskView is the disk holding the data folder.
type DiskView struct {
	FreeBytes  int64 `json:"free_bytes"`
	TotalBytes int64 `json:"total_bytes"`
}

// ProcessView is the app's process.
type ProcessView struct {
	MemoryBytes int64   `json:"memory_bytes"`
	CPUPercent  float64 `json:"cpu_percent"` // of one core, since the previous snapshot
	CPUs        int     `json:"cpus"`
	Goroutines  int     `json:"goroutines"`
}

// Summary levels.
const (
	LevelGreen = "green" // nothing needs attention
	LevelAmber = "amber" // only warnings: degraded providers, warn alerts, dead letters
	LevelRed   = "red"   // a "bad" alert, a provider that cannot answer, or sync failing
)

// Summary is the one-line verdict at the top of the page.
type Summary struct {
	Green    bool     `json:"green"`
	Level    string   `json:"level"` // green, amber or red`
	Text     string   `json:"text"`
	Problems []string `json:"problems"`
}

// Snapshot is everything the Infrastructure page shows, taken at At.
type Snapshot struct {
	At           time.Time       `json:"at,omitzero"`
	UptimeSecs   int64           `json:"uptime_secs"`
	Summary      Summary         `json:"summary"`
	Providers    []ProviderView  `json:"providers"`
	Cache        CacheView       `json:"cache"`
	Limiters     []LimiterStatus `json:"limiters"`
	Pool         PoolView        `json:"pool"`
	Sync         SyncView        `json:"sync"`
	YouTube      YouTubeView     `json:"youtube"`
	Store        StoreView       `json:"store"`
	Disk         DiskView        `json:"disk"`
	Process      ProcessView     `json:"process"`
	Availability []Availability  `json:"availability"`
	Alerts       []Alert         `json:"alerts"` // active ones
}

// providerHealth colours a provider: red when it cannot answer or a "bad"
// alert is active about it, amber when degraded or warned about, grey when
// disabled, green otherwise.
func providerHealth(p *ProviderView, active []Alert) string {
	if p.State == "disabled" {
		return HealthGrey
	}
	worst := HealthGreen
	switch p.State {
	case "breaker_open", "misconfigured":
		return HealthRed
	case "degraded", "cooldown":
		worst = HealthAmber
	}
	if p.CheckFailed {
		return HealthRed
	}
	for _, a := range active {
		if a.Subject != p.Name {
			continue
		}
		if a.Severity == SeverityBad {
			return HealthRed
		}
		worst = HealthAmber
	}
	return worst
}

// summarize computes the summary line from the snapshot: green only when
// no alert is active, every enabled provider is green, sync is not in
// error and nothing sits in dead letters.
func summarize(s *Snapshot) Summary {
	var problems []string
	level := LevelGreen
	worse := func(l string) {
		if l == LevelRed || level == LevelGreen {
			level = l
		}
	}
	for _, a := range s.Alerts {
		problems = append(problems, a.Message)
		if a.Severity == SeverityBad {
			worse(LevelRed)
		} else {
			worse(LevelAmber)
		}
	}
	healthy, enabled := 0, 0
	for _, p := range s.Providers {
		if p.Health == HealthGrey {
			continue
		}
		enabled++
		if p.Health == HealthGreen {
			healthy++
			continue
		}
		if p.Health == HealthRed {
			worse(LevelRed)
		} else {
			worse(LevelAmber)
		}
		if !hasAlertAbout(s.Alerts, p.Name) {
			msg := p.Message
			switch {
			case msg != "":
			case p.State == "degraded":
				msg = p.Label + " is degraded: some of its recent calls or checks failed."
			default:
				msg = p.Label + " is " + strings.ReplaceAll(p.State, "_", " ") + "."
			}
			problems = append(problems, msg)
		}
	}
	if s.Sync.Available && s.Sync.State == "error" {
		worse(LevelRed)
		if !hasAlertAbout(s.Alerts, "sync") {
			problems = append(problems, "Sync is failing: "+s.Sync.LastError)
		}
	}
	if s.Sync.DeadLetters > 0 {
		worse(LevelAmber)
		problems = append(problems, fmt.Sprintf("%d changes were refused by the sync server and wait in dead letters.", s.Sync.DeadLetters))
	}
	if len(problems) > 0 {
		text := "1 problem needs attention"
		if len(problems) > 1 {
			text = fmt.Sprintf("%d problems need attention", len(problems))
		}
		return Summary{Green: false, Level: level, Text: text + ": " + problems[0], Problems: problems}
	}
	parts := []string{}
	if enabled > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d providers healthy", healthy, enabled))
	} else {
		parts = append(parts, "no AI providers set up, local templates answer")
	}
	switch {
	case !s.Sync.Available:
		parts = append(parts, "sync not set up")
	default:
		parts = append(parts, "sync "+strings.ReplaceAll(s.Sync.State, "_", " "))
	}
	if s.Pool.Available {
		parts = append(parts, fmt.Sprintf("%d jobs queued", s.Pool.Waiting))
	}
	return Summary{Green: true, Level: LevelGreen, Text: "All systems green: " + strings.Join(parts, ", ") + ".", Problems: []string{}}
}

func hasAlertAbout(alerts []Alert, subject string) bool {
	for _, a := range alerts {
		if a.Subject == subject {
			return true
		}
	}
	return false
}
