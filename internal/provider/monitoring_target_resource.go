package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*monitoringTargetResource)(nil)
	_ resource.ResourceWithImportState      = (*monitoringTargetResource)(nil)
	_ resource.ResourceWithIdentity         = (*monitoringTargetResource)(nil)
	_ resource.ResourceWithConfigValidators = (*monitoringTargetResource)(nil)
)

// NewMonitoringTargetResource is the lowcode_monitoring_target resource.
func NewMonitoringTargetResource() resource.Resource { return &monitoringTargetResource{} }

type monitoringTargetResource struct {
	client *client.Client
}

// monitoringTargetFields are the attributes lowcode_monitoring_target shares with the
// lowcode_monitoring_target data source.
type monitoringTargetFields struct {
	ID               types.String  `tfsdk:"id"`
	WorkflowID       types.String  `tfsdk:"workflow_id"`
	MinSuccessRate   types.Float64 `tfsdk:"min_success_rate"`
	MaxAvgDurationMs types.Int64   `tfsdk:"max_avg_duration_ms"`
	MaxP99LatencyMs  types.Int64   `tfsdk:"max_p99_latency_ms"`
	MaxErrorRate     types.Float64 `tfsdk:"max_error_rate"`
	Alerts           types.Bool    `tfsdk:"alerts"`
	ETag             types.String  `tfsdk:"etag"`
	UpdatedAt        types.String  `tfsdk:"updated_at"`
}

type monitoringTargetModel struct {
	monitoringTargetFields
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// monitoringThresholds are the attributes of which a target needs at least one.
var monitoringThresholds = []string{"min_success_rate", "max_avg_duration_ms", "max_p99_latency_ms", "max_error_rate"}

func (r *monitoringTargetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_target"
}

func (r *monitoringTargetResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("monitoring target")
}

func (r *monitoringTargetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The monitoring target of a workflow: thresholds its executions should meet, such as " +
			"\"at least 99% succeed\" or \"p99 latency under 500 ms\". The platform compares them with the workflow's " +
			"metrics (see the `lowcode_workflow_metrics` data source) and, with `alerts`, publishes a " +
			"`monitoring.target_breached` event when one is breached, which webhooks and event-triggered workflows " +
			"can forward to on-call tools. The check runs as each execution finishes, over the last hour; the event " +
			"is published once when a threshold goes from met to breached (its data names the workflow, the " +
			"`newly_breached` metrics, every breach with its threshold and actual value, and the figures), and again " +
			"only after the threshold has been met in between. " +
			"A workflow has at most one target; set at least one threshold. Import by the workflow's id.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The same as `workflow_id`: a workflow has one target.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"workflow_id": schema.StringAttribute{
				MarkdownDescription: "The id of the workflow the target is for, such as `wf_0193…`. Changing it replaces the target.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, 64)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"min_success_rate": schema.Float64Attribute{
				MarkdownDescription: "The lowest acceptable share of finished executions that succeed, in percent (0-100), such as `99`.",
				Optional:            true,
				Validators:          []validator.Float64{float64validator.Between(0, 100)},
			},
			"max_avg_duration_ms": schema.Int64Attribute{
				MarkdownDescription: "The highest acceptable average execution duration, in milliseconds, such as `30000`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"max_p99_latency_ms": schema.Int64Attribute{
				MarkdownDescription: "The highest acceptable 99th-percentile execution duration, in milliseconds, such as `500`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"max_error_rate": schema.Float64Attribute{
				MarkdownDescription: "The highest acceptable share of finished executions that fail, in percent (0-100), such as `0.1`.",
				Optional:            true,
				Validators:          []validator.Float64{float64validator.Between(0, 100)},
			},
			"alerts": schema.BoolAttribute{
				MarkdownDescription: "Whether the platform publishes a `monitoring.target_breached` event when a threshold " +
					"becomes breached. Defaults to `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the target the provider last read; sent as `If-Match` so that a " +
					"change made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the target last changed (RFC 3339).",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

func (r *monitoringTargetResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	paths := make([]path.Expression, len(monitoringThresholds))
	for i, name := range monitoringThresholds {
		paths[i] = path.MatchRoot(name)
	}
	return []resource.ConfigValidator{resourcevalidator.AtLeastOneOf(paths...)}
}

func (r *monitoringTargetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *monitoringTargetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan monitoringTargetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	workflowID := plan.WorkflowID.ValueString()
	object := "monitoring target of workflow " + workflowID
	// PUT creates or replaces: look first, so that a target someone else manages is not
	// silently taken over.
	existing, err := r.client.GetMonitoringTarget(ctx, workflowID)
	switch {
	case err == nil:
		resp.Diagnostics.AddError("Error creating monitoring target",
			object+": the workflow already has a monitoring target (etag "+existing.Etag+"). Bring it under Terraform "+
				"with `terraform import lowcode_monitoring_target.<name> "+workflowID+"`, or remove it first.")
		return
	case !errors.Is(err, client.ErrNotFound):
		apiErrorDiag(&resp.Diagnostics, opCreate, "monitoring target", object, err)
		return
	}
	tflog.Debug(ctx, "creating monitoring target", map[string]any{"workflow_id": workflowID})
	mt, err := r.client.PutMonitoringTarget(ctx, workflowID, "", plan.toAPI())
	if err != nil {
		// The target's id is its workflow's, known before the PUT.
		err = client.UnknownOutcome(workflowID, err)
		keepUnknownOutcome(ctx, resp, err)
		apiErrorDiag(&resp.Diagnostics, opCreate, "monitoring target", object, err)
		return
	}
	plan.fromAPI(mt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *monitoringTargetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state monitoringTargetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	mt, err := r.client.GetMonitoringTarget(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "monitoring target (or its workflow)", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "monitoring target", "monitoring target of workflow "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(mt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *monitoringTargetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state monitoringTargetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	mt, err := r.client.PutMonitoringTarget(ctx, state.ID.ValueString(), state.ETag.ValueString(), plan.toAPI())
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opUpdate, "monitoring target", "monitoring target of workflow "+state.ID.ValueString(), err)
		return
	}
	plan.fromAPI(mt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *monitoringTargetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state monitoringTargetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	err := r.client.DeleteMonitoringTarget(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, opDelete, "monitoring target", "monitoring target of workflow "+state.ID.ValueString(), err)
	}
}

// ImportState takes the workflow's id, which is also the target's.
func (r *monitoringTargetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp, "workflow", "wf_")
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("workflow_id"), req.ID)...)
}

