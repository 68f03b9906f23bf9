package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/runtime"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// The execution engine: claiming a queued execution, running its steps (steps.go holds the
// step types), recording progress under a lease, and recovering the executions of servers
// that died. The HTTP handlers for executions are in executions.go.

// interruptedError is the error of an execution whose server stopped while it ran.
const interruptedError = "interrupted by a server restart"

// executionQueue is the engine as the execution workers see it (runtime.ExecutionQueue).
type executionQueue struct{ s *Server }

// Claim claims the next queued execution fairly (store.Q.NextQueuedExecution), leases it to
// this server, and returns the job that runs it.
func (e executionQueue) Claim(ctx context.Context, full []string) (*runtime.Job, error) {
	s := e.s
	if len(full) > 0 && !hasWork(s.store.Read().HasQueuedExecution(ctx, full)) {
		return nil, nil
	}
	var row *store.ExecutionRow
	var wf *api.Workflow
	err := s.store.Tx(ctx, func(q *store.Q) error {
		r, err := q.NextQueuedExecution(ctx, full)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// The execution runs the workflow as it is now; its version is recorded.
		if wf, err = store.Workflows.Get(ctx, q, r.Execution.WorkflowID); err != nil {
			return err
		}
		now := s.now()
		r.Execution.Status, r.Execution.StartedAt, r.Execution.WorkflowVersion = api.ExecutionStatusRunning, &now, wf.Version
		r.Lease = s.lease()
		row = r
		return q.StartExecution(ctx, r.Execution, *r.Lease)
	})
	if err != nil || row == nil {
		return nil, err
	}
	return &runtime.Job{ID: row.Execution.ID, Group: row.ApplicationID, Run: func(ctx context.Context) { s.execute(ctx, row, wf) }}, nil
}

// hasWork tells, from a look outside a transaction (HasQueuedExecution, HasDueDelivery),
// whether a claim may find work. While an application holds its cap of workers, a worker that
// wakes usually finds only that application's work waiting, and nothing it may take; looking
// first, reading no document and locking no row, spares it the write lock (on SQLite, every
// transaction takes it) and leaves the lock to the workers and requests that write. An error
// says yes: the claim reports it.
func hasWork(found bool, err error) bool {
	return found || err != nil
}

// Canceled lists the executions this server runs that were canceled through any replica.
func (e executionQueue) Canceled(ctx context.Context) ([]string, error) {
	return e.s.store.Read().CanceledExecutions(ctx, e.s.runtime.owner)
}

// RenewLeases renews the leases of every execution this server runs, in one statement.
func (e executionQueue) RenewLeases(ctx context.Context) error {
	s := e.s
	return s.store.Tx(ctx, func(q *store.Q) error {
		return q.RenewExecutionLeases(ctx, s.runtime.owner, s.now().Add(s.cfg.LeaseDuration))
	})
}

// execute runs the steps of a claimed execution in order over one document, recording each
// step's result as it finishes, until a step fails, the execution is canceled, or the steps
// are done. ctx ends when the execution is canceled (cause runtime.ErrCanceled: the running
// step stops at once) or when the shutdown timeout passed (runtime.ErrShutdown: the execution
// fails as interrupted).
func (s *Server) execute(ctx context.Context, row *store.ExecutionRow, wf *api.Workflow) {
	exe := &row.Execution
	doc, err := jsonObject(exe.Input)
	for i, step := range wf.Steps {
		if err != nil {
			break
		}
		if ctx.Err() != nil {
			err = interruption(ctx, fmt.Sprintf("before step %q", step.Name))
			break
		}
		res := s.runStep(ctx, wf, row, step, doc)
		exe.Steps = append(exe.Steps, res)
		if res.Status == api.StepResultStatusFailed {
			err = stepFailure(step, deref(res.Error))
			if ctx.Err() != nil {
				err = interruption(ctx, fmt.Sprintf("while step %q was running; it may have had its effect", step.Name))
				exe.Steps[i].Error = ptr(stepInterruption(ctx))
			}
			break
		}
		if i < len(wf.Steps)-1 {
			if stop := s.checkpoint(ctx, exe, wf, false); stop {
				return
			}
		}
	}

	now := s.now()
	exe.FinishedAt = &now
	exe.DurationMs = ptr(now.Sub(*exe.StartedAt).Milliseconds())
	if err != nil {
		exe.Status, exe.Error = api.ExecutionStatusFailed, ptr(err.Error())
		exe.Steps = withSkipped(exe.Steps, wf.Steps)
	} else {
		exe.Status, exe.Output = api.ExecutionStatusSucceeded, &doc
	}
	if stop := s.checkpoint(ctx, exe, wf, true); !stop {
		s.runtime.stats.finished(exe.Status, exe.DurationMs)
	}
}

// interruption is the error of an execution whose context ended: canceled (the cancellation
// is already recorded; checkpoint keeps it) or stopped by the server's shutdown.
func interruption(ctx context.Context, when string) error {
	if errors.Is(context.Cause(ctx), runtime.ErrCanceled) {
		return errors.New("canceled " + when)
	}
	return fmt.Errorf("%s: the server shut down %s", interruptedError, when)
}

