package platform_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

func ptr[T any](v T) *T { return &v }

func TestApplicationsCRUD(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client

	created, err := c.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{}, api.ApplicationInput{
		Name: "order-management", Environment: api.Production, Version: "2.3.0", Labels: &api.Labels{"team": "orders"}})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %d %s", err, created.StatusCode(), created.Body)
	}
	app := created.JSON201
	if got := created.HTTPResponse.Header.Get("ETag"); got != `"`+app.Etag+`"` {
		t.Errorf("ETag header %q, want the body's etag %q", got, app.Etag)
	}

	got, err := c.GetApplicationWithResponse(ctx, app.ID)
	if err != nil || got.JSON200 == nil || got.JSON200.Labels["team"] != "orders" {
		t.Fatalf("get: %v %s", err, got.Body)
	}

	// A stale etag is refused and changes nothing.
	stale, _ := c.PatchApplicationWithResponse(ctx, app.ID, &api.PatchApplicationParams{IfMatch: ptr(`"nope"`)},
		api.ApplicationPatch{Version: ptr("2.4.0")})
	if stale.StatusCode() != http.StatusPreconditionFailed {
		t.Fatalf("stale etag: got %d, want 412: %s", stale.StatusCode(), stale.Body)
	}
	patched, _ := c.PatchApplicationWithResponse(ctx, app.ID, &api.PatchApplicationParams{IfMatch: ptr(app.Etag)},
		api.ApplicationPatch{Version: ptr("2.4.0")})
	if patched.JSON200 == nil || patched.JSON200.Version != "2.4.0" || patched.JSON200.Etag == app.Etag || patched.JSON200.Name != app.Name {
		t.Fatalf("patch: %d %s", patched.StatusCode(), patched.Body)
	}

	dup, _ := c.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{}, api.ApplicationInput{
		Name: "order-management", Environment: api.Production, Version: "1.0.0"})
	if dup.StatusCode() != http.StatusConflict || dup.ApplicationProblemJSON409 == nil ||
		deref(dup.ApplicationProblemJSON409.ConflictingID) != app.ID {
		t.Fatalf("duplicate name: got %d %s, want 409 naming %s", dup.StatusCode(), dup.Body, app.ID)
	}
	// The same name in another environment is fine.
	staging, _ := c.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{}, api.ApplicationInput{
		Name: "order-management", Environment: api.Staging, Version: "1.0.0"})
	if staging.StatusCode() != http.StatusCreated {
		t.Fatalf("same name in staging: %d %s", staging.StatusCode(), staging.Body)
	}

	del, _ := c.DeleteApplicationWithResponse(ctx, app.ID, &api.DeleteApplicationParams{})
	if del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
	}
	again, _ := c.DeleteApplicationWithResponse(ctx, app.ID, &api.DeleteApplicationParams{})
	if again.StatusCode() != http.StatusNotFound {
		t.Fatalf("second delete: %d, want 404", again.StatusCode())
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestDeleteApplicationInUse(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client
	app, _ := c.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{}, api.ApplicationInput{
		Name: "orders", Environment: api.Production, Version: "1.0.0"})
	if app.JSON201 == nil {
		t.Fatalf("create application: %s", app.Body)
	}
	id := app.JSON201.ID
	hook, _ := c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, api.WebhookInput{
		EventTypes: []string{"order.created"}, CallbackURL: "http://127.0.0.1:9/hook", ApplicationID: &id})
	if hook.JSON201 == nil {
		t.Fatalf("create webhook: %s", hook.Body)
	}
	refused, _ := c.DeleteApplicationWithResponse(ctx, id, &api.DeleteApplicationParams{})
	if refused.StatusCode() != http.StatusConflict || refused.ApplicationProblemJSON409 == nil ||
		deref(refused.ApplicationProblemJSON409.ConflictingID) != hook.JSON201.ID {
		t.Fatalf("delete with a webhook: got %d %s, want 409 naming %s", refused.StatusCode(), refused.Body, hook.JSON201.ID)
	}
	if del, _ := c.DeleteWebhookWithResponse(ctx, hook.JSON201.ID, &api.DeleteWebhookParams{}); del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete webhook: %d %s", del.StatusCode(), del.Body)
	}
	if del, _ := c.DeleteApplicationWithResponse(ctx, id, &api.DeleteApplicationParams{}); del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete application: %d %s", del.StatusCode(), del.Body)
	}
}
