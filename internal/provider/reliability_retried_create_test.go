package provider

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"regexp"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/faultproxy"
)

// Prerequisites of the resources under test. Only the resource under test has its create
// dropped; these are created through the proxy untouched.
const (
	retriedApplication = `
resource "lowcode_application" "prereq" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}
`
	retriedWorkflow = retriedApplication + `
resource "lowcode_workflow" "prereq" {
  application_id = lowcode_application.prereq.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  trigger        = { type = "manual" }
  steps          = [{ name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } }]
}
`
	retriedUser = `
resource "lowcode_user" "prereq" {
  email = "ada@example.com"
}
`
)

// platformObject is one object the platform holds: its id and the natural key the test
// configured (name, email, callback URL, role, monitored workflow).
type platformObject struct{ ID, Key string }

// TestAccReliability_retriedCreate drops the connection of each resource type's first create
// right after the platform committed it, so the provider never sees the answer and retries.
// The retry carries the same Idempotency-Key, so the platform must replay the first result:
// the apply succeeds, the platform holds exactly one object (the one in state, with the
// configured name), its audit log records one create, and the next plan is empty.
// TestAccReliability_faultyNetwork covers the same statistically for four types; this covers
// every type, deterministically.
func TestAccReliability_retriedCreate(t *testing.T) {
	cases := createCases()

	for _, tc := range cases {
		t.Run(tc.resourceType, func(t *testing.T) {
			p := newAccPlatform(t)
			// Decide is called one request at a time, so dropped needs no lock.
			dropped := false
			proxy := faultproxy.Start(t, p.URL, faultproxy.Config{
				Decide: func(_ int, r *http.Request) (faultproxy.Fault, bool) {
					if dropped || r.Method != tc.method || !tc.path.MatchString(r.URL.Path) {
						return faultproxy.Pass, true
					}
					dropped = true
					return faultproxy.DropAfterCommit, true
				},
			})
			config := fmt.Sprintf(`
provider "lowcode" {
  endpoint = %q
  api_key  = %q
}
`, proxy.URL, p.OwnerKey) + tc.config
			addr := tc.resourceType + ".under_test"

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.NotNull()),
							tc.keyCheck,
							retriedOnce{proxy: proxy},
							heldOnce{addr: addr, keyAttr: tc.keyAttr, auditType: tc.auditType, api: p.API, list: tc.list},
						},
					},
					{
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
			t.Logf("proxy: %s", proxy.Stats())
		})
	}
}

// createCase is one resource type whose create the fault proxy interferes with: the
// resource under test is <resourceType>.under_test.
type createCase struct {
	// resourceType is also the subtest's name; the resource under test is
	// <resourceType>.under_test.
	resourceType string
	// method and path are the create whose first attempt is dropped.
	method string
	path   *regexp.Regexp
	// config is the prerequisites and the resource under test.
	config string
	// keyAttr is the attribute holding the natural key, which keyCheck asserts in state.
	keyAttr  string
	keyCheck statecheck.StateCheck
	// auditType is the object type in the platform's audit log.
	auditType string
	// list is every object of the type on the platform, but those it bootstrapped.
	list func(context.Context, *client.Client) ([]platformObject, error)
}

