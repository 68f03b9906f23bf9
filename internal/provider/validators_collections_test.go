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
