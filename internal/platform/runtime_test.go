package platform_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// stop closes an instance now, as a server being shut down.
func stop(inst *platformtest.Instance) {
	inst.HTTP.Close()
	_ = inst.Server.Close()
}

func TestExecutionsSurviveServerRestarts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		url := d.URL(t)
		// The first server only serves the API: what it queues waits in the database.
		first := platformtest.Start(t, platformtest.WithDatabase(url), fastRuntime(func(c *platform.Config) { c.Workers = -1 }))
		appID := createApp(t, first.Client, "order-management")
		wf := createWorkflow(t, first.Client, orderPipeline(appID, "http://127.0.0.1:1"))
		var queued []string
		for i := range 5 {
			queued = append(queued, trigger(t, first.Client, wf.ID, map[string]any{"amount": 20000 + i}))
		}

		// The second is stopped while an execution waits in an http step: it fails visibly.
		receiver := startHangingServer(t)
		second := platformtest.Start(t, platformtest.WithDatabase(url),
			fastRuntime(func(c *platform.Config) { c.ShutdownTimeout = 100 * time.Millisecond }))
		c := second.ClientFor(first.OwnerKey)
		slow := createWorkflow(t, c, slowWorkflow(appID, receiver.URL))
		for _, id := range queued {
			if exe := waitExecution(t, c, id); exe.Status != api.ExecutionStatusFailed || deref(exe.Error) != "Amount exceeds limit" {
				t.Errorf("queued execution %s: %s", id, mustJSON(t, exe))
			}
		}
		interrupted := trigger(t, c, slow.ID, nil)
		receiver.waitArrivals(t, 1)
		stop(first)
		stop(second)

		third := platformtest.Start(t, platformtest.WithDatabase(url), fastRuntime())
		c = third.ClientFor(first.OwnerKey)
		exe := waitExecution(t, c, interrupted)
		if exe.Status != api.ExecutionStatusFailed || !strings.HasPrefix(deref(exe.Error), "interrupted by a server restart") ||
			mustJSON(t, stepStatuses(exe)) != `["call:failed","mark:skipped","announce:skipped"]` || deref(exe.Steps[0].Error) != "interrupted by a server restart" {
			t.Errorf("interrupted execution: %s", mustJSON(t, exe))
		}
	})
}

func TestExpiredLeaseIsRecovered(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		c := inst.Client
		wf := createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), "http://127.0.0.1:1"))
		id := insertExpiredExecution(t, inst, wf)
		got := waitExecution(t, c, id, api.ExecutionStatusFailed)
		if !strings.HasPrefix(deref(got.Error), "interrupted by a server restart") || got.FinishedAt == nil ||
			mustJSON(t, stepStatuses(got)) != `["call:succeeded","mark:failed","announce:skipped"]` {
			t.Errorf("recovered execution: %s", mustJSON(t, got))
		}
	})
}

// insertExpiredExecution stores what a server that crashed leaves: a running execution of wf
// with one step done and a lease that has run out. It returns its id.
func insertExpiredExecution(t *testing.T, inst *platformtest.Instance, wf api.Workflow) string {
	t.Helper()
	ctx := context.Background()
	now := inst.Server.Now()
	exe := api.Execution{ID: store.NewID("exe"), WorkflowID: wf.ID, WorkflowVersion: wf.Version, Status: api.ExecutionStatusRunning,
		TriggerType: api.TriggerTypeManual, Input: map[string]any{}, QueuedAt: now.Add(-time.Minute), StartedAt: ptr(now.Add(-time.Minute)),
		Steps: []api.StepResult{{Name: "call", Type: api.HTTP, Status: api.StepResultStatusSucceeded}}}
	err := inst.Server.Store().Tx(ctx, func(q *store.Q) error {
		if err := q.InsertExecution(ctx, exe, 0); err != nil {
			return err
		}
		return q.UpdateExecution(ctx, exe, &store.Lease{Owner: "srv_crashed", Until: now.Add(-time.Second)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return exe.ID
}

// twoReplicas starts two servers on one throw-away PostgreSQL database, with a client for
// each acting as the same owner.
func twoReplicas(t *testing.T) (a, b *platformtest.Instance, ca, cb *api.ClientWithResponses) {
	t.Helper()
	url := pgtest.Start(t)
	a = platformtest.Start(t, platformtest.WithDatabase(url), fastRuntime())
	b = platformtest.Start(t, platformtest.WithDatabase(url), fastRuntime())
	return a, b, a.Client, b.ClientFor(a.OwnerKey)
}

// throughBoth runs call for i from 0 to n-1 at once, the even ones through ca and the odd
// ones through cb, and returns when all have.
func throughBoth(n int, ca, cb *api.ClientWithResponses, call func(i int, c *api.ClientWithResponses)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := ca
			if i%2 == 1 {
				c = cb
			}
			call(i, c)
		})
	}
	wg.Wait()
}

func TestReplicasRunEachExecutionOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[float64]int{}
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var doc struct{ N float64 }
		_ = json.NewDecoder(r.Body).Decode(&doc)
		mu.Lock()
		calls[doc.N]++
		mu.Unlock()
	}))
	t.Cleanup(counter.Close)

	a, b, ca, cb := twoReplicas(t)
	wf := createWorkflow(t, ca, api.WorkflowInput{ApplicationID: createApp(t, ca, "order-management"), Name: "count", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
		Steps:   []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: counter.URL}}}})
	const n = 50
	ids := make([]string, n)
	throughBoth(n, ca, cb, func(i int, c *api.ClientWithResponses) { ids[i] = trigger(t, c, wf.ID, map[string]any{"n": i}) })
	for _, id := range ids {
		if exe := waitExecution(t, ca, id); exe.Status != api.ExecutionStatusSucceeded {
			t.Fatalf("execution %s: %s", id, mustJSON(t, exe))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if calls[float64(i)] != 1 {
			t.Errorf("execution %d ran %d times", i, calls[float64(i)])
		}
	}
	ranA, ranB := succeededCount(t, a), succeededCount(t, b)
	if ranA+ranB != n {
		t.Errorf("the replicas ran %v + %v executions, want %d in all", ranA, ranB, n)
	}
	t.Logf("replica a ran %v executions, replica b %v", ranA, ranB)
}

