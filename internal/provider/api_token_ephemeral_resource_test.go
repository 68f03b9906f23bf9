package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// noTokenInState fails if anything in the state looks like a platform API key or token
// (`lck_…`): ephemeral values must never be written there.
type noTokenInState struct{}

func (noTokenInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if i := strings.Index(string(raw), "lck_"); i >= 0 {
		resp.Error = fmt.Errorf("the state holds an API token (lck_…) at byte %d", i)
	}
}

// tokensAllRevoked checks the audit log: at least one API token was issued, and every token
// issued was revoked again (the ephemeral resource's Close ran).
func (p *accPlatform) tokensAllRevoked(*terraform.State) error {
	events, err := client.Collect(p.API.ListAuditEvents(context.Background(), client.AuditEventFilter{ObjectType: "api_token"}))
	if err != nil {
		return err
	}
	var created []string
	revoked := map[string]bool{}
	for _, e := range events {
		switch e.Action {
		case "create":
			created = append(created, e.ObjectID)
		case "delete":
			revoked[e.ObjectID] = true
		}
	}
	if len(created) == 0 {
		return fmt.Errorf("the audit log shows no API token issued")
	}
	for _, id := range created {
		if !revoked[id] {
			return fmt.Errorf("API token %s was issued but never revoked", id)
		}
	}
	return nil
}

// scopedFactories also serves the provider under the name lowcodescoped, for a second
// configuration that authenticates with the ephemeral token. The test harness serves each
// provider name from a single in-process server, so two configurations of one name (an
// alias) would share whichever client was configured last; real runs start one plugin process
// per configuration and do not have this problem.
var scopedFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"lowcode":       testAccProtoV6ProviderFactories["lowcode"],
	"lowcodescoped": providerserver.NewProtocol6WithError(New("test")()),
}

// reportingSetup creates two applications and a user who may read only the first, and returns
// that application and the user's id.
func reportingSetup(t *testing.T, p *accPlatform) (readable *api.Application, userID string) {
	t.Helper()
	ctx := context.Background()
	readable, err := p.API.CreateApplication(ctx, api.ApplicationInput{Name: "order-management", Environment: api.Production, Version: "2.3.0"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.API.CreateApplication(ctx, api.ApplicationInput{Name: "order-management", Environment: api.Staging, Version: "2.4.0"}); err != nil {
		t.Fatal(err)
	}
	userID, _ = p.NewUser("reporting@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: readable.ID})
	return readable, userID
}

// scopedConfig issues a viewer token (for userID, or the caller when empty) and configures the
// lowcodescoped provider with it.
func scopedConfig(p *accPlatform, userID string) string {
	user := ""
	if userID != "" {
		user = "user_id     = \"" + userID + "\""
	}
	return p.config(`
ephemeral "lowcode_api_token" "reporting" {
  description = "acceptance test: reporting"
  max_role    = "viewer"
  ttl_seconds = 600
  ` + user + `
}

provider "lowcodescoped" {
  endpoint = "` + p.URL + `"
  api_key  = ephemeral.lowcode_api_token.reporting.token
}
`)
}

func TestAccAPITokenEphemeralResource(t *testing.T) {
	p := newAccPlatform(t)
	readable, userID := reportingSetup(t, p)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.EphemeralResources)},
		ProtoV6ProviderFactories: scopedFactories,
		CheckDestroy:             p.tokensAllRevoked,
		Steps: []resource.TestStep{{
			// The token works and acts as its user: through it only the application the user
			// may read is listed, where the owner's key lists both.
			Config: scopedConfig(p, userID) + `
data "lowcode_applications" "visible" {
  provider = lowcodescoped
}

data "lowcode_applications" "all" {}
`,
			Check: p.tokensAllRevoked,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.lowcode_applications.all", tfjsonpath.New("applications"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.lowcode_applications.visible", tfjsonpath.New("applications"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":          knownvalue.StringExact(readable.ID),
						"name":        knownvalue.StringExact(readable.Name),
						"environment": knownvalue.StringExact(string(readable.Environment)),
					}),
				})),
				noTokenInState{},
			},
		}},
	})
}

// TestAccAPITokenEphemeralResource_maxRole proves the token is capped at max_role: the owner's
// own token, capped at viewer, cannot create anything. The apply fails on purpose, and
// Terraform (1.11) does not close ephemeral resources after a failed apply, so this test cannot
// ask for every token to be revoked: the last one expires by itself.
func TestAccAPITokenEphemeralResource_maxRole(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.EphemeralResources)},
		ProtoV6ProviderFactories: scopedFactories,
		Steps: []resource.TestStep{{
			Config: scopedConfig(p, "") + `
resource "lowcode_application" "refused" {
  provider    = lowcodescoped
  name        = "order-management"
  environment = "staging"
  version     = "2.3.0"
}`,
			ExpectError: regexp.MustCompile(`(?s)Error creating application.*HTTP 403 Forbidden: creating applications needs\s+the editor role`),
		}},
	})
}

