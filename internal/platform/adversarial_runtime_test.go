package platform_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/platformproc"
)

// The runtime under a hostile tenant: a receiver that never answers, an application that
// floods the queue with slow executions, a cancel that must stop a running step, and SIGTERM
// while a step hangs. Each test checks that the other tenants' work still runs and that nothing
// is lost, and the runtime's bounds (SECURITY.md).

// hangingServer answers no request until it is released (unblock) or the test ends: a receiver
// or an external system that never answers, or one that holds an execution in its http step.
// It counts the requests in flight and the most it ever held at once.
type hangingServer struct {
	*httptest.Server
	arrived chan time.Time
	// gone receives the moment a caller gave its request up.
	gone chan time.Time

	mu                sync.Mutex
	inFlight, maxSeen int
	release           chan struct{}
}

func startHangingServer(t *testing.T) *hangingServer {
	h := &hangingServer{arrived: make(chan time.Time, 1024), gone: make(chan time.Time, 1024), release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body: only then does the server notice the caller hang up (r.Context ends).
		_, _ = io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		h.inFlight++
		h.maxSeen = max(h.maxSeen, h.inFlight)
		h.mu.Unlock()
		defer func() {
			h.mu.Lock()
			h.inFlight--
			h.mu.Unlock()
		}()
		h.arrived <- time.Now()
		select {
		case <-r.Context().Done():
			h.gone <- time.Now()
		case <-h.release:
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(func() {
		h.unblock()
		h.Close()
	})
	return h
}

var hangingMu sync.Mutex

// unblock answers every request held and every later one.
func (h *hangingServer) unblock() {
	hangingMu.Lock()
	defer hangingMu.Unlock()
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}

func (h *hangingServer) waitArrivals(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-h.arrived:
		case <-time.After(15 * time.Second):
			t.Fatalf("only %d of %d requests reached the hanging server", i, n)
		}
	}
}

func (h *hangingServer) maxInFlight() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.maxSeen
}

// trivialWorkflow sets one field: it needs a worker for milliseconds.
func trivialWorkflow(appID string) api.WorkflowInput {
	return api.WorkflowInput{ApplicationID: appID, Name: "trivial", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
		Steps: []api.WorkflowStep{{Name: "price", Type: api.Transform,
			Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "total", Expression: "amount * 2"}}}}}}
}

// hangingWorkflow calls a server that never answers, with the longest timeout the contract
// allows: each execution holds a worker until it is stopped.
func hangingWorkflow(appID, url string) api.WorkflowInput {
	return api.WorkflowInput{ApplicationID: appID, Name: "hanging", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
		Steps:   []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: url, TimeoutMs: ptr(60000)}}}}
}

// countStatus counts a workflow's executions with a status.
func countStatus(t *testing.T, c *api.ClientWithResponses, workflowID string, status api.ExecutionStatus) int {
	t.Helper()
	resp := must(c.ListExecutionsWithResponse(context.Background(), &api.ListExecutionsParams{WorkflowID: &workflowID, Status: &status, PageSize: ptr(100)}))
	if resp.JSON200 == nil {
		t.Fatalf("list executions: %d %s", resp.StatusCode(), resp.Body)
	}
	return len(resp.JSON200.Items)
}

