package provider

import (
	"context"
	"errors"
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
	_ datasource.DataSourceWithConfigure        = (*customIntegrationDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*customIntegrationDataSource)(nil)
)

// NewCustomIntegrationDataSource is the lowcode_custom_integration data source.
func NewCustomIntegrationDataSource() datasource.DataSource { return &customIntegrationDataSource{} }

type customIntegrationDataSource struct {
	client *client.Client
}

// customIntegrationDataModel is an integration as the data source shows it (the resource's
// attributes without etag and timeouts).
type customIntegrationDataModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	CodeRepo    types.String `tfsdk:"code_repo"`
	APIVersion  types.String `tfsdk:"api_version"`
	Description types.String `tfsdk:"description"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
}

func (d *customIntegrationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_integration"
}

func (d *customIntegrationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one custom integration, by id or by name: where its code lives and which platform " +
			"API version it targets.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the integration to read, such as `int_0193…`. Give either `id` or `name`.",
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name of the integration to read, such as `crm-sync` (names are unique on the platform).",
				Optional:            true,
				Computed:            true,
			},
			"code_repo": schema.StringAttribute{
				MarkdownDescription: "Where the integration's code lives: a repository URL or `host/owner/repo`.",
				Computed:            true,
			},
			"api_version": schema.StringAttribute{
				MarkdownDescription: "The platform API version the integration targets, such as `v2`.",
				Computed:            true,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the integration does.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the integration was registered (RFC 3339).",
				Computed:            true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the integration last changed (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *customIntegrationDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *customIntegrationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *customIntegrationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg customIntegrationDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var integration *api.Integration
	if !cfg.ID.IsNull() {
		id := cfg.ID.ValueString()
		var err error
		integration, err = d.client.GetIntegration(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Custom integration not found",
				fmt.Sprintf("There is no custom integration with id %q on the platform, or the API key may not read it. "+
					"Check the id, or look the integration up by `name`.", id))
			return
		}
		if err != nil {
			apiErrorDiag(&resp.Diagnostics, opRead, "custom integration", "custom integration "+id, err)
			return
		}
	} else {
		name := cfg.Name.ValueString()
		tflog.Debug(ctx, "looking up custom integration by name", map[string]any{"name": name})
		found, err := client.Collect(d.client.ListIntegrations(ctx, client.IntegrationFilter{Name: name}))
		if err != nil {
			apiErrorDiag(&resp.Diagnostics, opRead, "custom integration", "custom integration "+name, err)
			return
		}
		if len(found) != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Custom integration not found",
				fmt.Sprintf("Expected one custom integration named %q, found %d. Integrations are platform-wide: the "+
					"API key's user needs a role on the platform to see them. Check the name.", name, len(found)))
			return
		}
		integration = &found[0]
	}
	state := customIntegrationDataModel{
		ID:          types.StringValue(integration.ID),
		Name:        types.StringValue(integration.Name),
		CodeRepo:    types.StringValue(integration.CodeRepo),
		APIVersion:  types.StringValue(integration.APIVersion),
		Description: types.StringValue(integration.Description),
		CreatedAt:   timeString(integration.CreatedAt),
		UpdatedAt:   timeString(integration.UpdatedAt),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
