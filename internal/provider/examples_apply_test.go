package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// exampleProviderTF configures the provider from LOWCODE_ENDPOINT and LOWCODE_API_KEY, the way
// a newcomer who exported both would run an example that has no provider block of its own.
const exampleProviderTF = `terraform {
  required_providers {
    lowcode = { source = "lowcode-platform/lowcode" }
  }
}

provider "lowcode" {}
`

// exampleVariables are the values a user passes for the variables the examples declare.
var exampleVariables = map[string]string{
	"crm_token":          "crm-test-token",
	"crm_webhook_secret": "whsec_" + strings.Repeat("c2VjcmV0", 6),
}

// exampleDir copies an example's configuration (not its import snippets, which name ids of a
// platform that is not this one) into a fresh Terraform working directory set up for
// platform p. The endpoint the examples write out (a local platform's default address) is
// replaced by p's, as a user would point it at theirs.
func exampleDir(t *testing.T, p *accPlatform, example string, extraEnv ...string) *tfcli.Dir {
	t.Helper()
	d := tfcli.New(t)
	files, _ := filepath.Glob(filepath.Join(example, "*.tf"))
	hasProvider := false
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "import") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.ReplaceAll(string(b), "http://127.0.0.1:8080", p.URL)
		hasProvider = hasProvider || strings.Contains(src, `provider "lowcode"`)
		if err := os.WriteFile(filepath.Join(d.Path, filepath.Base(f)), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !hasProvider {
		if err := os.WriteFile(filepath.Join(d.Path, "provider_override_test.tf"), []byte(exampleProviderTF), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d.Env = append(d.Env, "LOWCODE_ENDPOINT="+p.URL, "LOWCODE_API_KEY="+p.OwnerKey, "TF_VAR_lowcode_api_key="+p.OwnerKey)
	for name, value := range exampleVariables {
		d.Env = append(d.Env, "TF_VAR_"+name+"="+value)
	}
	d.Env = append(d.Env, extraEnv...)
	return d
}

func exampleDirs(t *testing.T, kind string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "examples", kind, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples under examples/%s", kind)
	}
	return dirs
}

// TestAccExamples_resources applies every resource example on a fresh platform, as a
// newcomer who copies it would: the apply succeeds, the next plan is empty, and destroy
// leaves the platform as it found it.
func TestAccExamples_resources(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that need the Terraform CLI (make test does)")
	}
	for _, example := range exampleDirs(t, "resources") {
		t.Run(filepath.Base(example), func(t *testing.T) {
			t.Parallel()
			p := newAccPlatform(t)
			d := exampleDir(t, p, example)
			if res := d.Apply(); res.Code != 0 {
				t.Fatalf("the example does not apply on a fresh platform:\n%s", res)
			}
			d.RequireEmptyPlan()
			if res := d.Run("destroy", "-auto-approve", "-no-color"); res.Code != 0 {
				t.Fatalf("destroy failed:\n%s", res)
			}
			ctx := context.Background()
			for app, err := range p.API.ListApplications(ctx, client.ApplicationFilter{}) {
				if err != nil {
					t.Fatal(err)
				}
				t.Errorf("application %s (%s) is still on the platform after destroy", app.ID, app.Name)
			}
		})
	}
}

// exampleFixture holds the objects the data source, ephemeral resource and action examples
// look up by name: what another team's configuration would have applied.
const exampleFixture = `
resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_workflow" "order_fulfillment" {
  application_id = lowcode_application.order_management.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  trigger        = { type = "manual" }
  steps = [
    {
      name     = "check-amount"
      type     = "validate"
      validate = { expression = "amount <= 10000", message = "Amount exceeds limit" }
    },
    {
      name      = "price"
      type      = "transform"
      transform = { set = [{ field = "total", expression = "amount * 1.2" }] }
    },
  ]
}

resource "lowcode_monitoring_target" "order_fulfillment" {
  workflow_id      = lowcode_workflow.order_fulfillment.id
  min_success_rate = 99
}

resource "lowcode_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
}

resource "lowcode_role_assignment" "ada_orders_editor" {
  user_id    = lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.order_management.id
}

resource "lowcode_classification_policy" "payment_data" {
  name           = "payment-data"
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["**.card_number"]
}

resource "lowcode_custom_integration" "crm_sync" {
  name        = "crm-sync"
  code_repo   = "github.com/company/crm-sync"
  api_version = "v2"
}

resource "lowcode_webhook" "order_events" {
  application_id = lowcode_application.order_management.id
  event_types    = ["order.created"]
  callback_url   = "https://orders.example.com/webhooks/lowcode"
}

output "webhook_id" {
  value = lowcode_webhook.order_events.id
}

output "workflow_id" {
  value = lowcode_workflow.order_fulfillment.id
}
`

