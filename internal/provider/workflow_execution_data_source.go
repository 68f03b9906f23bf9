package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*workflowExecutionDataSource)(nil)

// NewWorkflowExecutionDataSource is the lowcode_workflow_execution data source.
func NewWorkflowExecutionDataSource() datasource.DataSource { return &workflowExecutionDataSource{} }

type workflowExecutionDataSource struct {
	client *client.Client
}

type workflowExecutionModel struct {
	ID              types.String         `tfsdk:"id"`
	WorkflowID      types.String         `tfsdk:"workflow_id"`
	WorkflowVersion types.String         `tfsdk:"workflow_version"`
	Status          types.String         `tfsdk:"status"`
	TriggerType     types.String         `tfsdk:"trigger_type"`
	EventID         types.String         `tfsdk:"event_id"`
	Input           types.String         `tfsdk:"input"`
	Output          types.String         `tfsdk:"output"`
	Steps           []executionStepModel `tfsdk:"steps"`
	Error           types.String         `tfsdk:"error"`
	QueuedAt        types.String         `tfsdk:"queued_at"`
	StartedAt       types.String         `tfsdk:"started_at"`
	FinishedAt      types.String         `tfsdk:"finished_at"`
	DurationMs      types.Int64          `tfsdk:"duration_ms"`
	RedactedFields  types.List           `tfsdk:"redacted_fields"`
}

type executionStepModel struct {
	Name       types.String `tfsdk:"name"`
	Type       types.String `tfsdk:"type"`
	Status     types.String `tfsdk:"status"`
	StartedAt  types.String `tfsdk:"started_at"`
	FinishedAt types.String `tfsdk:"finished_at"`
	DurationMs types.Int64  `tfsdk:"duration_ms"`
	Output     types.String `tfsdk:"output"`
	Error      types.String `tfsdk:"error"`
}

func (d *workflowExecutionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workflow_execution"
}

func (d *workflowExecutionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	ms := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one execution of a workflow: its status, its input and output, what each step " +
			"did and how long it took. Fields whose classification the API key's access does not meet are masked " +
			"(`[REDACTED]`) and listed in `redacted_fields`. Executions start when a workflow is triggered (the " +
			"`lowcode_workflow_trigger` action, an event or a schedule).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the execution to read, such as `exe_0193…`.",
				Required:            true,
			},
			"workflow_id":      str("The workflow that ran."),
			"workflow_version": str("The version of the workflow that ran."),
			"status":           str("`queued`, `running`, `succeeded`, `failed` or `canceled`."),
			"trigger_type":     str("What started it: `manual`, `event` or `schedule`."),
			"event_id":         str("For event triggers: the event that started it."),
			"input":            str("The document the execution started with, as JSON (decode it with `jsondecode`)."),
			"output":           str("The document after the last step, as JSON; null until the execution finishes."),
			"steps": schema.ListNestedAttribute{
				MarkdownDescription: "What each step did, in order, as far as the execution got.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":        str("The step's name."),
					"type":        str("`validate`, `transform`, `http` or `emit`."),
					"status":      str("`succeeded`, `failed` or `skipped`."),
					"started_at":  str("When the step started (RFC 3339)."),
					"finished_at": str("When the step finished (RFC 3339)."),
					"duration_ms": ms("How long the step took, in milliseconds."),
					"output":      str("What the step produced, as JSON: the HTTP response, the emitted event's id, the fields set."),
					"error":       str("Why the step failed."),
				}},
			},
			"error":       str("Why the execution failed or was canceled, such as `Amount exceeds limit`."),
			"queued_at":   str("When the execution was queued (RFC 3339)."),
			"started_at":  str("When it started running (RFC 3339)."),
			"finished_at": str("When it finished (RFC 3339)."),
			"duration_ms": ms("How long it ran, in milliseconds."),
			"redacted_fields": schema.ListAttribute{
				MarkdownDescription: "The paths of the fields masked for this API key, such as `input.card_number`; empty when nothing is masked.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (d *workflowExecutionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var executionLookup = lookup{Kind: "execution", Title: "Execution",
	Advice: "The API key may also lack the right to read the workflow it belongs to. Check the id."}

func (d *workflowExecutionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg workflowExecutionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	exe := byID(ctx, executionLookup, &resp.Diagnostics, cfg.ID.ValueString(), d.client.GetExecution)
	if exe == nil {
		return
	}
	state := executionFromAPI(exe, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// executionFromAPI is the model of an execution.
func executionFromAPI(e *api.Execution, diags *diag.Diagnostics) workflowExecutionModel {
	m := workflowExecutionModel{
		ID:              types.StringValue(e.ID),
		WorkflowID:      types.StringValue(e.WorkflowID),
		WorkflowVersion: types.StringValue(e.WorkflowVersion),
		Status:          types.StringValue(string(e.Status)),
		TriggerType:     types.StringValue(string(e.TriggerType)),
		EventID:         stringOrNull(e.EventID),
		Input:           jsonString(e.Input, diags),
		Output:          types.StringNull(),
		Error:           stringOrNull(e.Error),
		QueuedAt:        timeString(e.QueuedAt),
		StartedAt:       timePtrString(e.StartedAt),
		FinishedAt:      timePtrString(e.FinishedAt),
		DurationMs:      types.Int64PointerValue(e.DurationMs),
		Steps:           make([]executionStepModel, len(e.Steps)),
	}
	if e.Output != nil {
		m.Output = jsonString(*e.Output, diags)
	}
	for i, s := range e.Steps {
		m.Steps[i] = executionStepModel{
			Name:       types.StringValue(s.Name),
			Type:       types.StringValue(string(s.Type)),
			Status:     types.StringValue(string(s.Status)),
			StartedAt:  timePtrString(s.StartedAt),
			FinishedAt: timePtrString(s.FinishedAt),
			DurationMs: types.Int64PointerValue(s.DurationMs),
			Output:     types.StringNull(),
			Error:      stringOrNull(s.Error),
		}
		if s.Output != nil {
			m.Steps[i].Output = jsonString(s.Output, diags)
		}
	}
	redacted := []attr.Value{}
	if e.RedactedFields != nil {
		for _, f := range *e.RedactedFields {
			redacted = append(redacted, types.StringValue(f))
		}
	}
	m.RedactedFields = types.ListValueMust(types.StringType, redacted)
	return m
}

// jsonString is v as compact JSON.
func jsonString(v any, diags *diag.Diagnostics) types.String {
	b, err := json.Marshal(v)
	if err != nil {
		diags.AddError("Cannot encode a document as JSON", err.Error())
		return types.StringNull()
	}
	return types.StringValue(string(b))
}

func timePtrString(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return timeString(*t)
}
