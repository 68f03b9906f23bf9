package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
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

// A provider that cannot be used says so once, at configure time, naming the setting and its
// environment variable.
func TestAccProvider_configureErrors(t *testing.T) {
	p := newAccPlatform(t)
	t.Setenv(EnvEndpoint, "")
	t.Setenv(EnvAPIKey, "")
	notPlatform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>a web server, not the platform</html>"))
	}))
	t.Cleanup(notPlatform.Close)
	cases := []struct {
		name, provider string
		want           string
	}{
		{"no endpoint", `api_key = "lck_x"`,
			`Missing platform endpoint.*Set .endpoint. in the provider block or the LOWCODE_ENDPOINT environment variable`},
		{"no api key", fmt.Sprintf(`endpoint = %q`, p.URL),
			`Missing platform API key.*Set .api_key. in the provider block or the LOWCODE_API_KEY environment variable`},
		{"not a URL", `endpoint = "127.0.0.1:8080"
  api_key = "lck_x"`, `Invalid platform endpoint.*Check .endpoint. or LOWCODE_ENDPOINT`},
		{"nothing listens there", `endpoint = "http://127.0.0.1:1"
  api_key = "lck_x"
  max_retries = 0`, `Cannot use the platform.*cannot reach the platform API at http://127.0.0.1:1.*Check the provider's .endpoint. setting \(or LOWCODE_ENDPOINT\)`},
		{"rejected key", fmt.Sprintf(`endpoint = %q
  api_key = "lck_not_a_key"`, p.URL), `Cannot use the platform.*rejected the API key.*Check the provider's .api_key. setting \(or LOWCODE_API_KEY\)`},
		{"another server", fmt.Sprintf(`endpoint = %q
  api_key = "lck_x"`, notPlatform.URL), `answered, but not like the platform API.*Check the provider's .endpoint. setting \(or LOWCODE_ENDPOINT\)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: `provider "lowcode" {
  ` + tc.provider + `
}

data "lowcode_applications" "all" {}
`,
					// The CLI wraps diagnostics: any space may have become a line break.
					ExpectError: regexp.MustCompile(`(?s)` + strings.ReplaceAll(tc.want, " ", `\s+`)),
				}},
			})
		})
	}
}
