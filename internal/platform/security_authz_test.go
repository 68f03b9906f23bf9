package platform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// secCall sends one raw API request as key and returns the status and body.
func secCall(t *testing.T, inst *platformtest.Instance, key, method, path string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, inst.URL+"/api/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := inst.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// secItems counts the items of a list response.
func secItems(t *testing.T, body string) int {
	t.Helper()
	var l struct{ Items []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatalf("not a list: %s", body)
	}
	return len(l.Items)
}

// TestSecurityTenantIsolation: a key scoped to application A (admin there, nothing else)
// uses the ids of application B's workflow, webhook and execution. Every read, change, delete,
// trigger, cancel, rotation and delivery listing is refused with 403 forbidden-scope (never a
// 404, which a client would take for "deleted"), and B's objects are unchanged; ids that exist
// nowhere are 404; list filters naming B (or B's workflow) come back empty, unfiltered lists
// hold only A's objects. The same calls on A's objects succeed, so the refusals are about the
// scope, not the calls.
func TestSecurityTenantIsolation(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	c := inst.Client
	ctx := context.Background()
	appA, appB := createApp(t, c, "tenant-a"), createApp(t, c, "tenant-b")
	wfInput := func(app, name string) api.WorkflowInput {
		return api.WorkflowInput{ApplicationID: app, Name: name, Version: "1.0.0", Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps: []api.WorkflowStep{{Name: "check", Type: api.Validate, Validate: &api.ValidateStep{Expression: "true", Message: "never"}}}}
	}
	wfA, wfB := createWorkflow(t, c, wfInput(appA, "wf-a")), createWorkflow(t, c, wfInput(appB, "wf-b"))
	hookInput := func(app string) api.WebhookInput {
		return api.WebhookInput{ApplicationID: &app, EventTypes: []string{"order.created"}, CallbackURL: "https://hooks.example.com/" + app}
	}
	hookA, hookB := createWebhook(t, c, hookInput(appA)), createWebhook(t, c, hookInput(appB))
	exA := waitExecution(t, c, trigger(t, c, wfA.ID, nil))
	exB := waitExecution(t, c, trigger(t, c, wfB.ID, nil))
	_, key := inst.NewUser("tenant-a-admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypeApplication, ScopeID: appA})

	type probe struct {
		method, path string
		body         any
		wantOnA      int // the same call on A's object, to show the key works
	}
	probes := func(wf api.Workflow, hook api.Webhook, ex api.Execution, input api.WorkflowInput, hin api.WebhookInput) []probe {
		return []probe{
			{"GET", "/workflows/" + wf.ID, nil, 200},
			{"PUT", "/workflows/" + wf.ID, input, 200},
			{"PATCH", "/workflows/" + wf.ID, map[string]any{"description": "guessed"}, 200},
			{"POST", "/workflows/" + wf.ID + "/trigger", map[string]any{"input": map[string]any{}}, 202},
			{"GET", "/workflows/" + wf.ID + "/metrics", nil, 200},
			{"GET", "/webhooks/" + hook.ID, nil, 200},
			{"PUT", "/webhooks/" + hook.ID, hin, 200},
			{"POST", "/webhooks/" + hook.ID + "/rotate-secret", map[string]any{}, 200},
			{"GET", "/webhooks/" + hook.ID + "/deliveries", nil, 200},
			{"GET", "/executions/" + ex.ID, nil, 200},
			{"POST", "/executions/" + ex.ID + "/cancel", nil, 409},
			{"DELETE", "/webhooks/" + hook.ID, nil, 204},
			{"DELETE", "/workflows/" + wf.ID, nil, 204},
		}
	}
	inB := wfInput(appB, "wf-b")
	inB.Description = ptr("guessed")
	for _, pr := range probes(wfB, hookB, exB, inB, hookInput(appB)) {
		status, body := secCall(t, inst, key, pr.method, pr.path, pr.body)
		if status != http.StatusForbidden || !strings.Contains(body, "/problems/forbidden-scope") {
			t.Errorf("%s %s with application A's key: %d %s, want 403 forbidden-scope", pr.method, pr.path, status, body)
		}
	}
	// An id that exists nowhere (another organization's, or a deleted one) is 404.
	gone := probes(api.Workflow{ID: "wf_0193a1b2c3d4e5f60718293a4b5c6d7e"}, api.Webhook{ID: "whk_0193a1b2c3d4e5f60718293a4b5c6d7e"},
		api.Execution{ID: "exe_0193a1b2c3d4e5f60718293a4b5c6d7e"}, inB, hookInput(appB))
	for _, pr := range gone {
		status, body := secCall(t, inst, key, pr.method, pr.path, pr.body)
		if status != http.StatusNotFound || !strings.Contains(body, "/problems/not-found") {
			t.Errorf("%s %s (no such object): %d %s, want 404", pr.method, pr.path, status, body)
		}
	}
	// B's objects are untouched.
	if got := must(c.GetWorkflowWithResponse(ctx, wfB.ID)); got.JSON200 == nil || got.JSON200.Etag != wfB.Etag {
		t.Errorf("workflow B changed: %d %s", got.StatusCode(), got.Body)
	}
	if got := must(c.GetWebhookWithResponse(ctx, hookB.ID)); got.JSON200 == nil || got.JSON200.Etag != hookB.Etag {
		t.Errorf("webhook B changed: %d %s", got.StatusCode(), got.Body)
	}

	// Lists: a filter naming B is empty; no filter shows only A's.
	for _, pr := range []struct {
		path string
		want int
	}{
		{"/workflows?application_id=" + appB, 0},
		{"/webhooks?application_id=" + appB, 0},
		{"/executions?workflow_id=" + wfB.ID, 0},
		{"/applications?name=tenant-b", 0},
		{"/workflows", 1},
		{"/webhooks", 1},
		{"/executions", 1},
		{"/applications", 1},
	} {
		status, body := secCall(t, inst, key, "GET", pr.path, nil)
		if status != http.StatusOK || secItems(t, body) != pr.want {
			t.Errorf("GET %s with application A's key: %d, %d items, want 200 with %d: %s", pr.path, status, secItems(t, body), pr.want, body)
		}
	}

	// The same calls on A's own objects work (the last ones delete them).
	inA := wfInput(appA, "wf-a")
	inA.Description = ptr("mine")
	for _, pr := range probes(wfA, hookA, exA, inA, hookInput(appA)) {
		if status, body := secCall(t, inst, key, pr.method, pr.path, pr.body); status != pr.wantOnA {
			t.Errorf("%s %s on application A's own object: %d %s, want %d", pr.method, pr.path, status, body, pr.wantOnA)
		}
	}
}

// TestSecurityRevocationIsImmediate: a role assignment deleted, or a user's access revoked
// with POST /users/{id}/revoke-access, stops the very next request of that user's key; there
// is no cache to wait out.
func TestSecurityRevocationIsImmediate(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	c := inst.Client
	ctx := context.Background()
	app := createApp(t, c, "revocation")

	// Deleting the one role assignment.
	userID, key := inst.NewUser("revoked-by-delete@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: app})
	if status, body := secCall(t, inst, key, "GET", "/applications/"+app, nil); status != http.StatusOK {
		t.Fatalf("before revocation: %d %s", status, body)
	}
	list := must(c.ListRoleAssignmentsWithResponse(ctx, &api.ListRoleAssignmentsParams{UserID: &userID}))
	if list.JSON200 == nil || len(list.JSON200.Items) != 1 {
		t.Fatalf("role assignments of %s: %s", userID, list.Body)
	}
	if del := must(c.DeleteRoleAssignmentWithResponse(ctx, list.JSON200.Items[0].ID, &api.DeleteRoleAssignmentParams{})); del.StatusCode() != http.StatusNoContent {
		t.Fatalf("deleting the grant: %d %s", del.StatusCode(), del.Body)
	}
	if status, body := secCall(t, inst, key, "GET", "/applications/"+app, nil); status != http.StatusForbidden {
		t.Errorf("the request right after the grant was deleted: %d %s, want 403", status, body)
	}
	if status, body := secCall(t, inst, key, "PATCH", "/applications/"+app, map[string]any{"description": "after revocation"}); status != http.StatusForbidden {
		t.Errorf("a write right after the grant was deleted: %d %s, want 403", status, body)
	}

	// Revoking access at the application scope.
	userID, key = inst.NewUser("revoked-by-endpoint@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypeApplication, ScopeID: app})
	if status, body := secCall(t, inst, key, "PATCH", "/applications/"+app, map[string]any{"description": "before"}); status != http.StatusOK {
		t.Fatalf("before revocation: %d %s", status, body)
	}
	rev := must(c.RevokeUserAccessWithResponse(ctx, userID, &api.RevokeUserAccessParams{},
		api.RevokeAccessRequest{Scope: &api.Scope{Type: api.ScopeTypeApplication, ID: &app}}))
	if rev.JSON200 == nil || len(rev.JSON200.Revoked) != 1 {
		t.Fatalf("revoke-access: %d %s", rev.StatusCode(), rev.Body)
	}
	if status, body := secCall(t, inst, key, "PATCH", "/applications/"+app, map[string]any{"description": "after"}); status != http.StatusForbidden {
		t.Errorf("a write right after revoke-access: %d %s, want 403", status, body)
	}
	if got := must(c.GetApplicationWithResponse(ctx, app)); got.JSON200 == nil || got.JSON200.Description != "before" {
		t.Errorf("the application after the refused write: %s", got.Body)
	}
}
