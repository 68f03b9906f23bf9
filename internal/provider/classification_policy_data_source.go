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
	_ datasource.DataSourceWithConfigure        = (*classificationPolicyDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*classificationPolicyDataSource)(nil)
)

// NewClassificationPolicyDataSource is the lowcode_classification_policy data source.
func NewClassificationPolicyDataSource() datasource.DataSource {
	return &classificationPolicyDataSource{}
}

type classificationPolicyDataSource struct {
	client *client.Client
}

// classificationPolicyDataModel is a policy as the data sources show it (the resource's
// attributes without etag and timeouts).
type classificationPolicyDataModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Description   types.String `tfsdk:"description"`
	Level         types.String `tfsdk:"level"`
	Encryption    types.String `tfsdk:"encryption"`
	Access        types.String `tfsdk:"access"`
	FieldPatterns types.List   `tfsdk:"field_patterns"`
	ApplicationID types.String `tfsdk:"application_id"`
	CreatedAt     types.String `tfsdk:"created_at"`
	UpdatedAt     types.String `tfsdk:"updated_at"`
}

func (d *classificationPolicyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_classification_policy"
}

func (d *classificationPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := classificationPolicyDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The id of the policy to read, such as `cls_0193…`. Give either `id` or `name`.",
		Optional:            true,
		Computed:            true,
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The name of the policy to read (names are unique on the platform).",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one data classification policy, by id or by name: its level, the encryption and " +
			"access it requires and the field patterns it covers.",
		Attributes: attrs,
	}
}

func (d *classificationPolicyDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *classificationPolicyDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *classificationPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg classificationPolicyDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var policy *api.ClassificationPolicy
	if !cfg.ID.IsNull() {
		id := cfg.ID.ValueString()
		var err error
		policy, err = d.client.GetClassificationPolicy(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Classification policy not found",
				fmt.Sprintf("There is no classification policy with id %q on the platform, or the API key may not read it. "+
					"Check the id, or look the policy up by `name`.", id))
			return
		}
		if err != nil {
			apiErrorDiag(&resp.Diagnostics, opRead, "classification policy", "classification policy "+id, err)
			return
		}
	} else {
		name := cfg.Name.ValueString()
		tflog.Debug(ctx, "looking up classification policy by name", map[string]any{"name": name})
		policies, err := client.Collect(d.client.ListClassificationPolicies(ctx, client.ClassificationPolicyFilter{Name: name}))
		if err != nil {
			apiErrorDiag(&resp.Diagnostics, opRead, "classification policy", "classification policy "+name, err)
			return
		}
		if len(policies) != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Classification policy not found",
				fmt.Sprintf("Expected one classification policy named %q, found %d (or the API key may not read it). "+
					"Check the name; the lowcode_classification_policies data source lists the policies.", name, len(policies)))
			return
		}
		policy = &policies[0]
	}
	state := classificationPolicyData(policy)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// classificationPolicyDataAttributes are a policy's attributes, all computed, for the data
// sources.
func classificationPolicyDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The platform's id for the policy, such as `cls_0193…`.",
			Computed:            true,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The policy's name.",
			Computed:            true,
		},
		"description": schema.StringAttribute{
			MarkdownDescription: "What the policy protects.",
			Computed:            true,
		},
		"level": schema.StringAttribute{
			MarkdownDescription: "How sensitive the matched data is: `public`, `internal`, `confidential` or `restricted`.",
			Computed:            true,
		},
		"encryption": schema.StringAttribute{
			MarkdownDescription: "How the data is encrypted: `none`, `at-rest`, `at-rest+transit` or `at-rest+transit+field-level`.",
			Computed:            true,
		},
		"access": schema.StringAttribute{
			MarkdownDescription: "Who may see the data: `all`, `authenticated`, `role-based` or `need-to-know`.",
			Computed:            true,
		},
		"field_patterns": schema.ListAttribute{
			MarkdownDescription: "The field patterns the policy covers, in their order.",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"application_id": schema.StringAttribute{
			MarkdownDescription: "The application whose data the policy covers; `null` for the whole platform.",
			Computed:            true,
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When the policy was created (RFC 3339).",
			Computed:            true,
		},
		"updated_at": schema.StringAttribute{
			MarkdownDescription: "When the policy last changed (RFC 3339).",
			Computed:            true,
		},
	}
}

func classificationPolicyData(c *api.ClassificationPolicy) classificationPolicyDataModel {
	return classificationPolicyDataModel{
		ID:            types.StringValue(c.ID),
		Name:          types.StringValue(c.Name),
		Description:   types.StringValue(c.Description),
		Level:         types.StringValue(string(c.Level)),
		Encryption:    types.StringValue(string(c.Encryption)),
		Access:        types.StringValue(string(c.Access)),
		FieldPatterns: stringList(c.FieldPatterns),
		ApplicationID: applicationIDValue(c.ApplicationID),
		CreatedAt:     timeString(c.CreatedAt),
		UpdatedAt:     timeString(c.UpdatedAt),
	}
}
