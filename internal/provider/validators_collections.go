package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Nulls inside collections get one treatment on every map, set and list attribute: an error
// at plan that names the attribute and the key (or position), never a conversion error at
// apply. The platform has no null elements to store, and dropping them silently would make the
// configuration say something the platform does not hold. (terraform-plugin-framework-validators'
// NoNullValues does the same check but does not say which element.)
var (
	_ validator.Map  = noNullElements{}
	_ validator.List = noNullElements{}
	_ validator.Set  = noNullElements{}
)

type noNullElements struct{}

func (noNullElements) Description(context.Context) string {
	return "every element must have a value (no nulls)"
}

func (v noNullElements) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

const nullElementAdvice = "Give it a value or leave it out; for a variable that may be null, use `coalesce(var.x, \"…\")` " +
	"or build the collection with a `for` expression that skips nulls (`{ for k, v in … : k => v if v != null }`)."

func (noNullElements) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k, e := range req.ConfigValue.Elements() {
		if e.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Null value in "+req.Path.String(),
				fmt.Sprintf("%s has no value at key %q (it is null). %s", req.Path, k, nullElementAdvice))
		}
	}
}

func (noNullElements) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		if e.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Null element in "+req.Path.String(),
				fmt.Sprintf("%s has a null element at index %d. %s", req.Path, i, nullElementAdvice))
		}
	}
}

func (noNullElements) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, e := range req.ConfigValue.Elements() {
		if e.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path, "Null element in "+req.Path.String(),
				fmt.Sprintf("%s has a null element. %s", req.Path, nullElementAdvice))
		}
	}
}

// nullAtApply is the same check at apply, for a value that was unknown at plan and turned out
// null: a clear error naming the attribute and the element instead of a conversion error.
// where names each element ("key \"x\"", "index 2"); it reports whether there was none.
func nullAtApply(attribute string, elems []attr.Value, where func(i int) string, diags *diag.Diagnostics) bool {
	clean := true
	for i, e := range elems {
		if e.IsNull() {
			diags.AddAttributeError(path.Root(attribute), "Null value in "+attribute,
				fmt.Sprintf("%s has no value at %s (it is null). %s", attribute, where(i), nullElementAdvice))
			clean = false
		}
	}
	return clean
}

// stringMapFrom reads a known map of strings; null or unknown gives an empty map.
func stringMapFrom(ctx context.Context, attribute string, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	keys := make([]string, 0, len(m.Elements()))
	elems := make([]attr.Value, 0, len(m.Elements()))
	for k, v := range m.Elements() {
		keys, elems = append(keys, k), append(elems, v)
	}
	if nullAtApply(attribute, elems, func(i int) string { return fmt.Sprintf("key %q", keys[i]) }, diags) {
		diags.Append(m.ElementsAs(ctx, &out, false)...)
	}
	return out
}

// stringsFromSet and stringsFromList read a known collection of strings from a plan or
// config; null or unknown gives nil.
func stringsFromSet(ctx context.Context, attribute string, v types.Set, diags *diag.Diagnostics) []string {
	var out []string
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	if nullAtApply(attribute, v.Elements(), func(int) string { return "an element" }, diags) {
		diags.Append(v.ElementsAs(ctx, &out, false)...)
	}
	return out
}

func stringsFromList(ctx context.Context, attribute string, v types.List, diags *diag.Diagnostics) []string {
	var out []string
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	if nullAtApply(attribute, v.Elements(), func(i int) string { return fmt.Sprintf("index %d", i) }, diags) {
		diags.Append(v.ElementsAs(ctx, &out, false)...)
	}
	return out
}
