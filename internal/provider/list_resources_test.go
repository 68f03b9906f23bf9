package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

const stagingApplication = `
resource "lowcode_application" "orders_staging" {
  name        = "order-management"
  environment = "staging"
  version     = "2.4.0-rc1"
}
`

// listed is one list result, decoded.
type listed struct {
	display  string
	identity string
	state    map[string]tftypes.Value
}

func (pp *protoProvider) list(typeName string, filters map[string]tftypes.Value, limit int64) ([]listed, []*tfprotov6.Diagnostic) {
	pp.t.Helper()
	ctx := context.Background()
	ids, err := pp.srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		pp.t.Fatal(err)
	}
	stream, err := pp.listServer().ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName: typeName, IncludeResource: true, Limit: limit,
		Config: pp.value(pp.schemas.ListResourceSchemas[typeName].ValueType(), filters),
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	var out []listed
	var diags []*tfprotov6.Diagnostic
	for r := range stream.Results {
		diags = append(diags, r.Diagnostics...)
		if r.Identity == nil {
			continue
		}
		l := listed{display: r.DisplayName}
		l.identity = pp.str(pp.attributes(ids.IdentitySchemas[typeName].ValueType(), r.Identity.IdentityData), "id")
		if r.Resource != nil {
			l.state = pp.attributes(pp.schemas.ResourceSchemas[typeName].ValueType(), r.Resource)
		}
		out = append(out, l)
	}
	return out, diags
}

// listServer is the provider's list-resource half of the protocol, which terraform-plugin-go
// does not compose into ProviderServer yet.
func (pp *protoProvider) listServer() tfprotov6.ListResourceServer {
	pp.t.Helper()
	ls, ok := pp.srv.(tfprotov6.ListResourceServer)
	if !ok {
		pp.t.Fatal("the provider server does not serve list resources")
	}
	return ls
}

// Every listable resource type finds what exists, with the objects' full state, so `terraform
// query` can generate the configuration to import them; filters narrow the list as the API's
// do; a bad filter is a validation error. Driven through the protocol, as Terraform 1.14 would.
func TestAccListResources_protocol(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(oneOfEachResource + stagingApplication),
			Check: func(s *terraform.State) error {
				checkListsByProtocol(t, newProtoProvider(t, p), s)
				return nil
			},
		}},
	})
}

func checkListsByProtocol(t *testing.T, pp *protoProvider, s *terraform.State) {
	t.Helper()
	inState := map[string]map[string]*terraform.ResourceState{} // type → id → resource
	for _, rs := range s.RootModule().Resources {
		if inState[rs.Type] == nil {
			inState[rs.Type] = map[string]*terraform.ResourceState{}
		}
		inState[rs.Type][rs.Primary.ID] = rs
	}
	if len(pp.schemas.ListResourceSchemas) != len(pp.schemas.ResourceSchemas)-1 {
		t.Errorf("%d list resources for %d resources; every resource but lowcode_monitoring_target should have one",
			len(pp.schemas.ListResourceSchemas), len(pp.schemas.ResourceSchemas))
	}
	for typeName := range pp.schemas.ListResourceSchemas {
		found, diags := pp.list(typeName, nil, 0)
		pp.noErrors("ListResource "+typeName, diags)
		want := inState[typeName]
		extra := 0
		if typeName == "lowcode_user" || typeName == "lowcode_role_assignment" {
			extra = 1 // the platform's owner, who runs the test, and their grant
		}
		if len(found) != len(want)+extra {
			t.Errorf("%s: listed %d objects, Terraform created %d (and %d more exist)", typeName, len(found), len(want), extra)
		}
		for _, l := range found {
			if pp.str(l.state, "id") != l.identity || l.display == "" {
				t.Errorf("%s: result %q has identity %s and state id %s", typeName, l.display, l.identity, pp.str(l.state, "id"))
			}
			if rs, ok := want[l.identity]; ok && pp.str(l.state, "etag") != rs.Primary.Attributes["etag"] {
				t.Errorf("%s %s: listed etag %s, state has %s", typeName, l.identity, pp.str(l.state, "etag"), rs.Primary.Attributes["etag"])
			}
		}
	}

	staging, diags := pp.list("lowcode_application", map[string]tftypes.Value{"environment": tftypes.NewValue(tftypes.String, "staging")}, 0)
	pp.noErrors("ListResource with a filter", diags)
	if len(staging) != 1 || pp.str(staging[0].state, "version") != "2.4.0-rc1" || staging[0].display != "order-management (staging, 2.4.0-rc1)" {
		t.Errorf("the staging applications: %+v", staging)
	}
	if limited, _ := pp.list("lowcode_application", nil, 1); len(limited) != 1 {
		t.Errorf("a limit of 1 listed %d", len(limited))
	}

	ctx := context.Background()
	v, err := pp.listServer().ValidateListResourceConfig(ctx, &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: "lowcode_application",
		Config: pp.value(pp.schemas.ListResourceSchemas["lowcode_application"].ValueType(),
			map[string]tftypes.Value{"environment": tftypes.NewValue(tftypes.String, "prod")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Diagnostics) != 1 || !regexp.MustCompile(`development, staging|"development"`).MatchString(v.Diagnostics[0].Detail) {
		t.Errorf("environment = \"prod\": %+v, want one error naming the environments", v.Diagnostics)
	}
}

// With Terraform 1.14+, `terraform query` lists what exists through list blocks.
func TestAccListResources_query(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.ListResources)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: p.config(oneOfEachResource + stagingApplication)},
			{
				Query: true,
				// The query step keeps the previous step's configuration (and provider block) and
				// adds these list blocks.
				Config: `
list "lowcode_application" "staging" {
  provider         = lowcode
  include_resource = true
  config {
    environment = "staging"
  }
}

list "lowcode_workflow" "all" {
  provider = lowcode
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("lowcode_application.staging", 1),
					querycheck.ExpectResourceDisplayName("lowcode_application.staging",
						queryfilter.ByDisplayName(knownvalue.StringExact("order-management (staging, 2.4.0-rc1)")),
						knownvalue.StringExact("order-management (staging, 2.4.0-rc1)")),
					querycheck.ExpectResourceKnownValues("lowcode_application.staging",
						queryfilter.ByDisplayName(knownvalue.StringExact("order-management (staging, 2.4.0-rc1)")),
						[]querycheck.KnownValueCheck{{Path: tfjsonpath.New("version"), KnownValue: knownvalue.StringExact("2.4.0-rc1")}}),
					querycheck.ExpectLength("lowcode_workflow.all", 1),
					querycheck.ExpectIdentity("lowcode_workflow.all", map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^wf_[0-9a-f]{32}$`)),
					}),
				},
			},
		},
	})
}
