package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// runtimeResult is one runtime scenario: executions of a three-step workflow, or webhook
// deliveries, offered at a rate (0: saturation) for a while and then drained.
type runtimeResult struct {
	Scenario string  `json:"scenario"` // "executions" or "deliveries"
	Rate     int     `json:"rate"`     // triggers or deliveries per second asked for; 0 is saturation
	Offered  int     `json:"offered"`  // executions triggered, or deliveries expected (events × webhooks)
	Done     int     `json:"done"`     // executions succeeded, or deliveries received
	Failed   int     `json:"failed"`
	Seconds  float64 `json:"seconds"` // from the first trigger or event to the last finish or delivery
	// PerSecond is Done / Seconds.
	PerSecond float64 `json:"per_second"`
	// Trigger-to-finish (executions: queued_at to finished_at, the server's clock) or
	// event-to-delivery (deliveries: publish call to arrival at the receiver, the driver's clock).
	P50Ms            float64 `json:"p50_ms"`
	P99Ms            float64 `json:"p99_ms"`
	MaxMs            float64 `json:"max_ms"`
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
}

type runtimeReport struct {
	Database            string          `json:"database"`
	ExecutionsAvailable bool            `json:"executions_available"`
	ExecutionsNote      string          `json:"executions_note,omitempty"`
	DeliveriesAvailable bool            `json:"deliveries_available"`
	DeliveriesNote      string          `json:"deliveries_note,omitempty"`
	Webhooks            int             `json:"webhooks"`
	Executions          []runtimeResult `json:"executions"`
	Deliveries          []runtimeResult `json:"deliveries"`
}

const benchHooks = 10 // webhooks subscribed to the delivery scenarios' event type

// unavailable reports whether err is the platform's 501 for a part still being built.
func unavailable(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotImplemented
}

func runRuntime(ctx context.Context, bin, work string, recv *receiver, d time.Duration, log func(string, ...any)) (*runtimeReport, error) {
	dir := filepath.Join(work, "runtime")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	platform, c, err := startSQLitePlatform(ctx, bin, dir)
	if err != nil {
		return nil, err
	}
	defer platform.stop()
	rep := &runtimeReport{Database: "sqlite", Webhooks: benchHooks}
	desc := "runtime benchmark"
	app, err := c.CreateApplication(ctx, api.ApplicationInput{Name: "bench-runtime", Environment: api.Development,
		Version: "1.0.0", Description: &desc})
	if err != nil {
		return rep, err
	}
	var errs []string

	// Executions of a three-step workflow (validate, transform, transform), triggered by hand.
	newWorkflow := func(i int) (string, error) {
		wf, err := c.CreateWorkflow(ctx, api.WorkflowInput{ApplicationID: app.ID, Name: fmt.Sprintf("bench-wf-%d", i),
			Version: "1.0.0", Enabled: ptrBool(true), Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps: []api.WorkflowStep{
				{Name: "check", Type: api.Validate, Validate: &api.ValidateStep{Expression: "amount > 0", Message: "amount must be positive"}},
				{Name: "total", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "total", Expression: "amount * 2"}}}},
				{Name: "status", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "status", Expression: `total > 100 ? "big" : "small"`}}}},
			}})
		if err != nil {
			return "", err
		}
		return wf.ID, nil
	}
	probeWF, err := newWorkflow(0)
	if err == nil {
		_, err = c.TriggerWorkflow(ctx, probeWF, api.TriggerRequest{Input: &map[string]any{"amount": 1}})
	}
	if err == nil {
		_, err = firstExecution(ctx, c, probeWF)
	}
	switch {
	case unavailable(err):
		rep.ExecutionsNote = "the platform answers 501 Not Implemented: " + err.Error()
		log("runtime: workflow executions unavailable (%v)", err)
	case err != nil:
		errs = append(errs, "executions: "+err.Error())
	default:
		rep.ExecutionsAvailable = true
		for i, rate := range []int{100, 200, 0} {
			wf, err := newWorkflow(i + 1)
			if err != nil {
				errs = append(errs, err.Error())
				break
			}
			r, err := executionScenario(ctx, c, platform, wf, rate, d)
			if err != nil {
				errs = append(errs, fmt.Sprintf("executions at %d/s: %v", rate, err))
				continue
			}
			rep.Executions = append(rep.Executions, r)
			log("runtime: executions %-5s  %5d offered  %5d ok  %3d failed  %6.0f/s  trigger-to-finish p50 %6.1f ms  p99 %7.1f ms",
				rateName(rate), r.Offered, r.Done, r.Failed, r.PerSecond, r.P50Ms, r.P99Ms)
		}
	}

	// Webhook deliveries: benchHooks webhooks on one event type, events published by rate.
	var hooks []string
	for i := range benchHooks {
		h, hookErr := c.CreateWebhook(ctx, api.WebhookInput{ApplicationID: &app.ID, EventTypes: []string{"bench.ping"},
			CallbackURL: recv.url + "/hooks/bench", Active: ptrBool(true), Description: &desc})
		if hookErr != nil {
			err = fmt.Errorf("creating webhook %d: %w", i, hookErr)
			break
		}
		hooks = append(hooks, h.ID)
	}
	if len(hooks) == benchHooks {
		recv.reset()
		_, err = c.PublishEvent(ctx, api.EventInput{Type: "bench.ping", ApplicationID: &app.ID, Data: &map[string]any{"probe": true}})
		if err == nil {
			err = recv.waitFor(ctx, benchHooks, 30*time.Second)
		}
	}
	switch {
	case unavailable(err):
		rep.DeliveriesNote = "the platform answers 501 Not Implemented: " + err.Error()
		log("runtime: webhook deliveries unavailable (%v)", err)
	case err != nil:
		errs = append(errs, "deliveries: "+err.Error())
	default:
		rep.DeliveriesAvailable = true
		for _, rate := range []int{200, 500, 0} { // deliveries per second
			r, err := deliveryScenario(ctx, c, platform, recv, app.ID, rate, d)
			if err != nil {
				errs = append(errs, fmt.Sprintf("deliveries at %d/s: %v", rate, err))
				continue
			}
			rep.Deliveries = append(rep.Deliveries, r)
			log("runtime: deliveries %-5s  %5d expected %5d received  %6.0f/s  event-to-delivery p50 %6.1f ms  p99 %7.1f ms",
				rateName(rate), r.Offered, r.Done, r.PerSecond, r.P50Ms, r.P99Ms)
		}
	}
	if len(errs) > 0 {
		return rep, errors.New(strings.Join(errs, "; "))
	}
	return rep, nil
}

