package platform_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/expression"
)

// problemResponse is what every generated response offers for checking an error.
type problemResponse interface {
	StatusCode() int
	ContentType() string
	GetBody() []byte
}

// wantProblem fails the test unless resp is a problem with status and, when fields are given,
// exactly those field errors. It returns the problem. The body is decoded here rather than
// read from the generated per-status field, so one helper serves every status.
func wantProblem(t *testing.T, resp problemResponse, status int, fields ...string) *api.Problem {
	t.Helper()
	var p *api.Problem
	if strings.HasPrefix(resp.ContentType(), "application/problem+json") {
		p = new(api.Problem)
		if err := json.Unmarshal(resp.GetBody(), p); err != nil {
			t.Fatalf("status %d: the problem does not decode: %v\n%s", resp.StatusCode(), err, resp.GetBody())
		}
	}
	if resp.StatusCode() != status || p == nil {
		t.Fatalf("got status %d (problem %+v), want %d", resp.StatusCode(), p, status)
	}
	var got []string
	for _, fe := range deref(p.Errors) {
		got = append(got, fe.Field)
	}
	if len(fields) > 0 && !slices.Equal(got, fields) {
		t.Fatalf("field errors %v (%+v), want %v", got, deref(p.Errors), fields)
	}
	return p
}

// wantForbiddenScope asserts the refusal of an object that exists outside the caller's scope:
// 403 with the problem type forbidden-scope, never the 404 of a missing object.
func wantForbiddenScope(t *testing.T, resp problemResponse) *api.Problem {
	t.Helper()
	p := wantProblem(t, resp, http.StatusForbidden)
	if !strings.HasSuffix(p.Type, "/problems/forbidden-scope") {
		t.Fatalf("problem type %q, want .../problems/forbidden-scope (%s)", p.Type, deref(p.Detail))
	}
	return p
}

