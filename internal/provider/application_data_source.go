package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*applicationDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*applicationDataSource)(nil)
)

// NewApplicationDataSource is the lowcode_application data source.
func NewApplicationDataSource() datasource.DataSource { return &applicationDataSource{} }

type applicationDataSource struct {
	client *client.Client
}

func (d *applicationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application"
}

func (d *applicationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := applicationDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The id of the application to read, such as `app_0193…`. Give either `id`, or `name` and `environment`.",
		Optional:            true,
		Computed:            true,
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The name of the application to read; names are unique within an environment, so give `environment` too.",
		Optional:            true,
		Computed:            true,
	}
	attrs["environment"] = schema.StringAttribute{
		MarkdownDescription: "The environment of the application to read by `name`: `development`, `staging` or `production`.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{environmentValidator()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one application, by id or by name and environment, for example to attach workflows " +
			"or grant roles on an application that another configuration manages.",
		Attributes: attrs,
	}
}

func (d *applicationDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("name"), path.MatchRoot("environment")),
	}
}

func (d *applicationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var applicationLookup = lookup{Kind: "application", Title: "Application",
	Advice: "The API key may also lack the right to read it. Check the id, or the name and environment; " +
		"the lowcode_applications data source lists the applications the key may read."}

func (d *applicationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg applicationDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var app *api.Application
	if !cfg.ID.IsNull() {
		app = byID(ctx, applicationLookup, &resp.Diagnostics, cfg.ID.ValueString(), d.client.GetApplication)
	} else {
		name, env := cfg.Name.ValueString(), api.Environment(cfg.Environment.ValueString())
		tflog.Debug(ctx, "looking up application by name", map[string]any{"name": name, "environment": string(env)})
		app = onlyMatch(applicationLookup, &resp.Diagnostics, path.Root("name"), fmt.Sprintf("named %q in %s", name, env),
			d.client.ListApplications(ctx, client.ApplicationFilter{Name: name, Environment: env}))
	}
	if app == nil {
		return
	}
	state := applicationData(app)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