func rateName(rate int) string {
	if rate == 0 {
		return "max"
	}
	return strconv.Itoa(rate) + "/s"
}

// firstExecution waits for the workflow's first execution to finish.
func firstExecution(ctx context.Context, c *client.Client, wf string) (*api.Execution, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for e, err := range c.ListExecutions(ctx, client.ExecutionFilter{WorkflowID: wf}) {
			if err != nil {
				return nil, err
			}
			if finished(e.Status) {
				return &e, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, errors.New("the probe execution did not finish within 30 s")
}

func finished(s api.ExecutionStatus) bool {
	return s == api.ExecutionStatusSucceeded || s == api.ExecutionStatusFailed || s == api.ExecutionStatusCanceled
}

// pace sends rate calls per second (0: as fast as 16 concurrent callers can) for d.
func pace(ctx context.Context, rate int, d time.Duration, call func(i int)) int {
	var n atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	if rate == 0 {
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) && ctx.Err() == nil {
					call(int(n.Add(1)))
				}
			}()
		}
		wg.Wait()
		return int(n.Load())
	}
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := 0; time.Now().Before(end) && ctx.Err() == nil; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() { defer wg.Done(); call(int(n.Add(1))) }()
	}
	wg.Wait()
	return int(n.Load())
}

func executionScenario(ctx context.Context, c *client.Client, platform *platformProcess, wf string, rate int, d time.Duration) (runtimeResult, error) {
	r := runtimeResult{Scenario: "executions", Rate: rate}
	cpu0 := cpuTime(platform.pid())
	var failedCalls atomic.Int64
	r.Offered = pace(ctx, rate, d, func(i int) {
		if _, err := c.TriggerWorkflow(ctx, wf, api.TriggerRequest{Input: &map[string]any{"amount": i}}); err != nil {
			failedCalls.Add(1)
		}
	})
	// Drain: wait until every accepted execution has finished, then read their timings.
	want := r.Offered - int(failedCalls.Load())
	deadline := time.Now().Add(120 * time.Second)
	var execs []api.Execution
	for {
		execs = execs[:0]
		done := 0
		for e, err := range c.ListExecutions(ctx, client.ExecutionFilter{WorkflowID: wf}) {
			if err != nil {
				return r, err
			}
			execs = append(execs, e)
			if finished(e.Status) {
				done++
			}
		}
		if done >= want {
			break
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("%d of %d executions finished within 120 s of the last trigger", done, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
	r.ServerCPUSeconds = (cpuTime(platform.pid()) - cpu0).Seconds()
	var lat []time.Duration
	var first, last time.Time
	for _, e := range execs {
		if e.Status != api.ExecutionStatusSucceeded || e.FinishedAt == nil {
			r.Failed++
			continue
		}
		r.Done++
		lat = append(lat, e.FinishedAt.Sub(e.QueuedAt))
		if first.IsZero() || e.QueuedAt.Before(first) {
			first = e.QueuedAt
		}
		if e.FinishedAt.After(last) {
			last = *e.FinishedAt
		}
	}
	r.Failed += int(failedCalls.Load())
	fillLatency(&r, lat, last.Sub(first))
	return r, nil
}

func fillLatency(r *runtimeResult, lat []time.Duration, span time.Duration) {
	slices.Sort(lat)
	r.Seconds = span.Seconds()
	if r.Seconds > 0 {
		r.PerSecond = float64(r.Done) / r.Seconds
	}
	r.P50Ms, r.P99Ms, r.MaxMs = ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), ms(quantile(lat, 1))
}

func deliveryScenario(ctx context.Context, c *client.Client, platform *platformProcess, recv *receiver, appID string, rate int, d time.Duration) (runtimeResult, error) {
	r := runtimeResult{Scenario: "deliveries", Rate: rate}
	recv.reset()
	cpu0 := cpuTime(platform.pid())
	eventRate := rate / benchHooks
	var failedCalls atomic.Int64
	start := time.Now()
	events := pace(ctx, eventRate, d, func(i int) {
		data := map[string]any{"bench_sent": time.Now().UnixNano(), "seq": i}
		if _, err := c.PublishEvent(ctx, api.EventInput{Type: "bench.ping", ApplicationID: &appID, Data: &data}); err != nil {
			failedCalls.Add(1)
		}
	})
	r.Offered = (events - int(failedCalls.Load())) * benchHooks
	err := recv.waitFor(ctx, r.Offered, 120*time.Second)
	r.ServerCPUSeconds = (cpuTime(platform.pid()) - cpu0).Seconds()
	lat, last := recv.latencies()
	r.Done = len(lat)
	r.Failed = int(failedCalls.Load())*benchHooks + max(r.Offered-r.Done, 0)
	fillLatency(&r, lat, last.Sub(start))
	return r, err
}

// receiver is the loopback webhook receiver: it answers 204 at once and notes when each
// delivery arrived and, from the event's data, when its event was published.
type receiver struct {
	url string
	srv *http.Server

	mu      sync.Mutex
	lat     []time.Duration
	last    time.Time
	arrived chan struct{}
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String(), arrived: make(chan struct{}, 1)}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	w.WriteHeader(http.StatusNoContent)
	var v any
	sent := int64(0)
	if json.Unmarshal(body, &v) == nil {
		sent = findSent(v)
	}
	r.mu.Lock()
	if sent > 0 {
		r.lat = append(r.lat, now.Sub(time.Unix(0, sent)))
	} else {
		r.lat = append(r.lat, 0) // a delivery without a timestamp (the probe) still counts
	}
	r.last = now
	r.mu.Unlock()
	select {
	case r.arrived <- struct{}{}:
	default:
	}
}

// findSent looks for the bench_sent timestamp anywhere in a delivery's JSON body.
func findSent(v any) int64 {
	switch t := v.(type) {
	case map[string]any:
		if s, ok := t["bench_sent"].(float64); ok {
			return int64(s)
		}
		for _, x := range t {
			if s := findSent(x); s > 0 {
				return s
			}
		}
	case []any:
		for _, x := range t {
			if s := findSent(x); s > 0 {
				return s
			}
		}
	}
	return 0
}

func (r *receiver) reset() {
	r.mu.Lock()
	r.lat, r.last = nil, time.Time{}
	r.mu.Unlock()
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.lat)
}

