package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/netguard"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/document"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/expression"
)

// The step types. Each runs over the execution's document, which it may change, and returns
// the step's output for its result. Expressions were checked when the workflow was saved and
// are compiled again here: the stored workflow is the source of truth.

// maxHTTPResponseBytes bounds the response body an http step reads into the document.
const maxHTTPResponseBytes = 1 << 20

// userAgent identifies the platform's outgoing calls.
const userAgent = "lowcode-platform"

// runStep runs one step and returns its result.
func (s *Server) runStep(ctx context.Context, wf *api.Workflow, row *store.ExecutionRow, step api.WorkflowStep, doc map[string]any) api.StepResult {
	start := s.now()
	res := api.StepResult{Name: step.Name, Type: step.Type, StartedAt: &start}
	var out any
	var err error
	// All the expressions of a step share one budget (a transform sets up to 100 fields).
	budget := expression.NewStepBudget()
	switch {
	case step.Type == api.Validate && step.Validate != nil:
		err = validateStep(ctx, budget, step.Validate, doc)
	case step.Type == api.Transform && step.Transform != nil:
		out, err = transformStep(ctx, budget, step.Transform, doc, s.documentLimits())
	case step.Type == api.HTTP && step.HTTP != nil:
		out, err = s.httpStep(ctx, budget, wf, step, doc)
	case step.Type == api.Emit && step.Emit != nil:
		out, err = s.emitStep(ctx, budget, wf, row, step.Emit, doc)
	default:
		err = fmt.Errorf("the step has no %s settings", step.Type)
	}
	if err == nil {
		err = s.checkStepDocuments(row, out, doc)
	}
	end := s.now()
	res.FinishedAt, res.DurationMs = &end, ptr(end.Sub(start).Milliseconds())
	if err != nil {
		res.Status, res.Error = api.StepResultStatusFailed, ptr(err.Error())
		return res
	}
	res.Status, res.Output = api.StepResultStatusSucceeded, out
	return res
}

// evaluate compiles and evaluates an expression over the document, as a JSON value, charged
// against the step's budget.
func evaluate(ctx context.Context, budget *expression.Budget, src string, doc map[string]any) (any, error) {
	prog, err := expression.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("the expression %q does not compile: %w", src, err)
	}
	v, err := prog.EvalIn(ctx, budget, doc)
	if err != nil {
		return nil, fmt.Errorf("evaluating %q: %w", src, err)
	}
	return jsonValue(v)
}

// validateStep fails with the step's message unless its expression holds.
func validateStep(ctx context.Context, budget *expression.Budget, v *api.ValidateStep, doc map[string]any) error {
	prog, err := expression.Compile(v.Expression)
	if err != nil {
		return fmt.Errorf("the expression %q does not compile: %w", v.Expression, err)
	}
	ok, err := prog.EvalBoolIn(ctx, budget, doc)
	if err != nil {
		return fmt.Errorf("evaluating %q: %w", v.Expression, err)
	}
	if !ok {
		return errors.New(v.Message)
	}
	return nil
}