// fieldMessage returns the message of the first error on field.
func fieldMessage(p *api.Problem, field string) string {
	for _, fe := range deref(p.Errors) {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

func createApp(t *testing.T, c *api.ClientWithResponses, name string) string {
	t.Helper()
	resp, err := c.CreateApplicationWithResponse(context.Background(), &api.CreateApplicationParams{}, api.ApplicationInput{
		Name: name, Environment: api.Production, Version: "2.3.0"})
	if err != nil || resp.JSON201 == nil {
		t.Fatalf("creating application %s: %v %d %s", name, err, resp.StatusCode(), resp.Body)
	}
	return resp.JSON201.ID
}

// orderFulfillment is the seed's workflow: validate the amount, sync to the CRM, announce it.
func orderFulfillment(appID string) api.WorkflowInput {
	return api.WorkflowInput{
		ApplicationID: appID, Name: "order-fulfillment", Version: "1.5.2",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: ptr("order.created")},
		Steps: []api.WorkflowStep{
			{Name: "check-amount", Type: api.Validate,
				Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "Amount exceeds limit"}},
			{Name: "sync-crm", Type: api.HTTP,
				HTTP: &api.HTTPStep{Method: api.POST, URL: "https://crm.example.com/api/orders", Body: ptr("{id: order_id, amount: amount}")}},
			{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.validated"}},
		},
	}
}

func createWorkflow(t *testing.T, c *api.ClientWithResponses, in api.WorkflowInput) api.Workflow {
	t.Helper()
	resp, err := c.CreateWorkflowWithResponse(context.Background(), &api.CreateWorkflowParams{}, in)
	if err != nil || resp.JSON201 == nil {
		t.Fatalf("creating workflow %s: %v %d %s", in.Name, err, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON201
}

func listWorkflowIDs(t *testing.T, c *api.ClientWithResponses, params api.ListWorkflowsParams) []string {
	t.Helper()
	resp, err := c.ListWorkflowsWithResponse(context.Background(), &params)
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("listing workflows: %v %d %s", err, resp.StatusCode(), resp.Body)
	}
	ids := []string{}
	for _, wf := range resp.JSON200.Items {
		ids = append(ids, wf.ID)
	}
	return ids
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWorkflowsCRUD(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")

		created, err := c.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, orderFulfillment(appID))
		if err != nil || created.JSON201 == nil {
			t.Fatalf("create: %v %d %s", err, created.StatusCode(), created.Body)
		}
		wf := *created.JSON201
		if got := created.HTTPResponse.Header.Get("ETag"); got != `"`+wf.Etag+`"` {
			t.Errorf("ETag header %q, want %q", got, wf.Etag)
		}
		// Defaults are filled in the response, so that a client reads back what is in effect.
		h := wf.Steps[1].HTTP
		if !wf.Enabled || wf.Description != "" || deref(h.TimeoutMs) != 10000 || deref(h.ResultField) != "sync-crm" ||
			!strings.HasPrefix(wf.ID, "wf_") || wf.ApplicationID != appID || !wf.LastModified.Equal(wf.CreatedAt) {
			t.Errorf("created workflow does not show its defaults: %s", created.Body)
		}
		if wf.Steps[0].Validate.Message != "Amount exceeds limit" || wf.Steps[2].Emit.EventType != "order.validated" ||
			deref(wf.Trigger.EventType) != "order.created" {
			t.Errorf("created workflow lost settings: %s", created.Body)
		}

		got, err := c.GetWorkflowWithResponse(ctx, wf.ID)
		if err != nil || got.JSON200 == nil || mustJSON(t, got.JSON200) != mustJSON(t, wf) {
			t.Fatalf("get: %v %s, want %s", err, got.Body, mustJSON(t, wf))
		}

		// Filters.
		if ids := listWorkflowIDs(t, c, api.ListWorkflowsParams{ApplicationID: &appID, Name: ptr("order-fulfillment"), Enabled: ptr(true)}); !slices.Equal(ids, []string{wf.ID}) {
			t.Errorf("list enabled: %v", ids)
		}
		if ids := listWorkflowIDs(t, c, api.ListWorkflowsParams{Enabled: ptr(false)}); len(ids) != 0 {
			t.Errorf("list disabled: %v, want none", ids)
		}

		// A stale etag is refused and changes nothing.
		stale, _ := c.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{IfMatch: ptr(`"stale"`)}, api.WorkflowPatch{Enabled: ptr(false)})
		wantProblem(t, stale, http.StatusPreconditionFailed)
		if after, _ := c.GetWorkflowWithResponse(ctx, wf.ID); after.JSON200 == nil || after.JSON200.Etag != wf.Etag || !after.JSON200.Enabled {
			t.Fatalf("a refused patch changed the workflow: %s", after.Body)
		}

		patched, _ := c.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{IfMatch: ptr(`"` + wf.Etag + `"`)}, api.WorkflowPatch{Enabled: ptr(false)})
		if patched.JSON200 == nil || patched.JSON200.Enabled || patched.JSON200.Etag == wf.Etag ||
			!patched.JSON200.LastModified.After(wf.LastModified) && !patched.JSON200.LastModified.Equal(wf.LastModified) ||
			mustJSON(t, patched.JSON200.Steps) != mustJSON(t, wf.Steps) || !patched.JSON200.CreatedAt.Equal(wf.CreatedAt) {
			t.Fatalf("patch: %d %s", patched.StatusCode(), patched.Body)
		}
		if ids := listWorkflowIDs(t, c, api.ListWorkflowsParams{Enabled: ptr(false)}); !slices.Equal(ids, []string{wf.ID}) {
			t.Errorf("list disabled after patch: %v", ids)
		}

		// PUT replaces everything: enabled goes back to its default, the version changes.
		in := orderFulfillment(appID)
		in.Version, in.Description = "1.6.0", ptr("validates and syncs orders")
		in.Steps[1].HTTP.TimeoutMs, in.Steps[1].HTTP.ResultField = ptr(2500), ptr("crm.response")
		replaced, _ := c.ReplaceWorkflowWithResponse(ctx, wf.ID, &api.ReplaceWorkflowParams{IfMatch: ptr(patched.JSON200.Etag)}, in)
		if replaced.JSON200 == nil || replaced.JSON200.Version != "1.6.0" || !replaced.JSON200.Enabled ||
			replaced.JSON200.Description != "validates and syncs orders" || deref(replaced.JSON200.Steps[1].HTTP.TimeoutMs) != 2500 ||
			deref(replaced.JSON200.Steps[1].HTTP.ResultField) != "crm.response" {
			t.Fatalf("replace: %d %s", replaced.StatusCode(), replaced.Body)
		}

		// The application cannot change.
		otherApp := createApp(t, c, "billing")
		moved := orderFulfillment(otherApp)
		p := wantProblem(t, must(c.ReplaceWorkflowWithResponse(ctx, wf.ID, &api.ReplaceWorkflowParams{}, moved)), http.StatusBadRequest, "application_id")
		if !strings.Contains(fieldMessage(p, "application_id"), "cannot be changed") {
			t.Errorf("application_id message: %+v", p.Errors)
		}

		// Names are unique within an application, not across applications.
		dup := wantProblem(t, must(c.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, orderFulfillment(appID))), http.StatusConflict)
		if deref(dup.ConflictingID) != wf.ID {
			t.Errorf("conflicting_id %q, want %s", deref(dup.ConflictingID), wf.ID)
		}
		createWorkflow(t, c, orderFulfillment(otherApp))

		// Deleting takes the monitoring target and the execution history with it.
		mt, _ := c.PutMonitoringTargetWithResponse(ctx, wf.ID, &api.PutMonitoringTargetParams{}, api.MonitoringTargetInput{MinSuccessRate: ptr(99.0)})
		if mt.JSON200 == nil {
			t.Fatalf("put monitoring target: %d %s", mt.StatusCode(), mt.Body)
		}
		insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusSucceeded, ago: 1, durationMs: 10})
		if n := countRows(t, inst, "executions", wf.ID); n != 1 {
			t.Fatalf("%d executions before delete, want 1", n)
		}
		wantProblem(t, must(c.DeleteWorkflowWithResponse(ctx, wf.ID, &api.DeleteWorkflowParams{IfMatch: ptr(wf.Etag)})), http.StatusPreconditionFailed)
		del, _ := c.DeleteWorkflowWithResponse(ctx, wf.ID, &api.DeleteWorkflowParams{IfMatch: ptr(replaced.JSON200.Etag)})
		if del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		if n := countRows(t, inst, "executions", wf.ID) + countRows(t, inst, "monitoring_targets", wf.ID); n != 0 {
			t.Errorf("%d executions and monitoring targets left after delete, want 0", n)
		}
		wantProblem(t, must(c.GetWorkflowWithResponse(ctx, wf.ID)), http.StatusNotFound)
		wantProblem(t, must(c.DeleteWorkflowWithResponse(ctx, wf.ID, &api.DeleteWorkflowParams{})), http.StatusNotFound)
		// Audited: create, patch, replace, the monitoring target's creation and delete; the
		// refused requests left no trace.
		if n := countRows(t, inst, "audit_events", wf.ID); n != 5 {
			t.Errorf("%d audit events for %s, want 5", n, wf.ID)
		}
		// The name is free again at once.
		createWorkflow(t, c, orderFulfillment(appID))
	})
}

