package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/cronspec"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/expression"
)

// defaultHTTPTimeoutMs is the contract's default for an http step's timeout_ms.
const defaultHTTPTimeoutMs = 10000

// headerNamePattern is an RFC 9110 token, the only valid shape of a header name.
var headerNamePattern = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// validateWorkflow checks what the contract cannot express: names, versions, the trigger's
// settings, and each step's settings, expressions, field paths and URL. Whether the application
// exists and may be written is decided in the transaction.
func validateWorkflow(in api.WorkflowInput) error {
	var errs []api.FieldError
	errs = append(errs, checkName("name", in.Name)...)
	errs = append(errs, checkSemver("version", in.Version)...)
	errs = append(errs, checkTrigger("trigger", in.Trigger)...)
	errs = append(errs, checkSteps("steps", in.Steps)...)
	errs = append(errs, checkSelfLoop(in)...)
	return invalid(errs...)
}

func checkTrigger(field string, t api.WorkflowTrigger) []api.FieldError {
	var errs []api.FieldError
	forbid := func(name string, v *string) {
		if v != nil {
			errs = append(errs, FieldError(field+"."+name, "must not be set for %s triggers", t.Type))
		}
	}
	switch t.Type {
	case api.TriggerTypeEvent:
		if t.EventType == nil {
			errs = append(errs, FieldError(field+".event_type", "is required for event triggers: the event type that starts the workflow, such as order.created"))
		} else {
			errs = append(errs, checkEventType(field+".event_type", *t.EventType)...)
		}
		forbid("cron", t.Cron)
	case api.TriggerTypeSchedule:
		if t.Cron == nil {
			errs = append(errs, FieldError(field+".cron", "is required for schedule triggers: five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly"))
		} else if _, err := cronspec.Parse(*t.Cron); err != nil {
			errs = append(errs, FieldError(field+".cron", "%s", err.Error()))
		}
		forbid("event_type", t.EventType)
	case api.TriggerTypeManual:
		forbid("event_type", t.EventType)
		forbid("cron", t.Cron)
	}
	return errs
}

func checkSteps(field string, steps []api.WorkflowStep) []api.FieldError {
	var errs []api.FieldError
	firstUse := map[string]int{}
	for i, st := range steps {
		at := fmt.Sprintf("%s[%d]", field, i)
		errs = append(errs, checkName(at+".name", st.Name)...)
		if j, dup := firstUse[st.Name]; dup {
			errs = append(errs, FieldError(at+".name", "step name %q is already used by %s[%d]; step names must be unique within a workflow", st.Name, field, j))
		} else {
			firstUse[st.Name] = i
		}
		errs = append(errs, checkStepSettings(at, st)...)
	}
	return errs
}

// checkStepSettings requires exactly the settings object that matches the step's type, then
// checks that object.
func checkStepSettings(at string, st api.WorkflowStep) []api.FieldError {
	var errs []api.FieldError
	settings := []struct {
		typ api.StepType
		set bool
	}{
		{api.Validate, st.Validate != nil},
		{api.Transform, st.Transform != nil},
		{api.HTTP, st.HTTP != nil},
		{api.Emit, st.Emit != nil},
	}
	for _, s := range settings {
		switch {
		case s.typ == st.Type && !s.set:
			errs = append(errs, FieldError(at+"."+string(s.typ), "is required for a step of type %s", st.Type))
		case s.typ != st.Type && s.set:
			errs = append(errs, FieldError(at+"."+string(s.typ), "must not be set for a step of type %s; set only %s", st.Type, st.Type))
		}
	}
	switch {
	case st.Type == api.Validate && st.Validate != nil:
		errs = append(errs, checkExpression(at+".validate.expression", st.Validate.Expression)...)
	case st.Type == api.Transform && st.Transform != nil:
		for k, a := range st.Transform.Set {
			set := fmt.Sprintf("%s.transform.set[%d]", at, k)
			errs = append(errs, checkFieldPath(set+".field", a.Field)...)
			errs = append(errs, checkExpression(set+".expression", a.Expression)...)
		}
	case st.Type == api.HTTP && st.HTTP != nil:
		errs = append(errs, checkHTTPStep(at+".http", st.HTTP)...)
	case st.Type == api.Emit && st.Emit != nil:
		errs = append(errs, checkEventType(at+".emit.event_type", st.Emit.EventType)...)
		if st.Emit.Data != nil {
			errs = append(errs, checkExpression(at+".emit.data", *st.Emit.Data)...)
		}
	}
	return errs
}

