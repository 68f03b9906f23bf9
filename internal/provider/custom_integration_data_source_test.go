package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccCustomIntegrationDataSource(t *testing.T) {
	p := newAccPlatform(t)
	const res = "lowcode_custom_integration.crm_sync"
	var checks []statecheck.StateCheck
	for _, ds := range []string{"data.lowcode_custom_integration.by_id", "data.lowcode_custom_integration.by_name"} {
		for _, attr := range []string{"id", "name", "code_repo", "api_version", "description", "created_at", "updated_at"} {
			checks = append(checks, statecheck.CompareValuePairs(res, tfjsonpath.New(attr), ds, tfjsonpath.New(attr), compare.ValuesSame()))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(seedIntegration + `
data "lowcode_custom_integration" "by_id" {
  id = lowcode_custom_integration.crm_sync.id
}

data "lowcode_custom_integration" "by_name" {
  name = lowcode_custom_integration.crm_sync.name
}`),
				ConfigStateChecks: checks,
			},
			{
				Config: p.config(`
data "lowcode_custom_integration" "missing" {
  name = "analytics-export"
}`),
				ExpectError: regexp.MustCompile(`(?s)Custom integration not found.*Expected one custom integration named\s+"analytics-export", found 0`),
			},
		},
	})
}

func TestAccCustomIntegrationDataSource_validation(t *testing.T) {
	p := newAccPlatform(t)
	exactlyOne := regexp.MustCompile(`(?s)Exactly one of these attributes must be configured: \[id,name\]`)
	expectPlanErrors(t, p, inBlock(`data "lowcode_custom_integration" "bad"`, []planErrorCase{
		{"id and name", `id   = "int_00000000000000000000000000000000"
  name = "crm-sync"`, exactlyOne},
		{"neither id nor name", ``, exactlyOne},
	}))
}
