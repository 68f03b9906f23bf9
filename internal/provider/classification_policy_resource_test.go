package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// seedClassificationPolicies is the seed document's classification table, one policy per
// level at exactly its minimum protection.
const seedClassificationPolicies = `
resource "lowcode_classification_policy" "public" {
  name           = "public-catalog"
  level          = "public"
  encryption     = "none"
  access         = "all"
  field_patterns = ["product.name", "product.price"]
}

resource "lowcode_classification_policy" "internal" {
  name           = "internal-operations"
  level          = "internal"
  encryption     = "at-rest"
  access         = "authenticated"
  field_patterns = ["order.status", "order.warehouse"]
}

resource "lowcode_classification_policy" "confidential" {
  name           = "customer-contact"
  level          = "confidential"
  encryption     = "at-rest+transit"
  access         = "role-based"
  field_patterns = ["customer.email", "customer.phone"]
}

resource "lowcode_classification_policy" "restricted" {
  name           = "payment-data"
  description    = "Card numbers and national ids"
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["**.card_number", "ssn"]
}
`

func TestAccClassificationPolicyResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const addr = "lowcode_classification_policy.restricted"
	level := func(name, level, enc, access string) []statecheck.StateCheck {
		a := "lowcode_classification_policy." + name
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(a, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^cls_[0-9a-f]{32}$`))),
			statecheck.ExpectKnownValue(a, tfjsonpath.New("level"), knownvalue.StringExact(level)),
			statecheck.ExpectKnownValue(a, tfjsonpath.New("encryption"), knownvalue.StringExact(enc)),
			statecheck.ExpectKnownValue(a, tfjsonpath.New("access"), knownvalue.StringExact(access)),
			statecheck.ExpectKnownValue(a, tfjsonpath.New("application_id"), knownvalue.Null()),
		}
	}
	var checks []statecheck.StateCheck
	checks = append(checks, level("public", "public", "none", "all")...)
	checks = append(checks, level("internal", "internal", "at-rest", "authenticated")...)
	checks = append(checks, level("confidential", "confidential", "at-rest+transit", "role-based")...)
	checks = append(checks, level("restricted", "restricted", "at-rest+transit+field-level", "need-to-know")...)
	checks = append(checks,
		sameID.AddStateValue(addr, tfjsonpath.New("id")),
		statecheck.ExpectKnownValue("lowcode_classification_policy.public", tfjsonpath.New("description"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("field_patterns"), knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact("**.card_number"), knownvalue.StringExact("ssn"),
		})),
	)

	updated := `
resource "lowcode_classification_policy" "restricted" {
  name           = "payment-data"
  description    = "Card numbers, national ids and bank accounts"
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["ssn", "**.card_number", "customer.bank.*"]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_classification_policy", existsOnPlatform(p.API.GetClassificationPolicy)),
		Steps: []resource.TestStep{
			{
				Config:            p.config(seedClassificationPolicies),
				ConfigStateChecks: checks,
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Update in place: same id; the patterns keep the order they are written in.
				Config: p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Card numbers, national ids and bank accounts")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("field_patterns"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ssn"), knownvalue.StringExact("**.card_number"), knownvalue.StringExact("customer.bank.*"),
					})),
				},
			},
			{
				Config:           p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccClassificationPolicyResource_application(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_classification_policy.orders"
	config := func(app string) string {
		return p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_application" "shop" {
  name        = "web-shop"
  environment = "production"
  version     = "1.0.0"
}

resource "lowcode_classification_policy" "orders" {
  name           = "order-customer-contact"
  application_id = lowcode_application.` + app + `.id
  level          = "confidential"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["customer.*"]
}`)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_classification_policy", existsOnPlatform(p.API.GetClassificationPolicy)),
		Steps: []resource.TestStep{
			{
				// Stronger than the minimum is fine.
				Config: config("orders"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(addr, tfjsonpath.New("application_id"),
						"lowcode_application.orders", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: config("shop"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

func TestAccClassificationPolicyResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps("lowcode_classification_policy.restricted", p.config(`
resource "lowcode_classification_policy" "restricted" {
  name           = "payment-data"
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["**.card_number", "ssn"]
}`),
			func(id string) {
				if _, err := p.API.PatchClassificationPolicy(context.Background(), id, "",
					api.ClassificationPolicyPatch{FieldPatterns: &[]string{"ssn"}}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteClassificationPolicy(context.Background(), id, ""); err != nil {
					t.Fatal(err)
				}
			}),
	})
}

func TestAccClassificationPolicyResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	policy := func(level, enc, access, patterns string) string {
		return `name = "p"
  level = "` + level + `"
  encryption = "` + enc + `"
  access = "` + access + `"
  field_patterns = ` + patterns
	}
	expectPlanErrors(t, p, inBlock(`resource "lowcode_classification_policy" "bad"`, []planErrorCase{
		{"level", policy("secret", "none", "all", `["a"]`), regexp.MustCompile(`(?s)Attribute level value must be one of`)},
		{"encryption", policy("public", "rot13", "all", `["a"]`), regexp.MustCompile(`(?s)Attribute encryption value must be one of`)},
		{"access", policy("public", "none", "anyone", `["a"]`), regexp.MustCompile(`(?s)Attribute access value must be one of`)},
		{"internal too weakly encrypted", policy("internal", "none", "authenticated", `["a"]`),
			// The error points at the attribute that is too weak.
			regexp.MustCompile(`(?s)Policy weaker than its level allows.*\d+:\s+encryption = "none"\s+An internal policy needs encryption\s+"at-rest" or\s+stronger, got "none"`)},
		{"confidential too open", policy("confidential", "at-rest+transit", "authenticated", `["a"]`),
			regexp.MustCompile(`(?s)access = "authenticated".*A confidential policy needs access "role-based" or\s+stricter, got\s+"authenticated"`)},
		{"restricted too weak on both", policy("restricted", "at-rest+transit", "role-based", `["a"]`),
			regexp.MustCompile(`(?s)A restricted policy needs encryption.*A restricted policy needs access\s+"need-to-know"`)},
		{"no patterns", policy("public", "none", "all", `[]`), regexp.MustCompile(`(?s)Attribute field_patterns list must contain at least 1`)},
		{"partial wildcard", policy("public", "none", "all", `["card_*"]`),
			regexp.MustCompile(`(?s)Invalid field pattern.*a wildcard is a whole\s+segment`)},
		{"empty segment", policy("public", "none", "all", `["customer..email"]`),
			regexp.MustCompile(`(?s)Invalid field pattern.*has an empty segment`)},
		{"repeated pattern", policy("public", "none", "all", `["SSN", "ssn"]`),
			regexp.MustCompile(`(?s)"ssn" repeats element 0 of the list`)},
		{"name", `name = "payment data"
  level = "public"
  encryption = "none"
  access = "all"
  field_patterns = ["a"]`, regexp.MustCompile(`(?s)Attribute name must be 1-100 letters`)},
		{"empty application", policy("public", "none", "all", `["a"]`) + `
  application_id = ""`, regexp.MustCompile(`(?s)Attribute application_id UTF-8 character count must be between 1 and 64`)},
	}))
}
