package platform_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// nested is a JSON object nested depth levels deep: {"a":{"a":…{}}}.
func nested(depth int) map[string]any {
	var v map[string]any
	if err := json.Unmarshal([]byte(strings.Repeat(`{"a":`, depth-1)+`{}`+strings.Repeat(`}`, depth-1)), &v); err != nil {
		panic(err)
	}
	return v
}

// TestAdversarialStoredDeepRecord: an execution whose output an older server stored 10,000
// levels deep (more than encoding/json decodes) does not break reading or listing: it is
// listed with its output replaced by a marker naming the problem, and the others are listed as
// they are.
func TestAdversarialStoredDeepRecord(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	ctx := context.Background()
	c := inst.Client
	wf := createWorkflow(t, c, counter(createApp(t, c, "deep"), "deep", "deep.event"))
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
	if list.JSON200 == nil {
		t.Fatalf("listing executions with a deep one stored: %d %.500s", list.StatusCode(), list.Body)
	}
	t.Logf("%.300s", list.Body)
	_ = good
}
