package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the Terraform CLI.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"lowcode": providerserver.NewProtocol6WithError(New("test")()),
}

// accPlatform is one acceptance test's own platform server (fresh SQLite database) plus a
// client for changing things behind Terraform's back and checking what the platform holds.
type accPlatform struct {
	*platformtest.Instance
	API *client.Client
}

func newAccPlatform(t *testing.T, opts ...platformtest.Option) *accPlatform {
	t.Helper()
	inst := platformtest.Start(t, opts...)
	c, err := client.New(client.Config{Endpoint: inst.URL, APIKey: inst.OwnerKey})
	if err != nil {
		t.Fatal(err)
	}
	return &accPlatform{Instance: inst, API: c}
}

// config prefixes a configuration with the provider block pointing at this platform.
func (p *accPlatform) config(body string) string {
	return fmt.Sprintf(`
provider "lowcode" {
  endpoint = %q
  api_key  = %q
}
`, p.URL, p.OwnerKey) + body
}

// checkDestroyed asserts every resource of the given type is gone from the platform.
func checkDestroyed(resourceType string, exists func(id string) (bool, error)) func(*terraform.State) error {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			found, err := exists(rs.Primary.ID)
			if err != nil {
				return err
			}
			if found {
				return fmt.Errorf("%s %s still exists on the platform after destroy", resourceType, rs.Primary.ID)
			}
		}
		return nil
	}
}
