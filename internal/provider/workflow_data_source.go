package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*workflowDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*workflowDataSource)(nil)
)

// NewWorkflowDataSource is the lowcode_workflow data source.
func NewWorkflowDataSource() datasource.DataSource { return &workflowDataSource{} }

type workflowDataSource struct {
	client *client.Client
}

func (d *workflowDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workflow"
}

func (d *workflowDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := workflowDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The id of the workflow to read, such as `wf_0193…`. Give either `id`, or `application_id` and `name`.",
		Optional:            true,
		Computed:            true,
	}
	attrs["application_id"] = schema.StringAttribute{
		MarkdownDescription: "The application of the workflow to read by `name`.",
		Optional:            true,
		Computed:            true,
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The name of the workflow to read; names are unique within an application, so give `application_id` too.",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one workflow, by id or by application and name: its trigger, its steps and the " +
			"version that is live, for example to trigger it, monitor it or grant roles on it from another configuration.",
		Attributes: attrs,
	}
}

func (d *workflowDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("name"), path.MatchRoot("application_id")),
	}
}

func (d *workflowDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var workflowLookup = lookup{Kind: "workflow", Title: "Workflow",
	Advice: "The API key may also lack the right to read it. Check the id, or the application and name; " +
		"the lowcode_workflows data source lists the workflows the key may read."}

func (d *workflowDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !clientReady(d.client, &resp.Diagnostics) {
		return
	}
	var cfg workflowFields
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var wf *api.Workflow
	if !cfg.ID.IsNull() {
		wf = byID(ctx, workflowLookup, &resp.Diagnostics, cfg.ID.ValueString(), d.client.GetWorkflow)
	} else {
		appID, name := cfg.ApplicationID.ValueString(), cfg.Name.ValueString()
		tflog.Debug(ctx, "looking up workflow by name", map[string]any{"application_id": appID, "name": name})
		wf = onlyMatch(workflowLookup, &resp.Diagnostics, path.Root("name"), fmt.Sprintf("named %q in application %s", name, appID),
			d.client.ListWorkflows(ctx, client.WorkflowFilter{ApplicationID: appID, Name: name}))
	}
	if wf == nil {
		return
	}
	var state workflowFields
	state.fromAPI(wf)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// workflowDataAttributes are a workflow's attributes in the data sources, all computed.
func workflowDataAttributes() map[string]schema.Attribute {
	str := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	nested := func(description string, attrs map[string]schema.Attribute) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{MarkdownDescription: description, Computed: true, Attributes: attrs}
	}
	return map[string]schema.Attribute{
		"id":             str("The platform's id for the workflow, such as `wf_0193…`."),
		"application_id": str("The id of the application the workflow belongs to."),
		"name":           str("The workflow's name, unique within its application."),
		"version":        str("The workflow's semantic version, such as `1.5.2`: the version that runs now."),
		"description":    str("What the workflow does; may be empty."),
		"enabled": schema.BoolAttribute{
			MarkdownDescription: "Whether the workflow runs. A disabled workflow ignores its trigger and refuses to be triggered.",
			Computed:            true,
		},
		"trigger": nested(workflowTriggerDescription, map[string]schema.Attribute{
			"type":       str(triggerTypeDescription),
			"event_type": str("For `event` triggers: the event type that starts the workflow, such as `order.created`."),
			"cron":       str("For `schedule` triggers: the schedule, in UTC, such as `0 6 * * 1-5`."),
		}),
		"steps": schema.ListNestedAttribute{
			MarkdownDescription: "The steps, run in order over the execution's document; the first failing step ends the execution.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": str("The step's name, unique within the workflow."),
				"type": str("`validate`, `transform`, `http` or `emit`; the settings attribute of the same name is set."),
				"validate": nested(validateDescription, map[string]schema.Attribute{
					"expression": str("A boolean expression over the document's fields, such as `amount <= 10000`."),
					"message":    str(validateMessageDescription),
				}),
				"transform": nested(transformDescription, map[string]schema.Attribute{
					"set": schema.ListNestedAttribute{
						MarkdownDescription: "The assignments, in order.",
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"field":      str(transformFieldDesc),
							"expression": str("The value, an expression over the document such as `quantity * unit_price`."),
						}},
					},
				}),
				"http": nested(httpDescription, map[string]schema.Attribute{
					"method": str(httpMethodDescription),
					"url":    str("The URL called."),
					"headers": schema.MapAttribute{
						MarkdownDescription: "The plain request headers. Secret headers (credentials) are never returned.",
						ElementType:         types.StringType,
						Computed:            true,
					},
					"body": str("The expression whose value is sent as the JSON body; null sends the whole document."),
					"timeout_ms": schema.Int64Attribute{
						MarkdownDescription: "How long the call may take, in milliseconds; null means the platform's default (10000).",
						Computed:            true,
					},
					"result_field": str("Where the response is saved in the document; null means the step's name."),
				}),
				"emit": nested(emitDescription, map[string]schema.Attribute{
					"event_type": str(emitEventTypeDescription),
					"data":       str(emitDataDescription),
				}),
			}},
		},
		"etag":          str("The workflow's current version tag; it changes on every change."),
		"created_at":    str("When the workflow was created (RFC 3339)."),
		"last_modified": str("When the workflow last changed (RFC 3339)."),
	}
}
