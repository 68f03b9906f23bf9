package platform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// The adversarial suite for documents: what a workflow author or an API caller puts in a
// document (execution input, the document after a step, step outputs, event data, webhook
// payloads) is bounded in size (1 MiB by default, --max-document-bytes) and in nesting (64
// levels, --max-document-depth) before it is stored or sent; a record stored too deep by an
// older server never breaks listing.

// nested is a JSON object nested depth levels deep: {"a":{"a":…{}}}.
func nested(depth int) map[string]any {
	var v map[string]any
	if err := json.Unmarshal([]byte(strings.Repeat(`{"a":`, depth-1)+`{}`+strings.Repeat(`}`, depth-1)), &v); err != nil {
		panic(err)
	}
	return v
}

// stillServing checks the platform keeps serving everyone after an attack: another
// application's trivial execution succeeds and the executions list (the attacker's included)
// answers 200.
func stillServing(t *testing.T, inst *platformtest.Instance) {
	t.Helper()
	c := inst.Client
	wf := createWorkflow(t, c, counter(createApp(t, c, "bystander-"+strings.ToLower(store.NewID("b")[2:10])), "bystander", "bystander.event"))
	if exe := waitExecution(t, c, trigger(t, c, wf.ID, map[string]any{"order_id": "A-1"})); exe.Status != api.ExecutionStatusSucceeded {
		t.Errorf("another application's execution: %s", mustJSON(t, exe))
	}
	list := must(c.ListExecutionsWithResponse(context.Background(), &api.ListExecutionsParams{PageSize: ptr(1000)}))
	if list.JSON200 == nil {
		t.Errorf("listing executions: %d %.500s", list.StatusCode(), list.Body)
	}
}

// wantFieldProblem asserts a 400 on one field whose message says each of want.
func wantFieldProblem(t *testing.T, resp problemResponse, field string, want ...string) {
	t.Helper()
	p := wantProblem(t, resp, http.StatusBadRequest, field)
	for _, w := range want {
		if msg := deref(p.Errors)[0].Message; !strings.Contains(msg, w) {
			t.Errorf("the message on %s, %q, does not say %q", field, msg, w)
		}
	}
}

// storedBytes is the size of an execution's stored record.
func storedBytes(t *testing.T, inst *platformtest.Instance, id string) int {
	t.Helper()
	var n int
	if err := dbQueryRow(t, inst, "SELECT LENGTH(doc) FROM executions WHERE id = ?", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func transform(name string, set ...api.TransformAssignment) api.WorkflowStep {
	return api.WorkflowStep{Name: name, Type: api.Transform, Transform: &api.TransformStep{Set: set}}
}

func manualWorkflow(appID, name string, steps ...api.WorkflowStep) api.WorkflowInput {
	return api.WorkflowInput{ApplicationID: appID, Name: name, Version: "1.0.0", Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: steps}
}

// TestAdversarialDeepDocuments: documents nested deeper than 64 levels are refused: as a
// trigger's input or an event's data (400 naming the field and the limit, nothing stored), and
// when a step would build one (the step fails naming the limit). 64 levels are accepted.
func TestAdversarialDeepDocuments(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	ctx := context.Background()
	c := inst.Client
	app := createApp(t, c, "deep")
	plain := createWorkflow(t, c, manualWorkflow(app, "plain", transform("mark", api.TransformAssignment{Field: "seen", Expression: "true"})))

	before := countTable(t, inst, "executions")
	deep := nested(65)
	resp := must(c.TriggerWorkflowWithResponse(ctx, plain.ID, &api.TriggerWorkflowParams{}, api.TriggerRequest{Input: &deep}))
	wantFieldProblem(t, resp, "input", "deeper than 64 levels", "--max-document-depth")
	if n := countTable(t, inst, "executions"); n != before {
		t.Errorf("%d executions stored for a refused input", n-before)
	}
	if exe := waitExecution(t, c, trigger(t, c, plain.ID, nested(64))); exe.Status != api.ExecutionStatusSucceeded {
		t.Errorf("input 64 levels deep: %s", mustJSON(t, exe))
	}

	events := countTable(t, inst, "events")
	ev := must(c.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "deep.event", ApplicationID: &app, Data: &deep}))
	wantFieldProblem(t, ev, "data", "deeper than 64 levels")
	if n := countTable(t, inst, "events"); n != events {
		t.Errorf("%d events stored for refused data", n-events)
	}

	// A transform that puts a 60-level value 6 levels down builds a 65-level document.
	deeper := createWorkflow(t, c, manualWorkflow(app, "deeper",
		transform("bury", api.TransformAssignment{Field: "x.y.z.w.v.u", Expression: "a"})))
	exe := waitExecution(t, c, trigger(t, c, deeper.ID, nested(60)))
	want := `step "bury" (transform) failed: setting x.y.z.w.v.u: the document would nest deeper than 64 levels, the limit (--max-document-depth)`
	if exe.Status != api.ExecutionStatusFailed || deref(exe.Error) != want || exe.Output != nil {
		t.Errorf("transform building 65 levels: %s\nwant the error %q", mustJSON(t, exe), want)
	}
	stillServing(t, inst)
}

