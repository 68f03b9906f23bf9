package provider

// Plan-time errors of the validators the per-object validation tests do not reach: every
// validator has a case here or there, asserting the message the user sees, attribute name
// included.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// long is a string of n copies of "a".
func long(n int) string { return strings.Repeat("a", n) }

func TestAccValidatorCoverage_provider(t *testing.T) {
	p := newAccPlatform(t)
	// A second, aliased configuration of the provider carries the bad setting, because p.config
	// already writes the default one.
	tuned := func(setting string) string {
		return fmt.Sprintf(`provider "lowcode" {
  alias    = "tuned"
  endpoint = %q
  api_key  = %q
  %s
}

data "lowcode_applications" "all" {
  provider = lowcode.tuned
}`, p.URL, p.OwnerKey, setting)
	}
	expectPlanErrors(t, p, []planErrorCase{
		{"max_retries above 20", tuned(`max_retries = 21`), phrase(`Attribute max_retries value must be between 0 and 20, got: 21`)},
		{"max_retries negative", tuned(`max_retries = -1`), phrase(`Attribute max_retries value must be between 0 and 20, got: -1`)},
		{"request_timeout zero", tuned(`request_timeout = 0`), phrase(`Attribute request_timeout value must be between 1 and 600, got: 0`)},
		{"request_timeout above 600", tuned(`request_timeout = 601`), phrase(`Attribute request_timeout value must be between 1 and 600, got: 601`)},
	})
}

func TestAccValidatorCoverage_application(t *testing.T) {
	p := newAccPlatform(t)
	const app = `name = "order-management"
  environment = "production"
  version = "2.3.0"
  `
	expectPlanErrors(t, p, inBlock(`resource "lowcode_application" "bad"`, []planErrorCase{
		{"description too long", app + `description = "` + long(1001) + `"`,
			phrase(`Attribute description string length must be at most 1000, got: 1001`)},
		{"label key with a space", app + `labels = { "team name" = "orders" }`,
			phrase(`Attribute labels["team name"] must be 1-63 letters, digits, '.', '_', '-' or '/', got: team name`)},
		{"label key too long", app + `labels = { "` + long(64) + `" = "orders" }`,
			phrase(`Attribute labels["` + long(64) + `"] must be 1-63 letters, digits, '.', '_', '-' or '/'`)},
		{"empty label key", app + `labels = { "" = "orders" }`,
			phrase(`Attribute labels[""] must be 1-63 letters, digits, '.', '_', '-' or '/'`)},
		{"label value too long", app + `labels = { team = "` + long(256) + `" }`,
			phrase(`Attribute labels["team"] string length must be at most 255, got: 256`)},
	}))
}

