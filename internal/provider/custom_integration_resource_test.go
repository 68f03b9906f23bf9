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

// seedIntegration is the seed document's custom integration.
const seedIntegration = `
resource "lowcode_custom_integration" "crm_sync" {
  name        = "crm-sync"
  code_repo   = "github.com/company/crm-sync"
  api_version = "v2"
}
`

func TestAccCustomIntegrationResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const addr = "lowcode_custom_integration.crm_sync"
	updated := `
resource "lowcode_custom_integration" "crm_sync" {
  name        = "crm-sync"
  code_repo   = "https://gitlab.example.com/company/integrations/crm-sync.git"
  api_version = "v3"
  description = "Keeps the CRM's customers in step with order management"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_custom_integration", existsOnPlatform(p.API.GetIntegration)),
		Steps: []resource.TestStep{
			{
				Config: p.config(seedIntegration),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^int_[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("crm-sync")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("code_repo"), knownvalue.StringExact("github.com/company/crm-sync")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("api_version"), knownvalue.StringExact("v2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("code_repo"), knownvalue.StringExact("https://gitlab.example.com/company/integrations/crm-sync.git")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("api_version"), knownvalue.StringExact("v3")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Keeps the CRM's customers in step with order management")),
				},
			},
			{
				Config:           p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccCustomIntegrationResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps("lowcode_custom_integration.crm_sync", p.config(seedIntegration),
			func(id string) {
				if _, err := p.API.PatchIntegration(context.Background(), id, "", api.IntegrationPatch{APIVersion: new("v3")}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteIntegration(context.Background(), id, ""); err != nil {
					t.Fatal(err)
				}
			}),
	})
}

// TestAccCustomIntegrationResource_nameTaken shows the platform's conflict with its advice.
func TestAccCustomIntegrationResource_nameTaken(t *testing.T) {
	p := newAccPlatform(t)
	if _, err := p.API.CreateIntegration(context.Background(), api.IntegrationInput{Name: "crm-sync",
		CodeRepo: "github.com/company/crm-sync", APIVersion: "v2"}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      p.config(seedIntegration),
			ExpectError: regexp.MustCompile(`(?s)Error creating custom integration.*custom integration crm-sync: HTTP 409 Conflict.*terraform\s+import`),
		}},
	})
}

func TestAccCustomIntegrationResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	body := func(name, repo, version string) string {
		return `name = "` + name + `"
  code_repo = "` + repo + `"
  api_version = "` + version + `"`
	}
	expectPlanErrors(t, p, inBlock(`resource "lowcode_custom_integration" "bad"`, []planErrorCase{
		{"api version without v", body("crm-sync", "github.com/company/crm-sync", "2"),
			regexp.MustCompile(`(?s)Attribute api_version must be v and a number without leading zeros`)},
		{"api version with minor", body("crm-sync", "github.com/company/crm-sync", "v2.1"),
			regexp.MustCompile(`(?s)Attribute api_version must be v and a number`)},
		{"api version leading zero", body("crm-sync", "github.com/company/crm-sync", "v02"),
			regexp.MustCompile(`(?s)Attribute api_version must be v and a number`)},
		{"repo without owner", body("crm-sync", "github.com/crm-sync", "v2"),
			regexp.MustCompile(`(?s)"github.com/crm-sync" is not a repository location`)},
		{"repo with spaces", body("crm-sync", "github.com/company/crm sync", "v2"),
			regexp.MustCompile(`(?s)contains spaces`)},
		{"repo scheme", body("crm-sync", "ftp://example.com/company/crm-sync", "v2"),
			regexp.MustCompile(`(?s)is not a repository URL git can\s+clone`)},
		{"repo password", body("crm-sync", "https://bot:hunter2@github.com/company/crm-sync", "v2"),
			regexp.MustCompile(`(?s)The repository URL carries a password`)},
		{"name", body("crm sync", "github.com/company/crm-sync", "v2"),
			regexp.MustCompile(`(?s)Attribute name must be 1-100 letters`)},
	}))
}
