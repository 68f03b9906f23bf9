package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/classification"
)

// The executions API: trigger, read, list and cancel. Running them is runNextExecution's job
// (steps.go holds the step types).

// interruptedError is the error of an execution whose server stopped while it ran.
const interruptedError = "interrupted by a server restart"

// TriggerWorkflow queues an execution with the given input and answers 202 at once; a worker
// runs it. Needs the editor role on the workflow.
func (s *Server) TriggerWorkflow(w http.ResponseWriter, r *http.Request, id api.ID, params api.TriggerWorkflowParams) {
	var in api.TriggerRequest
	if err := errors.Join(decode(r, &in), s.checkRequestDocument("input", in.Input)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		wf, err := s.readWorkflow(ctx, q, r, id, api.Editor)
		if err != nil {
			return 0, nil, err
		}
		if !wf.Enabled {
			return 0, nil, conflict("workflow "+id+" is disabled, so it cannot be triggered; enable it first (PATCH enabled: true)", "")
		}
		exe := s.newExecution(wf, api.TriggerTypeManual, deref(in.Input), "")
		if err := q.InsertExecution(ctx, exe, 0); err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, api.TriggerResponse{ExecutionID: exe.ID, Status: exe.Status},
			s.audit(ctx, q, r, "trigger", "execution", exe.ID, "", "")
	})
	s.nudge()
}

// newExecution is a queued execution of wf over input.
func (s *Server) newExecution(wf *api.Workflow, trigger api.TriggerType, input map[string]any, eventID string) api.Execution {
	if input == nil {
		input = map[string]any{}
	}
	exe := api.Execution{ID: store.NewID("exe"), WorkflowID: wf.ID, WorkflowVersion: wf.Version, Status: api.ExecutionStatusQueued,
		TriggerType: trigger, Input: input, Steps: []api.StepResult{}, QueuedAt: s.now()}
	if eventID != "" {
		exe.EventID = &eventID
	}
	return exe
}

// GetExecution reads one execution, with the classified fields the caller may not see masked.
// Needs the viewer role on its workflow.
func (s *Server) GetExecution(w http.ResponseWriter, r *http.Request, id api.ID) {
	ctx := r.Context()
	rd := s.executionReader(ctx, s.store.Read(), principal(r))
	exe, err := store.Executions.Get(ctx, rd.q, id)
	if err == nil {
		err = rd.authorize(exe, api.Viewer)
	}
	if err == nil {
		err = rd.redact(exe)
	}
	if err != nil {
		s.fail(w, r, notFoundAs(err, "execution", id))
		return
	}
	writeJSON(w, http.StatusOK, exe)
}

// ListExecutions lists the executions of the workflows the caller may read, newest first.
func (s *Server) ListExecutions(w http.ResponseWriter, r *http.Request, params api.ListExecutionsParams) {
	ctx := r.Context()
	p := principal(r)
	var filters []store.Filter
	if f, ok := readableWorkflows(p); ok {
		filters = append(filters, ofWorkflows(f))
	}
	if params.WorkflowID != nil {
		filters = append(filters, store.Eq("workflow_id", *params.WorkflowID))
	}
	if params.Status != nil {
		filters = append(filters, store.Eq("status", string(*params.Status)))
	}
	rd := s.executionReader(ctx, s.store.Read(), p)
	items, next, err := store.Executions.List(ctx, rd.q, filters, page(params.PageSize, params.PageToken))
	for i := 0; err == nil && i < len(items); i++ {
		err = rd.redact(&items[i])
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[api.Execution]{Items: items, NextPageToken: next})
}

// ofWorkflows turns a filter on workflows into one on the rows that belong to them.
func ofWorkflows(f store.Filter) store.Filter {
	if f.SQL == "" {
		return store.Filter{Column: "workflow_id", Values: f.Values} // may read none
	}
	return store.Filter{SQL: "workflow_id IN (SELECT id FROM workflows WHERE " + f.SQL + ")", Args: f.Args}
}

