package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// ExecutionStatsByWorkflow gives, for every workflow active in the window, what
// ExecutionStats gives for it alone.
func TestExecutionStatsByWorkflow(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		since := now.Add(-time.Hour)
		query := "INSERT INTO executions (id, workflow_id, status, queued_at, finished_at, duration_ms, doc) VALUES (?, ?, ?, ?, ?, ?, '{}')"
		if st.Dialect() == store.Postgres {
			query = "INSERT INTO executions (id, workflow_id, status, queued_at, finished_at, duration_ms, doc) VALUES ($1, $2, $3, $4, $5, $6, '{}')"
		}
		insert := func(wfID string, status api.ExecutionStatus, finished time.Time, duration any) {
			t.Helper()
			var finishedAt any
			if !finished.IsZero() {
				finishedAt = finished.UnixMilli()
			}
			if _, err := st.DB().ExecContext(ctx, query, store.NewID("exe"), wfID, string(status), now.UnixMilli(), finishedAt, duration); err != nil {
				t.Fatal(err)
			}
		}

		if got, err := st.Read().ExecutionStatsByWorkflow(ctx, since); err != nil || len(got) != 0 {
			t.Fatalf("no executions: %+v %v", got, err)
		}

		wfs := seedWorkflows(t, st, 3)
		busy, untimed, old := wfs[0], wfs[1], wfs[2]
		// busy: 150 executions of 1..150ms, every tenth failed, so the p99 is the 149th.
		for i := 1; i <= 150; i++ {
			status := api.ExecutionStatusSucceeded
			if i%10 == 0 {
				status = api.ExecutionStatusFailed
			}
			insert(busy, status, now.Add(-time.Duration(i)*time.Second), int64(i))
		}
		insert(busy, api.ExecutionStatusCanceled, now, int64(90000))
		insert(busy, api.ExecutionStatusRunning, time.Time{}, nil)
		insert(busy, api.ExecutionStatusFailed, since.Add(-time.Millisecond), int64(90000))
		// untimed: finished in the window without a recorded duration.
		insert(untimed, api.ExecutionStatusFailed, since, nil)
		// old: nothing in the window.
		insert(old, api.ExecutionStatusSucceeded, since.Add(-time.Minute), int64(5))

		got, err := st.Read().ExecutionStatsByWorkflow(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]store.ExecutionStats{
			busy:    {Succeeded: 135, Failed: 15, Timed: 150, AvgDurationMs: 75.5, P99DurationMs: 149},
			untimed: {Failed: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		for i, ws := range got {
			if i > 0 && got[i-1].WorkflowID >= ws.WorkflowID {
				t.Errorf("not in workflow id order: %s before %s", got[i-1].WorkflowID, ws.WorkflowID)
			}
			if ws.ExecutionStats != want[ws.WorkflowID] {
				t.Errorf("%s: got %+v, want %+v", ws.WorkflowID, ws.ExecutionStats, want[ws.WorkflowID])
			}
			one, err := st.Read().ExecutionStats(ctx, ws.WorkflowID, since)
			if err != nil || one != ws.ExecutionStats {
				t.Errorf("%s: ExecutionStats gives %+v %v, ExecutionStatsByWorkflow %+v", ws.WorkflowID, one, err, ws.ExecutionStats)
			}
		}
	})
}

// seedWorkflows stores an application with n workflows and returns their ids.
func seedWorkflows(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	ctx := context.Background()
	app := api.Application{ID: store.NewID("app"), Name: "order-management", Environment: api.Production, Version: "2.3.0", Etag: store.NewETag()}
	ids := make([]string, n)
	err := st.Tx(ctx, func(q *store.Q) error {
		if err := store.Applications.Create(ctx, q, &app); err != nil {
			return err
		}
		for i := range ids {
			wf := api.Workflow{ID: store.NewID("wf"), ApplicationID: app.ID, Name: fmt.Sprintf("workflow-%d", i), Version: "1.0.0", Enabled: true,
				Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Etag: store.NewETag()}
			if err := store.Workflows.Create(ctx, q, &wf); err != nil {
				return err
			}
			ids[i] = wf.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
