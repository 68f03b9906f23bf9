package provider

// Plan-time checks of workflows: the same rules, compiler and cron parser as the platform
// (internal/rules/expression and cronspec), so that `terraform validate` refuses what the
// server would refuse, naming the attribute.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/cronspec"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/expression"
)

// Step types, trigger types and HTTP methods the platform knows.
var (
	triggerTypes = []string{"manual", "event", "schedule"}
	stepTypes    = []string{"validate", "transform", "http", "emit"}
	httpMethods  = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
)

// expressionValidator compiles a step expression with the platform's own compiler.
type expressionValidator struct{}

func (expressionValidator) Description(context.Context) string {
	return "must be an expression the platform compiles, such as `amount <= 10000`"
}

func (v expressionValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (expressionValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := expression.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid expression",
			fmt.Sprintf("%s does not compile: %s\n\nExpressions use the document's fields as variables, such as "+
				"`amount <= 10000` or `customer.email != \"\"`.", req.Path, err))
	}
}

// cronValidator parses a schedule with the platform's cron parser.
type cronValidator struct{}

func (cronValidator) Description(context.Context) string {
	return "must be five cron fields (minute hour day-of-month month day-of-week) or a descriptor such as `@hourly`"
}

func (v cronValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (cronValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := cronspec.Parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid cron expression",
			fmt.Sprintf("%s: %s", req.Path, err))
	}
}

// fieldPathValidator checks a dotted document field path such as order.total.
type fieldPathValidator struct{}

func (fieldPathValidator) Description(context.Context) string {
	return "must be a dotted field path such as `order.total`"
}

func (v fieldPathValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fieldPathValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := expression.ValidateFieldPath(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid field path", fmt.Sprintf("%s: %s", req.Path, err))
	}
}

// triggerValidator checks that a trigger has exactly the settings its type needs.
type triggerValidator struct{}

func (triggerValidator) Description(context.Context) string {
	return "`event` triggers need `event_type` and no `cron`; `schedule` triggers need `cron` and no `event_type`; " +
		"`manual` triggers take neither"
}

func (v triggerValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (triggerValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	typ, ok := attrs["type"].(types.String)
	if !ok || typ.IsNull() || typ.IsUnknown() {
		return
	}
	settings := map[string]string{
		"event_type": "the event type that starts the workflow, such as order.created",
		"cron":       "five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly, in UTC",
	}
	needs := map[string]string{"event": "event_type", "schedule": "cron"}[typ.ValueString()]
	for _, name := range []string{"event_type", "cron"} {
		at := req.Path.AtName(name)
		v := attrs[name]
		if v.IsUnknown() {
			continue
		}
		switch {
		case name == needs && v.IsNull():
			resp.Diagnostics.AddAttributeError(at, "Missing "+name,
				fmt.Sprintf("%s is required for %s triggers: %s.", at, typ.ValueString(), settings[name]))
		case name != needs && !v.IsNull():
			resp.Diagnostics.AddAttributeError(at, "Unexpected "+name,
				fmt.Sprintf("%s must not be set for %s triggers; remove it or change %s.", at, typ.ValueString(), req.Path.AtName("type")))
		}
	}
}

// stepSettingsValidator requires exactly the settings object that matches a step's type.
type stepSettingsValidator struct{}

func (stepSettingsValidator) Description(context.Context) string {
	return "exactly the settings object that matches `type` must be set"
}

func (v stepSettingsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (stepSettingsValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	typ, ok := attrs["type"].(types.String)
	if !ok || typ.IsNull() || typ.IsUnknown() {
		return
	}
	for _, settings := range stepTypes {
		v := attrs[settings]
		if v == nil || v.IsUnknown() {
			continue
		}
		at := req.Path.AtName(settings)
		switch {
		case settings == typ.ValueString() && v.IsNull():
			resp.Diagnostics.AddAttributeError(at, "Missing step settings",
				fmt.Sprintf("%s is required for a step of type %q.", at, settings))
		case settings != typ.ValueString() && !v.IsNull():
			resp.Diagnostics.AddAttributeError(at, "Unexpected step settings",
				fmt.Sprintf("%s must not be set for a step of type %q; set only %s.", at, typ.ValueString(),
					req.Path.AtName(typ.ValueString())))
		}
	}
}

// httpBodyValidator refuses a body on GET and DELETE requests, which carry none.
type httpBodyValidator struct{}

func (httpBodyValidator) Description(context.Context) string {
	return "`body` must not be set for GET and DELETE requests"
}

func (v httpBodyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (httpBodyValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	method, ok := attrs["method"].(types.String)
	if !ok || !stringIsSet(method) || !stringIsSet(attrs["body"]) {
		return
	}
	if m := method.ValueString(); m == "GET" || m == "DELETE" {
		resp.Diagnostics.AddAttributeError(req.Path.AtName("body"), "Unexpected body",
			fmt.Sprintf("%s must not be set for %s requests, which carry no body.", req.Path.AtName("body"), m))
	}
}
