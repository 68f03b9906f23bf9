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

// The webhook's ModifyPlan, through resource.ModifyPlanRequest with the webhook's schema: the
// signing secret and its timestamps are planned from state unless the secret rotates, and the
// secret is null in the plan whenever the user supplies it (it is never stored).
func TestWebhookModifyPlan(t *testing.T) {
	ctx := context.Background()
	var schema resource.SchemaResponse
	(&webhookResource{}).Schema(ctx, resource.SchemaRequest{}, &schema)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	num := func(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }
	nullStr, nullNum := tftypes.NewValue(tftypes.String, nil), tftypes.NewValue(tftypes.Number, nil)
	unknownStr := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	none := tftypes.NewValue(schema.Schema.Type().TerraformType(ctx), nil)
	const generated, updated, expires = "whsec_Z2VuZXJhdGVkLWJ5LXRoZS1wbGF0Zm9ybQ==", "2026-01-02T03:04:05Z", "2026-01-03T03:04:05Z"
	const given = "receiver-secret-0123456789"
	// webhook is a configuration, plan or state with these secret settings.
	webhook := func(secretWO, version, secret, updatedAt, previous tftypes.Value) tftypes.Value {
		return rawOf(t, schema.Schema, map[string]tftypes.Value{"callback_url": str("https://orders.example.com/hook"),
			"secret_wo": secretWO, "secret_wo_version": version, "secret": secret, "secret_updated_at": updatedAt, "previous_secret_expires_at": previous})
	}
	// A configuration leaves the computed values null; the framework plans them unknown before
	// ModifyPlan runs, and write-only values are null in every plan.
	config := func(secretWO, version tftypes.Value) tftypes.Value {
		return webhook(secretWO, version, nullStr, nullStr, nullStr)
	}
	planned := func(version tftypes.Value) tftypes.Value {
		return webhook(nullStr, version, unknownStr, unknownStr, unknownStr)
	}
	withGenerated := webhook(nullStr, nullNum, str(generated), str(updated), nullStr)
	withGiven := webhook(nullStr, num(1), nullStr, str(updated), str(expires)) // write-only values are never in state
	type secretPlan struct{ secret, updatedAt, previous types.String }
	kept := func(secret types.String) secretPlan {
		return secretPlan{secret, types.StringValue(updated), types.StringNull()}
	}
	rotated := func(secret types.String) secretPlan {
		return secretPlan{secret, types.StringUnknown(), types.StringUnknown()}
	}
	cases := []struct {
		name                string
		config, plan, state tftypes.Value
		want                secretPlan
	}{
		{"create with a generated secret", config(nullStr, nullNum), planned(nullNum), none,
			secretPlan{types.StringUnknown(), types.StringUnknown(), types.StringUnknown()}},
		{"create with a given secret", config(str(given), num(1)), planned(num(1)), none,
			secretPlan{types.StringNull(), types.StringUnknown(), types.StringUnknown()}},
		{"update keeping the generated secret", config(nullStr, nullNum), planned(nullNum), withGenerated,
			kept(types.StringValue(generated))},
		{"update keeping the given secret", config(str(given), num(1)), planned(num(1)), withGiven,
			secretPlan{types.StringNull(), types.StringValue(updated), types.StringValue(expires)}},
		{"new secret_wo_version", config(str(given), num(2)), planned(num(2)), withGiven,
			rotated(types.StringNull())},
		{"a given secret replacing the generated one", config(str(given), num(1)), planned(num(1)), withGenerated,
			rotated(types.StringNull())},
		{"secret_wo removed", config(nullStr, nullNum), planned(nullNum), withGiven,
			rotated(types.StringUnknown())},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := resource.ModifyPlanRequest{
				Config: tfsdk.Config{Schema: schema.Schema, Raw: tc.config},
				Plan:   tfsdk.Plan{Schema: schema.Schema, Raw: tc.plan},
				State:  tfsdk.State{Schema: schema.Schema, Raw: tc.state},
			}
			resp := resource.ModifyPlanResponse{Plan: req.Plan}
			(&webhookResource{}).ModifyPlan(ctx, req, &resp)
			expectDiag(t, resp.Diagnostics, ok)
			var got secretPlan
			for name, v := range map[string]*types.String{"secret": &got.secret, "secret_updated_at": &got.updatedAt,
				"previous_secret_expires_at": &got.previous} {
				if d := resp.Plan.GetAttribute(ctx, path.Root(name), v); d.HasError() {
					t.Fatal(d)
				}
			}
			if !got.secret.Equal(tc.want.secret) || !got.updatedAt.Equal(tc.want.updatedAt) || !got.previous.Equal(tc.want.previous) {
				t.Errorf("planned secret %s, secret_updated_at %s, previous_secret_expires_at %s; want %s, %s, %s",
					got.secret, got.updatedAt, got.previous, tc.want.secret, tc.want.updatedAt, tc.want.previous)
			}
		})
	}

	t.Run("destroy", func(t *testing.T) {
		req := resource.ModifyPlanRequest{
			Config: tfsdk.Config{Schema: schema.Schema, Raw: none},
			Plan:   tfsdk.Plan{Schema: schema.Schema, Raw: none},
			State:  tfsdk.State{Schema: schema.Schema, Raw: withGenerated},
		}
		resp := resource.ModifyPlanResponse{Plan: req.Plan}
		(&webhookResource{}).ModifyPlan(ctx, req, &resp)
		expectDiag(t, resp.Diagnostics, ok)
		if !resp.Plan.Raw.IsNull() {
			t.Errorf("the destroy's plan became %s", resp.Plan.Raw)
		}
	})
}
