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

var _ datasource.DataSourceWithConfigure = (*roleAssignmentsDataSource)(nil)

// NewRoleAssignmentsDataSource is the lowcode_role_assignments data source.
func NewRoleAssignmentsDataSource() datasource.DataSource { return &roleAssignmentsDataSource{} }

type roleAssignmentsDataSource struct {
	client *client.Client
}

type roleAssignmentsDataSourceModel struct {
	UserID          types.String              `tfsdk:"user_id"`
	Role            types.String              `tfsdk:"role"`
	ScopeType       types.String              `tfsdk:"scope_type"`
	ScopeID         types.String              `tfsdk:"scope_id"`
	RoleAssignments []roleAssignmentDataModel `tfsdk:"role_assignments"`
}

type roleAssignmentDataModel struct {
	ID        types.String `tfsdk:"id"`
	UserID    types.String `tfsdk:"user_id"`
	Role      types.String `tfsdk:"role"`
	ScopeType types.String `tfsdk:"scope_type"`
	ScopeID   types.String `tfsdk:"scope_id"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (d *roleAssignmentsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_assignments"
}

func (d *roleAssignmentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists role assignments, narrowed by any of the filters. Platform admins see every " +
			"assignment; other API keys see their own user's and those at the applications and workflows they administer.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "Only the assignments of this user (`usr_…`).",
				Optional:            true,
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "Only assignments of this role: `viewer`, `editor`, `admin` or `owner`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(roleValues...)},
			},
			"scope_type": schema.StringAttribute{
				MarkdownDescription: "Only assignments at this kind of scope: `platform`, `application`, `workflow` or `data`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(scopeTypeValues...)},
			},
			"scope_id": schema.StringAttribute{
				MarkdownDescription: "Only assignments at the object with this id (`app_…`, `wf_…` or `cls_…`).",
				Optional:            true,
			},
			"role_assignments": schema.ListNestedAttribute{
				MarkdownDescription: "The matching role assignments, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						MarkdownDescription: "The role assignment's id, such as `ra_0193…`.",
						Computed:            true,
					},
					"user_id":    schema.StringAttribute{MarkdownDescription: "The user who has the role.", Computed: true},
					"role":       schema.StringAttribute{MarkdownDescription: "The role.", Computed: true},
					"scope_type": schema.StringAttribute{MarkdownDescription: "Where the role applies: `platform`, `application`, `workflow` or `data`.", Computed: true},
					"scope_id":   schema.StringAttribute{MarkdownDescription: "The id of the object the role applies to; null for the platform scope.", Computed: true},
					"created_at": schema.StringAttribute{MarkdownDescription: "When the role was granted (RFC 3339).", Computed: true},
				}},
			},
		},
	}
}

func (d *roleAssignmentsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *roleAssignmentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg roleAssignmentsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.RoleAssignmentFilter{
		UserID:    cfg.UserID.ValueString(),
		Role:      api.Role(cfg.Role.ValueString()),
		ScopeType: api.ScopeType(cfg.ScopeType.ValueString()),
		ScopeID:   cfg.ScopeID.ValueString(),
	}
	described := describeFilter("user_id", filter.UserID, "role", string(filter.Role),
		"scope_type", string(filter.ScopeType), "scope_id", filter.ScopeID)
	tflog.Debug(ctx, "listing role assignments", map[string]any{"filter": described})
	found, err := client.Collect(d.client.ListRoleAssignments(ctx, filter))
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opList, "role assignments", "role assignments"+described, err)
		return
	}
	cfg.RoleAssignments = make([]roleAssignmentDataModel, 0, len(found))
	for _, ra := range found {
		cfg.RoleAssignments = append(cfg.RoleAssignments, roleAssignmentDataModel{
			ID:        types.StringValue(ra.ID),
			UserID:    types.StringValue(ra.UserID),
			Role:      types.StringValue(string(ra.Role)),
			ScopeType: types.StringValue(string(ra.Scope.Type)),
			ScopeID:   scopeIDValue(ra.Scope),
			CreatedAt: timeString(ra.CreatedAt),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
