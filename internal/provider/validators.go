package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

// nameValidator matches the platform's names: 1-100 letters, digits, '-', '_' and '.',
// starting with a letter or digit.
func nameValidator() validator.String {
	return stringvalidator.RegexMatches(fields.Name,
		"must be 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit")
}

// eventTypeValidator matches dotted lowercase event types such as order.created.
func eventTypeValidator() validator.String {
	return stringvalidator.RegexMatches(fields.EventType,
		"must be a dotted lowercase event type such as order.created")
}

// labelKeyValidator matches the platform's label keys: 1-63 letters, digits, '.', '_', '-'
// and '/'.
func labelKeyValidator() validator.String {
	return stringvalidator.RegexMatches(fields.LabelKey,
		"must be 1-63 letters, digits, '.', '_', '-' or '/'")
}

// semverValidator checks a semantic version such as 2.3.0 at plan time.
type semverValidator struct{}

func (semverValidator) Description(context.Context) string {
	return "must be a semantic version such as 1.5.2"
}

func (v semverValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (semverValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := fields.Semver(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid version",
			fmt.Sprintf("%s: %q is not a semantic version such as 1.5.2 (major.minor.patch, no leading v): %s", req.Path, req.ConfigValue.ValueString(), err))
	}
}