func (r *receiver) latencies() ([]time.Duration, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lat), r.last
}

// waitFor waits until n deliveries have arrived, giving up after quiet with none.
func (r *receiver) waitFor(ctx context.Context, n int, quiet time.Duration) error {
	for r.count() < n {
		select {
		case <-r.arrived:
		case <-time.After(quiet):
			return fmt.Errorf("%d of %d deliveries arrived; none in the last %s", r.count(), n, quiet)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (r *receiver) close() { _ = r.srv.Close() }

func printRuntime(w io.Writer, rt *runtimeReport) {
	fmt.Fprintf(w, "Workflow runtime (%s)\n", rt.Database)
	if !rt.ExecutionsAvailable {
		fmt.Fprintf(w, "  executions: unavailable — %s\n", rt.ExecutionsNote)
	}
	if !rt.DeliveriesAvailable {
		fmt.Fprintf(w, "  deliveries: unavailable — %s\n", rt.DeliveriesNote)
	}
	for _, r := range append(slices.Clone(rt.Executions), rt.Deliveries...) {
		fmt.Fprintf(w, "  %-10s %-6s offered %6d  done %6d  failed %4d  %7.0f/s  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n",
			r.Scenario, rateName(r.Rate), r.Offered, r.Done, r.Failed, r.PerSecond, r.P50Ms, r.P99Ms, r.MaxMs)
	}
}

func markdownRuntime(rt *runtimeReport) string {
	var b strings.Builder
	if !rt.ExecutionsAvailable {
		fmt.Fprintf(&b, "Workflow executions: not measured — %s\n\n", rt.ExecutionsNote)
	}
	if !rt.DeliveriesAvailable {
		fmt.Fprintf(&b, "Webhook deliveries: not measured — %s\n\n", rt.DeliveriesNote)
	}
	if len(rt.Executions)+len(rt.Deliveries) == 0 {
		return b.String()
	}
	b.WriteString("| scenario | offered rate | offered | done | failed | per second | p50 ms | p99 ms | max ms |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range append(slices.Clone(rt.Executions), rt.Deliveries...) {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %.0f | %.1f | %.1f | %.1f |\n", r.Scenario, rateName(r.Rate), r.Offered,
			r.Done, r.Failed, r.PerSecond, r.P50Ms, r.P99Ms, r.MaxMs)
	}
	return b.String()
}