// stepInterruption is the error of the step that was running when ctx ended.
func stepInterruption(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), runtime.ErrCanceled) {
		return "canceled while running"
	}
	return interruptedError
}

// stepFailure is the execution's error when a step fails: a validate step's own message (the
// message is written for the user, such as "Amount exceeds limit"), else the step's error
// under its name.
func stepFailure(step api.WorkflowStep, msg string) error {
	if step.Type == api.Validate {
		return errors.New(msg)
	}
	return fmt.Errorf("step %q (%s) failed: %s", step.Name, step.Type, msg)
}

// checkpoint records an execution's progress (or, when final, its outcome) and renews or
// releases its lease. It reports whether the worker must stop: the execution was canceled
// meanwhile (the steps run so far are recorded, the rest as skipped), another server took it
// over after the lease expired, or its workflow was deleted.
func (s *Server) checkpoint(ctx context.Context, exe *api.Execution, wf *api.Workflow, final bool) (stop bool) {
	published := false
	ctx, cancel := writeCtx(ctx)
	defer cancel()
	err := s.store.Tx(ctx, func(q *store.Q) error {
		// The document is read only when the execution was canceled: its record is the
		// cancellation's. Every other checkpoint writes the worker's own.
		status, held, err := q.LockExecutionLease(ctx, exe.ID)
		if errors.Is(err, store.ErrNotFound) {
			stop = true
			return nil
		}
		if err != nil {
			return err
		}
		if held == nil || held.Owner != s.runtime.owner {
			stop = true
			return nil
		}
		if status == api.ExecutionStatusCanceled {
			stop = true
			cur, err := q.LockExecution(ctx, exe.ID)
			if err != nil {
				return err
			}
			c := cur.Execution
			c.Steps = withSkipped(exe.Steps, wf.Steps)
			return q.UpdateExecution(ctx, c, nil)
		}
		if !final {
			return q.SaveProgress(ctx, *exe, s.lease().Until)
		}
		if err := q.UpdateExecution(ctx, *exe, nil); err != nil {
			return err
		}
		published, err = s.alertOnBreach(ctx, q, wf)
		return err
	})
	if err != nil {
		// The lease runs out and recovery fails the execution visibly.
		s.logRuntimeError("recording execution "+exe.ID, err)
		return true
	}
	if published {
		s.nudge()
	}
	return stop
}

// recoverExpired fails, visibly, every running execution whose lease expired: the server
// running it stopped without finishing it. The steps recorded so far stay; the step that was
// running is marked failed, the rest skipped.
func (s *Server) recoverExpired(ctx context.Context) (int, error) {
	recovered := 0
	for ctx.Err() == nil {
		found := false
		err := s.store.Tx(ctx, func(q *store.Q) error {
			row, err := q.NextExpiredExecution(ctx, s.now())
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			exe := row.Execution
			wf, err := store.Workflows.Get(ctx, q, exe.WorkflowID)
			if err != nil {
				return err
			}
			now := s.now()
			exe.Status, exe.FinishedAt = api.ExecutionStatusFailed, &now
			exe.Error = ptr(interruptedError + ": the server running it stopped before it finished; its steps may have partly run, trigger it again if needed")
			if exe.StartedAt != nil {
				exe.DurationMs = ptr(now.Sub(*exe.StartedAt).Milliseconds())
			}
			if n := len(exe.Steps); n < len(wf.Steps) {
				st := wf.Steps[n]
				exe.Steps = append(exe.Steps, api.StepResult{Name: st.Name, Type: st.Type, Status: api.StepResultStatusFailed, Error: ptr(interruptedError)})
			}
			exe.Steps = withSkipped(exe.Steps, wf.Steps)
			s.log.Warn("runtime: recovered an interrupted execution", "execution", exe.ID, "lease_owner", row.Lease.Owner)
			return q.UpdateExecution(ctx, exe, nil)
		})
		if err != nil || !found {
			return recovered, err
		}
		recovered++
		s.runtime.stats.finished(api.ExecutionStatusFailed, nil)
	}
	return recovered, ctx.Err()
}

// jsonObject deep-copies a JSON object through encoding/json, so that every value in it has
// the types a decoded document has (float64 numbers, []any, map[string]any).
func jsonObject(v map[string]any) (map[string]any, error) {
	out := map[string]any{}
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("the input is not a JSON object: %w", err)
	}
	return out, nil
}

// jsonValue converts an expression's result to the value it has in a JSON document.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("the value cannot be stored in a JSON document: %w", err)
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

// urlForMessage drops the query and user information of a URL for messages: they may hold keys.
func urlForMessage(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if at := strings.Index(raw, "@"); at >= 0 {
		if scheme := strings.Index(raw, "://"); scheme >= 0 && scheme < at {
			raw = raw[:scheme+3] + raw[at+1:]
		}
	}
	return raw
}
