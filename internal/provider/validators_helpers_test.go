package provider

// Helpers of the validator and plan modifier unit tests: each calls the validator with the
// framework's own request type, as Terraform would through the framework, without the CLI.

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// wantDiag is what a check must report: nothing (summary ""), or an error (expectDiag) or a
// warning (expectWarning) with this summary whose detail contains detail, on the attribute at
// (when at is set).
type wantDiag struct {
	summary, detail string
	at              string
}

// ok is a wantDiag of no diagnostics at all.
var ok = wantDiag{}

// expectDiag fails unless diags are what want says, want being an error.
func expectDiag(t *testing.T, diags diag.Diagnostics, want wantDiag) {
	t.Helper()
	expectSeverity(t, diags, want, diag.SeverityError)
}

// expectWarning fails unless diags are what want says, want being a warning.
func expectWarning(t *testing.T, diags diag.Diagnostics, want wantDiag) {
	t.Helper()
	expectSeverity(t, diags, want, diag.SeverityWarning)
}

func expectSeverity(t *testing.T, diags diag.Diagnostics, want wantDiag, severity diag.Severity) {
	t.Helper()
	if want.summary == "" {
		if len(diags) > 0 {
			t.Fatalf("want no diagnostics, got %v", diags)
		}
		return
	}
	for _, d := range diags {
		if d.Severity() != severity || d.Summary() != want.summary || !strings.Contains(d.Detail(), want.detail) {
			continue
		}
		if want.at != "" {
			wp, hasPath := d.(diag.DiagnosticWithPath)
			if !hasPath || wp.Path().String() != want.at {
				t.Fatalf("the error %q is not on %s: %v", d.Summary(), want.at, d)
			}
		}
		return
	}
	t.Fatalf("want a %s %q with a detail containing %q, got %v", severity, want.summary, want.detail, diags)
}

// validateString runs a string validator on value at the attribute "attr".
func validateString(v validator.String, value types.String) diag.Diagnostics {
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{
		Path: path.Root("attr"), PathExpression: path.MatchRoot("attr"), ConfigValue: value,
	}, &resp)
	return resp.Diagnostics
}

// stringCase is one value a string validator must accept (want ok) or refuse.
type stringCase struct {
	name  string
	v     validator.String
	value string
	want  wantDiag
}

// runStringCases runs each case, and checks that every validator among them leaves null and
// unknown values alone (Terraform validates an unknown value again once it is known; null is
// for the attribute's Optional/Required to judge).
func runStringCases(t *testing.T, cases []stringCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectDiag(t, validateString(tc.v, types.StringValue(tc.value)), tc.want)
		})
		t.Run(tc.name+"/null and unknown", func(t *testing.T) {
			expectDiag(t, validateString(tc.v, types.StringNull()), ok)
			expectDiag(t, validateString(tc.v, types.StringUnknown()), ok)
		})
	}
}

// nullOf is the null value of typ.
func nullOf(t *testing.T, typ attr.Type) attr.Value {
	t.Helper()
	v, err := typ.ValueFromTerraform(context.Background(), tftypes.NewValue(typ.TerraformType(context.Background()), nil))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// attrTypesOf is the attribute types of typ, an object type.
func attrTypesOf(t *testing.T, typ attr.Type) map[string]attr.Type {
	t.Helper()
	ot, isObject := typ.(types.ObjectType)
	if !isObject {
		t.Fatalf("%s is not an object type", typ)
	}
	return ot.AttrTypes
}

// objectOf is a known object of typ (an object type) with the attributes in set and every
// other attribute null.
func objectOf(t *testing.T, typ attr.Type, set map[string]attr.Value) types.Object {
	t.Helper()
	attrTypes := attrTypesOf(t, typ)
	values := map[string]attr.Value{}
	for name, at := range attrTypes {
		if v, given := set[name]; given {
			values[name] = v
		} else {
			values[name] = nullOf(t, at)
		}
	}
	for name := range set {
		if _, known := attrTypes[name]; !known {
			t.Fatalf("%s has no attribute %q", typ, name)
		}
	}
	obj, diags := types.ObjectValue(attrTypes, values)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return obj
}

// rawOf is a value of a whole schema (for a tfsdk.Config, Plan or State) with the attributes
// in set and every other attribute null.
func rawOf(t *testing.T, schema interface{ Type() attr.Type }, set map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	typ, isObject := schema.Type().TerraformType(context.Background()).(tftypes.Object)
	if !isObject {
		t.Fatal("the schema's type is not an object")
	}
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, given := set[name]; given {
			values[name] = v
		} else {
			values[name] = tftypes.NewValue(at, nil)
		}
	}
	for name := range set {
		if _, known := typ.AttributeTypes[name]; !known {
			t.Fatalf("the schema has no attribute %q", name)
		}
	}
	return tftypes.NewValue(typ, values)
}