// transformStep sets fields in order (later expressions see earlier results); its output is
// the fields it set, nested as in the document.
// The document is checked after each field, so that it never grows far past its limits.
func transformStep(ctx context.Context, budget *expression.Budget, t *api.TransformStep, doc map[string]any, limits document.Limits) (any, error) {
	set := map[string]any{}
	meter, err := newDocMeter(doc, limits)
	if err != nil {
		return nil, err
	}
	for _, a := range t.Set {
		v, err := evaluate(ctx, budget, a.Expression, doc)
		if err != nil {
			return nil, fmt.Errorf("setting %s: %w", a.Field, err)
		}
		if err := meter.set(doc, a.Field, v); err != nil {
			return nil, fmt.Errorf("setting %s: %w", a.Field, err)
		}
		// Nested like the document, so that classification patterns match the same paths.
		if err := expression.SetPath(set, a.Field, v); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// httpStep calls an external system under the server's SSRF policy and saves {status, body}
// in the document at result_field; a non-2xx answer fails the step after saving it.
func (s *Server) httpStep(ctx context.Context, budget *expression.Budget, wf *api.Workflow, step api.WorkflowStep, doc map[string]any) (any, error) {
	h := step.HTTP
	secrets, err := s.loadSecretHeaders(ctx, s.store.Read(), wf.ID)
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(deref(h.TimeoutMs)) * time.Millisecond
	if h.TimeoutMs == nil {
		timeout = defaultHTTPTimeoutMs * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var body io.Reader
	if h.Method != api.GET && h.Method != api.DELETE {
		var payload any = doc
		if h.Body != nil {
			v, err := evaluate(ctx, budget, *h.Body, doc)
			if err != nil {
				return nil, fmt.Errorf("the body: %w", err)
			}
			payload = v
		}
		if err := s.documentLimits().Check(payload); err != nil {
			return nil, fmt.Errorf("the body: %w", err)
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, string(h.Method), h.URL, body)
	if err != nil {
		return nil, fmt.Errorf("the request to %s cannot be made: %w", urlForMessage(h.URL), err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range deref(h.Headers) {
		req.Header.Set(k, v)
	}
	for k, v := range secrets[step.Name] {
		req.Header.Set(k, v)
	}
	resp, err := s.runtime.client.Do(req)
	if err != nil {
		return nil, callError(h.Method, h.URL, err, timeout)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPResponseBytes+1))
	if err != nil {
		return nil, callError(h.Method, h.URL, err, timeout)
	}
	if len(raw) > maxHTTPResponseBytes {
		return nil, fmt.Errorf("%s %s answered with a body larger than %d bytes", h.Method, urlForMessage(h.URL), maxHTTPResponseBytes)
	}
	var decoded any = string(raw)
	var v any
	if json.Unmarshal(raw, &v) == nil {
		decoded = v
	}
	result := map[string]any{"status": float64(resp.StatusCode), "body": decoded}
	field := deref(h.ResultField)
	if field == "" {
		field = step.Name
	}
	if err := expression.SetPath(doc, field, result); err != nil {
		return nil, fmt.Errorf("saving the response at %s: %w", field, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return result, fmt.Errorf("%s %s answered %d %s", h.Method, urlForMessage(h.URL), resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return result, nil
}

// callError words a failed outgoing call: refused by the SSRF policy, timed out, or failed.
func callError(method api.HTTPMethod, url string, err error, timeout time.Duration) error {
	if refused, ok := netguard.IsRefused(err); ok {
		return refused
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s did not answer within %s", method, urlForMessage(url), timeout)
	}
	// A failed lookup names the host, never the server's resolver (its address and errors are
	// the server's network, not the workflow author's business).
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		why := "the lookup failed"
		switch {
		case dnsErr.IsNotFound:
			why = "no such host"
		case dnsErr.IsTimeout:
			why = "the lookup timed out"
		}
		return fmt.Errorf("%s %s failed: cannot resolve %s: %s", method, urlForMessage(url), dnsErr.Name, why)
	}
	return fmt.Errorf("%s %s failed: %w", method, urlForMessage(url), errors.Unwrap(err))
}

// emitStep publishes an event of the workflow's application; its output is the event's id.
func (s *Server) emitStep(ctx context.Context, budget *expression.Budget, wf *api.Workflow, row *store.ExecutionRow, e *api.EmitStep, doc map[string]any) (any, error) {
	data := doc
	if e.Data != nil {
		v, err := evaluate(ctx, budget, *e.Data, doc)
		if err != nil {
			return nil, fmt.Errorf("the data: %w", err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the data expression %q must give an object, not %s", *e.Data, jsonKind(v))
		}
		data = obj
	}
	var ev api.Event
	err := s.store.Tx(ctx, func(q *store.Q) error {
		if err := authorEmits(ctx, q, wf, e.EventType); err != nil {
			return err
		}
		from, err := emittedBy(ctx, q, row.Execution.ID, wf)
		if err != nil {
			return err
		}
		ev, err = s.publish(ctx, q, e.EventType, wf.ApplicationID, data, from)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.nudgeEvent(ev)
	return map[string]any{"event_id": ev.ID}, nil
}

// authorEmits checks, when the step runs, that the user who saved the workflow still may
// publish the application's events (the editor role on it, or on the platform) and is
// active: grants change after a workflow is saved, and a step may do only what its author may.
func authorEmits(ctx context.Context, q *store.Q, wf *api.Workflow, eventType string) error {
	author, err := q.WorkflowSavedBy(ctx, wf.ID)
	if err != nil {
		return err
	}
	if author == "" {
		return fmt.Errorf("refusing to emit %s: workflow %s has no recorded author (it was saved before authors were recorded); "+
			"save it again as a user with the editor role on application %s", eventType, wf.ID, wf.ApplicationID)
	}
	u, err := store.Users.Get(ctx, q, author)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	grants, err := userAssignments(ctx, q, author, nil)
	if err != nil {
		return err
	}
	p := &store.Principal{UserID: author, MaxRole: api.Owner, Grants: grants}
	var lacks string
	switch {
	case u == nil:
		lacks = "no longer exists, so lacks"
	case !u.Active:
		lacks = "is inactive, so lacks"
	case !can(p, applicationTarget(wf.ApplicationID), api.Editor):
		lacks = "no longer holds"
	default:
		return nil
	}
	return fmt.Errorf("refusing to emit %s: user %s, who saved workflow %s, %s the editor role on application %s "+
		"(or the platform) that emitting its events needs; grant it again, or save the workflow as a user who holds it",
		eventType, author, wf.ID, lacks, wf.ApplicationID)
}

// jsonKind names a JSON value's type for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}
