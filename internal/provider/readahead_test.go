package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// requestCounter stands between the provider and the platform and counts, per collection,
// list requests of the read-ahead's page size and reads by id.
type requestCounter struct {
	URL   string
	mu    sync.Mutex
	lists map[string]int
	gets  map[string]int
}

func newRequestCounter(t *testing.T, target string) *requestCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &requestCounter{}
	c.reset()
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
			c.mu.Lock()
			switch {
			case len(parts) == 1 && r.URL.Query().Get("page_size") == "1000":
				c.lists[parts[0]]++
			case len(parts) == 2:
				c.gets[parts[0]]++
			}
			c.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

func (c *requestCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists, c.gets = map[string]int{}, map[string]int{}
}

// checkReadAhead is a plan check: since the last reset, every collection listed once in
// pages of 1000 and read fewer than n objects by id.
type checkReadAhead struct {
	c           *requestCounter
	collections []string
	n           int
}

func (k checkReadAhead) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	for _, coll := range k.collections {
		if k.c.lists[coll] != 1 || k.c.gets[coll] >= k.n {
			resp.Error = fmt.Errorf("refreshing %d %s made %d lists of 1000 and %d reads by id; want 1 list and fewer reads than objects (lists %v, reads %v)",
				k.n, coll, k.c.lists[coll], k.c.gets[coll], k.c.lists, k.c.gets)
			return
		}
	}
}

// checkNoLists is a plan check: no list of the read-ahead's page size since the last reset.
type checkNoLists struct{ c *requestCounter }

func (k checkNoLists) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	if len(k.c.lists) != 0 {
		resp.Error = fmt.Errorf("with read_ahead = false the refresh listed %v", k.c.lists)
	}
}

const readAheadN = 12

// readAheadConfig manages readAheadN objects of every resource type.
func readAheadConfig(endpoint, key, extra string) string {
	return fmt.Sprintf(`
provider "lowcode" {
  endpoint = %q
  api_key  = %q
  %[4]s
}

resource "lowcode_application" "a" {
  count       = %[3]d
  name        = "ra-app-${count.index}"
  environment = "development"
  version     = "1.0.0"
  description = "application ${count.index}"
}

resource "lowcode_workflow" "w" {
  count          = %[3]d
  application_id = lowcode_application.a[count.index].id
  name           = "ra-wf-${count.index}"
  version        = "1.0.0"
  description    = "workflow ${count.index}"
  trigger        = { type = "manual" }
  steps          = [{ name = "check", type = "validate", validate = { expression = "amount > 0", message = "positive" } }]
}

resource "lowcode_monitoring_target" "m" {
  count            = %[3]d
  workflow_id      = lowcode_workflow.w[count.index].id
  min_success_rate = 90
}

resource "lowcode_webhook" "h" {
  count        = %[3]d
  event_types  = ["order.created"]
  callback_url = "https://hooks.example.com/${count.index}"
  description  = "webhook ${count.index}"
}

resource "lowcode_user" "u" {
  count        = %[3]d
  email        = "ra-${count.index}@example.com"
  display_name = "user ${count.index}"
}

resource "lowcode_role_assignment" "r" {
  count      = %[3]d
  user_id    = lowcode_user.u[count.index].id
  role       = "viewer"
  scope_type = "application"
  scope_id   = lowcode_application.a[count.index].id
}

resource "lowcode_classification_policy" "c" {
  count          = %[3]d
  name           = "ra-cls-${count.index}"
  level          = "internal"
  encryption     = "at-rest"
  access         = "authenticated"
  field_patterns = ["f${count.index}.x"]
}

resource "lowcode_custom_integration" "i" {
  count       = %[3]d
  name        = "ra-int-${count.index}"
  code_repo   = "github.com/company/ra-${count.index}"
  api_version = "v1"
  description = "integration ${count.index}"
}
`, endpoint, key, readAheadN, extra)
}