// One application floods the queue with executions that hold their worker (an http step to a
// server that never answers), three times as many as there are workers. Another application's
// trivial execution is claimed ahead of the flood's backlog and succeeds while the flood still
// waits; the flood never holds more than all workers but one; and once its server answers,
// every flooded execution runs to the end.
func TestAdversarialFloodDoesNotStarveOtherApplications(t *testing.T) {
	t.Parallel()
	const workers, flood = 4, 12
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime(func(c *platform.Config) { c.Workers = workers })},
		func(t *testing.T, inst *platformtest.Instance) {
			c := inst.Client
			slow := startHangingServer(t)
			noisy := createWorkflow(t, c, hangingWorkflow(createApp(t, c, "noisy"), slow.URL))
			quiet := createWorkflow(t, c, trivialWorkflow(createApp(t, c, "quiet")))
			var flooded []string
			for range flood {
				flooded = append(flooded, trigger(t, c, noisy.ID, nil))
			}
			// The flood takes every worker it may: all but one.
			slow.waitArrivals(t, workers-1)

			exe := waitExecution(t, c, trigger(t, c, quiet.ID, map[string]any{"amount": 21}))
			if exe.Status != api.ExecutionStatusSucceeded || (*exe.Output)["total"] != 42.0 {
				t.Fatalf("the quiet application's execution: %s", mustJSON(t, exe))
			}
			// It was claimed ahead of the flood's backlog, not after it.
			if queued := countStatus(t, c, noisy.ID, api.ExecutionStatusQueued); queued != flood-(workers-1) {
				t.Errorf("when the quiet execution finished, %d flooded executions were queued, want %d (the backlog, untouched)", queued, flood-(workers-1))
			}
			if running := countStatus(t, c, noisy.ID, api.ExecutionStatusRunning); running != workers-1 {
				t.Errorf("the flood runs %d executions, want %d (all workers but one)", running, workers-1)
			}

			slow.unblock()
			for _, id := range flooded {
				if exe := waitExecution(t, c, id); exe.Status != api.ExecutionStatusSucceeded {
					t.Errorf("flooded execution %s: %s", id, mustJSON(t, exe))
				}
			}
			if got := slow.maxInFlight(); got > workers-1 {
				t.Errorf("the flood held %d workers at once, want at most %d", got, workers-1)
			}
		})
}

// A webhook receiver that never answers gets at most all delivery workers but one at once,
// each for at most the delivery timeout; meanwhile another application's deliveries are made
// and its executions run, and the hanging deliveries are retried later, not lost.
func TestAdversarialReceiverThatNeverAnswers(t *testing.T) {
	t.Parallel()
	const deliveryWorkers, hanging = 4, 10
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime(func(c *platform.Config) {
		c.DeliveryWorkers = deliveryWorkers
		// Longer than the test waits for the other application: its deliveries must not wait
		// for the hanging attempts to time out.
		c.DeliveryTimeout = 30 * time.Second
	})}, func(t *testing.T, inst *platformtest.Instance) {
		c := inst.Client
		silent := startHangingServer(t)
		noisyApp, quietApp := createApp(t, c, "noisy"), createApp(t, c, "quiet")
		noisyHook := createWebhook(t, c, api.WebhookInput{EventTypes: []string{"order.created"}, CallbackURL: silent.URL + "/hooks", ApplicationID: &noisyApp})
		rc := startReceiver(t)
		quietHook := rc.subscribe(t, c, quietApp, "order.created")
		quietWf := createWorkflow(t, c, trivialWorkflow(quietApp))

		var noisyDeliveries []string
		for range hanging {
			ev := publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &noisyApp})
			noisyDeliveries = append(noisyDeliveries, ev.DeliveryIds...)
		}
		silent.waitArrivals(t, deliveryWorkers-1)

		ev := publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &quietApp})
		if d := waitDelivery(t, c, quietHook.ID, ev.DeliveryIds[0]); d.Status != api.DeliveryStatusSucceeded {
			t.Fatalf("the quiet application's delivery: %s", mustJSON(t, d))
		}
		if exe := waitExecution(t, c, trigger(t, c, quietWf.ID, map[string]any{"amount": 1})); exe.Status != api.ExecutionStatusSucceeded {
			t.Fatalf("the quiet application's execution: %s", mustJSON(t, exe))
		}
		if got := silent.maxInFlight(); got != deliveryWorkers-1 {
			t.Errorf("the silent receiver held %d delivery workers at once, want %d (all but one)", got, deliveryWorkers-1)
		}
		// Nothing of the noisy application's was lost: its deliveries are pending, to retry.
		resp := must(c.ListWebhookDeliveriesWithResponse(context.Background(), noisyHook.ID, &api.ListWebhookDeliveriesParams{PageSize: ptr(100)}))
		if resp.JSON200 == nil || len(resp.JSON200.Items) != len(noisyDeliveries) {
			t.Fatalf("noisy deliveries: %d %s", resp.StatusCode(), resp.Body)
		}
		for _, d := range resp.JSON200.Items {
			if d.Status != api.DeliveryStatusPending {
				t.Errorf("noisy delivery %s: %s", d.ID, mustJSON(t, d))
			}
		}
	})
}

