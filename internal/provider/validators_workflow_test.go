package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The workflow's string validators, with the platform's compiler and parsers, called through
// validator.StringRequest.
func TestWorkflowStringValidators(t *testing.T) {
	runStringCases(t, []stringCase{
		{"expression", expressionValidator{}, `amount <= 10000 && customer.email != ""`, ok},
		{"expression cut short", expressionValidator{}, "amount <=",
			wantDiag{"Invalid expression", "attr does not compile: unexpected token EOF", "attr"}},
		{"expression advice", expressionValidator{}, "amount <=",
			wantDiag{"Invalid expression", "Expressions use the document's fields as variables, such as `amount <= 10000`", "attr"}},

		{"cron fields", cronValidator{}, "*/15 9-17 * * 1-5", ok},
		{"cron descriptor", cronValidator{}, "@hourly", ok},
		{"cron minute out of range", cronValidator{}, "61 * * * *",
			wantDiag{"Invalid cron expression", `attr: invalid cron expression "61 * * * *": end of range (61) above maximum (59)`, "attr"}},
		{"cron with six fields", cronValidator{}, "0 0 * * * *",
			wantDiag{"Invalid cron expression", "expected exactly 5 fields, found 6", "attr"}},

		{"field path", fieldPathValidator{}, "order.total", ok},
		{"field path with an empty segment", fieldPathValidator{}, "order..total", wantDiag{"Invalid field path", `attr: field path "order..total" has an empty segment at position 2`, "attr"}},
	})
}

// workflowTypeAt is the type of the workflow resource's attribute at p.
func workflowTypeAt(t *testing.T, p path.Path) attr.Type {
	t.Helper()
	var resp resource.SchemaResponse
	(&workflowResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	typ, diags := resp.Schema.TypeAtPath(context.Background(), p)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return typ
}

// validateObject runs an object validator on value at p.
func validateObject(v validator.Object, p path.Path, value types.Object) diag.Diagnostics {
	var resp validator.ObjectResponse
	v.ValidateObject(context.Background(), validator.ObjectRequest{Path: p, ConfigValue: value}, &resp)
	return resp.Diagnostics
}

// triggerValidator: each trigger type takes exactly its own setting.
func TestTriggerValidator(t *testing.T) {
	at := path.Root("trigger")
	typ := workflowTypeAt(t, at)
	s := types.StringValue
	trigger := func(set map[string]attr.Value) types.Object { return objectOf(t, typ, set) }
	cases := []struct {
		name  string
		value types.Object
		want  wantDiag
	}{
		{"manual", trigger(map[string]attr.Value{"type": s("manual")}), ok},
		{"event", trigger(map[string]attr.Value{"type": s("event"), "event_type": s("order.created")}), ok},
		{"schedule", trigger(map[string]attr.Value{"type": s("schedule"), "cron": s("@hourly")}), ok},
		{"event without event_type", trigger(map[string]attr.Value{"type": s("event")}),
			wantDiag{"Missing event_type", "trigger.event_type is required for event triggers: the event type that starts the workflow, such as order.created.", "trigger.event_type"}},
		{"schedule without cron", trigger(map[string]attr.Value{"type": s("schedule")}),
			wantDiag{"Missing cron", "trigger.cron is required for schedule triggers: five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly, in UTC.", "trigger.cron"}},
		{"schedule with event_type", trigger(map[string]attr.Value{"type": s("schedule"), "cron": s("@hourly"), "event_type": s("order.created")}),
			wantDiag{"Unexpected event_type", "trigger.event_type must not be set for schedule triggers; remove it or change trigger.type.", "trigger.event_type"}},
		{"manual with cron", trigger(map[string]attr.Value{"type": s("manual"), "cron": s("@hourly")}),
			wantDiag{"Unexpected cron", "trigger.cron must not be set for manual triggers", "trigger.cron"}},
		// Unknown values are judged once known.
		{"event with an unknown event_type", trigger(map[string]attr.Value{"type": s("event"), "event_type": types.StringUnknown()}), ok},
		{"unknown type", trigger(map[string]attr.Value{"type": types.StringUnknown(), "cron": s("@hourly")}), ok},
		{"null trigger", types.ObjectNull(attrTypesOf(t, typ)), ok},
		{"unknown trigger", types.ObjectUnknown(attrTypesOf(t, typ)), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectDiag(t, validateObject(triggerValidator{}, at, tc.value), tc.want)
		})
	}
}

// stepSettingsValidator: a step carries exactly the settings object of its type.
func TestStepSettingsValidator(t *testing.T) {
	at := path.Root("steps").AtListIndex(0)
	typ := workflowTypeAt(t, at)
	settings := func(name string) attr.Value { return objectOf(t, workflowTypeAt(t, at.AtName(name)), nil) }
	s := types.StringValue
	step := func(set map[string]attr.Value) types.Object { return objectOf(t, typ, set) }
	cases := []struct {
		name  string
		value types.Object
		want  wantDiag
	}{
		{"validate step", step(map[string]attr.Value{"name": s("check"), "type": s("validate"), "validate": settings("validate")}), ok},
		{"http step", step(map[string]attr.Value{"name": s("crm"), "type": s("http"), "http": settings("http")}), ok},
		{"http step without http", step(map[string]attr.Value{"name": s("crm"), "type": s("http")}),
			wantDiag{"Missing step settings", `steps[0].http is required for a step of type "http".`, "steps[0].http"}},
		{"http step with validate settings", step(map[string]attr.Value{"name": s("crm"), "type": s("http"), "http": settings("http"), "validate": settings("validate")}),
			wantDiag{"Unexpected step settings", `steps[0].validate must not be set for a step of type "http"; set only steps[0].http.`, "steps[0].validate"}},
		{"emit step with unknown settings", step(map[string]attr.Value{"name": s("announce"), "type": s("emit"),
			"emit": types.ObjectUnknown(attrTypesOf(t, workflowTypeAt(t, at.AtName("emit"))))}), ok},
		{"unknown type", step(map[string]attr.Value{"name": s("x"), "type": types.StringUnknown(), "http": settings("http")}), ok},
		{"unknown step", types.ObjectUnknown(attrTypesOf(t, typ)), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectDiag(t, validateObject(stepSettingsValidator{}, at, tc.value), tc.want)
		})
	}
}

// httpBodyValidator: GET and DELETE carry no body.
func TestHTTPBodyValidator(t *testing.T) {
	at := path.Root("steps").AtListIndex(0).AtName("http")
	typ := workflowTypeAt(t, at)
	s := types.StringValue
	request := func(method string, body attr.Value) types.Object {
		return objectOf(t, typ, map[string]attr.Value{"method": s(method), "url": s("https://crm.example.com"), "body": body})
	}
	cases := []struct {
		name  string
		value types.Object
		want  wantDiag
	}{
		{"POST with a body", request("POST", s("{order_id: order_id}")), ok},
		{"GET without a body", request("GET", types.StringNull()), ok},
		{"GET with a body", request("GET", s("{}")),
			wantDiag{"Unexpected body", "steps[0].http.body must not be set for GET requests, which carry no body.", "steps[0].http.body"}},
		{"DELETE with a body", request("DELETE", s("{}")),
			wantDiag{"Unexpected body", "steps[0].http.body must not be set for DELETE requests", "steps[0].http.body"}},
		{"GET with an unknown body", request("GET", types.StringUnknown()), ok},
		{"unknown request", types.ObjectUnknown(attrTypesOf(t, typ)), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectDiag(t, validateObject(httpBodyValidator{}, at, tc.value), tc.want)
		})
	}
}
