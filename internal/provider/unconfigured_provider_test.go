package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A provider configuration whose api_key is known only after apply serves its objects with
// client.Unconfigured: a data source read at plan fails with the explanation, never a crash on
// a missing client (clientReady guarded that once; every call site now relies on Unconfigured).
func TestAccProvider_unknownAtPlan(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "key" {
  input = %q
}

provider "lowcode" {
  endpoint = %q
  api_key  = terraform_data.key.output
}

data "lowcode_applications" "all" {}
`, p.OwnerKey, p.URL),
			ExpectError: regexp.MustCompile(`(?s)provider\s+is\s+not\s+configured.*is\s+not\s+known\s+until\s+apply`),
		}},
	})
}