// TestAdversarialOversizedDocuments: documents over 1 MiB are refused before they are stored
// or sent: a transform growing the document (two 900 KB fields), an emit without data whose
// document would make a webhook payload over 1 MiB, and an event published through the API
// whose payload would.
func TestAdversarialOversizedDocuments(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	ctx := context.Background()
	c := inst.Client
	app := createApp(t, c, "big")
	rc := startReceiver(t)
	hook := rc.subscribe(t, c, app, "big.emitted")

	var fields []api.TransformAssignment
	for _, f := range []string{"f0", "f1", "f2", "f3"} {
		fields = append(fields, api.TransformAssignment{Field: f, Expression: "repeat('x', 900000)"})
	}
	grow := createWorkflow(t, c, manualWorkflow(app, "grow", transform("enrich", fields...), transform("again", fields...)))
	exe := waitExecution(t, c, trigger(t, c, grow.ID, nil))
	want := `step "enrich" (transform) failed: setting f1: the document would be larger than 1048576 bytes, the limit (--max-document-bytes)`
	if exe.Status != api.ExecutionStatusFailed || deref(exe.Error) != want || mustJSON(t, stepStatuses(exe)) != `["enrich:failed","again:skipped"]` {
		t.Errorf("transform growing past 1 MiB: %s\nwant the error %q", mustJSON(t, exe)[:min(2000, len(mustJSON(t, exe)))], want)
	}
	if n := storedBytes(t, inst, exe.ID); n > 64<<10 {
		t.Errorf("the failed execution's record is %d bytes", n)
	}

	// The document is just under 1 MiB; the webhook payload around it would not be.
	emit := createWorkflow(t, c, manualWorkflow(app, "emit-all",
		transform("fill", api.TransformAssignment{Field: "a", Expression: "repeat('x', 524250)"}, api.TransformAssignment{Field: "b", Expression: "a"}),
		api.WorkflowStep{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "big.emitted"}}))
	exe = waitExecution(t, c, trigger(t, c, emit.ID, nil))
	if exe.Status != api.ExecutionStatusFailed || !strings.HasPrefix(deref(exe.Error), `step "announce" (emit) failed: the webhook payload of big.emitted would be`) ||
		!strings.Contains(deref(exe.Error), "the limit is 1048576 bytes (--max-document-bytes)") {
		t.Errorf("emit without data over 1 MiB: %.1000s", deref(exe.Error))
	}

	// Through the API: a request body of 1 MiB (the most it may be), whose webhook payload
	// (with the event's id and timestamp) would be larger.
	events := countTable(t, inst, "events")
	data := map[string]any{"blob": ""}
	in := api.EventInput{Type: "big.emitted", ApplicationID: &app, Data: &data}
	data["blob"] = strings.Repeat("x", 1<<20-len(mustJSON(t, in)))
	resp := must(c.PublishEventWithResponse(ctx, &api.PublishEventParams{}, in))
	wantFieldProblem(t, resp, "data", "1048576", "--max-document-bytes")
	if n := countTable(t, inst, "events"); n != events {
		t.Errorf("%d events stored for a refused payload", n-events)
	}
	list := must(c.ListWebhookDeliveriesWithResponse(ctx, hook.ID, &api.ListWebhookDeliveriesParams{}))
	if list.JSON200 == nil || len(list.JSON200.Items) != 0 {
		t.Errorf("deliveries of oversized events: %.300s", list.Body)
	}
	stillServing(t, inst)
}

