package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func TestExecutionStats(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		wfID := seedWorkflow(t, st)
		insert := func(status api.ExecutionStatus, finished time.Time, duration any) {
			t.Helper()
			query := "INSERT INTO executions (id, workflow_id, status, queued_at, finished_at, duration_ms, doc) VALUES (?, ?, ?, ?, ?, ?, '{}')"
			if st.Dialect() == store.Postgres {
				query = "INSERT INTO executions (id, workflow_id, status, queued_at, finished_at, duration_ms, doc) VALUES ($1, $2, $3, $4, $5, $6, '{}')"
			}
			if _, err := st.DB().ExecContext(ctx, query, store.NewID("exe"), wfID, string(status), finished.UnixMilli(), finished.UnixMilli(), duration); err != nil {
				t.Fatal(err)
			}
		}
		since := now.Add(-time.Hour)

		empty, err := st.Read().ExecutionStats(ctx, wfID, since)
		if err != nil || empty != (store.ExecutionStats{}) {
			t.Fatalf("no executions: %+v %v", empty, err)
		}

		// One execution is its own percentile; one without a duration counts but is not timed.
		insert(api.ExecutionStatusFailed, now.Add(-time.Minute), int64(700))
		insert(api.ExecutionStatusSucceeded, now.Add(-time.Minute), nil)
		insert(api.ExecutionStatusSucceeded, since.Add(-time.Millisecond), int64(5)) // just outside
		insert(api.ExecutionStatusCanceled, now, int64(9000))
		got, err := st.Read().ExecutionStats(ctx, wfID, since)
		want := store.ExecutionStats{Succeeded: 1, Failed: 1, Timed: 1, AvgDurationMs: 700, P99DurationMs: 700}
		if err != nil || got != want {
			t.Fatalf("got %+v %v, want %+v", got, err, want)
		}
		// The window's start is inclusive.
		got, err = st.Read().ExecutionStats(ctx, wfID, since.Add(-time.Millisecond))
		if err != nil || got.Succeeded != 2 || got.Timed != 2 || got.AvgDurationMs != 352.5 || got.P99DurationMs != 700 {
			t.Fatalf("inclusive start: %+v %v", got, err)
		}
	})
}

// seedWorkflow stores an application and a workflow for executions to refer to.
func seedWorkflow(t *testing.T, st *store.Store) string {
	t.Helper()
	return seedWorkflows(t, st, 1)[0]
}