// must drops the transport error of a generated client call; a failed call has no status
// and fails the assertion that follows.
func must[R any](resp R, err error) R {
	if err != nil {
		panic(err)
	}
	return resp
}

func TestWorkflowValidation(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client
	appID := createApp(t, c, "order-management")

	compileError := func(src string) string {
		_, err := expression.Compile(src)
		if err == nil {
			t.Fatalf("%q compiles", src)
		}
		return err.Error()
	}
	cases := []struct {
		name   string
		change func(*api.WorkflowInput)
		field  string
		// message, when set, must appear in the field's error.
		message string
	}{
		{"version", func(in *api.WorkflowInput) { in.Version = "1.5" }, "version", "semantic version"},
		{"duplicate step name", func(in *api.WorkflowInput) { in.Steps[2].Name = "check-amount" }, "steps[2].name", "steps[0]"},
		{"settings of another type", func(in *api.WorkflowInput) {
			in.Steps[0].HTTP = &api.HTTPStep{Method: api.GET, URL: "https://crm.example.com"}
		}, "steps[0].http", "must not be set for a step of type validate"},
		{"settings missing", func(in *api.WorkflowInput) { in.Steps[2].Emit = nil }, "steps[2].emit", "required"},
		{"event trigger without event_type", func(in *api.WorkflowInput) { in.Trigger.EventType = nil }, "trigger.event_type", "required"},
		{"event type not dotted", func(in *api.WorkflowInput) { in.Trigger.EventType = ptr("order") }, "trigger.event_type", "order.created"},
		{"event type uppercase", func(in *api.WorkflowInput) { in.Trigger.EventType = ptr("Order.Created") }, "trigger.event_type", ""},
		{"event trigger with cron", func(in *api.WorkflowInput) { in.Trigger.Cron = ptr("@hourly") }, "trigger.cron", "must not be set"},
		{"schedule without cron", func(in *api.WorkflowInput) {
			in.Trigger = api.WorkflowTrigger{Type: api.TriggerTypeSchedule}
		}, "trigger.cron", "required"},
		{"schedule with bad cron", func(in *api.WorkflowInput) {
			in.Trigger = api.WorkflowTrigger{Type: api.TriggerTypeSchedule, Cron: ptr("61 * * * *")}
		}, "trigger.cron", "61 * * * *"},
		{"schedule with event_type", func(in *api.WorkflowInput) {
			in.Trigger = api.WorkflowTrigger{Type: api.TriggerTypeSchedule, Cron: ptr("0 * * * *"), EventType: ptr("order.created")}
		}, "trigger.event_type", "must not be set"},
		{"manual with cron", func(in *api.WorkflowInput) {
			in.Trigger = api.WorkflowTrigger{Type: api.TriggerTypeManual, Cron: ptr("0 * * * *")}
		}, "trigger.cron", "must not be set"},
		{"validate expression", func(in *api.WorkflowInput) { in.Steps[0].Validate.Expression = "amount <= " }, "steps[0].validate.expression", compileError("amount <= ")},
		{"transform field path", func(in *api.WorkflowInput) {
			in.Steps[1] = api.WorkflowStep{Name: "total", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
				{Field: "order.total", Expression: "amount * 1.2"}, {Field: "order..tax", Expression: "amount * 0.2"}}}}
		}, "steps[1].transform.set[1].field", "empty segment"},
		{"transform expression", func(in *api.WorkflowInput) {
			in.Steps[1] = api.WorkflowStep{Name: "total", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
				{Field: "order.total", Expression: "a +* b"}}}}
		}, "steps[1].transform.set[0].expression", compileError("a +* b")},
		{"http url", func(in *api.WorkflowInput) { in.Steps[1].HTTP.URL = "ftp://crm.example.com/orders" }, "steps[1].http.url", "http"},
		{"http relative url", func(in *api.WorkflowInput) { in.Steps[1].HTTP.URL = "/orders" }, "steps[1].http.url", ""},
		{"http GET with body", func(in *api.WorkflowInput) { in.Steps[1].HTTP.Method = api.GET }, "steps[1].http.body", "GET"},
		{"http body expression", func(in *api.WorkflowInput) { in.Steps[1].HTTP.Body = ptr("{id: ") }, "steps[1].http.body", compileError("{id: ")},
		{"http header name", func(in *api.WorkflowInput) {
			in.Steps[1].HTTP.Headers = &map[string]string{"X Bad": "1"}
		}, "steps[1].http.headers.X Bad", "header name"},
		{"http result field", func(in *api.WorkflowInput) { in.Steps[1].HTTP.ResultField = ptr("crm.") }, "steps[1].http.result_field", ""},
		{"emit event type", func(in *api.WorkflowInput) { in.Steps[2].Emit.EventType = "validated" }, "steps[2].emit.event_type", ""},
		{"emit data expression", func(in *api.WorkflowInput) { in.Steps[2].Emit.Data = ptr("amount >") }, "steps[2].emit.data", compileError("amount >")},
		{"unknown application", func(in *api.WorkflowInput) { in.ApplicationID = "app_missing" }, "application_id", "or you may not read it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := orderFulfillment(appID)
			in.Name = "wf-" + strings.ReplaceAll(tc.name, " ", "-")
			tc.change(&in)
			p := wantProblem(t, must(c.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, in)), http.StatusBadRequest, tc.field)
			if msg := fieldMessage(p, tc.field); !strings.Contains(msg, tc.message) {
				t.Errorf("message %q does not contain %q", msg, tc.message)
			}
		})
	}

	// The same checks guard changes: a bad patch is refused and changes nothing.
	wf := createWorkflow(t, c, orderFulfillment(appID))
	steps := orderFulfillment(appID).Steps
	steps[0].Validate.Expression = "amount <= "
	wantProblem(t, must(c.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{}, api.WorkflowPatch{Steps: &steps})),
		http.StatusBadRequest, "steps[0].validate.expression")
	wantProblem(t, must(c.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{},
		api.WorkflowPatch{Trigger: &api.WorkflowTrigger{Type: api.TriggerTypeManual, EventType: ptr("order.created")}})),
		http.StatusBadRequest, "trigger.event_type")
	if after, _ := c.GetWorkflowWithResponse(ctx, wf.ID); after.JSON200 == nil || mustJSON(t, after.JSON200) != mustJSON(t, wf) {
		t.Fatalf("refused patches changed the workflow: %s", after.Body)
	}
	if ids := listWorkflowIDs(t, c, api.ListWorkflowsParams{}); !slices.Equal(ids, []string{wf.ID}) {
		t.Errorf("refused creates left workflows behind: %v", ids)
	}
	// A valid schedule workflow with a transform is accepted as written.
	sched := orderFulfillment(appID)
	sched.Name, sched.Enabled = "nightly", ptr(false)
	sched.Trigger = api.WorkflowTrigger{Type: api.TriggerTypeSchedule, Cron: ptr("0 2 * * *")}
	sched.Steps[1] = api.WorkflowStep{Name: "total", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
		{Field: "order.total", Expression: "amount * 1.2"}}}}
	if got := createWorkflow(t, c, sched); got.Enabled || deref(got.Trigger.Cron) != "0 2 * * *" || got.Steps[1].Transform.Set[0].Field != "order.total" {
		t.Errorf("schedule workflow: %+v", got)
	}
}

