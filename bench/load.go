package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// loadResult is one load scenario: one operation at one request rate (0: saturation).
type loadResult struct {
	Database  string  `json:"database"`
	Operation string  `json:"operation"`
	Rate      int     `json:"rate"` // requests per second asked for; 0 is saturation
	Workers   int     `json:"workers,omitempty"`
	Seconds   float64 `json:"seconds"`
	Requests  int     `json:"requests"`
	// Throughput is successful (2xx) responses per second over the scenario.
	Throughput float64        `json:"throughput"`
	P50Ms      float64        `json:"p50_ms"`
	P99Ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	Errors     int            `json:"errors"` // responses other than 2xx, and transport errors
	Status     map[string]int `json:"status_codes"`
	ErrorText  []string       `json:"error_text,omitempty"`
	// ServerCPUSeconds is the platform server's CPU time during the scenario (per second of it:
	// how many of the machine's cores the server used).
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	ServerPeakRSSKiB int64   `json:"server_peak_rss_kib"`
	LoadAverage      float64 `json:"load_average"`
}

var loadOperations = []string{"get", "list", "create", "update"}

type loadBench struct {
	duration       time.Duration
	rates          []int
	saturationConc int
	seed           int // applications created before the scenarios
	log            func(format string, args ...any)
	// profileDir, when set, receives a CPU profile of the server during each scenario, taken
	// from pprofURL (the server's --pprof-listen).
	profileDir, pprofURL string
}

// run measures every operation at every rate, then at saturation, against one platform.
func (lb *loadBench) run(ctx context.Context, database string, platform *platformProcess) ([]loadResult, error) {
	c, err := client.New(client.Config{Endpoint: platform.url, APIKey: platform.apiKey})
	if err != nil {
		return nil, err
	}
	ids, err := seedApplications(ctx, c, lb.seed, "seed")
	if err != nil {
		return nil, err
	}
	var seq atomic.Uint64
	base := platform.url + "/api/v1/applications"
	auth := "Bearer " + platform.apiKey
	targeter := func(op string) vegeta.Targeter {
		return func(t *vegeta.Target) error {
			i := seq.Add(1)
			h := http.Header{"Authorization": {auth}}
			switch op {
			case "get":
				t.Method, t.URL = http.MethodGet, base+"/"+ids[int(i)%len(ids)]
			case "list":
				t.Method, t.URL = http.MethodGet, base+"?page_size=100"
			case "create":
				t.Method, t.URL = http.MethodPost, base
				h.Set("Content-Type", "application/json")
				h.Set("Idempotency-Key", "bench-"+randomHex(8)+"-"+strconv.FormatUint(i, 10))
				t.Body = appBody(fmt.Sprintf("load-%s-%d", randomHex(3), i), "created under load")
			case "update":
				t.Method, t.URL = http.MethodPut, base+"/"+ids[int(i)%len(ids)]
				h.Set("Content-Type", "application/json")
				h.Set("Idempotency-Key", "bench-"+randomHex(8)+"-"+strconv.FormatUint(i, 10))
				// The same name as seeded (names are unique per environment), a new description.
				t.Body = appBody(fmt.Sprintf("seed-%05d", int(i)%len(ids)), "updated under load "+strconv.FormatUint(i, 10))
			}
			t.Header = h
			return nil
		}
	}
	var out []loadResult
	for _, op := range loadOperations {
		for _, rate := range append(slices.Clone(lb.rates), 0) {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			var prof chan error
			if lb.profileDir != "" {
				prof = make(chan error, 1)
				go func() {
					prof <- lb.profile(filepath.Join(lb.profileDir, fmt.Sprintf("%s-%s-%s.pprof", database, op, strings.TrimSuffix(rateName(rate), "/s"))))
				}()
			}
			r := lb.attack(targeter(op), rate, platform)
			if prof != nil {
				if err := <-prof; err != nil {
					lb.log("profile: %v", err)
				}
			}
			r.Database, r.Operation = database, op
			out = append(out, r)
			rateText := strconv.Itoa(rate) + "/s"
			if rate == 0 {
				rateText = fmt.Sprintf("max (%d conc.)", lb.saturationConc)
			}
			lb.log("%-8s %-6s %-14s %7.0f ok/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  errors %d",
				database, op, rateText, r.Throughput, r.P50Ms, r.P99Ms, r.MaxMs, r.Errors)
		}
	}
	return out, nil
}

