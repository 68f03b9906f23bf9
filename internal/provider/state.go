package provider

// What a resource records in state when the platform's answer is not the object: the object
// was deleted outside Terraform (removeDeleted), or the answer to its create was lost
// (keepUnknownOutcome).

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// removeDeleted forgets an object that was deleted outside Terraform, with a warning that
// says so: Terraform then plans to create it again. The identity stays set (the framework
// requires one after every read, and Terraform before 1.12 sends none to keep).
func removeDeleted(ctx context.Context, resp *resource.ReadResponse, kind string, id types.String) {
	tflog.Warn(ctx, kind+" was deleted outside Terraform; removing it from state", map[string]any{"id": id.ValueString()})
	resp.Diagnostics.AddWarning(
		"The "+kind+" "+id.ValueString()+" no longer exists",
		"It was deleted outside Terraform (or, after a create whose answer was lost, was never made), so it was removed from the state. "+
			"The plan creates it again; to stop managing it instead, remove it from the configuration.")
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
	resp.State.RemoveResource(ctx)
}

// keepUnknownOutcome handles a create whose answer was lost. The client chose the new object's
// id before sending (see internal/client/create.go), so the object, if it was made, has that
// id: the state records it, which makes Terraform keep the resource as tainted (a create that
// returns an error with a state). The next plan reads the object by that id and replaces it
// if it exists, or forgets it and creates it if it does not: never a second object. Keeping
// the Idempotency-Key in private state instead would depend on the server's 24-hour replay
// window and on the next apply sending the identical body; an id depends on neither.
func keepUnknownOutcome(ctx context.Context, resp *resource.CreateResponse, err error) {
	var unknown *client.OutcomeUnknownError
	if !errors.As(err, &unknown) {
		return
	}
	tflog.Warn(ctx, "the answer to a create was lost; keeping the id it chose as tainted", map[string]any{"id": unknown.ID})
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), unknown.ID)...)
	setIdentity(ctx, resp.Identity, types.StringValue(unknown.ID), &resp.Diagnostics)
}
