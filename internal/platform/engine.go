package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// The execution engine: claiming a queued execution, running its steps (steps.go holds the
// step types), recording progress under a lease, and recovering the executions of servers
// that died. The HTTP handlers for executions are in executions.go.

// interruptedError is the error of an execution whose server stopped while it ran.
const interruptedError = "interrupted by a server restart"

// runNextExecution claims the oldest queued execution, if any, and runs it to the end. It
// reports whether there was one.
func (s *Server) runNextExecution() (bool, error) {
	rt := s.runtime
	var row *store.ExecutionRow
	var wf *api.Workflow
	err := s.store.Tx(rt.ctx, func(q *store.Q) error {
		r, err := q.NextQueuedExecution(rt.ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// The execution runs the workflow as it is now; its version is recorded.
		if wf, err = store.Workflows.Get(rt.ctx, q, r.Execution.WorkflowID); err != nil {
			return err
		}
		now := s.now()
		r.Execution.Status, r.Execution.StartedAt, r.Execution.WorkflowVersion = api.ExecutionStatusRunning, &now, wf.Version
		r.Lease = s.lease()
		row = r
		return q.UpdateExecution(rt.ctx, r.Execution, r.Lease)
	})
	if err != nil || row == nil {
		return false, err
	}
	s.execute(row, wf)
	return true, nil
}

// execute runs the steps of a claimed execution in order over one document, recording each
// step's result as it finishes, until a step fails, the execution is canceled, or the steps
// are done.
func (s *Server) execute(row *store.ExecutionRow, wf *api.Workflow) {
	rt := s.runtime
	exe := &row.Execution
	ctx, stopHeartbeat := context.WithCancel(rt.ctx)
	heartbeat := s.heartbeat(ctx, exe.ID)
	defer func() {
		stopHeartbeat()
		<-heartbeat
	}()

	doc, err := jsonObject(exe.Input)
	for i, step := range wf.Steps {
		if err != nil {
			break
		}
		if rt.ctx.Err() != nil {
			err = fmt.Errorf("%s: the server shut down before step %q", interruptedError, step.Name)
			break
		}
		res := s.runStep(ctx, wf, row.Depth, step, doc)
		exe.Steps = append(exe.Steps, res)
		if res.Status == api.StepResultStatusFailed {
			err = stepFailure(step, deref(res.Error))
			if rt.ctx.Err() != nil {
				err = fmt.Errorf("%s: the server shut down while step %q was running; it may have had its effect", interruptedError, step.Name)
				exe.Steps[i].Error = ptr(interruptedError)
			}
			break
		}
		if i < len(wf.Steps)-1 {
			if stop := s.checkpoint(exe, wf, false); stop {
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
	if stop := s.checkpoint(exe, wf, true); !stop {
		rt.stats.finished(exe.Status, exe.DurationMs)
	}
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
func (s *Server) checkpoint(exe *api.Execution, wf *api.Workflow, final bool) (stop bool) {
	published := false
	ctx, cancel := s.writeCtx()
	defer cancel()
	err := s.store.Tx(ctx, func(q *store.Q) error {
		cur, err := q.LockExecution(ctx, exe.ID)
		if errors.Is(err, store.ErrNotFound) {
			stop = true
			return nil
		}
		if err != nil {
			return err
		}
		if cur.Lease == nil || cur.Lease.Owner != s.runtime.owner {
			stop = true
			return nil
		}
		if cur.Execution.Status == api.ExecutionStatusCanceled {
			stop = true
			c := cur.Execution
			c.Steps = withSkipped(exe.Steps, wf.Steps)
			return q.UpdateExecution(ctx, c, nil)
		}
		var lease *store.Lease
		if !final {
			lease = s.lease()
		}
		if err := q.UpdateExecution(ctx, *exe, lease); err != nil || !final {
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

// heartbeat renews the lease on a running execution until ctx ends; the returned channel
// closes when it has stopped.
func (s *Server) heartbeat(ctx context.Context, id string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(s.cfg.LeaseDuration / 3)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			err := s.store.Tx(ctx, func(q *store.Q) error {
				_, err := q.RenewExecutionLease(ctx, id, s.runtime.owner, s.now().Add(s.cfg.LeaseDuration))
				return err
			})
			if err != nil && ctx.Err() == nil {
				s.logRuntimeError("renewing the lease of execution "+id, err)
			}
		}
	}()
	return done
}

// recoverExpired fails, visibly, every running execution whose lease expired: the server
// running it stopped without finishing it. The steps recorded so far stay; the step that was
// running is marked failed, the rest skipped.
func (s *Server) recoverExpired() error {
	rt := s.runtime
	for !rt.stopping() {
		found := false
		err := s.store.Tx(rt.ctx, func(q *store.Q) error {
			row, err := q.NextExpiredExecution(rt.ctx, s.now())
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			exe := row.Execution
			wf, err := store.Workflows.Get(rt.ctx, q, exe.WorkflowID)
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
			return q.UpdateExecution(rt.ctx, exe, nil)
		})
		if err != nil || !found {
			return err
		}
		rt.stats.finished(api.ExecutionStatusFailed, nil)
	}
	return nil
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
