package platform_test

import (
	"context"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// A monitoring target with alerts publishes monitoring.target_breached once when a threshold
// becomes breached, not again while it stays breached, and again after it was met in between;
// a target without alerts publishes nothing. An on-call workflow triggered by the event sees
// each one, with the figures.
func TestMonitoringTargetBreachIsPublishedOnce(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		charge := func(name string) api.Workflow {
			return createWorkflow(t, c, api.WorkflowInput{ApplicationID: appID, Name: name, Version: "1.0.0",
				Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
				Steps: []api.WorkflowStep{{Name: "check", Type: api.Validate,
					Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "Amount exceeds limit"}}}})
		}
		target := func(wf string, minSuccess float64, alerts bool) {
			t.Helper()
			resp := must(c.PutMonitoringTargetWithResponse(ctx, wf, &api.PutMonitoringTargetParams{},
				api.MonitoringTargetInput{MinSuccessRate: &minSuccess, Alerts: &alerts}))
			if resp.JSON200 == nil {
				t.Fatalf("monitoring target: %d %s", resp.StatusCode(), resp.Body)
			}
		}
		orders, quiet := charge("charge"), charge("charge-quiet")
		target(orders.ID, 99, true)
		target(quiet.ID, 99, false)
		oncall := createWorkflow(t, c, api.WorkflowInput{ApplicationID: appID, Name: "page-on-call", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: ptr("monitoring.target_breached")},
			Steps: []api.WorkflowStep{{Name: "page", Type: api.Transform,
				Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "paged", Expression: "true"}}}}}})
		// run runs one execution of wf to its end; the alert, if any, is published in the
		// same transaction, so the on-call workflow's executions are countable right after.
		run := func(wf string, amount int) {
			t.Helper()
			waitExecution(t, c, trigger(t, c, wf, map[string]any{"amount": amount}))
		}
		pages := func() []api.Execution {
			t.Helper()
			resp := must(c.ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{WorkflowID: &oncall.ID}))
			if resp.JSON200 == nil {
				t.Fatalf("list executions: %d %s", resp.StatusCode(), resp.Body)
			}
			return resp.JSON200.Items
		}

		run(orders.ID, 1) // 100% succeed: met
		run(quiet.ID, 20000)
		run(quiet.ID, 20000) // breached, but alerts are off
		if n := len(pages()); n != 0 {
			t.Fatalf("%d alerts before any breach of a target with alerts", n)
		}
		run(orders.ID, 20000) // 50%: breached
		got := pages()
		if len(got) != 1 {
			t.Fatalf("%d alerts after the first breach, want 1", len(got))
		}
		in := waitExecution(t, c, got[0].ID).Input
		if in["workflow_id"] != orders.ID || in["application_id"] != appID || in["window"] != "1h" ||
			in["success_rate"] != 50.0 || in["executions"] != 2.0 || !sameStrings(in["newly_breached"], "success_rate") {
			t.Errorf("the alert's data: %v", in)
		}
		breach, _ := in["breaches"].([]any)
		var first map[string]any
		if len(breach) == 1 {
			first, _ = breach[0].(map[string]any)
		}
		if len(breach) != 1 || first["metric"] != "success_rate" || first["threshold"] != 99.0 {
			t.Errorf("the alert's breaches: %v", in["breaches"])
		}

		run(orders.ID, 30000) // still breached: no second alert
		if n := len(pages()); n != 1 {
			t.Fatalf("%d alerts while the breach went on, want still 1", n)
		}
		target(orders.ID, 10, true)
		run(orders.ID, 2) // 50% of 4 >= 10: met again
		target(orders.ID, 99, true)
		run(orders.ID, 40000) // breached again: a new alert
		if n := len(pages()); n != 2 {
			t.Fatalf("%d alerts after a second breach, want 2", n)
		}
	})
}

func sameStrings(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i := range list {
		if list[i] != want[i] {
			return false
		}
	}
	return true
}
