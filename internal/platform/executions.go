package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/classification"
)

// The executions API: trigger, read, list and cancel. Running them is the engine's job (engine.go;
// steps.go holds the step types).

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
		filters = append(filters, store.OfWorkflows(f))
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

// CancelExecution cancels a queued or running execution: a queued one never starts, a running
// one stops within a second: the step in progress is interrupted (its context ends) and
// recorded as failed with "canceled while running", the rest as skipped. A finished one
// answers 409. Needs the editor role on the workflow.
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
		// A running execution keeps its lease: its worker, told directly (below) or by its
		// replica's cancel check, stops the step, records it and releases the lease.
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
		// Running here, it stops now; on another replica, within its CancelCheckInterval.
		if w := s.runtime.services.Executions; w != nil {
			w.Cancel(id)
		}
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
