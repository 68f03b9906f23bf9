package platform_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// execution is a finished (or not) execution row for the metrics tests.
type execution struct {
	status api.ExecutionStatus
	// ago is how many minutes before now it finished.
	ago        int
	durationMs int64
}

// insertExecution writes an execution row directly: the metrics read only these columns, and
// the runtime that normally writes them is not under test here.
func insertExecution(t *testing.T, inst *platformtest.Instance, workflowID string, e execution) {
	t.Helper()
	finished := inst.Server.Now().Add(-time.Duration(e.ago) * time.Minute)
	var finishedAt, duration any
	if e.status != api.ExecutionStatusQueued && e.status != api.ExecutionStatusRunning {
		finishedAt, duration = finished.UnixMilli(), e.durationMs
	}
	query := "INSERT INTO executions (id, workflow_id, status, queued_at, finished_at, duration_ms, doc) VALUES (?, ?, ?, ?, ?, ?, '{}')"
	if inst.Server.Store().Dialect() == store.Postgres {
		query = "INSERT INTO executions (id, workflow_id, status, queued_at, finished_at, duration_ms, doc) VALUES ($1, $2, $3, $4, $5, $6, '{}')"
	}
	_, err := inst.Server.Store().DB().ExecContext(context.Background(), query, store.NewID("exe"), workflowID, string(e.status),
		finished.Add(-time.Duration(e.durationMs)*time.Millisecond).UnixMilli(), finishedAt, duration)
	if err != nil {
		t.Fatalf("inserting execution: %v", err)
	}
}