// A cancel stops the running step within a second, measured from the cancel's answer to the
// moment the step's call is abandoned (the server it waits on sees the connection end), when
// the execution runs on the replica that answered the cancel, and when it runs on another one
// (PostgreSQL: that replica notices within CancelCheckInterval, 500 ms).
func TestAdversarialCancelStopsTheRunningStepWithinOneSecond(t *testing.T) {
	t.Parallel()
	// The bound is the promise; the check allows for a loaded test machine only as far as the
	// promise does (it is measured from the cancel's answer, so request latency is excluded).
	const bound = time.Second
	check := func(t *testing.T, c, canceler *api.ClientWithResponses) {
		t.Helper()
		hang := startHangingServer(t)
		wf := createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), hang.URL))
		id := trigger(t, c, wf.ID, nil)
		hang.waitArrivals(t, 1)
		resp := must(canceler.CancelExecutionWithResponse(context.Background(), id, &api.CancelExecutionParams{}))
		answered := time.Now()
		if resp.JSON200 == nil || resp.JSON200.Status != api.ExecutionStatusCanceled {
			t.Fatalf("cancel: %d %s", resp.StatusCode(), resp.Body)
		}
		var stopped time.Time
		select {
		case stopped = <-hang.gone:
		case <-time.After(10 * time.Second):
			t.Fatal("the running step was not stopped within 10 s of the cancel")
		}
		took := stopped.Sub(answered)
		t.Logf("the running step stopped %s after the cancel's answer", took)
		if took > bound {
			t.Errorf("the running step stopped %s after the cancel's answer, want within %s", took, bound)
		}
		// The cancel's answer holds no step yet; the worker records them just after the step
		// stopped.
		exe := waitExecution(t, c, id)
		for deadline := time.Now().Add(10 * time.Second); len(exe.Steps) == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
			exe = waitExecution(t, c, id)
		}
		if exe.Status != api.ExecutionStatusCanceled || mustJSON(t, stepStatuses(exe)) != `["call:failed","mark:skipped","announce:skipped"]` ||
			deref(exe.Steps[0].Error) != "canceled while running" {
			t.Errorf("the canceled execution: %s", mustJSON(t, exe))
		}
	}
	t.Run("same replica", func(t *testing.T) {
		platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
			check(t, inst.Client, inst.Client)
		})
	})
	t.Run("another replica", func(t *testing.T) {
		t.Parallel()
		url := pgtest.Start(t)
		runner := platformtest.Start(t, platformtest.WithDatabase(url), fastRuntime())
		// An API-only replica answers the cancel; the execution runs on the other.
		apiOnly := platformtest.Start(t, platformtest.WithDatabase(url), fastRuntime(func(c *platform.Config) { c.Workers = -1 }))
		check(t, runner.Client, apiOnly.ClientFor(runner.OwnerKey))
	})
	t.Run("the real server process", func(t *testing.T) {
		t.Parallel()
		proc := platformproc.Start(t, platformproc.Config{Args: []string{"--allow-loopback-callbacks"}})
		c := processClient(t, proc)
		check(t, c, c)
	})
}