func TestAccValidatorCoverage_workflow(t *testing.T) {
	p := newAccPlatform(t)
	// workflow builds a workflow from its top-level attributes (without trigger and steps) and
	// one step.
	workflow := func(top, trigger, step string) string {
		return top + `
  trigger = ` + trigger + `
  steps   = [` + step + `]`
	}
	const top = `application_id = "app_00000000000000000000000000000000"
  name           = "order-fulfillment"
  version        = "1.0.0"`
	const manual = `{ type = "manual" }`
	const okStep = `{ name = "check", type = "validate", validate = { expression = "amount <= 10000", message = "too much" } }`
	validate := func(expr, message string) string {
		return `{ name = "check", type = "validate", validate = { expression = "` + expr + `", message = "` + message + `" } }`
	}
	httpStep := func(settings string) string {
		return `{ name = "crm", type = "http", http = { method = "POST", ` + settings + ` } }`
	}
	emit := func(eventType string) string {
		return `{ name = "announce", type = "emit", emit = { event_type = "` + eventType + `" } }`
	}
	longEventType := "order." + long(195) // 201 characters, a valid dotted event type otherwise
	expectPlanErrors(t, p, inBlock(`resource "lowcode_workflow" "bad"`, []planErrorCase{
		{"name", workflow(strings.Replace(top, `"order-fulfillment"`, `"order fulfillment"`, 1), manual, okStep),
			phrase(`Attribute name must be 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit, got: order fulfillment`)},
		{"version", workflow(strings.Replace(top, `"1.0.0"`, `"v1.0"`, 1), manual, okStep),
			phrase(`version: "v1.0" is not a semantic version such as 1.5.2 (major.minor.patch, no leading v)`)},
		{"empty application_id", workflow(strings.Replace(top, `"app_00000000000000000000000000000000"`, `""`, 1), manual, okStep),
			phrase(`Attribute application_id string length must be between 1 and 64, got: 0`)},
		{"application_id too long", workflow(strings.Replace(top, `"app_00000000000000000000000000000000"`, `"app_`+long(61)+`"`, 1), manual, okStep),
			phrase(`Attribute application_id string length must be between 1 and 64, got: 65`)},
		{"description too long", workflow(top+"\n  description = \""+long(1001)+`"`, manual, okStep),
			phrase(`Attribute description string length must be at most 1000, got: 1001`)},
		{"trigger event_type too long", workflow(top, `{ type = "event", event_type = "`+longEventType+`" }`, okStep),
			phrase(`Attribute trigger.event_type string length must be at most 200, got: 201`)},
		{"step name", workflow(top, manual, `{ name = "check amount", type = "validate", validate = { expression = "true", message = "m" } }`),
			phrase(`Attribute steps[0].name must be 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit, got: check amount`)},
		{"empty expression", workflow(top, manual, validate("", "too much")),
			phrase(`Attribute steps[0].validate.expression string length must be between 1 and 4000, got: 0`)},
		{"expression too long", workflow(top, manual, validate(long(4001), "too much")),
			phrase(`Attribute steps[0].validate.expression string length must be between 1 and 4000, got: 4001`)},
		{"http body too long", workflow(top, manual, httpStep(`url = "https://crm.example.com", body = "`+long(4001)+`"`)),
			phrase(`Attribute steps[0].http.body string length must be between 1 and 4000, got: 4001`)},
		{"empty validate message", workflow(top, manual, validate("amount <= 10000", "")),
			phrase(`Attribute steps[0].validate.message string length must be between 1 and 1000, got: 0`)},
		{"validate message too long", workflow(top, manual, validate("amount <= 10000", long(1001))),
			phrase(`Attribute steps[0].validate.message string length must be between 1 and 1000, got: 1001`)},
		{"http url too long", workflow(top, manual, httpStep(`url = "https://crm.example.com/`+long(2025)+`"`)),
			phrase(`Attribute steps[0].http.url string length must be at most 2048, got: 2049`)},
		{"http header value with a line break", workflow(top, manual, httpStep(`url = "https://crm.example.com", headers = { "X-Note" = "a\nX-Injected: b" }`)),
			phrase(`Attribute steps[0].http.headers["X-Note"] must not contain line breaks or NUL`)},
		{"http header value with NUL", workflow(top, manual, httpStep(`url = "https://crm.example.com", headers = { "X-Note" = "a\u0000b" }`)),
			phrase(`Attribute steps[0].http.headers["X-Note"] must not contain line breaks or NUL`)},
		{"http result_field too long", workflow(top, manual, httpStep(`url = "https://crm.example.com", result_field = "`+long(201)+`"`)),
			phrase(`steps[0].http.result_field: field path is longer than 200 characters`)},
		{"emit event_type", workflow(top, manual, emit("OrderValidated")),
			phrase(`Attribute steps[0].emit.event_type must be a dotted lowercase event type such as order.created, got: OrderValidated`)},
		{"emit event_type too long", workflow(top, manual, emit(longEventType)),
			phrase(`Attribute steps[0].emit.event_type string length must be at most 200, got: 201`)},
	}))
}

func TestAccValidatorCoverage_webhook(t *testing.T) {
	p := newAccPlatform(t)
	const events = `event_types = ["order.created"]
  `
	const callback = events + `callback_url = "https://orders.example.com/webhooks/lowcode"
  `
	expectPlanErrors(t, p, inBlock(`resource "lowcode_webhook" "bad"`, []planErrorCase{
		{"empty callback_url", events + `callback_url = ""`,
			phrase(`Attribute callback_url string length must be between 1 and 2048, got: 0`)},
		{"callback_url too long", events + `callback_url = "https://orders.example.com/` + long(2022) + `"`,
			phrase(`Attribute callback_url string length must be between 1 and 2048, got: 2049`)},
		{"description too long", callback + `description = "` + long(1001) + `"`,
			phrase(`Attribute description string length must be at most 1000, got: 1001`)},
		{"whsec_ secret that is not base64", callback + `secret_wo = "whsec_this-is-not-base64-at-all!"
  secret_wo_version = 1`,
			phrase(`Invalid signing secret`)},
		{"whsec_ secret message", callback + `secret_wo = "whsec_` + long(23) + `"
  secret_wo_version = 1`,
			phrase(`secret_wo: signing secret starts with "whsec_" but the rest is not valid base64: use whsec_ followed by at least 16 bytes`)},
		{"weak secret", callback + `secret_wo = "` + strings.Repeat("a", 24) + `"
  secret_wo_version = 1`,
			phrase(`signing secret has only 1 different characters, fewer than 10: use whsec_ followed by at least 16 bytes`)},
		{"short whsec_ key", callback + `secret_wo = "whsec_ZmlmdGVlbi1ieXRlcyEh"
  secret_wo_version = 1`,
			phrase(`signing secret's key is 15 bytes, fewer than 16`)},
	}))
}