// CancelExecution cancels a queued or running execution: a queued one never starts, a running
// one stops before its next step (the step in progress completes and is recorded). A finished
// one answers 409. Needs the editor role on the workflow.
func (s *Server) CancelExecution(w http.ResponseWriter, r *http.Request, id api.ID, params api.CancelExecutionParams) {
	canceled := false
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		rd := s.executionReader(ctx, q, principal(r))
		row, err := q.LockExecution(ctx, id)
		if err == nil {
			err = rd.authorize(&row.Execution, api.Editor)
		}
		if err != nil {
			return 0, nil, notFoundAs(err, "execution", id)
		}
		exe := row.Execution
		if exe.Status != api.ExecutionStatusQueued && exe.Status != api.ExecutionStatusRunning {
			return 0, nil, conflict(fmt.Sprintf("execution %s already finished (%s); only queued or running executions can be canceled", id, exe.Status), "")
		}
		now := s.now()
		if exe.Status == api.ExecutionStatusQueued {
			exe.Steps = withSkipped(exe.Steps, rd.workflows[exe.WorkflowID].Steps)
		}
		exe.Status, exe.FinishedAt, exe.Error = api.ExecutionStatusCanceled, &now, ptr("canceled by "+principal(r).UserID)
		if exe.StartedAt != nil {
			exe.DurationMs = ptr(now.Sub(*exe.StartedAt).Milliseconds())
		}
		// A running execution keeps its lease: its worker sees the cancellation at its next
		// checkpoint, records the step it was running and releases it.
		if err := q.UpdateExecution(ctx, exe, row.Lease); err != nil {
			return 0, nil, err
		}
		if err := s.audit(ctx, q, r, "cancel", "execution", id, "", ""); err != nil {
			return 0, nil, err
		}
		canceled = true
		return http.StatusOK, &exe, rd.redact(&exe)
	})
	if canceled {
		s.runtime.stats.finished(api.ExecutionStatusCanceled, nil)
	}
}

// withSkipped appends a skipped result for every step of the workflow that has none yet.
func withSkipped(results []api.StepResult, steps []api.WorkflowStep) []api.StepResult {
	out := append([]api.StepResult{}, results...)
	for _, st := range steps[min(len(results), len(steps)):] {
		out = append(out, api.StepResult{Name: st.Name, Type: st.Type, Status: api.StepResultStatusSkipped})
	}
	return out
}

// executionReader authorizes and redacts executions for one caller, loading each workflow
// and each application's classification policies once.
type executionReader struct {
	s         *Server
	ctx       context.Context
	q         *store.Q
	p         *store.Principal
	workflows map[string]*api.Workflow
	policies  map[string][]api.ClassificationPolicy
}

func (s *Server) executionReader(ctx context.Context, q *store.Q, p *store.Principal) *executionReader {
	return &executionReader{s: s, ctx: ctx, q: q, p: p, workflows: map[string]*api.Workflow{}, policies: map[string][]api.ClassificationPolicy{}}
}

func (rd *executionReader) workflow(id string) (*api.Workflow, error) {
	if wf, ok := rd.workflows[id]; ok {
		return wf, nil
	}
	wf, err := store.Workflows.Get(rd.ctx, rd.q, id)
	if err != nil {
		return nil, err
	}
	rd.workflows[id] = wf
	return wf, nil
}

// authorize checks the caller holds role on the execution's workflow; an execution the caller
// may not read is a 404 like a missing one.
func (rd *executionReader) authorize(exe *api.Execution, role api.Role) error {
	wf, err := rd.workflow(exe.WorkflowID)
	if err != nil {
		return err
	}
	return authorize(rd.p, workflowTarget(wf), role, "execution", exe.ID)
}

// redact masks the fields of the input, the output and each step's output that the caller may
// not see under the platform's and the workflow's application's classification policies, and
// lists their paths (such as input.customer.ssn, steps[1].output.body.ssn) in redacted_fields.
func (rd *executionReader) redact(exe *api.Execution) error {
	wf, err := rd.workflow(exe.WorkflowID)
	if err != nil {
		return err
	}
	policies, ok := rd.policies[wf.ApplicationID]
	if !ok {
		if policies, err = rd.s.policiesFor(rd.ctx, rd.q, wf.ApplicationID); err != nil {
			return err
		}
		rd.policies[wf.ApplicationID] = policies
	}
	if len(policies) == 0 {
		return nil
	}
	target := workflowTarget(wf)
	// A workflow's validate messages are its own text, shown even when data is masked.
	var plain []string
	for _, st := range wf.Steps {
		if st.Validate != nil {
			plain = append(plain, st.Validate.Message)
		}
	}
	classification.RedactExecution(exe, policies, func(pol api.ClassificationPolicy) bool { return seesData(rd.p, pol, target) }, plain...)
	return nil
}

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
		res := s.runStep(ctx, wf, row, step, doc)
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