// Drift made out of band before a plan is detected on every resource type with read-ahead
// on: every object changed is planned for update, every object deleted for creation, and the
// refresh read each listed type with one list page and fewer single reads than objects.
func TestAccReadAhead_drift(t *testing.T) {
	p := newAccPlatform(t)
	counter := newRequestCounter(t, p.URL)
	cfg := readAheadConfig(counter.URL, p.OwnerKey, "")
	var ids map[string][]string // resource type -> ids by index, read from state after apply
	saveIDs := func(s *terraform.State) error {
		ids = map[string][]string{}
		for _, typ := range []string{"application", "workflow", "monitoring_target", "webhook", "user", "role_assignment", "classification_policy", "custom_integration"} {
			ids[typ] = make([]string, readAheadN)
		}
		for key, rs := range s.RootModule().Resources {
			// Keys of counted resources read type.name.index.
			var i int
			if _, err := fmt.Sscanf(key[strings.LastIndex(key, ".")+1:], "%d", &i); err != nil {
				return fmt.Errorf("state key %q: %w", key, err)
			}
			ids[strings.TrimPrefix(rs.Type, "lowcode_")][i] = rs.Primary.ID
		}
		return nil
	}
	drift := func() {
		ctx := context.Background()
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		desc := new("changed out of band")
		for i := range readAheadN {
			_, err := p.API.PatchApplication(ctx, ids["application"][i], "", api.ApplicationPatch{Description: desc})
			must(err)
			_, err = p.API.PatchWorkflow(ctx, ids["workflow"][i], "", api.WorkflowPatch{Description: desc})
			must(err)
			_, err = p.API.PutMonitoringTarget(ctx, ids["workflow"][i], "", api.MonitoringTargetInput{MinSuccessRate: new(50.0)})
			must(err)
			_, err = p.API.PatchUser(ctx, ids["user"][i], "", api.UserPatch{DisplayName: desc})
			must(err)
			if i == 0 { // deleted
				must(p.API.DeleteWebhook(ctx, ids["webhook"][i], ""))
				must(p.API.DeleteRoleAssignment(ctx, ids["role_assignment"][i], ""))
				must(p.API.DeleteClassificationPolicy(ctx, ids["classification_policy"][i], ""))
				must(p.API.DeleteIntegration(ctx, ids["custom_integration"][i], ""))
				continue
			}
			_, err = p.API.PatchWebhook(ctx, ids["webhook"][i], "", api.WebhookPatch{Description: desc})
			must(err)
			_, err = p.API.PatchClassificationPolicy(ctx, ids["classification_policy"][i], "", api.ClassificationPolicyPatch{Description: desc})
			must(err)
			_, err = p.API.PatchIntegration(ctx, ids["custom_integration"][i], "", api.IntegrationPatch{Description: desc})
			must(err)
		}
		counter.reset()
	}
	var expect []plancheck.PlanCheck
	for i := range readAheadN {
		for _, name := range []string{"application.a", "workflow.w", "monitoring_target.m", "user.u"} {
			expect = append(expect, plancheck.ExpectResourceAction(fmt.Sprintf("lowcode_%s[%d]", name, i), plancheck.ResourceActionUpdate))
		}
		action := plancheck.ResourceActionUpdate
		if i == 0 {
			action = plancheck.ResourceActionCreate
			expect = append(expect, plancheck.ExpectResourceAction("lowcode_role_assignment.r[0]", action))
		}
		for _, name := range []string{"webhook.h", "classification_policy.c", "custom_integration.i"} {
			expect = append(expect, plancheck.ExpectResourceAction(fmt.Sprintf("lowcode_%s[%d]", name, i), action))
		}
	}
	expect = append(expect, checkReadAhead{c: counter, n: readAheadN, collections: []string{
		"applications", "workflows", "webhooks", "users", "role-assignments", "classification-policies", "integrations"}})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: saveIDs},
			{
				PreConfig:        drift,
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: expect},
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// read_ahead = false: every object is read by id, none listed.
				PreConfig: counter.reset,
				Config:    readAheadConfig(counter.URL, p.OwnerKey, "read_ahead = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(),
					checkNoLists{counter}}},
			},
		},
	})
}
