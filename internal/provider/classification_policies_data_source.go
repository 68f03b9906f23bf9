package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*classificationPoliciesDataSource)(nil)

// NewClassificationPoliciesDataSource is the lowcode_classification_policies data source.
func NewClassificationPoliciesDataSource() datasource.DataSource {
	return &classificationPoliciesDataSource{}
}

type classificationPoliciesDataSource struct {
	client *client.Client
}

type classificationPoliciesDataSourceModel struct {
	Name          types.String                    `tfsdk:"name"`
	Level         types.String                    `tfsdk:"level"`
	ApplicationID types.String                    `tfsdk:"application_id"`
	Policies      []classificationPolicyDataModel `tfsdk:"policies"`
}

func (d *classificationPoliciesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_classification_policies"
}

func (d *classificationPoliciesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the data classification policies the API key may read, narrowed by name, level and " +
			"application.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only the policy of this name (names are unique, so the list has at most one " +
					"element: an empty list, unlike `lowcode_classification_policy`, is not an error).",
				Optional:   true,
				Validators: []validator.String{nameValidator()},
			},
			"level": schema.StringAttribute{
				MarkdownDescription: "Only policies of this level: `public`, `internal`, `confidential` or `restricted`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(classificationLevels...)},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "Only the policies limited to this application (`app_…`); platform-wide policies " +
					"are left out.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.UTF8LengthBetween(1, 64)},
			},
			"policies": schema.ListNestedAttribute{
				MarkdownDescription: "The matching policies, oldest first.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: classificationPolicyDataAttributes()},
			},
		},
	}
}

func (d *classificationPoliciesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *classificationPoliciesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state classificationPoliciesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.ClassificationPolicyFilter{
		Name:          state.Name.ValueString(),
		Level:         api.ClassificationLevel(state.Level.ValueString()),
		ApplicationID: state.ApplicationID.ValueString(),
	}
	tflog.Debug(ctx, "listing classification policies", map[string]any{"name": filter.Name, "level": string(filter.Level), "application_id": filter.ApplicationID})
	state.Policies = []classificationPolicyDataModel{}
	for policy, err := range d.client.ListClassificationPolicies(ctx, filter) {
		if err != nil {
			apiErrorDiag(&resp.Diagnostics, opList, "classification policies", "classification policies", err)
			return
		}
		state.Policies = append(state.Policies, classificationPolicyData(&policy))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