// countRows counts a table's rows about a workflow: its executions, its monitoring target
// (keyed by the workflow's id) or its audit events.
func countRows(t *testing.T, inst *platformtest.Instance, table, workflowID string) int {
	t.Helper()
	column := map[string]string{"executions": "workflow_id", "monitoring_targets": "id", "audit_events": "object_id"}[table]
	query := "SELECT COUNT(*) FROM " + table + " WHERE " + column + " = ?"
	if inst.Server.Store().Dialect() == store.Postgres {
		query = strings.Replace(query, "?", "$1", 1)
	}
	var n int
	if err := inst.Server.Store().DB().QueryRowContext(context.Background(), query, workflowID).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

func TestMonitoringTargets(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		wf := createWorkflow(t, c, orderFulfillment(createApp(t, c, "order-management")))

		none := wantProblem(t, must(c.GetMonitoringTargetWithResponse(ctx, wf.ID)), http.StatusNotFound)
		if !strings.Contains(deref(none.Detail), "has no monitoring target") {
			t.Errorf("detail %q does not say the workflow has no target", deref(none.Detail))
		}
		wantProblem(t, must(c.GetMonitoringTargetWithResponse(ctx, "wf_missing")), http.StatusNotFound)
		wantProblem(t, must(c.DeleteMonitoringTargetWithResponse(ctx, wf.ID, &api.DeleteMonitoringTargetParams{})), http.StatusNotFound)

		for _, tc := range []struct {
			name  string
			in    api.MonitoringTargetInput
			field string
		}{
			{"no threshold", api.MonitoringTargetInput{Alerts: ptr(true)}, "body"},
			{"success rate above 100", api.MonitoringTargetInput{MinSuccessRate: ptr(101.0)}, "min_success_rate"},
			{"negative error rate", api.MonitoringTargetInput{MaxErrorRate: ptr(-1.0)}, "max_error_rate"},
			{"zero duration", api.MonitoringTargetInput{MaxAvgDurationMs: ptr(int64(0))}, "max_avg_duration_ms"},
		} {
			wantProblem(t, must(c.PutMonitoringTargetWithResponse(ctx, wf.ID, &api.PutMonitoringTargetParams{}, tc.in)), http.StatusBadRequest, tc.field)
		}
		// If-Match names a version, and there is none yet.
		wantProblem(t, must(c.PutMonitoringTargetWithResponse(ctx, wf.ID, &api.PutMonitoringTargetParams{IfMatch: ptr(`"abc"`)},
			api.MonitoringTargetInput{MinSuccessRate: ptr(99.0)})), http.StatusPreconditionFailed)
		if n := countRows(t, inst, "monitoring_targets", wf.ID) + countRows(t, inst, "audit_events", wf.ID); n != 1 {
			t.Fatalf("refused puts stored targets or audit events: %d rows, want only the workflow's creation", n)
		}

		// The seed's targets: success rate > 99%, average under 30s, p99 under 500ms, errors < 0.1%.
		seed := api.MonitoringTargetInput{MinSuccessRate: ptr(99.0), MaxAvgDurationMs: ptr(int64(30000)),
			MaxP99LatencyMs: ptr(int64(500)), MaxErrorRate: ptr(0.1)}
		put := must(c.PutMonitoringTargetWithResponse(ctx, wf.ID, &api.PutMonitoringTargetParams{}, seed))
		if put.JSON200 == nil || !put.JSON200.Alerts || put.JSON200.WorkflowID != wf.ID || deref(put.JSON200.MaxErrorRate) != 0.1 ||
			deref(put.JSON200.MaxP99LatencyMs) != 500 || put.HTTPResponse.Header.Get("ETag") != `"`+put.JSON200.Etag+`"` {
			t.Fatalf("put: %d %s", put.StatusCode(), put.Body)
		}
		got := must(c.GetMonitoringTargetWithResponse(ctx, wf.ID))
		if got.JSON200 == nil || mustJSON(t, got.JSON200) != mustJSON(t, put.JSON200) {
			t.Fatalf("get: %s, want %s", got.Body, put.Body)
		}

		// Replacing drops the thresholds left out and honours If-Match.
		replacement := api.MonitoringTargetInput{MinSuccessRate: ptr(95.0), Alerts: ptr(false)}
		wantProblem(t, must(c.PutMonitoringTargetWithResponse(ctx, wf.ID, &api.PutMonitoringTargetParams{IfMatch: ptr(`"stale"`)}, replacement)),
			http.StatusPreconditionFailed)
		replaced := must(c.PutMonitoringTargetWithResponse(ctx, wf.ID, &api.PutMonitoringTargetParams{IfMatch: ptr(put.JSON200.Etag)}, replacement))
		if r := replaced.JSON200; r == nil || r.Alerts || deref(r.MinSuccessRate) != 95 || r.MaxP99LatencyMs != nil || r.Etag == put.JSON200.Etag {
			t.Fatalf("replace: %d %s", replaced.StatusCode(), replaced.Body)
		}

		wantProblem(t, must(c.DeleteMonitoringTargetWithResponse(ctx, wf.ID, &api.DeleteMonitoringTargetParams{IfMatch: ptr(put.JSON200.Etag)})),
			http.StatusPreconditionFailed)
		if del := must(c.DeleteMonitoringTargetWithResponse(ctx, wf.ID, &api.DeleteMonitoringTargetParams{IfMatch: ptr(replaced.JSON200.Etag)})); del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(c.GetMonitoringTargetWithResponse(ctx, wf.ID)), http.StatusNotFound)
		wantProblem(t, must(c.DeleteMonitoringTargetWithResponse(ctx, wf.ID, &api.DeleteMonitoringTargetParams{})), http.StatusNotFound)
		// The workflow's creation, then the target's creation, update and deletion.
		if n := countRows(t, inst, "audit_events", wf.ID); n != 4 {
			t.Errorf("%d audit events, want 4", n)
		}
	})
}