func TestWorkflowIdempotentCreate(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		params := &api.CreateWorkflowParams{IdempotencyKey: ptr("create-order-fulfillment")}

		first := must(c.CreateWorkflowWithResponse(ctx, params, orderFulfillment(appID)))
		second := must(c.CreateWorkflowWithResponse(ctx, params, orderFulfillment(appID)))
		if first.JSON201 == nil || second.JSON201 == nil || second.JSON201.ID != first.JSON201.ID || second.JSON201.Etag != first.JSON201.Etag {
			t.Fatalf("replay: %d %s then %d %s", first.StatusCode(), first.Body, second.StatusCode(), second.Body)
		}
		if first.HTTPResponse.Header.Get("Idempotent-Replayed") != "" || second.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("Idempotent-Replayed headers %q and %q, want none then true",
				first.HTTPResponse.Header.Get("Idempotent-Replayed"), second.HTTPResponse.Header.Get("Idempotent-Replayed"))
		}
		other := orderFulfillment(appID)
		other.Name = "order-returns"
		wantProblem(t, must(c.CreateWorkflowWithResponse(ctx, params, other)), http.StatusUnprocessableEntity)
		if ids := listWorkflowIDs(t, c, api.ListWorkflowsParams{}); !slices.Equal(ids, []string{first.JSON201.ID}) {
			t.Errorf("workflows %v, want only %s", ids, first.JSON201.ID)
		}
	})
}

