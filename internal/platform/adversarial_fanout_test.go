package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// The adversarial suite for fan-out: however workflows emit events that trigger workflows, one
// published event or trigger leads to at most 100 executions (--max-executions-per-event), a
// workflow that emits what triggers it is refused when saved, and a loop through several
// workflows is stopped when it closes, with an error naming it. On SQLite and PostgreSQL.

// emitter is a workflow triggered by on that emits emits, once per step.
func emitter(appID, name, on string, steps int, emits string) api.WorkflowInput {
	in := api.WorkflowInput{ApplicationID: appID, Name: name, Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: &on}}
	for i := range steps {
		in.Steps = append(in.Steps, api.WorkflowStep{Name: fmt.Sprintf("emit-%d", i), Type: api.Emit, Emit: &api.EmitStep{EventType: emits}})
	}
	return in
}

// settledExecutions waits until no execution of the application's workflows is queued or
// running and their number has stayed the same for a while, and returns every execution as
// the list API shows them.
func settledExecutions(t *testing.T, inst *platformtest.Instance, appID string) []api.Execution {
	t.Helper()
	count := func(extra string) int {
		var n int
		err := dbQueryRow(t, inst, "SELECT COUNT(*) FROM executions WHERE workflow_id IN (SELECT id FROM workflows WHERE application_id = ?)"+extra, appID).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(90 * time.Second)
	last, stable := -1, 0
	for stable < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("the executions did not settle: %d so far", last)
		}
		time.Sleep(50 * time.Millisecond)
		n := count("")
		if n == last && count(" AND status IN ('queued', 'running')") == 0 {
			stable++
			continue
		}
		last, stable = n, 0
		if n > 2000 {
			t.Fatalf("%d executions and counting: the fan-out is not bounded", n)
		}
	}
	var all []api.Execution
	params := &api.ListExecutionsParams{PageSize: ptr(1000)}
	for {
		list := must(inst.Client.ListExecutionsWithResponse(context.Background(), params))
		if list.JSON200 == nil {
			t.Fatalf("listing executions: %d %.300s", list.StatusCode(), list.Body)
		}
		all = append(all, list.JSON200.Items...)
		if list.JSON200.NextPageToken == "" {
			break
		}
		params.PageToken = &list.JSON200.NextPageToken
	}
	if len(all) < last {
		t.Fatalf("listed %d executions, stored %d", len(all), last)
	}
	return all
}

// TestAdversarialFanOutExponential: workflows in levels, each with 2 (or 3) emit steps that
// trigger the next level, would run 255 (or 3,280) executions from one event; the chain stops
// at exactly 100, the emit steps past the budget fail naming it and the event, and the others
// succeed.
func TestAdversarialFanOutExponential(t *testing.T) {
	t.Parallel()
	for _, width := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d emit steps", width), func(t *testing.T) {
			t.Parallel()
			platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
				c := inst.Client
				app := createApp(t, c, "boom")
				wfIDs := map[string]bool{}
				for level := range 8 {
					wf := createWorkflow(t, c, emitter(app, fmt.Sprintf("level-%d", level), fmt.Sprintf("boom.l%d", level), width, fmt.Sprintf("boom.l%d", level+1)))
					wfIDs[wf.ID] = true
				}
				ev := publish(t, c, api.EventInput{Type: "boom.l0", ApplicationID: &app})
				var mine []api.Execution
				for _, e := range settledExecutions(t, inst, app) {
					if wfIDs[e.WorkflowID] {
						mine = append(mine, e)
					}
				}
				if len(mine) != 100 {
					t.Errorf("one event led to %d executions, want the budget: 100", len(mine))
				}
				failed := 0
				for _, e := range mine {
					switch {
					case e.Status == api.ExecutionStatusSucceeded:
					case e.Status == api.ExecutionStatusFailed && strings.Contains(deref(e.Error), "the limit is 100 executions per originating event or trigger (--max-executions-per-event)") &&
						strings.Contains(deref(e.Error), "chain started by event "+ev.ID):
						failed++
					default:
						t.Errorf("execution %s: %s %s", e.ID, e.Status, deref(e.Error))
					}
				}
				if failed == 0 {
					t.Errorf("no emit step failed naming the budget")
				}
				stillServing(t, inst)
			})
		})
	}
}

