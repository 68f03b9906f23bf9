package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestFieldPatternValidator(t *testing.T) {
	const advice = "Patterns are dotted field paths such as customer.email, with * for one segment (customer.*) and ** for any depth (**.ssn)"
	runStringCases(t, []stringCase{
		{"field path", fieldPatternValidator{}, "customer.email", ok},
		{"one-segment wildcard", fieldPatternValidator{}, "customer.*", ok},
		{"any-depth wildcard", fieldPatternValidator{}, "**.ssn", ok},
		{"field name anywhere", fieldPatternValidator{}, "ssn", ok},
		{"empty segment", fieldPatternValidator{}, "customer..email", wantDiag{"Invalid field pattern", advice, "attr"}},
	})
}

// classificationMinimumValidator, called through resource.ValidateConfigRequest with the
// classification policy's schema: a policy weaker than its level's minimum is refused on the
// attribute that is too weak; unknown or invalid values are left to be judged elsewhere.
func TestClassificationMinimumValidator(t *testing.T) {
	ctx := context.Background()
	var schema resource.SchemaResponse
	(&classificationPolicyResource{}).Schema(ctx, resource.SchemaRequest{}, &schema)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	policy := func(level, enc, access tftypes.Value) tftypes.Value {
		return rawOf(t, schema.Schema, map[string]tftypes.Value{"name": str("payment-data"), "level": level, "encryption": enc, "access": access})
	}
	const minimums = "The minimum protection per level is: public none/all; internal at-rest/authenticated; " +
		"confidential at-rest+transit/role-based; restricted at-rest+transit+field-level/need-to-know. Strengthen the policy or lower its level."
	cases := []struct {
		name   string
		config tftypes.Value
		want   []wantDiag // each must be there; none means no diagnostics
	}{
		{"public", policy(str("public"), str("none"), str("all")), nil},
		{"restricted at its minimum", policy(str("restricted"), str("at-rest+transit+field-level"), str("need-to-know")), nil},
		{"internal without encryption", policy(str("internal"), str("none"), str("authenticated")), []wantDiag{
			{"Policy weaker than its level allows", `An internal policy needs encryption "at-rest" or stronger, got "none". ` + minimums, "encryption"},
		}},
		{"restricted too weak on both", policy(str("restricted"), str("at-rest+transit"), str("role-based")), []wantDiag{
			{"Policy weaker than its level allows", `A restricted policy needs encryption "at-rest+transit+field-level" or stronger, got "at-rest+transit"`, "encryption"},
			{"Policy weaker than its level allows", `A restricted policy needs access "need-to-know" or stricter, got "role-based"`, "access"},
		}},
		{"unknown level", policy(unknown, str("none"), str("all")), nil},
		{"unknown access", policy(str("restricted"), str("none"), unknown), nil},
		{"level the schema refuses", policy(str("secret"), str("none"), str("all")), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp resource.ValidateConfigResponse
			classificationMinimumValidator{}.ValidateResource(ctx,
				resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: schema.Schema, Raw: tc.config}}, &resp)
			if len(tc.want) == 0 {
				expectDiag(t, resp.Diagnostics, ok)
			}
			for _, w := range tc.want {
				expectDiag(t, resp.Diagnostics, w)
			}
			if len(resp.Diagnostics) != len(tc.want) {
				t.Errorf("got %d diagnostics, want %d: %v", len(resp.Diagnostics), len(tc.want), resp.Diagnostics)
			}
		})
	}
}