// checkStepURLs refuses, when the workflow is saved, http step URLs the SSRF policy refuses
// as webhooks' callbacks are refused: IP literals in refused ranges and names known to be
// local (localhost, metadata.google.internal). Other names are checked again when the step
// runs, after DNS, on every connection and redirect.
func (s *Server) checkStepURLs(steps []api.WorkflowStep) error {
	var errs []api.FieldError
	for i, st := range steps {
		if st.HTTP == nil || checkHTTPURL("url", st.HTTP.URL) != nil {
			continue // checkHTTPStep words a malformed URL
		}
		if err := s.callbackPolicy().CheckURL(st.HTTP.URL); err != nil {
			errs = append(errs, FieldError(fmt.Sprintf("steps[%d].http.url", i), "%s", err.Error()))
		}
	}
	return invalid(errs...)
}

// checkHTTPStep validates an http step's shape. Whether its URL may be called (SSRF) is
// decided by checkStepURLs when saved, and again when it runs.
func checkHTTPStep(at string, h *api.HTTPStep) []api.FieldError {
	errs := checkHTTPURL(at+".url", h.URL)
	if h.Body != nil {
		if h.Method == api.GET || h.Method == api.DELETE {
			errs = append(errs, FieldError(at+".body", "must not be set for %s requests, which carry no body", h.Method))
		} else {
			errs = append(errs, checkExpression(at+".body", *h.Body)...)
		}
	}
	if h.ResultField != nil {
		errs = append(errs, checkFieldPath(at+".result_field", *h.ResultField)...)
	}
	for _, set := range []struct {
		field   string
		headers map[string]string
	}{{"headers", deref(h.Headers)}, {"secret_headers", deref(h.SecretHeaders)}} {
		for name, value := range set.headers {
			if !headerNamePattern.MatchString(name) {
				errs = append(errs, FieldError(at+"."+set.field+"."+name, "%q is not a valid HTTP header name", name))
			}
			if strings.ContainsAny(value, "\r\n\x00") {
				errs = append(errs, FieldError(at+"."+set.field+"."+name, "header values must not contain line breaks or NUL"))
			}
		}
	}
	for name := range deref(h.SecretHeaders) {
		for plain := range deref(h.Headers) {
			if strings.EqualFold(name, plain) {
				errs = append(errs, FieldError(at+".secret_headers."+name, "%q is also in headers; set each header in one of them only", name))
			}
		}
	}
	return errs
}

func checkExpression(field, src string) []api.FieldError {
	if _, err := expression.Compile(src); err != nil {
		return []api.FieldError{FieldError(field, "the expression does not compile: %s", err.Error())}
	}
	return nil
}

func checkFieldPath(field, path string) []api.FieldError {
	if err := expression.ValidateFieldPath(path); err != nil {
		return []api.FieldError{FieldError(field, "%s", err.Error())}
	}
	return nil
}

// workflowTarget is what a grant must cover to act on wf: its application or itself.
func workflowTarget(wf *api.Workflow) Target {
	return Target{ApplicationID: wf.ApplicationID, WorkflowID: wf.ID}
}

// readableWorkflows is the list filter for a caller who is not a platform reader: workflows
// of applications they hold a role on, and workflows they hold a role on themselves. ok is
// false for platform readers, who need no filter.
func readableWorkflows(p *store.Principal) (f store.Filter, ok bool) {
	all, apps, workflows := readable(p)
	if all {
		return store.Filter{}, false
	}
	return store.ReadableWorkflows(apps, workflows), true
}

// ListWorkflows lists the workflows the caller may read.
func (s *Server) ListWorkflows(w http.ResponseWriter, r *http.Request, params api.ListWorkflowsParams) {
	var filters []store.Filter
	if f, ok := readableWorkflows(principal(r)); ok {
		filters = append(filters, f)
	}
	if params.ApplicationID != nil {
		filters = append(filters, store.Eq("application_id", *params.ApplicationID))
	}
	if params.Name != nil {
		filters = append(filters, store.Eq("name", *params.Name))
	}
	if params.Enabled != nil {
		filters = append(filters, store.Eq("enabled", *params.Enabled))
	}
	writeList(s, w, r, store.Workflows, filters, page(params.PageSize, params.PageToken))
}

