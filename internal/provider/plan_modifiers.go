package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// disabledReasonModifier plans a webhook's disabled_reason from what the platform does with
// it, so that a plan does not show `(known after apply)` on every update: a webhook that is
// (or is turned back) active has none; one kept inactive keeps the reason it had; a new
// webhook has none.
type disabledReasonModifier struct{}

var _ planmodifier.String = disabledReasonModifier{}

func (disabledReasonModifier) Description(context.Context) string {
	return "null while the webhook is active; otherwise the reason in state"
}

func (m disabledReasonModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (disabledReasonModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var active types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("active"), &active)...)
	switch {
	case active.IsUnknown():
		return
	case req.State.Raw.IsNull(), active.ValueBool():
		resp.PlanValue = types.StringNull()
	default:
		resp.PlanValue = req.StateValue
	}
}