// createCases are the eight resource types, each with its prerequisites.
func createCases() []createCase {
	return []createCase{
		{
			resourceType: "lowcode_application",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/applications$`),
			config: `
resource "lowcode_application" "under_test" {
  name        = "retried-application"
  environment = "production"
  version     = "1.0.0"
}
`,
			keyAttr:   "name",
			keyCheck:  expectUnderTest("lowcode_application", "name", "retried-application"),
			auditType: "application",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				return collect(c.ListApplications(ctx, client.ApplicationFilter{}), func(a api.Application) (platformObject, bool) {
					return platformObject{a.ID, a.Name}, true
				})
			},
		},
		{
			resourceType: "lowcode_workflow",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/workflows$`),
			config: retriedApplication + `
resource "lowcode_workflow" "under_test" {
  application_id = lowcode_application.prereq.id
  name           = "retried-workflow"
  version        = "1.0.0"
  trigger        = { type = "manual" }
  steps          = [{ name = "check", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } }]
}
`,
			keyAttr:   "name",
			keyCheck:  expectUnderTest("lowcode_workflow", "name", "retried-workflow"),
			auditType: "workflow",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				return collect(c.ListWorkflows(ctx, client.WorkflowFilter{}), func(w api.Workflow) (platformObject, bool) {
					return platformObject{w.ID, w.Name}, true
				})
			},
		},
		{
			// Webhooks have no unique natural key on the platform, so a create repeated
			// without its Idempotency-Key would make a second one rather than fail.
			resourceType: "lowcode_webhook",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/webhooks$`),
			config: retriedApplication + `
resource "lowcode_webhook" "under_test" {
  application_id = lowcode_application.prereq.id
  event_types    = ["order.created"]
  callback_url   = "https://hooks.example.com/retried-webhook"
}
`,
			keyAttr:   "callback_url",
			keyCheck:  expectUnderTest("lowcode_webhook", "callback_url", "https://hooks.example.com/retried-webhook"),
			auditType: "webhook",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				return collect(c.ListWebhooks(ctx, client.WebhookFilter{}), func(w api.Webhook) (platformObject, bool) {
					return platformObject{w.ID, w.CallbackURL}, true
				})
			},
		},
		{
			resourceType: "lowcode_user",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/users$`),
			config: `
resource "lowcode_user" "under_test" {
  email        = "retried-user@example.com"
  display_name = "Retried User"
}
`,
			keyAttr:   "email",
			keyCheck:  expectUnderTest("lowcode_user", "email", "retried-user@example.com"),
			auditType: "user",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				return collect(c.ListUsers(ctx, client.UserFilter{}), func(u api.User) (platformObject, bool) {
					return platformObject{u.ID, u.Email}, u.Email != platform.BootstrapEmail
				})
			},
		},
		{
			resourceType: "lowcode_role_assignment",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/role-assignments$`),
			config: retriedUser + retriedApplication + `
resource "lowcode_role_assignment" "under_test" {
  user_id    = lowcode_user.prereq.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.prereq.id
}
`,
			keyAttr:   "role",
			keyCheck:  expectUnderTest("lowcode_role_assignment", "role", "editor"),
			auditType: "role_assignment",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				owner, err := bootstrapOwnerID(ctx, c)
				if err != nil {
					return nil, err
				}
				return collect(c.ListRoleAssignments(ctx, client.RoleAssignmentFilter{}), func(ra api.RoleAssignment) (platformObject, bool) {
					return platformObject{ra.ID, string(ra.Role)}, ra.UserID != owner
				})
			},
		},
		{
			resourceType: "lowcode_classification_policy",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/classification-policies$`),
			config: `
resource "lowcode_classification_policy" "under_test" {
  name           = "retried-policy"
  level          = "confidential"
  encryption     = "at-rest+transit"
  access         = "role-based"
  field_patterns = ["customer.email"]
}
`,
			keyAttr:   "name",
			keyCheck:  expectUnderTest("lowcode_classification_policy", "name", "retried-policy"),
			auditType: "classification_policy",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				return collect(c.ListClassificationPolicies(ctx, client.ClassificationPolicyFilter{}), func(cp api.ClassificationPolicy) (platformObject, bool) {
					return platformObject{cp.ID, cp.Name}, true
				})
			},
		},
		{
			resourceType: "lowcode_custom_integration",
			method:       http.MethodPost,
			path:         regexp.MustCompile(`^/api/v1/integrations$`),
			config: `
resource "lowcode_custom_integration" "under_test" {
  name        = "retried-integration"
  code_repo   = "github.com/company/retried-integration"
  api_version = "v2"
}
`,
			keyAttr:   "name",
			keyCheck:  expectUnderTest("lowcode_custom_integration", "name", "retried-integration"),
			auditType: "integration",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				return collect(c.ListIntegrations(ctx, client.IntegrationFilter{}), func(in api.Integration) (platformObject, bool) {
					return platformObject{in.ID, in.Name}, true
				})
			},
		},
		{
			// A monitoring target is created with a PUT, which replaces: repeated without
			// its Idempotency-Key it still leaves one target, but as a create and an update,
			// which the audit check catches.
			resourceType: "lowcode_monitoring_target",
			method:       http.MethodPut,
			path:         regexp.MustCompile(`^/api/v1/workflows/[^/]+/monitoring-target$`),
			config: retriedWorkflow + `
resource "lowcode_monitoring_target" "under_test" {
  workflow_id      = lowcode_workflow.prereq.id
  min_success_rate = 99
  max_error_rate   = 0.5
}
`,
			keyAttr: "workflow_id",
			keyCheck: statecheck.CompareValuePairs("lowcode_monitoring_target.under_test", tfjsonpath.New("workflow_id"),
				"lowcode_workflow.prereq", tfjsonpath.New("id"), compare.ValuesSame()),
			auditType: "monitoring_target",
			list: func(ctx context.Context, c *client.Client) ([]platformObject, error) {
				var out []platformObject
				for w, err := range c.ListWorkflows(ctx, client.WorkflowFilter{}) {
					if err != nil {
						return nil, err
					}
					mt, err := c.GetMonitoringTarget(ctx, w.ID)
					if errors.Is(err, client.ErrNotFound) {
						continue
					}
					if err != nil {
						return nil, err
					}
					out = append(out, platformObject{mt.WorkflowID, mt.WorkflowID})
				}
				return out, nil
			},
		},
	}
}

