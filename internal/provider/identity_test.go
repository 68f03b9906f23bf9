package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// oneOfEachResource is a configuration with one object of every resource type.
const oneOfEachResource = `
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_workflow" "fulfillment" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  trigger        = { type = "manual" }
  steps = [{
    name     = "check-amount"
    type     = "validate"
    validate = { expression = "amount <= 10000", message = "Amount exceeds limit" }
  }]
}

resource "lowcode_monitoring_target" "fulfillment" {
  workflow_id      = lowcode_workflow.fulfillment.id
  min_success_rate = 99
}

resource "lowcode_webhook" "orders" {
  application_id = lowcode_application.orders.id
  event_types    = ["order.created"]
  callback_url   = "https://orders.example.com/webhooks/lowcode"
}

resource "lowcode_user" "ada" {
  email = "ada@example.com"
}

resource "lowcode_role_assignment" "ada_orders" {
  user_id    = lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.orders.id
}

resource "lowcode_classification_policy" "cards" {
  name           = "payment-cards"
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["card_number"]
}

resource "lowcode_custom_integration" "crm" {
  name        = "crm-sync"
  code_repo   = "github.com/company/crm-sync"
  api_version = "v2"
}
`

// Every resource has an identity, its id, which Terraform 1.12+ stores beside the state and
// an import block can name. The CLI in CI is older, so this test drives the protocol as
// Terraform 1.15 would: for every resource in state, import by identity, then read, on a
// state without an identity as written before this provider had them.
func TestAccResourceIdentity_protocol(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(oneOfEachResource),
			Check: func(s *terraform.State) error {
				checkIdentitiesByProtocol(t, newProtoProvider(t, p), s)
				return nil
			},
		}},
	})
}

func checkIdentitiesByProtocol(t *testing.T, pp *protoProvider, s *terraform.State) {
	t.Helper()
	ctx := context.Background()
	ids, err := pp.srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pp.noErrors("GetResourceIdentitySchemas", ids.Diagnostics)
	var types []string
	for typeName := range pp.schemas.ResourceSchemas {
		types = append(types, typeName)
		is := ids.IdentitySchemas[typeName]
		if is == nil || len(is.IdentityAttributes) != 1 || is.IdentityAttributes[0].Name != "id" || !is.IdentityAttributes[0].RequiredForImport {
			t.Errorf("%s: identity schema %+v, want one attribute id, required for import", typeName, is)
		}
	}
	sort.Strings(types)

	seen := map[string]bool{}
	for _, rs := range s.RootModule().Resources {
		typeName, id := rs.Type, rs.Primary.ID
		seen[typeName] = true
		stateType := pp.schemas.ResourceSchemas[typeName].ValueType()
		identityType := ids.IdentitySchemas[typeName].ValueType()
		identity := pp.value(identityType, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, id)})

		imp, err := pp.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
			TypeName: typeName, Identity: &tfprotov6.ResourceIdentityData{IdentityData: identity},
			ClientCapabilities: &tfprotov6.ImportResourceStateClientCapabilities{DeferralAllowed: false},
		})
		if err != nil {
			t.Fatal(err)
		}
		pp.noErrors("ImportResourceState "+typeName, imp.Diagnostics)
		if len(imp.ImportedResources) != 1 {
			t.Fatalf("%s: imported %d resources", typeName, len(imp.ImportedResources))
		}
		if got := pp.str(pp.attributes(stateType, imp.ImportedResources[0].State), "id"); got != id {
			t.Errorf("%s: imported by identity %s, state has id %s", typeName, id, got)
		}

		// A read of the imported state without an identity (state from before identities)
		// refreshes every attribute and returns the identity.
		read, err := pp.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: imp.ImportedResources[0].State})
		if err != nil {
			t.Fatal(err)
		}
		pp.noErrors("ReadResource "+typeName, read.Diagnostics)
		state := pp.attributes(stateType, read.NewState)
		if pp.str(state, "id") != id || pp.str(state, "etag") != rs.Primary.Attributes["etag"] {
			t.Errorf("%s: read after import: id %s etag %s, want %s %s", typeName, pp.str(state, "id"), pp.str(state, "etag"), id, rs.Primary.Attributes["etag"])
		}
		if read.NewIdentity == nil {
			t.Fatalf("%s: read returned no identity", typeName)
		}
		if got := pp.str(pp.attributes(identityType, read.NewIdentity.IdentityData), "id"); got != id {
			t.Errorf("%s: identity after read is %s, want %s", typeName, got, id)
		}
	}
	for _, typeName := range types {
		if !seen[typeName] {
			t.Errorf("the configuration has no %s: add one so its identity is tested", typeName)
		}
	}
}

