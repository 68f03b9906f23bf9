package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// The noisy-neighbour scenario: one application floods the runtime with CPU-heavy executions,
// executions whose http step waits on a receiver that never answers, and events whose
// webhooks point at that receiver, while another application triggers a trivial workflow at a
// low rate. What it reports is the quiet application's trigger-to-finish (queued_at to
// finished_at, the server's clock): what one tenant sees while another misbehaves. The flood
// is not drained: only the quiet executions are waited for.

// neighbourResult is the noisy-neighbour scenario's outcome.
type neighbourResult struct {
	Seconds float64 `json:"seconds"` // how long the flood and the quiet triggers ran
	// What the noisy application asked for (accepted calls).
	NoisyCPU      int `json:"noisy_cpu_executions"`
	NoisySlowHTTP int `json:"noisy_slow_http_executions"`
	NoisyEvents   int `json:"noisy_events"`
	NoisyWebhooks int `json:"noisy_webhooks"`
	// NoisyFinished is how many of the noisy executions had finished when the quiet ones had.
	NoisyFinished int `json:"noisy_finished"`
	// The quiet application's trivial executions.
	Quiet       int `json:"quiet_executions"`
	QuietFailed int `json:"quiet_failed"`
	// QuietUnfinished had not finished two minutes after the last trigger; their latency is the
	// time they had waited by then.
	QuietUnfinished int     `json:"quiet_unfinished"`
	P50Ms           float64 `json:"quiet_p50_ms"`
	P99Ms           float64 `json:"quiet_p99_ms"`
	MaxMs           float64 `json:"quiet_max_ms"`
}

// The flood's rates (per second) and the quiet application's.
const (
	noisyCPURate   = 20
	noisySlowRate  = 10
	noisyEventRate = 10
	noisyHooks     = 5
	quietRate      = 5
	// noisyCPUExpression costs tens of milliseconds of CPU per field, within every limit of the
	// expression engine, so each execution succeeds after working hard.
	noisyCPUExpression = "len(filter(1..200000, # % 7 == 0))"
)

// hangingReceiver accepts connections and never answers: each request waits until the caller
// gives up (or the receiver closes).
type hangingReceiver struct {
	url  string
	srv  *http.Server
	done chan struct{}
}

func startHangingReceiver() (*hangingReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &hangingReceiver{url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	h.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		select {
		case <-r.Context().Done():
		case <-h.done:
		}
	})}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *hangingReceiver) close() {
	close(h.done)
	_ = h.srv.Close()
}

