package platform_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// A create may name the new object's id (AIP-133 style): the object gets exactly that id; the
// same id again is 409 naming it; an id of the wrong shape or kind is a field error; after a
// delete the id is free again.
func TestCreateWithChosenID(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	c, ctx := inst.Client, context.Background()
	const id = "app_0193a1b2c3d4e5f60718293a4b5c6d7e"
	create := func(name, id string) *api.CreateApplicationResponse {
		return must(c.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{ID: &id},
			api.ApplicationInput{Name: name, Environment: api.Staging, Version: "1.0.0"}))
	}
	got := create("chosen", id)
	if got.JSON201 == nil || got.JSON201.ID != id {
		t.Fatalf("create with id %s: %d %s", id, got.StatusCode(), got.Body)
	}
	p := wantProblem(t, create("another", id), http.StatusConflict)
	if deref(p.ConflictingID) != id {
		t.Errorf("the 409 names %q, want %s", deref(p.ConflictingID), id)
	}
	for _, bad := range []string{"app_123", "wf_0193a1b2c3d4e5f60718293a4b5c6d7e", "app_0193A1B2C3D4E5F60718293A4B5C6D7E", "app_0193a1b2c3d4e5f60718293a4b5c6d7e0"} {
		wantProblem(t, create("bad-"+bad, bad), http.StatusBadRequest)
	}
	if del := must(c.DeleteApplicationWithResponse(ctx, id, &api.DeleteApplicationParams{})); del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
	}
	if again := create("chosen", id); again.JSON201 == nil || again.JSON201.ID != id {
		t.Errorf("the id of a deleted application is not free again: %d %s", again.StatusCode(), again.Body)
	}
}
