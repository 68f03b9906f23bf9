package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*applicationsDataSource)(nil)

// NewApplicationsDataSource is the lowcode_applications data source.
func NewApplicationsDataSource() datasource.DataSource { return &applicationsDataSource{} }

type applicationsDataSource struct {
	client *client.Client
}

type applicationsDataSourceModel struct {
	Name         types.String           `tfsdk:"name"`
	Environment  types.String           `tfsdk:"environment"`
	Applications []applicationDataModel `tfsdk:"applications"`
}

// applicationDataModel is an application as the data sources show it (the resource's
// attributes without etag and timeouts).
type applicationDataModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Environment types.String `tfsdk:"environment"`
	Version     types.String `tfsdk:"version"`
	Description types.String `tfsdk:"description"`
	Labels      types.Map    `tfsdk:"labels"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
}

func (d *applicationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_applications"
}

func (d *applicationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the applications the API key may read, narrowed by name and environment.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only applications with this exact name.",
				Optional:            true,
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "Only applications in this environment: `development`, `staging` or `production`.",
				Optional:            true,
				Validators:          []validator.String{environmentValidator()},
			},
			"applications": schema.ListNestedAttribute{
				MarkdownDescription: "The matching applications, oldest first.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: applicationDataAttributes()},
			},
		},
	}
}

// applicationDataAttributes are an application's attributes, all computed, for the data sources.
func applicationDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The platform's id for the application, such as `app_0193…`.",
			Computed:            true,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The application's name, unique within its environment.",
			Computed:            true,
		},
		"environment": schema.StringAttribute{
			MarkdownDescription: "Where the application runs: `development`, `staging` or `production`.",
			Computed:            true,
		},
		"version": schema.StringAttribute{
			MarkdownDescription: "The application's semantic version, such as `2.3.0`.",
			Computed:            true,
		},
		"description": schema.StringAttribute{
			MarkdownDescription: "What the application is for; may be empty.",
			Computed:            true,
		},
		"labels": schema.MapAttribute{
			MarkdownDescription: "The application's key/value labels.",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When the application was created (RFC 3339).",
			Computed:            true,
		},
		"updated_at": schema.StringAttribute{
			MarkdownDescription: "When the application last changed (RFC 3339).",
			Computed:            true,
		},
	}
}

func (d *applicationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *applicationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg applicationsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.ApplicationFilter{Name: cfg.Name.ValueString(), Environment: api.Environment(cfg.Environment.ValueString())}
	described := describeFilter("name", filter.Name, "environment", string(filter.Environment))
	tflog.Debug(ctx, "listing applications", map[string]any{"filter": described})
	apps, err := client.Collect(d.client.ListApplications(ctx, filter))
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opList, "applications", "applications"+described, err)
		return
	}
	cfg.Applications = make([]applicationDataModel, 0, len(apps))
	for _, app := range apps {
		cfg.Applications = append(cfg.Applications, applicationData(&app))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func applicationData(app *api.Application) applicationDataModel {
	return applicationDataModel{
		ID:          types.StringValue(app.ID),
		Name:        types.StringValue(app.Name),
		Environment: types.StringValue(string(app.Environment)),
		Version:     types.StringValue(app.Version),
		Description: types.StringValue(app.Description),
		Labels:      stringMap(app.Labels),
		CreatedAt:   timeString(app.CreatedAt),
		UpdatedAt:   timeString(app.UpdatedAt),
	}
}
