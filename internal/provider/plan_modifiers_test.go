package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// disabledReasonModifier, through planmodifier.StringRequest with the webhook's schema: the
// plan shows the reason the platform will hold, never `(known after apply)`, except while
// `active` itself is unknown.
func TestDisabledReasonModifier(t *testing.T) {
	ctx := context.Background()
	var schema resource.SchemaResponse
	(&webhookResource{}).Schema(ctx, resource.SchemaRequest{}, &schema)
	const reason = "the receiver answered 410 Gone"
	webhook := func(active tftypes.Value, disabledReason tftypes.Value) tftypes.Value {
		return rawOf(t, schema.Schema, map[string]tftypes.Value{"active": active, "disabled_reason": disabledReason})
	}
	boolean := func(b bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, b) }
	unknownString := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	none := tftypes.NewValue(schema.Schema.Type().TerraformType(ctx), nil) // no object: create or destroy
	cases := []struct {
		name        string
		state, plan tftypes.Value
		want        types.String
	}{
		{"new webhook", none, webhook(boolean(true), unknownString), types.StringNull()},
		{"new inactive webhook", none, webhook(boolean(false), unknownString), types.StringNull()},
		{"turned back on", webhook(boolean(false), tftypes.NewValue(tftypes.String, reason)), webhook(boolean(true), unknownString), types.StringNull()},
		{"kept inactive", webhook(boolean(false), tftypes.NewValue(tftypes.String, reason)), webhook(boolean(false), unknownString), types.StringValue(reason)},
		{"active and updated", webhook(boolean(true), tftypes.NewValue(tftypes.String, nil)), webhook(boolean(true), unknownString), types.StringNull()},
		{"active unknown", webhook(boolean(false), tftypes.NewValue(tftypes.String, reason)),
			webhook(tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue), unknownString), types.StringUnknown()},
		{"destroy", webhook(boolean(false), tftypes.NewValue(tftypes.String, reason)), none, types.StringUnknown()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := planmodifier.StringRequest{
				Path:        path.Root("disabled_reason"),
				Plan:        tfsdk.Plan{Schema: schema.Schema, Raw: tc.plan},
				State:       tfsdk.State{Schema: schema.Schema, Raw: tc.state},
				PlanValue:   types.StringUnknown(),
				ConfigValue: types.StringNull(),
				StateValue:  types.StringNull(),
			}
			if !tc.state.IsNull() {
				if d := req.State.GetAttribute(ctx, path.Root("disabled_reason"), &req.StateValue); d.HasError() {
					t.Fatal(d)
				}
			}
			resp := planmodifier.StringResponse{PlanValue: req.PlanValue}
			disabledReasonModifier{}.PlanModifyString(ctx, req, &resp)
			expectDiag(t, resp.Diagnostics, ok)
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned disabled_reason %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}
