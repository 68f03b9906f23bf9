package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// noNullElements, called through the framework's request types: a null element is an error
// naming the attribute and the key or index; unknown elements and unknown or null collections
// pass (they are checked again once known).
func TestNoNullElements(t *testing.T) {
	ctx := context.Background()
	s, null, unknown := types.StringValue("x"), types.StringNull(), types.StringUnknown()
	cases := []struct {
		name  string
		check func(*diag.Diagnostics)
		want  string // "" for no error
	}{
		{"map without nulls", mapCheck(ctx, map[string]attr.Value{"team": s}), ""},
		{"map with a null", mapCheck(ctx, map[string]attr.Value{"team": s, "cost-center": null}), `labels has no value at key "cost-center"`},
		{"map with an unknown", mapCheck(ctx, map[string]attr.Value{"team": unknown}), ""},
		{"list with a null", listCheck(ctx, []attr.Value{s, null}), "labels has a null element at index 1"},
		{"list without nulls", listCheck(ctx, []attr.Value{s, unknown}), ""},
		{"set with a null", setCheck(ctx, []attr.Value{s, null}), "labels has a null element"},
		{"set without nulls", setCheck(ctx, []attr.Value{s}), ""},
		{"null map", func(d *diag.Diagnostics) {
			var resp validator.MapResponse
			noNullElements{}.ValidateMap(ctx, validator.MapRequest{Path: path.Root("labels"), ConfigValue: types.MapNull(types.StringType)}, &resp)
			*d = resp.Diagnostics
		}, ""},
		{"at apply, a map with a null", func(d *diag.Diagnostics) {
			stringMapFrom(ctx, "labels", types.MapValueMust(types.StringType, map[string]attr.Value{"k": null}), d)
		}, `labels has no value at key "k"`},
		{"at apply, a list with a null", func(d *diag.Diagnostics) {
			stringsFromList(ctx, "field_patterns", types.ListValueMust(types.StringType, []attr.Value{s, null}), d)
		}, "field_patterns has no value at index 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			tc.check(&diags)
			if tc.want == "" {
				if diags.HasError() {
					t.Fatalf("unexpected error: %v", diags)
				}
				return
			}
			if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), tc.want) {
				t.Fatalf("diagnostics %v, want an error containing %q", diags, tc.want)
			}
		})
	}
}

func mapCheck(ctx context.Context, elems map[string]attr.Value) func(*diag.Diagnostics) {
	return func(d *diag.Diagnostics) {
		var resp validator.MapResponse
		noNullElements{}.ValidateMap(ctx, validator.MapRequest{Path: path.Root("labels"), ConfigValue: types.MapValueMust(types.StringType, elems)}, &resp)
		*d = resp.Diagnostics
	}
}

func listCheck(ctx context.Context, elems []attr.Value) func(*diag.Diagnostics) {
	return func(d *diag.Diagnostics) {
		var resp validator.ListResponse
		noNullElements{}.ValidateList(ctx, validator.ListRequest{Path: path.Root("labels"), ConfigValue: types.ListValueMust(types.StringType, elems)}, &resp)
		*d = resp.Diagnostics
	}
}

func setCheck(ctx context.Context, elems []attr.Value) func(*diag.Diagnostics) {
	return func(d *diag.Diagnostics) {
		var resp validator.SetResponse
		noNullElements{}.ValidateSet(ctx, validator.SetRequest{Path: path.Root("labels"), ConfigValue: types.SetValueMust(types.StringType, elems)}, &resp)
		*d = resp.Diagnostics
	}
}

// caseInsensitiveUniqueValidator, through validator.ListRequest: a value repeated in another
// case is refused at the repeat, naming the first.
func TestCaseInsensitiveUniqueValidator(t *testing.T) {
	at := path.Root("field_patterns")
	list := func(elems ...attr.Value) types.List { return types.ListValueMust(types.StringType, elems) }
	s := types.StringValue
	cases := []struct {
		name  string
		value types.List
		want  wantDiag
	}{
		{"distinct", list(s("ssn"), s("card_number")), ok},
		{"repeated in another case", list(s("ssn"), s("card_number"), s("SSN")),
			wantDiag{"Repeated value", `"SSN" repeats element 0 of the list (patterns are compared case-insensitively); list each once.`, "field_patterns[2]"}},
		{"repeated exactly", list(s("**.ssn"), s("**.ssn")), wantDiag{"Repeated value", `"**.ssn" repeats element 0`, "field_patterns[1]"}},
		{"null and unknown elements", list(s("ssn"), types.StringNull(), types.StringUnknown(), types.StringUnknown()), ok},
		{"null list", types.ListNull(types.StringType), ok},
		{"unknown list", types.ListUnknown(types.StringType), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp validator.ListResponse
			caseInsensitiveUniqueValidator{}.ValidateList(context.Background(), validator.ListRequest{Path: at, ConfigValue: tc.value}, &resp)
			expectDiag(t, resp.Diagnostics, tc.want)
		})
	}
}

// uniqueStepNamesValidator, through validator.ListRequest with the workflow schema's step
// type: a repeated step name is refused at the repeat, naming the step that has it first.
func TestUniqueStepNamesValidator(t *testing.T) {
	at := path.Root("steps")
	stepType := workflowTypeAt(t, at.AtListIndex(0))
	step := func(name attr.Value) attr.Value {
		return objectOf(t, stepType, map[string]attr.Value{"name": name, "type": types.StringValue("validate")})
	}
	steps := func(elems ...attr.Value) types.List { return types.ListValueMust(stepType, elems) }
	s := types.StringValue
	cases := []struct {
		name  string
		value types.List
		want  wantDiag
	}{
		{"distinct", steps(step(s("check")), step(s("crm"))), ok},
		{"repeated", steps(step(s("check")), step(s("crm")), step(s("check"))),
			wantDiag{"Duplicate step name", `steps[2].name: the step name "check" is already used by steps[0]; step names must be unique within a workflow.`, "steps[2].name"}},
		{"unknown names", steps(step(types.StringUnknown()), step(types.StringUnknown())), ok},
		{"unknown step", steps(step(s("check")), types.ObjectUnknown(attrTypesOf(t, stepType))), ok},
		{"unknown list", types.ListUnknown(stepType), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp validator.ListResponse
			uniqueStepNamesValidator{}.ValidateList(context.Background(), validator.ListRequest{Path: at, ConfigValue: tc.value}, &resp)
			expectDiag(t, resp.Diagnostics, tc.want)
		})
	}
}
