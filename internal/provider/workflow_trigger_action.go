package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ action.ActionWithConfigure = (*workflowTriggerAction)(nil)

// NewWorkflowTriggerAction is the lowcode_workflow_trigger action.
func NewWorkflowTriggerAction() action.Action {
	return &workflowTriggerAction{pollEvery: 250 * time.Millisecond}
}

type workflowTriggerAction struct {
	client    *client.Client
	pollEvery time.Duration
}

type workflowTriggerModel struct {
	WorkflowID types.String `tfsdk:"workflow_id"`
	Input      types.String `tfsdk:"input"`
	Wait       types.Bool   `tfsdk:"wait"`
	Timeout    types.String `tfsdk:"timeout"`
}

const defaultTriggerTimeout = 5 * time.Minute

func (a *workflowTriggerAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workflow_trigger"
}

func (a *workflowTriggerAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Triggers a workflow by hand, with an input document, and optionally waits for the " +
			"execution to finish: for example after an apply that changed the workflow, as a smoke test, or to run a " +
			"one-off job from `terraform apply -invoke=action.lowcode_workflow_trigger.<name>`. Needs Terraform 1.14 or " +
			"newer. Each invocation starts one execution (a retried request never starts a second); read it afterwards " +
			"with the `lowcode_workflow_execution` data source. A disabled workflow refuses to be triggered.",
		Attributes: map[string]schema.Attribute{
			"workflow_id": schema.StringAttribute{
				MarkdownDescription: "The id of the workflow to trigger, such as `wf_0193…`.",
				Required:            true,
			},
			"input": schema.StringAttribute{
				MarkdownDescription: "The document the steps run over, as a JSON object (use `jsonencode`), such as " +
					"`jsonencode({ order_id = \"ord-1\", amount = 250 })`. Defaults to `{}`.",
				Optional:   true,
				Validators: []validator.String{jsonObjectValidator{}},
			},
			"wait": schema.BoolAttribute{
				MarkdownDescription: "Wait for the execution to finish, and fail if it fails or is canceled, with its " +
					"error (such as `Amount exceeds limit`). Defaults to `false`: the action ends once the execution is queued.",
				Optional: true,
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: "With `wait`, how long to wait, as a duration such as `30s` or `10m`. Defaults to `5m`. " +
					"The execution goes on running when the wait ends.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
		},
	}
}

func (a *workflowTriggerAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (a *workflowTriggerAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg workflowTriggerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := cfg.WorkflowID.ValueString()
	input := map[string]any{}
	if raw := cfg.Input.ValueString(); raw != "" {
		var err error
		if input, err = decodeJSONObject(raw); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("input"), "Invalid JSON object", "input must be a JSON object: "+err.Error())
			return
		}
	}
	timeout := defaultTriggerTimeout
	if raw := cfg.Timeout.ValueString(); raw != "" {
		timeout, _ = time.ParseDuration(raw) // validated at plan time
	}

	tflog.Debug(ctx, "triggering workflow", map[string]any{"workflow_id": id, "wait": cfg.Wait.ValueBool()})
	started, err := a.client.TriggerWorkflow(ctx, id, api.TriggerRequest{Input: &input})
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opTrigger, "workflow", "workflow "+id, err)
		return
	}
	progress(resp, "Workflow %s triggered: execution %s is %s.", id, started.ExecutionID, started.Status)
	if !cfg.Wait.ValueBool() {
		return
	}
	a.wait(ctx, resp, id, started.ExecutionID, timeout)
}

// wait polls the execution until it finishes or timeout passes, reporting each status change.
func (a *workflowTriggerAction) wait(ctx context.Context, resp *action.InvokeResponse, workflowID, executionID string, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := api.ExecutionStatus("")
	tick := time.NewTicker(a.pollEvery)
	defer tick.Stop()
	for {
		exe, err := a.client.GetExecution(ctx, executionID)
		if err != nil && ctx.Err() == nil {
			apiErrorDiag(&resp.Diagnostics, opRead, "execution", "execution "+executionID+" of workflow "+workflowID, err)
			return
		}
		if exe != nil && exe.Status != last {
			last = exe.Status
			switch exe.Status {
			case api.ExecutionStatusSucceeded:
				progress(resp, "Execution %s of workflow %s succeeded in %d ms.", executionID, workflowID, deref(exe.DurationMs))
				return
			case api.ExecutionStatusFailed, api.ExecutionStatusCanceled:
				resp.Diagnostics.AddError("Workflow execution "+string(exe.Status),
					fmt.Sprintf("Execution %s of workflow %s %s: %s. The lowcode_workflow_execution data source shows what each step did.",
						executionID, workflowID, exe.Status, stringOrDefault(exe.Error, "no error was recorded")))
				return
			default:
				progress(resp, "Execution %s of workflow %s is %s.", executionID, workflowID, exe.Status)
			}
		}
		select {
		case <-ctx.Done():
			resp.Diagnostics.AddError("Timed out waiting for the workflow execution",
				fmt.Sprintf("Execution %s of workflow %s was still %s after %s; it goes on running. Raise `timeout`, or read it later "+
					"with the lowcode_workflow_execution data source.", executionID, workflowID, last, timeout))
			return
		case <-tick.C:
		}
	}
}

func progress(resp *action.InvokeResponse, format string, args ...any) {
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
	}
}