// With Terraform 1.12+, each resource records its identity and imports from an import block
// that names the identity instead of the id.
func TestAccResourceIdentity_importBlock(t *testing.T) {
	p := newAccPlatform(t)
	addresses := []string{
		"lowcode_application.orders", "lowcode_workflow.fulfillment", "lowcode_monitoring_target.fulfillment",
		"lowcode_webhook.orders", "lowcode_user.ada", "lowcode_role_assignment.ada_orders",
		"lowcode_classification_policy.cards", "lowcode_custom_integration.crm",
	}
	var identityChecks []statecheck.StateCheck
	for _, addr := range addresses {
		identityChecks = append(identityChecks, statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"id": knownvalue.StringRegexp(idPattern(addr)),
		}))
	}
	steps := []resource.TestStep{{Config: p.config(oneOfEachResource), ConfigStateChecks: identityChecks}}
	for _, addr := range addresses {
		steps = append(steps, resource.TestStep{
			Config:          p.config(oneOfEachResource),
			ResourceName:    addr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.ResourceIdentity)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// idPattern is the shape of the ids of the resource at addr. A monitoring target is its
// workflow's: its id is the workflow id.
func idPattern(addr string) *regexp.Regexp {
	prefix := map[string]string{
		"lowcode_application": "app", "lowcode_workflow": "wf", "lowcode_monitoring_target": "wf",
		"lowcode_webhook": "whk", "lowcode_user": "usr", "lowcode_role_assignment": "ra",
		"lowcode_classification_policy": "cls", "lowcode_custom_integration": "int",
	}[strings.Split(addr, ".")[0]]
	return regexp.MustCompile(fmt.Sprintf(`^%s_[0-9a-f]{32}$`, prefix))
}

// A resource deleted outside Terraform leaves the state with a warning that says so, for
// every resource type.
func TestReadOfDeletedObjectWarns(t *testing.T) {
	t.Parallel()
	pp := newProtoProvider(t, newAccPlatform(t))
	cases := []struct{ typeName, id, kind string }{
		{"lowcode_application", "app_", "application"},
		{"lowcode_workflow", "wf_", "workflow"},
		{"lowcode_webhook", "whk_", "webhook"},
		{"lowcode_user", "usr_", "user"},
		{"lowcode_role_assignment", "ra_", "role assignment"},
		{"lowcode_classification_policy", "cls_", "classification policy"},
		{"lowcode_custom_integration", "int_", "custom integration"},
		{"lowcode_monitoring_target", "wf_", "monitoring target (or its workflow)"},
	}
	for _, tc := range cases {
		t.Run(tc.typeName, func(t *testing.T) {
			id := tc.id + strings.Repeat("0", 32)
			state := pp.value(pp.schemas.ResourceSchemas[tc.typeName].ValueType(),
				map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, id)})
			read, err := pp.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: tc.typeName, CurrentState: state})
			if err != nil {
				t.Fatal(err)
			}
			if len(read.Diagnostics) != 1 || read.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
				read.Diagnostics[0].Summary != "The "+tc.kind+" "+id+" no longer exists" ||
				!strings.Contains(read.Diagnostics[0].Detail, "deleted outside Terraform") {
				t.Fatalf("diagnostics: %+v", read.Diagnostics)
			}
			if st, err := read.NewState.Unmarshal(pp.schemas.ResourceSchemas[tc.typeName].ValueType()); err != nil || !st.IsNull() {
				t.Errorf("the state after the read is %v (%v), want null: removed", st, err)
			}
		})
	}
}
