package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*workflowMetricsDataSource)(nil)

// NewWorkflowMetricsDataSource is the lowcode_workflow_metrics data source.
func NewWorkflowMetricsDataSource() datasource.DataSource { return &workflowMetricsDataSource{} }

type workflowMetricsDataSource struct {
	client *client.Client
}

// The platform's metrics windows.
const (
	defaultMetricsWindow = "24h"
	minMetricsWindow     = time.Minute
	maxMetricsWindow     = 720 * time.Hour
)

type workflowMetricsModel struct {
	WorkflowID    types.String  `tfsdk:"workflow_id"`
	Window        types.String  `tfsdk:"window"`
	Executions    types.Int64   `tfsdk:"executions"`
	Succeeded     types.Int64   `tfsdk:"succeeded"`
	Failed        types.Int64   `tfsdk:"failed"`
	SuccessRate   types.Float64 `tfsdk:"success_rate"`
	AvgDurationMs types.Float64 `tfsdk:"avg_duration_ms"`
	P99DurationMs types.Float64 `tfsdk:"p99_duration_ms"`
	ErrorRate     types.Float64 `tfsdk:"error_rate"`
	Breaches      []breachModel `tfsdk:"breaches"`
}

type breachModel struct {
	Metric    types.String  `tfsdk:"metric"`
	Threshold types.Float64 `tfsdk:"threshold"`
	Actual    types.Float64 `tfsdk:"actual"`
}

func (d *workflowMetricsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workflow_metrics"
}

func (d *workflowMetricsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	num := func(description string) schema.Float64Attribute {
		return schema.Float64Attribute{MarkdownDescription: description, Computed: true}
	}
	count := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "How a workflow has been doing over a recent window: its finished executions, success and " +
			"error rates, average and 99th-percentile durations, and which thresholds of its monitoring target " +
			"(`lowcode_monitoring_target`) are breached. The figures for the default `24h` window are also on the platform's " +
			"`/metrics` for Prometheus, labelled by `workflow_id` and `window`: `lowcode_workflow_executions`, " +
			"`lowcode_workflow_success_rate_percent`, `lowcode_workflow_error_rate_percent`, " +
			"`lowcode_workflow_avg_duration_milliseconds`, `lowcode_workflow_p99_duration_milliseconds` and " +
			"`lowcode_workflow_target_breached` (1 or 0 for each threshold, named by `metric`).",
		Attributes: map[string]schema.Attribute{
			"workflow_id": schema.StringAttribute{
				MarkdownDescription: "The id of the workflow, such as `wf_0193…`.",
				Required:            true,
			},
			"window": schema.StringAttribute{
				MarkdownDescription: "How far back to look: a duration from `1m` to `720h`, such as `15m`, `1h` or `24h`. Defaults to `24h`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{metricsWindowValidator{}},
			},
			"executions":      count("Executions that finished in the window."),
			"succeeded":       count("Of those, how many succeeded."),
			"failed":          count("Of those, how many failed."),
			"success_rate":    num("Percent of finished executions that succeeded (100 when there were none)."),
			"avg_duration_ms": num("Average duration of the finished executions, in milliseconds."),
			"p99_duration_ms": num("99th-percentile duration of the finished executions, in milliseconds."),
			"error_rate":      num("Percent of finished executions that failed."),
			"breaches": schema.ListNestedAttribute{
				MarkdownDescription: "The monitoring target's thresholds that the figures breach; empty when none is, or the workflow has no target.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"metric": schema.StringAttribute{
						MarkdownDescription: "`success_rate`, `avg_duration_ms`, `p99_latency_ms` or `error_rate`.",
						Computed:            true,
					},
					"threshold": num("The target's threshold."),
					"actual":    num("The measured value."),
				}},
			},
		},
	}
}

func (d *workflowMetricsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var workflowMetricsLookup = lookup{Kind: "workflow", Title: "Workflow",
	Advice: "The API key may also lack the right to read it. Check the workflow id; lowcode_workflows lists the workflows the key may read."}

func (d *workflowMetricsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg workflowMetricsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	window := stringOr(cfg.Window, defaultMetricsWindow)
	m := byIDAt(ctx, workflowMetricsLookup, &resp.Diagnostics, "workflow_id", cfg.WorkflowID.ValueString(),
		func(ctx context.Context, id string) (*api.WorkflowMetrics, error) {
			return d.client.GetWorkflowMetrics(ctx, id, window)
		})
	if m == nil {
		return
	}
	state := workflowMetricsModel{
		WorkflowID:    types.StringValue(m.WorkflowID),
		Window:        types.StringValue(m.Window),
		Executions:    types.Int64Value(m.Executions),
		Succeeded:     types.Int64Value(m.Succeeded),
		Failed:        types.Int64Value(m.Failed),
		SuccessRate:   types.Float64Value(m.SuccessRate),
		AvgDurationMs: types.Float64Value(m.AvgDurationMs),
		P99DurationMs: types.Float64Value(m.P99DurationMs),
		ErrorRate:     types.Float64Value(m.ErrorRate),
		Breaches:      make([]breachModel, len(m.Breaches)),
	}
	for i, b := range m.Breaches {
		state.Breaches[i] = breachModel{Metric: types.StringValue(string(b.Metric)), Threshold: types.Float64Value(b.Threshold), Actual: types.Float64Value(b.Actual)}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
