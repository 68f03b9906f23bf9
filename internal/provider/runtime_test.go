package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// fastRuntime makes the platform's workers and webhook retries quick enough for tests.
func fastRuntime() platformtest.Option {
	return platformtest.WithConfig(func(c *platform.Config) {
		c.PollInterval = 20 * time.Millisecond
		c.DeliveryRetrySchedule = []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
		c.DeliveryTimeout = 2 * time.Second
	})
}

// flakyReceiver is a webhook receiver on loopback that refuses its first `failures`
// deliveries, then verifies each one with the Standard Webhooks reference library and keeps
// the payloads it accepts.
type flakyReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	failures int
	attempts int
	accepted []map[string]any
	invalid  []string
}

func newFlakyReceiver(t *testing.T, failures int) *flakyReceiver {
	r := &flakyReceiver{failures: failures}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts++
		if r.attempts <= r.failures {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		wh, err := standardwebhooks.NewWebhook(r.secret)
		if err == nil {
			err = wh.Verify(body, req.Header)
		}
		if err != nil {
			r.invalid = append(r.invalid, err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var payload map[string]any
		_ = json.Unmarshal(body, &payload)
		r.accepted = append(r.accepted, payload)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *flakyReceiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *flakyReceiver) snapshot() (attempts int, accepted []map[string]any, invalid []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts, append([]map[string]any(nil), r.accepted...), append([]string(nil), r.invalid...)
}

// waitFor polls cond every 20 ms for up to 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// finishedExecutions returns the workflow's executions once n of them have finished.
func finishedExecutions(t *testing.T, c *client.Client, workflowID string, n int) []api.Execution {
	t.Helper()
	var done []api.Execution
	waitFor(t, fmt.Sprintf("%d finished executions of %s", n, workflowID), func() bool {
		all, err := client.Collect(c.ListExecutions(context.Background(), client.ExecutionFilter{WorkflowID: workflowID}))
		if err != nil {
			t.Fatal(err)
		}
		done = done[:0]
		for _, e := range all {
			if e.Status == api.ExecutionStatusSucceeded || e.Status == api.ExecutionStatusFailed {
				done = append(done, e)
			}
		}
		return len(done) >= n
	})
	return done
}

// The integration runtime end to end, driven by Terraform: apply an application, a workflow
// with all four step types (validate, transform, an http call to a CRM on loopback, emit) and
// a webhook on the emitted event; publish order events; the receiver verifies the signature
// with the Standard Webhooks library and gets the payload once, after refusing the first two
// attempts; the execution's output is read back through lowcode_workflow_execution, an order
// over the limit fails with the validation message, lowcode_workflow_metrics counts both,
// and a viewer without need-to-know sees the card number masked.
func TestAccRuntime_endToEnd(t *testing.T) {
	p := newAccPlatform(t, fastRuntime())
	var crmMu sync.Mutex
	var crmCalls []map[string]any
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(req.Body).Decode(&body)
		crmMu.Lock()
		crmCalls = append(crmCalls, body)
		crmMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"crm_id":"crm-42"}`)
	}))
	t.Cleanup(crm.Close)
	receiver := newFlakyReceiver(t, 2)
	_, viewerKey := p.NewUser("viewer@example.com")

	resources := fmt.Sprintf(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_workflow" "fulfillment" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  trigger        = { type = "event", event_type = "order.created" }
  steps = [
    { name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } },
    { name = "price", type = "transform", transform = { set = [{ field = "total", expression = "amount * 2" }] } },
    { name = "crm", type = "http", http = { method = "POST", url = %q, body = "{order_id: order_id, total: total}" } },
    { name = "announce", type = "emit", emit = { event_type = "order.validated", data = "{order_id: order_id, total: total, crm_id: crm.body.crm_id}" } },
  ]
}

resource "lowcode_webhook" "validated" {
  application_id = lowcode_application.orders.id
  event_types    = ["order.validated"]
  callback_url   = %q
}

resource "lowcode_classification_policy" "cards" {
  name           = "payment-cards"
  application_id = lowcode_application.orders.id
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["card_number"]
}

data "lowcode_user" "viewer" {
  email = "viewer@example.com"
}

resource "lowcode_role_assignment" "viewer" {
  user_id    = data.lowcode_user.viewer.id
  role       = "viewer"
  scope_type = "application"
  scope_id   = lowcode_application.orders.id
}
`, crm.URL+"/orders", receiver.URL+"/hooks")

	var appID, workflowID, webhookID string
	tc := resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: make([]resource.TestStep, 2)}
	tc.Steps[0] = resource.TestStep{
		Config: p.config(resources),
		Check: func(s *terraform.State) error {
			ms := s.RootModule().Resources
			appID, workflowID = ms["lowcode_application.orders"].Primary.ID, ms["lowcode_workflow.fulfillment"].Primary.ID
			webhookID = ms["lowcode_webhook.validated"].Primary.ID
			receiver.setSecret(ms["lowcode_webhook.validated"].Primary.Attributes["secret"])
			ctx := context.Background()
			for _, order := range []map[string]any{
				{"order_id": "ord-1", "amount": 250, "card_number": "4111111111111111"},
				{"order_id": "ord-2", "amount": 15000, "card_number": "5500000000000004"},
			} {
				if _, err := p.API.PublishEvent(ctx, api.EventInput{Type: "order.created", ApplicationID: &appID, Data: &order}); err != nil {
					return err
				}
			}
			var okExecution, failedExecution string
			for _, e := range finishedExecutions(t, p.API, workflowID, 2) {
				if e.Input["order_id"] == "ord-1" {
					okExecution = e.ID
				} else {
					failedExecution = e.ID
				}
			}
			// The runner reads each step from tc.Steps when it reaches it: the next step can
			// only be written now that the executions' ids are known.
			tc.Steps[1].Config = p.config(resources + executionReads(okExecution, failedExecution, workflowID))
			// One test run serves every provider configuration from one provider server, so
			// the viewer reads through the protocol with their own key instead of an alias.
			checkViewerSeesMasked(t, p, viewerKey, okExecution)
			return nil
		},
	}
	tc.Steps[1] = resource.TestStep{
		Config: p.config(resources), // replaced by step 1's Check
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.ok", tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.ok", tfjsonpath.New("steps"), knownvalue.ListSizeExact(4)),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.ok", tfjsonpath.New("redacted_fields"), knownvalue.ListExact(nil)),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.ok", tfjsonpath.New("input"),
				knownvalue.StringRegexp(regexp.MustCompile(`"card_number":"4111111111111111"`))),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.ok", tfjsonpath.New("output"),
				knownvalue.StringRegexp(regexp.MustCompile(`"crm":\{"body":\{"crm_id":"crm-42"\},"status":200\}.*"total":500`))),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.over_limit", tfjsonpath.New("status"), knownvalue.StringExact("failed")),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.over_limit", tfjsonpath.New("error"), knownvalue.StringRegexp(regexp.MustCompile(`Amount exceeds limit`))),
			statecheck.ExpectKnownValue("data.lowcode_workflow_execution.over_limit", tfjsonpath.New("steps").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("failed")),
			statecheck.ExpectKnownValue("data.lowcode_workflow_metrics.fulfillment", tfjsonpath.New("executions"), knownvalue.Int64Exact(2)),
			statecheck.ExpectKnownValue("data.lowcode_workflow_metrics.fulfillment", tfjsonpath.New("failed"), knownvalue.Int64Exact(1)),
			statecheck.ExpectKnownValue("data.lowcode_workflow_metrics.fulfillment", tfjsonpath.New("success_rate"), knownvalue.Float64Exact(50)),
			statecheck.ExpectKnownValue("data.lowcode_workflow_metrics.fulfillment", tfjsonpath.New("window"), knownvalue.StringExact("1h")),
		},
		Check: func(*terraform.State) error {
			// The viewer's view never carries the card number.
			waitFor(t, "the signed delivery of order.validated", func() bool {
				_, accepted, _ := receiver.snapshot()
				return len(accepted) >= 1
			})
			time.Sleep(200 * time.Millisecond) // a duplicate would arrive within the retry schedule
			attempts, accepted, invalid := receiver.snapshot()
			if len(accepted) != 1 || attempts != 3 || len(invalid) != 0 {
				return fmt.Errorf("receiver: %d attempts, %d accepted (%v), invalid signatures %v; want 3 attempts and 1 accepted", attempts, len(accepted), accepted, invalid)
			}
			data, _ := accepted[0]["data"].(map[string]any)
			if accepted[0]["type"] != "order.validated" || data["order_id"] != "ord-1" || data["crm_id"] != "crm-42" || data["total"] != 500.0 {
				return fmt.Errorf("the delivered payload: %v", accepted[0])
			}
			crmMu.Lock()
			defer crmMu.Unlock()
			if len(crmCalls) != 1 || crmCalls[0]["order_id"] != "ord-1" || crmCalls[0]["total"] != 500.0 {
				return fmt.Errorf("the CRM received %v, want one call for ord-1 with total 500", crmCalls)
			}
			deliveries, err := client.Collect(p.API.ListWebhookDeliveries(context.Background(), webhookID, client.DeliveryFilter{}))
			if err != nil {
				return err
			}
			if len(deliveries) != 1 || deliveries[0].Status != api.DeliveryStatusSucceeded || len(deliveries[0].Attempts) != 3 {
				return fmt.Errorf("the platform's delivery record: %+v, want one succeeded after 3 attempts", deliveries)
			}
			return nil
		},
	}
	resource.Test(t, tc)
}