// TestAccExamples_readers applies every data source, ephemeral resource and (on Terraform
// 1.14+) action example against a platform that holds the objects they look up, and checks
// what some of their outputs say.
func TestAccExamples_readers(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that need the Terraform CLI (make test does)")
	}
	p := newAccPlatform(t, fastRuntime())
	fixture := tfcli.New(t)
	fixture.Env = []string{"LOWCODE_ENDPOINT=" + p.URL, "LOWCODE_API_KEY=" + p.OwnerKey}
	fixture.Write(`provider "lowcode" {}` + exampleFixture)
	fixture.Must("apply", "-auto-approve", "-no-color")
	var outputs struct {
		WebhookID  struct{ Value string } `json:"webhook_id"`
		WorkflowID struct{ Value string } `json:"workflow_id"`
	}
	if err := json.Unmarshal([]byte(fixture.Must("output", "-json").Stdout), &outputs); err != nil {
		t.Fatal(err)
	}
	input := map[string]any{"order_id": "ord-1", "amount": 250}
	exe, err := p.API.TriggerWorkflow(context.Background(), outputs.WorkflowID.Value, api.TriggerRequest{Input: &input})
	if err != nil {
		t.Fatal(err)
	}
	finishedExecutions(t, p.API, outputs.WorkflowID.Value, 1)
	ada, err := client.Collect(p.API.ListUsers(context.Background(), client.UserFilter{Email: "ada@example.com"}))
	if err != nil || len(ada) != 1 {
		t.Fatalf("the fixture's user: %v, %v", ada, err)
	}

	// The outputs some examples must show, by example directory.
	want := map[string]map[string]any{
		"lowcode_application":           {"order_management_version": "2.3.0"},
		"lowcode_custom_integration":    {"crm_sync_repository": "github.com/company/crm-sync (API v2)"},
		"lowcode_classification_policy": {"payment_data_protection": "restricted: at-rest+transit+field-level, need-to-know"},
		"lowcode_classification":        {"order_level": "restricted", "restricted_fields": []any{"customer.card_number"}},
		"lowcode_user":                  {"ada_is_active": true},
		"lowcode_workflow":              {"order_fulfillment_version": "1.5.2"},
		"lowcode_workflow_execution":    {"last_order_status": "succeeded", "last_order_failures": map[string]any{}},
		"lowcode_monitoring_target":     {"order_fulfillment_min_success_rate": float64(99)},
		"lowcode_webhook":               {"order_events_delivery": "active"},
		"lowcode_role_assignments":      {"order_editor_user_ids": []any{ada[0].ID}},
	}

	var dirs []string
	for _, kind := range []string{"data-sources", "ephemeral-resources", "actions"} {
		dirs = append(dirs, exampleDirs(t, kind)...)
	}
	for _, example := range dirs {
		name := filepath.Base(example)
		t.Run(filepath.Base(filepath.Dir(example))+"/"+name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(filepath.ToSlash(example), "/actions/") {
				tfcli.SkipUnless(t, tfcli.Actions)
			}
			d := exampleDir(t, p, example,
				"TF_VAR_order_events_webhook_id="+outputs.WebhookID.Value,
				"TF_VAR_execution_id="+exe.ExecutionID)
			if res := d.Apply(); res.Code != 0 {
				t.Fatalf("the example does not apply against a platform that holds what it looks up:\n%s", res)
			}
			d.RequireEmptyPlan()
			var got map[string]struct{ Value any }
			if err := json.Unmarshal([]byte(d.Must("output", "-json").Stdout), &got); err != nil {
				t.Fatal(err)
			}
			if name == "lowcode_workflow_trigger" {
				// The action ran after terraform_data was created, and waited for a success.
				all, err := client.Collect(p.API.ListExecutions(context.Background(), client.ExecutionFilter{WorkflowID: outputs.WorkflowID.Value}))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(all, func(e api.Execution) bool {
					return e.Input["order_id"] == "smoke-test" && e.Status == api.ExecutionStatusSucceeded
				}) {
					t.Errorf("the action's smoke test did not run: the workflow's executions are %+v", all)
				}
			}
			for output, value := range want[name] {
				gotJSON, _ := json.Marshal(got[output].Value)
				wantJSON, _ := json.Marshal(value)
				if string(gotJSON) != string(wantJSON) {
					t.Errorf("output %s = %s, want %s", output, gotJSON, wantJSON)
				}
			}
		})
	}
}