// TestAccAPITokenEphemeralResource_unknownUser reads through a provider whose token is for a
// user this same run creates: at plan time that provider has no connection, and the read says
// so instead of crashing the provider.
func TestAccAPITokenEphemeralResource_unknownUser(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.EphemeralResources)},
		ProtoV6ProviderFactories: scopedFactories,
		Steps: []resource.TestStep{{
			Config: scopedConfig(p, "${lowcode_user.ci.id}") + `
resource "lowcode_user" "ci" {
  email = "ci@example.com"
}

data "lowcode_applications" "visible" {
  provider = lowcodescoped
}
`,
			ExpectError: regexp.MustCompile(`(?s)provider is not configured.*not known\s+until\s+apply`),
		}},
	})
}

// TestAccAPITokenEphemeralResource_result echoes the token's attributes other than the token
// itself into state, to check what Open returns.
func TestAccAPITokenEphemeralResource_result(t *testing.T) {
	p := newAccPlatform(t)
	userID, _ := p.NewUser("ci@example.com")
	// The echo resources hold what the provider "echo" block was given when they were created,
	// so each step has its own.
	const echo, echoOther = "echo.token", "echo.other_user"
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.EphemeralResources)},
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"lowcode": testAccProtoV6ProviderFactories["lowcode"],
			"echo":    echoprovider.NewProviderServer(),
		},
		CheckDestroy: p.tokensAllRevoked,
		Steps: []resource.TestStep{
			{
				// Defaults: the caller's user, their highest role, an hour.
				Config: p.config(`
ephemeral "lowcode_api_token" "t" {
  description = "acceptance test: defaults"
}

provider "echo" {
  data = {
    id          = ephemeral.lowcode_api_token.t.id
    user_id     = ephemeral.lowcode_api_token.t.user_id
    max_role    = ephemeral.lowcode_api_token.t.max_role
    ttl_seconds = ephemeral.lowcode_api_token.t.ttl_seconds
    expires_at  = ephemeral.lowcode_api_token.t.expires_at
  }
}

resource "echo" "token" {}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(echo, tfjsonpath.New("data").AtMapKey("id"), knownvalue.StringRegexp(regexp.MustCompile(`^tok_`))),
					statecheck.ExpectKnownValue(echo, tfjsonpath.New("data").AtMapKey("user_id"), knownvalue.StringRegexp(regexp.MustCompile(`^usr_`))),
					statecheck.ExpectKnownValue(echo, tfjsonpath.New("data").AtMapKey("max_role"), knownvalue.StringExact("owner")),
					statecheck.ExpectKnownValue(echo, tfjsonpath.New("data").AtMapKey("ttl_seconds"), knownvalue.Int64Exact(3600)),
					statecheck.ExpectKnownValue(echo, tfjsonpath.New("data").AtMapKey("expires_at"), knownvalue.NotNull()),
					noTokenInState{},
				},
			},
			{
				// A token for another user, which the owner may issue.
				Config: p.config(`
ephemeral "lowcode_api_token" "t" {
  description = "acceptance test: for ci"
  user_id     = "` + userID + `"
  max_role    = "editor"
  ttl_seconds = 120
}

provider "echo" {
  data = {
    user_id     = ephemeral.lowcode_api_token.t.user_id
    max_role    = ephemeral.lowcode_api_token.t.max_role
    ttl_seconds = ephemeral.lowcode_api_token.t.ttl_seconds
  }
}

resource "echo" "other_user" {}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(echoOther, tfjsonpath.New("data").AtMapKey("user_id"), knownvalue.StringExact(userID)),
					statecheck.ExpectKnownValue(echoOther, tfjsonpath.New("data").AtMapKey("max_role"), knownvalue.StringExact("editor")),
					statecheck.ExpectKnownValue(echoOther, tfjsonpath.New("data").AtMapKey("ttl_seconds"), knownvalue.Int64Exact(120)),
					noTokenInState{},
				},
			},
		},
	})
}

func TestAccAPITokenEphemeralResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"ttl too short", `description = "x"
  ttl_seconds = 10`, regexp.MustCompile(`(?s)Attribute ttl_seconds value must be between 60 and 7776000`)},
		{"max role", `description = "x"
  max_role = "root"`, regexp.MustCompile(`(?s)Attribute max_role value must be one of`)},
		{"description missing", `max_role = "viewer"`, regexp.MustCompile(`(?s)The argument "description" is required`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.EphemeralResources)},
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      p.config(`ephemeral "lowcode_api_token" "bad" {` + "\n  " + tc.body + "\n}"),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}