// TestAdversarialFanOutLoop: two workflows that trigger each other (A emits what triggers B,
// B what triggers A) are saved, as Terraform may create them one after the other; when an
// event starts the loop, it stops where it would close: A runs, B's emit fails naming both.
// A workflow stored by an older server that emits what triggers it (twice) runs once and
// fails the same way.
func TestAdversarialFanOutLoop(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		app := createApp(t, c, "loops")
		a := createWorkflow(t, c, emitter(app, "ping", "loop.ping", 1, "loop.pong"))
		b := createWorkflow(t, c, emitter(app, "pong", "loop.pong", 1, "loop.ping"))
		ev := publish(t, c, api.EventInput{Type: "loop.ping", ApplicationID: &app})
		got := settledExecutions(t, inst, app)
		want := fmt.Sprintf(`step "emit-0" (emit) failed: emitting loop.ping would start workflow "ping" (%s) again: the workflows "ping" (%s) → "pong" (%s) → "ping" `+
			`trigger each other in a loop (chain started by event %s); change one of them to emit another event type, so that the chain ends`, a.ID, a.ID, b.ID, ev.ID)
		if len(got) != 2 {
			t.Fatalf("the loop ran %d executions, want 2: %s", len(got), mustJSON(t, got)[:min(3000, len(mustJSON(t, got)))])
		}
		for _, e := range got {
			switch e.WorkflowID {
			case a.ID:
				if e.Status != api.ExecutionStatusSucceeded {
					t.Errorf("ping: %s", mustJSON(t, e))
				}
			case b.ID:
				if e.Status != api.ExecutionStatusFailed || deref(e.Error) != want {
					t.Errorf("pong: %s %q\nwant %q", e.Status, deref(e.Error), want)
				}
			}
		}

		// An older server saved a workflow that emits, twice, the event that triggers it.
		boom := createWorkflow(t, c, emitter(app, "boom", "boom.one", 2, "boom.two"))
		err := inst.Server.Store().Tx(ctx, func(q *store.Q) error {
			wf, err := store.Workflows.Get(ctx, q, boom.ID)
			if err != nil {
				return err
			}
			wf.Trigger.EventType = ptr("boom.two")
			return store.Workflows.Update(ctx, q, wf, wf.Etag)
		})
		if err != nil {
			t.Fatal(err)
		}
		publish(t, c, api.EventInput{Type: "boom.two", ApplicationID: &app})
		got = settledExecutions(t, inst, app)
		var runs []api.Execution
		for _, e := range got {
			if e.WorkflowID == boom.ID {
				runs = append(runs, e)
			}
		}
		if len(runs) != 1 || runs[0].Status != api.ExecutionStatusFailed ||
			!strings.Contains(deref(runs[0].Error), fmt.Sprintf(`emitting boom.two would start workflow "boom" (%s) again: the workflows "boom" (%s) → "boom" trigger each other in a loop`, boom.ID, boom.ID)) {
			t.Errorf("a stored self-emitting workflow ran %d times: %s", len(runs), mustJSON(t, runs))
		}
		stillServing(t, inst)
	})
}

// TestAdversarialSelfLoopRefused: a workflow whose emit step emits the event type that triggers
// it is refused when saved (created, replaced or patched), naming the step and the event type.
func TestAdversarialSelfLoopRefused(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client
	app := createApp(t, c, "self")
	self := emitter(app, "self", "order.created", 1, "order.checked")
	self.Steps = append(self.Steps, api.WorkflowStep{Name: "again", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.created"}})
	want := []string{`step "again" emits order.created, the event type that triggers this workflow`}

	resp := must(c.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, self))
	wantFieldProblem(t, resp, "steps[1].emit.event_type", want...)
	if n := countTable(t, inst, "workflows"); n != 0 {
		t.Errorf("%d workflows stored", n)
	}

	ok := createWorkflow(t, c, emitter(app, "fine", "order.created", 1, "order.checked"))
	put := must(c.ReplaceWorkflowWithResponse(ctx, ok.ID, &api.ReplaceWorkflowParams{IfMatch: &ok.Etag}, self))
	wantFieldProblem(t, put, "steps[1].emit.event_type", want...)
	patch := must(c.PatchWorkflowWithResponse(ctx, ok.ID, &api.PatchWorkflowParams{IfMatch: &ok.Etag},
		api.WorkflowPatch{Trigger: &api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: ptr("order.checked")}}))
	wantFieldProblem(t, patch, "steps[0].emit.event_type", `step "emit-0" emits order.checked, the event type that triggers this workflow`)
	if got := must(c.GetWorkflowWithResponse(ctx, ok.ID)); got.JSON200 == nil || got.JSON200.Etag != ok.Etag {
		t.Errorf("the refused updates changed the workflow: %.300s", got.Body)
	}
	if resp.StatusCode() != http.StatusBadRequest {
		t.Errorf("status %d", resp.StatusCode())
	}
}
