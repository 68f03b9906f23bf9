package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// insertFinished stores an execution of workflowID with a status, a finish time (none when
// zero) and a duration (nil for none), as the runtime leaves it.
func insertFinished(t *testing.T, st *store.Store, workflowID string, status api.ExecutionStatus, finished time.Time, durationMs *int64) {
	t.Helper()
	ctx := context.Background()
	e := newExecution(workflowID, finished)
	must(t, st.Read().InsertExecution(ctx, e, 0))
	e.Status, e.DurationMs = status, durationMs
	if !finished.IsZero() {
		e.FinishedAt = &finished
	}
	must(t, st.Read().UpdateExecution(ctx, e, nil))
}

func ms(n int64) *int64 { return &n }

// executionStats: the counts, average and nearest-rank p99 of a workflow's executions that
// succeeded or failed in the window (its start inclusive); canceled ones are left out.
func executionStats(t *testing.T, st *store.Store) {
	ctx := context.Background()
	now := time.Now()
	wf := seedWorkflows(t, st, 1)[0]
	since := now.Add(-time.Hour)
	if empty, err := st.Read().ExecutionStats(ctx, wf, since); err != nil || empty != (store.ExecutionStats{}) {
		t.Fatalf("no executions: %+v %v", empty, err)
	}
	insertFinished(t, st, wf, api.ExecutionStatusFailed, now.Add(-time.Minute), ms(700))
	insertFinished(t, st, wf, api.ExecutionStatusSucceeded, now.Add(-time.Minute), nil)
	insertFinished(t, st, wf, api.ExecutionStatusSucceeded, since.Add(-time.Millisecond), ms(5)) // just outside
	insertFinished(t, st, wf, api.ExecutionStatusCanceled, now, ms(9000))
	got, err := st.Read().ExecutionStats(ctx, wf, since)
	want := store.ExecutionStats{Succeeded: 1, Failed: 1, Timed: 1, AvgDurationMs: 700, P99DurationMs: 700}
	if err != nil || got != want {
		t.Fatalf("got %+v %v, want %+v", got, err, want)
	}
	got, err = st.Read().ExecutionStats(ctx, wf, since.Add(-time.Millisecond))
	if err != nil || got.Succeeded != 2 || got.Timed != 2 || got.AvgDurationMs != 352.5 || got.P99DurationMs != 700 {
		t.Fatalf("inclusive start: %+v %v", got, err)
	}
}

// executionStatsByWorkflow gives, for every workflow active in the window, what
// ExecutionStats gives for it alone, in workflow id order.
func executionStatsByWorkflow(t *testing.T, st *store.Store) {
	ctx := context.Background()
	now := time.Now()
	since := now.Add(-time.Hour)
	if got, err := st.Read().ExecutionStatsByWorkflow(ctx, since); err != nil || len(got) != 0 {
		t.Fatalf("no executions: %+v %v", got, err)
	}
	wfs := seedWorkflows(t, st, 3)
	busy, untimed, old := wfs[0], wfs[1], wfs[2]
	// busy: 150 executions of 1..150ms, every tenth failed, so the p99 is the 149th.
	for i := int64(1); i <= 150; i++ {
		status := api.ExecutionStatusSucceeded
		if i%10 == 0 {
			status = api.ExecutionStatusFailed
		}
		insertFinished(t, st, busy, status, now.Add(-time.Duration(i)*time.Second), ms(i))
	}
	insertFinished(t, st, busy, api.ExecutionStatusCanceled, now, ms(90000))
	insertFinished(t, st, busy, api.ExecutionStatusRunning, time.Time{}, nil)
	insertFinished(t, st, busy, api.ExecutionStatusFailed, since.Add(-time.Millisecond), ms(90000))
	insertFinished(t, st, untimed, api.ExecutionStatusFailed, since, nil)
	insertFinished(t, st, old, api.ExecutionStatusSucceeded, since.Add(-time.Minute), ms(5))

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
}

// swapBreached returns the thresholds breached before and records those breached now.
func swapBreached(t *testing.T, st *store.Store) {
	wf := seedWorkflows(t, st, 1)[0]
	steps := []struct {
		now, want []string
	}{
		{[]string{"failure_rate", "p99"}, nil},
		{[]string{"p99"}, []string{"failure_rate", "p99"}},
		{nil, []string{"p99"}},
		{nil, nil},
	}
	for i, s := range steps {
		var prev []string
		tx(t, st, func(ctx context.Context, q *store.Q) (err error) {
			prev, err = q.SwapBreached(ctx, wf, s.now, time.Now())
			return err
		})
		if !slices.Equal(prev, s.want) {
			t.Errorf("swap %d: previously breached %v, want %v", i, prev, s.want)
		}
	}
}
