package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

// For every resource type, an object made through the API with every optional field set, and
// edge values (non-ASCII text at the length limits, empty collections), imports with
// `-generate-config-out`, and the plan with the generated configuration shows no changes.
// Write-only attributes (a webhook's secret_wo) cannot be read back, so they are not in the
// generated configuration; the docs say so. Needs import blocks and config generation
// (Terraform 1.5+, OpenTofu 1.6+): skipped by capability on older CLIs.
func TestAccGeneratedConfig_plansClean(t *testing.T) {
	p := newAccPlatform(t)
	ctx := context.Background()
	text := func(n int) string { return strings.Repeat("注", n) }
	desc := text(fields.DescriptionMax)
	must := func(id string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	idOf := func(f func() (string, error)) string { return must(f()) }

	app := idOf(func() (string, error) {
		a, err := p.API.CreateApplication(ctx, api.ApplicationInput{Name: "order-management", Environment: api.Staging, Version: "2.3.0-rc.1+build.5",
			Description: &desc, Labels: &api.Labels{"team": text(fields.LabelValueMax), "cost-center": ""}})
		if err != nil {
			return "", err
		}
		return a.ID, nil
	})
	bare := idOf(func() (string, error) {
		a, err := p.API.CreateApplication(ctx, api.ApplicationInput{Name: "bare", Environment: api.Development, Version: "0.0.1", Labels: &api.Labels{}})
		if err != nil {
			return "", err
		}
		return a.ID, nil
	})
	wf := idOf(func() (string, error) {
		w, err := p.API.CreateWorkflow(ctx, api.WorkflowInput{ApplicationID: app, Name: "order-fulfillment", Version: "1.5.2", Description: &desc,
			Enabled: new(false), Trigger: api.WorkflowTrigger{Type: api.TriggerTypeSchedule, Cron: new("*/5 * * * *")},
			Steps: []api.WorkflowStep{
				{Name: "check-amount", Type: api.Validate, Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: text(fields.DescriptionMax)}},
				{Name: "enrich", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "order.total", Expression: "amount * 2"}}}},
				{Name: "crm", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: "https://crm.example.com/orders", Body: new("order"),
					ResultField: new("crm_result"), TimeoutMs: new(5000), Headers: &map[string]string{}}},
				{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.checked", Data: new("order")}},
			}})
		if err != nil {
			return "", err
		}
		return w.ID, nil
	})
	hook := idOf(func() (string, error) {
		w, err := p.API.CreateWebhook(ctx, api.WebhookInput{ApplicationID: &app, EventTypes: []string{"order.created", "customer.updated"},
			CallbackURL: "https://orders.example.com/webhooks/lowcode", Active: new(false), Description: &desc})
		if err != nil {
			return "", err
		}
		return w.ID, nil
	})
	user := idOf(func() (string, error) {
		u, err := p.API.CreateUser(ctx, api.UserInput{Email: "ada@example.com", DisplayName: new(text(fields.DisplayNameMax))})
		if err != nil {
			return "", err
		}
		return u.ID, nil
	})
	grant := idOf(func() (string, error) {
		ra, err := p.API.CreateRoleAssignment(ctx, api.RoleAssignmentInput{UserID: user, Role: api.Editor, Scope: api.Scope{Type: api.ScopeTypeApplication, ID: &app}})
		if err != nil {
			return "", err
		}
		return ra.ID, nil
	})
	policy := idOf(func() (string, error) {
		c, err := p.API.CreateClassificationPolicy(ctx, api.ClassificationPolicyInput{Name: "payment-cards", Level: api.Restricted,
			Encryption: "at-rest+transit+field-level", Access: api.NeedToKnow, FieldPatterns: []string{"**.card_number", "payment.*"},
			Description: &desc, ApplicationID: &app})
		if err != nil {
			return "", err
		}
		return c.ID, nil
	})
	integration := idOf(func() (string, error) {
		in, err := p.API.CreateIntegration(ctx, api.IntegrationInput{Name: "crm-sync", CodeRepo: "github.com/company/crm-sync", APIVersion: "v2", Description: &desc})
		if err != nil {
			return "", err
		}
		return in.ID, nil
	})
	idOf(func() (string, error) {
		mt, err := p.API.PutMonitoringTarget(ctx, wf, "", api.MonitoringTargetInput{MinSuccessRate: new(99.5), MaxErrorRate: new(0.5),
			MaxAvgDurationMs: new(int64(1500)), MaxP99LatencyMs: new(int64(4000)), Alerts: new(false)})
		if err != nil {
			return "", err
		}
		return mt.WorkflowID, nil
	})

	cases := []struct{ resourceType, id string }{
		{"lowcode_application", app},
		{"lowcode_application", bare},
		{"lowcode_workflow", wf},
		{"lowcode_webhook", hook},
		{"lowcode_user", user},
		{"lowcode_role_assignment", grant},
		{"lowcode_classification_policy", policy},
		{"lowcode_custom_integration", integration},
		{"lowcode_monitoring_target", wf},
	}
	for _, tc := range cases {
		t.Run(tc.resourceType+"/"+tc.id, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				Steps: []resource.TestStep{{
					Config:            p.config(""),
					ResourceName:      tc.resourceType + ".imported",
					ImportState:       true,
					ImportStateKind:   resource.ImportBlockWithID,
					ImportStateIdFunc: func(*terraform.State) (string, error) { return tc.id, nil },
					GenerateConfig:    true,
				}},
			})
		})
	}
}
