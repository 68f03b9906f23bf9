package provider

// Operation timeouts: every resource's `timeouts` attribute, its defaults, and the bound it
// puts on a create, update or delete.

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Default operation timeouts; each resource's `timeouts` attribute can change them.
const (
	defaultCreateTimeout = 5 * time.Minute
	defaultUpdateTimeout = 5 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

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
