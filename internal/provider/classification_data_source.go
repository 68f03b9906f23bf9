package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*classificationDataSource)(nil)

// NewClassificationDataSource is the lowcode_classification data source.
func NewClassificationDataSource() datasource.DataSource { return &classificationDataSource{} }

type classificationDataSource struct {
	client *client.Client
}

type classificationDataSourceModel struct {
	Data          types.String               `tfsdk:"data"`
	ApplicationID types.String               `tfsdk:"application_id"`
	Level         types.String               `tfsdk:"level"`
	Fields        []fieldClassificationModel `tfsdk:"fields"`
}

type fieldClassificationModel struct {
	Path     types.String `tfsdk:"path"`
	Level    types.String `tfsdk:"level"`
	PolicyID types.String `tfsdk:"policy_id"`
	Pattern  types.String `tfsdk:"pattern"`
}

func (d *classificationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_classification"
}

func (d *classificationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Classifies a record against the platform's classification policies, as the platform " +
			"would classify it in a workflow execution: which fields are covered, by which policy and pattern, and " +
			"the record's overall level (the highest of its fields). Nothing is stored. Useful to check, before " +
			"data flows, that new policies cover what they should.\n\n" +
			"Field paths join object keys with dots (`customer.email`); arrays are transparent, so the elements of " +
			"`items` share the path `items`. When several policies match a field, the highest level wins.",
		Attributes: map[string]schema.Attribute{
			"data": schema.StringAttribute{
				MarkdownDescription: "The record to classify: a JSON object, usually written with `jsonencode({...})`.",
				Required:            true,
				Validators:          []validator.String{jsonObjectValidator{}},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "Also apply the policies of this application (`app_…`); without it only the " +
					"platform-wide policies apply.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.UTF8LengthBetween(1, 64)},
			},
			"level": schema.StringAttribute{
				MarkdownDescription: "The record's level: the highest level of its matched fields, `public` when none match.",
				Computed:            true,
			},
			"fields": schema.ListNestedAttribute{
				MarkdownDescription: "Every field a policy covers, sorted by path.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"path": schema.StringAttribute{
						MarkdownDescription: "The field's dotted path, such as `customer.email`.",
						Computed:            true,
					},
					"level": schema.StringAttribute{
						MarkdownDescription: "The field's level, from the policy that decides it.",
						Computed:            true,
					},
					"policy_id": schema.StringAttribute{
						MarkdownDescription: "The policy that decides the field (the highest level among those matching it).",
						Computed:            true,
					},
					"pattern": schema.StringAttribute{
						MarkdownDescription: "The policy's field pattern that matched.",
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *classificationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *classificationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state classificationDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data, err := decodeJSONObject(state.Data.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid data", "data must be a JSON object, such as jsonencode({ customer = { email = \"a@example.com\" } }): "+err.Error())
		return
	}
	result, err := d.client.ClassifyRecord(ctx, api.ClassifyRequest{Data: data, ApplicationID: stringPtr(state.ApplicationID)})
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opClassify, "record", "classification of the record", err)
		return
	}
	state.Level = types.StringValue(string(result.Level))
	state.Fields = make([]fieldClassificationModel, len(result.Fields))
	for i, f := range result.Fields {
		state.Fields[i] = fieldClassificationModel{
			Path:     types.StringValue(f.Path),
			Level:    types.StringValue(string(f.Level)),
			PolicyID: types.StringValue(f.PolicyID),
			Pattern:  types.StringValue(f.Pattern),
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
