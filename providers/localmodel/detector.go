package localmodel

import (
	"context"
	"net/http"
	"sync"
	"time"

	"tubeagency/providers"
	"tubeagency/providers/openai"
)

// Options configure a Detector. The zero value probes the default
// addresses with a client of its own.
type Options struct {
	// Candidates are where to look. Nil means DefaultCandidates.
	Candidates []Candidate
	// HTTPClient sends the probes. Nil means a client with a 2-second timeout.
	HTTPClient *http.Client
	// RAM is the machine's memory in bytes. Nil means TotalRAM.
	RAM func() uint64
	// Now stamps results. Nil means time.Now.
	Now func() time.Time
	// OnChange is called after a detection whose result differs from the
	// last one (a server appeared or went away, or the recommended model
	// changed). Nil means nobody listens.
	OnChange func(Status)
}

// Detector keeps the result of the last detection. It is safe for
// concurrent use.
type Detector struct {
	opts Options
	mu   sync.Mutex
	last Status

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start detects now and then every interval (the router's health interval:
// a disabled provider is not health-checked, so the detector keeps its own
// beat) until Stop. Zero interval means 30 seconds.
func (d *Detector) Start(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	d.mu.Lock()
	d.cancel = cancel
	d.mu.Unlock()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			d.Detect(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the loop Start began and waits for it.
func (d *Detector) Stop() {
	d.mu.Lock()
	cancel := d.cancel
	d.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	d.wg.Wait()
}

// NewDetector makes a Detector; it has found nothing until Detect runs.
func NewDetector(opts Options) *Detector {
	if opts.Candidates == nil {
		opts.Candidates = DefaultCandidates
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 2 * time.Second}
	}
	if opts.RAM == nil {
		opts.RAM = TotalRAM
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Detector{opts: opts}
}

// SetCandidates replaces where the next detections look (the user changed
// the local server's address in Settings).
func (d *Detector) SetCandidates(c []Candidate) {
	d.mu.Lock()
	d.opts.Candidates = append([]Candidate(nil), c...)
	d.mu.Unlock()
}

// Detect probes the candidates now, keeps the result and returns it.
func (d *Detector) Detect(ctx context.Context) Status {
	ram := d.opts.RAM()
	st := Status{RAMBytes: ram, CheckedAt: d.opts.Now()}
	d.mu.Lock()
	cands := d.opts.Candidates
	d.mu.Unlock()
	servers := Detect(ctx, d.opts.HTTPClient, cands)
	if ctx.Err() != nil {
		return d.Last() // stopped mid-way: keep what was known
	}
	for _, s := range servers {
		models, best, ok := Recommend(s.Models, ram)
		s.Models = models
		if !st.Found || ok && st.Model == "" {
			srv := s
			st.Found, st.Server = true, &srv
			if ok {
				st.Model = best.Name
			}
		}
	}
	if st.Model == "" {
		st.Help = InstallHelp(ram)
	}
	d.mu.Lock()
	changed := st.Found != d.last.Found || st.Model != d.last.Model || serverURL(st) != serverURL(d.last)
	d.last = st
	d.mu.Unlock()
	if changed && d.opts.OnChange != nil {
		d.opts.OnChange(st)
	}
	return st
}

func serverURL(s Status) string {
	if s.Server == nil {
		return ""
	}
	return s.Server.BaseURL
}

// Last is the result of the last detection.
func (d *Detector) Last() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last
}

// Usable reports whether a local server with a model that can write was
// found: the app then enables the local provider and puts it first.
func (d *Detector) Usable() bool {
	s := d.Last()
	return s.Found && s.Model != ""
}

// ProviderConfig configures a Provider.
type ProviderConfig struct {
	// Name is the provider's name in the router ("local").
	Name string
	// BaseURL and Model are what the user set; they are used when nothing
	// was detected, and Model is kept when the detected server has it.
	BaseURL, Model string
	// Key returns an API key for a server that wants one. Nil sends none.
	Key func() (string, error)
	// Now is the clock for Retry-After dates. Nil means time.Now.
	Now func() time.Time
}

// Provider is the local model as the router's provider: it writes through
// the OpenAI-compatible API of the server detected (with the user's model
// when that server has it, else the recommended one), and its health check
// runs detection again, so a server started, stopped or given new models
// is noticed at every health interval.
type Provider struct {
	cfg ProviderConfig
	det *Detector
}

var (
	_ providers.Provider      = (*Provider)(nil)
	_ providers.HealthChecker = (*Provider)(nil)
)

// NewProvider makes the local provider over det.
func NewProvider(cfg ProviderConfig, det *Detector) *Provider {
	return &Provider{cfg: cfg, det: det}
}

// Name is the configured name.
func (p *Provider) Name() string { return p.cfg.Name }

// Target is the API root and model a request goes to now.
func (p *Provider) Target() (baseURL, model string) {
	st := p.det.Last()
	if !st.Found || st.Server == nil || st.Model == "" {
		return p.cfg.BaseURL, p.cfg.Model
	}
	model = st.Model
	for _, m := range st.Server.Models {
		if m.Name == p.cfg.Model && !m.Embedding {
			model = p.cfg.Model // the user's choice, installed
		}
	}
	return st.Server.BaseURL, model
}

func (p *Provider) client() *openai.Client {
	base, model := p.Target()
	return openai.New(openai.Config{Name: p.cfg.Name, BaseURL: base, Model: model, Key: p.cfg.Key, Now: p.cfg.Now})
}

// Generate writes through the detected server.
func (p *Provider) Generate(ctx context.Context, req providers.Request) (providers.Response, error) {
	return p.client().Generate(ctx, req)
}

// Check detects again, then checks the server it will write to.
func (p *Provider) Check(ctx context.Context) error {
	p.det.Detect(ctx)
	return p.client().Check(ctx)
}
