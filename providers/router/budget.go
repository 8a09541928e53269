package router

import (
	"sort"
	"time"

	"tubeagency/providers"
)

// Defaults of the first-byte budget.
const (
	DefaultBudgetMin     = time.Second
	DefaultBudgetMax     = 8 * time.Second
	DefaultBudgetInitial = 3 * time.Second
	DefaultBudgetFactor  = 3.0
)

// kind is what a provider's first-byte times are kept per: the task, and
// whether the answer streams (a streamed answer's first byte is its first
// token; a whole answer's first byte comes when it is all written).
type kind struct {
	task   providers.Task
	stream bool
}

func (k kind) String() string {
	if k.stream {
		return string(k.task) + ":stream"
	}
	return string(k.task)
}

// samples are the last first-byte times of one kind.
type samples struct {
	d [32]time.Duration
	n int
}

func (s *samples) add(d time.Duration) {
	s.d[s.n%len(s.d)] = d
	s.n++
}

// p95 is the nearest-rank 95th percentile of the samples kept. With at most
// 32 samples that is the largest (up to 19 samples) or the second largest,
// so a linear scan finds it without sorting.
func (s *samples) p95() (time.Duration, bool) {
	n := min(s.n, len(s.d))
	if n == 0 {
		return 0, false
	}
	var top1, top2 time.Duration
	for _, d := range s.d[:n] {
		switch {
		case d >= top1:
			top1, top2 = d, top1
		case d > top2:
			top2 = d
		}
	}
	rank := (95*n + 99) / 100 // k-th smallest
	if n-rank+1 >= 2 {
		return top2, true
	}
	return top1, true
}

// budgeter turns first-byte samples into budgets.
type budgeter struct {
	min, max, initial time.Duration
	factor            float64
}

// of is the budget for a p95 (ok false: no samples yet).
func (b budgeter) of(p95 time.Duration, ok bool) time.Duration {
	if !ok {
		return b.initial
	}
	return min(max(time.Duration(float64(p95)*b.factor), b.min), b.max)
}

// budget is m's first-byte budget for k.
func (r *Router) budget(m *member, k kind) time.Duration {
	m.mu.Lock()
	s := m.ttfb[k]
	var p time.Duration
	var ok bool
	if s != nil {
		p, ok = s.p95()
	}
	m.mu.Unlock()
	return r.budgets.of(p, ok)
}

// Budget is one kind of task's first-byte budget, for the Infrastructure
// panel.
type Budget struct {
	Kind     string  `json:"kind"` // the task, with ":stream" for streamed answers
	P95Ms    float64 `json:"first_byte_p95_ms"`
	BudgetMs float64 `json:"budget_ms"`
	Samples  int     `json:"samples"`
}

func (r *Router) budgetsOf(m *member) []Budget {
	m.mu.Lock()
	out := make([]Budget, 0, len(m.ttfb))
	for k, s := range m.ttfb {
		p, ok := s.p95()
		out = append(out, Budget{Kind: k.String(), P95Ms: ms(p), BudgetMs: ms(r.budgets.of(p, ok)), Samples: min(s.n, len(s.d))})
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}
