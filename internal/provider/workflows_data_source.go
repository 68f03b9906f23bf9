package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*workflowsDataSource)(nil)

// NewWorkflowsDataSource is the lowcode_workflows data source.
func NewWorkflowsDataSource() datasource.DataSource { return &workflowsDataSource{} }

type workflowsDataSource struct {
	client *client.Client
}

type workflowsDataSourceModel struct {
	ApplicationID types.String     `tfsdk:"application_id"`
	Name          types.String     `tfsdk:"name"`
	Enabled       types.Bool       `tfsdk:"enabled"`
	Workflows     []workflowFields `tfsdk:"workflows"`
}

func (d *workflowsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workflows"
}

func (d *workflowsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the workflows the API key may read, narrowed by any of the filters: for example " +
			"every workflow of an application, or the ones that are switched off.",
		Attributes: map[string]schema.Attribute{
			"application_id": schema.StringAttribute{
				MarkdownDescription: "Only the workflows of this application (`app_…`).",
				Optional:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Only the workflows with this name (one per application).",
				Optional:            true,
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Only the enabled (`true`) or the disabled (`false`) workflows.",
				Optional:            true,
			},
			"workflows": schema.ListNestedAttribute{
				MarkdownDescription: "The matching workflows, oldest first.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: workflowDataAttributes()},
			},
		},
	}
}

func (d *workflowsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *workflowsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg workflowsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.WorkflowFilter{ApplicationID: cfg.ApplicationID.ValueString(), Name: cfg.Name.ValueString(), Enabled: boolPtr(cfg.Enabled)}
	enabled := ""
	if filter.Enabled != nil {
		enabled = strconv.FormatBool(*filter.Enabled)
	}
	described := describeFilter("application_id", filter.ApplicationID, "name", filter.Name, "enabled", enabled)
	tflog.Debug(ctx, "listing workflows", map[string]any{"filter": described})
	found, err := client.Collect(d.client.ListWorkflows(ctx, filter))
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opList, "workflows", "workflows"+described, err)
		return
	}
	cfg.Workflows = make([]workflowFields, len(found))
	for i := range found {
		cfg.Workflows[i].fromAPI(&found[i])
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
