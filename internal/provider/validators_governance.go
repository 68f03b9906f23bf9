package provider

// Validators and value helpers shared by the webhook, classification policy and custom
// integration resources and data sources.

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/classification"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// httpURLValidator accepts what the platform accepts as a callback: an absolute http:// or
// https:// URL without credentials. (Whether the server may call the address is the server's
// SSRF policy, checked on apply.)
type httpURLValidator struct{}

func (httpURLValidator) Description(context.Context) string {
	return "must be an absolute http:// or https:// URL without credentials"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("%q is not an absolute http:// or https:// URL, such as https://orders.example.com/webhooks/lowcode.", raw))
	case u.User != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			"The URL carries credentials (user:password@); the platform refuses them. Authenticate the receiver with "+
				"the webhook's signature instead.")
	}
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

// repoPathPattern is the host/owner/repo shorthand the platform accepts: a dotted host name
// (optional port), then two or more path segments (GitLab groups nest).
var repoPathPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+){2,}$`)

// codeRepoValidator accepts what the platform accepts as an integration's code location: a URL
// git can clone (https, http, ssh or git, with a host and a path, no password) or
// host/owner/repo such as github.com/company/crm-sync.
type codeRepoValidator struct{}

func (codeRepoValidator) Description(context.Context) string {
	return "must be a repository URL (https://, http://, ssh:// or git://) or host/owner/repo such as github.com/company/crm-sync"
}

func (v codeRepoValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v codeRepoValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	fail := func(what string) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid code repository", fmt.Sprintf("%q %s; the value %s.", raw, what, v.Description(ctx)))
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		fail("contains spaces")
		return
	}
	scheme, _, isURL := strings.Cut(raw, "://")
	if !isURL {
		if !repoPathPattern.MatchString(raw) {
			fail("is not a repository location")
		}
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !slices.Contains([]string{"https", "http", "ssh", "git"}, strings.ToLower(scheme)):
		fail("is not a repository URL git can clone")
	case u.Host == "" || strings.Trim(u.Path, "/") == "":
		fail("names no host or no repository path")
	default:
		if _, hasPassword := u.User.Password(); hasPassword {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid code repository",
				"The repository URL carries a password, which every reader of the integration would see. Leave it out.")
		}
	}
}

// fieldPatternValidator checks a classification field pattern with the platform's own parser.
type fieldPatternValidator struct{}

func (fieldPatternValidator) Description(context.Context) string {
	return "must be a dotted field path; * stands for one segment and ** for any number of segments"
}

func (v fieldPatternValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fieldPatternValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := classification.ValidatePattern(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid field pattern",
			"The "+err.Error()+". Patterns are dotted field paths such as customer.email, with * for one segment "+
				"(customer.*) and ** for any depth (**.ssn); a pattern without a dot matches that field name anywhere.")
	}
}

// classificationMinimumValidator refuses, at plan time, a classification policy whose
// encryption or access is weaker than its level's minimum (the seed table), with the same
// rule the platform applies.
type classificationMinimumValidator struct{}

var _ resource.ConfigValidator = classificationMinimumValidator{}

func (classificationMinimumValidator) Description(context.Context) string {
	return "encryption and access must meet the minimum of the policy's level"
}

func (v classificationMinimumValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (classificationMinimumValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var level, enc, access types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("level"), &level)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("encryption"), &enc)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("access"), &access)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, v := range []types.String{level, enc, access} {
		if v.IsNull() || v.IsUnknown() {
			return
		}
	}
	l := api.ClassificationLevel(level.ValueString())
	if classification.LevelRank(l) < 0 {
		return // the attribute's OneOf reports it
	}
	for _, p := range classification.CheckMinimum(l, api.Encryption(enc.ValueString()), api.AccessRule(access.ValueString())) {
		resp.Diagnostics.AddAttributeError(path.Root(p.Field), "Policy weaker than its level allows",
			fmt.Sprintf("%s. The minimum protection per level is: public none/all; internal at-rest/authenticated; "+
				"confidential at-rest+transit/role-based; restricted at-rest+transit+field-level/need-to-know. "+
				"Strengthen the policy or lower its level.", capitalize(p.Message)))
	}
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// stringsFromSet and stringsFromList read a known collection of strings from a plan or
// config; null or unknown gives nil.
func stringsFromSet(ctx context.Context, v types.Set, diags *diag.Diagnostics) []string {
	var out []string
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

func stringsFromList(ctx context.Context, v types.List, diags *diag.Diagnostics) []string {
	var out []string
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

func stringValues(items []string) []attr.Value {
	elems := make([]attr.Value, len(items))
	for i, s := range items {
		elems[i] = types.StringValue(s)
	}
	return elems
}

// stringSet and stringList map API string slices to state; nil is an empty collection.
func stringSet(items []string) types.Set {
	return types.SetValueMust(types.StringType, stringValues(items))
}

func stringList(items []string) types.List {
	return types.ListValueMust(types.StringType, stringValues(items))
}

// applicationIDValue maps an API application id to state: "" (platform-wide) is null, so that
// an unset optional application_id matches what the server reads back.
func applicationIDValue(id string) types.String {
	if id == "" {
		return types.StringNull()
	}
	return types.StringValue(id)
}

// caseInsensitiveUniqueValidator refuses a list that repeats a value ignoring case, as the
// platform does for field patterns (which match case-insensitively).
type caseInsensitiveUniqueValidator struct{}

func (caseInsensitiveUniqueValidator) Description(context.Context) string {
	return "must not repeat a value (compared case-insensitively)"
}

func (v caseInsensitiveUniqueValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (caseInsensitiveUniqueValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	first := map[string]int{}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		key := strings.ToLower(s.ValueString())
		if j, dup := first[key]; dup {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Repeated value",
				fmt.Sprintf("%q repeats element %d of the list (patterns are compared case-insensitively); list each once.",
					s.ValueString(), j))
			continue
		}
		first[key] = i
	}
}