// TestAccValidatorCoverage_webhookSecretWithoutVersion asserts the warning `terraform validate`
// prints for a secret_wo without secret_wo_version (a warning, which the acceptance-test
// framework cannot see, so the real CLI runs), and that a version silences it.
func TestAccValidatorCoverage_webhookSecretWithoutVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Terraform CLI")
	}
	tf := tfcli.New(t)
	webhook := func(extra string) string {
		return `resource "lowcode_webhook" "orders" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
  secret_wo    = "receiver-secret-without-a-version"
  ` + extra + `
}`
	}
	warning := phrase(`Warning: secret_wo without secret_wo_version with lowcode_webhook.orders, ` +
		`on main.tf line 6, in resource "lowcode_webhook" "orders": 6: resource "lowcode_webhook" "orders" { ` +
		`secret_wo is write-only, so Terraform cannot notice when it changes: it is sent when the webhook is ` +
		`created, but a later change is ignored. Set secret_wo_version (for example to 1) and raise it ` +
		`whenever you change secret_wo.`)

	tf.Write(webhook(""))
	res := tf.Must("validate", "-no-color")
	if !warning.MatchString(res.Stdout + res.Stderr) {
		t.Errorf("terraform validate did not print the warning %s:\n%s", warning, res)
	}

	tf.Write(webhook("secret_wo_version = 1"))
	res = tf.Must("validate", "-no-color")
	if strings.Contains(res.Stdout+res.Stderr, "secret_wo without secret_wo_version") {
		t.Errorf("terraform validate warned although secret_wo_version is set:\n%s", res)
	}
}

func TestAccValidatorCoverage_user(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`resource "lowcode_user" "bad"`, []planErrorCase{
		{"email too long", `email = "` + long(243) + `@example.com"`,
			phrase(`Attribute email string length must be between 3 and 254, got: 255`)},
		{"email too short", `email = "@b"`,
			phrase(`Attribute email string length must be between 3 and 254, got: 2`)},
	}))
}

func TestAccValidatorCoverage_roleAssignment(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`resource "lowcode_role_assignment" "bad"`, []planErrorCase{
		{"empty user_id", `user_id = ""
  role = "viewer"
  scope_type = "platform"`, phrase(`Attribute user_id string length must be between 1 and 64, got: 0`)},
		{"user_id too long", `user_id = "usr_` + long(61) + `"
  role = "viewer"
  scope_type = "platform"`, phrase(`Attribute user_id string length must be between 1 and 64, got: 65`)},
		{"empty scope_id", `user_id = "usr_1"
  role = "viewer"
  scope_type = "application"
  scope_id = ""`, phrase(`Attribute scope_id string length must be between 1 and 64, got: 0`)},
		{"scope_id too long", `user_id = "usr_1"
  role = "viewer"
  scope_type = "application"
  scope_id = "app_` + long(61) + `"`, phrase(`Attribute scope_id string length must be between 1 and 64, got: 65`)},
	}))
}

func TestAccValidatorCoverage_customIntegration(t *testing.T) {
	p := newAccPlatform(t)
	integration := func(repo, extra string) string {
		return `name = "crm-sync"
  api_version = "v2"
  code_repo = "` + repo + `"
  ` + extra
	}
	expectPlanErrors(t, p, inBlock(`resource "lowcode_custom_integration" "bad"`, []planErrorCase{
		{"empty code_repo", integration("", ""),
			phrase(`Attribute code_repo string length must be between 1 and 500, got: 0`)},
		{"code_repo too long", integration("github.com/company/"+long(482), ""),
			phrase(`Attribute code_repo string length must be between 1 and 500, got: 501`)},
		{"description too long", integration("github.com/company/crm-sync", `description = "`+long(1001)+`"`),
			phrase(`Attribute description string length must be at most 1000, got: 1001`)},
	}))
}

func TestAccValidatorCoverage_classificationPolicy(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`resource "lowcode_classification_policy" "bad"`, []planErrorCase{
		{"description too long", `name = "payment-cards"
  level = "public"
  encryption = "none"
  access = "all"
  field_patterns = ["card_number"]
  description = "` + long(1001) + `"`, phrase(`Attribute description string length must be at most 1000, got: 1001`)},
	}))
}

func TestAccValidatorCoverage_monitoringTarget(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`resource "lowcode_monitoring_target" "bad"`, []planErrorCase{
		{"empty workflow_id", `workflow_id = ""
  min_success_rate = 99`, phrase(`Attribute workflow_id string length must be between 1 and 64, got: 0`)},
		{"workflow_id too long", `workflow_id = "wf_` + long(62) + `"
  min_success_rate = 99`, phrase(`Attribute workflow_id string length must be between 1 and 64, got: 65`)},
	}))
}

func TestAccValidatorCoverage_apiToken(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`ephemeral "lowcode_api_token" "bad"`, []planErrorCase{
		{"empty description", `description = ""`, phrase(`Attribute description string length must be between 1 and 200, got: 0`)},
		{"description too long", `description = "` + long(201) + `"`,
			phrase(`Attribute description string length must be between 1 and 200, got: 201`)},
	}))
}

func TestAccValidatorCoverage_applications(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`data "lowcode_applications" "bad"`, []planErrorCase{
		{"environment", `environment = "prod"`,
			phrase(`Attribute environment value must be one of: ["development" "staging" "production"], got: "prod"`)},
	}))
}