func (m *monitoringTargetModel) toAPI() api.MonitoringTargetInput {
	return api.MonitoringTargetInput{
		MinSuccessRate:   float64Ptr(m.MinSuccessRate),
		MaxAvgDurationMs: int64Ptr(m.MaxAvgDurationMs),
		MaxP99LatencyMs:  int64Ptr(m.MaxP99LatencyMs),
		MaxErrorRate:     float64Ptr(m.MaxErrorRate),
		Alerts:           boolPtr(m.Alerts),
	}
}

func (m *monitoringTargetFields) fromAPI(mt *api.MonitoringTarget) {
	m.ID = types.StringValue(mt.WorkflowID)
	m.WorkflowID = types.StringValue(mt.WorkflowID)
	m.MinSuccessRate = types.Float64PointerValue(mt.MinSuccessRate)
	m.MaxAvgDurationMs = types.Int64PointerValue(mt.MaxAvgDurationMs)
	m.MaxP99LatencyMs = types.Int64PointerValue(mt.MaxP99LatencyMs)
	m.MaxErrorRate = types.Float64PointerValue(mt.MaxErrorRate)
	m.Alerts = types.BoolValue(mt.Alerts)
	m.ETag = types.StringValue(mt.Etag)
	m.UpdatedAt = timeString(mt.UpdatedAt)
}

func float64Ptr(v types.Float64) *float64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	f := v.ValueFloat64()
	return &f
}

func int64Ptr(v types.Int64) *int64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := v.ValueInt64()
	return &n
}