// executionReads reads the two executions and the workflow's metrics.
func executionReads(okID, failedID, workflowID string) string {
	return fmt.Sprintf(`
data "lowcode_workflow_execution" "ok" {
  id = %[1]q
}

data "lowcode_workflow_execution" "over_limit" {
  id = %[2]q
}

data "lowcode_workflow_metrics" "fulfillment" {
  workflow_id = %[3]q
  window      = "1h"
}
`, okID, failedID, workflowID)
}

// checkViewerSeesMasked reads the execution through lowcode_workflow_execution with the key of
// a viewer of the application who lacks need-to-know for card numbers.
func checkViewerSeesMasked(t *testing.T, p *accPlatform, viewerKey, executionID string) {
	t.Helper()
	viewer := *p.Instance
	viewer.OwnerKey = viewerKey
	pp := newProtoProvider(t, &accPlatform{Instance: &viewer})
	typ := pp.schemas.DataSourceSchemas["lowcode_workflow_execution"].ValueType()
	resp, err := pp.srv.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "lowcode_workflow_execution",
		Config:   pp.value(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, executionID)}),
	})
	if err != nil {
		t.Fatal(err)
	}
	pp.noErrors("ReadDataSource as the viewer", resp.Diagnostics)
	state := pp.attributes(typ, resp.State)
	input, output := pp.str(state, "input"), pp.str(state, "output")
	var elems []tftypes.Value
	if err := state["redacted_fields"].As(&elems); err != nil {
		t.Fatal(err)
	}
	redacted := make([]string, len(elems))
	for i, e := range elems {
		if err := e.As(&redacted[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(input, `"card_number":"[REDACTED]"`) || strings.Contains(input+output, "4111111111111111") ||
		len(redacted) == 0 || redacted[0] != "input.card_number" {
		t.Errorf("the viewer's view: input %s, output %s, redacted %v", input, output, redacted)
	}
}