// processClient is an owner's API client of a server process.
func processClient(t *testing.T, proc *platformproc.Process) *api.ClientWithResponses {
	t.Helper()
	c, err := api.NewClientWithResponses(proc.URL+"/api/v1", api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+proc.OwnerKey)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SIGTERM to the real server while a step waits on a server that never answers: the process
// ends within its shutdown timeout and a short grace, not when the step would time out; after
// the restart the interrupted execution is failed visibly, and the one still queued runs.
func TestAdversarialSIGTERMEndsTheProcessWithinTheShutdownTimeout(t *testing.T) {
	t.Parallel()
	const shutdownTimeout, grace = 2 * time.Second, time.Second
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		url := d.URL(t)
		hang := startHangingServer(t)
		proc := platformproc.Start(t, platformproc.Config{DatabaseURL: url,
			Args: []string{"--allow-loopback-callbacks", "--workers", "2", "--shutdown-timeout", shutdownTimeout.String()}})
		c := processClient(t, proc)
		wf := createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), hang.URL))
		running := trigger(t, c, wf.ID, nil)
		hang.waitArrivals(t, 1)
		queued := trigger(t, c, wf.ID, nil) // two workers, one per application may run: it waits

		took, exited := proc.Terminate(shutdownTimeout + grace + 10*time.Second)
		t.Logf("the process exited %s after SIGTERM (shutdown timeout %s, grace %s)", took, shutdownTimeout, grace)
		if !exited {
			t.Fatalf("the process did not exit within %s of SIGTERM:\n%s", shutdownTimeout+grace+10*time.Second, proc.Logs())
		}
		// The bound is the timeout plus the grace; the process's own exit (closing the store,
		// flushing logs) gets one more second on a loaded machine.
		if limit := shutdownTimeout + grace + time.Second; took > limit {
			t.Errorf("the process exited %s after SIGTERM, want within %s", took, limit)
		}

		hang.unblock()
		proc.Restart()
		exe := waitExecution(t, c, running)
		if exe.Status != api.ExecutionStatusFailed || !strings.HasPrefix(deref(exe.Error), "interrupted by a server restart") ||
			mustJSON(t, stepStatuses(exe)) != `["call:failed","mark:skipped","announce:skipped"]` {
			t.Errorf("the interrupted execution after the restart: %s", mustJSON(t, exe))
		}
		if exe := waitExecution(t, c, queued); exe.Status != api.ExecutionStatusSucceeded {
			t.Errorf("the queued execution after the restart: %s", mustJSON(t, exe))
		}
	})
}

// Of two replicas on one PostgreSQL database, one leads: only it fires schedules and rescues
// expired executions, the other skips its passes; when the leader stops, the other takes over
// and rescues what the first left.
func TestLeaderAloneRunsSchedulerAndRescuer(t *testing.T) {
	t.Parallel()
	url := pgtest.Start(t)
	signals := fastRuntime(func(c *platform.Config) {
		c.TestSignals = true
		c.LeaderInterval = 50 * time.Millisecond
	})
	first := platformtest.Start(t, platformtest.WithDatabase(url), signals)
	second := platformtest.Start(t, platformtest.WithDatabase(url), signals)
	a, b := first.Server.Runtime(), second.Server.Runtime()
	if _, ok := a.Elector.TestSignals.Elected.WaitFor(5 * time.Second); !ok || !a.Elector.IsLeader() {
		t.Fatal("the first replica did not lead")
	}
	for range 3 {
		if _, ok := b.Scheduler.TestSignals.Skipped.WaitFor(5 * time.Second); !ok {
			t.Fatal("the follower's scheduler did not skip its passes")
		}
		if _, ok := b.Rescuer.TestSignals.Skipped.WaitFor(5 * time.Second); !ok {
			t.Fatal("the follower's rescuer did not skip its passes")
		}
		if _, ok := a.Scheduler.TestSignals.Ran.WaitFor(5 * time.Second); !ok {
			t.Fatal("the leader's scheduler did not run")
		}
	}
	if b.Elector.IsLeader() {
		t.Fatal("both replicas lead")
	}
	select {
	case <-b.Scheduler.TestSignals.Ran.C():
		t.Fatal("the follower fired schedules")
	case <-b.Rescuer.TestSignals.Ran.C():
		t.Fatal("the follower rescued executions")
	default:
	}

	stop(first)
	if _, ok := b.Elector.TestSignals.Elected.WaitFor(5 * time.Second); !ok {
		t.Fatal("the second replica did not take over when the leader stopped")
	}
	// The new leader rescues an execution whose server died.
	c := second.ClientFor(first.OwnerKey)
	id := insertExpiredExecution(t, second, createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), "http://127.0.0.1:1")))
	if exe := waitExecution(t, c, id, api.ExecutionStatusFailed); !strings.HasPrefix(deref(exe.Error), "interrupted by a server restart") {
		t.Errorf("rescued execution: %s", mustJSON(t, exe))
	}
}