func TestWorkflowAuthorization(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		appA, appB := createApp(t, owner, "order-management"), createApp(t, owner, "billing")
		wfA := createWorkflow(t, owner, orderFulfillment(appA))
		returns := orderFulfillment(appA)
		returns.Name = "order-returns"
		wfA2 := createWorkflow(t, owner, returns)
		wfB := createWorkflow(t, owner, orderFulfillment(appB))

		_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: appA})
		_, otherKey := inst.NewUser("billing@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: appB})
		_, wfEditorKey := inst.NewUser("wf-editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeWorkflow, ScopeID: wfA.ID})
		viewer, other, wfEditor := inst.ClientFor(viewerKey), inst.ClientFor(otherKey), inst.ClientFor(wfEditorKey)
		disable := api.WorkflowPatch{Enabled: ptr(false)}

		// A viewer on the application reads its workflows but changes nothing.
		if got := must(viewer.GetWorkflowWithResponse(ctx, wfA.ID)); got.JSON200 == nil {
			t.Fatalf("viewer get: %d %s", got.StatusCode(), got.Body)
		}
		if ids := listWorkflowIDs(t, viewer, api.ListWorkflowsParams{}); !slices.Equal(ids, []string{wfA.ID, wfA2.ID}) {
			t.Errorf("viewer lists %v, want %s and %s", ids, wfA.ID, wfA2.ID)
		}
		// The read filter holds across pages.
		first := must(viewer.ListWorkflowsWithResponse(ctx, &api.ListWorkflowsParams{PageSize: ptr(1)}))
		if first.JSON200 == nil || len(first.JSON200.Items) != 1 || first.JSON200.Items[0].ID != wfA.ID || first.JSON200.NextPageToken == "" {
			t.Fatalf("viewer's first page: %d %s", first.StatusCode(), first.Body)
		}
		second := must(viewer.ListWorkflowsWithResponse(ctx, &api.ListWorkflowsParams{PageSize: ptr(1), PageToken: &first.JSON200.NextPageToken}))
		if second.JSON200 == nil || len(second.JSON200.Items) != 1 || second.JSON200.Items[0].ID != wfA2.ID || second.JSON200.NextPageToken != "" {
			t.Fatalf("viewer's second and last page: %d %s", second.StatusCode(), second.Body)
		}
		wantProblem(t, must(viewer.PatchWorkflowWithResponse(ctx, wfA.ID, &api.PatchWorkflowParams{}, disable)), http.StatusForbidden)
		wantProblem(t, must(viewer.DeleteWorkflowWithResponse(ctx, wfA.ID, &api.DeleteWorkflowParams{})), http.StatusForbidden)
		in := orderFulfillment(appA)
		in.Name = "viewer-made"
		wantProblem(t, must(viewer.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, in)), http.StatusForbidden)

		// A user with a role only on another application is refused the workflow as outside
		// their scope (so that a client does not take it for deleted), and a missing one is 404.
		wantProblem(t, must(other.GetWorkflowWithResponse(ctx, "wf_missing")), http.StatusNotFound)
		refused := wantForbiddenScope(t, must(other.GetWorkflowWithResponse(ctx, wfA.ID)))
		if d := deref(refused.Detail); !strings.Contains(d, "workflow "+wfA.ID+" exists") || !strings.Contains(d, "viewer role") {
			t.Errorf("the refusal does not name the workflow and the role it needs: %q", d)
		}
		wantForbiddenScope(t, must(other.PatchWorkflowWithResponse(ctx, wfA.ID, &api.PatchWorkflowParams{}, disable)))
		if ids := listWorkflowIDs(t, other, api.ListWorkflowsParams{ApplicationID: &appA}); len(ids) != 0 {
			t.Errorf("other app's user lists %v in %s, want none", ids, appA)
		}
		if ids := listWorkflowIDs(t, other, api.ListWorkflowsParams{}); !slices.Equal(ids, []string{wfB.ID}) {
			t.Errorf("other app's user lists %v, want only %s", ids, wfB.ID)
		}
		// Creating in an application they cannot read looks like creating in a missing one.
		in.Name = "sneaky"
		p := wantProblem(t, must(other.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, in)), http.StatusBadRequest, "application_id")
		in.ApplicationID = "app_missing"
		q := wantProblem(t, must(other.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, in)), http.StatusBadRequest, "application_id")
		if strings.ReplaceAll(fieldMessage(p, "application_id"), appA, "app_missing") != fieldMessage(q, "application_id") {
			t.Errorf("hidden and missing applications answer differently: %q vs %q", fieldMessage(p, "application_id"), fieldMessage(q, "application_id"))
		}

		// An editor of one workflow changes that workflow only, and sees only it.
		if got := must(wfEditor.PatchWorkflowWithResponse(ctx, wfA.ID, &api.PatchWorkflowParams{}, disable)); got.JSON200 == nil || got.JSON200.Enabled {
			t.Fatalf("workflow editor patch: %d %s", got.StatusCode(), got.Body)
		}
		wantForbiddenScope(t, must(wfEditor.PatchWorkflowWithResponse(ctx, wfA2.ID, &api.PatchWorkflowParams{}, disable)))
		if ids := listWorkflowIDs(t, wfEditor, api.ListWorkflowsParams{}); !slices.Equal(ids, []string{wfA.ID}) {
			t.Errorf("workflow editor lists %v, want only %s", ids, wfA.ID)
		}
		in = orderFulfillment(appA)
		in.Name = "wf-editor-made"
		wantProblem(t, must(wfEditor.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, in)), http.StatusBadRequest, "application_id")

		// Monitoring follows the same rules.
		target := api.MonitoringTargetInput{MaxErrorRate: ptr(1.0)}
		if got := must(wfEditor.PutMonitoringTargetWithResponse(ctx, wfA.ID, &api.PutMonitoringTargetParams{}, target)); got.JSON200 == nil {
			t.Fatalf("workflow editor put target: %d %s", got.StatusCode(), got.Body)
		}
		if got := must(viewer.GetMonitoringTargetWithResponse(ctx, wfA.ID)); got.JSON200 == nil {
			t.Fatalf("viewer get target: %d %s", got.StatusCode(), got.Body)
		}
		if got := must(viewer.GetWorkflowMetricsWithResponse(ctx, wfA.ID, &api.GetWorkflowMetricsParams{})); got.JSON200 == nil {
			t.Fatalf("viewer metrics: %d %s", got.StatusCode(), got.Body)
		}
		wantProblem(t, must(viewer.PutMonitoringTargetWithResponse(ctx, wfA.ID, &api.PutMonitoringTargetParams{}, target)), http.StatusForbidden)
		wantProblem(t, must(viewer.DeleteMonitoringTargetWithResponse(ctx, wfA.ID, &api.DeleteMonitoringTargetParams{})), http.StatusForbidden)
		wantForbiddenScope(t, must(other.GetMonitoringTargetWithResponse(ctx, wfA.ID)))
		wantForbiddenScope(t, must(other.GetWorkflowMetricsWithResponse(ctx, wfA.ID, &api.GetWorkflowMetricsParams{})))
		wantForbiddenScope(t, must(other.PutMonitoringTargetWithResponse(ctx, wfA.ID, &api.PutMonitoringTargetParams{}, target)))
	})
}
