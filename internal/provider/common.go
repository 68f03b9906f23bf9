package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// clientFrom unpacks the provider's Configure data in a resource's or data source's Configure.
// Nil data means the provider is not configured yet (validation), which is not an error.
func clientFrom(data any, diags *diag.Diagnostics) *client.Client {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd.client
}

// operation is what a failed API call was doing. The diagnostic's summary reads "Error
// <operation> <kind>", and the advice depends on it: a conflict on create is a duplicate to
// import, on anything else the platform refusing.
type operation string

const (
	opCreate   operation = "creating"
	opRead     operation = "reading"
	opUpdate   operation = "updating"
	opDelete   operation = "deleting"
	opList     operation = "listing"
	opImport   operation = "importing"
	opClassify operation = "classifying"
	opIssue    operation = "issuing"
	opRevoke   operation = "revoking"
	opRotate   operation = "rotating"
	opTrigger  operation = "triggering"
)

func (op operation) summary(kind string) string { return "Error " + string(op) + " " + kind }

// apiErrorDiag adds an error diagnostic for a failed API call: the summary says what failed,
// the detail names the object, carries the server's problem detail and says what the user can
// do about it.
func apiErrorDiag(diags *diag.Diagnostics, op operation, kind, object string, err error) {
	summary := op.summary(kind)
	detail := fmt.Sprintf("%s: %s", object, err.Error())
	switch {
	case errors.Is(err, client.ErrConflict) && op == opCreate:
		detail += "\n\nAn object with the same unique fields already exists on the platform. Choose another name, " +
			"or bring the existing object under Terraform with `terraform import` using the conflicting id above."
	case errors.Is(err, client.ErrConflict):
		detail += "\n\nThe platform refused the change because of the object named above; resolve that first."
	case errors.As(err, new(*client.OutcomeUnknownError)):
		detail += "\n\nThe answer to the create never arrived, so it is not known whether the object was made. " +
			"Terraform keeps its id in state, marked tainted: the next plan reads it by that id and replaces it if it " +
			"exists, or creates it if it does not, so no apply makes it twice."
	case errors.Is(err, client.ErrUnconfigured):
		// The error already says what to do.
	case errors.Is(err, client.ErrPreconditionFailed):
		detail += "\n\nThe object was changed outside Terraform since it was last read. Run `terraform plan` " +
			"again to see the change, then apply."
	case errors.Is(err, client.ErrOutOfScope):
		detail += "\n\nThe object exists on the platform, but this API key may not read it; the platform names the role it " +
			"needs above. Terraform keeps it in state unchanged. Use a key that holds that role, or stop managing the " +
			"object from this configuration with a `removed` block (or `terraform state rm`)."
	case errors.Is(err, client.ErrForbidden):
		detail += "\n\nThe API key's user lacks the role this needs. Ask a platform admin for a role assignment."
	case errors.Is(err, client.ErrUnauthorized):
		detail += "\n\nThe API key was refused. Check `api_key` or " + EnvAPIKey + "."
	case errors.Is(err, context.DeadlineExceeded):
		detail += "\n\nThe operation timed out. Raise the resource's `timeouts` or the provider's `request_timeout`."
	}
	diags.AddError(summary, detail)
}

// keepUnknownOutcome handles a create whose answer was lost. The client chose the new object's
// id before sending (see internal/client/create.go), so the object, if it was made, has that
// id: the state records it, which makes Terraform keep the resource as tainted (a create that
// returns an error with a state). The next plan reads the object by that id and replaces it
// if it exists, or forgets it and creates it if it does not: never a second object. Keeping
// the Idempotency-Key in private state instead would depend on the server's 24-hour replay
// window and on the next apply sending the identical body; an id depends on neither.
func keepUnknownOutcome(ctx context.Context, resp *resource.CreateResponse, err error) {
	var unknown *client.OutcomeUnknownError
	if !errors.As(err, &unknown) {
		return
	}
	tflog.Warn(ctx, "the answer to a create was lost; keeping the id it chose as tainted", map[string]any{"id": unknown.ID})
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), unknown.ID)...)
	setIdentity(ctx, resp.Identity, types.StringValue(unknown.ID), &resp.Diagnostics)
}

// timeString renders an API time for state.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

// optionalTime renders an optional API time.
func optionalTime(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return timeString(*t)
}

// stringPtr returns nil for a null or unknown value, for optional API fields.
func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func boolPtr(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

// stringOrNull maps an optional API string to state.
func stringOrNull(p *string) types.String {
	if p == nil {
		return types.StringNull()
	}
	return types.StringValue(*p)
}

// stringMap maps an API string map to state; an absent map is empty, matching the schema
// default of optional map attributes.
func stringMap(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// timeoutsAttribute is every resource's `timeouts` attribute (nested-attribute syntax, which
// terraform-plugin-framework-timeouts recommends for providers written on the framework:
// `timeouts = { create = "10m" }`), with a description for the docs.
func timeoutsAttribute(ctx context.Context, update bool) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: update, Delete: true})
	a, ok := attr.(schema.SingleNestedAttribute)
	if !ok {
		// A newer terraform-plugin-framework-timeouts with another attribute type: keep it
		// without the description; regenerated docs/ then differ and CI's docs check says so.
		return attr
	}
	ops := "create and delete"
	if update {
		ops = "create, update and delete"
	}
	a.MarkdownDescription = "How long Terraform waits for the platform to " + ops + " this object, each a duration such as `\"30s\"` or `\"10m\"` " +
		fmt.Sprintf("(default: %d minutes each). Retries of a failed request count towards it.", int(defaultCreateTimeout.Minutes()))
	return a
}

// withTimeout bounds an operation by the resource's `timeouts` value for it (get is, say,
// plan.Timeouts.Create), or def when the configuration sets none. ok is false when the value
// could not be read, with the reason in diags; otherwise the caller must call cancel.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, ok bool) {
	timeout, d := get(ctx, def)
	diags.Append(d...)
	if d.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel = context.WithTimeout(ctx, timeout)
	return ctx, cancel, true
}
