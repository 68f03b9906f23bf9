// Package faultproxy is a reverse proxy for tests that puts a seeded, reproducible plan of
// faults between a client and a server: rate limiting (429 with Retry-After), an unavailable
// server (503), connections dropped after the server has committed a write, and latency.
//
// The plan is a sequence of decisions drawn from a PCG generator seeded with Config.Seed:
// the n-th request the proxy sees gets the n-th decision, so a failing run can be replayed
// with the same seed (which request is n-th still depends on the client's scheduling).
// Config.Decide overrides the plan for chosen requests, for tests that need one exact fault
// (such as dropping the first create of a kind) rather than a rate of them.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to one request.
type Fault int

const (
	// Pass forwards the request and its response untouched (after the latency).
	Pass Fault = iota
	// TooManyRequests answers 429 with a Retry-After header without forwarding.
	TooManyRequests
	// Unavailable answers 503 without forwarding.
	Unavailable
	// DropAfterCommit forwards the request, reads the server's whole response (so a write
	// has committed) and then closes the client's connection without answering.
	DropAfterCommit
)

func (f Fault) String() string {
	switch f {
	case Pass:
		return "pass"
	case TooManyRequests:
		return "429"
	case Unavailable:
		return "503"
	case DropAfterCommit:
		return "drop-after-commit"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Config is the fault plan.
type Config struct {
	// Seed makes the plan reproducible.
	Seed uint64
	// FaultRate is the share of eligible requests that get a fault (0 to 1), split evenly
	// between 429, 503 and dropped connections.
	FaultRate float64
	// SlowRetryAfter is the share of 429 answers that say `Retry-After: 1`; the others say
	// `Retry-After: 0` (retry at once), which keeps tests fast while still exercising the
	// header. 503 answers carry no Retry-After, so the client's own backoff applies.
	SlowRetryAfter float64
	// MaxLatency adds a uniformly random delay in [0, MaxLatency) to every request.
	MaxLatency time.Duration
	// Eligible says which requests may get a fault; nil means every request under /api/v1/.
	Eligible func(*http.Request) bool
	// Decide, if set, sees every request (eligible or not) before the random plan: when it
	// returns ok, its fault is what the request gets, Pass included; otherwise the plan
	// decides. n numbers the requests from 1, as Stats.Requests counts them. The plan draws
	// its numbers for every request either way, so deciding some requests does not shift
	// the plan for the others. Decide is called one request at a time, so it needs no lock
	// of its own; it must not call the Proxy's methods or read r.Body. SetEnabled(false) stops
	// its faults too.
	Decide func(n int, r *http.Request) (fault Fault, ok bool)
	// OnResponse, if set, sees every response the server gave, with its request and whether
	// the client received it (false for DropAfterCommit). The body must not be kept.
	OnResponse func(r *http.Request, status int, body []byte, delivered bool)
}

// Stats counts what the proxy did.
type Stats struct {
	Requests        int // every request received
	Forwarded       int // requests the server saw
	TooManyRequests int // 429 answered by the proxy
	Unavailable     int // 503 answered by the proxy
	Dropped         int // connections dropped after the server answered
	// RepeatedKeys counts requests whose Idempotency-Key the proxy had seen before: retries
	// of writes.
	RepeatedKeys int
	// Replayed counts responses the server marked Idempotent-Replayed: true.
	Replayed int
	// UpstreamErrors counts requests the proxy could not forward (the server was down).
	UpstreamErrors int
}

// Faults is the number of faults injected.
func (s Stats) Faults() int { return s.TooManyRequests + s.Unavailable + s.Dropped }

func (s Stats) String() string {
	return fmt.Sprintf("%d requests, %d forwarded, %d faults (%d×429, %d×503, %d dropped after commit), "+
		"%d repeated Idempotency-Keys, %d idempotent replays, %d upstream errors",
		s.Requests, s.Forwarded, s.Faults(), s.TooManyRequests, s.Unavailable, s.Dropped, s.RepeatedKeys, s.Replayed, s.UpstreamErrors)
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	// URL is the proxy's base URL; use it in place of the server's.
	URL string

	cfg       Config
	target    *url.URL
	transport http.RoundTripper
	rp        *httputil.ReverseProxy
	srv       *httptest.Server

	mu       sync.Mutex
	rng      *rand.Rand
	disabled bool
	stats    Stats
	keys     map[string]bool
}

// Start starts a proxy in front of target (a base URL such as http://127.0.0.1:8080) that
// lives until the test ends.
func Start(t testing.TB, target string, cfg Config) *Proxy {
	t.Helper()
	p, err := New(target, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.srv = httptest.NewServer(p)
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// New returns the proxy as an http.Handler, for callers that serve it themselves.
func New(target string, cfg Config) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: bad target %q", target)
	}
	if cfg.Eligible == nil {
		cfg.Eligible = func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/v1/") }
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("faultproxy: http.DefaultTransport is a %T, not an *http.Transport to clone", http.DefaultTransport)
	}
	tr := base.Clone()
	tr.MaxIdleConnsPerHost = 64
	p := &Proxy{cfg: cfg, target: u, transport: tr, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		keys: map[string]bool{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		Transport:      tr,
		ModifyResponse: p.observe,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.count(func(s *Stats) { s.UpstreamErrors++ })
			http.Error(w, "faultproxy: upstream unavailable: "+err.Error(), http.StatusBadGateway)
		},
	}
	return p, nil
}

// SetEnabled turns fault injection on or off (latency stays); the proxy starts enabled.
func (p *Proxy) SetEnabled(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disabled = !on
}

// Stats returns what the proxy has done so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *Proxy) count(f func(*Stats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.stats)
}

// decide draws the next decision of the plan.
func (p *Proxy) decide(r *http.Request) (fault Fault, latency time.Duration, slow bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Requests++
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if p.keys[k] {
			p.stats.RepeatedKeys++
		}
		p.keys[k] = true
	}
	// Always draw the same numbers per request, so the plan does not shift with SetEnabled
	// or eligibility.
	roll, kind, slowRoll, lat := p.rng.Float64(), p.rng.IntN(3), p.rng.Float64(), p.rng.Float64()
	if p.cfg.MaxLatency > 0 {
		latency = time.Duration(lat * float64(p.cfg.MaxLatency))
	}
	if p.disabled {
		return Pass, latency, false
	}
	if p.cfg.Decide != nil {
		if f, ok := p.cfg.Decide(p.stats.Requests, r); ok {
			return f, latency, slowRoll < p.cfg.SlowRetryAfter
		}
	}
	if !p.cfg.Eligible(r) || roll >= p.cfg.FaultRate {
		return Pass, latency, false
	}
	return Fault(kind + 1), latency, slowRoll < p.cfg.SlowRetryAfter
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault, latency, slow := p.decide(r)
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	switch fault {
	case TooManyRequests:
		p.count(func(s *Stats) { s.TooManyRequests++ })
		ra := "0"
		if slow {
			ra = "1"
		}
		w.Header().Set("Retry-After", ra)
		problem(w, http.StatusTooManyRequests, "Too many requests", "faultproxy: rate limited")
	case Unavailable:
		p.count(func(s *Stats) { s.Unavailable++ })
		problem(w, http.StatusServiceUnavailable, "Service unavailable", "faultproxy: unavailable")
	case DropAfterCommit:
		p.dropAfterCommit(w, r)
	default:
		p.count(func(s *Stats) { s.Forwarded++ })
		p.rp.ServeHTTP(w, r)
	}
}

// observe reads a forwarded response's body for OnResponse and counts replays.
func (p *Proxy) observe(resp *http.Response) error {
	if resp.Header.Get("Idempotent-Replayed") == "true" {
		p.count(func(s *Stats) { s.Replayed++ })
	}
	if p.cfg.OnResponse == nil {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// Delivered means handed to the client's connection; a client that hangs up now is
	// indistinguishable from one that read it, which errs on the side of "acknowledged".
	p.cfg.OnResponse(resp.Request, resp.StatusCode, body, true)
	return nil
}

func (p *Proxy) dropAfterCommit(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.RequestURI = ""
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.count(func(s *Stats) { s.UpstreamErrors++ })
		http.Error(w, "faultproxy: upstream unavailable: "+err.Error(), http.StatusBadGateway)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	p.count(func(s *Stats) {
		s.Forwarded++
		s.Dropped++
		if resp.Header.Get("Idempotent-Replayed") == "true" {
			s.Replayed++
		}
	})
	if p.cfg.OnResponse != nil {
		p.cfg.OnResponse(r, resp.StatusCode, body, false)
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("faultproxy: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}

func problem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"type":"about:blank","title":%q,"status":%d,"detail":%q}`, title, status, detail)
}
