package provider

// Validators of single attributes whose shape the platform fixes: names, event types, label
// keys, versions, environments, email addresses, HTTP header names and values, durations and
// metrics windows, JSON objects and signing secrets. URLs are in validators_urls.go, collections in validators_collections.go.

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// nameValidator matches the platform's names: 1-100 letters, digits, '-', '_' and '.',
// starting with a letter or digit.
func nameValidator() validator.String {
	return stringvalidator.RegexMatches(fields.Name,
		"must be 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit")
}

// eventTypeValidator matches dotted lowercase event types such as order.created.
func eventTypeValidator() validator.String {
	return stringvalidator.RegexMatches(fields.EventType,
		"must be a dotted lowercase event type such as order.created")
}

// labelKeyValidator matches the platform's label keys: 1-63 letters, digits, '.', '_', '-'
// and '/'.
func labelKeyValidator() validator.String {
	return stringvalidator.RegexMatches(fields.LabelKey,
		"must be 1-63 letters, digits, '.', '_', '-' or '/'")
}

// semverValidator checks a semantic version such as 2.3.0 at plan time.
type semverValidator struct{}

func (semverValidator) Description(context.Context) string {
	return "must be a semantic version such as 1.5.2"
}

func (v semverValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (semverValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := fields.Semver(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid version",
			fmt.Sprintf("%s: %q is not a semantic version such as 1.5.2 (major.minor.patch, no leading v): %s", req.Path, req.ConfigValue.ValueString(), err))
	}
}

func environmentValidator() validator.String {
	return stringvalidator.OneOf(string(api.Development), string(api.Staging), string(api.Production))
}

// webhookSecretValidator refuses a signing secret the platform could not sign deliveries with:
// one starting with whsec_ whose rest is not standard base64. It applies the platform's own
// rule (signing.Key) and, like the platform, never repeats the secret.
type webhookSecretValidator struct{}

func (webhookSecretValidator) Description(context.Context) string {
	return "must be whsec_ followed by standard base64, or any other text"
}

func (v webhookSecretValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (webhookSecretValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !stringIsSet(req.ConfigValue) {
		return
	}
	if err := signing.CheckStrength(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid signing secret",
			fmt.Sprintf("%s: %s: %s (at most 256 characters).", req.Path, err, signing.StrengthRule))
	}
}

// webhookEventTypeValidator accepts a dotted event type such as order.created, or "*" for
// every event.
func webhookEventTypeValidator() validator.String {
	return stringvalidator.Any(stringvalidator.OneOf("*"), eventTypeValidator())
}

// apiVersionValidator matches an integration's API version: v and a number without leading
// zeros, such as v2 (the platform's rule).
func apiVersionValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^v[1-9][0-9]*$`), "must be v and a number without leading zeros, such as v2")
}

// headerNameValidator matches an RFC 9110 token, the only valid shape of a header name.
func headerNameValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"),
		"must be a valid HTTP header name, such as X-Api-Key")
}

// headerValueValidator refuses line breaks and NUL, which would split or end the header.
func headerValueValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile("^[^\r\n\x00]*$"),
		"must not contain line breaks or NUL")
}

// durationValidator checks a Go duration such as 30s or 10m, longer than zero.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a duration such as 30s or 10m"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a positive duration: use a number and a unit, such as 30s or 10m.", req.ConfigValue.ValueString()))
	}
}

// jsonObjectValidator checks at plan time that a string is one JSON object.
type jsonObjectValidator struct{}

func (jsonObjectValidator) Description(context.Context) string { return "must be a JSON object" }

func (v jsonObjectValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jsonObjectValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := decodeJSONObject(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid JSON object",
			"The value must be a JSON object, such as jsonencode({ customer = { email = \"a@example.com\" } }): "+err.Error())
	}
}

// emailValidator accepts a bare address such as ada@example.com at plan time, with the same
// parser the platform uses (net/mail), so that a name form such as "Ada <ada@example.com>" is
// refused before anything is applied.
type emailValidator struct{}

func (emailValidator) Description(context.Context) string {
	return "must be an email address such as ada@example.com"
}

func (v emailValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (emailValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := req.ConfigValue.ValueString()
	if addr, err := mail.ParseAddress(v); err != nil || addr.Address != v {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid email address",
			fmt.Sprintf("%q is not an email address such as ada@example.com: give the bare address, without a name or angle brackets.", v))
	}
}

// metricsWindowValidator checks a metrics window the way the platform does.
type metricsWindowValidator struct{}

func (metricsWindowValidator) Description(context.Context) string {
	return "must be a duration from 1m to 720h, such as 15m, 1h or 24h"
}

func (v metricsWindowValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (metricsWindowValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid window",
			fmt.Sprintf("%q is not a duration: use a number and a unit, such as 15m, 1h or 24h.", raw))
	case d < minMetricsWindow || d > maxMetricsWindow:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid window",
			fmt.Sprintf("%q is out of range: use a duration from 1m to 720h.", raw))
	}
}
