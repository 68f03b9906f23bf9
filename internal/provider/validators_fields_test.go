package provider

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The single-attribute validators, called through validator.StringRequest: what each accepts,
// and the error a user sees for what it refuses.
func TestFieldValidators(t *testing.T) {
	match := func(detail string) wantDiag { return wantDiag{"Invalid Attribute Value Match", detail, "attr"} }
	const nameRule = "Attribute attr must be 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit, got: "
	runStringCases(t, []stringCase{
		{"name", nameValidator(), "order-management", ok},
		{"name of 100 characters", nameValidator(), "a" + strings.Repeat("b", 99), ok},
		{"name with a space", nameValidator(), "order management", match(nameRule + "order management")},
		{"name starting with a dot", nameValidator(), ".orders", match(nameRule + ".orders")},
		{"name of 101 characters", nameValidator(), strings.Repeat("a", 101), match(nameRule)},

		{"event type", eventTypeValidator(), "order.created", ok},
		{"event type in CamelCase", eventTypeValidator(), "OrderCreated",
			match("Attribute attr must be a dotted lowercase event type such as order.created, got: OrderCreated")},
		{"webhook event type", webhookEventTypeValidator(), "order.created", ok},
		{"webhook wildcard", webhookEventTypeValidator(), "*", ok},
		{"webhook double wildcard", webhookEventTypeValidator(), "**",
			match("Attribute attr must be a dotted lowercase event type such as order.created, got: **")},

		{"label key", labelKeyValidator(), "team/cost-center_1.x", ok},
		{"label key with a space", labelKeyValidator(), "team name",
			match("Attribute attr must be 1-63 letters, digits, '.', '_', '-' or '/', got: team name")},
		{"label key of 64 characters", labelKeyValidator(), strings.Repeat("k", 64),
			match("Attribute attr must be 1-63 letters, digits, '.', '_', '-' or '/'")},

		{"semver", semverValidator{}, "2.3.0", ok},
		{"semver with a pre-release", semverValidator{}, "2.3.0-rc.1", ok},
		{"semver with a v", semverValidator{}, "v1.0.0",
			wantDiag{"Invalid version", `attr: "v1.0.0" is not a semantic version such as 1.5.2 (major.minor.patch, no leading v)`, "attr"}},
		{"semver without patch", semverValidator{}, "1.0",
			wantDiag{"Invalid version", `attr: "1.0" is not a semantic version`, "attr"}},

		{"environment", environmentValidator(), "production", ok},
		{"environment abbreviated", environmentValidator(), "prod",
			match(`Attribute attr value must be one of: ["development" "staging" "production"], got: "prod"`)},

		{"api version", apiVersionValidator(), "v12", ok},
		{"api version with a leading zero", apiVersionValidator(), "v02",
			match("Attribute attr must be v and a number without leading zeros, such as v2, got: v02")},
		{"api version without v", apiVersionValidator(), "2", match("must be v and a number without leading zeros")},

		{"email", emailValidator{}, "ada@example.com", ok},
		{"email with a name", emailValidator{}, "Ada <ada@example.com>",
			wantDiag{"Invalid email address", `"Ada <ada@example.com>" is not an email address such as ada@example.com: give the bare address`, "attr"}},
		{"not an email", emailValidator{}, "ada", wantDiag{"Invalid email address", `"ada" is not an email address`, "attr"}},

		{"header name", headerNameValidator(), "X-Api-Key", ok},
		{"header name with a space", headerNameValidator(), "X Api Key",
			match("Attribute attr must be a valid HTTP header name, such as X-Api-Key, got: X Api Key")},
		{"header name with a colon", headerNameValidator(), "X-Api-Key:", match("must be a valid HTTP header name")},
		{"header value", headerValueValidator(), "Bearer abc; q=\"1\"", ok},
		{"header value with a line break", headerValueValidator(), "a\r\nX-Injected: b", match("Attribute attr must not contain line breaks or NUL")},
		{"header value with a bare line feed", headerValueValidator(), "a\nX-Injected: b", match("must not contain line breaks or NUL")},
		{"header value with a bare carriage return", headerValueValidator(), "a\rb", match("must not contain line breaks or NUL")},
		{"header value with NUL", headerValueValidator(), "a\x00b", match("must not contain line breaks or NUL")},

		{"duration", durationValidator{}, "90s", ok},
		{"zero duration", durationValidator{}, "0s",
			wantDiag{"Invalid duration", `"0s" is not a positive duration: use a number and a unit, such as 30s or 10m.`, "attr"}},
		{"duration without a unit", durationValidator{}, "30", wantDiag{"Invalid duration", `"30" is not a positive duration`, "attr"}},

		{"shortest metrics window", metricsWindowValidator{}, "1m", ok},
		{"longest metrics window", metricsWindowValidator{}, "720h", ok},
		{"metrics window too short", metricsWindowValidator{}, "59s",
			wantDiag{"Invalid window", `"59s" is out of range: use a duration from 1m to 720h.`, "attr"}},
		{"metrics window too long", metricsWindowValidator{}, "721h", wantDiag{"Invalid window", `"721h" is out of range`, "attr"}},
		{"metrics window not a duration", metricsWindowValidator{}, "a day",
			wantDiag{"Invalid window", `"a day" is not a duration: use a number and a unit, such as 15m, 1h or 24h.`, "attr"}},

		{"json object", jsonObjectValidator{}, `{"customer": {"email": "a@example.com"}}`, ok},
		{"json array", jsonObjectValidator{}, `[1, 2]`,
			wantDiag{"Invalid JSON object", "The value must be a JSON object, such as jsonencode({ customer = { email = \"a@example.com\" } }): got a JSON array, not an object", "attr"}},
		{"two json objects", jsonObjectValidator{}, `{} {}`, wantDiag{"Invalid JSON object", "unexpected data after the JSON value", "attr"}},
		{"not json", jsonObjectValidator{}, `{customer = 1}`, wantDiag{"Invalid JSON object", "The value must be a JSON object", "attr"}},
	})
}

// webhookSecretValidator applies the platform's strength rule and never repeats the secret in
// its message (plan output ends up in CI logs).
func TestWebhookSecretValidator(t *testing.T) {
	whsec := func(key string) string { return "whsec_" + base64.StdEncoding.EncodeToString([]byte(key)) }
	cases := []struct {
		name, secret string
		want         wantDiag
	}{
		{"whsec_ with a 16-byte key", whsec("sixteen-byte-key"), ok},
		{"text of 24 characters, 10 different", "abcdefghij-abcdefghij-ab", ok},
		{"whsec_ with a 15-byte key", whsec("fifteen-bytes!!"),
			wantDiag{"Invalid signing secret", "attr: signing secret's key is 15 bytes, fewer than 16: use whsec_ followed by at least 16 bytes", "attr"}},
		{"whsec_ and not base64", "whsec_this-is-not-base64-at-all!",
			wantDiag{"Invalid signing secret", `attr: signing secret starts with "whsec_" but the rest is not valid base64`, "attr"}},
		{"one character repeated", strings.Repeat("a", 24),
			wantDiag{"Invalid signing secret", "signing secret has only 1 different characters, fewer than 10", "attr"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diags := validateString(webhookSecretValidator{}, types.StringValue(tc.secret))
			expectDiag(t, diags, tc.want)
			for _, d := range diags {
				if strings.Contains(d.Summary()+d.Detail(), tc.secret) {
					t.Errorf("the diagnostic repeats the secret: %v", d)
				}
			}
		})
	}
	runStringCases(t, []stringCase{{"webhook secret", webhookSecretValidator{}, whsec("sixteen-byte-key"), ok}})
}
