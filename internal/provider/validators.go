package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// nameValidator matches the platform's names: 1-100 letters, digits, '-', '_' and '.',
// starting with a letter or digit.
func nameValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`),
		"must be 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit")
}

// eventTypeValidator matches dotted lowercase event types such as order.created.
func eventTypeValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`),
		"must be a dotted lowercase event type such as order.created")
}

// labelKeyValidator matches the platform's label keys: 1-63 letters, digits, '.', '_', '-'
// and '/'.
func labelKeyValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z0-9._/-]{1,63}$`),
		"must be 1-63 letters, digits, '.', '_', '-' or '/'")
}

// maxLabelValueLength is the platform's limit on a label's value, in bytes.
const maxLabelValueLength = 255

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
	if _, err := semver.StrictNewVersion(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid version",
			fmt.Sprintf("%s: %q is not a semantic version such as 1.5.2 (major.minor.patch, no leading v): %s", req.Path, req.ConfigValue.ValueString(), err))
	}
}