// CreateWorkflow needs the editor role on the workflow's application.
func (s *Server) CreateWorkflow(w http.ResponseWriter, r *http.Request, params api.CreateWorkflowParams) {
	var in api.WorkflowInput
	if err := errors.Join(decode(r, &in), validateWorkflow(in), s.checkStepURLs(in.Steps)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		if err := s.checkWorkflowApplication(ctx, q, r, in.ApplicationID); err != nil {
			return 0, nil, err
		}
		if err := checkEmitScope(principal(r), in.ApplicationID, in.Steps); err != nil {
			return 0, nil, err
		}
		now := s.now()
		newID, err := newObjectID(ctx, q, store.Workflows, "wf", "workflow", params.ID)
		if err != nil {
			return 0, nil, err
		}
		wf := api.Workflow{ID: newID, CreatedAt: now}
		applyWorkflowInput(&wf, in, now)
		secrets, err := s.secretHeadersColumn(wf.ID, wf.Steps, takeSecretHeaders(in.Steps), nil)
		if err != nil {
			return 0, nil, err
		}
		if err := store.Workflows.Create(ctx, q, &wf, savedBy(r), secrets); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, wf, s.audit(ctx, q, r, "create", "workflow", wf.ID, "", wf.Etag)
	})
}

// checkWorkflowApplication refuses an application_id the caller may not create workflows in.
// One the caller cannot read is a field error worded like a missing one, so that the answer
// does not reveal which applications exist.
func (s *Server) checkWorkflowApplication(ctx context.Context, q *store.Q, r *http.Request, appID string) error {
	p := principal(r)
	_, err := store.Applications.Get(ctx, q, appID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || !can(p, applicationTarget(appID), api.Viewer) {
		return unreadableParent("application_id", "there is no application with id %q, or you may not read it", appID)
	}
	if !can(p, applicationTarget(appID), api.Editor) {
		return forbidden("creating workflows needs the editor role on application " + appID + " (or the platform)")
	}
	return nil
}

// savedBy records the caller as the author of the workflow's steps: they may do only what
// their author may do (checkEmitScope when saved, authorEmits when run). A save that leaves the
// steps as they are (enabling, renaming, a new version) leaves their author too, so that an
// editor of the workflow alone may still change those.
func savedBy(r *http.Request) store.Column {
	return store.Column{Name: "saved_by", Value: principal(r).UserID}
}

// stepsChange tells whether saving in would change wf's steps, defaults filled in.
func stepsChange(wf *api.Workflow, in api.WorkflowInput) bool {
	probe := *wf
	applyWorkflowInput(&probe, in, wf.LastModified)
	before, err1 := json.Marshal(wf.Steps)
	after, err2 := json.Marshal(probe.Steps)
	return err1 != nil || err2 != nil || !bytes.Equal(before, after)
}

// checkEmitScope refuses a workflow whose emit steps would publish where its author may not:
// an emit step publishes events of the workflow's application, as POST /events does, and that
// needs the editor role on the application (or the platform). A workflow-scoped editor may
// change the workflow but not publish for the whole application through it.
func checkEmitScope(p *store.Principal, appID string, steps []api.WorkflowStep) error {
	for i, st := range steps {
		if st.Type != api.Emit || st.Emit == nil || can(p, applicationTarget(appID), api.Editor) {
			continue
		}
		return forbidden(fmt.Sprintf("steps[%d] (%q) emits %s events of application %s, which needs the editor role on application %s "+
			"(or the platform), as publishing them with POST /events does; you lack it. Ask for that role, or remove the emit step",
			i, st.Name, st.Emit.EventType, appID, appID))
	}
	return nil
}

// applyWorkflowInput sets wf from a validated input, filling the defaults the contract
// promises, so that the stored object and every response show the values in effect.
func applyWorkflowInput(wf *api.Workflow, in api.WorkflowInput, now time.Time) {
	wf.ApplicationID, wf.Name, wf.Version = in.ApplicationID, in.Name, in.Version
	wf.Description = deref(in.Description)
	wf.Enabled = in.Enabled == nil || *in.Enabled
	wf.Trigger = in.Trigger
	wf.Steps = make([]api.WorkflowStep, len(in.Steps))
	for i, st := range in.Steps {
		if st.HTTP != nil {
			h := *st.HTTP
			h.SecretHeaders = nil // sealed apart (secret_headers.go), never in the document
			if h.TimeoutMs == nil {
				h.TimeoutMs = ptr(defaultHTTPTimeoutMs)
			}
			if h.ResultField == nil {
				h.ResultField = ptr(st.Name)
			}
			st.HTTP = &h
		}
		wf.Steps[i] = st
	}
	wf.Etag, wf.LastModified = store.NewETag(), now
}

// GetWorkflow reads one workflow.
func (s *Server) GetWorkflow(w http.ResponseWriter, r *http.Request, id api.ID) {
	wf, err := s.readWorkflow(r.Context(), s.store.Read(), r, id, api.Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wf)
}

// readWorkflow loads a workflow and checks the caller holds role on it; a workflow the caller
// may not read is a 404 like a missing one.
func (s *Server) readWorkflow(ctx context.Context, q *store.Q, r *http.Request, id string, role api.Role) (*api.Workflow, error) {
	wf, err := store.Workflows.Get(ctx, q, id)
	if err == nil {
		err = authorize(principal(r), workflowTarget(wf), role, "workflow", id)
	}
	if err != nil {
		return nil, notFoundAs(err, "workflow", id)
	}
	return wf, nil
}

// ReplaceWorkflow replaces every field but the application, which cannot change.
func (s *Server) ReplaceWorkflow(w http.ResponseWriter, r *http.Request, id api.ID, params api.ReplaceWorkflowParams) {
	var in api.WorkflowInput
	if err := errors.Join(decode(r, &in), validateWorkflow(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateWorkflow(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.Workflow) (api.WorkflowInput, error) {
		if in.ApplicationID != cur.ApplicationID {
			return in, invalid(FieldError("application_id", "cannot be changed: the workflow belongs to application %s; "+
				"create a new workflow in the other application instead", cur.ApplicationID))
		}
		return in, nil
	})
}

// PatchWorkflow changes the fields present in the body.
func (s *Server) PatchWorkflow(w http.ResponseWriter, r *http.Request, id api.ID, params api.PatchWorkflowParams) {
	var patch api.WorkflowPatch
	if err := decode(r, &patch); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateWorkflow(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.Workflow) (api.WorkflowInput, error) {
		in := api.WorkflowInput{ApplicationID: cur.ApplicationID, Name: cur.Name, Version: cur.Version,
			Description: &cur.Description, Enabled: &cur.Enabled, Trigger: cur.Trigger, Steps: cur.Steps}
		if patch.Name != nil {
			in.Name = *patch.Name
		}
		if patch.Version != nil {
			in.Version = *patch.Version
		}
		if patch.Description != nil {
			in.Description = patch.Description
		}
		if patch.Enabled != nil {
			in.Enabled = patch.Enabled
		}
		if patch.Trigger != nil {
			in.Trigger = *patch.Trigger
		}
		if patch.Steps != nil {
			in.Steps = *patch.Steps
		}
		return in, nil
	})
}

func (s *Server) updateWorkflow(w http.ResponseWriter, r *http.Request, id string, key, etag *string, next func(*api.Workflow) (api.WorkflowInput, error)) {
	s.mutate(w, r, key, func(ctx context.Context, q *store.Q) (int, any, error) {
		wf, err := s.readWorkflow(ctx, q, r, id, api.Editor)
		if err != nil {
			return 0, nil, err
		}
		// Authorization first, the steps' author included, then the precondition.
		in, err := next(wf)
		var author []store.Column
		if err == nil && stepsChange(wf, in) {
			if err := checkEmitScope(principal(r), wf.ApplicationID, in.Steps); err != nil {
				return 0, nil, err
			}
			author = append(author, savedBy(r))
		}
		if err := checkETag(etag, wf.Etag); err != nil {
			return 0, nil, err
		}
		if err == nil {
			err = validateWorkflow(in)
		}
		if err == nil {
			err = s.checkStepURLs(in.Steps)
		}
		if err != nil {
			return 0, nil, err
		}
		stored, err := s.loadSecretHeaders(ctx, q, wf.ID)
		if err != nil {
			return 0, nil, err
		}
		before := wf.Etag
		applyWorkflowInput(wf, in, s.now())
		secrets, err := s.secretHeadersColumn(wf.ID, wf.Steps, takeSecretHeaders(in.Steps), stored)
		if err != nil {
			return 0, nil, err
		}
		if err := store.Workflows.Update(ctx, q, wf, before, append(author, secrets)...); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, wf, s.audit(ctx, q, r, "update", "workflow", id, before, wf.Etag)
	})
}

// DeleteWorkflow deletes the workflow; its monitoring target and execution history go with it
// (ON DELETE CASCADE).
func (s *Server) DeleteWorkflow(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteWorkflowParams) {
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		wf, err := s.readWorkflow(ctx, q, r, id, api.Editor)
		if err != nil {
			return 0, nil, err
		}
		if err := checkETag(params.IfMatch, wf.Etag); err != nil {
			return 0, nil, err
		}
		if err := store.Workflows.Delete(ctx, q, id, wf.Etag); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.audit(ctx, q, r, "delete", "workflow", id, wf.Etag, "")
	})
}
