package platform_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// fastRuntime makes the runtime quick enough for tests: short polls, leases and retry waits.
func fastRuntime(extra ...func(*platform.Config)) platformtest.Option {
	return platformtest.WithConfig(func(c *platform.Config) {
		c.PollInterval = 20 * time.Millisecond
		c.LeaseDuration = 2 * time.Second
		c.ShutdownTimeout = 2 * time.Second
		c.DeliveryRetrySchedule = []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
		c.DeliveryTimeout = 2 * time.Second
		for _, f := range extra {
			f(c)
		}
	})
}

func trigger(t *testing.T, c *api.ClientWithResponses, workflowID string, input map[string]any) string {
	t.Helper()
	if input == nil {
		input = map[string]any{}
	}
	resp := must(c.TriggerWorkflowWithResponse(context.Background(), workflowID, &api.TriggerWorkflowParams{}, api.TriggerRequest{Input: &input}))
	if resp.JSON202 == nil || resp.JSON202.Status != api.ExecutionStatusQueued {
		t.Fatalf("trigger %s: %d %s", workflowID, resp.StatusCode(), resp.Body)
	}
	return resp.JSON202.ExecutionID
}

// waitExecution polls an execution until it has one of the statuses, and returns it.
func waitExecution(t *testing.T, c *api.ClientWithResponses, id string, statuses ...api.ExecutionStatus) api.Execution {
	t.Helper()
	if len(statuses) == 0 {
		statuses = []api.ExecutionStatus{api.ExecutionStatusSucceeded, api.ExecutionStatusFailed, api.ExecutionStatusCanceled}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp := must(c.GetExecutionWithResponse(context.Background(), id))
		if resp.JSON200 == nil {
			t.Fatalf("get execution %s: %d %s", id, resp.StatusCode(), resp.Body)
		}
		if slices.Contains(statuses, resp.JSON200.Status) {
			return *resp.JSON200
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s is still %s, want %v: %s", id, resp.JSON200.Status, statuses, resp.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// crm is the seed's CRM as a loopback receiver: it records what it is sent and answers with
// a CRM id.
type crm struct {
	*httptest.Server
	mu       sync.Mutex
	received []map[string]any
}

func startCRM(t *testing.T) *crm {
	c := &crm{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		c.mu.Lock()
		c.received = append(c.received, body)
		c.mu.Unlock()
		if r.Header.Get("X-Api-Key") != "crm-key" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"crm_id":"C-77"}`)
	}))
	t.Cleanup(c.Close)
	return c
}

// orderPipeline uses all four step types: validate, transform, http (to the CRM), emit.
func orderPipeline(appID, crmURL string) api.WorkflowInput {
	return api.WorkflowInput{
		ApplicationID: appID, Name: "order-pipeline", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
		Steps: []api.WorkflowStep{
			{Name: "check-amount", Type: api.Validate,
				Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "Amount exceeds limit"}},
			{Name: "price", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
				{Field: "total", Expression: "amount * 2"},
				{Field: "customer.tier", Expression: `total > 5000 ? "gold" : "standard"`},
			}}},
			{Name: "sync-crm", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: crmURL + "/api/orders",
				Headers: &map[string]string{"X-Api-Key": "crm-key"}, Body: ptr("{id: order_id, total: total}"), ResultField: ptr("crm")}},
			{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.validated",
				Data: ptr("{order_id: order_id, crm_id: crm.body.crm_id}")}},
		},
	}
}

func TestExecutionRunsAllStepTypes(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		receiver := startCRM(t)
		wf := createWorkflow(t, c, orderPipeline(createApp(t, c, "order-management"), receiver.URL))

		id := trigger(t, c, wf.ID, map[string]any{"order_id": "A-1", "amount": 3000})
		exe := waitExecution(t, c, id)
		if exe.Status != api.ExecutionStatusSucceeded || exe.Error != nil {
			t.Fatalf("execution %s: %s", exe.Status, mustJSON(t, exe))
		}
		want := map[string]any{"order_id": "A-1", "amount": 3000.0, "total": 6000.0, "customer": map[string]any{"tier": "gold"},
			"crm": map[string]any{"status": 201.0, "body": map[string]any{"crm_id": "C-77"}}}
		if mustJSON(t, deref(exe.Output)) != mustJSON(t, want) {
			t.Errorf("output\n got %s\nwant %s", mustJSON(t, deref(exe.Output)), mustJSON(t, want))
		}
		if exe.WorkflowID != wf.ID || exe.WorkflowVersion != "1.0.0" || exe.TriggerType != api.TriggerTypeManual ||
			exe.StartedAt == nil || exe.FinishedAt == nil || exe.DurationMs == nil || exe.StartedAt.Before(exe.QueuedAt) {
			t.Errorf("execution fields: %s", mustJSON(t, exe))
		}
		var names []string
		for _, st := range exe.Steps {
			names = append(names, st.Name+":"+string(st.Status))
			if st.StartedAt == nil || st.FinishedAt == nil || st.DurationMs == nil {
				t.Errorf("step %s has no timings", st.Name)
			}
		}
		if want := []string{"check-amount:succeeded", "price:succeeded", "sync-crm:succeeded", "announce:succeeded"}; !slices.Equal(names, want) {
			t.Fatalf("steps %v, want %v", names, want)
		}
		if got := mustJSON(t, exe.Steps[1].Output); got != `{"customer":{"tier":"gold"},"total":6000}` {
			t.Errorf("transform output %s", got)
		}
		emitted, _ := exe.Steps[3].Output.(map[string]any)
		if id, _ := emitted["event_id"].(string); !strings.HasPrefix(id, "evt_") {
			t.Errorf("emit output %v has no event id", exe.Steps[3].Output)
		}
		receiver.mu.Lock()
		if len(receiver.received) != 1 || mustJSON(t, receiver.received[0]) != `{"id":"A-1","total":6000}` {
			t.Errorf("the CRM received %v", receiver.received)
		}
		receiver.mu.Unlock()

		// The emitted event is known, from the emit step and as published.
		types := must(c.ListEventTypesWithResponse(ctx))
		if types.JSON200 == nil || !slices.ContainsFunc(types.JSON200.Items, func(et api.EventType) bool {
			return et.Name == "order.validated" && slices.Equal(et.Sources, []api.EventTypeSources{api.EventTypeSourcesEmitStep, api.EventTypeSourcesPublished})
		}) {
			t.Errorf("event types %s", types.Body)
		}

		// Over the limit: the validate step fails the execution with its message, the rest is
		// skipped and the CRM is not called.
		id = trigger(t, c, wf.ID, map[string]any{"order_id": "A-2", "amount": 15000})
		failed := waitExecution(t, c, id)
		if failed.Status != api.ExecutionStatusFailed || deref(failed.Error) != "Amount exceeds limit" || failed.Output != nil {
			t.Fatalf("over the limit: %s", mustJSON(t, failed))
		}
		names = nil
		for _, st := range failed.Steps {
			names = append(names, st.Name+":"+string(st.Status))
		}
		if want := []string{"check-amount:failed", "price:skipped", "sync-crm:skipped", "announce:skipped"}; !slices.Equal(names, want) {
			t.Fatalf("steps %v, want %v", names, want)
		}
		if deref(failed.Steps[0].Error) != "Amount exceeds limit" {
			t.Errorf("step error %q", deref(failed.Steps[0].Error))
		}
		receiver.mu.Lock()
		if len(receiver.received) != 1 {
			t.Errorf("the CRM was called for the refused order: %v", receiver.received)
		}
		receiver.mu.Unlock()
	})
}

func TestExecutionHTTPStepFailures(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	c := inst.Client
	appID := createApp(t, c, "order-management")
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(broken.Close)
	for _, tc := range []struct {
		name, url, wantErr string
	}{
		{"non-2xx", broken.URL + "/orders?token=secret", `step "call" (http) failed: POST ` + broken.URL + `/orders answered 503 Service Unavailable`},
		// Saved before the save-time check (or under other settings): refused again when it runs.
		{"refused by the SSRF policy", "http://169.254.169.254/latest/meta-data", "169.254.169.254"},
		// The host is named, never the server's resolver.
		{"unresolvable", "http://no-such-host.invalid/orders", "cannot resolve no-such-host.invalid"},
	} {
		wf := storeWorkflow(t, inst, api.WorkflowInput{ApplicationID: appID, Name: strings.ReplaceAll(tc.name, " ", "-"), Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps:   []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: tc.url}}}})
		exe := waitExecution(t, c, trigger(t, c, wf.ID, map[string]any{"x": 1}))
		if exe.Status != api.ExecutionStatusFailed || !strings.Contains(deref(exe.Error), tc.wantErr) || strings.Contains(deref(exe.Error), "secret") ||
			strings.Contains(deref(exe.Error), ":53") {
			t.Errorf("%s: %s", tc.name, mustJSON(t, exe))
		}
	}
}

func TestTriggerRefusals(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		in := orderPipeline(appID, "https://crm.example.com")
		in.Enabled = ptr(false)
		wf := createWorkflow(t, c, in)

		p := wantProblem(t, must(c.TriggerWorkflowWithResponse(ctx, wf.ID, &api.TriggerWorkflowParams{}, api.TriggerRequest{})), http.StatusConflict)
		if !strings.Contains(deref(p.Detail), "disabled") {
			t.Errorf("detail %q does not say the workflow is disabled", deref(p.Detail))
		}
		wantProblem(t, must(c.TriggerWorkflowWithResponse(ctx, "wf_missing", &api.TriggerWorkflowParams{}, api.TriggerRequest{})), http.StatusNotFound)

		// A viewer may read but not trigger; nothing is queued by refused triggers.
		_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: appID})
		enabled := createWorkflow(t, c, renamed(orderPipeline(appID, "https://crm.example.com"), "enabled"))
		wantProblem(t, must(inst.ClientFor(viewerKey).TriggerWorkflowWithResponse(ctx, enabled.ID, &api.TriggerWorkflowParams{}, api.TriggerRequest{})), http.StatusForbidden)
		if n := countRows(t, inst, "executions", wf.ID) + countRows(t, inst, "executions", enabled.ID); n != 0 {
			t.Errorf("%d executions queued by refused triggers", n)
		}

		// The same Idempotency-Key queues one execution.
		key := "trigger-once"
		first := must(c.TriggerWorkflowWithResponse(ctx, enabled.ID, &api.TriggerWorkflowParams{IdempotencyKey: &key}, api.TriggerRequest{Input: &map[string]any{"amount": 20000}}))
		again := must(c.TriggerWorkflowWithResponse(ctx, enabled.ID, &api.TriggerWorkflowParams{IdempotencyKey: &key}, api.TriggerRequest{Input: &map[string]any{"amount": 20000}}))
		if first.JSON202 == nil || again.JSON202 == nil || first.JSON202.ExecutionID != again.JSON202.ExecutionID {
			t.Fatalf("replayed trigger: %s / %s", first.Body, again.Body)
		}
		if n := countRows(t, inst, "executions", enabled.ID); n != 1 {
			t.Errorf("%d executions for one idempotent trigger", n)
		}
	})
}

// renamed returns the input under another name.
func renamed(in api.WorkflowInput, name string) api.WorkflowInput {
	in.Name = name
	return in
}

// slowWorkflow calls the receiver, then transforms and emits.
func slowWorkflow(appID, url string) api.WorkflowInput {
	return api.WorkflowInput{ApplicationID: appID, Name: "slow", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
		Steps: []api.WorkflowStep{
			{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: url, TimeoutMs: ptr(60000)}},
			{Name: "mark", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "done", Expression: "true"}}}},
			{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.synced"}},
		}}
}

func stepStatuses(exe api.Execution) []string {
	var out []string
	for _, st := range exe.Steps {
		out = append(out, st.Name+":"+string(st.Status))
	}
	return out
}

func TestCancelExecution(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		receiver := startHangingServer(t)
		wf := createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), receiver.URL))

		id := trigger(t, c, wf.ID, map[string]any{"order_id": "A-1"})
		receiver.waitArrivals(t, 1)
		resp := must(c.CancelExecutionWithResponse(ctx, id, &api.CancelExecutionParams{}))
		if resp.JSON200 == nil || resp.JSON200.Status != api.ExecutionStatusCanceled || !strings.HasPrefix(deref(resp.JSON200.Error), "canceled by usr_") ||
			resp.JSON200.FinishedAt == nil {
			t.Fatalf("cancel: %d %s", resp.StatusCode(), resp.Body)
		}
		// The step in progress is interrupted (the receiver sees its request end) and recorded;
		// the rest never run. adversarial_runtime_test.go measures how fast.
		select {
		case <-receiver.gone:
		case <-time.After(10 * time.Second):
			t.Fatal("the running http step was not interrupted by the cancel")
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			exe := waitExecution(t, c, id)
			if exe.Status != api.ExecutionStatusCanceled {
				t.Fatalf("status %s after cancel", exe.Status)
			}
			if slices.Equal(stepStatuses(exe), []string{"call:failed", "mark:skipped", "announce:skipped"}) {
				if deref(exe.Steps[0].Error) != "canceled while running" {
					t.Errorf("the interrupted step's error: %q", deref(exe.Steps[0].Error))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("steps after cancel: %v", stepStatuses(exe))
			}
			time.Sleep(10 * time.Millisecond)
		}
		p := wantProblem(t, must(c.CancelExecutionWithResponse(ctx, id, &api.CancelExecutionParams{})), http.StatusConflict)
		if !strings.Contains(deref(p.Detail), "already finished") {
			t.Errorf("detail %q", deref(p.Detail))
		}
		wantProblem(t, must(c.CancelExecutionWithResponse(ctx, "exe_missing", &api.CancelExecutionParams{})), http.StatusNotFound)
		types := must(c.ListEventTypesWithResponse(ctx))
		if types.JSON200 == nil || slices.ContainsFunc(types.JSON200.Items, func(et api.EventType) bool {
			return slices.Contains(et.Sources, api.EventTypeSourcesPublished)
		}) {
			t.Errorf("a canceled execution emitted an event: %s", types.Body)
		}
	})
}

func TestCancelQueuedExecution(t *testing.T) {
	t.Parallel()
	// Without workers (an API-only replica) executions stay queued.
	inst := platformtest.Start(t, fastRuntime(func(c *platform.Config) { c.Workers = -1 }))
	ctx := context.Background()
	c := inst.Client
	wf := createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), "https://crm.example.com"))
	id := trigger(t, c, wf.ID, nil)
	_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeWorkflow, ScopeID: wf.ID})
	wantProblem(t, must(inst.ClientFor(viewerKey).CancelExecutionWithResponse(ctx, id, &api.CancelExecutionParams{})), http.StatusForbidden)

	resp := must(c.CancelExecutionWithResponse(ctx, id, &api.CancelExecutionParams{}))
	if resp.JSON200 == nil || resp.JSON200.Status != api.ExecutionStatusCanceled || resp.JSON200.StartedAt != nil || resp.JSON200.DurationMs != nil ||
		!slices.Equal(stepStatuses(*resp.JSON200), []string{"call:skipped", "mark:skipped", "announce:skipped"}) {
		t.Fatalf("cancel queued: %d %s", resp.StatusCode(), resp.Body)
	}
}

func TestListExecutions(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		otherApp := createApp(t, c, "analytics")
		wf := createWorkflow(t, c, orderPipeline(appID, "http://127.0.0.1:1"))
		other := createWorkflow(t, c, renamed(orderPipeline(otherApp, "http://127.0.0.1:1"), "other"))

		var ids []string
		for _, amount := range []int{20000, 30000, 40000} {
			ids = append(ids, trigger(t, c, wf.ID, map[string]any{"amount": amount}))
		}
		otherID := trigger(t, c, other.ID, map[string]any{"amount": 50000})
		for _, id := range append(slices.Clone(ids), otherID) {
			waitExecution(t, c, id)
		}
		list := func(c *api.ClientWithResponses, params api.ListExecutionsParams) []string {
			t.Helper()
			resp := must(c.ListExecutionsWithResponse(ctx, &params))
			if resp.JSON200 == nil {
				t.Fatalf("list: %d %s", resp.StatusCode(), resp.Body)
			}
			got := []string{}
			for _, e := range resp.JSON200.Items {
				got = append(got, e.ID)
			}
			return got
		}
		newestFirst := []string{ids[2], ids[1], ids[0]}
		if got := list(c, api.ListExecutionsParams{WorkflowID: &wf.ID}); !slices.Equal(got, newestFirst) {
			t.Errorf("by workflow %v, want %v", got, newestFirst)
		}
		if got := list(c, api.ListExecutionsParams{}); !slices.Equal(got, append([]string{otherID}, newestFirst...)) {
			t.Errorf("all %v", got)
		}
		if got := list(c, api.ListExecutionsParams{Status: ptr(api.ExecutionStatusSucceeded)}); len(got) != 0 {
			t.Errorf("succeeded %v, want none", got)
		}
		if got := list(c, api.ListExecutionsParams{WorkflowID: &wf.ID, PageSize: ptr(2)}); !slices.Equal(got, newestFirst[:2]) {
			t.Errorf("first page %v", got)
		}

		// Readers see the executions of the workflows they may read, and no others.
		_, appViewer := inst.NewUser("app-viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: otherApp})
		_, wfViewer := inst.NewUser("wf-viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeWorkflow, ScopeID: wf.ID})
		_, nobody := inst.NewUser("nobody@example.com")
		if got := list(inst.ClientFor(appViewer), api.ListExecutionsParams{}); !slices.Equal(got, []string{otherID}) {
			t.Errorf("application viewer sees %v", got)
		}
		if got := list(inst.ClientFor(wfViewer), api.ListExecutionsParams{}); !slices.Equal(got, newestFirst) {
			t.Errorf("workflow viewer sees %v", got)
		}
		if got := list(inst.ClientFor(nobody), api.ListExecutionsParams{}); len(got) != 0 {
			t.Errorf("a user without grants sees %v", got)
		}
		wantForbiddenScope(t, must(inst.ClientFor(appViewer).GetExecutionWithResponse(ctx, ids[0])))
		if got := must(inst.ClientFor(wfViewer).GetExecutionWithResponse(ctx, ids[0])); got.JSON200 == nil {
			t.Errorf("workflow viewer get: %d", got.StatusCode())
		}
	})
}
