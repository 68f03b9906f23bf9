package fields_test

import (
	"context"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

// The OpenAPI document, which the server validates requests against and clients are generated
// from, must state the same limits, patterns and enums as this package, which the provider
// checks at plan time.
func TestOpenAPIAgrees(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	schema := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("no schema %s in openapi.yaml", name)
		}
		return ref.Value
	}
	prop := func(s, p string) *openapi3.Schema {
		ref := schema(s).Properties[p]
		if ref == nil || ref.Value == nil {
			t.Fatalf("no property %s.%s in openapi.yaml", s, p)
		}
		return ref.Value
	}
	max := func(s *openapi3.Schema) int {
		if s.MaxLength == nil {
			return -1
		}
		return int(*s.MaxLength)
	}
	lengths := []struct {
		what     string
		schema   *openapi3.Schema
		min, max int
	}{
		{"Name", schema("Name"), 1, fields.NameMax},
		{"Version", schema("Version"), 0, fields.VersionMax},
		{"Labels values", schema("Labels").AdditionalProperties.Schema.Value, 0, fields.LabelValueMax},
		{"UserInput.email", prop("UserInput", "email"), fields.EmailMin, fields.EmailMax},
		{"UserInput.display_name", prop("UserInput", "display_name"), 0, fields.DisplayNameMax},
		{"WebhookInput.callback_url", prop("WebhookInput", "callback_url"), 1, fields.URLMax},
		{"HTTPStep.url", prop("HTTPStep", "url"), 1, fields.URLMax},
		{"EmitStep.event_type", prop("EmitStep", "event_type"), 1, fields.EventTypeMax},
		{"WebhookInput.event_types items", prop("WebhookInput", "event_types").Items.Value, 1, fields.EventTypeMax},
	}
	for _, in := range []string{"ApplicationInput", "ApplicationPatch", "WorkflowInput", "WebhookInput", "WebhookPatch",
		"ClassificationPolicyInput", "ClassificationPolicyPatch", "IntegrationInput", "IntegrationPatch"} {
		lengths = append(lengths, struct {
			what     string
			schema   *openapi3.Schema
			min, max int
		}{in + ".description", prop(in, "description"), 0, fields.DescriptionMax})
	}
	for _, l := range lengths {
		if got := max(l.schema); got != l.max || int(l.schema.MinLength) != l.min {
			t.Errorf("%s: openapi.yaml says %d-%d characters, internal/rules/fields %d-%d", l.what, l.schema.MinLength, got, l.min, l.max)
		}
	}
	if got := schema("Name").Pattern; got != fields.Name.String() {
		t.Errorf("Name pattern: openapi.yaml %q, internal/rules/fields %q", got, fields.Name.String())
	}
	enums := []struct {
		schema string
		want   []string
	}{
		{"Environment", fields.Environments},
		{"Role", fields.Roles},
		{"ScopeType", fields.ScopeTypes},
		{"ClassificationLevel", fields.ClassificationLevels},
		{"Encryption", fields.EncryptionRules},
		{"AccessRule", fields.AccessRules},
	}
	for _, e := range enums {
		var got []string
		for _, v := range schema(e.schema).Enum {
			s, ok := v.(string)
			if !ok {
				t.Fatalf("enum %s holds %T (%v), want strings", e.schema, v, v)
			}
			got = append(got, s)
		}
		if !slices.Equal(got, e.want) {
			t.Errorf("enum %s: openapi.yaml %v, internal/rules/fields %v", e.schema, got, e.want)
		}
	}
}

func TestLengthCountsCharacters(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{{"", 0}, {"order", 5}, {"注文管理", 4}, {"é", 1}, {"🙂", 1}}
	for _, tc := range cases {
		if got := fields.Length(tc.in); got != tc.want {
			t.Errorf("Length(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
