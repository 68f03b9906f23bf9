package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccApplicationsDataSource(t *testing.T) {
	p := newAccPlatform(t)
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.lowcode_applications.all", tfjsonpath.New("applications"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lowcode_applications.by_name", tfjsonpath.New("applications"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lowcode_applications.production", tfjsonpath.New("applications"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_applications.none", tfjsonpath.New("applications"), knownvalue.ListExact([]knownvalue.Check{})),
	}
	checks = append(checks, sameAttributes("data.lowcode_applications.production", firstElement("applications"),
		"lowcode_application.orders", applicationDataAttributeNames...)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(orderApplications + `
data "lowcode_applications" "all" {
  depends_on = [lowcode_application.orders, lowcode_application.orders_staging]
}

data "lowcode_applications" "by_name" {
  name       = "order-management"
  depends_on = [lowcode_application.orders, lowcode_application.orders_staging]
}

data "lowcode_applications" "production" {
  name        = lowcode_application.orders.name
  environment = lowcode_application.orders.environment
}

data "lowcode_applications" "none" {
  environment = "development"
  depends_on  = [lowcode_application.orders, lowcode_application.orders_staging]
}`),
			ConfigStateChecks: checks,
		}},
	})
}
