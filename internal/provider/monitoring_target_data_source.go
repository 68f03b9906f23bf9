package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*monitoringTargetDataSource)(nil)

// NewMonitoringTargetDataSource is the lowcode_monitoring_target data source.
func NewMonitoringTargetDataSource() datasource.DataSource { return &monitoringTargetDataSource{} }

type monitoringTargetDataSource struct {
	client *client.Client
}

func (d *monitoringTargetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_monitoring_target"
}

func (d *monitoringTargetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the monitoring target of a workflow: the thresholds its executions should meet. " +
			"A workflow has at most one target; the `lowcode_workflow_metrics` data source compares them with the actual figures.",
		Attributes: map[string]schema.Attribute{
			"workflow_id": schema.StringAttribute{
				MarkdownDescription: "The id of the workflow whose target to read, such as `wf_0193…`.",
				Required:            true,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The same as `workflow_id`: a workflow has one target.",
				Computed:            true,
			},
			"min_success_rate": schema.Float64Attribute{
				MarkdownDescription: "The lowest acceptable share of finished executions that succeed, in percent; null when not set.",
				Computed:            true,
			},
			"max_avg_duration_ms": schema.Int64Attribute{
				MarkdownDescription: "The highest acceptable average execution duration, in milliseconds; null when not set.",
				Computed:            true,
			},
			"max_p99_latency_ms": schema.Int64Attribute{
				MarkdownDescription: "The highest acceptable 99th-percentile execution duration, in milliseconds; null when not set.",
				Computed:            true,
			},
			"max_error_rate": schema.Float64Attribute{
				MarkdownDescription: "The highest acceptable share of finished executions that fail, in percent; null when not set.",
				Computed:            true,
			},
			"alerts": schema.BoolAttribute{
				MarkdownDescription: "Whether the platform publishes a `monitoring.target_breached` event when a threshold is breached.",
				Computed:            true,
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The target's version tag.",
				Computed:            true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the target last changed (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *monitoringTargetDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var monitoringTargetLookup = lookup{Kind: "monitoring target", Title: "Monitoring target",
	Advice: "Either the workflow has no monitoring target, or it does not exist, or the API key may not read it. " +
		"Check the workflow id; lowcode_workflows lists the workflows the key may read."}

func (d *monitoringTargetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg monitoringTargetFields
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	mt := byIDAt(ctx, monitoringTargetLookup, &resp.Diagnostics, "workflow_id", cfg.WorkflowID.ValueString(), d.client.GetMonitoringTarget)
	if mt == nil {
		return
	}
	var state monitoringTargetFields
	state.fromAPI(mt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