// succeededCount is how many executions a server's registry counts as succeeded.
func succeededCount(t *testing.T, inst *platformtest.Instance) float64 {
	t.Helper()
	families, err := inst.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, f := range families {
		if f.GetName() != "lowcode_executions_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "status" && l.GetValue() == "succeeded" {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

func TestExecutionDataIsRedactedByClassification(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		pol := must(c.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, api.ClassificationPolicyInput{
			Name: "payment-cards", Level: api.Restricted, Encryption: api.AtRestTransitFieldLevel, Access: api.NeedToKnow,
			FieldPatterns: []string{"card_number"}, ApplicationID: &appID}))
		if pol.JSON201 == nil {
			t.Fatalf("policy: %d %s", pol.StatusCode(), pol.Body)
		}
		wf := createWorkflow(t, c, api.WorkflowInput{ApplicationID: appID, Name: "charge", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps: []api.WorkflowStep{{Name: "copy", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
				{Field: "payment.card_number", Expression: "card_number"}}}}}})
		id := trigger(t, c, wf.ID, map[string]any{"card_number": "4111111111111111", "amount": 12.5})
		owner := waitExecution(t, c, id)
		if owner.Input["card_number"] != "4111111111111111" || owner.RedactedFields != nil {
			t.Fatalf("the owner's view: %s", mustJSON(t, owner))
		}

		_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: appID})
		_, needKey := inst.NewUser("billing@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: appID},
			platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeData, ScopeID: pol.JSON201.ID})
		viewer := waitExecution(t, inst.ClientFor(viewerKey), id)
		wantMasked := `["input.card_number","output.card_number","output.payment.card_number","steps[0].output.payment.card_number"]`
		if viewer.Input["card_number"] != "[REDACTED]" || viewer.Input["amount"] != 12.5 || mustJSON(t, viewer.RedactedFields) != wantMasked ||
			strings.Contains(mustJSON(t, viewer), "4111111111111111") {
			t.Errorf("the viewer's view: %s", mustJSON(t, viewer))
		}
		list := must(inst.ClientFor(viewerKey).ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{}))
		if list.JSON200 == nil || strings.Contains(string(list.Body), "4111111111111111") || len(list.JSON200.Items) != 1 {
			t.Errorf("the viewer's list: %s", list.Body)
		}
		if need := waitExecution(t, inst.ClientFor(needKey), id); need.Input["card_number"] != "4111111111111111" || need.RedactedFields != nil {
			t.Errorf("the need-to-know view: %s", mustJSON(t, need))
		}
	})
}

// TestCloseLeavesNoGoroutines runs executions and deliveries, closes the server, and checks
// that none of the runtime's goroutines or outgoing connections outlive Close. It is not
// parallel, so no other test's servers run meanwhile.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	rc := startReceiver(t)
	crm := startCRM(t)
	for round := range 3 {
		inst := platformtest.Start(t, fastRuntime())
		c := inst.Client
		appID := createApp(t, c, "order-management")
		wf := createWorkflow(t, c, orderPipeline(appID, crm.URL))
		rc.subscribe(t, c, appID, "order.validated")
		if exe := waitExecution(t, c, trigger(t, c, wf.ID, map[string]any{"order_id": fmt.Sprint(round), "amount": 1})); exe.Status != api.ExecutionStatusSucceeded {
			t.Fatalf("execution: %s", mustJSON(t, exe))
		}
		waitAttempts(t, rc, round+1)
		stop(inst)
	}
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for {
		leaked := runtimeGoroutines()
		if leaked == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines outlived Close:\n%s", leaked)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runtimeGoroutines returns the stacks of goroutines of the platform's runtime (the server's
// and its runtime services') and of outgoing HTTP connections.
func runtimeGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "internal/platform.(*Server)") || strings.Contains(g, "internal/platform/runtime.") ||
			strings.Contains(g, "net/http.(*persistConn)") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

