package provider

// Validators of classification policies, with the platform's own rules
// (internal/rules/classification).

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/classification"
)

// fieldPatternValidator checks a classification field pattern with the platform's own parser.
type fieldPatternValidator struct{}

func (fieldPatternValidator) Description(context.Context) string {
	return "must be a dotted field path; * stands for one segment and ** for any number of segments"
}

func (v fieldPatternValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fieldPatternValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := classification.ValidatePattern(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid field pattern",
			"The "+err.Error()+". Patterns are dotted field paths such as customer.email, with * for one segment "+
				"(customer.*) and ** for any depth (**.ssn); a pattern without a dot matches that field name anywhere.")
	}
}

// classificationMinimumValidator refuses, at plan time, a classification policy whose
// encryption or access is weaker than its level's minimum (the seed table), with the same
// rule the platform applies.
type classificationMinimumValidator struct{}

var _ resource.ConfigValidator = classificationMinimumValidator{}

func (classificationMinimumValidator) Description(context.Context) string {
	return "encryption and access must meet the minimum of the policy's level"
}

func (v classificationMinimumValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (classificationMinimumValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var level, enc, access types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("level"), &level)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("encryption"), &enc)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("access"), &access)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, v := range []types.String{level, enc, access} {
		if v.IsNull() || v.IsUnknown() {
			return
		}
	}
	l := api.ClassificationLevel(level.ValueString())
	if classification.LevelRank(l) < 0 {
		return // the attribute's OneOf reports it
	}
	for _, p := range classification.CheckMinimum(l, api.Encryption(enc.ValueString()), api.AccessRule(access.ValueString())) {
		resp.Diagnostics.AddAttributeError(path.Root(p.Field), "Policy weaker than its level allows",
			fmt.Sprintf("%s. The minimum protection per level is: public none/all; internal at-rest/authenticated; "+
				"confidential at-rest+transit/role-based; restricted at-rest+transit+field-level/need-to-know. "+
				"Strengthen the policy or lower its level.", capitalize(p.Message)))
	}
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
