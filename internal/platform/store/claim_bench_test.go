package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// claimBenchQueues fills a SQLite store as the runtime benchmark's saturation leaves it: one
// application with a deep queue of executions and due deliveries (the oldest four of each
// leased), and
// apps-1 applications with nothing waiting.
func claimBenchQueues(b *testing.B, apps, queued int) *store.Store {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "claim.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	now := time.Now().UTC()
	err = st.Tx(ctx, func(q *store.Q) error {
		var wf *api.Workflow
		var wh *api.Webhook
		for i := range apps {
			app := &api.Application{ID: store.NewID("app"), Name: fmt.Sprintf("app-%d", i), Environment: api.Development,
				Version: "1.0.0", Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
			if err := store.Applications.Create(ctx, q, app); err != nil {
				return err
			}
			if i == 0 {
				wf = &api.Workflow{ID: store.NewID("wf"), ApplicationID: app.ID, Name: "flood", Version: "1.0.0",
					Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: []api.WorkflowStep{}, Etag: store.NewETag(),
					CreatedAt: now}
				if err := store.Workflows.Create(ctx, q, wf); err != nil {
					return err
				}
				wh = &api.Webhook{ID: store.NewID("whk"), ApplicationID: app.ID, Active: true, EventTypes: []string{"*"}, Etag: store.NewETag()}
				if err := store.Webhooks.Create(ctx, q, wh, store.WebhookSecrets{Current: "sealed"}.Columns()...); err != nil {
					return err
				}
			}
		}
		for i := range queued {
			at := now.Add(time.Duration(i-queued) * time.Millisecond)
			e := api.Execution{ID: store.NewID("exe"), WorkflowID: wf.ID, Status: api.ExecutionStatusQueued, QueuedAt: at,
				TriggerType: api.TriggerTypeManual, Input: map[string]any{"amount": i}, Steps: []api.StepResult{}}
			if err := q.InsertExecution(ctx, e, 0); err != nil {
				return err
			}
			d := api.Delivery{ID: store.NewID("dlv"), WebhookID: wh.ID, EventID: store.NewID("evt"), EventType: "bench.ping",
				Status: api.DeliveryStatusPending, CreatedAt: at, NextAttemptAt: &at}
			if err := q.InsertDelivery(ctx, d, `{"seq":1}`, &at); err != nil {
				return err
			}
		}
		// As at saturation, workers hold the oldest of each queue.
		for range 4 {
			e, err := q.NextQueuedExecution(ctx, nil)
			if err != nil {
				return err
			}
			e.Execution.Status = api.ExecutionStatusRunning
			if err := q.StartExecution(ctx, e.Execution, store.Lease{Owner: "bench", Until: now.Add(time.Hour)}); err != nil {
				return err
			}
			d, err := q.NextDueDelivery(ctx, now, nil)
			if err != nil {
				return err
			}
			if err := q.LeaseDelivery(ctx, d.Delivery.ID, store.Lease{Owner: "bench", Until: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkClaim measures the fair claims' queries, each alone in a transaction that is rolled
// back, next to the transaction alone ("empty"), with 5,000 executions and deliveries waiting
// in one application among 1, 3, 30 and 1,000.
func BenchmarkClaim(b *testing.B) {
	errRollback := errors.New("rollback")
	for _, apps := range []int{1, 3, 30, 1000} {
		st := claimBenchQueues(b, apps, 5000)
		ctx := context.Background()
		b.Run(fmt.Sprintf("empty/apps=%d", apps), func(b *testing.B) {
			for b.Loop() {
				_ = st.Tx(ctx, func(q *store.Q) error { return errRollback })
			}
		})
		b.Run(fmt.Sprintf("execution/apps=%d", apps), func(b *testing.B) {
			for b.Loop() {
				err := st.Tx(ctx, func(q *store.Q) error {
					if _, err := q.NextQueuedExecution(ctx, nil); err != nil {
						return err
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("delivery/apps=%d", apps), func(b *testing.B) {
			for b.Loop() {
				err := st.Tx(ctx, func(q *store.Q) error {
					if _, err := q.NextDueDelivery(ctx, time.Now(), nil); err != nil {
						return err
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					b.Fatal(err)
				}
			}
		})
	}
}