// profile saves a CPU profile of the server over the scenario's duration.
func (lb *loadBench) profile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	secs := max(int(lb.duration.Seconds())-1, 1)
	resp, err := http.Get(fmt.Sprintf("%s?seconds=%d", lb.pprofURL, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func appBody(name, description string) []byte {
	b, _ := json.Marshal(api.ApplicationInput{Name: name, Environment: api.Development, Version: "1.0.0",
		Description: &description, Labels: &api.Labels{"bench": "load"}})
	return b
}

// seedApplications creates n applications named prefix-00000… with 8 concurrent clients.
func seedApplications(ctx context.Context, c *client.Client, n int, prefix string) ([]string, error) {
	ids := make([]string, n)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	next := atomic.Int64{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				d := "seeded"
				app, err := c.CreateApplication(ctx, api.ApplicationInput{Name: fmt.Sprintf("%s-%05d", prefix, i),
					Environment: api.Development, Version: "1.0.0", Description: &d})
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				ids[i] = app.ID
			}
		}()
	}
	wg.Wait()
	return ids, firstErr
}

// attack runs one scenario. A fixed rate keeps its pace whatever the latency (open model, as
// vegeta does: slow responses do not slow the arrivals, so latency at a rate is honest); rate 0
// is a closed loop of saturationConc concurrent clients sending as fast as answers come.
func (lb *loadBench) attack(tr vegeta.Targeter, rate int, platform *platformProcess) loadResult {
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.Timeout(30 * time.Second),
		vegeta.Connections(256), vegeta.MaxBody(1 << 20)}
	var pacer vegeta.Pacer
	if rate > 0 {
		pacer = vegeta.ConstantPacer{Freq: rate, Per: time.Second}
		opts = append(opts, vegeta.Workers(16), vegeta.MaxWorkers(1024))
	} else {
		pacer = vegeta.ConstantPacer{}
		opts = append(opts, vegeta.Workers(uint64(lb.saturationConc)), vegeta.MaxWorkers(uint64(lb.saturationConc)))
	}
	attacker := vegeta.NewAttacker(opts...)
	resetPeakRSS(platform.pid())
	cpu0 := cpuTime(platform.pid())
	var m vegeta.Metrics
	latencies := make([]time.Duration, 0, 1024)
	for res := range attacker.Attack(tr, pacer, lb.duration, "") {
		m.Add(res)
		latencies = append(latencies, res.Latency)
	}
	m.Close()
	r := loadResult{Rate: rate, Seconds: m.Duration.Seconds() + m.Wait.Seconds(), Requests: int(m.Requests),
		Status: m.StatusCodes, ServerCPUSeconds: (cpuTime(platform.pid()) - cpu0).Seconds(),
		ServerPeakRSSKiB: peakRSSKiB(platform.pid()), LoadAverage: loadAverage()}
	if rate == 0 {
		r.Workers = lb.saturationConc
	}
	ok := 0
	for code, n := range m.StatusCodes {
		if len(code) == 3 && code[0] == '2' {
			ok += n
		}
	}
	r.Errors = int(m.Requests) - ok
	if r.Seconds > 0 {
		r.Throughput = float64(ok) / r.Seconds
	}
	if len(m.Errors) > 5 {
		m.Errors = m.Errors[:5]
	}
	r.ErrorText = m.Errors
	slices.Sort(latencies)
	r.P50Ms, r.P99Ms, r.MaxMs = ms(quantile(latencies, 0.50)), ms(quantile(latencies, 0.99)), ms(quantile(latencies, 1))
	return r
}

// quantile is the exact q-quantile (nearest rank) of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
