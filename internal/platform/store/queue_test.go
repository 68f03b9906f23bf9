package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Claims are fair per application: the next claim takes the oldest queued execution of the
// application with the fewest running, ties to the one waiting longest, and never one of an
// application the caller lists as full. Leases, renewals and the canceled-executions question
// work on what a server holds.
func TestNextQueuedExecutionIsFairPerApplication(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		q := st.Read()
		base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
		workflow, appID := map[string]string{}, map[string]string{}
		for _, name := range []string{"noisy", "quiet", "other"} {
			app := newApp(name, api.Production)
			if err := store.Applications.Create(ctx, q, app); err != nil {
				t.Fatal(err)
			}
			wf := api.Workflow{ID: store.NewID("wf"), ApplicationID: app.ID, Name: name, Version: "1.0.0", Enabled: true,
				Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Etag: store.NewETag(), LastModified: base}
			if err := store.Workflows.Create(ctx, q, &wf); err != nil {
				t.Fatal(err)
			}
			workflow[name], appID[name] = wf.ID, app.ID
		}
		names := map[string]string{}
		queue := func(name string, n int) {
			exe := api.Execution{ID: store.NewID("exe"), WorkflowID: workflow[name], Status: api.ExecutionStatusQueued,
				TriggerType: api.TriggerTypeManual, Input: map[string]any{}, Steps: []api.StepResult{}, QueuedAt: base.Add(time.Duration(n) * time.Second)}
			if err := q.InsertExecution(ctx, exe, 0); err != nil {
				t.Fatal(err)
			}
			names[exe.ID] = name
		}
		// The noisy application queued first, and most.
		queue("noisy", 0)
		queue("noisy", 1)
		queue("noisy", 2)
		queue("quiet", 3)
		queue("other", 4)

		lease := &store.Lease{Owner: "srv_test", Until: time.Now().Add(time.Minute)}
		claim := func(full ...string) (string, error) {
			var got string
			err := st.Tx(ctx, func(q *store.Q) error {
				row, err := q.NextQueuedExecution(ctx, full)
				if err != nil {
					return err
				}
				row.Execution.Status = api.ExecutionStatusRunning
				got = row.Execution.ID
				return q.UpdateExecution(ctx, row.Execution, lease)
			})
			return got, err
		}
		var order []string
		for range 4 {
			id, err := claim()
			if err != nil {
				t.Fatal(err)
			}
			order = append(order, names[id])
		}
		// Ties go to the oldest (noisy); then the applications running nothing come first.
		if want := []string{"noisy", "quiet", "other", "noisy"}; !slices.Equal(order, want) {
			t.Errorf("claimed %v, want %v", order, want)
		}
		// A full application is passed over, even when only it has work waiting.
		if _, err := claim(appID["noisy"]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("claim with the noisy application full: %v, want ErrNotFound", err)
		}
		last, err := claim(appID["quiet"], appID["other"])
		if err != nil || names[last] != "noisy" {
			t.Fatalf("last claim: %s %v", names[last], err)
		}
		if _, err := claim(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("claim from an empty queue: %v, want ErrNotFound", err)
		}

		// A cancel keeps the lease until the worker lets go: the server finds it by owner.
		row, err := q.LockExecution(ctx, last)
		if err != nil {
			t.Fatal(err)
		}
		row.Execution.Status = api.ExecutionStatusCanceled
		if err := q.UpdateExecution(ctx, row.Execution, row.Lease); err != nil {
			t.Fatal(err)
		}
		if ids, err := q.CanceledExecutions(ctx, "srv_test"); err != nil || !slices.Equal(ids, []string{last}) {
			t.Errorf("canceled executions %v %v, want [%s]", ids, err, last)
		}
		if ids, err := q.CanceledExecutions(ctx, "srv_other"); err != nil || len(ids) != 0 {
			t.Errorf("another server's canceled executions %v %v, want none", ids, err)
		}
		until := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
		if err := q.RenewExecutionLeases(ctx, "srv_test", until); err != nil {
			t.Fatal(err)
		}
		for id := range names {
			row, err := q.LockExecution(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			renewed := row.Lease != nil && row.Lease.Until.Equal(until)
			if renewed != (row.Execution.Status == api.ExecutionStatusRunning) {
				t.Errorf("execution %s (%s): lease %+v after renewal", id, row.Execution.Status, row.Lease)
			}
		}
	})
}
