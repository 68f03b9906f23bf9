package provider

// The resources' own ValidateConfig methods, called through resource.ValidateConfigRequest
// with each resource's schema, without the CLI.

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestRoleAssignmentValidateConfig(t *testing.T) {
	ctx := context.Background()
	var schema resource.SchemaResponse
	(&roleAssignmentResource{}).Schema(ctx, resource.SchemaRequest{}, &schema)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	null := tftypes.NewValue(tftypes.String, nil)
	assignment := func(scopeType, scopeID tftypes.Value) tftypes.Value {
		return rawOf(t, schema.Schema, map[string]tftypes.Value{"user_id": str("usr_1"), "role": str("editor"), "scope_type": scopeType, "scope_id": scopeID})
	}
	cases := []struct {
		name   string
		config tftypes.Value
		want   wantDiag
	}{
		{"platform", assignment(str("platform"), null), ok},
		{"application", assignment(str("application"), str("app_0193")), ok},
		{"data scope", assignment(str("data"), str("cls_0193")), ok},
		{"platform with an id", assignment(str("platform"), str("app_0193")),
			wantDiag{"Unexpected scope_id", `scope_id must not be set when scope_type is "platform": the platform scope is the whole platform and has no id. Remove scope_id.`, "scope_id"}},
		{"application without an id", assignment(str("application"), null),
			wantDiag{"Missing scope_id", `scope_id is required when scope_type is "application": set it to the id of the application (app_…) the role applies to.`, "scope_id"}},
		{"workflow scope with an application's id", assignment(str("workflow"), str("app_0193")),
			wantDiag{"Invalid scope_id", `scope_id "app_0193" is not the id of a workflow: with scope_type "workflow" it must start with wf_.`, "scope_id"}},
		{"application with an unknown id", assignment(str("application"), unknown), ok},
		{"unknown scope type", assignment(unknown, str("app_0193")), ok},
		{"scope type the schema refuses", assignment(str("galaxy"), null), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp resource.ValidateConfigResponse
			(&roleAssignmentResource{}).ValidateConfig(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: schema.Schema, Raw: tc.config}}, &resp)
			expectDiag(t, resp.Diagnostics, tc.want)
		})
	}
}

func TestWebhookValidateConfig(t *testing.T) {
	ctx := context.Background()
	var schema resource.SchemaResponse
	(&webhookResource{}).Schema(ctx, resource.SchemaRequest{}, &schema)
	webhook := func(secret, version tftypes.Value) tftypes.Value {
		return rawOf(t, schema.Schema, map[string]tftypes.Value{"callback_url": tftypes.NewValue(tftypes.String, "https://orders.example.com/hook"),
			"secret_wo": secret, "secret_wo_version": version})
	}
	secret := tftypes.NewValue(tftypes.String, "receiver-secret-0123456789")
	noSecret := tftypes.NewValue(tftypes.String, nil)
	version := tftypes.NewValue(tftypes.Number, 1)
	noVersion := tftypes.NewValue(tftypes.Number, nil)
	cases := []struct {
		name   string
		config tftypes.Value
		want   wantDiag
	}{
		{"generated secret", webhook(noSecret, noVersion), ok},
		{"secret with a version", webhook(secret, version), ok},
		{"secret without a version", webhook(secret, noVersion), wantDiag{"secret_wo without secret_wo_version",
			"secret_wo is write-only, so Terraform cannot notice when it changes: it is sent when the webhook is created, but a later change is ignored. " +
				"Set secret_wo_version (for example to 1) and raise it whenever you change secret_wo.", "secret_wo_version"}},
		{"unknown secret without a version", webhook(tftypes.NewValue(tftypes.String, tftypes.UnknownValue), noVersion),
			wantDiag{"secret_wo without secret_wo_version", "Set secret_wo_version", "secret_wo_version"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp resource.ValidateConfigResponse
			(&webhookResource{}).ValidateConfig(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: schema.Schema, Raw: tc.config}}, &resp)
			expectWarning(t, resp.Diagnostics, tc.want)
		})
	}
}
