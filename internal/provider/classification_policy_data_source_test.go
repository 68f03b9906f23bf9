package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// classificationPolicyAttributes are the attributes a policy's data sources share with its
// resource.
var classificationPolicyAttributes = []string{"id", "name", "description", "level", "encryption", "access",
	"field_patterns", "application_id", "created_at", "updated_at"}

func TestAccClassificationPolicyDataSource(t *testing.T) {
	p := newAccPlatform(t)
	const res = "lowcode_classification_policy.restricted"
	var checks []statecheck.StateCheck
	for _, ds := range []string{"data.lowcode_classification_policy.by_id", "data.lowcode_classification_policy.by_name"} {
		for _, attr := range classificationPolicyAttributes {
			checks = append(checks, statecheck.CompareValuePairs(res, tfjsonpath.New(attr), ds, tfjsonpath.New(attr), compare.ValuesSame()))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(seedClassificationPolicies + `
data "lowcode_classification_policy" "by_id" {
  id = lowcode_classification_policy.restricted.id
}

data "lowcode_classification_policy" "by_name" {
  name = lowcode_classification_policy.restricted.name
}`),
				ConfigStateChecks: checks,
			},
			{
				Config: p.config(`
data "lowcode_classification_policy" "missing" {
  id = "cls_00000000000000000000000000000000"
}`),
				ExpectError: regexp.MustCompile(`(?s)Classification policy not found.*no classification policy with id\s+"cls_00000000000000000000000000000000"`),
			},
			{
				Config: p.config(`
data "lowcode_classification_policy" "missing" {
  name = "health-records"
}`),
				ExpectError: regexp.MustCompile(`(?s)Expected one classification policy named "health-records",\s+found 0`),
			},
		},
	})
}

func TestAccClassificationPoliciesDataSource(t *testing.T) {
	p := newAccPlatform(t)
	const confidential = "data.lowcode_classification_policies.confidential"
	const orders = "data.lowcode_classification_policies.orders"
	var checks []statecheck.StateCheck
	for _, attr := range classificationPolicyAttributes {
		checks = append(checks,
			statecheck.CompareValuePairs("lowcode_classification_policy.confidential", tfjsonpath.New(attr),
				confidential, tfjsonpath.New("policies").AtSliceIndex(0).AtMapKey(attr), compare.ValuesSame()),
			statecheck.CompareValuePairs("lowcode_classification_policy.orders", tfjsonpath.New(attr),
				orders, tfjsonpath.New("policies").AtSliceIndex(0).AtMapKey(attr), compare.ValuesSame()),
		)
	}
	checks = append(checks,
		statecheck.ExpectKnownValue(confidential, tfjsonpath.New("policies"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue(orders, tfjsonpath.New("policies"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_classification_policies.all", tfjsonpath.New("policies"), knownvalue.ListSizeExact(5)),
		statecheck.ExpectKnownValue("data.lowcode_classification_policies.none", tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{})),
		statecheck.CompareValuePairs("lowcode_classification_policy.orders", tfjsonpath.New("id"),
			"data.lowcode_classification_policies.by_name", tfjsonpath.New("policies").AtSliceIndex(0).AtMapKey("id"), compare.ValuesSame()),
		statecheck.ExpectKnownValue("data.lowcode_classification_policies.by_name", tfjsonpath.New("policies"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_classification_policies.no_such_name", tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{})),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(seedClassificationPolicies + `
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
  name           = "order-notes"
  application_id = lowcode_application.orders.id
  level          = "internal"
  encryption     = "at-rest"
  access         = "authenticated"
  field_patterns = ["order.notes"]
}`),
			},
			{
				// Read in a second step, once every policy exists.
				Config: p.config(seedClassificationPolicies + `
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
  name           = "order-notes"
  application_id = lowcode_application.orders.id
  level          = "internal"
  encryption     = "at-rest"
  access         = "authenticated"
  field_patterns = ["order.notes"]
}

data "lowcode_classification_policies" "all" {}

data "lowcode_classification_policies" "confidential" {
  level = "confidential"
}

data "lowcode_classification_policies" "orders" {
  application_id = lowcode_application.orders.id
}

data "lowcode_classification_policies" "none" {
  application_id = lowcode_application.shop.id
  level          = "restricted"
}

data "lowcode_classification_policies" "by_name" {
  name = "order-notes"
}

data "lowcode_classification_policies" "no_such_name" {
  name = "no-such-policy"
}`),
				ConfigStateChecks: checks,
			},
		},
	})
}

func TestAccClassificationPolicyDataSource_validation(t *testing.T) {
	p := newAccPlatform(t)
	exactlyOne := regexp.MustCompile(`(?s)Exactly one of these attributes must be configured: \[id,name\]`)
	cases := inBlock(`data "lowcode_classification_policy" "bad"`, []planErrorCase{
		{"id and name", `id   = "cls_00000000000000000000000000000000"
  name = "payment-data"`, exactlyOne},
		{"neither id nor name", ``, exactlyOne},
	})
	cases = append(cases, inBlock(`data "lowcode_classification_policies" "bad"`, []planErrorCase{
		{"list by unknown level", `level = "secret"`, regexp.MustCompile(`(?s)Attribute level value must be one of`)},
		{"list by empty application", `application_id = ""`,
			regexp.MustCompile(`(?s)Attribute application_id UTF-8 character count must be between 1 and 64`)},
	})...)
	expectPlanErrors(t, p, cases)
}