// TestAdversarialRecordSize: steps that each repeat a large field keep every document within
// its limit (here --max-document-bytes 64 KiB), but an execution's record (input, step outputs,
// output) holds at most 4 documents' worth, so the fourth step of eight fails.
func TestAdversarialRecordSize(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime(func(c *platform.Config) { c.MaxDocumentBytes = 64 << 10 }))
	c := inst.Client
	var repeats []api.WorkflowStep
	for i := range 8 {
		repeats = append(repeats, transform(fmt.Sprintf("s%d", i+1), api.TransformAssignment{Field: "f", Expression: "repeat('x', 60000)"}))
	}
	repeat := createWorkflow(t, c, manualWorkflow(createApp(t, c, "record"), "repeat", repeats...))
	exe := waitExecution(t, c, trigger(t, c, repeat.ID, nil))
	if exe.Status != api.ExecutionStatusFailed || deref(exe.Error) != `step "s4" (transform) failed: the execution's record (its input, its steps' outputs and its output) `+
		`would be larger than 262144 bytes, the limit (4 times --max-document-bytes): keep large values out of the document, or in fewer steps' outputs` {
		t.Errorf("steps repeating 60 KB: %s %q", exe.Status, deref(exe.Error))
	}
	if n := storedBytes(t, inst, exe.ID); n > 256<<10 {
		t.Errorf("the execution's record is %d bytes", n)
	}
	stillServing(t, inst)
}

// TestAdversarialStoredDeepRecord: an execution whose output an older server stored 10,000
// levels deep (deeper than encoding/json decodes) does not break reading or listing: it is
// read with what lies too deep replaced by a marker, and the others are listed as they are.
func TestAdversarialStoredDeepRecord(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		wf := createWorkflow(t, c, manualWorkflow(createApp(t, c, "deep"), "deep",
			transform("mark", api.TransformAssignment{Field: "seen", Expression: "true"})))
		good := waitExecution(t, c, trigger(t, c, wf.ID, nil))
		now := inst.Server.Now()
		out := nested(10000)
		exe := api.Execution{ID: store.NewID("exe"), WorkflowID: wf.ID, WorkflowVersion: wf.Version, Status: api.ExecutionStatusSucceeded,
			TriggerType: api.TriggerTypeManual, Input: map[string]any{}, QueuedAt: now, StartedAt: &now, FinishedAt: &now, Output: &out,
			Steps: []api.StepResult{}}
		err := inst.Server.Store().Tx(ctx, func(q *store.Q) error {
			if err := q.InsertExecution(ctx, exe, 0); err != nil {
				return err
			}
			return q.UpdateExecution(ctx, exe, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		list := must(c.ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{}))
		if list.JSON200 == nil || len(list.JSON200.Items) != 2 {
			t.Fatalf("listing executions with a 10,000-level one stored: %d %.500s", list.StatusCode(), list.Body)
		}
		for _, item := range list.JSON200.Items {
			switch item.ID {
			case good.ID:
				if mustJSON(t, item) != mustJSON(t, good) {
					t.Errorf("the other execution changed: %s", mustJSON(t, item))
				}
			case exe.ID:
				if !strings.Contains(mustJSON(t, item.Output), "not shown: nested deeper than 128 levels") {
					t.Errorf("the deep execution's output: %.300s", mustJSON(t, item.Output))
				}
			}
		}
		if got := must(c.GetExecutionWithResponse(ctx, exe.ID)); got.JSON200 == nil {
			t.Errorf("reading the deep execution: %d %.300s", got.StatusCode(), got.Body)
		}
		stillServing(t, inst)
	})
}