// expectUnderTest asserts the configured natural key of <resourceType>.under_test in state.
func expectUnderTest(resourceType, attr, value string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(resourceType+".under_test", tfjsonpath.New(attr), knownvalue.StringExact(value))
}

// retriedOnce checks that the proxy dropped exactly one request, the create under test, and
// that the platform answered its retry from the idempotency record.
type retriedOnce struct{ proxy *faultproxy.Proxy }

func (c retriedOnce) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if st := c.proxy.Stats(); st.Faults() != 1 || st.Dropped != 1 || st.Replayed != 1 {
		resp.Error = fmt.Errorf("want one connection dropped after commit and its retry replayed; the proxy saw %s", st)
	}
}

// heldOnce checks, asking the platform directly rather than through the proxy, that it holds
// exactly one object of the type, the one in state at addr with the key in state, and that
// its audit log records that object's create as the only write to the type.
type heldOnce struct {
	addr, keyAttr, auditType string
	api                      *client.Client
	list                     func(context.Context, *client.Client) ([]platformObject, error)
}

func (c heldOnce) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check(ctx, req.State)
}

func (c heldOnce) check(ctx context.Context, state *tfjson.State) error {
	id, err := onlyObject(ctx, state, c.addr, c.keyAttr, c.api, c.list)
	if err != nil {
		return err
	}
	// A create repeated without its Idempotency-Key could also leave one object (a PUT
	// replaces), but the audit log would show two writes.
	var writes []string
	for e, err := range c.api.ListAuditEvents(ctx, client.AuditEventFilter{ObjectType: c.auditType}) {
		if err != nil {
			return fmt.Errorf("listing the audit log: %w", err)
		}
		if e.ActorID != "system" { // the bootstrap's owner and grant
			writes = append(writes, e.Action+" "+e.ObjectID)
		}
	}
	if want := "create " + id; len(writes) != 1 || writes[0] != want {
		return fmt.Errorf("the audit log records %v for %s objects; want only %q", writes, c.auditType, want)
	}
	return nil
}

// heldOne checks, asking the platform directly, that it holds exactly one object of the type:
// the one in state at addr, with the key in state.
type heldOne struct {
	addr, keyAttr string
	api           *client.Client
	list          func(context.Context, *client.Client) ([]platformObject, error)
}

func (c heldOne) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	_, resp.Error = onlyObject(ctx, req.State, c.addr, c.keyAttr, c.api, c.list)
}

// onlyObject returns the id in state at addr after checking that the platform holds exactly
// that object of its type, with the key attribute's value in state.
func onlyObject(ctx context.Context, state *tfjson.State, addr, keyAttr string, api *client.Client,
	list func(context.Context, *client.Client) ([]platformObject, error)) (string, error) {
	id, err := stateString(state, addr, "id")
	if err != nil {
		return "", err
	}
	key, err := stateString(state, addr, keyAttr)
	if err != nil {
		return "", err
	}
	objects, err := list(ctx, api)
	if err != nil {
		return "", fmt.Errorf("listing the platform's objects: %w", err)
	}
	if len(objects) != 1 || objects[0] != (platformObject{ID: id, Key: key}) {
		return "", fmt.Errorf("the platform holds %v; want exactly one object, %s %q as in state", objects, id, key)
	}
	return id, nil
}

// stateString is a string attribute of the resource at addr in state.
func stateString(state *tfjson.State, addr, attr string) (string, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return "", errors.New("the state is empty")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address != addr {
			continue
		}
		v, ok := r.AttributeValues[attr].(string)
		if !ok {
			return "", fmt.Errorf("%s.%s is %v in state, not a string", addr, attr, r.AttributeValues[attr])
		}
		return v, nil
	}
	return "", fmt.Errorf("%s is not in state", addr)
}

// collect turns a client's list into platform objects; object leaves out those it says no to.
func collect[T any](seq iter.Seq2[T, error], object func(T) (platformObject, bool)) ([]platformObject, error) {
	var out []platformObject
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		if o, ok := object(v); ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// bootstrapOwnerID is the id of the owner the platform created for itself.
func bootstrapOwnerID(ctx context.Context, c *client.Client) (string, error) {
	for u, err := range c.ListUsers(ctx, client.UserFilter{Email: platform.BootstrapEmail}) {
		if err != nil {
			return "", err
		}
		return u.ID, nil
	}
	return "", errors.New("the platform has no bootstrap owner")
}