func TestRuntimeMetrics(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	c := inst.Client
	appID := createApp(t, c, "order-management")
	wf := createWorkflow(t, c, orderPipeline(appID, "http://127.0.0.1:1"))
	rc := startReceiver(t)
	hook := rc.subscribe(t, c, appID, "order.created")
	waitExecution(t, c, trigger(t, c, wf.ID, map[string]any{"amount": 20000}))
	ev := publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &appID})
	waitDelivery(t, c, hook.ID, ev.DeliveryIds[0])

	resp, err := http.Get(inst.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`lowcode_executions_total{status="failed"} 1`,
		`lowcode_execution_duration_seconds_count{status="failed"} 1`,
		`lowcode_webhook_delivery_attempts_total{outcome="succeeded"} 1`,
		`lowcode_executions_queued 0`,
		`lowcode_webhook_deliveries_pending 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// BenchmarkExecutionThroughput queues b.N executions of a two-step workflow through the API
// and waits for all of them: executions per second end to end, on each database.
func BenchmarkExecutionThroughput(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d.Name), func(b *testing.B) {
			inst := platformtest.Start(b, platformtest.WithoutResponseValidation(), fastRuntime(), platformtest.WithDatabase(d.URL(b)))
			c := inst.Client
			wf := createWorkflowB(b, c, api.WorkflowInput{ApplicationID: createAppB(b, c), Name: "bench", Version: "1.0.0",
				Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
				Steps: []api.WorkflowStep{
					{Name: "check", Type: api.Validate, Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "Amount exceeds limit"}},
					{Name: "price", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "total", Expression: "amount * 2"}}}},
				}})
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				resp, err := c.TriggerWorkflowWithResponse(ctx, wf, &api.TriggerWorkflowParams{}, api.TriggerRequest{Input: &map[string]any{"amount": i}})
				if err != nil || resp.JSON202 == nil {
					b.Fatalf("trigger: %v", err)
				}
			}
			for {
				var open int
				if err := dbQueryRowB(inst, "SELECT COUNT(*) FROM executions WHERE status IN ('queued', 'running')").Scan(&open); err != nil {
					b.Fatal(err)
				}
				if open == 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
		})
	}
}

func createAppB(b *testing.B, c *api.ClientWithResponses) string {
	resp, err := c.CreateApplicationWithResponse(context.Background(), &api.CreateApplicationParams{}, api.ApplicationInput{
		Name: "bench", Environment: api.Production, Version: "1.0.0"})
	if err != nil || resp.JSON201 == nil {
		b.Fatalf("application: %v", err)
	}
	return resp.JSON201.ID
}

func createWorkflowB(b *testing.B, c *api.ClientWithResponses, in api.WorkflowInput) string {
	resp, err := c.CreateWorkflowWithResponse(context.Background(), &api.CreateWorkflowParams{}, in)
	if err != nil || resp.JSON201 == nil {
		b.Fatalf("workflow: %v", err)
	}
	return resp.JSON201.ID
}

func dbQueryRowB(inst *platformtest.Instance, query string) *sql.Row {
	return inst.Server.Store().DB().QueryRowContext(context.Background(), query)
}

// Two replicas on one PostgreSQL database share webhook deliveries without making any twice:
// each delivery reaches the receiver exactly once, whichever replica published its event.
func TestReplicasDeliverEachWebhookOnce(t *testing.T) {
	t.Parallel()
	_, _, ca, cb := twoReplicas(t)
	rc := startReceiver(t)
	hook := rc.subscribe(t, ca, "", "order.created")
	const n = 50
	events := make([]*api.PublishEventResponse, n)
	errs := make([]error, n)
	throughBoth(n, ca, cb, func(i int, c *api.ClientWithResponses) {
		events[i], errs[i] = c.PublishEventWithResponse(context.Background(), &api.PublishEventParams{},
			api.EventInput{Type: "order.created", Data: &map[string]any{"n": i}})
	})
	var ids []string
	for i, ev := range events {
		if errs[i] != nil || ev.JSON202 == nil || len(ev.JSON202.DeliveryIds) != 1 {
			t.Fatalf("publishing event %d: %v %+v", i, errs[i], ev)
		}
		ids = append(ids, ev.JSON202.DeliveryIds[0])
	}
	for _, id := range ids {
		if d := waitDelivery(t, ca, hook.ID, id); d.Status != api.DeliveryStatusSucceeded || len(d.Attempts) != 1 {
			t.Fatalf("delivery %s: %s", id, mustJSON(t, d))
		}
	}
	accepted, attempts, invalid := rc.snapshot()
	seen := map[string]int{}
	for _, id := range attempts {
		seen[id]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("delivery %s reached the receiver %d times, want once", id, seen[id])
		}
	}
	if len(attempts) != n || len(accepted) != n || len(invalid) != 0 {
		t.Errorf("the receiver got %d requests, accepted %d, refused %d signatures; want %d, %d, 0", len(attempts), len(accepted), len(invalid), n, n)
	}
}
