package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// applicationDataAttributeNames are the attributes the application data sources share with
// lowcode_application.
var applicationDataAttributeNames = []string{"id", "name", "environment", "version", "description", "labels", "created_at", "updated_at"}

// orderApplications is the order-management application in production and in staging.
const orderApplications = `
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
  description = "Takes orders from the web shop and fulfils them"
  labels      = { team = "orders" }
}

resource "lowcode_application" "orders_staging" {
  name        = "order-management"
  environment = "staging"
  version     = "2.4.0-rc.1"
}
`

func TestAccApplicationDataSource(t *testing.T) {
	p := newAccPlatform(t)
	checks := append(
		sameAttributes("data.lowcode_application.by_id", tfjsonpath.New, "lowcode_application.orders", applicationDataAttributeNames...),
		sameAttributes("data.lowcode_application.by_name", tfjsonpath.New, "lowcode_application.orders_staging", applicationDataAttributeNames...)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(orderApplications + `
data "lowcode_application" "by_id" {
  id = lowcode_application.orders.id
}

data "lowcode_application" "by_name" {
  name        = "order-management"
  environment = "staging"
  depends_on  = [lowcode_application.orders, lowcode_application.orders_staging]
}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccApplicationDataSource_errors(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"neither", ``, regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`)},
		{"both", `id = "app_1"
  name = "order-management"
  environment = "production"`, regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,name\]`)},
		{"name without environment", `name = "order-management"`,
			regexp.MustCompile(`(?s)Invalid Attribute Combination.*These attributes must be configured together: \[name,environment\]`)},
		{"environment", `name = "order-management"
  environment = "prod"`, regexp.MustCompile(`(?s)Attribute environment value must be one of`)},
		{"no such id", `id = "app_00000000000000000000000000000000"`,
			regexp.MustCompile(`(?s)Application not found.*There is no application with id\s+"app_00000000000000000000000000000000"`)},
		{"no such name", `name = "order-management"
  environment = "production"`, regexp.MustCompile(`(?s)Application not found.*Expected one application named "order-management" in production on\s+the\s+platform,\s+found\s+0`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      p.config(`data "lowcode_application" "x" {` + "\n  " + tc.body + "\n}"),
					ExpectError: tc.want,
				}},
			})
		})
	}
}