func runNeighbour(ctx context.Context, bin, work string, d time.Duration, log func(string, ...any)) (*neighbourResult, error) {
	dir := filepath.Join(work, "neighbour")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	hang, err := startHangingReceiver()
	if err != nil {
		return nil, err
	}
	defer hang.close()
	platform, c, err := startSQLitePlatform(ctx, bin, dir)
	if err != nil {
		return nil, err
	}
	defer platform.stop()

	desc := "noisy-neighbour benchmark"
	newApp := func(name string) (string, error) {
		a, err := c.CreateApplication(ctx, api.ApplicationInput{Name: name, Environment: api.Development, Version: "1.0.0", Description: &desc})
		if err != nil {
			return "", err
		}
		return a.ID, nil
	}
	newWorkflow := func(app, name string, steps ...api.WorkflowStep) (string, error) {
		wf, err := c.CreateWorkflow(ctx, api.WorkflowInput{ApplicationID: app, Name: name, Version: "1.0.0", Enabled: ptrBool(true),
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: steps})
		if err != nil {
			return "", fmt.Errorf("creating workflow %s: %w", name, err)
		}
		return wf.ID, nil
	}
	noisy, err := newApp("bench-noisy")
	if err != nil {
		return nil, err
	}
	quiet, err := newApp("bench-quiet")
	if err != nil {
		return nil, err
	}
	var set []api.TransformAssignment
	for i := range 3 {
		set = append(set, api.TransformAssignment{Field: fmt.Sprintf("work%d", i), Expression: noisyCPUExpression})
	}
	cpuWF, err := newWorkflow(noisy, "bench-noisy-cpu", api.WorkflowStep{Name: "grind", Type: api.Transform,
		Transform: &api.TransformStep{Set: set}})
	if err != nil {
		return nil, err
	}
	timeout := 10_000
	slowWF, err := newWorkflow(noisy, "bench-noisy-slow", api.WorkflowStep{Name: "call", Type: api.HTTP,
		HTTP: &api.HTTPStep{Method: api.POST, URL: hang.url + "/never", TimeoutMs: &timeout}})
	if err != nil {
		return nil, err
	}
	for i := range noisyHooks {
		if _, err := c.CreateWebhook(ctx, api.WebhookInput{ApplicationID: &noisy, EventTypes: []string{"noise.ping"},
			CallbackURL: fmt.Sprintf("%s/hook/%d", hang.url, i), Active: ptrBool(true), Description: &desc}); err != nil {
			return nil, fmt.Errorf("creating webhook %d: %w", i, err)
		}
	}
	quietWF, err := newWorkflow(quiet, "bench-quiet-trivial", api.WorkflowStep{Name: "double", Type: api.Transform,
		Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "total", Expression: "amount * 2"}}}})
	if err != nil {
		return nil, err
	}

	r := &neighbourResult{Seconds: d.Seconds(), NoisyWebhooks: noisyHooks}
	var cpuN, slowN, eventN, quietCalls, quietRefused atomic.Int64
	var wg sync.WaitGroup
	flood := func(rate int, ok *atomic.Int64, call func(i int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pace(ctx, rate, d, func(i int) {
				if call(i) == nil {
					ok.Add(1)
				}
			})
		}()
	}
	trigger := func(wf string) func(int) error {
		return func(i int) error {
			_, err := c.TriggerWorkflow(ctx, wf, api.TriggerRequest{Input: &map[string]any{"amount": i}})
			return err
		}
	}
	flood(noisyCPURate, &cpuN, trigger(cpuWF))
	flood(noisySlowRate, &slowN, trigger(slowWF))
	flood(noisyEventRate, &eventN, func(i int) error {
		_, err := c.PublishEvent(ctx, api.EventInput{Type: "noise.ping", ApplicationID: &noisy, Data: &map[string]any{"seq": i}})
		return err
	})
	// The quiet application starts once the flood is under way.
	time.Sleep(min(time.Second, d/4))
	quietN := pace(ctx, quietRate, d, func(i int) {
		if trigger(quietWF)(i) != nil {
			quietRefused.Add(1)
		}
		quietCalls.Add(1)
	})
	wg.Wait()
	r.NoisyCPU, r.NoisySlowHTTP, r.NoisyEvents = int(cpuN.Load()), int(slowN.Load()), int(eventN.Load())

	// Wait for the quiet executions only. Those still unfinished after two minutes count with
	// the time they have waited so far (a lower bound), so a starved application shows in p99.
	want := quietN - int(quietRefused.Load())
	deadline := time.Now().Add(120 * time.Second)
	var lat []time.Duration
	for {
		lat = lat[:0]
		done, failed, unfinished := 0, 0, 0
		now := time.Now()
		for e, err := range c.ListExecutions(ctx, client.ExecutionFilter{WorkflowID: quietWF}) {
			if err != nil {
				return r, err
			}
			switch {
			case !finished(e.Status):
				unfinished++
				lat = append(lat, now.Sub(e.QueuedAt))
			case e.Status != api.ExecutionStatusSucceeded || e.FinishedAt == nil:
				done++
				failed++
			default:
				done++
				lat = append(lat, e.FinishedAt.Sub(e.QueuedAt))
			}
		}
		if done >= want || time.Now().After(deadline) {
			r.Quiet, r.QuietFailed, r.QuietUnfinished = done+unfinished, failed+int(quietRefused.Load()), unfinished
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, wf := range []string{cpuWF, slowWF} {
		for e, err := range c.ListExecutions(ctx, client.ExecutionFilter{WorkflowID: wf}) {
			if err != nil {
				return r, err
			}
			if finished(e.Status) {
				r.NoisyFinished++
			}
		}
	}
	var q runtimeResult
	fillLatency(&q, lat, 0)
	r.P50Ms, r.P99Ms, r.MaxMs = q.P50Ms, q.P99Ms, q.MaxMs
	log("neighbour: flood %d cpu + %d slow-http executions, %d events × %d hanging webhooks; quiet %d executions (%d failed, %d unfinished): p50 %.1f ms  p99 %.1f ms  max %.1f ms",
		r.NoisyCPU, r.NoisySlowHTTP, r.NoisyEvents, noisyHooks, r.Quiet, r.QuietFailed, r.QuietUnfinished, r.P50Ms, r.P99Ms, r.MaxMs)
	return r, nil
}

func printNeighbour(w io.Writer, r *neighbourResult) {
	fmt.Fprintf(w, "Noisy neighbour (sqlite, %.0f s)\n", r.Seconds)
	fmt.Fprintf(w, "  noisy application: %d CPU-heavy executions, %d http steps to a receiver that never answers, %d events × %d hanging webhooks (%d executions finished)\n",
		r.NoisyCPU, r.NoisySlowHTTP, r.NoisyEvents, r.NoisyWebhooks, r.NoisyFinished)
	fmt.Fprintf(w, "  quiet application: %d trivial executions, %d failed, %d unfinished after 2 min; trigger-to-finish p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
		r.Quiet, r.QuietFailed, r.QuietUnfinished, r.P50Ms, r.P99Ms, r.MaxMs)
}

func markdownNeighbour(r *neighbourResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Noisy neighbour (SQLite, %.0f s): the noisy application triggered %d CPU-heavy executions and %d "+
		"executions whose http step calls a receiver that never answers, and published %d events to %d webhooks "+
		"pointing at it (%d of its executions had finished when the quiet ones had).\n\n",
		r.Seconds, r.NoisyCPU, r.NoisySlowHTTP, r.NoisyEvents, r.NoisyWebhooks, r.NoisyFinished)
	b.WriteString("| quiet executions | failed | unfinished after 2 min | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %.1f | %.1f | %.1f |\n", r.Quiet, r.QuietFailed, r.QuietUnfinished, r.P50Ms, r.P99Ms, r.MaxMs)
	return b.String()
}