func TestWorkflowMetrics(t *testing.T) {
	t.Parallel()
	// No workers: the executions this test writes straight into the database must stay as written.
	noWorkers := platformtest.WithConfig(func(c *platform.Config) { c.Workers = -1 })
	platformtest.EachDialect(t, []platformtest.Option{noWorkers}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		wf := createWorkflow(t, c, orderFulfillment(appID))
		quiet := orderFulfillment(appID)
		quiet.Name = "quiet"
		idle := createWorkflow(t, c, quiet)

		target := api.MonitoringTargetInput{MinSuccessRate: ptr(99.0), MaxAvgDurationMs: ptr(int64(30000)),
			MaxP99LatencyMs: ptr(int64(500)), MaxErrorRate: ptr(5.0)}
		for _, id := range []string{wf.ID, idle.ID} {
			if put := must(c.PutMonitoringTargetWithResponse(ctx, id, &api.PutMonitoringTargetParams{}, target)); put.JSON200 == nil {
				t.Fatalf("put target: %d %s", put.StatusCode(), put.Body)
			}
		}

		// In the last hour: 97 successes and 3 failures taking 10ms, 20ms, ... 1000ms.
		for i := 1; i <= 100; i++ {
			status := api.ExecutionStatusSucceeded
			if i%33 == 0 {
				status = api.ExecutionStatusFailed
			}
			insertExecution(t, inst, wf.ID, execution{status: status, ago: i % 50, durationMs: int64(i * 10)})
		}
		// Not counted: canceled and unfinished executions, executions older than the window,
		// and other workflows' executions.
		insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusCanceled, ago: 5, durationMs: 90000})
		insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusRunning})
		insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusQueued})
		insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusFailed, ago: 25 * 60, durationMs: 90000})
		insertExecution(t, inst, idle.ID, execution{status: api.ExecutionStatusFailed, ago: 120 * 60, durationMs: 10})

		m := must(c.GetWorkflowMetricsWithResponse(ctx, wf.ID, &api.GetWorkflowMetricsParams{}))
		if m.JSON200 == nil {
			t.Fatalf("metrics: %d %s", m.StatusCode(), m.Body)
		}
		want := api.WorkflowMetrics{WorkflowID: wf.ID, Window: "24h", Executions: 100, Succeeded: 97, Failed: 3,
			SuccessRate: 97, ErrorRate: 3, AvgDurationMs: 505, P99DurationMs: 990,
			Breaches: []api.Breach{
				{Metric: api.SuccessRate, Threshold: 99, Actual: 97},
				{Metric: api.P99LatencyMs, Threshold: 500, Actual: 990},
			}}
		if mustJSON(t, m.JSON200) != mustJSON(t, want) {
			t.Errorf("metrics\n got %s\nwant %s", mustJSON(t, m.JSON200), mustJSON(t, want))
		}

		// A longer window takes in the old failure.
		long := must(c.GetWorkflowMetricsWithResponse(ctx, wf.ID, &api.GetWorkflowMetricsParams{Window: ptr("48h")}))
		if long.JSON200 == nil || long.JSON200.Window != "48h" || long.JSON200.Failed != 4 || long.JSON200.Executions != 101 {
			t.Errorf("48h metrics: %d %s", long.StatusCode(), long.Body)
		}
		// A short one only the recent ones: ago is i%50 minutes, so 9m30s holds i%50 <= 9.
		short := must(c.GetWorkflowMetricsWithResponse(ctx, wf.ID, &api.GetWorkflowMetricsParams{Window: ptr("9m30s")}))
		if short.JSON200 == nil || short.JSON200.Executions != 20 {
			t.Errorf("10m metrics: %d %s", short.StatusCode(), short.Body)
		}

		// No executions in the window: a perfect record and nothing breached.
		none := must(c.GetWorkflowMetricsWithResponse(ctx, idle.ID, &api.GetWorkflowMetricsParams{Window: ptr("1h")}))
		if n := none.JSON200; n == nil || n.Executions != 0 || n.SuccessRate != 100 || n.ErrorRate != 0 || len(n.Breaches) != 0 {
			t.Errorf("idle metrics: %d %s", none.StatusCode(), none.Body)
		}

		for _, window := range []string{"soon", "30s", "721h", "-1h"} {
			wantProblem(t, must(c.GetWorkflowMetricsWithResponse(ctx, wf.ID, &api.GetWorkflowMetricsParams{Window: &window})),
				http.StatusBadRequest, "window")
		}
		wantProblem(t, must(c.GetWorkflowMetricsWithResponse(ctx, "wf_missing", &api.GetWorkflowMetricsParams{})), http.StatusNotFound)
	})
}
