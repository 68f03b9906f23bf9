package provider

// Validators of collections as a whole: null elements (and nullAtApply, the same check for
// values known only at apply) and repeated values.

import (
	"context"
	"fmt"
	"strings"

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

// caseInsensitiveUniqueValidator refuses a list that repeats a value ignoring case, as the
// platform does for field patterns (which match case-insensitively).
type caseInsensitiveUniqueValidator struct{}

func (caseInsensitiveUniqueValidator) Description(context.Context) string {
	return "must not repeat a value (compared case-insensitively)"
}

func (v caseInsensitiveUniqueValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (caseInsensitiveUniqueValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	first := map[string]int{}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		key := strings.ToLower(s.ValueString())
		if j, dup := first[key]; dup {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Repeated value",
				fmt.Sprintf("%q repeats element %d of the list (patterns are compared case-insensitively); list each once.",
					s.ValueString(), j))
			continue
		}
		first[key] = i
	}
}

// uniqueStepNamesValidator requires every step's name to be unique within the workflow.
type uniqueStepNamesValidator struct{}

func (uniqueStepNamesValidator) Description(context.Context) string {
	return "step names must be unique within a workflow"
}

func (v uniqueStepNamesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (uniqueStepNamesValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	first := map[string]path.Path{}
	for i, elem := range req.ConfigValue.Elements() {
		obj, ok := elem.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		name, ok := obj.Attributes()["name"].(types.String)
		if !ok || !stringIsSet(name) {
			continue
		}
		at := req.Path.AtListIndex(i).AtName("name")
		if earlier, dup := first[name.ValueString()]; dup {
			resp.Diagnostics.AddAttributeError(at, "Duplicate step name",
				fmt.Sprintf("%s: the step name %q is already used by %s; step names must be unique within a workflow.",
					at, name.ValueString(), earlier.ParentPath()))
			continue
		}
		first[name.ValueString()] = at
	}
}
