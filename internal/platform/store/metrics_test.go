package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

func TestExecutionStats(t *testing.T) {
	t.Parallel()
	dialects := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "stats.db") },
		"postgres": func(t *testing.T) string { return pgtest.Start(t) },
	}
	for name, url := range dialects {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := store.Open(ctx, url(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
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
}

// seedWorkflow stores an application and a workflow for executions to refer to.
func seedWorkflow(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	app := api.Application{ID: store.NewID("app"), Name: "order-management", Environment: api.Production, Version: "2.3.0", Etag: store.NewETag()}
	wf := api.Workflow{ID: store.NewID("wf"), ApplicationID: app.ID, Name: "order-fulfillment", Version: "1.5.2", Enabled: true,
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Etag: store.NewETag()}
	err := st.Tx(ctx, func(q *store.Q) error {
		if err := store.Applications.Create(ctx, q, &app); err != nil {
			return err
		}
		return store.Workflows.Create(ctx, q, &wf)
	})
	if err != nil {
		t.Fatal(err)
	}
	return wf.ID
}
